#!/bin/sh
# tests/pdf/mkpdfs.sh NB_RENDER PDF_FIXTURES SEEDS OUT
#
# The PDFs the tests read, from two producers:
#   - LibreOffice: each expected seed record rendered as .docx and given
#     each variant below, plus the single-（六） record and a report whose
#     tables draw no borders, all turned into PDF by one LibreOffice run
#     (its start-up costs seconds), with a private profile;
#   - Chromium: each record as a county-site page (every cosmetic variant,
#     GBK declared in <meta>) printed by the browser, which cuts tables at
#     page breaks its own way (no top border, spanned columns left open).
# The result is kept in OUT: when the .docx or .html files are the same as
# last time, nothing is converted again.
#
#   variant    nb-render options     pdf-fixtures docx options
set -eu
render=$1 fixtures=$2 seeds=$3
mkdir -p "$4"
out=$(cd "$4" && pwd) # the profile is a file:// URL
variants='
plain      -                         -
tall       -                         --tall
header     -                         --tall,--repeat-header
furniture  -                         --tall,--furniture,--bare-title
landscape  --variant,1023            --landscape,--furniture
fullwidth  -                         --fullwidth
'
mkdir -p "$out/docx" "$out/html" "$out/pdf" "$out/crafted"
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

# made already? (stamp file, sources, the PDF name each source gives)
fresh() {
	sum=$(cat "$2"/* | sha1sum | cut -d' ' -f1)
	[ -f "$out/$1" ] && [ "$(cat "$out/$1")" = "$sum" ] || return 1
	for s in "$2"/*; do
		n=$(basename "$s")
		[ -s "$out/pdf/${n%.*}$3.pdf" ] || return 1
	done
}

office() {
	echo "$variants" | while read -r v ropts fopts; do
		[ -n "$v" ] || continue
		for rec in "$seeds"/expected/*.json; do
			one "$rec" "$(basename "$rec" .json).$v" "$ropts" "$fopts"
		done
	done
	one "$out/single-other.json" single-other.plain - -
	one "$seeds/expected/001_a54ea972eaf5532d.json" borderless.plain - \
		--borderless
	fresh stamp-docx "$out/docx" "" && return 0
	rm -f "$out/stamp-docx"
	for d in "$out"/docx/*.docx; do
		rm -f "$out/pdf/$(basename "$d" .docx).pdf"
	done
	HOME=$out timeout -k 10 300 soffice --headless --norestore \
		"-env:UserInstallation=file://$out/profile" \
		--convert-to pdf --outdir "$out/pdf" "$out"/docx/*.docx \
		>"$out/soffice.log" 2>&1 || {
		cat "$out/soffice.log" >&2
		exit 1
	}
	for d in "$out"/docx/*.docx; do
		p=$out/pdf/$(basename "$d" .docx).pdf
		[ -s "$p" ] || { echo "mkpdfs: $p not made" >&2; exit 1; }
	done
	echo "$sum" >"$out/stamp-docx"
}

browser() {
	for rec in "$seeds"/expected/*.json; do
		"$render" --html --page --variant 1023 --seed 3 --charset GBK \
			"$rec" >"$out/html/$(basename "$rec" .json).html"
	done
	fresh stamp-html "$out/html" .browser && return 0
	rm -f "$out/stamp-html"
	for h in "$out"/html/*.html; do
		p=$out/pdf/$(basename "$h" .html).browser.pdf
		rm -f "$p"
		HOME=$out timeout -k 5 120 chromium --headless --no-sandbox \
			--disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update \
			--disable-sync "--user-data-dir=$out/chromium" \
			--no-pdf-header-footer "--print-to-pdf=$p" "file://$h" \
			>>"$out/chromium.log" 2>&1 || true
		[ -s "$p" ] || { cat "$out/chromium.log" >&2; echo "mkpdfs: $p not made" >&2; exit 1; }
	done
	echo "$sum" >"$out/stamp-html"
}

office
browser
