#!/bin/sh
# tests/pdf/fuzz/run.sh BUILD SECONDS - run the PDF fuzzer for SECONDS
# under ASan+UBSan on a scratch copy of its corpus: the hand-made PDFs
# pdf-fixtures writes at build time, and the seed PDFs LibreOffice printed
# for `make test` (build/), when it has run.  Fails on any crash, leak or
# hang.
set -u
build=$1 secs=${2:-60}
root=$(cd "$(dirname "$0")/../../.." && pwd)
fuzzdir=$build/tests/pdf/fuzz
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp "$fuzzdir"/corpus/*.pdf "$work/corpus"/
for p in "$root"/build/tests/pdf/material/pdf/*.plain.pdf; do
	[ -f "$p" ] && cp "$p" "$work/corpus"/
done
echo "== fuzz_indexer_pdf: ${secs}s"
# -timeout above the reader's own time cap (PDFL_MAX_MS)
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
"$fuzzdir/fuzz_indexer_pdf" -max_total_time="$secs" -timeout=45 \
	-rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
	-artifact_prefix="$work/pdf-" "$work/corpus" >"$work/pdf.log" 2>&1
rc=$?
grep -E '^stat::number_of_executed_units|^Done' "$work/pdf.log"
if [ $rc -ne 0 ]; then
	echo "FAIL fuzz_indexer_pdf (exit $rc)"
	tail -n 40 "$work/pdf.log"
	for a in "$work"/pdf-*; do
		[ -f "$a" ] && echo "artifact: $a" && od -c "$a" | head -n 20
	done
	exit 1
fi
echo "fuzz: 1 passed, 0 failed"
