//! The planning loop over the converter (see the parent module), in two phases: phase 1
//! converts the user's Dockerfile, resolving every base image on demand; then the Go analysis
//! (with those images' configs and the context facts) plans the rewrites; when they change the
//! build, phase 2 converts the rewritten Dockerfile (spans mapped back to the user's lines,
//! extra RUN env) with the same images. When nothing changes, the phase 1 result is the plan,
//! byte for byte (passthrough).
//!
//! Not for: I/O; the caller resolves images and reads the context facts.

use std::collections::BTreeMap;

use crate::convert::reference::Reference;
use crate::convert::{
    self, CommandRef, ConvertError, ConvertInput, Converted, DaemonFacts, ImageRequest,
    ImageResolver, ResolvedImage, RunEnvs, Warning,
};
use crate::dockerfile::ast::{Dockerfile, Instruction, Span};
use crate::golang::analyze::{AnalyzeInput, BaseImage};
use crate::golang::facts::{gather, ContextFacts, Diagnostic, GoFacts, Severity};
use crate::golang::rewrite::{rewrite, Decision, RewriteKind, RewriteOptions, Rewritten, RunEnv};
use crate::llb::pb;
use crate::options::BuildOptions;
use crate::platform::Platform;

use super::{known_images, FrontendError, MAX_RESOLVE_ROUNDS};

/// The result of planning: what to solve and what to return.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The converter's output (per-platform Definition and image config, warnings).
    pub converted: Converted,
    /// The Go rewrites planned for this build (`None` when rewriting is off or no stage runs
    /// the go tool).
    pub go: Option<GoReport>,
}

/// What the Go rewrites did: the rewritten Dockerfile, its decisions and diagnoses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoReport {
    /// The rewrite result (text, line map, run env, decisions, diagnostics).
    pub rewritten: Rewritten,
    /// The rewrite options of the build.
    pub options: RewriteOptions,
}

impl GoReport {
    /// The diagnostics the build reports (none when `diagnose` is off).
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        let on = self.options.is_on(RewriteKind::Diagnose);
        self.rewritten.diagnostics.iter().filter(move |_| on)
    }

    /// The first diagnostic of error severity, if any.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.diagnostics().find(|d| d.severity == Severity::Error)
    }

    /// Warning diagnostics as converter warnings (rule = the diagnostic's code).
    pub fn warnings(&self) -> Vec<Warning> {
        self.diagnostics()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| Warning {
                rule: d.code.to_string(),
                message: d.message.clone(),
                span: Some(d.span),
            })
            .collect()
    }
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

    /// The config of `reference` (normalised), preferably for `platform`, else for any
    /// platform it was resolved for.
    fn config_for(&self, reference: &str, platform: &Platform) -> Option<&[u8]> {
        if let Some(img) = self.images.get(&(reference.to_string(), platform.clone())) {
            return Some(&img.config);
        }
        self.images
            .iter()
            .find(|((r, _), _)| r == reference)
            .map(|(_, img)| img.config.as_slice())
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

/// The rewritten Dockerfile phase 2 converts.
struct Phase2 {
    dockerfile: Dockerfile,
    run_env: RunEnvs,
}

/// Drives parse → convert → Go rewrites → convert with the resolve-and-retry loop.
pub struct Planner<'a> {
    dockerfile: Dockerfile,
    source: &'a [u8],
    options: &'a BuildOptions,
    facts: &'a DaemonFacts,
    dockerignore: &'a [String],
    dockerfile_definition: Option<pb::Definition>,
    cache: ImageCache,
    rounds: usize,
    context_facts: Option<ContextFacts>,
    facts_missing_reason: String,
    builtin_images: bool,
    report: Option<GoReport>,
    phase2: Option<Phase2>,
    /// Phase 1's conversion of the Dockerfile as written: the fallback when the rewritten
    /// Dockerfile cannot be built (invariant 1: a rewrite never fails a working build).
    phase1: Option<Converted>,
    rewriter: Rewriter,
}

