#!/usr/bin/env bash
# Self-check of the test bed (needs setup.sh first): prints one PASS/FAIL line per check, exits 1 on
# any failure.
#   - no package the machine had before the test bed changed version or went away (the snapshot
#     install-docker.sh records before its first install), except the engine's own packages
#   - the engine is Docker 28.5.2 with BuildKit v0.25 (unless GOFRONT_ANY_ENGINE=1)
#   - every base image tag exists; golang has the official config
#   - `FROM --platform=linux/arm64` of busybox, debian and distroless resolves offline
#   - cache export beyond inline (`--cache-to type=local`) works with the docker driver
#   - smoke: a two-stage `FROM golang:1.22` -> `FROM scratch` build with the stock frontend that
#     downloads a module from a local proxy of its own (counted in its log), then runs the result
set -euo pipefail
LOG_TAG=verify
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

WORK=$(mktemp -d /tmp/gofront-verify.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FAILED=0
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; FAILED=1; }

# Host packages: the engine may be installed or upgraded; nothing else may change.
before=$TESTBED_CACHE/packages-before.tsv
if [ -f "$before" ]; then
  changed=$(join -t "$(printf '\t')" -a1 -e MISSING -o 0,1.2,2.2 "$before" <(package_snapshot) \
    | awk -F'\t' -v engine=" ${ENGINE_PACKAGES[*]} " '$2 != $3 && index(engine, " " $1 " ") == 0 {print $1 " " $2 " -> " $3}')
  added=$(comm -13 <(cut -f1 "$before") <(package_snapshot | cut -f1) | tr '\n' ' ')
  if [ -z "$changed" ]; then
    pass "host packages: none of the $(wc -l <"$before") packages present before the test bed changed version (new: ${added:-none})"
  else
    fail "host packages changed by the test bed: $(echo "$changed" | head -n 20 | tr '\n' ';')"
  fi
else
  fail "no package snapshot at $before (install-docker.sh records it before installing anything)"
fi
server=$(docker version --format '{{.Server.Version}}' 2>/dev/null || true)
bk=$(docker buildx inspect default 2>/dev/null | awk '/BuildKit version/ {print $3}')
case "$server" in
  28.5.2*) pass "engine Docker $server, BuildKit $bk" ;;
  *) if [ "${GOFRONT_ANY_ENGINE:-0}" = 1 ]; then pass "engine Docker $server, BuildKit $bk (GOFRONT_ANY_ENGINE=1)"
     else fail "engine Docker $server, BuildKit $bk: the test bed's engine is 28.5.2 (GOFRONT_ANY_ENGINE=1 accepts another)"; fi ;;
esac

for t in golang:1.22 golang:1.22-bookworm golang:1.23 golang:1.23-bookworm busybox:latest debian:bookworm-slim \
    debian:12 gcr.io/distroless/static-debian12:latest gcr.io/distroless/static-debian12:nonroot \
    gcr.io/distroless/static:nonroot; do
  if image_exists "$t"; then pass "image $t"; else fail "image $t missing"; fi
done
env_ok=$(docker image inspect golang:1.22 --format '{{json .Config.Env}} {{.Config.WorkingDir}}')
case $env_ok in
  *PATH=/go/bin:/usr/local/go/bin:*GOLANG_VERSION=1.22.*GOTOOLCHAIN=local*GOPATH=/go*' /go') pass "golang:1.22 config: $env_ok" ;;
  *) fail "golang:1.22 config: $env_ok" ;;
esac

