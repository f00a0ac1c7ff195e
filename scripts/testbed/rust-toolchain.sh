#!/usr/bin/env bash
# Makes sure a Rust toolchain with rustfmt and clippy is available: the one on PATH (rustup's).
# Debian bookworm's rustc (1.63) is too old for the crates gofront uses, and a newer one from a
# later Debian release would change packages of the machine, so nothing is installed here but the C
# toolchain needed for static linking (gcc, libc6-dev, when missing).
set -euo pipefail
LOG_TAG=rust-toolchain
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ensure_host_packages gcc libc6-dev
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck source=/dev/null
  source "$HOME/.cargo/env"
fi
if command -v cargo >/dev/null && cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then
  log "$(cargo --version), $(cargo fmt --version), $(cargo clippy --version)"
  exit 0
fi
die "no cargo with rustfmt and clippy on PATH: install Rust with rustup (https://rustup.rs), then rerun"
