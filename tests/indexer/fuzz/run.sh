#!/bin/sh
# tests/indexer/fuzz/run.sh BUILD SECONDS - run each indexer fuzzer for
# SECONDS under ASan+UBSan on a scratch copy of its seed corpus (the
# committed corpus is never written).  Fails on any crash, leak or hang.
set -u
build=$1 secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
seeds=$here/../../seeds
fuzzdir=$build/tests/indexer/fuzz
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
status=0
for t in text html docx; do
	mkdir -p "$work/$t"
	case $t in
	text) cp "$seeds"/*.txt "$work/$t"/ ;;
	html) cp "$here"/corpus/html/* "$work/$t"/ ;;
	docx) cp "$fuzzdir"/corpus-docx/* "$work/$t"/ ;;
	esac
	echo "== fuzz_indexer_$t: ${secs}s"
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$fuzzdir/fuzz_indexer_$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
		-artifact_prefix="$work/$t-" "$work/$t" >"$work/$t.log" 2>&1
	rc=$?
	grep -E '^stat::number_of_executed_units|^Done' "$work/$t.log"
	if [ $rc -ne 0 ]; then
		echo "FAIL fuzz_indexer_$t (exit $rc)"
		tail -n 40 "$work/$t.log"
		for a in "$work/$t"-*; do
			[ -f "$a" ] && echo "artifact: $a" && od -c "$a" | head -n 20
		done
		status=1
	fi
done
[ $status -eq 0 ] && echo "fuzz: 3 passed, 0 failed"
exit $status
