#!/bin/sh
# warcio.sh SAMPLE NIANBAO - the npm warcio reader against our archive.
set -u
sample=$1 nianbao=$2
here=$(cd "$(dirname "$0")" && pwd)
npm=${NB_NPM_PREFIX:-$NB_SRCDIR/build/npm}
if [ ! -x "$npm/node_modules/.bin/warcio" ]; then
	echo "warcio not installed under $npm (run scripts/deps test)"
	exit 1
fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$sample" "$d/a" || exit 1
"$nianbao" warc cdxj -D "$d/a" -o "$d/ours.cdxj" || exit 1
"$nianbao" warc verify --list -D "$d/a" | grep -v -e '^problem' \
	-e ' problem' -e 'bytes past' >"$d/ours.list" || exit 1
# the daemon's own export must equal the on-demand one
cmp "$d/ours.cdxj" "$d/a/warc/index.cdxj" || exit 1
exec node "$here/warcio_check.mjs" "$d/a/warc" "$d/ours.cdxj" \
	"$d/ours.list" "$npm"
