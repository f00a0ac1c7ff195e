//! Go-awareness: what gofront knows about Go modules and about the Go stages of a Dockerfile.
//!
//! `modfile` and `vendor` read Go manifests (go.mod, go.work, vendor/modules.txt) from bytes,
//! `imports` the package clause and imports of Go source files;
//! `shellscan` finds go commands in RUN text; `analyze` walks a parsed Dockerfile and describes,
//! per stage, where and how the go tool runs; `facts` combines that with the manifests read from
//! the build context into the module each go command sees, the files a dependency step must copy,
//! and static diagnoses. These are the facts the rewrites are planned from. Not for: reading
//! files, talking to BuildKit, or producing LLB (that is `gateway`/`frontend` and `convert`).

pub mod analyze;
pub mod facts;
pub mod imports;
pub mod modfile;
pub mod packages;
pub mod rewrite;
mod secrets;
pub mod shellscan;
pub mod vendor;

#[cfg(test)]
mod proptests;
