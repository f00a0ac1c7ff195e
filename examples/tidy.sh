#!/usr/bin/env bash
# Regenerates go.mod/go.sum (and vendor/) of every example, and of the S4
# benchmark overlay, against a module proxy (default: the test bed's local one).
# Run it after changing imports, or when the proxy's module set changes.
#   GOPROXY=http://127.0.0.1:3131 examples/tidy.sh
# Needs a Go >= 1.22: GO=$(bash scripts/testbed/host-go.sh) GOROOT=... (see host-go.sh), or one on PATH.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
export GOPROXY="${GOPROXY:-http://127.0.0.1:3131}" GOSUMDB=off GOFLAGS=-mod=mod GOTOOLCHAIN=local
GO="${GO:-go}"

tidy() { echo "== tidy $1"; (cd "$1" && "$GO" mod tidy); }

tidy "$HERE/service"
tidy "$HERE/replace/lib"
tidy "$HERE/replace"
tidy "$HERE/subdir/app"
tidy "$HERE/vendored"
echo "== vendor vendored"
(cd "$HERE/vendored" && "$GO" mod vendor)

# Workspace members import each other through go.work, which `go mod tidy`
# ignores: tidy each member alone with -e (the sibling import cannot resolve),
# then check that the workspace as a whole downloads and builds.
for m in libs/shared services/api services/worker; do
  echo "== tidy workspace/$m (GOWORK=off, -e)"
  (
    cd "$HERE/workspace/$m"
    GOWORK=off "$GO" mod tidy -e 2>&1 | { grep -v 'example.com/\|^go: finding\|^go: downloading' || true; }
  )
done
(cd "$HERE/workspace" && GOFLAGS='' "$GO" mod download && GOFLAGS='' "$GO" build -o /dev/null ./services/api ./services/worker)

# S4 overlay = the service plus one module (BurntSushi/toml).
echo "== tidy benchmarks/s4-overlay"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -a "$HERE/service/." "$tmp/"
cp -a "$ROOT/benchmarks/s4-overlay/." "$tmp/"
(cd "$tmp" && "$GO" mod tidy)
cp "$tmp/go.mod" "$tmp/go.sum" "$ROOT/benchmarks/s4-overlay/"
diff <(grep -v BurntSushi "$ROOT/benchmarks/s4-overlay/go.sum") "$HERE/service/go.sum" >/dev/null \
  || { echo "tidy.sh: the S4 overlay changes more than the BurntSushi/toml lines of go.sum" >&2; exit 1; }
echo "modules in service go.sum: $(cut -d' ' -f1 "$HERE/service/go.sum" | sort -u | wc -l)"
