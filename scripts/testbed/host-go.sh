#!/usr/bin/env bash
# A host Go toolchain (Debian golang-1.22-go from bookworm-backports) for writing go.sum files against
# the test bed's module proxy. Unpacked into $GOFRONT_TESTBED_CACHE/host-go (downloaded with the private
# apt configuration of lib.sh): no package of the machine is installed or changed. Idempotent.
# Prints the go binary's path. Env: HOST_GO_VERSION (default 1.22).
set -euo pipefail
LOG_TAG=host-go
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

V=${HOST_GO_VERSION:-1.22}
ROOT=$TESTBED_CACHE/host-go/$V
GO=$ROOT/usr/lib/go-$V/bin/go
if [ ! -x "$GO" ]; then
  debs=$TESTBED_CACHE/host-go/debs
  fetch_deb amd64 "$debs" "golang-$V-go/bookworm-backports" "golang-$V-src/bookworm-backports"
  mkdir -p "$ROOT"
  for d in "$debs"/golang-"$V"-*.deb; do dpkg-deb -x "$d" "$ROOT"; done
  log "unpacked golang-$V-go into $ROOT"
fi
log "$(GOROOT="$ROOT/usr/lib/go-$V" "$GO" version) at $GO (GOROOT=$ROOT/usr/lib/go-$V)"
echo "$GO"
