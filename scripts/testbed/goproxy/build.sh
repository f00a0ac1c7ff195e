#!/usr/bin/env bash
# Builds the static GOPROXY tree of the test bed from Debian golang-*-dev packages (see build.py and
# modules.txt). Usage: goproxy/build.sh [OUT_DIR]   (default $GOFRONT_TESTBED_CACHE/goproxy)
# Idempotent: skips when OUT_DIR was built from the same modules.txt and build.py (FORCE=1 rebuilds).
# Prints the number of modules served.
set -euo pipefail
LOG_TAG=goproxy-build
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$HERE/../lib.sh"

OUT=${1:-$TESTBED_CACHE/goproxy}
LIST=$HERE/modules.txt
DEBS=$TESTBED_CACHE/debs/goproxy
ORIG=$TESTBED_CACHE/orig/goproxy
STAMP=$(cat "$LIST" "$HERE/build.py" | sha256sum | cut -c1-16)

count_modules() { find "$OUT" -path "$OUT/_meta" -prune -o -name list -path '*/@v/list' -print | wc -l; }

if [ "${FORCE:-0}" != 1 ] && [ -f "$OUT/_meta/stamp" ] && [ "$(cat "$OUT/_meta/stamp")" = "$STAMP" ]; then
  log "proxy tree up to date: $OUT"
  echo "goproxy modules: $(count_modules) ($OUT)"
  exit 0
fi

ensure_host_packages python3
t0=$SECONDS
mapfile -t pkgs < <(sed -e 's/#.*//' "$LIST" | awk 'NF {print $1}')
mapfile -t origs < <(sed -e 's/#.*//' "$LIST" | awk 'NF && / orig( |$)/ {print $1}')
log "downloading ${#pkgs[@]} packages (cached in $DEBS)"
fetch_deb "$(dpkg --print-architecture)" "$DEBS" "${pkgs[@]}"
mkdir -p "$ORIG"
for p in "${origs[@]}"; do
  src=$(dpkg-deb -f "$(first_file "$DEBS/${p}_"*.deb)" Source | awk '{print $1}')
  src=${src:-$p}
  if ! ls "$ORIG/${src}_"*.orig.tar.* >/dev/null 2>&1; then
    log "downloading the upstream tarball of $src"
    papt_ready "$(dpkg --print-architecture)"
    (cd "$ORIG" && papt "$(dpkg --print-architecture)" source --download-only -qq "$p" >/dev/null)
  fi
done
python3 "$HERE/build.py" --modules "$LIST" --debs "$DEBS" --orig "$ORIG" --out "$OUT" >&2
echo "$STAMP" >"$OUT/_meta/stamp"
log "built in $((SECONDS - t0)) s"
echo "goproxy modules: $(count_modules) ($OUT)"
