#!/usr/bin/env bash
# Demo (README command 1): sets up the test bed, builds the gofront frontend image, then builds the
# bundled example service (examples/service) WITH gofront as the frontend and runs it.
#   bash scripts/demo.sh            (image tag of the service: gofront-example:demo)
# Servers this script started are stopped at exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TB=$ROOT/scripts/testbed
log() { printf '[demo] %s\n' "$*" >&2; }
eval "$(bash "$TB/env.sh")"
SERVICE=$ROOT/examples/service
TAG=${DEMO_TAG:-gofront-example:demo}
# The naive Dockerfile (COPY . . then go mod download and go build, no ARG GOPROXY): gofront adds
# the dependency step and the cache mounts, and passes the GOPROXY/GOSUMDB build args through.
DOCKERFILE=${DEMO_DOCKERFILE:-Dockerfile}
[ -f "$SERVICE/$DOCKERFILE" ] || { log "no $SERVICE/$DOCKERFILE in this checkout"; exit 1; }

started=0
bash "$TB/goproxy-serve.sh" status "$GOFRONT_GOPROXY_PORT" >/dev/null 2>&1 || started=1
cleanup() { if [ "$started" = 1 ]; then bash "$TB/goproxy-serve.sh" stop "$GOFRONT_GOPROXY_PORT" || true; fi; }
trap cleanup EXIT

t0=$SECONDS
bash "$TB/rust-toolchain.sh"
bash "$TB/setup.sh"
bash "$ROOT/scripts/frontend-image.sh" "$GOFRONT_IMAGE"
log "what gofront will build (gofront rewrite $SERVICE/$DOCKERFILE):"
"${CARGO_TARGET_DIR:-$ROOT/target}/x86_64-unknown-linux-gnu/release/gofront" rewrite "$SERVICE/$DOCKERFILE" \
  --build-arg "GOPROXY=$GOFRONT_GOPROXY_URL" --build-arg GOSUMDB=off >&2
log "building $SERVICE/$DOCKERFILE with BUILDKIT_SYNTAX=$GOFRONT_IMAGE"
t1=$SECONDS
docker buildx build --builder default --progress=plain \
  --build-arg "BUILDKIT_SYNTAX=$GOFRONT_IMAGE" --network host \
  --build-arg "GOPROXY=$GOFRONT_GOPROXY_URL" --build-arg GOSUMDB=off \
  -f "$SERVICE/$DOCKERFILE" -t "$TAG" --load "$SERVICE"
log "service built in $((SECONDS - t1)) s; running: docker run --rm $TAG version"
docker run --rm "$TAG" version
log "demo done in $((SECONDS - t0)) s"
