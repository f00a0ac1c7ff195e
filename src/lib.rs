//! gofront: a BuildKit frontend for Dockerfiles of Go services.
//!
//! Data flows one way: [`gateway`] / [`cli`] → [`frontend`] → [`dockerfile`] → [`convert`] →
//! [`llb`]. Nothing below `frontend` knows gRPC or files on disk; it receives facts and returns
//! values, so `gofront llb` shows exactly what a build will send to BuildKit.

pub mod cli;
pub mod convert;
pub mod dockerfile;
pub mod dockerui;
pub mod frontend;
pub mod gateway;
pub mod golang;
mod gostd;
pub mod llb;
pub mod options;
pub mod platform;

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
