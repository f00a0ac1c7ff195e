#!/usr/bin/env bash
# Prints the environment of the test bed as shell exports: eval "$(scripts/testbed/env.sh)".
# These are the variables the e2e tests read (see docs/testbed.md). Values can be preset to override.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${GOFRONT_TESTBED_CACHE:-/var/cache/gofront-testbed}
PORT=${GOFRONT_GOPROXY_PORT:-3131}
SSHD_PORT=${GOFRONT_GIT_SSHD_PORT:-2222}
AUTH_PORT=${GOFRONT_AUTH_PROXY_PORT:-3132}
cat <<ENV
export GOFRONT_TESTBED_CACHE=$CACHE
export GOFRONT_TESTBED_SCRIPTS=$ROOT/scripts/testbed
export GOFRONT_IMAGE=${GOFRONT_IMAGE:-gofront:dev}
export GOFRONT_GOPROXY_PORT=$PORT
export GOFRONT_GOPROXY_DIR=${GOFRONT_GOPROXY_DIR:-$CACHE/goproxy}
export GOFRONT_GOPROXY_URL=http://127.0.0.1:$PORT
export GOFRONT_GOPROXY_LOG=$CACHE/goproxy-$PORT.log
export GOFRONT_GIT_SSHD_PORT=$SSHD_PORT
export GOFRONT_GIT_SSH_AUTH_SOCK=$CACHE/git-sshd/agent.sock
export GOFRONT_GIT_SSH_KNOWN_HOSTS=$CACHE/git-sshd/known_hosts
export GOFRONT_GIT_SSH_URL=ssh://gofront-git@127.0.0.1:$SSHD_PORT$CACHE/git-sshd/repos/gofront-test/
export GOFRONT_GIT_SSH_MODULE=github.com/gofront-test/private-greeter@v0.1.0
export GOFRONT_AUTH_PROXY_PORT=$AUTH_PORT
export GOFRONT_AUTH_PROXY_URL=https://127.0.0.1:$AUTH_PORT
export GOFRONT_AUTH_PROXY_GIT_URL=https://127.0.0.1:$AUTH_PORT/git/gofront-private/
export GOFRONT_AUTH_PROXY_CA=$CACHE/auth-proxy/tls.crt
export GOFRONT_AUTH_PROXY_NETRC=$CACHE/auth-proxy/netrc-$AUTH_PORT
export GOFRONT_AUTH_PROXY_MODULE=github.com/gofront-private/secretmod@v0.1.0
ENV
