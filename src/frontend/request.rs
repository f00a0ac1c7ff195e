//! What a caller hands the pipeline ([`Request`]) and what the pipeline asks back about the
//! build context ([`ContextRequest`], answered with a [`ContextAnswer`]): the gateway answers
//! with solves and ReadFile/ReadDir, the CLI from the file system, so both run one pipeline.
//!
//! Not for: reading anything (this only describes what to read).

use std::collections::BTreeMap;

use crate::convert::DaemonInfo;
use crate::dockerui::{ContextFiles, Dockerignore, RemoteContext};
use crate::llb::{pb, SourceFile};
use crate::options::BuildOptions;

/// One build (or subrequest) to plan.
#[derive(Debug, Clone)]
pub struct Request {
    /// The Dockerfile as read: its bytes, the name the user knows it by (errors and source
    /// maps show it) and the LLB that loaded it.
    pub dockerfile: SourceFile,
    /// What the client asked for.
    pub options: BuildOptions,
    /// What the daemon offers (caps, build platform, session).
    pub daemon: DaemonInfo,
    /// Where the build context is.
    pub context: ContextSource,
    /// Planning without a daemon (the CLI): when an official Go image resolves to no usable
    /// config, the Go analysis uses gofront's built-in table of them.
    pub builtin_go_images: bool,
}

/// Where the main build context comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextSource {
    /// A local context of the client. `dockerignore` is the Dockerfile's own
    /// `<Dockerfile>.dockerignore` when it has one (read with the Dockerfile); otherwise the
    /// pipeline asks for the context's `.dockerignore`.
    Local {
        /// The Dockerfile's own ignore file, parsed.
        dockerignore: Option<Dockerignore>,
    },
    /// A git or HTTP(S) URL (no `.dockerignore` applies, no Go module files are read).
    Remote {
        /// The remote context.
        remote: RemoteContext,
        /// The HTTP download is an archive to unpack.
        archive: bool,
    },
}

/// Something the pipeline needs read from the build context before it can go on.
#[derive(Debug, Clone)]
pub enum ContextRequest {
    /// The main context's `.dockerignore`: solve `definition` (a local source that transfers
    /// only that file) and read `.dockerignore` from the result; answer
    /// [`ContextAnswer::Dockerignore`] (empty bytes when there is none).
    Dockerignore {
        /// The transfer.
        definition: pb::Definition,
    },
    /// The `.dockerignore` of the `local:` named context `key`: as above, answer
    /// [`ContextAnswer::NamedDockerignore`].
    NamedDockerignore {
        /// The named context's key (`name` or `name::platform`).
        key: String,
        /// The transfer.
        definition: pb::Definition,
    },
    /// The frontend inputs (`input:` named contexts import them): answer
    /// [`ContextAnswer::Inputs`].
    Inputs,
    /// The files gofront reads itself (the Go module files): answer [`ContextAnswer::Files`].
    Files(FilesRequest),
}

/// Which files to read from the main context, for each way of reading it.
#[derive(Debug, Clone)]
pub struct FilesRequest {
    /// A transfer of only the wanted files, `.dockerignore` applied (the gateway solves it
    /// and walks the result).
    pub definition: pb::Definition,
    /// The context's `.dockerignore` (a reader walking the context itself applies it).
    pub dockerignore: Dockerignore,
    /// How much of a context-relative file to read.
    pub select: fn(&str) -> crate::dockerui::files::Take,
}

/// The answer to a [`ContextRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextAnswer {
    /// The bytes of the main context's `.dockerignore`.
    Dockerignore(Vec<u8>),
    /// The bytes of a named context's `.dockerignore`.
    NamedDockerignore {
        /// The key of the request.
        key: String,
        /// The file's bytes (empty when there is none).
        data: Vec<u8>,
    },
    /// The frontend inputs, as encoded `pb.Definition` bytes by name.
    Inputs(BTreeMap<String, Vec<u8>>),
    /// The selected files, or why they could not be read (the rewrites that need them are
    /// then skipped with that reason).
    Files(Result<ContextFiles, String>),
}
