//! BuildKit's gateway wire types, generated from `proto/` by `build.rs`: the `LLBBridge` gRPC
//! client and its messages, and what they import (API caps, worker records, source policies,
//! fsutil stats, `google.rpc.Status`). LLB op types inside them are [`crate::llb::pb`]'s.
//!
//! Not for: LLB ops (see `crate::llb`), hand-written code.

#[allow(clippy::all, missing_docs, rustdoc::all, dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/gateway/wire.rs"));
}

/// File metadata returned by ReadDir / StatFile (`fsutil.types`).
pub use generated::fsutil::types as fsutil_pb;
/// `google.rpc.Status`, the error of a ReturnRequest.
pub use generated::google::rpc as rpc_pb;
/// API capability records returned by Ping (`moby.buildkit.v1.apicaps`).
pub use generated::moby::buildkit::v1::apicaps as apicaps_pb;
/// The gateway API (`moby.buildkit.v1.frontend`): `llb_bridge_client::LlbBridgeClient`,
/// requests, responses, `Result`, ...
pub use generated::moby::buildkit::v1::frontend as gateway_pb;
/// Worker records returned by Ping (`moby.buildkit.v1.types`).
pub use generated::moby::buildkit::v1::types as worker_pb;
