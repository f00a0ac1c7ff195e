#!/usr/bin/env bash
# Prints the environment of the test bed as shell exports: eval "$(scripts/testbed/env.sh)".
# These are the variables the e2e tests read (see docs/testbed.md). Values can be preset to override.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${GOFRONT_TESTBED_CACHE:-/var/cache/gofront-testbed}
PORT=${GOFRONT_GOPROXY_PORT:-3131}
cat <<ENV
export GOFRONT_TESTBED_CACHE=$CACHE
export GOFRONT_TESTBED_SCRIPTS=$ROOT/scripts/testbed
export GOFRONT_IMAGE=${GOFRONT_IMAGE:-gofront:dev}
export GOFRONT_GOPROXY_PORT=$PORT
export GOFRONT_GOPROXY_DIR=${GOFRONT_GOPROXY_DIR:-$CACHE/goproxy}
export GOFRONT_GOPROXY_URL=http://127.0.0.1:$PORT
export GOFRONT_GOPROXY_LOG=$CACHE/goproxy-$PORT.log
ENV
# The private forge (forge.sh): host, address, credentials, modules and their go.sum lines.
GOFRONT_TESTBED_CACHE=$CACHE bash "$ROOT/scripts/testbed/forge.sh" env
