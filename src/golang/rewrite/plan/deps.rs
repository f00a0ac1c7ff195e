//! The deps rewrite: the module manifests copied first and `go mod download` before the
//! sources, so a source edit never downloads modules again.

use super::*;
use crate::golang::facts::uses_var;
use crate::golang::shellscan::{SimpleCommand, Word};

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

impl<'a> Planner<'a> {
    pub(super) fn deps(
        &mut self,
        s: &StageAnalysis,
        caches: (&CacheOutcome, &CacheOutcome),
        env: &BTreeMap<usize, Vec<(String, String)>>,
        fetch: &PrivateOutcome,
    ) -> Decision {
        match self.plan_deps(s, caches, env, fetch) {
            Ok(plan) => {
                self.edits.inserts.extend(plan.inserts);
                for (line, vars) in plan.loads {
                    self.edits.run_env.entry(line).or_default().extend(vars);
                    self.edits.wraps.insert(line);
                }
                self.seed = Some((plan.span, plan.seed));
                self.decision(s, RewriteKind::Deps, plan.span, true, plan.detail)
            }
            Err((span, why)) => {
                self.seed = Some((span, Err("no deps step in this stage".to_string())));
                self.decision(s, RewriteKind::Deps, span, false, why)
            }
        }
    }

    /// The seed decision of the stage whose deps step was just planned.
    pub(super) fn seed_decision(&mut self, s: &StageAnalysis) -> Decision {
        let (span, outcome) = self
            .seed
            .take()
            .unwrap_or((s.span, Err("the deps rewrite is off".to_string())));
        match outcome {
            Ok(detail) => self.decision(s, RewriteKind::Seed, span, true, detail),
            Err(why) => self.decision(s, RewriteKind::Seed, span, false, why),
        }
    }

    fn plan_deps(
        &self,
        s: &StageAnalysis,
        caches: (&CacheOutcome, &CacheOutcome),
        env: &BTreeMap<usize, Vec<(String, String)>>,
        fetch: &PrivateOutcome,
    ) -> Result<DepsPlan, (Span, String)> {
        let modcache = caches.0;
        let first = Self::first_run_span(s);
        let users = self.module_users(s);
        let Some((first_user, _, _)) = users.first() else {
            return Err(match s.indirect_runs.first() {
                Some(ir) => (
                    ir.span,
                    format!(
                        "go runs only through `{}` (line {}), whose go commands gofront cannot see; no download step is added",
                        ir.runner, ir.span.start
                    ),
                ),
                None => (first, "no go command here uses a module".into()),
            });
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
            p.go_runs
                .iter()
                .any(|r| r.invocations.iter().any(|i| !ignores_module(i)))
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
        let setup = self.setup_between(s, copy, served)?;
        self.check_env_between(copy, &users, &setup)?;
        let views: Vec<&ModuleView> = users.iter().map(|(_, _, v)| *v).collect();
        self.check_manifests(cspan, &views)?;
        let (copies, summary) = self.manifest_copies(s, copy, &views)?;
        let (before, hopped_workdir) = self.insertion_point(s, copy, &setup);
        // The download is a fetch step too: the same optional mounts as the RUN it downloads
        // for, and the wrapper (its own command is a plain shell command).
        let served_fetch = fetch
            .steps
            .get(&served.command_index)
            .map(|f| StepFetch {
                mounts: f.mounts.clone(),
                wrap: !fetch.custom_shell,
            })
            .unwrap_or_default();
        let seed = if self.options.is_on(RewriteKind::Seed) {
            self.seed_plan(s, copy, served, &users, caches, &root)
        } else {
            Err(String::new())
        };
        let run_line = self.deps_run_line(
            s,
            copy,
            served,
            modcache,
            DownloadIn {
                root: &root,
                force_cd: hopped_workdir || !setup.commands.is_empty(),
                fetch_flags: served_fetch.flags(),
                setup: setup.commands.clone(),
                extra_mounts: seed
                    .as_ref()
                    .map(|p| vec![p.build_cache_flag.clone()])
                    .unwrap_or_default(),
            },
        )?;
        let mut inserts: Vec<Insert> = copies
            .into_iter()
            .map(|text| Insert {
                before,
                text,
                maps_to: cspan.start,
                env: Vec::new(),
                wrap: false,
            })
            .collect();
        let seed = seed.and_then(|p| {
            if run_line.1 {
                Ok(p)
            } else {
                Err(String::new())
            }
        });
        let mut deps_env = deps_env(env.get(&served.command_index), &setup.env);
        if let Ok(p) = &seed {
            deps_env.extend(p.save_env.iter().cloned());
        }
        inserts.push(Insert {
            before,
            text: run_line.0,
            maps_to: served.span.start,
            env: deps_env,
            wrap: served_fetch.wrap || seed.is_ok(),
        });
        let cache_note = if run_line.1 {
            "module cache mounted"
        } else {
            "modules kept in the image"
        };
        let seed_detail = match &seed {
            Ok(p) => Ok(format!(
                "on a builder whose build cache is new, the deps step (line {}) keeps {} in its layer; the go commands on {} copy them into their cache mounts first (exported build cache carries layers, never mounts)",
                cspan.start,
                match p.packages {
                    0 => "the modules".to_string(),
                    1 => "the modules and the one imported package it compiles".to_string(),
                    n => format!("the modules and the {n} imported packages it compiles"),
                },
                line_list(&p.loads.iter().map(|(l, _)| l.to_string()).collect::<Vec<_>>())
            )),
            Err(_) if !run_line.1 => Err("the modules stay in the image's layers (no cache mount to seed)".to_string()),
            Err(why) => Err(why.clone()),
        };
        Ok(DepsPlan {
            span: cspan,
            inserts,
            detail: format!(
                "{summary}; go mod download in {root} ({cache_note}){}",
                setup.describe()
            ),
            loads: seed.map(|p| p.loads).unwrap_or_default(),
            seed: seed_detail,
        })
    }

    /// The module view of invocation `invocation` of go RUN `run` in stage `stage`.
    pub(super) fn view_of(
        &self,
        stage: usize,
        run: usize,
        invocation: usize,
    ) -> Option<&'a ModuleView> {
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
                if ignores_module(inv) {
                    continue;
                }
                let Some(v) = self.view_of(s.index, ri, ii) else {
                    continue;
                };
                // `go build main.go` outside any module builds without one: nothing to download.
                if module_optional(inv) && v.module.is_none() && v.workspace.is_none() {
                    continue;
                }
                out.push((run, inv, v));
            }
        }
        out
    }

    /// The Go env a command really gets: the analysis' plus the passthrough build args.
    pub(super) fn effective_vars(
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

    /// Where the deps lines go: right before the source COPY, or earlier, before the ARG (of
    /// non-Go names the repeated setup does not use), LABEL, EXPOSE and WORKDIR instructions right above it, so a changing
    /// `--build-arg VERSION=...` does not re-run the download. Returns the user line and
    /// whether a WORKDIR was passed (the download then always `cd`s). A WORKDIR is passed only
    /// when the COPY has no --chown/--chmod and the user is root (the directory is then created
    /// root-owned either way; for another user WORKDIR creates it owned by that user, which
    /// the manifest COPY would not).
    fn insertion_point(&self, s: &StageAnalysis, copy: &CopyFact, setup: &Setup) -> (usize, bool) {
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
                    if decls.iter().all(|d| {
                        !GO_ENV_NAMES.contains(&d.key.as_str())
                            && d.key != "PATH"
                            && !setup.commands.iter().any(|c| uses_var(c, &d.key))
                    }) =>
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
        modcache: &CacheOutcome,
        download: DownloadIn,
    ) -> Result<(String, bool), (Span, String)> {
        let DownloadIn {
            root,
            force_cd,
            fetch_flags,
            setup,
            extra_mounts,
        } = download;
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
        let own = cache.and_then(|p| self.own_cache_mount(s, Step::Visible(served), p));
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
        if mounted {
            parts.extend(extra_mounts);
        }
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
        parts.extend(fetch_flags);
        for command in setup {
            parts.push(format!("{command} &&"));
        }
        parts.push(format!("{cd}go mod download"));
        Ok((parts.join(" "), mounted))
    }
}

