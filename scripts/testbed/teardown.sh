#!/usr/bin/env bash
# Stops the test bed servers started by setup.sh (module proxy, sshd + agent, auth proxy).
# The Docker engine, images and caches stay.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
bash "$HERE/goproxy-serve.sh" stop "${GOFRONT_GOPROXY_PORT:-3131}" || true
bash "$HERE/git-sshd.sh" stop "${GOFRONT_GIT_SSHD_PORT:-2222}" || true
python3 "$HERE/auth-proxy.py" stop --port "${GOFRONT_AUTH_PROXY_PORT:-3132}" || true
