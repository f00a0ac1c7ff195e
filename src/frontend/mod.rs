//! THE pipeline, pure, shared by the CLI and the gateway: one [`Request`] (the Dockerfile as
//! read, build options, what the daemon offers, where the context is) in, a [`Plan`]
//! (per-platform LLB and image config, warnings, the Go rewrite report) or a subrequest answer
//! out. Planning needs things it cannot fetch itself, so the [`Pipeline`] is a loop driven by
//! the caller: [`Pipeline::step`] either finishes or names what to read from the build context
//! ([`ContextRequest`]) or which base images to resolve; the caller provides them (over gRPC,
//! or from the file system and stand-ins in the CLI) and steps again.
//!
//! Split by concern: `request` (what goes in and what is asked back), `pipeline` (the loop:
//! context reads, convert, Go rewrites, convert again), `checks` (the build checks of a run:
//! configuration, findings, report), `outline`, `render` and `lint` (subrequests; `--check` is
//! answered by the pipeline itself, since it needs the whole planning), `summary` (the
//! `[gofront] ...` decision vertices), `known_images` (offline Go image configs).
//!
//! Not for: I/O of any kind, gRPC, or printing.

use crate::dockerfile::ast::{Dockerfile, Span};
use crate::options::{BuildOptions, Subrequest};

mod checks;
mod known_images;
mod lint;
mod outline;
mod pipeline;
mod render;
mod request;
mod summary;

pub use crate::checks::Report as CheckReport;
pub use crate::convert::{
    resolve_log_name, DaemonInfo, ImageRequest, PlatformBuild, ResolvedImage,
};
#[cfg(test)]
pub use crate::golang::rewrite::RewriteKind;
#[cfg(test)]
pub use pipeline::context_take;
pub use pipeline::{unresolved_image, GoReport, Outcome, Pipeline, Plan, Step};
pub use render::SubrequestResult;
pub use request::{ContextAnswer, ContextRequest, ContextSource, FilesRequest, Request};
pub use summary::summary_definition;

/// Frontend capabilities gofront implements: the value of the image label
/// `moby.buildkit.frontend.caps`, and what a client may require with `frontend.caps` — the
/// label of the stock frontend image since Dockerfile 1.18 (`gitquerystring`: git URLs with a
/// `?ref=…` query as build contexts; buildx requires it when a context URL has a query).
pub const FRONTEND_CAPS: &[&str] = &[
    "moby.buildkit.frontend.inputs",
    "moby.buildkit.frontend.subrequests",
    "moby.buildkit.frontend.contexts",
    "moby.buildkit.frontend.gitquerystring",
];

/// How many resolve-and-retry rounds a conversion may take before we give up.
pub const MAX_RESOLVE_ROUNDS: usize = 10;

/// Why planning failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FrontendError {
    /// The Dockerfile is wrong; `span` locates it when known. The message is the one the user
    /// sees (`dockerfile parse error on line N: ...` for parse errors, like BuildKit).
    #[error("{message}")]
    Dockerfile {
        /// What went wrong.
        message: String,
        /// The offending lines.
        span: Option<Span>,
    },
    /// The converter kept asking for images.
    #[error("base images still unresolved after {MAX_RESOLVE_ROUNDS} rounds: {0}")]
    ResolveLimit(String),
    /// An image could not be resolved.
    #[error("{reference}: {message}")]
    Resolve {
        /// The image.
        reference: String,
        /// The resolver's error.
        message: String,
    },
    /// A build option is invalid (for example an unknown name in `GOFRONT_SKIP`).
    #[error("{0}")]
    Options(String),
    /// A `requestid` we do not answer.
    #[error("unsupported request {0}")]
    UnsupportedSubrequest(String),
    /// A graph gofront builds itself (a context read) could not be built.
    #[error("{0}")]
    Llb(String),
}

impl FrontendError {
    /// A Dockerfile error at `span`.
    pub fn at(message: impl Into<String>, span: Option<Span>) -> Self {
        FrontendError::Dockerfile {
            message: message.into(),
            span,
        }
    }

    /// The Dockerfile lines the error points at, if any.
    pub fn span(&self) -> Option<Span> {
        match self {
            FrontendError::Dockerfile { span, .. } => *span,
            _ => None,
        }
    }
}

/// Parses Dockerfile bytes (invalid UTF-8 is replaced, like a lossy read).
fn parse(source: &[u8]) -> Result<Dockerfile, FrontendError> {
    let text = String::from_utf8_lossy(source);
    crate::dockerfile::parse(&text).map_err(|e| FrontendError::at(e.to_string(), e.span))
}

/// Answers a `requestid` subrequest from the Dockerfile alone, like `dockerfile.v0`.
fn subrequest(
    request: &Subrequest,
    source: &[u8],
    options: &BuildOptions,
) -> Result<SubrequestResult, FrontendError> {
    match request {
        Subrequest::Describe => Ok(render::describe()),
        Subrequest::Outline => {
            let df = parse(source)?;
            Ok(outline::outline(&df, source, options)?.to_result())
        }
        Subrequest::Targets => {
            let df = parse(source)?;
            Ok(outline::targets(&df, source).to_result())
        }
        // `frontend.lint` runs the build's planning (see `Pipeline::step`).
        Subrequest::Lint | Subrequest::Unsupported(_) => Err(FrontendError::UnsupportedSubrequest(
            request.id().to_string(),
        )),
    }
}
