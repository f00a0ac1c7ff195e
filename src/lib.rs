//! gofront: a BuildKit frontend for Dockerfiles of Go services.
//!
//! Data flows one way: `gateway` (gRPC) / `cli` (files) → `frontend` (the one pipeline entry)
//! → `dockerui` (the build context), `dockerfile` (parse), `golang` (Go analysis and
//! rewrites), `convert` (lower to LLB) → `llb` (ops, encoding, digests); `gostd`, `options`
//! and `platform` are shared leaves. Nothing below `frontend` knows gRPC or files on disk; it
//! receives values and returns values, so `gofront llb` shows exactly what a build sends to
//! BuildKit. `tests/module_deps.rs` checks the direction.
//!
//! The crate's public surface is small on purpose (the compiler then reports dead code
//! everywhere else): [`run`] for the binary, [`dockerfile`]'s parser for the fuzz target, and
//! [`llb::pb`] for tests that decode `gofront llb` output.

// The docs are read with `cargo doc --document-private-items`: links to crate-private items are fine.
#![allow(rustdoc::private_intra_doc_links)]

mod checks;
mod cli;
mod convert;
pub mod dockerfile;
mod dockerui;
mod frontend;
mod gateway;
mod golang;
mod gostd;
pub mod llb;
mod options;
mod platform;

/// For `cargo bench` only (`benches/pipeline.rs`), not a stable API: what `gofront llb
/// <dockerfile> --context <context>` computes (read the Dockerfile and the context's Go files,
/// parse, plan the Go rewrites, convert the rewritten Dockerfile to LLB), as protobuf bytes.
#[doc(hidden)]
pub fn bench_llb(
    dockerfile: &std::path::Path,
    context: &std::path::Path,
) -> Result<Vec<u8>, String> {
    let command = cli::CliCommand::Llb {
        build: cli::BuildArgs {
            dockerfile: dockerfile.to_path_buf(),
            target: None,
            build_args: Vec::new(),
            platform: None,
            context: Some(context.to_path_buf()),
        },
        json: false,
    };
    cli::run(command)
        .map(|out| out.stdout)
        .map_err(|e| e.to_string())
}

/// Runs gofront: gateway mode when BuildKit started the process (its environment is present),
/// command-line mode otherwise. Returns the process exit code.
pub fn run() -> std::process::ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    if gateway::is_gateway_env() {
        gateway::run()
    } else {
        cli::main()
    }
}
