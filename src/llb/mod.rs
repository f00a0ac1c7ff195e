//! LLB: BuildKit's op types (`pb`), deterministic encoding, digests, Definitions, source maps
//! and capability gating. Convert builds `pb::Op` values and hands them to
//! [`Graph::add`]; [`Graph::definition`] lays them out the way BuildKit's Go client does.
//!
//! Not for: deciding what ops a Dockerfile needs (convert) or talking to the daemon (gateway).
//!
//! # Encoding guarantees
//!
//! BuildKit keys every op by `sha256(op bytes)`: progress vertices, source-map lookups for error
//! excerpts, cache keys. Since v0.18 the daemon re-marshals every op it loads with protobuf-go
//! (`recomputeDigests` in `solver/llbsolver/vertex.go`) and keys the graph by the digests of
//! those bytes, while the source map stays keyed by the digests the frontend sent: an op whose
//! bytes differ from Go's loses its Dockerfile excerpt in error messages. So our bytes must be
//! exactly Go's. This module guarantees it:
//!
//! - **Ordered maps.** `build.rs` generates every protobuf `map` as a `BTreeMap`, so entries are
//!   written in byte order of their keys, like Go's deterministic mode. The same op always gives
//!   the same bytes, and a Definition built twice is byte-identical.
//! - **Map entries like Go.** prost drops a map entry's empty key or value; Go writes both
//!   (`12 00` for an empty attr value, e.g. `local.unique=""`). [`encode_op`] and
//!   [`encode_definition`] write every map entry by hand with both fields; all other messages
//!   go through prost, whose default omission, packed repeated scalars and always-written set
//!   sub-messages / oneof members equal Go's.
//! - **Oneofs last.** protobuf-go writes a oneof's member after all other fields; `Op` (body
//!   at tags 2-8, `platform` 10, `constraints` 11) is the one message where that differs from
//!   tag order, and [`encode_op`] writes it so.
//! - **Go's op shape.** [`Graph::add`] normalises each op like Go's client (`graph::normalize_op`):
//!   `constraints` always present (`5a 00` at the end of an op with no filters; the terminal op
//!   is the only one without it), `platform` cleared on file, merge and diff ops and on sources
//!   other than `docker-image://` / `oci-layout://`.
//! - **Layout.** Post-order (inputs first, in input order), deduplicated by digest, terminal op
//!   (only `inputs`) last; metadata for every op keyed by digest (the terminal's caps:
//!   `constraints`, `platform`, plus `meta.ignorecache` / `meta.description` when any op uses
//!   them); `Definition.source` always set, with the Dockerfile as info 0 when an op has
//!   locations, ranges `{start{line}, end{line}}`, 1-based, character 0.
//! - **Caps.** Each op's metadata records the caps Go's client would record for it
//!   (`caps::required_caps`) plus `OpMeta::caps`; [`check_definition_caps`] refuses a
//!   Definition recording a cap the daemon lacks, with BuildKit's message, the way its gateway
//!   client checks before every Solve. Optional features the stock frontend gates itself
//!   (`--link` without MergeOp, ulimits, tmpfs sizes, ...) are gated by convert.
//!
//! What stays the caller's job (convert): the op content itself — e.g. a `platform` on every
//! exec and image op (Go always sets one), `removeMountStubsRecursive: true` on exec ops (v0.13
//! sets it without a cap), JSON-valued attrs written with [`go_json_strings`] (Go's
//! `encoding/json` escapes `<`, `>`, `&` as `\u003c`, `\u003e`, `\u0026`).
//!
//! For end-to-end checks, `inspect::definition_vertices` lists the digest and name of every vertex
//! BuildKit will report (`--progress=rawjson`), and [`definition_to_json`] dumps a Definition.

mod attrs;
mod caplists;
mod caps;
mod digest;
mod encode;
mod graph;
mod inspect;
mod location;
pub(crate) mod ops;
#[cfg(test)]
mod tests;

#[allow(clippy::all, missing_docs, rustdoc::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/llb/wire.rs"));
}

/// LLB op types (`package pb`, ops.proto): `Op`, `ExecOp`, `Mount`, `FileOp`, `SourceOp`,
/// `Definition`, `OpMetadata`, source-map messages, ...
pub use generated::pb;

pub(crate) use attrs::{go_json_strings, pb_platform};
pub(crate) use caps::{check_definition_caps, Caps};
pub(crate) use digest::Digest;
pub(crate) use encode::{encode_definition, encode_op};
#[cfg(test)]
pub(crate) use graph::CUSTOM_NAME_KEY;
pub(crate) use graph::{Graph, OpMeta, Output, SourceFile};
pub(crate) use inspect::definition_to_json;
#[cfg(test)]
pub(crate) use inspect::{definition_vertices, Vertex};
pub(crate) use location::LineRange;

/// Why an op could not be added or a Definition built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlbError {
    /// The Definition records a cap the daemon does not enable (`message` is BuildKit's
    /// `apicaps.CapError` text).
    #[error("{message}")]
    MissingCap {
        /// The missing cap id.
        cap: String,
        /// The error text.
        message: String,
    },
    /// An op input refers to an op that was not added first.
    #[error("LLB op input {digest} is not in the graph")]
    UnknownInput {
        /// The input digest.
        digest: String,
    },
    /// The requested result is not in the graph.
    #[error("LLB result {digest} is not in the graph")]
    UnknownResult {
        /// The result digest.
        digest: String,
    },
    /// An output index below zero.
    #[error("negative LLB output index {index} of {digest}")]
    NegativeIndex {
        /// The op digest.
        digest: String,
        /// The index.
        index: i64,
    },
    /// An op without a body (exec, source, file, build, merge or diff).
    #[error("LLB op has no exec, source, file, build, merge or diff body")]
    EmptyOp,
    /// Not a `sha256:<64 lowercase hex>` digest.
    #[error("invalid LLB digest {0:?}")]
    InvalidDigest(String),
    /// An op of a Definition could not be decoded.
    #[error("cannot decode LLB op #{index}: {message}")]
    Decode {
        /// Position of the op in `Definition.def`.
        index: usize,
        /// The decoder's message.
        message: String,
    },
}
