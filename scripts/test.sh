#!/usr/bin/env bash
# THE command that runs gofront's whole test suite, on a fresh Debian bookworm machine (root, apt) or on
# a developer's machine with Docker:
#   1. Rust toolchain (scripts/testbed/rust-toolchain.sh)
#   2. test bed: engine, base images, module proxy + private-module servers (scripts/testbed/setup.sh)
#   3. test bed self-check (scripts/testbed/verify.sh; GOFRONT_SKIP_VERIFY=1 skips it)
#   4. frontend image $GOFRONT_IMAGE (scripts/frontend-image.sh)
#   5. cargo fmt --check; cargo clippy --all-targets -- -D warnings; cargo test --all-targets [ARGS...]
# Extra arguments go to `cargo test`. Servers this script started are stopped at exit.
# GOFRONT_PRIVATE_SERVERS=0 skips the private forge (git.gofront.test on 127.0.0.2:22 and :443).
# GOFRONT_IMAGE=gofront:<name> avoids replacing a gofront:dev that others use on a shared engine.
# Env: see scripts/testbed/env.sh and docs/testbed.md (GOFRONT_IMAGE, GOFRONT_GOPROXY_PORT, ...).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TB=$ROOT/scripts/testbed
cd "$ROOT"
log() { printf '[test] %s\n' "$*" >&2; }
eval "$(bash "$TB/env.sh")"

TIMES=()
phase() {
  local name=$1 t0=$SECONDS; shift
  log "=== $name"
  "$@" || { TIMES+=("$name FAILED $((SECONDS - t0))s"); return 1; }
  TIMES+=("$name $((SECONDS - t0))s")
}

# Stop at exit only the servers that were not running before.
STOP=()
bash "$TB/goproxy-serve.sh" status "$GOFRONT_GOPROXY_PORT" >/dev/null 2>&1 || STOP+=(goproxy)
bash "$TB/forge.sh" status >/dev/null 2>&1 || STOP+=(forge)
cleanup() {
  local rc=$? s
  [ "$rc" = 0 ] || log "FAILED (exit $rc) after phases: ${TIMES[*]:-none}"
  for s in "${STOP[@]}"; do
    case $s in
      goproxy) bash "$TB/goproxy-serve.sh" stop "$GOFRONT_GOPROXY_PORT" || true ;;
      forge) bash "$TB/forge.sh" stop || true ;;
    esac
  done
}
trap cleanup EXIT

t_all=$SECONDS
phase rust-toolchain bash "$TB/rust-toolchain.sh"
if [ "${GOFRONT_PRIVATE_SERVERS:-1}" = 1 ]; then
  phase testbed bash "$TB/setup.sh" --private
else
  phase testbed bash "$TB/setup.sh"
fi
if [ "${GOFRONT_SKIP_VERIFY:-0}" != 1 ]; then phase testbed-verify bash "$TB/verify.sh"; fi
phase frontend-image bash "$ROOT/scripts/frontend-image.sh" "$GOFRONT_IMAGE"
log "engine: $(docker version --format '{{.Server.Version}}'); proxy: $(bash "$TB/goproxy-serve.sh" status "$GOFRONT_GOPROXY_PORT"); modules: $(grep -vc '^module' "$GOFRONT_GOPROXY_DIR/_meta/MANIFEST.tsv")"
phase cargo-fmt cargo fmt --all -- --check
phase cargo-clippy cargo clippy --all-targets -- -D warnings
TEST_LOG=$(mktemp /tmp/gofront-cargo-test.XXXXXX)
run_tests() { cargo test --all-targets "$@" 2>&1 | tee "$TEST_LOG"; }
phase cargo-test run_tests "$@"
summary=$(awk '/^test result:/ {p+=$4; f+=$6; i+=$8} END {printf "%d passed, %d failed, %d ignored", p, f, i}' "$TEST_LOG")
rm -f "$TEST_LOG"
log "cargo test: $summary"
log "phases: ${TIMES[*]}; total $((SECONDS - t_all))s"
