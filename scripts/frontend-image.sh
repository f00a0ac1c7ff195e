#!/usr/bin/env bash
# Builds the gofront frontend image offline: a static binary compiled on the host, packaged FROM scratch.
#
# Usage: scripts/frontend-image.sh [TAG]          (default gofront:dev)
# Env:   CARGO (default cargo), GOFRONT_FRONTEND_CAPS (overrides the caps label).
#
# The image carries the labels BuildKit reads from a frontend image:
#   moby.buildkit.frontend.network.none=true   (the frontend never needs network)
#   moby.buildkit.frontend.caps=<caps>         (from `gofront print-frontend-caps` when the binary has it)
set -euo pipefail

TAG=${1:-gofront:dev}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TRIPLE=$(uname -m)-unknown-linux-gnu
DEFAULT_CAPS=moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts,moby.buildkit.frontend.gitquerystring
log() { printf '[frontend-image] %s\n' "$*" >&2; }

command -v "${CARGO:-cargo}" >/dev/null || { log "cargo not found (run scripts/testbed/rust-toolchain.sh)"; exit 1; }
docker info >/dev/null 2>&1 || { log "no Docker engine answers (run scripts/testbed/install-docker.sh)"; exit 1; }

t0=$SECONDS
log "cargo build --release --target $TRIPLE (static)"
# The explicit --target keeps RUSTFLAGS away from build scripts and proc-macros (they must stay dynamic).
(cd "$ROOT" && RUSTFLAGS="-C target-feature=+crt-static" "${CARGO:-cargo}" build --release \
  --target "$TRIPLE" --bin gofront)
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case $TARGET_DIR in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
BIN=$TARGET_DIR/$TRIPLE/release/gofront
[ -x "$BIN" ] || { log "no binary at $BIN"; exit 1; }
if file "$BIN" 2>/dev/null | grep -q 'dynamically linked'; then
  log "$BIN is dynamically linked; a FROM scratch image needs a static binary"; exit 1
fi

CAPS=${GOFRONT_FRONTEND_CAPS:-}
if [ -z "$CAPS" ]; then
  if CAPS=$(timeout 10 "$BIN" print-frontend-caps </dev/null 2>/dev/null) && [ -n "$CAPS" ]; then
    CAPS=$(printf '%s' "$CAPS" | tr -d '\n')
  else
    CAPS=$DEFAULT_CAPS
  fi
fi

CTX=$(mktemp -d /tmp/gofront-frontend-image.XXXXXX)
trap 'rm -rf "$CTX"' EXIT
cp "$BIN" "$CTX/gofront"
cat >"$CTX/Dockerfile" <<'DOCKERFILE'
FROM scratch
ARG FRONTEND_CAPS
COPY gofront /bin/gofront
LABEL moby.buildkit.frontend.network.none="true" \
      moby.buildkit.frontend.caps="${FRONTEND_CAPS}"
ENTRYPOINT ["/bin/gofront"]
DOCKERFILE
docker buildx build --builder default --progress=quiet --provenance=false --sbom=false \
  --build-arg "FRONTEND_CAPS=$CAPS" -t "$TAG" --load "$CTX" >/dev/null

size=$(docker image inspect "$TAG" --format '{{.Size}}')
log "built $TAG in $((SECONDS - t0)) s: $((size / 1024)) KiB, caps label: $CAPS"
# The frontend image is pulled for every build that names it: keep it small (issue 3: < 10 MB).
if [ "$size" -ge $((10 * 1024 * 1024)) ]; then log "$TAG is $((size / 1024)) KiB, over the 10 MB budget"; exit 1; fi
echo "$TAG"
