//! The only module that knows BuildKit's gRPC: stdio transport, options from
//! `BUILDKIT_FRONTEND_OPT_*`, Ping/caps, reading the Dockerfile, image resolution, Solve, Return.

pub mod bridge;
pub mod dockerignore;
pub mod errors;
pub mod load;
pub mod transport;
