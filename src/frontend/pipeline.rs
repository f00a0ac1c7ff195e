//! The pipeline (see the parent module) as a loop driven by its caller. A subrequest is
//! answered from the Dockerfile alone. A build first parses the Dockerfile, then asks for the
//! build context it needs, one [`ContextRequest`] at a time (the main and named `.dockerignore`
//! files, the frontend inputs, the Go module files when a stage runs the go tool), then
//! converts in two phases: phase 1 converts the user's Dockerfile, resolving every base image
//! on demand ([`Step::NeedImages`]); then the Go analysis (with those images' configs and the
//! Go module files) plans the rewrites; when they change the build, phase 2 converts the
//! rewritten Dockerfile (spans mapped back to the user's lines, extra RUN env) with the same
//! images. When nothing changes, the phase 1 result is the plan, byte for byte (passthrough).
//!
//! Not for: I/O; the caller reads the context and resolves images.

use std::collections::BTreeMap;

use crate::checks::Report;
use crate::convert::reference::Reference;
use crate::convert::{
    self, CommandRef, ConvertError, ConvertInput, Converted, DaemonInfo, ImageRequest,
    ImageResolver, ResolvedImage, RunProcesses,
};
use crate::dockerfile::ast::{Dockerfile, Instruction, Span};
use crate::dockerui::files::Take;
use crate::dockerui::{sources, BuildContext, ContextFiles, Dockerignore, MainContext};
use crate::golang::analyze::{AnalyzeInput, BaseImage};
use crate::golang::facts::{gather, ContextFacts, Diagnostic, GoFacts, Severity, MANIFEST_NAMES};
use crate::golang::rewrite::{rewrite, Decision, RewriteKind, RewriteOptions, Rewritten};
use crate::options::BuildOptions;
use crate::platform::Platform;

use super::checks::{check_build_arg, BuildChecks};
use super::render::SubrequestResult;
use super::request::{ContextAnswer, ContextRequest, ContextSource, FilesRequest, Request};
use super::{known_images, FrontendError, MAX_RESOLVE_ROUNDS};

/// The result of planning: what to solve and what to return.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The converter's output (per-platform Definition and image config, warnings).
    pub converted: Converted,
    /// The Go rewrites planned for this build (`None` when rewriting is off or no stage runs
    /// the go tool).
    pub go: Option<GoReport>,
    /// What the build checks report (build warnings, first platform only).
    pub checks: Report,
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

    /// Drops the diagnostics the checks configuration skips (`# check=skip=GoModNotFound`):
    /// they are neither reported nor, for errors, stop the build.
    fn drop_skipped(&mut self, checks: &BuildChecks) {
        self.rewritten.diagnostics.retain(|d| checks.reports(d));
    }

    /// The summary `gofront rewrite` prints: one `gofront: <decision>` line per decision, then
    /// `warning|error: line N: message` per reported diagnostic.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for d in &self.rewritten.decisions {
            out.push_str(&format!("gofront: {d}\n"));
        }
        for d in self.diagnostics() {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            out.push_str(&format!("{level}: line {}: {}\n", d.span.start, d.message));
        }
        out
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

/// What the pipeline produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A build: what to solve and return.
    Plan(Box<Plan>),
    /// A subrequest's answer (`--call outline|targets`, describe).
    Answer(SubrequestResult),
}

/// One step's outcome.
#[derive(Debug, Clone)]
pub enum Step {
    /// Finished.
    Done(Outcome),
    /// Read this from the build context, hand it to [`Pipeline::provide_context`], and step
    /// again.
    NeedContext(ContextRequest),
    /// Resolve these images, [`Pipeline::provide_image`] each, and step again.
    NeedImages(Vec<ImageRequest>),
}

/// The rewritten Dockerfile phase 2 converts.
struct Phase2 {
    dockerfile: Dockerfile,
    run_process: RunProcesses,
}

/// What is still to be read from the build context before conversion.
#[derive(Debug, Default)]
struct ContextReads {
    /// The main context's `.dockerignore`.
    dockerignore: bool,
    /// `local:` named contexts whose `.dockerignore` is unread: (key, local name).
    named: Vec<(String, String)>,
    /// The frontend inputs.
    inputs: bool,
    /// The Go module files.
    files: bool,
    /// With the headers of the Go source files (only the `seed` rewrite reads them).
    sources: bool,
}

