//! Go-awareness: what gofront knows about Go modules and about the Go stages of a Dockerfile.
//!
//! `modfile` and `vendor` read Go manifests (go.mod, go.work, vendor/modules.txt) from bytes;
//! `analyze` walks a parsed Dockerfile and describes, per stage, where and how the go tool runs.
//! These are the facts the rewrites and diagnoses are planned from. Not for: reading files,
//! talking to BuildKit, or producing LLB (that is `gateway`/`frontend` and `convert`).

pub mod analyze;
pub mod modfile;
pub mod shellscan;
pub mod vendor;
