//! Command-line mode: `gofront llb|outline|rewrite` without a daemon, and the dispatch into
//! gateway mode when BuildKit's environment is present.

use std::process::ExitCode;

/// Runs the program; returns the process exit code.
pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