/// THE pipeline: Dockerfile → context → convert → Go rewrites → convert, driven by
/// [`Pipeline::step`].
pub struct Pipeline {
    request: Request,
    dockerfile: Option<Dockerfile>,
    context: BuildContext,
    reads: ContextReads,
    context_facts: Option<ContextFacts>,
    facts_missing_reason: String,
    cache: ImageCache,
    rounds: usize,
    report: Option<GoReport>,
    phase2: Option<Phase2>,
    /// Phase 1's conversion of the Dockerfile as written: the fallback when the rewritten
    /// Dockerfile cannot be built (invariant 1: a rewrite never fails a working build).
    phase1: Option<Converted>,
    rewriter: Rewriter,
    /// The build checks (set once the Dockerfile was read).
    checks: Option<BuildChecks>,
}

/// The rewrite planner's signature ([`rewrite`]; tests substitute hand-built results).
type Rewriter = fn(&str, &Dockerfile, &GoFacts, &RewriteOptions) -> Rewritten;

/// Why deps/diagnose are skipped when the Go module files were not read.
const NO_FACTS: &str = "the build context was not read (no go.mod/go.sum facts)";

/// Why a remote context has no Go module files.
const REMOTE_NO_FACTS: &str =
    "the build context is remote (git/http): gofront reads go.mod only from a local context";

/// The local name of the main context (`dockerui.DefaultLocalNameContext`).
const CONTEXT_LOCAL: &str = "context";

/// The files the Go analysis reads: go.mod, go.sum, go.work, go.work.sum anywhere, and
/// `vendor/modules.txt` (context-relative paths, `/`-separated).
pub fn is_module_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    MANIFEST_NAMES.contains(&name)
        || path == "vendor/modules.txt"
        || path.ends_with("/vendor/modules.txt")
}

/// What the Go analysis reads of a context file when no rewrite needs the Go sources: module
/// files whole, nothing else.
pub fn module_files_take(path: &str) -> Take {
    if is_module_file(path) {
        Take::Whole
    } else {
        Take::Skip
    }
}

/// What the Go analysis reads of a context file: module files whole, the head of Go source
/// files (their imports; not under `vendor/` or `testdata/`, not tests).
pub fn context_take(path: &str) -> Take {
    if is_module_file(path) {
        return Take::Whole;
    }
    let in_dir = |d: &str| path.starts_with(&format!("{d}/")) || path.contains(&format!("/{d}/"));
    if path.ends_with(".go")
        && !path.ends_with("_test.go")
        && !in_dir("vendor")
        && !in_dir("testdata")
    {
        return Take::Head;
    }
    Take::Skip
}

impl Pipeline {
    /// A pipeline for `request`; nothing runs before the first [`Pipeline::step`].
    pub fn new(request: Request) -> Self {
        Pipeline {
            request,
            dockerfile: None,
            context: BuildContext::default(),
            reads: ContextReads::default(),
            context_facts: None,
            facts_missing_reason: NO_FACTS.to_string(),
            cache: ImageCache::default(),
            rounds: 0,
            report: None,
            phase2: None,
            phase1: None,
            rewriter: rewrite,
            checks: None,
        }
    }

    /// Uses `rewriter` instead of [`rewrite`] (tests of the pipeline around it).
    #[cfg(test)]
    fn with_rewriter(mut self, rewriter: Rewriter) -> Self {
        self.rewriter = rewriter;
        self
    }