# arm64 stand-ins resolve offline, and a non-inline cache export works.
mkdir -p "$WORK/plat"
cat >"$WORK/plat/Dockerfile" <<'DF'
FROM --platform=linux/arm64 busybox AS b
FROM --platform=linux/arm64 debian:bookworm-slim AS d
FROM --platform=linux/arm64 gcr.io/distroless/static-debian12:nonroot AS s
FROM scratch
COPY --from=b /bin/busybox /busybox
COPY --from=d /bin/bash /bash
COPY --from=s /etc/passwd /passwd
DF
if docker buildx build --builder default --progress=quiet --cache-to "type=local,dest=$WORK/cache" \
    --output "type=local,dest=$WORK/plat/out" "$WORK/plat" >/dev/null 2>"$WORK/plat.log"; then
  arch_b=$(od -An -tx1 -j18 -N2 "$WORK/plat/out/busybox" | tr -d ' ')
  arch_d=$(od -An -tx1 -j18 -N2 "$WORK/plat/out/bash" | tr -d ' ')
  if [ "$arch_b" = b700 ] && [ "$arch_d" = b700 ]; then pass "FROM --platform=linux/arm64 busybox/debian/distroless resolve offline (aarch64 ELF)"
  else fail "arm64 stand-ins: unexpected ELF machine $arch_b/$arch_d"; fi
  if [ -f "$WORK/cache/index.json" ]; then pass "--cache-to type=local with the docker driver"
  else fail "--cache-to type=local wrote no index.json"; fi
else
  fail "arm64 stand-ins / cache export: $(tail -n 3 "$WORK/plat.log" | tr '\n' ' ')"
fi

# Smoke: stock frontend, golang:1.22 -> scratch, one module from the local proxy. It uses a proxy of
# its own (port GOFRONT_VERIFY_PROXY_PORT, default 3141) so that other builds cannot skew the count.
PORT=${GOFRONT_VERIFY_PROXY_PORT:-3141}
if ! bash "$HERE/goproxy-serve.sh" start "$PORT" 2>"$WORK/serve.log"; then
  fail "could not start a module proxy on 127.0.0.1:$PORT: $(tail -n 1 "$WORK/serve.log")"
else
  trap 'bash "$HERE/goproxy-serve.sh" stop "$PORT" 2>/dev/null || true; rm -rf "$WORK"' EXIT
  sum=$(awk -F'\t' '$1=="github.com/google/uuid"{print $2}' "${GOFRONT_GOPROXY_DIR:-$TESTBED_CACHE/goproxy}/_meta/MANIFEST.tsv")
  mkdir -p "$WORK/smoke"
  cat >"$WORK/smoke/go.mod" <<MOD
module example.com/smoke

go 1.22

require github.com/google/uuid $sum
MOD
  cat >"$WORK/smoke/main.go" <<'GO'
package main

import (
	"fmt"

	"github.com/google/uuid"
)

func main() { fmt.Println("smoke ok", len(uuid.NewString())) }
GO
  cat >"$WORK/smoke/Dockerfile" <<'DF'
FROM golang:1.22 AS build
ARG GOPROXY
ARG GOSUMDB
WORKDIR /src
COPY . .
RUN go mod tidy && go mod download && CGO_ENABLED=0 go build -o /out/smoke .
FROM scratch
COPY --from=build /out/smoke /smoke
ENTRYPOINT ["/smoke"]
DF
  mark=$(bash "$HERE/goproxy-serve.sh" mark "$PORT")
  t0=$SECONDS
  if docker buildx build --builder default --progress=quiet --no-cache --network host \
      --build-arg "GOPROXY=http://127.0.0.1:$PORT" --build-arg GOSUMDB=off -t gofront-testbed-smoke:latest \
      --load "$WORK/smoke" >/dev/null 2>"$WORK/smoke.log"; then
    out=$(docker run --rm gofront-testbed-smoke:latest)
    counts=$(bash "$HERE/goproxy-serve.sh" count-since "$mark" "$PORT")
    if [ "$out" = "smoke ok 36" ]; then pass "smoke build golang:1.22 -> scratch in $((SECONDS - t0)) s, ran: '$out'; proxy: $counts"
    else fail "smoke image printed '$out'"; fi
    case $counts in zip=1\ *) ;; *) fail "expected exactly one zip download, got: $counts" ;; esac
    docker image rm gofront-testbed-smoke:latest >/dev/null 2>&1 || true
  else
    fail "smoke build: $(tail -n 5 "$WORK/smoke.log" | tr '\n' ' ')"
  fi
fi
exit "$FAILED"
