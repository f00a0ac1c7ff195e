//! The cache rewrites (modcache, buildcache): a cache mount at GOMODCACHE / GOCACHE on every
//! RUN that may run the go tool, unless the cache must stay in the image.

use super::*;
use crate::golang::analyze::{only_prepares_dirs, scan_run, CacheReaderKind};

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
pub(super) struct CacheOutcome {
    /// Why the whole stage is skipped.
    pub(super) stage_skip: Option<String>,
    /// Per go RUN (by command index).
    pub(super) runs: BTreeMap<usize, RunCache>,
}

impl<'a> Planner<'a> {
    /// Decides one cache mount for every RUN of the stage that runs go (builds, tests,
    /// downloads) or may run it through a build tool or script.
    pub(super) fn cache(&self, s: &StageAnalysis, kind: CacheKind) -> CacheOutcome {
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
        for step in mounted_steps(s) {
            out.runs
                .insert(step.command_index(), self.run_cache(s, step, kind));
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
        }
        if steps(s).iter().any(|r| r.env().vars.contains_key("GOENV")) {
            return Some("GOENV points at a go env file gofront cannot see".into());
        }
        match kind {
            CacheKind::Mod => self.modcache_stage_skip(s, &chain),
            CacheKind::Build => self
                .final_image_keeps(s, kind)
                .or_else(|| self.mentions_skip(s, &["go-build", "GOCACHE"], kind)),
        }
    }

    /// The final image is built on this stage and holds its Go toolchain: whatever runs in it
    /// later (a container, CI, `docker run ... go vet`) may read the caches. The modules stay in
    /// the image, as with the stock frontend; the build cache too when the image looks like a
    /// Go tool image rather than a program (it runs go at start, builds no program, or builds
    /// through a tool gofront cannot see).
    fn final_image_keeps(&self, s: &StageAnalysis, kind: CacheKind) -> Option<String> {
        let final_stage = self.facts.stages.iter().find(|f| f.is_final)?;
        if !self
            .chain(final_stage.index)
            .iter()
            .any(|c| c.index == s.index)
        {
            return None;
        }
        let line = final_stage.span.start;
        let tool_image = final_stage.runs_go_at_start
            || !s.indirect_runs.is_empty()
            || !s.go_runs.iter().any(|r| {
                r.invocations
                    .iter()
                    .any(|i| matches!(i.subcommand.as_deref(), Some("build" | "install")))
            });
        match kind {
            CacheKind::Mod => Some(format!(
                "the final image (line {line}) is built on this stage and has the Go toolchain: the modules stay in it, as with the stock frontend"
            )),
            CacheKind::Build if tool_image => Some(format!(
                "the final image (line {line}) is built on this stage and may run go later: the build cache stays in it, as with the stock frontend"
            )),
            CacheKind::Build => None,
        }
    }

    fn modcache_stage_skip(&self, s: &StageAnalysis, chain: &[&StageAnalysis]) -> Option<String> {
        if let Some(reason) = self.vendored_build(s) {
            return Some(reason);
        }
        if let Some(r) = s.module_cache_readers.first() {
            let how = match r.kind {
                CacheReaderKind::CopyFrom => "copies it",
                CacheReaderKind::MountFrom => "mounts it",
                CacheReaderKind::Inherits => "builds on this stage and runs go",
                CacheReaderKind::Runtime => "runs go when the image starts",
            };
            return Some(format!("kept in the image: line {} {how}", r.span.start));
        }
        if let Some(reason) = self.final_image_keeps(s, CacheKind::Mod) {
            return Some(reason);
        }
        // A parent Go stage keeps its modules in its layers; a mount here would hide them.
        for parent in chain.iter().skip(1) {
            let cache = parent.final_env.gomodcache.as_deref();
            if mounted_steps(parent)
                .iter()
                .any(|r| !cache.is_some_and(|p| r.has_cache_mount_at(p)))
            {
                return Some(format!(
                    "the stage it builds on (line {}) keeps downloaded modules in its image; a mount here would hide them",
                    parent.span.start
                ));
            }
        }
        self.mentions_skip(s, &["pkg/mod", "GOMODCACHE"], CacheKind::Mod)
    }

    /// A build from vendor/ must not see a module cache: Go 1.22 then copies the modules' sums
    /// from it into the binary's build info (`go version -m` shows `dep ... h1:...`), so the
    /// program would depend on what other builds left in a shared cache mount, where the stock
    /// build (an empty module cache in the image) has none. Measured with the vendored example:
    /// 4684111 bytes from an empty module cache, 4684095 with the modules in it. A RUN that may
    /// run go through a build tool counts as vendored when the context has a vendor/modules.txt.
    fn vendored_build(&self, s: &StageAnalysis) -> Option<String> {
        for (ri, run) in s.go_runs.iter().enumerate() {
            for (ii, inv) in run.invocations.iter().enumerate() {
                let vendored = inv.is_build_like()
                    && self
                        .view_of(s.index, ri, ii)
                        .is_some_and(|v| v.uses_vendor(inv));
                if vendored {
                    return Some(format!(
                        "line {} builds from vendor/: a module cache would change the binary's build info (module sums), so none is mounted",
                        run.span.start
                    ));
                }
            }
        }
        let vendor_in_context = self
            .facts
            .context
            .files
            .keys()
            .any(|k| k == "vendor/modules.txt" || k.ends_with("/vendor/modules.txt"));
        match s.indirect_runs.first() {
            Some(ir) if vendor_in_context => Some(format!(
                "`{}` (line {}) may build from vendor/ (the context has one): a module cache would change the binary's build info (module sums), so none is mounted",
                ir.runner, ir.span.start
            )),
            _ => None,
        }
    }

