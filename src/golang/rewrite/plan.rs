//! The planner: per Go stage, decides each rewrite (applied, or skipped and why) from the
//! facts, and records the text edits that apply it.
//!
//! Go behaviour this relies on (checked with Go 1.22.12 against the test bed's module proxy):
//! - `go mod download` with no arguments works in workspace mode (go.work + members' go.mod and
//!   go.sum only) and with a local replace when the target's go.mod is present; without the
//!   target's go.mod it fails, so a replace target that is missing or outside the context skips
//!   the deps step.
//! - After it, `go build` of the full sources needs no further download (checked with
//!   GOPROXY=off for the 46-module service, the workspace and the replace layouts), and a
//!   second `go mod download` with a warm module cache makes zero proxy requests.
//! - It does not fail on an untidy go.mod (missing requirements), whereas `go build` does; so it
//!   never fails where the stock build would have succeeded for that reason.
//! - Without go.sum it *creates* one (and go.work.sum in workspace mode when a member lacks
//!   go.sum), which would survive the later COPY: a module that requires modules but has no
//!   go.sum skips the deps step.
//! - It honours GOFLAGS=-mod=vendor by downloading anyway, so vendored builds get no deps step.

use std::collections::{BTreeMap, BTreeSet};

use crate::dockerfile::ast::{CopyLike, Dockerfile, Instruction, Span};
use crate::dockerfile::instructions::{parse_mount, MountType};
use crate::golang::analyze::{
    CopyFact, GoInvocation, GoRun, StageAnalysis, StageBase, UserSpec, GO_ENV_NAMES,
};
use crate::golang::facts::{
    ctx_file, file_name, first_source_copy, rel_join, run_text, toolchain_diagnostic,
    works_outside_module, Diagnostic, GoFacts, ModuleView,
};
use crate::golang::modfile::ModFile;
use crate::golang::shellscan::clean_path;

use super::edit::{run_keyword_end, Edits, Insert};
use super::{Decision, RewriteKind, RewriteOptions};

/// Build args the env rewrite hands to go commands.
pub const PASSTHROUGH: [&str; 10] = [
    "GOPROXY",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GONOSUMCHECK",
    "GOINSECURE",
    "GOFLAGS",
    "GOAUTH",
    "GOTOOLCHAIN",
    "GOSUMDB",
];

/// Go env names that do not change what `go mod download` does (platform and cgo settings).
const DOWNLOAD_NEUTRAL: [&str; 8] = [
    "CGO_ENABLED",
    "GOOS",
    "GOARCH",
    "GOARM",
    "GOAMD64",
    "GOEXPERIMENT",
    "GOBIN",
    "GOLANG_VERSION",
];

/// Words that, before the go command in a RUN (or in a RUN between the deps step and it),
/// prepare something a separate download step would lack.
const SETUP_WORDS: [&str; 14] = [
    "git",
    "netrc",
    ".netrc",
    "ssh",
    "ssh-keyscan",
    "known_hosts",
    "export",
    "source",
    "update-ca-certificates",
    "apk",
    "apt-get",
    "apt",
    "yum",
    "dnf",
];

/// Subcommands (with their first argument) that edit go.mod/go.sum/go.work.
const MODULE_EDITS: [&str; 9] = [
    "get",
    "mod tidy",
    "mod edit",
    "mod init",
    "mod vendor",
    "work sync",
    "work use",
    "work edit",
    "work vendor",
];

/// What the cache rewrites did to one RUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RunCache {
    /// A mount flag was added.
    Added(String),
    /// The RUN mounts a cache there itself (raw `--mount` value).
    Already(String),
    /// Not mounted, and why.
    Skipped(String),
}

/// Outcome of one cache rewrite in one stage.
#[derive(Debug, Clone, Default)]
struct CacheOutcome {
    /// Why the whole stage is skipped.
    stage_skip: Option<String>,
    /// Per go RUN (by command index).
    runs: BTreeMap<usize, RunCache>,
}

/// Builds the decisions and edits of every Go stage.
pub(super) struct Planner<'a> {
    lines: Vec<&'a str>,
    df: &'a Dockerfile,
    facts: &'a GoFacts,
    options: &'a RewriteOptions,
    /// The text edits.
    pub edits: Edits,
    /// Decisions in Dockerfile order.
    pub decisions: Vec<Decision>,
    /// Diagnostics replaced because a GOTOOLCHAIN build arg reaches the RUN: (code, span) to
    /// drop, and the recomputed ones.
    pub toolchain_overrides: (Vec<Span>, Vec<Diagnostic>),
}

impl<'a> Planner<'a> {
    /// A planner over the user's text.
    pub fn new(
        text: &'a str,
        df: &'a Dockerfile,
        facts: &'a GoFacts,
        options: &'a RewriteOptions,
    ) -> Self {
        Planner {
            lines: text.split_inclusive('\n').collect(),
            df,
            facts,
            options,
            edits: Edits::default(),
            decisions: Vec::new(),
            toolchain_overrides: (Vec::new(), Vec::new()),
        }
    }

    /// Plans every Go stage.
    pub fn run(&mut self) {
        for s in &self.facts.stages {
            if s.go_runs.is_empty() {
                continue;
            }
            self.stage(s);
        }
    }

    fn stage(&mut self, s: &'a StageAnalysis) {
        let env = self.passthrough(s);
        self.toolchain_overrides(s, &env);
        let modcache = self.cache(s, CacheKind::Mod);
        let buildcache = self.cache(s, CacheKind::Build);
        let mut stage_decisions = Vec::new();
        if self.options.is_on(RewriteKind::Deps) {
            stage_decisions.push(self.deps(s, &modcache, &env));
        }
        if self.options.is_on(RewriteKind::ModCache) {
            stage_decisions.push(self.cache_decision(s, RewriteKind::ModCache, &modcache));
        }
        if self.options.is_on(RewriteKind::BuildCache) {
            stage_decisions.push(self.cache_decision(s, RewriteKind::BuildCache, &buildcache));
        }
        if self.options.is_on(RewriteKind::Env) {
            stage_decisions.push(self.env_decision(s, &env));
        }
        if self.options.is_on(RewriteKind::Diagnose) {
            stage_decisions.push(self.diagnose_decision(s));
        }
        self.decisions.extend(stage_decisions);
    }

