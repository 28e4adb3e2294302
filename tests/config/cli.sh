#!/bin/sh
# nianbaod -n: exit status and exact messages for each bad file in bad/,
# success on the shipped configurations, and a --help naming every option.
set -u
daemon=$1 here=$2 confdir=$3
fail=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

for ini in "$here"/bad/*.ini; do
	name=$(basename "$ini" .ini)
	"$daemon" -n -f "$ini" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	sed "s|@DIR@|$here/bad|g" "$here/bad/$name.expect" >"$tmp/want"
	if [ "$rc" -ne 1 ]; then
		echo "FAIL $name: exit $rc, want 1"; fail=1
	fi
	if ! cmp -s "$tmp/want" "$tmp/err"; then
		echo "FAIL $name: messages differ"; diff "$tmp/want" "$tmp/err"
		fail=1
	fi
	if [ -s "$tmp/out" ]; then
		echo "FAIL $name: printed a configuration"; fail=1
	fi
done

for ini in demo.ini jiangxi.ini; do
	"$daemon" -n -f "$confdir/$ini" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $ini: exit $rc"; cat "$tmp/err"; fail=1
	fi
	grep -q "configuration OK" "$tmp/err" || { echo "FAIL $ini: no OK"; fail=1; }
	grep -q '^\[site ' "$tmp/out" || { echo "FAIL $ini: no sites printed"; fail=1; }
	grep -q '^concurrency *= ' "$tmp/out" || { echo "FAIL $ini: defaults not printed"; fail=1; }
	# the printed configuration is itself a valid configuration
	cp "$tmp/out" "$tmp/printed.ini"
	"$daemon" -n -f "$tmp/printed.ini" >"$tmp/out2" 2>"$tmp/err2" ||
		{ echo "FAIL $ini: printed config does not load"; cat "$tmp/err2"; fail=1; }
done

"$daemon" --help >"$tmp/help" 2>&1 || { echo "FAIL --help exit"; fail=1; }
for opt in -f --config -n --check -d --debug -v --verbose --once -h --help -V --version; do
	grep -q -- "$opt" "$tmp/help" || { echo "FAIL --help lacks $opt"; fail=1; }
done
"$daemon" --bogus >/dev/null 2>&1 && { echo "FAIL unknown option accepted"; fail=1; }

[ $fail -eq 0 ] && echo "config_cli: all checks passed"
exit $fail
