#!/bin/sh
# cli.sh SAMPLE NIANBAO - `nianbao warc' on a sample archive: payloads,
# revisits, --at, exit codes, a damaged file, a newer schema version.
set -u
sample=$1 nb=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fails=0
check() { # name expected-status actual-status
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit $3, expected $2"
		fails=$((fails + 1))
	fi
}
"$sample" "$d/a" >/dev/null 2>&1 || { echo "sample failed"; exit 1; }
u=http://www.sample.gov.cn/zfxxgk/index.html

out=$("$nb" warc get "$u" -D "$d/a"); check "get latest" 0 $?
[ "$out" = "$u v2" ] || { echo "FAIL: latest is '$out'"; fails=$((fails + 1)); }
# the day after the first capture is the identical-payload revisit
out=$("$nb" warc get "$u" --at 2024-03-02T12:00:00Z -D "$d/a"); check "get --at" 0 $?
[ "$out" = "$u v1" ] || { echo "FAIL: --at gave '$out'"; fails=$((fails + 1)); }
# 304 revisit resolves to the decoded PDF
out=$("$nb" warc get 'https://sample.gov.cn/A/report.pdf?a=1&b=2' -D "$d/a"); check "get revisit" 0 $?
[ "$out" = "%PDF-1.4 decoded" ] || { echo "FAIL: revisit gave '$out'"; fails=$((fails + 1)); }
"$nb" warc get http://sample.gov.cn/never -D "$d/a" 2>/dev/null; check "get missing" 1 $?
"$nb" warc get -D "$d/a" 2>/dev/null; check "get usage" 2 $?
"$nb" warc get "$u" --at yesterday -D "$d/a" 2>/dev/null; check "bad --at" 2 $?
"$nb" warc verify -D "$d/a" >"$d/v"; check "verify clean" 0 $?
grep -q ' 0 problems' "$d/v" || { echo "FAIL: verify said $(cat "$d/v")"; fails=$((fails + 1)); }
"$nb" warc verify -D "$d/nothing" 2>/dev/null; check "verify no archive" 2 $?
"$nb" warc --help | grep -q '^usage: nianbao warc get'; check "help" 0 $?
"$nb" help warc >/dev/null; check "help warc" 0 $?

# damage: flip bytes inside the first file's big record
f=$(ls "$d"/a/warc/*.warc.gz | head -1)
cp -r "$d/a" "$d/b"
printf '\377\377\377\377' | dd of="$d/b/warc/$(basename "$f")" bs=1 seek=20000 conv=notrunc 2>/dev/null
"$nb" warc verify -D "$d/b" >"$d/v"; check "verify damaged" 1 $?
grep -q '^problem: ' "$d/v" || { echo "FAIL: no problem listed"; fails=$((fails + 1)); }

# a newer schema version is refused, clearly
mdb_dump -s meta "$d/a/index" | sed 's/^ 31$/ 393939/' >"$d/meta.dump"
grep -q '^ 393939$' "$d/meta.dump" || { echo "FAIL: schema key not found in dump"; fails=$((fails + 1)); }
mdb_load -s meta -f "$d/meta.dump" "$d/a/index" || exit 1
"$nb" warc verify -D "$d/a" 2>"$d/err"; check "newer schema" 2 $?
grep -q 'schema version 999, this program reads version 1: upgrade' "$d/err" ||
	{ echo "FAIL: message was: $(cat "$d/err")"; fails=$((fails + 1)); }
echo "$((fails == 0)) passed, $((fails != 0)) failed"
exit $((fails != 0))
