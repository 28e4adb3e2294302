#!/bin/sh
# nianbao parse: exit statuses, --json one object per line, --template,
# --help naming every option, the summary marking failed checks, reasons
# on stderr for what is not a report.
set -u
nianbao=$1 src=$2
seeds=$src/tests/seeds
conf=$src/config/demo.ini
fail=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
ck() { # ck NAME WANT-STATUS GOT-STATUS
	if [ "$3" -ne "$2" ]; then
		echo "FAIL $1: exit $3, want $2"; fail=1
	fi
}

"$nianbao" parse --json -f "$conf" "$seeds"/00*.txt >"$tmp/out" 2>"$tmp/err"
ck "five seeds" 0 $?
[ "$(wc -l <"$tmp/out")" -eq 5 ] || { echo "FAIL five seeds: not 5 lines"; fail=1; }
[ -s "$tmp/err" ] && { echo "FAIL five seeds: stderr"; cat "$tmp/err"; fail=1; }
# each line is the expected record (jansson re-reads and compares)
i=1
for f in "$seeds"/00*.txt; do
	b=$(basename "$f" .txt)
	sed -n "${i}p" "$tmp/out" >"$tmp/line.json"
	"$nianbao" parse --json -f "$conf" "$f" >"$tmp/one.json"
	cmp -s "$tmp/line.json" "$tmp/one.json" ||
		{ echo "FAIL $b: line $i differs from the single run"; fail=1; }
	grep -q '"agency":' "$tmp/line.json" || { echo "FAIL $b: no agency"; fail=1; }
	i=$((i + 1))
done
grep -c '"template":"2021"' "$tmp/out" | grep -qx 3 ||
	{ echo "FAIL: three 2021 records expected"; fail=1; }

# --template forces; a bad value is a usage error
"$nianbao" parse --json --template 2019 -f "$conf" "$seeds/000_b28a0448acb1371b.txt" >"$tmp/out" 2>&1
ck "--template 2019" 0 $?
grep -q '"template":"2019"' "$tmp/out" || { echo "FAIL --template: not forced"; fail=1; }
"$nianbao" parse --template 2020 "$seeds/000_b28a0448acb1371b.txt" >/dev/null 2>"$tmp/err"
ck "--template 2020" 2 $?
grep -q "2019 or 2021" "$tmp/err" || { echo "FAIL --template: message"; fail=1; }

# the summary: numbers and a failed check marked
sed 's/^\t36$/\t35/' "$seeds/000_b28a0448acb1371b.txt" >"$tmp/broken.txt"
"$nianbao" parse -f "$conf" "$tmp/broken.txt" >"$tmp/out" 2>&1
ck "summary" 0 $?
grep -q "^  agency    樟树市人民政府$" "$tmp/out" || { echo "FAIL summary: agency"; fail=1; }
grep -q "FAILED requests.row_total row new: expected 38, actual 37" "$tmp/out" ||
	{ echo "FAIL summary: failed check not shown"; cat "$tmp/out"; fail=1; }

# not a report: 1 with the reason; a missing file: 2
printf '%%PDF-1.4\n' >"$tmp/a.pdf"
printf '<html><body><p>hello</p></body></html>' >"$tmp/page.html"
"$nianbao" parse "$tmp/a.pdf" >"$tmp/out" 2>"$tmp/err"
ck "pdf" 1 $?
grep -q "a.pdf: unparsed: PDF" "$tmp/err" || { echo "FAIL pdf: reason"; cat "$tmp/err"; fail=1; }
"$nianbao" parse "$tmp/page.html" >"$tmp/out" 2>"$tmp/err"
ck "not a report" 1 $?
grep -q "not a report" "$tmp/err" || { echo "FAIL page: reason"; fail=1; }
"$nianbao" parse "$tmp/no-such-file" >/dev/null 2>"$tmp/err"
ck "missing file" 2 $?
grep -q "no-such-file" "$tmp/err" || { echo "FAIL missing: message"; fail=1; }
# a report among failures still prints, the status is the worst
"$nianbao" parse --json "$tmp/a.pdf" "$seeds/001_a54ea972eaf5532d.txt" >"$tmp/out" 2>/dev/null
ck "mixed" 1 $?
[ "$(wc -l <"$tmp/out")" -eq 1 ] || { echo "FAIL mixed: record not printed"; fail=1; }

# usage
"$nianbao" parse >/dev/null 2>&1
ck "no file" 2 $?
"$nianbao" parse --bogus x >/dev/null 2>&1
ck "bad option" 2 $?
"$nianbao" parse --help >"$tmp/help" 2>&1
ck "--help" 0 $?
for opt in --json --template --hint --config -f --help; do
	grep -q -- "$opt" "$tmp/help" || { echo "FAIL --help lacks $opt"; fail=1; }
done
"$nianbao" --help | grep -q "parse" || { echo "FAIL: parse not in the command list"; fail=1; }

[ $fail -eq 0 ] && echo "indexer cli: all passed"
exit $fail
