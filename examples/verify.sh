#!/usr/bin/env bash
# Builds every example with BuildKit's stock Dockerfile frontend (the
# Dockerfile.stock variants, which declare ARG GOPROXY/GOSUMDB) and checks
# what the binaries print. This is the reference behaviour that builds through
# gofront (with the plain Dockerfiles) must match.
#   examples/verify.sh              uses the proxy on 127.0.0.1:${GOFRONT_GOPROXY_PORT:-3131}
# vendored/ is built with GOPROXY pointing at a closed port: no download may happen.
# subdir/Dockerfile.stock must FAIL at `go mod download` (go.mod is in app/), subdir/Dockerfile.fixed must build.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${GOFRONT_GOPROXY_PORT:-3131}"
PROXY="http://127.0.0.1:$PORT"
LOGS="${LOGS:-$(mktemp -d)}"
mkdir -p "$LOGS"
fail=0

# build NAME DIR DOCKERFILE TAG GOPROXY
build() {
  docker buildx build --progress=plain --network host --build-arg "GOPROXY=$5" --build-arg GOSUMDB=off \
    --build-arg VERSION=1.2.3 -f "$2/$3" -t "$4" --load "$2" >"$LOGS/$1.log" 2>&1
}
# expect NAME OUTPUT PATTERN
expect() {
  if grep -qE "$3" <<<"$2"; then echo "ok   $1: $(head -1 <<<"$2")"; else echo "FAIL $1: got '$2', want /$3/"; fail=1; fi
}
run() { docker run --rm "$@" 2>&1 || true; }

if build service "$HERE/service" Dockerfile.stock example-service:stock "$PROXY"; then
  expect service "$(run example-service:stock version)" '^inventory 1\.2\.3 \(go1\.22'
else echo "FAIL service: build failed, see $LOGS/service.log"; fail=1; fi

if build service-optimized "$HERE/service" Dockerfile.optimized example-service:optimized "$PROXY"; then
  expect service-optimized "$(run example-service:optimized version)" '^inventory 1\.2\.3 \(go1\.22'
else echo "FAIL service-optimized: build failed, see $LOGS/service-optimized.log"; fail=1; fi

if build workspace "$HERE/workspace" Dockerfile.stock example-workspace:stock "$PROXY"; then
  expect workspace-api "$(run example-workspace:stock version)" '^api 1\.2\.3 true$'
  expect workspace-worker "$(run --entrypoint /worker example-workspace:stock)" '^hello from worker #0$'
else echo "FAIL workspace: build failed, see $LOGS/workspace.log"; fail=1; fi

if build replace "$HERE/replace" Dockerfile.stock example-replace:stock "$PROXY"; then
  expect replace "$(run example-replace:stock --version)" '^app 1\.2\.3$'
  expect replace-lib "$(run example-replace:stock --name x)" '^x-[0-9a-f]{8} true$'
else echo "FAIL replace: build failed, see $LOGS/replace.log"; fail=1; fi

if build vendored "$HERE/vendored" Dockerfile.stock example-vendored:stock "http://127.0.0.1:9"; then
  expect vendored "$(run example-vendored:stock version)" '^vendored 1\.2\.3$'
  expect vendored-run "$(run example-vendored:stock)" '^status 200 uuid ok true$'
else echo "FAIL vendored: build without a proxy failed, see $LOGS/vendored.log"; fail=1; fi

if build subdir-mismatch "$HERE/subdir" Dockerfile.stock example-subdir:mismatch "$PROXY"; then
  echo "FAIL subdir: Dockerfile.stock built although go.mod is in app/"; fail=1
else
  expect subdir-mismatch "$(grep -oE 'go: (no modules specified|go.mod file not found)[^"]*' "$LOGS/subdir-mismatch.log" | head -1)" 'no modules specified|go.mod file not found'
fi
if build subdir-fixed "$HERE/subdir" Dockerfile.fixed example-subdir:fixed "$PROXY"; then
  expect subdir-fixed "$(run example-subdir:fixed)" '^subdir 1\.2\.3 36$'
else echo "FAIL subdir-fixed: build failed, see $LOGS/subdir-fixed.log"; fail=1; fi

echo "logs in $LOGS"
exit $fail
