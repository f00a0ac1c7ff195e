//! Entry point: gateway mode when BuildKit started us, command-line mode otherwise.
//!
//! The work runs on a thread with a large stack: BuildKit (Go, growable stacks) accepts
//! Dockerfiles whose variable expansions nest tens of thousands of levels deep, and the
//! recursive word lexer must not overflow the 8 MiB main-thread stack on them. The memory is
//! reserved, not committed: only the depth actually used is touched.

use std::process::ExitCode;

/// Stack size of the worker thread (virtual; pages are committed on use).
const STACK_SIZE: usize = 512 * 1024 * 1024;

fn main() -> ExitCode {
    match std::thread::Builder::new()
        .name("gofront".into())
        .stack_size(STACK_SIZE)
        .spawn(gofront::run)
    {
        Ok(worker) => worker.join().unwrap_or(ExitCode::FAILURE),
        Err(e) => {
            eprintln!("error: cannot start the worker thread: {e}");
            ExitCode::FAILURE
        }
    }
}
