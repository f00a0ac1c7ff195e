//! LLB: BuildKit's protobuf wire types, ops, deterministic encoding, digests, Definitions,
//! source maps and capability gating.

#[allow(clippy::all, missing_docs, rustdoc::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/buildkit.rs"));
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
/// Source policies carried by solve and resolve requests (`moby.buildkit.v1.sourcepolicy`).
pub use generated::moby::buildkit::v1::sourcepolicy as sourcepolicy_pb;
/// Worker records returned by Ping (`moby.buildkit.v1.types`).
pub use generated::moby::buildkit::v1::types as worker_pb;
/// LLB op types (`package pb`, ops.proto): `Op`, `ExecOp`, `Mount`, `FileOp`, `SourceOp`,
/// `Definition`, `OpMetadata`, source-map messages, ...
pub use generated::pb;
