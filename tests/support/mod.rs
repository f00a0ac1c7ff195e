//! Shared harness of the end-to-end suites (smoke, conformance, LLB digests, Go rewrites).
//!
//! It drives the real Docker engine on this machine (`docker buildx build` with the stock
//! `dockerfile.v0` frontend or with a gofront image), reads the OCI tarballs it exports, flattens
//! their layers into comparable filesystem listings, extracts the image config fields that a
//! frontend decides, explains differences readably, and starts/stops the local Go module proxy of
//! the test bed. It is NOT a unit-test helper for the crate's modules and knows nothing about
//! gofront's internals: it only sees what a user of `docker buildx build` sees.
//!
//! Each test binary compiles its own copy (`mod support;`), so helpers unused by one binary are
//! expected; hence the crate-level `dead_code` allowance below.
#![allow(dead_code)]

pub mod build;
pub mod diff;
pub mod docker;
pub mod gobuild;
pub mod gomodule;
pub mod goproxy;
pub mod http;
pub mod image;
pub mod newer;
pub mod progress;

use std::path::PathBuf;

/// Root of the repository (the directory holding `Cargo.toml`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
