#!/usr/bin/env bash
# Stops the test bed servers started by setup.sh (module proxy; the forge's sshd, HTTPS server and
# ssh-agent).
# The Docker engine, images and caches stay.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
bash "$HERE/goproxy-serve.sh" stop "${GOFRONT_GOPROXY_PORT:-3131}" || true
bash "$HERE/forge.sh" stop || true
