#!/usr/bin/env bash
# Installs a host Go toolchain (Debian golang-1.22-go from bookworm-backports) for writing go.sum
# files against the test bed's module proxy. Idempotent. Prints the go binary's path.
# Env: HOST_GO_VERSION (default 1.22). Also links /usr/local/bin/go when no other go is there.
set -euo pipefail
LOG_TAG=host-go
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

V=${HOST_GO_VERSION:-1.22}
GO=/usr/lib/go-$V/bin/go
if [ ! -x "$GO" ]; then
  ensure_extra_suites
  log "installing golang-$V-go from bookworm-backports"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports "golang-$V-go" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports "golang-$V-go" >/dev/null; }
fi
if [ ! -e /usr/local/bin/go ]; then ln -s "$GO" /usr/local/bin/go; fi
log "$("$GO" version) at $GO"
echo "$GO"
