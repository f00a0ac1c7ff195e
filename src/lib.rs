//! gofront: a BuildKit frontend for Dockerfiles of Go services.
//!
//! Data flows one way: [`gateway`] / [`cli`] → [`frontend`] → [`dockerfile`] → [`convert`] →
//! [`llb`]. Nothing below `frontend` knows gRPC or files on disk; it receives facts and returns
//! values, so `gofront llb` shows exactly what a build will send to BuildKit.

pub mod cli;
pub mod context;
pub mod convert;
pub mod dockerfile;
pub mod frontend;
pub mod gateway;
pub mod golang;
mod gostd;
pub mod llb;
pub mod options;
pub mod platform;
