//! Entry point, the binary's edge: starts the worker thread that runs [`gofront::run`] (gateway
//! mode when BuildKit started us, command-line mode otherwise) and turns a failure to start it
//! into a message and an exit code. Errors inside gofront are typed values; only this edge
//! uses `anyhow`.
//!
//! The work runs on a thread with a large stack: BuildKit (Go, growable stacks) accepts
//! Dockerfiles whose variable expansions nest tens of thousands of levels deep, and the
//! recursive word lexer must not overflow the 8 MiB main-thread stack on them. The memory is
//! reserved, not committed: only the depth actually used is touched.

use std::process::ExitCode;

use anyhow::Context as _;

/// Stack size of the worker thread (virtual; pages are committed on use).
const STACK_SIZE: usize = 512 * 1024 * 1024;

fn main() -> ExitCode {
    match start() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs gofront on the worker thread; a panic there has already been reported on stderr.
fn start() -> anyhow::Result<ExitCode> {
    let worker = std::thread::Builder::new()
        .name("gofront".into())
        .stack_size(STACK_SIZE)
        .spawn(gofront::run)
        .context("cannot start the worker thread")?;
    Ok(worker.join().unwrap_or(ExitCode::FAILURE))
}
