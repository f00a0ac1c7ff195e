//! THE pipeline, pure: Dockerfile bytes + build options + daemon facts + resolved images →
//! a [`Plan`] (per-platform LLB and image config, warnings), shared by the CLI and the gateway.
//! Conversion needs base-image configs it cannot fetch itself, so planning is a loop driven by
//! the caller: [`Planner::step`] either finishes or names the images to resolve; the caller
//! resolves them (over gRPC, or with a stand-in in the CLI), hands them back with
//! [`Planner::provide`] and steps again, at most [`MAX_RESOLVE_ROUNDS`] times.
//!
//! Not for: I/O of any kind, gRPC, or printing.

use std::collections::BTreeMap;

use crate::convert::{
    self, ConvertError, ConvertInput, Converted, DaemonFacts, ImageRequest, ImageResolver,
    ResolvedImage,
};
use crate::dockerfile::ast::{Dockerfile, Span};
use crate::llb::pb;
use crate::options::{BuildOptions, Subrequest};
use crate::platform::Platform;

mod outline;
pub mod render;

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

/// The result of planning: what to solve and what to return.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The converter's output (per-platform Definition and image config, warnings).
    pub converted: Converted,
}

/// Resolved images, keyed by (reference, platform): the [`ImageResolver`] conversion sees.
#[derive(Debug, Clone, Default)]
pub struct ImageCache {
    images: BTreeMap<(String, Platform), ResolvedImage>,
}

impl ImageCache {
    /// Records a resolution.
    pub fn insert(&mut self, request: &ImageRequest, image: ResolvedImage) {
        self.images
            .insert((request.reference.clone(), request.platform.clone()), image);
    }

    /// Whether the image is known.
    pub fn contains(&self, request: &ImageRequest) -> bool {
        self.images
            .contains_key(&(request.reference.clone(), request.platform.clone()))
    }
}

impl ImageResolver for ImageCache {
    fn resolve(&self, reference: &str, platform: &Platform) -> Option<ResolvedImage> {
        self.images
            .get(&(reference.to_string(), platform.clone()))
            .cloned()
    }
}

/// One planning step's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Conversion finished.
    Done(Box<Plan>),
    /// Resolve these images, [`Planner::provide`] them, and step again.
    NeedImages(Vec<ImageRequest>),
}

/// Drives parse → convert with the resolve-and-retry loop.
pub struct Planner<'a> {
    dockerfile: Dockerfile,
    source: &'a [u8],
    options: &'a BuildOptions,
    facts: &'a DaemonFacts,
    dockerignore: &'a [String],
    dockerfile_definition: Option<pb::Definition>,
    cache: ImageCache,
    rounds: usize,
}

impl<'a> Planner<'a> {
    /// Parses the Dockerfile and prepares the conversion.
    pub fn new(
        source: &'a [u8],
        options: &'a BuildOptions,
        facts: &'a DaemonFacts,
        dockerignore: &'a [String],
        dockerfile_definition: Option<pb::Definition>,
    ) -> Result<Self, FrontendError> {
        Ok(Planner {
            dockerfile: parse(source)?,
            source,
            options,
            facts,
            dockerignore,
            dockerfile_definition,
            cache: ImageCache::default(),
            rounds: 0,
        })
    }

    /// The parsed Dockerfile.
    pub fn dockerfile(&self) -> &Dockerfile {
        &self.dockerfile
    }

    /// Runs the converter with what is resolved so far.
    pub fn step(&mut self) -> Result<Step, FrontendError> {
        let input = ConvertInput {
            dockerfile: &self.dockerfile,
            source: self.source,
            options: self.options,
            facts: self.facts,
            dockerignore: self.dockerignore,
            dockerfile_definition: self.dockerfile_definition.clone(),
        };
        match convert::convert(&input, &self.cache) {
            Ok(converted) => Ok(Step::Done(Box::new(Plan { converted }))),
            Err(ConvertError::Dockerfile { message, span }) => {
                Err(FrontendError::Dockerfile { message, span })
            }
            Err(ConvertError::NeedImages(requests)) => {
                let missing: Vec<ImageRequest> = dedup(requests)
                    .into_iter()
                    .filter(|r| !self.cache.contains(r))
                    .collect();
                self.rounds += 1;
                if missing.is_empty() || self.rounds > MAX_RESOLVE_ROUNDS {
                    let names: Vec<String> = missing.iter().map(|r| r.reference.clone()).collect();
                    return Err(FrontendError::ResolveLimit(names.join(", ")));
                }
                Ok(Step::NeedImages(missing))
            }
        }
    }

    /// Hands a resolved image to the next [`Planner::step`].
    pub fn provide(&mut self, request: &ImageRequest, image: ResolvedImage) {
        self.cache.insert(request, image);
    }

    /// Plans to the end, resolving images synchronously with `resolve`.
    pub fn run(
        mut self,
        mut resolve: impl FnMut(&ImageRequest) -> Result<ResolvedImage, String>,
    ) -> Result<Plan, FrontendError> {
        loop {
            match self.step()? {
                Step::Done(plan) => return Ok(*plan),
                Step::NeedImages(requests) => {
                    for r in requests {
                        let image = resolve(&r).map_err(|message| FrontendError::Resolve {
                            reference: r.reference.clone(),
                            message,
                        })?;
                        self.provide(&r, image);
                    }
                }
            }
        }
    }
}

fn dedup(mut requests: Vec<ImageRequest>) -> Vec<ImageRequest> {
    requests.sort();
    requests.dedup();
    requests
}

/// A resolver for planning without a daemon: every image resolves to its own reference,
/// unpinned, with an empty config.
pub fn unresolved_image(request: &ImageRequest) -> Result<ResolvedImage, String> {
    Ok(ResolvedImage {
        reference: request.reference.clone(),
        digest: None,
        config: Vec::new(),
    })
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
        Subrequest::Lint | Subrequest::Unsupported(_) => Err(
            FrontendError::UnsupportedSubrequest(request.id().to_string()),
        ),
    }
}