    fn decision(
        &self,
        s: &StageAnalysis,
        kind: RewriteKind,
        span: Span,
        applied: bool,
        detail: String,
    ) -> Decision {
        Decision {
            kind,
            stage: s.index,
            stage_label: s.name.clone().unwrap_or_else(|| s.index.to_string()),
            span,
            applied,
            detail,
        }
    }

    fn first_run_span(s: &StageAnalysis) -> Span {
        s.go_runs.first().map_or(s.span, |r| r.span)
    }

    // ---------------------------------------------------------------- env passthrough

    /// Per go RUN (command index): the build args it receives, sorted by name. Empty when the
    /// env rewrite is off.
    fn passthrough(&self, s: &StageAnalysis) -> BTreeMap<usize, Vec<(String, String)>> {
        let mut out = BTreeMap::new();
        if !self.options.is_on(RewriteKind::Env) {
            return out;
        }
        for run in &s.go_runs {
            let vars: Vec<(String, String)> = PASSTHROUGH
                .iter()
                .filter(|n| !run.env.from_dockerfile.contains(**n))
                .filter_map(|n| {
                    let v = self.options.build_args.get(*n)?;
                    Some((n.to_string(), v.clone()))
                })
                .collect();
            out.insert(run.command_index, vars);
        }
        out
    }

    fn env_decision(
        &mut self,
        s: &StageAnalysis,
        env: &BTreeMap<usize, Vec<(String, String)>>,
    ) -> Decision {
        let span = Self::first_run_span(s);
        let given: Vec<&str> = PASSTHROUGH
            .iter()
            .copied()
            .filter(|n| self.options.build_args.contains_key(*n))
            .collect();
        if given.is_empty() {
            return self.decision(
                s,
                RewriteKind::Env,
                span,
                false,
                "no Go settings among the build args".into(),
            );
        }
        let mut reached: BTreeSet<&str> = BTreeSet::new();
        let mut lines = Vec::new();
        for run in &s.go_runs {
            let vars = env.get(&run.command_index).cloned().unwrap_or_default();
            if vars.is_empty() {
                continue;
            }
            for (k, _) in &vars {
                if let Some(n) = given.iter().find(|g| **g == k.as_str()) {
                    reached.insert(n);
                }
            }
            lines.push(run.span.start.to_string());
            self.edits.run_env.insert(run.span.start, vars);
        }
        let left: Vec<&str> = given
            .iter()
            .copied()
            .filter(|n| !reached.contains(n))
            .collect();
        let left_note = if left.is_empty() {
            String::new()
        } else {
            format!("; {} left to the Dockerfile's own ENV/ARG", left.join(", "))
        };
        if reached.is_empty() {
            return self.decision(
                s,
                RewriteKind::Env,
                span,
                false,
                format!(
                    "{} set by the Dockerfile's own ENV/ARG (stock semantics apply)",
                    left.join(", ")
                ),
            );
        }
        let names: Vec<&str> = reached.into_iter().collect();
        self.decision(
            s,
            RewriteKind::Env,
            span,
            true,
            format!(
                "{} passed to the go commands on {}{left_note}",
                names.join(", "),
                line_list(&lines)
            ),
        )
    }

    // ---------------------------------------------------------------- cache mounts

    fn cache(&self, s: &StageAnalysis, kind: CacheKind) -> CacheOutcome {
        let mut out = CacheOutcome::default();
        let on = match kind {
            CacheKind::Mod => self.options.is_on(RewriteKind::ModCache),
            CacheKind::Build => self.options.is_on(RewriteKind::BuildCache),
        };
        if !on {
            return out;
        }
        if let Some(reason) = self.stage_cache_skip(s, kind) {
            out.stage_skip = Some(reason);
            return out;
        }
        for run in s.go_runs.iter().filter(|r| runs_build_like(r)) {
            out.runs
                .insert(run.command_index, self.run_cache(s, run, kind));
        }
        if out.runs.is_empty() {
            out.stage_skip = Some("no go command here builds, tests or downloads".into());
        }
        out
    }

    fn stage_cache_skip(&self, s: &StageAnalysis, kind: CacheKind) -> Option<String> {
        let chain = self.chain(s.index);
        for st in &chain {
            if let StageBase::Image {
                config_known: false,
                ..
            } = st.base
            {
                return Some(format!(
                    "the config of the base image (line {}) is not known, so the cache path is not either",
                    st.span.start
                ));
            }
            if let Some(w) = st.go_env_writes.first() {
                return Some(format!(
                    "`go env -w` on line {} keeps settings gofront cannot see",
                    w.start
                ));
            }
        }
        if s.go_runs.iter().any(|r| r.env.vars.contains_key("GOENV")) {
            return Some("GOENV points at a go env file gofront cannot see".into());
        }
        match kind {
            CacheKind::Mod => self.modcache_stage_skip(s, &chain),
            CacheKind::Build => self.mentions_skip(s, &["go-build", "GOCACHE"], kind),
        }
    }

