//! Build options: what the client asked for (`--target`, `--build-arg`, `--platform`, ...), as one
//! typed value shared by the gateway (which reads `BUILDKIT_FRONTEND_OPT_*`) and the CLI (which
//! builds the same key/value map from its flags). Parsing lives here so both agree.
//!
//! Not for: daemon facts (caps, workers, session id): see [`crate::frontend::DaemonFacts`].

use std::collections::BTreeMap;

use crate::platform::Platform;

/// How `FROM` images are resolved (`image-resolve-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageResolveMode {
    /// Registry or local store, as the daemon prefers.
    #[default]
    Default,
    /// Always ask the registry.
    Pull,
    /// Local store only.
    Local,
}

/// `force-network-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkMode {
    /// The default sandbox network.
    #[default]
    Sandbox,
    /// No network.
    None,
    /// The host's network (needs the `network.host` entitlement).
    Host,
}

/// A `ulimit` option entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ulimit {
    /// Name, e.g. `nofile`.
    pub name: String,
    /// Soft limit.
    pub soft: i64,
    /// Hard limit.
    pub hard: i64,
}

/// `no-cache`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NoCache {
    /// Use the cache.
    #[default]
    Off,
    /// Ignore the cache for every stage.
    All,
    /// Ignore the cache for these stages (lower-cased names).
    Stages(Vec<String>),
}

/// A subrequest asked for with `requestid` (`--call`, `--print`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subrequest {
    /// `frontend.subrequests.describe`.
    Describe,
    /// `frontend.outline`.
    Outline,
    /// `frontend.targets`.
    Targets,
    /// `frontend.lint`.
    Lint,
    /// Something we do not implement (the id as given).
    Unsupported(String),
}

/// Everything the client asked for, parsed and validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildOptions {
    /// Dockerfile name inside the `dockerfile` local (`filename`, default `Dockerfile`).
    pub filename: String,
    /// Name of the local holding the Dockerfile (`dockerfilekey`, default `dockerfile`).
    pub dockerfile_key: String,
    /// Name of the local holding the context (`contextkey`, default `context`).
    pub context_key: String,
    /// `context` when it is a remote (git/http) context, as given.
    pub remote_context: Option<String>,
    /// `contextsubdir`.
    pub context_subdir: Option<String>,
    /// `target` stage (lower-cased), if any.
    pub target: Option<String>,
    /// `build-arg:NAME=value` entries (includes BUILDKIT_* and GOFRONT* args).
    pub build_args: BTreeMap<String, String>,
    /// `label:KEY=value` entries.
    pub labels: BTreeMap<String, String>,
    /// Target platforms (`platform`); empty = the build platform.
    pub platforms: Vec<Platform>,
    /// `multi-platform` (force the multi-platform result shape).
    pub multi_platform: bool,
    /// `image-resolve-mode`.
    pub image_resolve_mode: ImageResolveMode,
    /// `no-cache`.
    pub no_cache: NoCache,
    /// `force-network-mode`.
    pub network_mode: NetworkMode,
    /// `add-hosts`: (host, ip) in order.
    pub extra_hosts: Vec<(String, String)>,
    /// `hostname` (or `BUILDKIT_SANDBOX_HOSTNAME`).
    pub hostname: Option<String>,
    /// `shm-size` in bytes (0 = unset).
    pub shm_size: u64,
    /// `ulimit`.
    pub ulimits: Vec<Ulimit>,
    /// `cgroup-parent`.
    pub cgroup_parent: Option<String>,
    /// `context:NAME` named contexts (name lower-cased → value); keys may carry `::platform`.
    pub named_contexts: BTreeMap<String, String>,
    /// `cache-imports` / `cache-from` entries as (type, attrs).
    pub cache_imports: Vec<(String, BTreeMap<String, String>)>,
    /// `requestid` subrequest, if any.
    pub subrequest: Option<Subrequest>,
    /// `frontend.caps` requested by the client.
    pub frontend_caps: Vec<String>,
    /// Every option as received, for anything not modelled above.
    pub raw: BTreeMap<String, String>,
}
