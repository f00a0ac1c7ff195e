//! The build context, as BuildKit's `frontend/dockerui` package owns it, without any I/O: the
//! Dockerfile's name and the LLB sources that load it (`sources`), `.dockerignore` read once into
//! a typed value and matched in one place (`dockerignore`), remote contexts (git and HTTP URLs,
//! `remote`, with `git` URL syntax), `input:` named contexts (`inputs`), the read context as
//! conversion sees it (`context`), and the limits of reading context files ourselves (`files`).
//!
//! Not for: reading files or talking to BuildKit (the gateway and the CLI do, asked by the
//! frontend pipeline), or converting instructions (`crate::convert`).

pub mod context;
pub mod dockerignore;
pub mod files;
pub mod git;
pub mod inputs;
pub mod remote;
pub mod sources;

pub use context::{BuildContext, MainContext};
pub use dockerignore::{Dockerignore, Matcher};
pub use files::{ContextFiles, ReadBudget};
pub use remote::RemoteContext;
