//! Compiles the BuildKit wire definitions in `proto/` to Rust with protox (pure Rust, no system
//! `protoc`) and tonic-prost-build: gRPC client stubs only (no server, no transport helpers) and
//! every protobuf `map` as a `BTreeMap`, so encoding is deterministic (see `src/llb/mod.rs`).

use std::error::Error;

/// Proto files to compile (relative to `proto/`); their imports are pulled in by protox.
const PROTOS: &[&str] = &[
    "github.com/moby/buildkit/frontend/gateway/pb/gateway.proto",
    "github.com/moby/buildkit/solver/pb/ops.proto",
    "github.com/moby/buildkit/util/apicaps/pb/caps.proto",
    "github.com/moby/buildkit/api/types/worker.proto",
    "github.com/moby/buildkit/sourcepolicy/pb/policy.proto",
    "github.com/tonistiigi/fsutil/types/stat.proto",
    "google/rpc/status.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=proto");
    for file in PROTOS {
        println!("cargo:rerun-if-changed=proto/{file}");
    }
    let fds = protox::compile(PROTOS, ["proto"])?;
    tonic_prost_build::configure()
        .build_server(false)
        .build_client(true)
        .build_transport(false)
        .btree_map(".")
        .emit_rerun_if_changed(false)
        .include_file("buildkit.rs")
        .compile_fds(fds)?;
    Ok(())
}