/// The rewrite planner's signature ([`rewrite`]; tests substitute hand-built results).
type Rewriter = fn(&str, &Dockerfile, &GoFacts, &RewriteOptions) -> Rewritten;

/// Why deps/diagnose are skipped when the planner got no context facts (callers may say more
/// with [`Planner::with_missing_facts_reason`]).
const NO_FACTS: &str = "the build context was not read (no go.mod/go.sum facts)";

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
            context_facts: None,
            facts_missing_reason: NO_FACTS.to_string(),
            builtin_images: false,
            report: None,
            phase2: None,
            phase1: None,
            rewriter: rewrite,
        }
    }

    /// The go.mod/go.sum/go.work/vendor facts read from the build context; `None` = not
    /// available (remote context, too large): the rewrites that need them are skipped.
    pub fn with_context_facts(mut self, facts: Option<ContextFacts>) -> Self {
        self.context_facts = facts;
        self
    }

    /// Why there are no context facts, for the skipped decisions.
    pub fn with_missing_facts_reason(mut self, reason: impl Into<String>) -> Self {
        self.facts_missing_reason = reason.into();
        self
    }

    /// Planning without a daemon: when the resolver gives no usable config for an official Go
    /// image, the analysis uses [`known_images::go_image`].
    pub fn with_builtin_images(mut self) -> Self {
        self.builtin_images = true;
        self
    }

    /// Uses `rewriter` instead of [`rewrite`] (tests of the pipeline around it).
    #[cfg(test)]
    fn with_rewriter(mut self, rewriter: Rewriter) -> Self {
        self.rewriter = rewriter;
        self
    }

    /// The parsed Dockerfile.
    pub fn dockerfile(&self) -> &Dockerfile {
        &self.dockerfile
    }

    /// The Go rewrite report, once the analysis ran (also when it stopped the build with an
    /// error diagnostic).
    pub fn report(&self) -> Option<&GoReport> {
        self.report.as_ref()
    }

    /// Runs the converter with what is resolved so far.
    pub fn step(&mut self) -> Result<Step, FrontendError> {
        let result = {
            let (dockerfile, run_env) = match &self.phase2 {
                Some(p) => (&p.dockerfile, p.run_env.clone()),
                None => (&self.dockerfile, RunEnvs::new()),
            };
            let input = ConvertInput {
                dockerfile,
                source: self.source,
                options: self.options,
                facts: self.facts,
                dockerignore: self.dockerignore,
                dockerfile_definition: self.dockerfile_definition.clone(),
                run_env,
            };
            convert::convert(&input, &self.cache)
        };
        let converted = match result {
            Ok(converted) => converted,
            Err(ConvertError::Dockerfile { message, span }) => match self.phase1.take() {
                // The rewritten Dockerfile does not convert, the original did: build that.
                Some(original) if self.phase2.is_some() => {
                    self.phase2 = None;
                    self.drop_rewrites(&format!(
                        "the rewritten Dockerfile does not convert: {message}"
                    ));
                    return Ok(self.done(original));
                }
                _ => return Err(FrontendError::Dockerfile { message, span }),
            },
            Err(ConvertError::NeedImages(requests)) => return self.need_images(requests),
        };
        if self.phase2.is_none() && self.phase1.is_none() {
            self.phase1 = Some(converted.clone());
            self.plan_go()?;
            if self.phase2.is_some() {
                return self.step();
            }
        }
        Ok(self.done(converted))
    }

    /// The finished plan: the conversion plus the Go report and its warnings.
    fn done(&self, mut converted: Converted) -> Step {
        if let Some(report) = &self.report {
            converted.warnings.extend(report.warnings());
        }
        Step::Done(Box::new(Plan {
            converted,
            go: self.report.clone(),
        }))
    }

    /// Falls back to the Dockerfile as written after a rewrite turned out unbuildable (a bug
    /// in gofront, never the user's): every applied decision becomes skipped with the reason,
    /// and a warning says so.
    fn drop_rewrites(&mut self, reason: &str) {
        let Some(report) = self.report.as_mut() else {
            return;
        };
        let text = String::from_utf8_lossy(self.source);
        let mut dropped = Rewritten::unchanged(&text);
        dropped.diagnostics = std::mem::take(&mut report.rewritten.diagnostics);
        dropped.decisions = std::mem::take(&mut report.rewritten.decisions);
        for d in dropped.decisions.iter_mut().filter(|d| d.applied) {
            d.applied = false;
            d.detail = format!("not applied: {reason}");
        }
        let span = dropped
            .decisions
            .first()
            .map(|d| d.span)
            .unwrap_or_default();
        dropped.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            code: "rewrite-dropped",
            span,
            message: format!(
                "gofront built this Dockerfile as written, without its Go rewrites: {reason} \
                 (a gofront bug; please report it with `gofront rewrite` output)"
            ),
        });
        report.rewritten = dropped;
    }

    fn need_images(&mut self, requests: Vec<ImageRequest>) -> Result<Step, FrontendError> {
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

    /// After phase 1: analyse, rewrite, and prepare phase 2 when the build changes.
    fn plan_go(&mut self) -> Result<(), FrontendError> {
        let options = RewriteOptions::for_build(
            &self.options.build_args,
            self.dockerfile.directives.gofront.as_deref(),
        )
        .map_err(FrontendError::Options)?;
        if options.enabled.is_empty() {
            return Ok(());
        }
        let platform = first_target_platform(self.options, self.facts);
        let build_args = analysis_args(self.options, self.facts, &platform);
        let cache = &self.cache;
        let builtin = self.builtin_images;
        let images = |reference: &str| base_image(cache, builtin, reference, &platform);
        let input = AnalyzeInput {
            dockerfile: &self.dockerfile,
            build_args: &build_args,
            images: &images,
            target: self.options.target.as_deref().filter(|t| !t.is_empty()),
        };
        let mut effective = options.clone();
        if self.context_facts.is_none() {
            effective.enabled.remove(&RewriteKind::Deps);
            effective.enabled.remove(&RewriteKind::Diagnose);
        }
        let empty = ContextFacts::default();
        let go = gather(&input, self.context_facts.as_ref().unwrap_or(&empty));
        if !go.stages.iter().any(|s| !s.go_runs.is_empty()) {
            return Ok(());
        }
        let text = String::from_utf8_lossy(self.source);
        let mut rewritten = (self.rewriter)(&text, &self.dockerfile, &go, &effective);
        if self.context_facts.is_none() {
            rewritten.decisions.extend(missing_facts_decisions(
                &go,
                &options,
                &self.facts_missing_reason,
            ));
            // One summary order whatever produced a decision: by stage, then by kind.
            rewritten.decisions.sort_by_key(|d| (d.stage, d.kind));
        }
        let report = GoReport { rewritten, options };
        let error = report.first_error().cloned();
        let next = match report.rewritten.changes_build(&text) {
            true if error.is_none() => Some(phase2(&report.rewritten)),
            _ => None,
        };
        self.report = Some(report);
        if let Some(d) = error {
            return Err(FrontendError::Dockerfile {
                message: d.message,
                span: Some(d.span),
            });
        }
        match next.transpose() {
            Ok(phase2) => self.phase2 = phase2,
            Err(e) => self.drop_rewrites(&e.to_string()),
        }
        Ok(())
    }

    /// Hands a resolved image to the next [`Planner::step`].
    pub fn provide(&mut self, request: &ImageRequest, image: ResolvedImage) {
        self.cache.insert(request, image);
    }

    /// Plans to the end, resolving images synchronously with `resolve`.
    pub fn run(
        mut self,
        resolve: impl FnMut(&ImageRequest) -> Result<ResolvedImage, String>,
    ) -> Result<Plan, FrontendError> {
        self.run_mut(resolve)
    }

    /// [`Planner::run`] keeping the planner (for [`Planner::report`] after an error).
    pub fn run_mut(
        &mut self,
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

/// Parses the rewritten text, finds the RUNs that get extra env (by their line in the
/// rewritten text) and maps every span back to the user's lines.
fn phase2(r: &Rewritten) -> Result<Phase2, FrontendError> {
    let internal = |what: String, span: Option<Span>| FrontendError::Dockerfile {
        message: format!("internal error in the Go rewrites: {what}"),
        span,
    };
    let mut dockerfile = crate::dockerfile::parse(&r.text).map_err(|e| {
        let span = e.span.map(|s| r.line_map.span(s));
        internal(
            format!("the rewritten Dockerfile does not parse: {e}"),
            span,
        )
    })?;
    let mut run_env = RunEnvs::new();
    for env in &r.run_env {
        let at = run_at_line(&dockerfile, env).ok_or_else(|| {
            internal(
                format!(
                    "no RUN starts at line {} of the rewritten Dockerfile",
                    env.rewritten_line
                ),
                Some(r.line_map.span(Span {
                    start: env.rewritten_line,
                    end: env.rewritten_line,
                })),
            )
        })?;
        if !env.vars.is_empty() {
            run_env
                .entry(at)
                .or_default()
                .extend(env.vars.iter().cloned());
        }
    }
    dockerfile.map_spans(|s| r.line_map.span(s));
    Ok(Phase2 {
        dockerfile,
        run_env,
    })
}

fn run_at_line(df: &Dockerfile, env: &RunEnv) -> Option<CommandRef> {
    df.stages.iter().enumerate().find_map(|(stage, st)| {
        st.commands.iter().enumerate().find_map(|(command, cmd)| {
            (cmd.span.start == env.rewritten_line && matches!(cmd.instruction, Instruction::Run(_)))
                .then_some(CommandRef { stage, command })
        })
    })
}

/// deps and diagnose need the context facts: one skipped decision per Go stage for each that
/// was on.
fn missing_facts_decisions(go: &GoFacts, options: &RewriteOptions, reason: &str) -> Vec<Decision> {
    let kinds = [RewriteKind::Deps, RewriteKind::Diagnose];
    let mut out = Vec::new();
    for st in go.stages.iter().filter(|s| !s.go_runs.is_empty()) {
        for kind in kinds.into_iter().filter(|k| options.is_on(*k)) {
            out.push(Decision {
                kind,
                stage: st.index,
                stage_label: st.name.clone().unwrap_or_else(|| st.index.to_string()),
                span: st.span,
                applied: false,
                detail: reason.to_string(),
            });
        }
    }
    out
}

/// The platform whose image configs the analysis reads: the first target platform.
fn first_target_platform(options: &BuildOptions, facts: &DaemonFacts) -> Platform {
    match options.platforms.first() {
        Some(p) => p.clone(),
        None if facts.build_platform.os.is_empty()
            || facts.build_platform.architecture.is_empty() =>
        {
            Platform::host()
        }
        None => facts.build_platform.clone(),
    }
}

/// Build args plus the automatic platform args (a build arg of the same name wins), so FROM
/// lines and RUNs expand like the converter expands them.
fn analysis_args(
    options: &BuildOptions,
    facts: &DaemonFacts,
    target: &Platform,
) -> BTreeMap<String, String> {
    let bp = if facts.build_platform.os.is_empty() {
        Platform::host()
    } else {
        facts.build_platform.clone()
    };
    let mut args: BTreeMap<String, String> = [
        ("BUILDPLATFORM", bp.to_string()),
        ("BUILDOS", bp.os.clone()),
        ("BUILDARCH", bp.architecture.clone()),
        ("BUILDVARIANT", bp.variant.clone()),
        ("TARGETPLATFORM", target.to_string()),
        ("TARGETOS", target.os.clone()),
        ("TARGETARCH", target.architecture.clone()),
        ("TARGETVARIANT", target.variant.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    args.extend(options.build_args.clone());
    args
}

/// The config of a FROM reference (as written, after global-arg expansion) among the resolved
/// images, normalised like the converter does; the built-in Go table when allowed and the
/// resolver had no usable config.
fn base_image(
    cache: &ImageCache,
    builtin: bool,
    reference: &str,
    platform: &Platform,
) -> Option<BaseImage> {
    let resolved = Reference::parse_normalized(reference)
        .ok()
        .map(|r| r.tag_name_only().to_string())
        .and_then(|normalised| cache.config_for(&normalised, platform))
        .and_then(BaseImage::from_config_json);
    match resolved {
        Some(img) => Some(img),
        None if builtin => known_images::go_image(reference),
        None => None,
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
    use crate::llb::Caps;

    fn facts() -> DaemonFacts {
        DaemonFacts {
            llb_caps: Caps::v0_13_defaults(),
            build_platform: Platform::new("linux", "amd64", ""),
            session_id: String::new(),
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

#[cfg(test)]
mod go_tests {
    use super::*;
    use crate::golang::facts::Diagnostic;
    use crate::golang::rewrite::LineMap;
    use crate::llb::{definition_vertices, Caps};

    const GO_SOURCE: &str = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n\
                             RUN go build -o /app .\n";
    const REWRITTEN: &str = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod ./\n\
                             RUN go mod download\nCOPY . .\nRUN go build -o /app .\n";
    const GOLANG_CONFIG: &str = r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/go/bin:/usr/local/go/bin:/bin","GOLANG_VERSION=1.22.5","GOTOOLCHAIN=local","GOPATH=/gopath-from-config"],"WorkingDir":"/go"},"rootfs":{"type":"layers","diff_ids":["sha256:bbbb"]}}"#;

    fn facts() -> DaemonFacts {
        DaemonFacts {
            llb_caps: Caps::v0_13_defaults(),
            build_platform: Platform::new("linux", "amd64", ""),
            session_id: String::new(),
        }
    }

    fn options(args: &[(&str, &str)]) -> BuildOptions {
        let opts = args
            .iter()
            .map(|(k, v)| (format!("build-arg:{k}"), v.to_string()))
            .collect();
        BuildOptions::from_opts(&opts).unwrap()
    }

    fn golang(request: &ImageRequest) -> Result<ResolvedImage, String> {
        Ok(ResolvedImage {
            reference: request.reference.clone(),
            digest: Some(format!("sha256:{}", "1".repeat(64))),
            config: GOLANG_CONFIG.as_bytes().to_vec(),
        })
    }

    fn decision(detail: String) -> Decision {
        Decision {
            kind: RewriteKind::Deps,
            stage: 0,
            stage_label: "build".into(),
            span: Span { start: 3, end: 3 },
            applied: true,
            detail,
        }
    }

    /// Inserts a deps step before line 3 and gives the go build RUN a GOPROXY.
    fn inserting(_: &str, _: &Dockerfile, facts: &GoFacts, options: &RewriteOptions) -> Rewritten {
        let gopath = facts.stages[0].go_runs[0].env.gopath.clone();
        let enabled: Vec<&str> = options.enabled.iter().map(|k| k.name()).collect();
        Rewritten {
            text: REWRITTEN.into(),
            line_map: LineMap {
                original: vec![1, 2, 3, 3, 3, 4],
            },
            run_env: vec![RunEnv {
                rewritten_line: 6,
                vars: vec![("GOPROXY".into(), "http://secret-proxy".into())],
            }],
            decisions: vec![decision(format!(
                "gopath {gopath:?}, on: {}",
                enabled.join(",")
            ))],
            diagnostics: vec![Diagnostic {
                severity: Severity::Warning,
                code: "go-build-a",
                span: Span { start: 4, end: 4 },
                message: "-a defeats the build cache".into(),
            }],
        }
    }

    /// Changes nothing but reports a decision.
    fn deciding(text: &str, _: &Dockerfile, _: &GoFacts, _: &RewriteOptions) -> Rewritten {
        let mut r = Rewritten::unchanged(text);
        r.decisions.push(decision("nothing to do".into()));
        r
    }

    /// Reports an error diagnostic.
    fn failing(text: &str, _: &Dockerfile, _: &GoFacts, _: &RewriteOptions) -> Rewritten {
        let mut r = Rewritten::unchanged(text);
        r.diagnostics.push(Diagnostic {
            severity: Severity::Error,
            code: "go-mod-not-found",
            span: Span { start: 4, end: 4 },
            message: "go.mod is in app/, not /src".into(),
        });
        r
    }

    /// Names a RUN line that does not exist.
    fn broken(text: &str, _: &Dockerfile, _: &GoFacts, _: &RewriteOptions) -> Rewritten {
        let mut r = Rewritten::unchanged(text);
        r.run_env.push(RunEnv {
            rewritten_line: 2,
            vars: vec![("GOFLAGS".into(), "-x".into())],
        });
        r
    }

    fn plan_with(
        rewriter: Rewriter,
        options: &BuildOptions,
        context: Option<ContextFacts>,
    ) -> Result<Plan, FrontendError> {
        let facts = facts();
        let df = super::super::parse(GO_SOURCE.as_bytes()).unwrap();
        Planner::new(df, GO_SOURCE.as_bytes(), options, &facts, &[], None)
            .with_context_facts(context)
            .with_rewriter(rewriter)
            .run(golang)
    }

    fn bytes(plan: &Plan) -> Vec<u8> {
        crate::llb::encode_definition(&plan.converted.builds[0].definition)
    }

    fn context() -> Option<ContextFacts> {
        let mut c = ContextFacts::default();
        c.insert("go.mod", b"module example.com/m\n\ngo 1.22\n".to_vec());
        Some(c)
    }

    #[test]
    fn unchanged_build_is_byte_identical_to_rewriting_off() {
        let off = plan_with(deciding, &options(&[("GOFRONT", "off")]), context()).unwrap();
        assert!(off.go.is_none());
        let on = plan_with(deciding, &options(&[]), context()).unwrap();
        assert_eq!(bytes(&off), bytes(&on));
        let report = on.go.expect("a Go stage gets a report");
        assert_eq!(report.rewritten.decisions[0].detail, "nothing to do");
        let directive = "# gofront=off\n".to_string() + GO_SOURCE;
        let facts = facts();
        let opts = options(&[]);
        let df = super::super::parse(directive.as_bytes()).unwrap();
        let plan = Planner::new(df, directive.as_bytes(), &opts, &facts, &[], None)
            .with_rewriter(inserting)
            .run(golang)
            .unwrap();
        assert!(plan.go.is_none(), "the directive turns every rewrite off");
    }

    #[test]
    fn rewritten_dockerfile_is_converted_with_user_lines_and_run_env() {
        let plan = plan_with(inserting, &options(&[]), context()).unwrap();
        let build = &plan.converted.builds[0];
        let vertices = definition_vertices(&build.definition).unwrap();
        let exec = |needle: &str| {
            vertices
                .iter()
                .find_map(|v| match &v.op.op {
                    Some(pb::op::Op::Exec(e))
                        if e.meta.as_ref().unwrap().args.join(" ").contains(needle) =>
                    {
                        Some((v.digest.to_string(), v.name.clone().unwrap(), e.clone()))
                    }
                    _ => None,
                })
                .unwrap_or_else(|| panic!("no exec running {needle}"))
        };
        let (download, name, _) = exec("go mod download");
        assert!(name.contains("RUN go mod download"), "{name}");
        let (_, build_name, go_build) = exec("go build");
        let env = &go_build.meta.as_ref().unwrap().env;
        assert!(
            env.contains(&"GOPROXY=http://secret-proxy".to_string()),
            "{env:?}"
        );
        assert!(!build_name.contains("secret"), "{build_name}");
        let config = String::from_utf8(build.image_config.clone()).unwrap();
        assert!(!config.contains("secret"), "{config}");
        // The inserted step points at the user's COPY line; the source is the user's file.
        let source = build.definition.source.as_ref().unwrap();
        assert_eq!(source.infos[0].data, GO_SOURCE.as_bytes());
        let ranges = &source.locations[&download].locations[0].ranges;
        assert_eq!(ranges[0].start.as_ref().unwrap().line, 3);
        // The analysis saw the resolved image config; deps was on with facts.
        let report = plan.go.unwrap();
        let detail = &report.rewritten.decisions[0].detail;
        assert!(detail.contains("/gopath-from-config"), "{detail}");
        assert!(
            detail.contains("deps") && detail.contains("diagnose"),
            "{detail}"
        );
        // Diagnostic warnings join the convert warnings.
        let w = plan.converted.warnings.last().unwrap();
        assert_eq!(
            (w.rule.as_str(), w.span),
            ("go-build-a", Some(Span { start: 4, end: 4 }))
        );
    }

    #[test]
    fn error_diagnostics_fail_with_the_users_span_and_keep_the_report() {
        let facts = facts();
        let opts = options(&[]);
        let df = super::super::parse(GO_SOURCE.as_bytes()).unwrap();
        let mut planner = Planner::new(df, GO_SOURCE.as_bytes(), &opts, &facts, &[], None)
            .with_context_facts(context())
            .with_rewriter(failing);
        let err = planner.run_mut(golang).unwrap_err();
        assert_eq!(err.span(), Some(Span { start: 4, end: 4 }));
        assert_eq!(err.to_string(), "go.mod is in app/, not /src");
        assert!(planner.report().is_some());
        // With diagnose skipped, the finding is not reported at all.
        let skip = options(&[("GOFRONT_SKIP", "diagnose")]);
        assert!(plan_with(failing, &skip, context()).is_ok());
    }

    #[test]
    fn unknown_skip_names_are_an_options_error() {
        let err =
            plan_with(deciding, &options(&[("GOFRONT_SKIP", "deps,cahce")]), None).unwrap_err();
        assert!(matches!(err, FrontendError::Options(_)), "{err:?}");
        assert!(err.to_string().contains("cahce"), "{err}");
    }

    #[test]
    fn without_context_facts_deps_and_diagnose_are_skipped_with_a_reason() {
        let facts = facts();
        let opts = options(&[]);
        let df = super::super::parse(GO_SOURCE.as_bytes()).unwrap();
        let plan = Planner::new(df, GO_SOURCE.as_bytes(), &opts, &facts, &[], None)
            .with_missing_facts_reason("remote context")
            .with_rewriter(inserting)
            .run(golang)
            .unwrap();
        let decisions = plan.go.unwrap().rewritten.decisions;
        let skipped: Vec<(RewriteKind, bool, &str)> = decisions
            .iter()
            .filter(|d| !d.applied)
            .map(|d| (d.kind, d.applied, d.detail.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                (RewriteKind::Deps, false, "remote context"),
                (RewriteKind::Diagnose, false, "remote context")
            ]
        );
    }

    #[test]
    fn builtin_go_images_stand_in_only_without_a_resolved_config() {
        let facts = facts();
        let opts = options(&[]);
        let df = super::super::parse(GO_SOURCE.as_bytes()).unwrap();
        let plan = Planner::new(df, GO_SOURCE.as_bytes(), &opts, &facts, &[], None)
            .with_builtin_images()
            .with_rewriter(inserting)
            .run(unresolved_image)
            .unwrap();
        let detail = &plan.go.unwrap().rewritten.decisions[0].detail;
        assert!(detail.contains("Some(\"/go\")"), "{detail}");
        let df = super::super::parse(GO_SOURCE.as_bytes()).unwrap();
        let plan = Planner::new(df, GO_SOURCE.as_bytes(), &opts, &facts, &[], None)
            .with_rewriter(inserting)
            .run(unresolved_image)
            .unwrap();
        let detail = &plan.go.unwrap().rewritten.decisions[0].detail;
        assert!(!detail.contains("Some(\"/go\")"), "{detail}");
    }

    /// Rewrites into a Dockerfile that parses but does not convert (a stage copying from
    /// itself: a circular dependency).
    fn unconvertible(text: &str, df: &Dockerfile, f: &GoFacts, o: &RewriteOptions) -> Rewritten {
        let mut r = inserting(text, df, f, o);
        r.text = r
            .text
            .replace("COPY go.mod ./", "COPY --from=build go.mod ./");
        r
    }

    fn passthrough_bytes() -> Vec<u8> {
        bytes(&plan_with(deciding, &options(&[("GOFRONT", "off")]), context()).unwrap())
    }

    #[test]
    fn a_run_env_without_its_run_falls_back_to_the_dockerfile_as_written() {
        let plan = plan_with(broken, &options(&[]), context()).unwrap();
        assert_eq!(bytes(&plan), passthrough_bytes());
        let report = plan.go.unwrap();
        let warning = report
            .warnings()
            .into_iter()
            .find(|w| w.rule == "rewrite-dropped")
            .expect("a rewrite-dropped warning");
        assert!(
            warning.message.contains("no RUN starts at line 2"),
            "{}",
            warning.message
        );
    }

    #[test]
    fn a_rewritten_dockerfile_that_does_not_convert_falls_back_to_the_original() {
        let plan = plan_with(unconvertible, &options(&[]), context()).unwrap();
        assert_eq!(bytes(&plan), passthrough_bytes());
        let report = plan.go.unwrap();
        assert_eq!(report.rewritten.text, GO_SOURCE);
        assert!(report.rewritten.run_env.is_empty());
        let d = &report.rewritten.decisions[0];
        assert!(!d.applied);
        assert!(
            d.detail
                .starts_with("not applied: the rewritten Dockerfile does not convert"),
            "{}",
            d.detail
        );
        assert!(report
            .warnings()
            .iter()
            .any(|w| w.rule == "rewrite-dropped"));
    }

    #[test]
    fn phase2_maps_spans_and_keys_env_by_command() {
        let r = inserting(
            "",
            &super::super::parse(b"FROM x\n").unwrap(),
            &go_facts(),
            &RewriteOptions::default(),
        );
        let p = phase2(&r).unwrap();
        let spans: Vec<usize> = p.dockerfile.stages[0]
            .commands
            .iter()
            .map(|c| c.span.start)
            .collect();
        assert_eq!(spans, [2, 3, 3, 3, 4]);
        assert_eq!(
            p.run_env.keys().collect::<Vec<_>>(),
            [&CommandRef {
                stage: 0,
                command: 4
            }]
        );
    }

    fn go_facts() -> GoFacts {
        let df = super::super::parse(GO_SOURCE.as_bytes()).unwrap();
        let images = BTreeMap::<String, BaseImage>::new();
        let args = BTreeMap::new();
        gather(
            &AnalyzeInput {
                dockerfile: &df,
                build_args: &args,
                images: &images,
                target: None,
            },
            &ContextFacts::default(),
        )
    }

    #[test]
    fn needs_context_facts_only_for_go_stages_with_rewriting_on() {
        let df = super::super::parse(GO_SOURCE.as_bytes()).unwrap();
        assert!(super::super::needs_context_facts(&df, &options(&[])));
        assert!(!super::super::needs_context_facts(
            &df,
            &options(&[("GOFRONT", "off")])
        ));
        assert!(!super::super::needs_context_facts(
            &df,
            &options(&[("GOFRONT_SKIP", "nope")])
        ));
        let plain = super::super::parse(b"FROM busybox\nRUN echo go build\n").unwrap();
        assert!(!super::super::needs_context_facts(&plain, &options(&[])));
    }
}
