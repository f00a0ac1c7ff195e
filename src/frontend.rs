//! THE pipeline, pure: Dockerfile bytes + build options + daemon facts + resolved images →
//! a [`Plan`] (per-platform LLB and image config, warnings), shared by the CLI and the gateway.
//! Conversion needs base-image configs it cannot fetch itself, so planning is a loop driven by
//! the caller: [`Planner::step`] either finishes or names the images to resolve; the caller
//! resolves them (over gRPC, or with a stand-in in the CLI), hands them back with
//! [`Planner::provide`] and steps again, at most [`MAX_RESOLVE_ROUNDS`] times.
//!
//! Not for: I/O of any kind, gRPC, or printing.

use crate::dockerfile::ast::{Dockerfile, Span};
use crate::options::{BuildOptions, Subrequest};

pub mod known_images;
mod outline;
mod plan;
pub mod render;

pub use plan::{unresolved_image, GoReport, ImageCache, Plan, Planner, Step};

pub use render::SubrequestResult;

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
pub fn parse(source: &[u8]) -> Result<Dockerfile, FrontendError> {
    let text = String::from_utf8_lossy(source);
    crate::dockerfile::parse(&text).map_err(|e| FrontendError::at(e.to_string(), e.span))
}

/// Whether planning this build would use the context facts: some stage runs the go tool and
/// rewriting is not turned off (an invalid `GOFRONT_SKIP` gives `false`: planning reports it).
pub fn needs_context_facts(dockerfile: &Dockerfile, options: &BuildOptions) -> bool {
    use crate::golang::analyze::{analyze, AnalyzeInput, BaseImage};
    use crate::golang::rewrite::RewriteOptions;
    let on = RewriteOptions::for_build(
        &options.build_args,
        dockerfile.directives.gofront.as_deref(),
    )
    .is_ok_and(|o| !o.enabled.is_empty());
    if !on {
        return false;
    }
    let images = std::collections::BTreeMap::<String, BaseImage>::new();
    let input = AnalyzeInput {
        dockerfile,
        build_args: &options.build_args,
        images: &images,
        target: options.target.as_deref().filter(|t| !t.is_empty()),
    };
    analyze(&input).iter().any(|s| s.is_go_stage())
}

/// Answers a `requestid` subrequest from the Dockerfile alone, like `dockerfile.v0`.
pub fn subrequest(
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
        Subrequest::Lint | Subrequest::Unsupported(_) => Err(FrontendError::UnsupportedSubrequest(
            request.id().to_string(),
        )),
    }
}
