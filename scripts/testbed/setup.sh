#!/usr/bin/env bash
# Brings up the whole offline test bed (idempotent; seconds when everything is in place):
#   1. Docker engine + buildx (install-docker.sh)
#   2. base images (base-images.sh)
#   3. Go module proxy tree (goproxy/build.sh) served on 127.0.0.1:$GOFRONT_GOPROXY_PORT (goproxy-serve.sh)
# With --private also the private forge git.gofront.test on 127.0.0.2 (forge.sh: sshd :22, HTTPS :443);
# it fails, without picking other ports, when something else listens there.
# Prints engine version, images created, proxy module count and the time of each step.
# The servers keep running; stop them with: scripts/testbed/teardown.sh
set -euo pipefail
LOG_TAG=setup
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

PRIVATE=0
for a in "$@"; do
  case $a in
    --private) PRIVATE=1 ;;
    *) die "usage: $0 [--private]" ;;
  esac
done
PORT=${GOFRONT_GOPROXY_PORT:-3131}

step() {
  local name=$1 t0=$SECONDS; shift
  "$@"
  log "step $name: $((SECONDS - t0)) s"
}

t_all=$SECONDS
step install-docker bash "$HERE/install-docker.sh"
log "engine: $(docker version --format 'Docker {{.Server.Version}} (API {{.Server.APIVersion}})'), buildx $(docker buildx version | awk '{print $2}')"
step base-images bash "$HERE/base-images.sh"
step goproxy-build bash "$HERE/goproxy/build.sh" "${GOFRONT_GOPROXY_DIR:-$TESTBED_CACHE/goproxy}"
step goproxy-serve bash "$HERE/goproxy-serve.sh" start "$PORT"
if [ "$PRIVATE" = 1 ]; then
  record_user_snapshot
  step forge bash "$HERE/forge.sh" start
fi
log "test bed ready in $((SECONDS - t_all)) s"
