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
    CopyFact, GoEnv, GoInvocation, GoRun, IndirectRun, StageAnalysis, StageBase, UserSpec,
    GO_ENV_NAMES,
};
use crate::golang::facts::{
    ctx_file, file_name, first_source_copy, ignores_module, module_optional, rel_join, run_text,
    toolchain_diagnostic, Diagnostic, GoFacts, ModuleView,
};
use crate::golang::modfile::ModFile;
use crate::golang::shellscan::{clean_path, join_path};

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
    /// Literal private hosts of every stage (the fetch wrapper configures them).
    pub private_hosts: BTreeSet<String>,
    /// Diagnostics replaced because a GOTOOLCHAIN build arg reaches the RUN: (code, span) to
    /// drop, and the recomputed ones.
    pub toolchain_overrides: (Vec<Span>, Vec<Diagnostic>),
    /// The seed outcome of the stage being planned (set by the deps rewrite).
    seed: Option<(Span, Result<String, String>)>,
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
            private_hosts: BTreeSet::new(),
            toolchain_overrides: (Vec::new(), Vec::new()),
            seed: None,
        }
    }

    /// The literal private hosts of every stage, for the build's fetch wrapper.
    pub fn private_hosts_of_build(&self) -> Vec<String> {
        self.private_hosts.iter().cloned().collect()
    }

    /// Plans every Go stage.
    pub fn run(&mut self) {
        for s in &self.facts.stages {
            if !s.is_go_stage() {
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
        let fetch = self.private(s);
        self.private_hosts.extend(fetch.hosts.iter().cloned());
        let mut stage_decisions = Vec::new();
        if self.options.is_on(RewriteKind::Deps) {
            stage_decisions.push(self.deps(s, (&modcache, &buildcache), &env, &fetch));
        }
        if self.options.is_on(RewriteKind::Seed) {
            stage_decisions.push(self.seed_decision(s));
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
        if self.options.is_on(RewriteKind::Private) {
            stage_decisions.push(self.private_decision(s, &fetch));
        }
        if self.options.is_on(RewriteKind::Cross) {
            stage_decisions.push(self.cross_decision(s));
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

    /// The first RUN of the stage that runs (or may run) the go tool.
    fn first_run_span(s: &StageAnalysis) -> Span {
        steps(s).first().map_or(s.span, |r| r.span())
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
}

/// A RUN the Go rewrites work on: one whose go commands gofront sees, or one that may run go
/// through a build tool or a script.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Visible(&'a GoRun),
    Indirect(&'a IndirectRun),
}

impl<'a> Step<'a> {
    fn command_index(&self) -> usize {
        match self {
            Step::Visible(r) => r.command_index,
            Step::Indirect(r) => r.command_index,
        }
    }

    fn span(&self) -> Span {
        match self {
            Step::Visible(r) => r.span,
            Step::Indirect(r) => r.span,
        }
    }

    /// The Go environment of the RUN (stage env, before a command's own assignments).
    fn env(&self) -> &'a GoEnv {
        match self {
            Step::Visible(r) => &r.env,
            Step::Indirect(r) => &r.env,
        }
    }

    fn workdir(&self) -> &'a str {
        match self {
            Step::Visible(r) => &r.workdir,
            Step::Indirect(r) => &r.workdir,
        }
    }

    fn user_spec(&self) -> UserSpec {
        match self {
            Step::Visible(r) => r.user_spec(),
            Step::Indirect(r) => r.user_spec(),
        }
    }

    fn has_cache_mount_at(&self, path: &str) -> bool {
        match self {
            Step::Visible(r) => r.has_cache_mount_at(path),
            Step::Indirect(r) => r.has_cache_mount_at(path),
        }
    }

    /// `line 7`, or `line 7 (make build)` for a RUN that may run go indirectly.
    fn line_label(&self) -> String {
        match self {
            Step::Visible(r) => r.span.start.to_string(),
            Step::Indirect(r) => format!("{} (`{}`)", r.span.start, r.runner),
        }
    }

    /// True when the RUN itself sets `name` for the go tool: ENV/ARG/`go env -w` before it, or,
    /// for visible go commands, a `go env -w NAME=...` in it (an environment value would
    /// conflict with what it writes) or each command's own `NAME=value` prefix or `export`.
    fn sets(&self, name: &str) -> bool {
        match self {
            Step::Visible(r) => {
                r.env.from_dockerfile.contains(name)
                    || r.invocations
                        .iter()
                        .any(|i| i.go_env_writes().iter().any(|(k, _)| k == name))
                    || (!r.invocations.is_empty()
                        && r.invocations
                            .iter()
                            .all(|i| i.env.from_dockerfile.contains(name)))
            }
            Step::Indirect(r) => r.env.from_dockerfile.contains(name),
        }
    }
}

/// Every RUN of the stage that runs or may run go, in Dockerfile order.
fn steps(s: &StageAnalysis) -> Vec<Step<'_>> {
    let mut out: Vec<Step> = s
        .go_runs
        .iter()
        .map(Step::Visible)
        .chain(s.indirect_runs.iter().map(Step::Indirect))
        .collect();
    out.sort_by_key(Step::command_index);
    out
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

/// A path that can be written in a mount flag or a shell command without quoting.
fn safe_path(p: &str) -> bool {
    !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+@".contains(c))
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

/// The directory of an absolute container path (`/` for a file at the root).
fn parent_dir(p: &str) -> String {
    match p.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => p[..i].to_string(),
    }
}

mod cache;
mod cross;
mod deps;
mod diagnose;
mod env;
mod private;
mod seed;

use cache::{CacheKind, CacheOutcome, RunCache};
use private::{PrivateOutcome, StepFetch};
