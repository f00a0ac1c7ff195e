//! Typed Dockerfile → LLB + OCI image config, the way BuildKit's `dockerfile2llb` of the newest
//! Dockerfile frontend (1.26, measured against 1.19 of Docker 28.5; `docs/dockerfile-versions.md`)
//! does it: one [`PlatformBuild`] per target platform, with the same ops, digests, progress
//! names, source locations and image config/history.
//!
//! Split by concern, one instruction family per file: `stages` (stage graph, target pruning,
//! meta args, the per-stage [`stages::StageState`], the per-platform driver), `bases` (base
//! images and stage setup), `contexts` (main and named build contexts), `dispatch`
//! (config-only instructions, ENV/ARG, WORKDIR), `run` (RUN and its mounts), `copy` (COPY/ADD),
//! `image` (config model and history formatting), `names` (paths and progress names),
//! `reference` (image reference normalisation); the table tests in `tests.rs`.
//!
//! Not for: parsing (`dockerfile`), op layout, encoding and digests (`llb`), reading the build
//! context (`dockerui` describes it, the caller reads it), talking to the daemon (the caller
//! resolves images and calls [`convert`] again when asked to).

use std::collections::BTreeMap;

use crate::dockerfile::ast::{self, Span};
use crate::dockerui::BuildContext;
use crate::llb::SourceFile;
use crate::options::BuildOptions;
use crate::platform::Platform;

mod bases;
mod chmod;
mod contexts;
mod copy;
mod dispatch;
mod epoch;
mod expose;
pub mod image;
mod lint;
pub mod names;
mod onbuild;
pub mod reference;
mod run;
pub mod stages;

/// Resolves base images (the gateway asks the daemon; tests use a map).
pub trait ImageResolver {
    /// `None` = not resolved yet (the driver resolves and calls convert again).
    fn resolve(&self, reference: &str, platform: &Platform) -> Option<ResolvedImage>;
}

/// A resolved image.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedImage {
    /// Normalised reference, e.g. `docker.io/library/golang:1.22` (may differ from the request
    /// after source policies).
    pub reference: String,
    /// Manifest digest, if known.
    pub digest: Option<String>,
    /// Image config JSON; empty = `{}`.
    pub config: Vec<u8>,
}

/// An image the converter needs resolved before it can finish.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageRequest {
    /// Normalised reference (`docker.io/library/...:tag`).
    pub reference: String,
    /// Platform to resolve for.
    pub platform: Platform,
    /// `Some(store id)`: resolve from the client's OCI layout store of that id (an
    /// `oci-layout://` named context) instead of a registry.
    pub oci_store: Option<String>,
}

/// What the daemon offers that the conversion depends on (from Ping and the environment).
#[derive(Debug, Clone)]
pub struct DaemonInfo {
    /// Enabled LLB caps.
    pub llb_caps: crate::llb::Caps,
    /// First worker platform (BUILDPLATFORM).
    pub build_platform: Platform,
    /// Client session id (for `local://` sources).
    pub session_id: String,
}

/// Everything one conversion needs.
pub struct ConvertInput<'a> {
    /// The parsed Dockerfile.
    pub dockerfile: &'a ast::Dockerfile,
    /// The Dockerfile as read (its bytes and the LLB that loaded it), for source maps.
    pub source: &'a SourceFile,
    /// Build options.
    pub options: &'a BuildOptions,
    /// What the daemon offers.
    pub daemon: &'a DaemonInfo,
    /// The build context, as read before conversion.
    pub context: &'a BuildContext,
    /// Process-only changes to some RUNs (Go env passthrough, the fetch wrapper); empty = none.
    pub run_process: &'a RunProcesses,
}

/// One instruction of the Dockerfile being converted: its stage index and its index among the
/// stage's commands (stable when spans are remapped, unlike line numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommandRef {
    /// Stage index (FROM order).
    pub stage: usize,
    /// Index in [`ast::Stage::commands`].
    pub command: usize,
}

/// Source maps point at the lines of the instruction an op comes from.
impl From<Span> for crate::llb::LineRange {
    fn from(span: Span) -> Self {
        crate::llb::LineRange::new(span.start, span.end)
    }
}

/// Changes to one RUN's process only, never to the image config, history or step names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunProcess {
    /// `NAME`, value pairs added to the exec op env (a same-named variable is replaced in
    /// place, others are appended).
    pub env: Vec<(String, String)>,
    /// A shell script the RUN's shell-form command runs through: the script is mounted as a file
    /// and the process becomes `/bin/sh <script> <command>` (the script runs the command with
    /// `/bin/sh -c`). Applied only when the RUN runs `/bin/sh -c` (the default shell).
    pub wrap: Option<String>,
    /// The RUN compiles Go for the target platform from a stage on the build platform: when the
    /// two differ, GOOS/GOARCH (and GOARM/GOAMD64) of the target are added to its env.
    pub cross_compile: bool,
}

/// Process-only changes per RUN.
pub type RunProcesses = BTreeMap<CommandRef, RunProcess>;

/// Why a conversion stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConvertError {
    /// These images must be resolved first; call again afterwards.
    #[error("base images need to be resolved: {}", .0.iter().map(|r| r.reference.as_str()).collect::<Vec<_>>().join(", "))]
    NeedImages(Vec<ImageRequest>),
    /// The Dockerfile cannot be converted (BuildKit's wording; `span` = the instruction).
    #[error("{message}")]
    Dockerfile {
        /// Message.
        message: String,
        /// Lines of the offending instruction, when known.
        span: Option<Span>,
    },
}

impl ConvertError {
    pub(crate) fn at(message: impl Into<String>, span: Option<Span>) -> Self {
        ConvertError::Dockerfile {
            message: message.into(),
            span,
        }
    }
}

/// The result for one target platform.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformBuild {
    /// Target platform.
    pub platform: Platform,
    /// The LLB.
    pub definition: crate::llb::pb::Definition,
    /// `containerimage.config`.
    pub image_config: Vec<u8>,
    /// `containerimage.base.config` (config of the target stage's base image), if any.
    pub base_config: Option<Vec<u8>>,
    /// `SOURCE_DATE_EPOCH` in effect, in seconds (result metadata `source.date.epoch`, 1.23).
    pub epoch: Option<i64>,
}

/// The whole conversion.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// One per target platform, in the requested order.
    pub builds: Vec<PlatformBuild>,
    /// Whether the result must have the multi-platform shape.
    pub multi_platform: bool,
}

pub use contexts::resolve_log_name;

/// Converts the Dockerfile for every requested platform.
#[cfg(test)]
pub fn convert(
    input: &ConvertInput,
    resolver: &dyn ImageResolver,
) -> Result<Converted, ConvertError> {
    stages::convert_all(input, resolver).0
}

/// Converts like [`convert`], also returning the build-check findings of the conversion (the
/// first platform's; when it fails, the ones found before the error).
pub fn convert_checked(
    input: &ConvertInput,
    resolver: &dyn ImageResolver,
) -> (Result<Converted, ConvertError>, Vec<crate::checks::Finding>) {
    stages::convert_all(input, resolver)
}

#[cfg(test)]
mod tests;