    fn modcache_stage_skip(&self, s: &StageAnalysis, chain: &[&StageAnalysis]) -> Option<String> {
        if let Some(r) = s.module_cache_readers.first() {
            let how = match r.kind {
                crate::golang::analyze::CacheReaderKind::CopyFrom => "copies it",
                crate::golang::analyze::CacheReaderKind::MountFrom => "mounts it",
                crate::golang::analyze::CacheReaderKind::Inherits => {
                    "builds on this stage and runs go"
                }
                crate::golang::analyze::CacheReaderKind::Runtime => "runs go when the image starts",
            };
            return Some(format!("kept in the image: line {} {how}", r.span.start));
        }
        // A parent Go stage keeps its modules in its layers; a mount here would hide them.
        for parent in chain.iter().skip(1) {
            if parent.go_runs.iter().any(|r| {
                runs_build_like(r)
                    && !parent
                        .final_env
                        .gomodcache
                        .as_deref()
                        .is_some_and(|p| r.has_cache_mount_at(p))
            }) {
                return Some(format!(
                    "the stage it builds on (line {}) keeps downloaded modules in its image; a mount here would hide them",
                    parent.span.start
                ));
            }
        }
        self.mentions_skip(s, &["pkg/mod", "GOMODCACHE"], CacheKind::Mod)
    }

    /// Skips when a RUN that will not get the mount names the cache (`cp -r /go/pkg/mod/...`).
    fn mentions_skip(&self, s: &StageAnalysis, words: &[&str], kind: CacheKind) -> Option<String> {
        let stage = self.df.stages.get(s.index)?;
        let paths: BTreeSet<String> = s
            .go_runs
            .iter()
            .filter_map(|r| kind.path(&r.env).map(str::to_string))
            .collect();
        for (ci, cmd) in stage.commands.iter().enumerate() {
            let Instruction::Run(run) = &cmd.instruction else {
                continue;
            };
            let mounted = s
                .go_runs
                .iter()
                .any(|r| r.command_index == ci && runs_build_like(r));
            if mounted {
                continue;
            }
            let text = run_text(run);
            let hit = words.iter().any(|w| text.contains(w))
                || paths.iter().any(|p| text.contains(p.as_str()));
            if hit {
                return Some(format!(
                    "line {} uses the {} outside a go build, so it stays in the image",
                    cmd.span.start,
                    kind.noun()
                ));
            }
        }
        None
    }

    fn run_cache(&self, s: &StageAnalysis, run: &GoRun, kind: CacheKind) -> RunCache {
        let paths: BTreeSet<Option<&str>> = run
            .invocations
            .iter()
            .filter(|i| i.is_build_like())
            .map(|i| kind.path(&i.env))
            .collect();
        let path = match paths.into_iter().collect::<Vec<_>>().as_slice() {
            [Some(p)] => p.to_string(),
            [None] => {
                return RunCache::Skipped(format!(
                    "{} unknown: non-root USER without HOME or {} set",
                    kind.noun(),
                    kind.var()
                ))
            }
            _ => {
                return RunCache::Skipped(format!(
                    "the go commands use different {} paths",
                    kind.var()
                ))
            }
        };
        if kind == CacheKind::Build && path == "off" {
            return RunCache::Skipped("GOCACHE=off".into());
        }
        if let Some(raw) = self.own_cache_mount(s, run, &path) {
            return RunCache::Already(raw);
        }
        if !safe_path(&path) {
            return RunCache::Skipped(format!(
                "{} path cannot be written safely in a mount flag",
                kind.var()
            ));
        }
        let user = run.user_spec();
        let owner = if user.is_root() {
            String::new()
        } else {
            match owner_flags(&user) {
                Some(o) => o,
                None => return RunCache::Skipped(
                    "USER is a name, not a numeric uid (the cache mount's owner would be unknown)"
                        .into(),
                ),
            }
        };
        for inv in &run.invocations {
            let out = inv
                .flags
                .output
                .as_deref()
                .zip(inv.dir.as_deref())
                .map(|(o, d)| join(d, o));
            if out.is_some_and(|o| o == path || o.starts_with(&format!("{path}/"))) {
                return RunCache::Skipped(format!("-o writes inside {path}"));
            }
        }
        if self
            .lines
            .get(run.span.start.wrapping_sub(1))
            .and_then(|l| run_keyword_end(l, self.df.directives.escape))
            .is_none()
        {
            return RunCache::Skipped("the RUN keyword is not where gofront can add flags".into());
        }
        RunCache::Added(format!(
            "--mount=type=cache,target={path},sharing=shared{owner}"
        ))
    }

    /// The raw `--mount` value of the RUN's own cache mount at `path`, if any.
    fn own_cache_mount(&self, s: &StageAnalysis, run: &GoRun, path: &str) -> Option<String> {
        if !run.has_cache_mount_at(path) {
            return None;
        }
        let cmd = self
            .df
            .stages
            .get(s.index)?
            .commands
            .get(run.command_index)?;
        let Instruction::Run(r) = &cmd.instruction else {
            return None;
        };
        let identity = |w: &str| Ok(w.to_string());
        let found = r.mounts.iter().find(|raw| {
            parse_mount(raw, &identity).is_ok_and(|m| {
                m.kind == MountType::Cache && join(&run.workdir, &m.target) == clean_path(path)
            })
        });
        Some(found.cloned().unwrap_or_default())
    }

    fn cache_decision(
        &mut self,
        s: &StageAnalysis,
        kind: RewriteKind,
        outcome: &CacheOutcome,
    ) -> Decision {
        let span = Self::first_run_span(s);
        if let Some(reason) = &outcome.stage_skip {
            return self.decision(s, kind, span, false, reason.clone());
        }
        let mut added: Vec<(usize, String)> = Vec::new();
        let mut notes = Vec::new();
        let mut first_applied = None;
        for (ci, rc) in &outcome.runs {
            let Some(run) = s.go_runs.iter().find(|r| r.command_index == *ci) else {
                continue;
            };
            let line = run.span.start;
            match rc {
                RunCache::Added(flag) => {
                    self.edits.flags.entry(line).or_default().push(flag.clone());
                    first_applied.get_or_insert(run.span);
                    added.push((line, flag_target(flag)));
                }
                RunCache::Already(_) => {
                    let path = kind_path(kind, run).unwrap_or_default();
                    notes.push(format!("already mounted at {path} (line {line})"));
                }
                RunCache::Skipped(why) => notes.push(format!("line {line}: {why}")),
            }
        }
        let targets: BTreeSet<&str> = added.iter().map(|(_, t)| t.as_str()).collect();
        let lines: Vec<String> = added.iter().map(|(l, _)| l.to_string()).collect();
        if added.is_empty() {
            return self.decision(s, kind, span, false, notes.join("; "));
        }
        let mut detail = format!(
            "mounts a cache at {} on {}",
            targets.into_iter().collect::<Vec<_>>().join(", "),
            line_list(&lines)
        );
        if !notes.is_empty() {
            detail.push_str("; ");
            detail.push_str(&notes.join("; "));
        }
        self.decision(s, kind, first_applied.unwrap_or(span), true, detail)
    }