    /// The request being planned (its options and Dockerfile, for the caller's own use).
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The Go rewrite report, once the analysis ran (also when it stopped the build with an
    /// error diagnostic).
    pub fn report(&self) -> Option<&GoReport> {
        self.report.as_ref()
    }

    /// Runs until the next thing the caller must provide, or to the end.
    pub fn step(&mut self) -> Result<Step, FrontendError> {
        check_build_arg(&self.request.options)?;
        if let Some(subrequest) = self
            .request
            .options
            .subrequest
            .as_ref()
            .filter(|_| !self.linting())
        {
            let answer = super::subrequest(
                subrequest,
                &self.request.dockerfile.data,
                &self.request.options,
            )?;
            return Ok(Step::Done(Outcome::Answer(answer)));
        }
        if self.dockerfile.is_none() {
            let parsed = super::parse(&self.request.dockerfile.data);
            if self.checks.is_none() {
                let text = String::from_utf8_lossy(&self.request.dockerfile.data);
                let error_line = parsed
                    .as_ref()
                    .err()
                    .and_then(|e| e.span())
                    .map(|s| s.start);
                match BuildChecks::new(&text, &self.request.options, error_line) {
                    Ok(checks) => self.checks = Some(checks),
                    Err(e) => return self.fail(e),
                }
            }
            let dockerfile = match parsed {
                Ok(d) => d,
                Err(e) => return self.fail(e),
            };
            self.plan_context_reads(&dockerfile);
            self.dockerfile = Some(dockerfile);
        }
        if let Some(request) = self.next_context_request()? {
            return Ok(Step::NeedContext(request));
        }
        self.convert_step()
    }

    /// After parsing: what the build context must provide, like `dockerfile.v0` reads it (no
    /// `.dockerignore` and no Go module files for a remote context).
    fn plan_context_reads(&mut self, dockerfile: &Dockerfile) {
        let options = &self.request.options;
        match &self.request.context {
            ContextSource::Local {
                dockerignore: Some(own),
            } => self.context.main = MainContext::Local(own.clone()),
            ContextSource::Local { dockerignore: None } => self.reads.dockerignore = true,
            ContextSource::Remote { remote, archive } => {
                self.context.main = MainContext::Remote {
                    remote: remote.clone(),
                    archive: *archive,
                };
            }
        }
        self.reads.named = options
            .named_contexts
            .iter()
            .filter_map(|(key, value)| Some((key.clone(), value.strip_prefix("local:")?.into())))
            .collect();
        self.reads.inputs = options
            .named_contexts
            .values()
            .any(|v| v.starts_with("input:"));
        match &self.request.context {
            ContextSource::Remote { .. } => self.facts_missing_reason = REMOTE_NO_FACTS.into(),
            ContextSource::Local { .. } => {
                self.reads.files = needs_context_facts(dockerfile, options);
                self.reads.sources = self.reads.files && reads_go_sources(dockerfile, options);
            }
        }
    }

    /// The next read the build context owes, in `dockerfile.v0`'s order.
    fn next_context_request(&mut self) -> Result<Option<ContextRequest>, FrontendError> {
        let daemon = &self.request.daemon;
        let llb = |e: crate::llb::LlbError| FrontendError::Llb(e.to_string());
        if self.reads.dockerignore {
            let options = &self.request.options;
            let definition = sources::dockerignore_source(
                CONTEXT_LOCAL,
                &options.session_for(CONTEXT_LOCAL, &daemon.session_id),
                &Platform::host(),
                &daemon.llb_caps,
            )
            .map_err(llb)?;
            return Ok(Some(ContextRequest::Dockerignore { definition }));
        }
        if let Some((key, local)) = self.reads.named.first() {
            let definition = sources::named_dockerignore_source(
                local,
                key,
                &self.request.options.session_for(local, &daemon.session_id),
                &Platform::host(),
                &daemon.llb_caps,
            )
            .map_err(llb)?;
            return Ok(Some(ContextRequest::NamedDockerignore {
                key: key.clone(),
                definition,
            }));
        }
        if self.reads.inputs {
            return Ok(Some(ContextRequest::Inputs));
        }
        if self.reads.files {
            let dockerignore = match &self.context.main {
                MainContext::Local(ignore) => ignore.clone(),
                MainContext::Remote { .. } => Dockerignore::default(),
            };
            let options = &self.request.options;
            let local = match options.context_key.as_str() {
                "" => CONTEXT_LOCAL,
                key => key,
            };
            match sources::context_files_source(
                local,
                &options.session_for(local, &daemon.session_id),
                &ContextFacts::include_patterns(self.reads.sources),
                dockerignore.patterns(),
                &Platform::host(),
                &daemon.llb_caps,
            ) {
                Ok(definition) => {
                    return Ok(Some(ContextRequest::Files(FilesRequest {
                        definition,
                        dockerignore,
                        select: if self.reads.sources {
                            context_take
                        } else {
                            module_files_take
                        },
                    })))
                }
                Err(e) => {
                    self.reads.files = false;
                    self.facts_missing_reason = format!("cannot read the build context: {e}");
                }
            }
        }
        Ok(None)
    }

    /// Hands over what a [`Step::NeedContext`] asked for.
    pub fn provide_context(&mut self, answer: ContextAnswer) {
        match answer {
            ContextAnswer::Dockerignore(data) => {
                self.context.main = MainContext::Local(Dockerignore::parse(&data));
                self.reads.dockerignore = false;
            }
            ContextAnswer::NamedDockerignore { key, data } => {
                self.reads.named.retain(|(k, _)| *k != key);
                self.context
                    .named_dockerignores
                    .insert(key, Dockerignore::parse(&data));
            }
            ContextAnswer::Inputs(inputs) => {
                self.context.inputs = inputs;
                self.reads.inputs = false;
            }
            ContextAnswer::Files(files) => {
                self.reads.files = false;
                match files {
                    Ok(files) => self.context_facts = Some(context_facts(files)),
                    Err(reason) => self.facts_missing_reason = reason,
                }
            }
        }
    }

    /// Runs the converter with what is resolved so far.
    fn convert_step(&mut self) -> Result<Step, FrontendError> {
        let result = {
            let Some(user) = &self.dockerfile else {
                return Err(FrontendError::Llb("the Dockerfile was not parsed".into()));
            };
            let no_changes = RunProcesses::new();
            let (dockerfile, run_process) = match &self.phase2 {
                Some(p) => (&p.dockerfile, &p.run_process),
                None => (user, &no_changes),
            };
            let input = ConvertInput {
                dockerfile,
                source: &self.request.dockerfile,
                options: &self.request.options,
                daemon: &self.request.daemon,
                context: &self.context,
                run_process,
            };
            convert::convert_checked(&input, &self.cache)
        };
        let (result, findings) = result;
        if self.phase2.is_none() && self.phase1.is_none() {
            if let Some(checks) = self.checks.as_mut() {
                checks.set_convert(findings);
            }
        }
        let converted = match result {
            Ok(converted) => converted,
            Err(ConvertError::Dockerfile { message, span }) => match self.phase1.take() {
                // The rewritten Dockerfile does not convert, the original did: build that.
                Some(original) if self.phase2.is_some() => {
                    self.phase2 = None;
                    self.drop_rewrites(&format!(
                        "the rewritten Dockerfile does not convert: {message}"
                    ));
                    return self.done(original);
                }
                _ => return self.fail(FrontendError::Dockerfile { message, span }),
            },
            Err(ConvertError::NeedImages(requests)) => return self.need_images(requests),
        };
        if self.phase2.is_none() && self.phase1.is_none() {
            self.phase1 = Some(converted.clone());
            if let Err(e) = self.plan_go() {
                return self.fail(e);
            }
            if self.phase2.is_some() && !self.linting() {
                return self.convert_step();
            }
        }
        self.done(converted)
    }

    /// Falls back to the Dockerfile as written after a rewrite turned out unbuildable (a bug
    /// in gofront, never the user's): every applied decision becomes skipped with the reason,
    /// and a warning says so.
    fn drop_rewrites(&mut self, reason: &str) {
        let Some(report) = self.report.as_mut() else {
            return;
        };
        let text = String::from_utf8_lossy(&self.request.dockerfile.data);
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
        let Some(dockerfile) = &self.dockerfile else {
            return Ok(());
        };
        let request = &self.request;
        let options = RewriteOptions::for_build(
            &request.options.build_args,
            dockerfile.directives.gofront.as_deref(),
        )
        .map_err(FrontendError::Options)?;
        if options.enabled.is_empty() {
            return Ok(());
        }
        let platform = first_target_platform(&request.options, &request.daemon);
        let stage = crate::convert::stages::target_stage_name(dockerfile, &request.options);
        let build_args = analysis_args(&request.options, &request.daemon, &platform, &stage);
        let cache = &self.cache;
        let builtin = request.builtin_go_images;
        let images = |reference: &str| base_image(cache, builtin, reference, &platform);
        let input = AnalyzeInput {
            dockerfile,
            build_args: &build_args,
            images: &images,
            target: request.options.target.as_deref().filter(|t| !t.is_empty()),
        };
        let mut effective = options.clone();
        if self.context_facts.is_none() {
            effective.enabled.remove(&RewriteKind::Deps);
            effective.enabled.remove(&RewriteKind::Diagnose);
        }
        let empty = ContextFacts::default();
        let go = gather(&input, self.context_facts.as_ref().unwrap_or(&empty));
        if !go.stages.iter().any(|s| s.is_go_stage()) {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&request.dockerfile.data);
        let mut rewritten = (self.rewriter)(&text, dockerfile, &go, &effective);
        if self.context_facts.is_none() {
            rewritten.decisions.extend(missing_facts_decisions(
                &go,
                &options,
                &self.facts_missing_reason,
            ));
            // One summary order whatever produced a decision: by stage, then by kind.
            rewritten.decisions.sort_by_key(|d| (d.stage, d.kind));
        }
        let mut report = GoReport { rewritten, options };
        if let Some(checks) = &self.checks {
            report.drop_skipped(checks);
        }
        // `--check` reports error diagnoses as findings; it never stops on them.
        let error = report.first_error().cloned().filter(|_| !self.linting());
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

    /// Hands a resolved image to the next [`Pipeline::step`].
    pub fn provide_image(&mut self, request: &ImageRequest, image: ResolvedImage) {
        self.cache.insert(request, image);
    }

    /// Runs to the end synchronously: `read` answers the context requests, `resolve` the
    /// image requests (a resolver error fails the build, naming the image).
    pub fn run(
        &mut self,
        mut read: impl FnMut(&ContextRequest) -> ContextAnswer,
        mut resolve: impl FnMut(&ImageRequest) -> Result<ResolvedImage, String>,
    ) -> Result<Outcome, FrontendError> {
        loop {
            match self.step()? {
                Step::Done(outcome) => return Ok(outcome),
                Step::NeedContext(request) => {
                    let answer = read(&request);
                    self.provide_context(answer);
                }
                Step::NeedImages(requests) => {
                    for r in requests {
                        match resolve(&r) {
                            Ok(image) => self.provide_image(&r, image),
                            Err(message) => {
                                let e = FrontendError::Resolve {
                                    reference: r.reference.clone(),
                                    message,
                                };
                                if let Step::Done(outcome) = self.fail(e)? {
                                    return Ok(outcome);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The Go module files as the analysis reads them.
fn context_facts(files: ContextFiles) -> ContextFacts {
    let mut facts = ContextFacts::default();
    for (path, data) in files {
        facts.insert(&path, data);
    }
    facts
}

/// True when a RUN of the Dockerfile runs the go tool where gofront can see it (heredoc
/// scripts included).
fn mentions_go(dockerfile: &Dockerfile) -> bool {
    dockerfile
        .stages
        .iter()
        .flat_map(|s| s.commands.iter())
        .any(|c| match &c.instruction {
            Instruction::Run(run) => !crate::golang::analyze::scan_run(run, "/", None)
                .go
                .is_empty(),
            _ => false,
        })
}

/// Whether planning this build would use the Go source files: only the `seed` rewrite does
/// (their imports), and it needs `deps`. Reading thousands of them costs a round trip to the
/// daemon each, so a build that turns either off does not pay for it.
fn reads_go_sources(dockerfile: &Dockerfile, options: &BuildOptions) -> bool {
    rewrites_on(dockerfile, options, |o| {
        o.is_on(RewriteKind::Seed) && o.is_on(RewriteKind::Deps)
    })
}

/// `wanted` of the build's rewrite options; `false` when they are invalid (planning reports it).
fn rewrites_on(
    dockerfile: &Dockerfile,
    options: &BuildOptions,
    wanted: impl FnOnce(&RewriteOptions) -> bool,
) -> bool {
    RewriteOptions::for_build(
        &options.build_args,
        dockerfile.directives.gofront.as_deref(),
    )
    .is_ok_and(|o| wanted(&o))
}

/// Whether planning this build would use the Go module files: some stage runs the go tool and
/// rewriting is not turned off (an invalid `GOFRONT_SKIP` gives `false`: planning reports it).
fn needs_context_facts(dockerfile: &Dockerfile, options: &BuildOptions) -> bool {
    use crate::golang::analyze::analyze;
    if !rewrites_on(dockerfile, options, |o| !o.enabled.is_empty()) {
        return false;
    }
    // A RUN that runs the go tool makes a Go stage: no need for the analysis (the expensive
    // part of this decision). Without one, only the analysis knows (make, scripts, xx-go in a
    // stage with Go).
    if mentions_go(dockerfile) {
        return true;
    }
    let images = BTreeMap::<String, BaseImage>::new();
    let input = AnalyzeInput {
        dockerfile,
        build_args: &options.build_args,
        images: &images,
        target: options.target.as_deref().filter(|t| !t.is_empty()),
    };
    analyze(&input).iter().any(|s| s.is_go_stage())
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
    let mut run_process = RunProcesses::new();
    let run_at = |line: usize| {
        run_at_line(&dockerfile, line).ok_or_else(|| {
            internal(
                format!("no RUN starts at line {line} of the rewritten Dockerfile"),
                Some(r.line_map.span(Span {
                    start: line,
                    end: line,
                })),
            )
        })
    };
    for env in &r.run_env {
        let at = run_at(env.rewritten_line)?;
        if !env.vars.is_empty() {
            run_process
                .entry(at)
                .or_default()
                .env
                .extend(env.vars.iter().cloned());
        }
    }
    for &line in &r.run_cross {
        run_process.entry(run_at(line)?).or_default().cross_compile = true;
    }
    if let Some(script) = &r.fetch_script {
        for &line in &r.run_wraps {
            run_process.entry(run_at(line)?).or_default().wrap = Some(script.clone());
        }
    }
    dockerfile.map_spans(|s| r.line_map.span(s));
    Ok(Phase2 {
        dockerfile,
        run_process,
    })
}

fn run_at_line(df: &Dockerfile, line: usize) -> Option<CommandRef> {
    df.stages.iter().enumerate().find_map(|(stage, st)| {
        st.commands.iter().enumerate().find_map(|(command, cmd)| {
            (cmd.span.start == line && matches!(cmd.instruction, Instruction::Run(_)))
                .then_some(CommandRef { stage, command })
        })
    })
}

/// deps and diagnose need the context facts: one skipped decision per Go stage for each that
/// was on.
fn missing_facts_decisions(go: &GoFacts, options: &RewriteOptions, reason: &str) -> Vec<Decision> {
    let kinds = [RewriteKind::Deps, RewriteKind::Diagnose];
    let mut out = Vec::new();
    for st in go.stages.iter().filter(|s| s.is_go_stage()) {
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
fn first_target_platform(options: &BuildOptions, daemon: &DaemonInfo) -> Platform {
    match options.platforms.first() {
        Some(p) => p.clone(),
        None if daemon.build_platform.os.is_empty()
            || daemon.build_platform.architecture.is_empty() =>
        {
            Platform::host()
        }
        None => daemon.build_platform.clone(),
    }
}

/// Build args plus the automatic platform args (a build arg of the same name wins), so FROM
/// lines and RUNs expand like the converter expands them.
fn analysis_args(
    options: &BuildOptions,
    daemon: &DaemonInfo,
    target: &Platform,
    stage: &str,
) -> BTreeMap<String, String> {
    let bp = if daemon.build_platform.os.is_empty() {
        Platform::host()
    } else {
        daemon.build_platform.clone()
    };
    let mut args: BTreeMap<String, String> = crate::platform::automatic_args(&bp, target, stage)
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

mod checks;
#[cfg(test)]
mod tests;