/// The part of a RUN's text before its first `go` word.
fn before_go(text: &str) -> &str {
    crate::golang::facts::find_word(text, "go").map_or(text, |i| &text[..i])
}

fn contains_word(text: &str, word: &str) -> bool {
    crate::golang::facts::contains_word(&text.to_ascii_lowercase(), word)
}

/// The deps RUN's process env: the setup's variables, then the Go settings the env rewrite
/// passes (a build arg never overrides the Dockerfile's own value), sorted by name.
fn deps_env(
    passthrough: Option<&Vec<(String, String)>>,
    setup: &[(String, String)],
) -> Vec<(String, String)> {
    let mut vars: BTreeMap<String, String> = passthrough.into_iter().flatten().cloned().collect();
    vars.extend(setup.iter().cloned());
    vars.into_iter().collect()
}

/// Where and with what the deps RUN downloads.
pub(super) struct DownloadIn<'s> {
    /// The module (or workspace) root.
    root: &'s str,
    /// `cd` there even when it is the WORKDIR (the insertion passed a WORKDIR).
    force_cd: bool,
    /// The private rewrite's flags of the RUN it downloads for.
    fetch_flags: Vec<String>,
    /// Setup commands to repeat before the download.
    setup: Vec<String>,
    /// Mount flags the deps RUN gets besides the module cache (the build cache, for the seed).
    extra_mounts: Vec<String>,
}

/// A planned deps step: where, the lines it inserts, the summary, and the go RUNs that load its
/// seed (user line, process env).
pub(super) struct DepsPlan {
    span: Span,
    inserts: Vec<Insert>,
    detail: String,
    loads: Vec<(usize, Vec<(String, String)>)>,
    /// The seed decision's detail: applied, or why not.
    seed: Result<String, String>,
}

/// The Go env that matters to a download.
fn download_env(vars: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    vars.iter()
        .filter(|(k, _)| !DOWNLOAD_NEUTRAL.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A COPY word: like [`safe_path`], plus spaces (written in JSON form); no globs.
fn copy_safe(p: &str) -> bool {
    !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+@ ".contains(c))
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

mod checks;
mod setup;

use setup::*;
