//! Compiles the BuildKit wire definitions in `proto/` to Rust with protox (pure Rust, no system
//! `protoc`) and tonic-prost-build, every protobuf `map` as a `BTreeMap` so encoding is
//! deterministic (see `src/llb/mod.rs`). Two outputs, one per owner:
//! - `llb/`: the LLB op types (`package pb`, ops.proto), no gRPC: `src/llb` includes them;
//! - `gateway/`: the gateway API and what it imports (caps, workers, source policies, fsutil
//!   stats, `google.rpc.Status`) with gRPC client stubs only (no server, no transport helpers),
//!   referring to the LLB types of `crate::llb::pb`: `src/gateway` includes them.

use std::error::Error;
use std::path::PathBuf;

/// The LLB op definitions.
const LLB_PROTOS: &[&str] = &["github.com/moby/buildkit/solver/pb/ops.proto"];

/// The gateway API and its imports (relative to `proto/`; further imports are pulled in by
/// protox).
const GATEWAY_PROTOS: &[&str] = &[
    "github.com/moby/buildkit/frontend/gateway/pb/gateway.proto",
    "github.com/moby/buildkit/util/apicaps/pb/caps.proto",
    "github.com/moby/buildkit/api/types/worker.proto",
    "github.com/moby/buildkit/sourcepolicy/pb/policy.proto",
    "github.com/tonistiigi/fsutil/types/stat.proto",
    "google/rpc/status.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=proto");
    for file in LLB_PROTOS.iter().chain(GATEWAY_PROTOS) {
        println!("cargo:rerun-if-changed=proto/{file}");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    for dir in ["llb", "gateway"] {
        std::fs::create_dir_all(out.join(dir))?;
    }
    tonic_prost_build::configure()
        .build_server(false)
        .build_client(false)
        .build_transport(false)
        .btree_map(".")
        .emit_rerun_if_changed(false)
        .out_dir(out.join("llb"))
        .include_file("wire.rs")
        .compile_fds(protox::compile(LLB_PROTOS, ["proto"])?)?;
    tonic_prost_build::configure()
        .build_server(false)
        .build_client(true)
        .build_transport(false)
        .btree_map(".")
        .emit_rerun_if_changed(false)
        .extern_path(".pb", "crate::llb::pb")
        .out_dir(out.join("gateway"))
        .include_file("wire.rs")
        .compile_fds(protox::compile(GATEWAY_PROTOS, ["proto"])?)?;
    Ok(())
}
