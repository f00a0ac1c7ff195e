//! The resolve-and-retry planning loop over the converter (see the parent module).
//!
//! Not for: I/O; the caller resolves images.

use std::collections::BTreeMap;

use crate::convert::{
    self, ConvertError, ConvertInput, Converted, DaemonFacts, ImageRequest, ImageResolver,
    ResolvedImage,
};
use crate::dockerfile::ast::Dockerfile;
use crate::llb::pb;
use crate::options::BuildOptions;
use crate::platform::Platform;

use super::{FrontendError, MAX_RESOLVE_ROUNDS};

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
    /// Prepares the conversion of an already parsed Dockerfile (see [`super::parse`]).
    pub fn new(
        dockerfile: Dockerfile,
        source: &'a [u8],
        options: &'a BuildOptions,
        facts: &'a DaemonFacts,
        dockerignore: &'a [String],
        dockerfile_definition: Option<pb::Definition>,
    ) -> Self {
        Planner {
            dockerfile,
            source,
            options,
            facts,
            dockerignore,
            dockerfile_definition,
            cache: ImageCache::default(),
            rounds: 0,
        }
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
/// unpinned, with a minimal config for the requested platform. The config names one
/// placeholder layer, because a config without layers means "scratch" to the converter (as to
/// BuildKit) and the image source would vanish from the plan.
pub fn unresolved_image(request: &ImageRequest) -> Result<ResolvedImage, String> {
    let mut config = serde_json::json!({
        "architecture": request.platform.architecture,
        "os": request.platform.os,
        "rootfs": { "type": "layers", "diff_ids": [format!("sha256:{}", "0".repeat(64))] },
    });
    if !request.platform.variant.is_empty() {
        config["variant"] = serde_json::json!(request.platform.variant);
    }
    Ok(ResolvedImage {
        reference: request.reference.clone(),
        digest: None,
        config: serde_json::to_vec(&config).map_err(|e| e.to_string())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llb::{Caps, FrontendCaps};

    fn facts() -> DaemonFacts {
        DaemonFacts {
            llb_caps: Caps::v0_13_defaults(),
            build_platform: Platform::new("linux", "amd64", ""),
            session_id: String::new(),
            frontend_caps: FrontendCaps::v0_13_defaults().to_set(),
        }
    }

    fn options() -> BuildOptions {
        BuildOptions::from_opts(&BTreeMap::new()).unwrap()
    }

    const SOURCE: &[u8] = b"FROM busybox AS a\nRUN true\nFROM golang:1.22\nCOPY --from=a /x /x\n";

    #[test]
    fn planner_asks_for_images_then_finishes() {
        let (options, facts) = (options(), facts());
        let df = super::super::parse(SOURCE).unwrap();
        let mut planner = Planner::new(df, SOURCE, &options, &facts, &[], None);
        let mut asked = Vec::new();
        let plan = loop {
            match planner.step().unwrap() {
                Step::Done(plan) => break plan,
                Step::NeedImages(reqs) => {
                    for r in reqs {
                        asked.push(r.reference.clone());
                        let image = unresolved_image(&r).unwrap();
                        planner.provide(&r, image);
                    }
                }
            }
        };
        asked.sort();
        assert_eq!(
            asked,
            [
                "docker.io/library/busybox:latest",
                "docker.io/library/golang:1.22"
            ]
        );
        assert_eq!(plan.converted.builds.len(), 1);
    }

    #[test]
    fn run_reports_resolver_errors_with_the_image() {
        let (options, facts) = (options(), facts());
        let df = super::super::parse(SOURCE).unwrap();
        let err = Planner::new(df, SOURCE, &options, &facts, &[], None)
            .run(|_| Err("no such image".to_string()))
            .unwrap_err();
        assert!(matches!(err, FrontendError::Resolve { .. }));
        assert!(err.to_string().ends_with(": no such image"), "{err}");
    }

    #[test]
    fn planning_is_deterministic() {
        let (options, facts) = (options(), facts());
        let plan = || {
            let df = super::super::parse(SOURCE).unwrap();
            Planner::new(df, SOURCE, &options, &facts, &[], None)
                .run(unresolved_image)
                .unwrap()
        };
        let first = crate::llb::encode_definition(&plan().converted.builds[0].definition);
        for _ in 0..10 {
            let again = crate::llb::encode_definition(&plan().converted.builds[0].definition);
            assert_eq!(first, again);
        }
    }
}