    // ---------------------------------------------------------------- deps step

    fn deps(
        &mut self,
        s: &StageAnalysis,
        modcache: &CacheOutcome,
        env: &BTreeMap<usize, Vec<(String, String)>>,
    ) -> Decision {
        match self.plan_deps(s, modcache, env) {
            Ok((span, inserts, detail)) => {
                self.edits.inserts.extend(inserts);
                self.decision(s, RewriteKind::Deps, span, true, detail)
            }
            Err((span, why)) => self.decision(s, RewriteKind::Deps, span, false, why),
        }
    }

    #[allow(clippy::type_complexity)]
    fn plan_deps(
        &self,
        s: &StageAnalysis,
        modcache: &CacheOutcome,
        env: &BTreeMap<usize, Vec<(String, String)>>,
    ) -> Result<(Span, Vec<Insert>, String), (Span, String)> {
        let first = Self::first_run_span(s);
        let users = self.module_users(s);
        let Some((first_user, _, _)) = users.first() else {
            return Err((first, "no go command here uses a module".into()));
        };
        let fail = |span: Span, why: String| Err((span, why));
        // Where every module user works, and that it is all known.
        let mut roots = BTreeSet::new();
        for (run, inv, view) in &users {
            if view.dir.is_none() {
                return fail(
                    run.span,
                    format!(
                        "the go command's directory on line {} is not known",
                        run.span.start
                    ),
                );
            }
            if !view.complete {
                return fail(run.span, format!("files before line {} may come from outside the build context (another stage, an image, a download or a generator)", run.span.start));
            }
            let root = match (&view.workspace, &view.module) {
                (Some(w), _) => w.container_dir.clone(),
                (None, Some(m)) => m.container_dir.clone(),
                (None, None) => {
                    return fail(
                        run.span,
                        format!(
                            "no go.mod is visible to the go command on line {}",
                            run.span.start
                        ),
                    )
                }
            };
            roots.insert(root);
            self.check_invocation(run, inv, view)?;
        }
        let root = match roots.iter().collect::<Vec<_>>().as_slice() {
            [one] => (*one).clone(),
            many => {
                let list: Vec<&str> = many.iter().map(|r| r.as_str()).collect();
                return fail(
                    first_user.span,
                    format!(
                        "the go commands use different modules ({})",
                        list.join(", ")
                    ),
                );
            }
        };
        let Some(copy) = first_source_copy(s, &root) else {
            return fail(
                first_user.span,
                format!(
                    "no COPY/ADD of the build context brings the sources into {root} in this stage"
                ),
            );
        };
        let cspan = copy.span;
        if let Some((early, _, _)) = users
            .iter()
            .find(|(r, _, _)| r.command_index < copy.command_index)
        {
            return fail(cspan, format!("line {} already runs go before the sources are copied (line {}): the Dockerfile has its own deps step", early.span.start, cspan.start));
        }
        if copy.command_index > first_user.command_index {
            return fail(
                cspan,
                format!(
                    "the go command on line {} runs before the sources are copied (line {})",
                    first_user.span.start, cspan.start
                ),
            );
        }
        self.check_copy(copy)?;
        if let Some(parent) = self.chain(s.index).into_iter().skip(1).find(|p| {
            p.go_runs.iter().any(|r| {
                r.invocations
                    .iter()
                    .any(|i| i.is_build_like() && !works_outside_module(i))
            })
        }) {
            return fail(
                cspan,
                format!(
                    "the stage it builds on (line {}) already runs go on the module",
                    parent.span.start
                ),
            );
        }
        let served = users
            .iter()
            .find(|(r, _, _)| r.command_index > copy.command_index)
            .map(|(r, _, _)| *r)
            .unwrap_or(first_user);
        self.check_env_between(copy, &users)?;
        self.check_setup_between(s, copy, served)?;
        let views: Vec<&ModuleView> = users.iter().map(|(_, _, v)| *v).collect();
        self.check_manifests(cspan, &views)?;
        let (copies, summary) = self.manifest_copies(s, copy, &views)?;
        let (before, hopped_workdir) = self.insertion_point(s, copy);
        let run_line = self.deps_run_line(s, copy, served, &root, modcache, hopped_workdir)?;
        let mut inserts: Vec<Insert> = copies
            .into_iter()
            .map(|text| Insert {
                before,
                text,
                maps_to: cspan.start,
                env: Vec::new(),
            })
            .collect();
        inserts.push(Insert {
            before,
            text: run_line.0,
            maps_to: served.span.start,
            env: env.get(&served.command_index).cloned().unwrap_or_default(),
        });
        let cache_note = if run_line.1 {
            "module cache mounted"
        } else {
            "modules kept in the image"
        };
        Ok((
            cspan,
            inserts,
            format!("{summary}; go mod download in {root} ({cache_note})"),
        ))
    }