    /// Skips when a RUN that will not get the mount reads the cache (`cp -r /go/pkg/mod/...`).
    /// Creating the directory or setting its owner (`mkdir -p /gocache`) reads nothing.
    fn mentions_skip(&self, s: &StageAnalysis, words: &[&str], kind: CacheKind) -> Option<String> {
        let stage = self.df.stages.get(s.index)?;
        let paths: BTreeSet<String> = steps(s)
            .iter()
            .filter_map(|r| kind.path(r.env()).map(str::to_string))
            .collect();
        let mounted: BTreeSet<usize> = mounted_steps(s).iter().map(Step::command_index).collect();
        for (ci, cmd) in stage.commands.iter().enumerate() {
            let Instruction::Run(run) = &cmd.instruction else {
                continue;
            };
            if mounted.contains(&ci) {
                continue;
            }
            let scan = scan_run(run, "/", None);
            let hit = scan
                .commands
                .iter()
                .filter(|c| !only_prepares_dirs(c))
                .flat_map(|c| c.words.iter())
                .any(|w| {
                    words.iter().any(|k| w.text.contains(k))
                        || paths.iter().any(|p| w.text.contains(p.as_str()))
                });
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

    fn run_cache(&self, s: &StageAnalysis, step: Step, kind: CacheKind) -> RunCache {
        let paths: BTreeSet<Option<&str>> = match step {
            Step::Visible(run) => run
                .invocations
                .iter()
                .filter(|i| i.is_build_like())
                .map(|i| kind.path(&i.env))
                .collect(),
            Step::Indirect(run) => [kind.path(&run.env)].into_iter().collect(),
        };
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
        if let Some(raw) = self.own_cache_mount(s, step, &path) {
            return RunCache::Already(raw);
        }
        if !safe_path(&path) {
            return RunCache::Skipped(format!(
                "{} path cannot be written safely in a mount flag",
                kind.var()
            ));
        }
        let user = step.user_spec();
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
        if let Step::Visible(run) = step {
            for inv in &run.invocations {
                let out = inv
                    .flags
                    .output
                    .as_deref()
                    .zip(inv.dir.as_deref())
                    .map(|(o, d)| join_path(d, o));
                if out.is_some_and(|o| o == path || o.starts_with(&format!("{path}/"))) {
                    return RunCache::Skipped(format!("-o writes inside {path}"));
                }
            }
        }
        if self
            .lines
            .get(step.span().start.wrapping_sub(1))
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
    pub(super) fn own_cache_mount(
        &self,
        s: &StageAnalysis,
        step: Step,
        path: &str,
    ) -> Option<String> {
        if !step.has_cache_mount_at(path) {
            return None;
        }
        let cmd = self
            .df
            .stages
            .get(s.index)?
            .commands
            .get(step.command_index())?;
        let Instruction::Run(r) = &cmd.instruction else {
            return None;
        };
        let identity = |w: &str| Ok(w.to_string());
        let workdir = step.workdir();
        let found = r.mounts.iter().find(|raw| {
            parse_mount(raw, &identity).is_ok_and(|m| {
                m.kind == MountType::Cache && join_path(workdir, &m.target) == clean_path(path)
            })
        });
        Some(found.cloned().unwrap_or_default())
    }

    pub(super) fn cache_decision(
        &mut self,
        s: &StageAnalysis,
        kind: RewriteKind,
        outcome: &CacheOutcome,
    ) -> Decision {
        let span = Self::first_run_span(s);
        if let Some(reason) = &outcome.stage_skip {
            return self.decision(s, kind, span, false, reason.clone());
        }
        let mut added: Vec<(String, String)> = Vec::new();
        let mut notes = Vec::new();
        let mut first_applied = None;
        let all = steps(s);
        for (ci, rc) in &outcome.runs {
            let Some(step) = all.iter().find(|r| r.command_index() == *ci) else {
                continue;
            };
            let line = step.span().start;
            match rc {
                RunCache::Added(flag) => {
                    self.edits.flags.entry(line).or_default().push(flag.clone());
                    first_applied.get_or_insert(step.span());
                    added.push((step.line_label(), flag_target(flag)));
                }
                RunCache::Already(_) => {
                    let path = kind_path(kind, step.env()).unwrap_or_default();
                    notes.push(format!("already mounted at {path} (line {line})"));
                }
                RunCache::Skipped(why) => notes.push(format!("line {line}: {why}")),
            }
        }
        let targets: BTreeSet<&str> = added.iter().map(|(_, t)| t.as_str()).collect();
        let lines: Vec<String> = added.iter().map(|(l, _)| l.clone()).collect();
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
}

/// The RUNs that get a cache mount: visible go commands that build, test or download, and RUNs
/// that may run go through a build tool or script.
pub(super) fn mounted_steps(s: &StageAnalysis) -> Vec<Step<'_>> {
    steps(s)
        .into_iter()
        .filter(|st| match st {
            Step::Visible(r) => runs_build_like(r),
            Step::Indirect(_) => true,
        })
        .collect()
}

fn flag_target(flag: &str) -> String {
    flag.split(',')
        .find_map(|f| f.strip_prefix("target="))
        .unwrap_or_default()
        .to_string()
}

fn kind_path(kind: RewriteKind, env: &GoEnv) -> Option<String> {
    match kind {
        RewriteKind::ModCache => env.gomodcache.clone(),
        _ => env.gocache.clone(),
    }
}

/// Which cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CacheKind {
    Mod,
    Build,
}

impl CacheKind {
    fn path(self, env: &GoEnv) -> Option<&str> {
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
