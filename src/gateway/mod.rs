//! The only module that knows BuildKit's gRPC: the generated wire code (`proto`), the stdio
//! transport, the `LLBBridge` calls as a trait (`bridge`), Ping caps (`caps`), errors as
//! `google.rpc.Status` (`errors`), and one run of the protocol (`session`): options from
//! `BUILDKIT_FRONTEND_OPT_*`, the Dockerfile read, the frontend pipeline driven by answering its
//! context reads and image resolutions, Solve, Return.
//!
//! Not for: planning (see [`crate::frontend`]) or deciding what to read (see
//! [`crate::dockerui`]); nothing here may write to stdout except gRPC.

pub mod bridge;
pub mod caps;
pub mod errors;
pub mod proto;
pub mod session;
pub mod transport;

use std::process::ExitCode;

/// Whether BuildKit started this process as a gateway frontend (its environment is present).
pub fn is_gateway_env() -> bool {
    std::env::vars_os().any(|(k, _)| {
        k.to_str().is_some_and(|k| {
            k == "BUILDKIT_SESSION_ID" || k.starts_with(crate::options::ENV_OPT_PREFIX)
        })
    })
}

/// Gateway mode: speaks gRPC over stdin/stdout until `Return` is sent. Exit code 0 once
/// `Return` went through (build errors travel inside it), 1 when BuildKit could not be told.
pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        let client = transport::connect_stdio()
            .await
            .map_err(|e| e.to_string())?;
        let mut bridge = bridge::GrpcBridge::new(client);
        session::serve(&mut bridge, session::GatewayEnv::from_process())
            .await
            .map_err(|s| format!("Return failed: {s}"))
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}