    /// The module view of invocation `invocation` of go RUN `run` in stage `stage`.
    fn view_of(&self, stage: usize, run: usize, invocation: usize) -> Option<&'a ModuleView> {
        self.facts
            .views
            .iter()
            .find(|v| v.stage == stage && v.run == run && v.invocation == invocation)
    }

    /// Invocations that need the module: (RUN, invocation, view), in order.
    fn module_users(
        &self,
        s: &'a StageAnalysis,
    ) -> Vec<(&'a GoRun, &'a GoInvocation, &'a ModuleView)> {
        let mut out = Vec::new();
        for (ri, run) in s.go_runs.iter().enumerate() {
            for (ii, inv) in run.invocations.iter().enumerate() {
                if !inv.is_build_like() || works_outside_module(inv) {
                    continue;
                }
                if let Some(v) = self.view_of(s.index, ri, ii) {
                    out.push((run, inv, v));
                }
            }
        }
        out
    }

    /// The Go env a command really gets: the analysis' plus the passthrough build args.
    fn effective_vars(
        &self,
        env_vars: &BTreeMap<String, String>,
        from_df: &BTreeSet<String>,
    ) -> BTreeMap<String, String> {
        let mut vars = env_vars.clone();
        if self.options.is_on(RewriteKind::Env) {
            for n in PASSTHROUGH.iter().filter(|n| !from_df.contains(**n)) {
                if let Some(v) = self.options.build_args.get(*n) {
                    vars.insert(n.to_string(), v.clone());
                }
            }
        }
        vars
    }

    fn check_invocation(
        &self,
        run: &GoRun,
        inv: &GoInvocation,
        view: &ModuleView,
    ) -> Result<(), (Span, String)> {
        let line = run.span.start;
        let span = run.span;
        let mut sub = inv.subcommand.clone().unwrap_or_default();
        if let (true, Some(a)) = (matches!(sub.as_str(), "mod" | "work"), inv.args.first()) {
            sub = format!("{sub} {a}");
        }
        if MODULE_EDITS.contains(&sub.as_str()) {
            return Err((span, format!("line {line} runs `go {sub}`, which edits the module files the deps step would copy")));
        }
        let vars = self.effective_vars(&inv.env.vars, &inv.env.from_dockerfile);
        let goflags_from_arg = self.options.is_on(RewriteKind::Env)
            && !inv.env.from_dockerfile.contains("GOFLAGS")
            && self.options.build_args.contains_key("GOFLAGS");
        let goflags = vars.get("GOFLAGS").cloned().unwrap_or_default();
        let mode = inv.flags.mod_mode.clone().or_else(|| {
            goflags
                .split_whitespace()
                .find_map(|f| f.trim_start_matches('-').strip_prefix("mod="))
                .map(str::to_string)
        });
        let via = if inv.flags.mod_mode.is_none() && goflags_from_arg {
            " (GOFLAGS build arg)"
        } else {
            ""
        };
        if inv.flags.modfile.is_some() || goflags.contains("-modfile") {
            return Err((span, format!("line {line} uses -modfile{via}, another go.mod than the one the deps step would copy")));
        }
        match mode.as_deref() {
            Some("mod") => return Err((span, format!("line {line} lets the go command update go.mod (-mod=mod){via}; a download from the committed go.mod could differ"))),
            Some("vendor") => return Err((span, vendor_detail(view, true))),
            Some(_) => {}
            None if view.workspace.is_none() && view.vendor.as_ref().is_some_and(|v| v.default_mode) => {
                return Err((span, vendor_detail(view, false)))
            }
            None => {}
        }
        if let Some(w) = &view.workspace {
            let txt = ctx_file(&w.context_dir, "vendor/modules.txt");
            if self.facts_has_vendor(&txt) {
                return Err((
                    span,
                    format!("{txt}: the workspace is vendored, nothing to download"),
                ));
            }
        }
        if vars
            .get("GOPROXY")
            .is_some_and(|p| p.split([',', '|']).next() == Some("off"))
        {
            return Err((
                span,
                format!("GOPROXY disables module downloads for line {line}"),
            ));
        }
        if vars.get("GO111MODULE").is_some_and(|v| v == "off") {
            return Err((span, "GO111MODULE is off (GOPATH mode)".into()));
        }
        Ok(())
    }

    fn facts_has_vendor(&self, txt: &str) -> bool {
        self.facts
            .views
            .iter()
            .any(|v| v.vendor.as_ref().is_some_and(|vs| vs.modules_txt == txt))
    }

    fn check_copy(&self, copy: &CopyFact) -> Result<(), (Span, String)> {
        let span = copy.span;
        if copy.uncertain {
            return Err((
                span,
                format!(
                    "line {} has a source or destination gofront cannot expand",
                    span.start
                ),
            ));
        }
        if copy.is_add
            && !copy
                .sources
                .iter()
                .all(|s| s.is_empty() || s.ends_with('/'))
        {
            return Err((
                span,
                format!("line {} is an ADD that may unpack archives", span.start),
            ));
        }
        if !copy.excludes.is_empty() {
            return Err((span, format!("line {} uses --exclude", span.start)));
        }
        Ok(())
    }

    /// The deps RUN runs with the env and user of the source COPY's position; they must be
    /// those of the go commands it downloads for.
    fn check_env_between(
        &self,
        copy: &CopyFact,
        users: &[(&GoRun, &GoInvocation, &ModuleView)],
    ) -> Result<(), (Span, String)> {
        let at_copy = download_env(&self.effective_vars(&copy.env.vars, &copy.env.from_dockerfile));
        for (run, inv, _) in users {
            let vars = download_env(&self.effective_vars(&inv.env.vars, &inv.env.from_dockerfile));
            if vars != at_copy {
                let names: Vec<&str> = vars
                    .keys()
                    .chain(at_copy.keys())
                    .filter(|k| vars.get(*k) != at_copy.get(*k))
                    .map(String::as_str)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                return Err((copy.span, format!("the go command on line {} runs with other Go settings ({}) than a step before line {} would", run.span.start, names.join(", "), copy.span.start)));
            }
            if run.user != copy.user {
                return Err((
                    copy.span,
                    format!(
                        "USER changes between line {} and the go command on line {}",
                        copy.span.start, run.span.start
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_setup_between(
        &self,
        s: &StageAnalysis,
        copy: &CopyFact,
        served: &GoRun,
    ) -> Result<(), (Span, String)> {
        let Some(stage) = self.df.stages.get(s.index) else {
            return Ok(());
        };
        let range = copy.command_index..=served.command_index;
        for (ci, cmd) in stage
            .commands
            .iter()
            .enumerate()
            .filter(|(ci, _)| range.contains(ci))
        {
            match &cmd.instruction {
                Instruction::Run(run) => {
                    let text = run_text(run);
                    let scope = if ci == served.command_index {
                        before_go(&text)
                    } else {
                        text.as_str()
                    };
                    if let Some(w) = SETUP_WORDS.iter().find(|w| contains_word(scope, w)) {
                        return Err((copy.span, format!("line {} runs `{w}` before go; a separate download step would lack that setup", cmd.span.start)));
                    }
                }
                Instruction::Shell(_) => {
                    return Err((
                        copy.span,
                        format!(
                            "SHELL on line {} changes the shell the deps step would run in",
                            cmd.span.start
                        ),
                    ));
                }
                _ => {}
            }
        }
        for st in self.chain(s.index) {
            let Some(stage) = self.df.stages.get(st.index) else {
                continue;
            };
            let limit = if st.index == s.index {
                copy.command_index
            } else {
                usize::MAX
            };
            if let Some(cmd) = stage
                .commands
                .iter()
                .take(limit)
                .find(|c| matches!(c.instruction, Instruction::Shell(_)))
            {
                return Err((
                    copy.span,
                    format!(
                        "SHELL on line {} changes the shell the deps step would run in",
                        cmd.span.start
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Local replace targets present; go.sum present for every main module that requires
    /// something (else `go mod download` would write a go.sum the build never had).
    fn check_manifests(&self, span: Span, views: &[&ModuleView]) -> Result<(), (Span, String)> {
        let Some(view) = views.first() else {
            return Ok(());
        };
        let present: BTreeSet<&str> = view
            .manifests
            .iter()
            .map(|m| m.context_path.as_str())
            .collect();
        let mut mains: Vec<(String, String)> = Vec::new();
        if let Some(w) = &view.workspace {
            if let Ok(work) = &w.go_work {
                for u in &work.uses {
                    match rel_join(&w.context_dir, &u.path) {
                        Some(d) => mains.push((d.clone(), ctx_file(&d, "go.mod"))),
                        None => {
                            return Err((
                                span,
                                format!("go.work uses {} outside the build context", u.path),
                            ))
                        }
                    }
                }
                for r in &work.replace {
                    if let Some(t) = r.local_dir() {
                        let inside = rel_join(&w.context_dir, t).filter(|_| !t.starts_with('/'));
                        if !inside
                            .is_some_and(|d| present.contains(ctx_file(&d, "go.mod").as_str()))
                        {
                            return Err((span, format!("go.work replaces {} with {t}, which is not in the build context", r.old.path)));
                        }
                    }
                }
            }
        } else if let Some(m) = &view.module {
            mains.push((m.context_dir.clone(), ctx_file(&m.context_dir, "go.mod")));
        }
        for (dir, go_mod) in &mains {
            if !present.contains(go_mod.as_str()) {
                return Err((span, format!("{go_mod} is not in the build context")));
            }
            let Some(bytes) = self.manifest_bytes(go_mod) else {
                continue;
            };
            let Ok(f) = ModFile::parse(go_mod, bytes) else {
                return Err((span, format!("{go_mod} does not parse")));
            };
            if !f.require.is_empty() && !present.contains(ctx_file(dir, "go.sum").as_str()) {
                return Err((span, format!("{go_mod} requires modules but has no go.sum; go mod download would write one the build never had")));
            }
            for r in f.local_replaces() {
                let Some(t) = r.local_dir() else { continue };
                let inside = rel_join(dir, t).filter(|_| !t.starts_with('/'));
                match inside {
                    None => {
                        return Err((
                            span,
                            format!(
                                "{go_mod}: replace {} => {t} points outside the build context",
                                r.old.path
                            ),
                        ))
                    }
                    Some(d) if !present.contains(ctx_file(&d, "go.mod").as_str()) => {
                        return Err((
                            span,
                            format!(
                                "{go_mod}: replace {} => {t}: {} is not in the build context",
                                r.old.path,
                                ctx_file(&d, "go.mod")
                            ),
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(())
    }

    fn manifest_bytes(&self, ctx: &str) -> Option<&[u8]> {
        self.facts.context.get(ctx)
    }

    /// Where the deps lines go: right before the source COPY, or earlier, before the ARG (of
    /// non-Go names), LABEL, EXPOSE and WORKDIR instructions right above it, so a changing
    /// `--build-arg VERSION=...` does not re-run the download. Returns the user line and
    /// whether a WORKDIR was passed (the download then always `cd`s). A WORKDIR is passed only
    /// when the COPY has no --chown/--chmod and the user is root (the directory is then created
    /// root-owned either way; for another user WORKDIR creates it owned by that user, which
    /// the manifest COPY would not).
    fn insertion_point(&self, s: &StageAnalysis, copy: &CopyFact) -> (usize, bool) {
        let Some(stage) = self.df.stages.get(s.index) else {
            return (copy.span.start, false);
        };
        let flags = self.copy_flags(s, copy);
        if flags.contains('$') {
            return (copy.span.start, false);
        }
        // Walk up over passable instructions; stop the insertion at the topmost ARG passed
        // (passing only WORKDIR/LABEL/EXPOSE gains nothing).
        let as_root = UserSpec::parse(&copy.user).is_root();
        let mut line = copy.span.start;
        let mut workdir = false;
        let mut workdir_seen = false;
        for cmd in stage.commands.iter().take(copy.command_index).rev() {
            match &cmd.instruction {
                Instruction::Arg(decls)
                    if decls
                        .iter()
                        .all(|d| !GO_ENV_NAMES.contains(&d.key.as_str()) && d.key != "PATH") =>
                {
                    line = cmd.span.start;
                    workdir = workdir_seen;
                }
                Instruction::Label(_) | Instruction::Expose(_) => {}
                Instruction::Workdir(_) if flags.is_empty() && as_root => workdir_seen = true,
                _ => break,
            }
        }
        (line, workdir)
    }

    /// The COPY lines of the deps step (one per destination directory) and their summary.
    fn manifest_copies(
        &self,
        s: &StageAnalysis,
        copy: &CopyFact,
        views: &[&ModuleView],
    ) -> Result<(Vec<String>, String), (Span, String)> {
        let span = copy.span;
        let mut by_dir: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for m in views.iter().flat_map(|v| v.manifests.iter()) {
            let dir = parent_dir(&m.container_path);
            by_dir
                .entry(dir)
                .or_default()
                .insert(m.context_path.clone());
        }
        if by_dir.is_empty() {
            return Err((span, "no module manifest to copy".into()));
        }
        let flags = self.copy_flags(s, copy);
        let mut lines = Vec::new();
        let mut summary = Vec::new();
        for (dir, sources) in &by_dir {
            let dest = if dir == "/" {
                "/".to_string()
            } else {
                format!("{dir}/")
            };
            let mut words: Vec<&str> = sources.iter().map(String::as_str).collect();
            words.push(&dest);
            if let Some(bad) = words.iter().find(|w| !copy_safe(w)) {
                return Err((
                    span,
                    format!("the path {bad:?} cannot be written safely in a COPY"),
                ));
            }
            let line = if words.iter().any(|w| w.contains(' ')) {
                let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                format!("COPY {flags}[{}]", quoted.join(", "))
            } else {
                format!("COPY {flags}{}", words.join(" "))
            };
            lines.push(line);
            let names: Vec<&str> = sources.iter().map(|p| file_name(p)).collect();
            summary.push(format!("{} to {dir}", names.join(", ")));
        }
        Ok((lines, format!("copies {}", summary.join("; "))))
    }

    /// `--chown`/`--chmod` of the source COPY, as written (same ARG scope right before it).
    fn copy_flags(&self, s: &StageAnalysis, copy: &CopyFact) -> String {
        let cmd = self
            .df
            .stages
            .get(s.index)
            .and_then(|st| st.commands.get(copy.command_index));
        let c: Option<&CopyLike> = cmd.and_then(|c| match &c.instruction {
            Instruction::Copy(c) | Instruction::Add(c) => Some(c),
            _ => None,
        });
        let mut out = String::new();
        if let Some(c) = c {
            if let Some(v) = &c.chown {
                out.push_str(&format!("--chown={v} "));
            }
            if let Some(v) = &c.chmod {
                out.push_str(&format!("--chmod={v} "));
            }
        }
        out
    }

    /// The deps RUN line, and whether it mounts the module cache.
    fn deps_run_line(
        &self,
        s: &StageAnalysis,
        copy: &CopyFact,
        served: &GoRun,
        root: &str,
        modcache: &CacheOutcome,
        force_cd: bool,
    ) -> Result<(String, bool), (Span, String)> {
        let span = copy.span;
        let line = served.span.start;
        let run = self
            .df
            .stages
            .get(s.index)
            .and_then(|st| st.commands.get(served.command_index))
            .and_then(|c| match &c.instruction {
                Instruction::Run(r) => Some(r),
                _ => None,
            })
            .ok_or_else(|| (span, format!("line {line} is not a RUN gofront can read")))?;
        let mut parts = vec!["RUN".to_string()];
        let cache = served.env.gomodcache.as_deref();
        let own = cache.and_then(|p| self.own_cache_mount(s, served, p));
        let mounted = match (own, modcache.runs.get(&served.command_index)) {
            (Some(raw), _) if !raw.is_empty() && !raw.contains('$') => {
                parts.push(format!("--mount={raw}"));
                true
            }
            (Some(_), _) => {
                return Err((
                    span,
                    format!(
                    "the cache mount on line {line} cannot be copied to a deps step (variables)"
                ),
                ))
            }
            (None, Some(RunCache::Added(flag))) => {
                parts.push(flag.clone());
                true
            }
            (None, _) => false,
        };
        if let Some(net) = &run.network {
            if net.contains('$') {
                return Err((span, format!("the --network of line {line} uses variables")));
            }
            parts.push(format!("--network={net}"));
        }
        let identity = |w: &str| Ok(w.to_string());
        for raw in &run.mounts {
            let kind = parse_mount(raw, &identity).map(|m| m.kind);
            if matches!(kind, Ok(MountType::Secret | MountType::Ssh)) {
                if raw.contains('$') {
                    return Err((
                        span,
                        format!("a secret/ssh mount of line {line} uses variables"),
                    ));
                }
                parts.push(format!("--mount={raw}"));
            }
        }
        let cd = if !force_cd && clean_path(root) == clean_path(&copy.workdir) {
            String::new()
        } else if safe_path(root) {
            format!("cd {root} && ")
        } else {
            return Err((
                span,
                format!(
                    "the module directory {root:?} cannot be written safely in a shell command"
                ),
            ));
        };
        parts.push(format!("{cd}go mod download"));
        Ok((parts.join(" "), mounted))
    }

    /// This stage and the stages it is built on, nearest first.
    fn chain(&self, index: usize) -> Vec<&'a StageAnalysis> {
        let mut out: Vec<&StageAnalysis> = Vec::new();
        let mut cur = self.facts.stages.get(index);
        while let Some(st) = cur {
            if out.iter().any(|o| o.index == st.index) {
                break;
            }
            out.push(st);
            cur = match st.base {
                StageBase::Stage(p) => self.facts.stages.get(p),
                _ => None,
            };
        }
        out
    }

    /// With a GOTOOLCHAIN build arg reaching a go command, its toolchain diagnosis follows the
    /// build arg instead of the image's value.
    fn toolchain_overrides(
        &mut self,
        s: &StageAnalysis,
        env: &BTreeMap<usize, Vec<(String, String)>>,
    ) {
        for (ri, run) in s.go_runs.iter().enumerate() {
            let given = env
                .get(&run.command_index)
                .and_then(|vars| vars.iter().find(|(k, _)| k == "GOTOOLCHAIN"))
                .map(|(_, v)| v.as_str());
            let Some(policy) = given else { continue };
            self.toolchain_overrides.0.push(run.span);
            for (ii, inv) in run.invocations.iter().enumerate() {
                if !inv.is_build_like() || works_outside_module(inv) {
                    continue;
                }
                let view = self.view_of(s.index, ri, ii);
                if let Some(d) = view.and_then(|v| toolchain_diagnostic(v, inv, Some(policy))) {
                    if !self.toolchain_overrides.1.contains(&d) {
                        self.toolchain_overrides.1.push(d);
                    }
                }
            }
        }
    }

    fn diagnose_decision(&self, s: &StageAnalysis) -> Decision {
        let end = self
            .facts
            .stages
            .get(s.index + 1)
            .map_or(usize::MAX, |n| n.span.start);
        let mine: Vec<Diagnostic> = self
            .diagnostics()
            .into_iter()
            .filter(|d| d.span.start >= s.span.start && d.span.start < end)
            .collect();
        if mine.is_empty() {
            return self.decision(s, RewriteKind::Diagnose, s.span, true, "no findings".into());
        }
        let errors = mine
            .iter()
            .filter(|d| d.severity == crate::golang::facts::Severity::Error)
            .count();
        let codes: BTreeSet<&str> = mine.iter().map(|d| d.code).collect();
        self.decision(
            s,
            RewriteKind::Diagnose,
            s.span,
            true,
            format!(
                "{} finding(s), {errors} error(s): {}",
                mine.len(),
                codes.into_iter().collect::<Vec<_>>().join(", ")
            ),
        )
    }

    /// The facts' diagnostics with the toolchain ones a build arg changes replaced.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let (dropped, added) = &self.toolchain_overrides;
        let mut out: Vec<Diagnostic> = self
            .facts
            .diagnostics
            .iter()
            .filter(|d| !(d.code == "go-version-newer-than-image" && dropped.contains(&d.span)))
            .cloned()
            .chain(added.iter().cloned())
            .collect();
        out.sort_by_key(|d| d.span.start);
        // The same finding about a module (a replace outside the context, a missing go.sum)
        // comes from every go RUN that uses it: say it once, at the first of them.
        let mut seen = BTreeSet::new();
        out.retain(|d| seen.insert((d.code, d.message.clone())));
        out
    }
}

/// `line 4` or `lines 4, 6`.
fn line_list(lines: &[String]) -> String {
    match lines {
        [one] => format!("line {one}"),
        many => format!("lines {}", many.join(", ")),
    }
}

fn runs_build_like(r: &GoRun) -> bool {
    r.invocations.iter().any(GoInvocation::is_build_like)
}

/// The part of a RUN's text before its first `go` word.
fn before_go(text: &str) -> &str {
    crate::golang::facts::find_word(text, "go").map_or(text, |i| &text[..i])
}

fn contains_word(text: &str, word: &str) -> bool {
    crate::golang::facts::contains_word(&text.to_ascii_lowercase(), word)
}

/// The Go env that matters to a download.
fn download_env(vars: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    vars.iter()
        .filter(|(k, _)| !DOWNLOAD_NEUTRAL.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A path that can be written in a mount flag or a shell command without quoting.
fn safe_path(p: &str) -> bool {
    !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+@".contains(c))
}

/// A COPY word: like [`safe_path`], plus spaces (written in JSON form); no globs.
fn copy_safe(p: &str) -> bool {
    !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+@ ".contains(c))
}

/// `,uid=N[,gid=M]` for a numeric non-root USER.
fn owner_flags(user: &UserSpec) -> Option<String> {
    let uid = user.uid?;
    let mut out = format!(",uid={uid}");
    if let Some(gid) = user.gid {
        out.push_str(&format!(",gid={gid}"));
    }
    Some(out)
}

fn flag_target(flag: &str) -> String {
    flag.split(',')
        .find_map(|f| f.strip_prefix("target="))
        .unwrap_or_default()
        .to_string()
}

fn kind_path(kind: RewriteKind, run: &GoRun) -> Option<String> {
    match kind {
        RewriteKind::ModCache => run.env.gomodcache.clone(),
        _ => run.env.gocache.clone(),
    }
}

fn vendor_detail(view: &ModuleView, forced: bool) -> String {
    match &view.vendor {
        Some(v) if v.consistency.is_ok() => format!(
            "{} is consistent: builds use -mod=vendor, nothing to download",
            v.modules_txt
        ),
        Some(v) => format!(
            "{} does not match go.mod (see the warning): -mod=vendor builds need no download",
            v.modules_txt
        ),
        None if forced => "builds use -mod=vendor, nothing to download".into(),
        None => "vendor/ is used, nothing to download".into(),
    }
}

fn join(dir: &str, p: &str) -> String {
    crate::golang::facts::join_abs(dir, p)
}

/// The directory of an absolute container path (`/` for a file at the root).
fn parent_dir(p: &str) -> String {
    match p.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => p[..i].to_string(),
    }
}

/// Which cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CacheKind {
    Mod,
    Build,
}

impl CacheKind {
    fn path(self, env: &crate::golang::analyze::GoEnv) -> Option<&str> {
        match self {
            CacheKind::Mod => env.gomodcache.as_deref(),
            CacheKind::Build => env.gocache.as_deref(),
        }
    }
    fn noun(self) -> &'static str {
        match self {
            CacheKind::Mod => "module cache",
            CacheKind::Build => "build cache",
        }
    }
    fn var(self) -> &'static str {
        match self {
            CacheKind::Mod => "GOMODCACHE",
            CacheKind::Build => "GOCACHE",
        }
    }
}
