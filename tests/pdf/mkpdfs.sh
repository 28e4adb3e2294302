#!/bin/sh
# tests/pdf/mkpdfs.sh NB_RENDER PDF_FIXTURES SEEDS OUT
#
# The PDFs the tests read: each expected seed record rendered as .docx
# and given each variant below, plus the single-（六） record and a report
# whose tables draw no borders, all turned
# into PDF by one LibreOffice run (its start-up costs seconds), with a
# private profile.  The result is kept in OUT: when the .docx files are
# the same as last time, nothing is converted again.
#
#   variant    nb-render options     pdf-fixtures docx options
set -eu
render=$1 fixtures=$2 seeds=$3 out=$4
variants='
plain      -                         -
tall       -                         --tall
header     -                         --tall,--repeat-header
furniture  -                         --tall,--furniture,--bare-title
landscape  --variant,1023            --landscape,--furniture
fullwidth  -                         --fullwidth
'
mkdir -p "$out/docx" "$out/pdf" "$out/crafted"
"$fixtures" crafted "$out/crafted"
"$fixtures" single-other "$seeds/expected/000_b28a0448acb1371b.json" \
	"$out/single-other.json"
one() { # record name render-opts fixture-opts
	tmp=$out/docx/$2.tmp.docx
	# shellcheck disable=SC2046
	"$render" --docx $( [ "$3" = - ] || echo "$3" | tr , ' ') "$1" >"$tmp"
	if [ "$4" != - ]; then
		# shellcheck disable=SC2046
		"$fixtures" docx "$tmp" "$tmp.v" $(echo "$4" | tr , ' ')
		mv "$tmp.v" "$tmp"
	fi
	mv "$tmp" "$out/docx/$2.docx"
}
echo "$variants" | while read -r v ropts fopts; do
	[ -n "$v" ] || continue
	for rec in "$seeds"/expected/*.json; do
		one "$rec" "$(basename "$rec" .json).$v" "$ropts" "$fopts"
	done
done
one "$out/single-other.json" single-other.plain - -
one "$seeds/expected/001_a54ea972eaf5532d.json" borderless.plain - --borderless
sum=$(cat "$out"/docx/*.docx | sha1sum | cut -d' ' -f1)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$sum" ]; then
	missing=0
	for d in "$out"/docx/*.docx; do
		[ -s "$out/pdf/$(basename "$d" .docx).pdf" ] || missing=1
	done
	[ $missing -eq 1 ] || exit 0
fi
rm -f "$out/stamp" "$out"/pdf/*.pdf
HOME=$out timeout 600 soffice --headless --norestore \
	"-env:UserInstallation=file://$out/profile" \
	--convert-to pdf --outdir "$out/pdf" "$out"/docx/*.docx >"$out/soffice.log" 2>&1 || {
	cat "$out/soffice.log" >&2
	exit 1
}
for d in "$out"/docx/*.docx; do
	p=$out/pdf/$(basename "$d" .docx).pdf
	[ -s "$p" ] || { echo "mkpdfs: $p not made" >&2; exit 1; }
done
echo "$sum" >"$out/stamp"
