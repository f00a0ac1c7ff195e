//! The build context of one build as the conversion sees it, once read: the main context
//! (local, with its `.dockerignore`, or remote), the `.dockerignore` of each `local:` named
//! context, and the frontend inputs that `input:` named contexts import. The gateway or the
//! CLI reads the pieces (the frontend pipeline asks for them one by one); convert only reads
//! this value.
//!
//! Not for: the client's options (`crate::options`), reading anything.

use std::collections::BTreeMap;

use super::dockerignore::Dockerignore;
use super::remote::RemoteContext;

/// Where the main build context comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MainContext {
    /// A local directory of the client (`local://<contextkey>`), with its `.dockerignore`.
    Local(Dockerignore),
    /// A git or HTTP(S) URL; `archive` when an HTTP download is an archive to unpack.
    Remote {
        /// The remote context.
        remote: RemoteContext,
        /// The HTTP download is an archive (dockerui unpacks it onto scratch).
        archive: bool,
    },
}

impl Default for MainContext {
    fn default() -> Self {
        MainContext::Local(Dockerignore::default())
    }
}

/// Everything about the build context that conversion needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildContext {
    /// The main context.
    pub main: MainContext,
    /// The `.dockerignore` of each `local:` named context, by context key (`name` or
    /// `name::platform`), read like dockerui's `namedContextRecursive` does before loading the
    /// local.
    pub named_dockerignores: BTreeMap<String, Dockerignore>,
    /// The frontend inputs (`Inputs` RPC) named by `input:` named contexts, as encoded
    /// `pb.Definition` bytes, by input name.
    pub inputs: BTreeMap<String, Vec<u8>>,
}
