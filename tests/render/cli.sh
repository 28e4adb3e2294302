#!/bin/sh
# cli.sh NB-RENDER EXPECTED-DIR - nb-render's formats, options and exit codes.
set -u
r=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "cli.sh: $*" >&2
	exit 1
}

for f in "$dir"/*.json; do
	"$r" --text "$f" >"$tmp/t" || fail "$f: --text failed"
	title=$(sed -n 's/.*"title": "\([^"]*\)".*/\1/p' "$f")
	[ "$(head -n 1 "$tmp/t")" = "$title" ] || fail "$f: text title"
	"$r" --html --page --published 2022-01-20 --variant 1023 --seed 9 \
		"$f" >"$tmp/h" || fail "$f: --html failed"
	grep -q '<meta name="PubDate" content="2022-01-20' "$tmp/h" ||
		fail "$f: no PubDate"
	grep -q 'id="zoomcon"' "$tmp/h" || fail "$f: no zoomcon"
	"$r" --html --charset GBK --page "$f" >"$tmp/g" || fail "$f: GBK"
	grep -q 'charset=gbk' "$tmp/g" || fail "$f: GBK not declared"
	"$r" --docx "$f" >"$tmp/d" || fail "$f: --docx failed"
	[ "$(head -c 2 "$tmp/d")" = "PK" ] || fail "$f: docx is not a zip"
done

f=$(ls "$dir"/*.json | head -n 1)
"$r" "$f" >/dev/null 2>&1
[ $? -eq 2 ] || fail "no format: want exit 2"
"$r" --text --variant 4096 "$f" >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown variant bit: want exit 2"
"$r" --text "$tmp/missing.json" >/dev/null 2>&1
[ $? -eq 2 ] || fail "missing file: want exit 2"
echo '{"agency": "x"}' >"$tmp/bad.json"
"$r" --text "$tmp/bad.json" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "bad record: want exit 1"
grep -q 'NB_EINVAL' "$tmp/err" || fail "bad record: message"
"$r" --html --charset BIG5 "$f" >/dev/null 2>&1
[ $? -eq 1 ] || fail "unknown charset: want exit 1"
exit 0
