//! LLB: BuildKit's protobuf wire types, ops, deterministic encoding, digests, Definitions,
//! source maps and capability gating.
