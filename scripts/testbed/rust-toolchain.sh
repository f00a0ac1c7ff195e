#!/usr/bin/env bash
# Makes sure a Rust toolchain with rustfmt and clippy is available. Uses the one on PATH (e.g. rustup)
# when complete; otherwise installs Debian's rustc/cargo/rustfmt/rust-clippy (1.85) from trixie.
# Also installs the C toolchain needed for static linking (gcc, libc6-dev).
set -euo pipefail
LOG_TAG=rust-toolchain
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ensure_host_packages gcc libc6-dev
if command -v cargo >/dev/null && cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then
  log "$(cargo --version), $(cargo fmt --version), $(cargo clippy --version)"
  exit 0
fi
ensure_extra_suites
log "installing rustc, cargo, rustfmt, rust-clippy from trixie"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie rustc cargo rustfmt rust-clippy >/dev/null
log "$(cargo --version), $(cargo fmt --version), $(cargo clippy --version)"
