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
        setup: &Setup,
    ) -> Result<(), (Span, String)> {
        let mut at_copy =
            download_env(&self.effective_vars(&copy.env.vars, &copy.env.from_dockerfile));
        // What the deps RUN repeats of the setup: its environment and its `go env -w`.
        for (k, v) in setup.go_settings() {
            if DOWNLOAD_NEUTRAL.contains(&k.as_str()) {
                continue;
            }
            match v {
                Some(v) => at_copy.insert(k, v),
                None => at_copy.remove(&k),
            };
        }
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

    /// The setup the go command needs that a download step before the source COPY would lack
    /// (`git config ... insteadOf`, `go env -w GOPRIVATE=...`, `ssh-keyscan`, writing a
    /// `.netrc`, installing git), from the RUNs between the COPY and the go RUN and the part of
    /// the go RUN before its first go command. Setup made only of such commands is repeated in
    /// the deps RUN, with the variables it uses (ARG/ENV declared after the insertion point)
    /// as process environment; anything else there skips the deps step. A SHELL instruction
    /// always does.
    fn setup_between(
        &self,
        s: &StageAnalysis,
        copy: &CopyFact,
        served: &GoRun,
    ) -> Result<Setup, (Span, String)> {
        let mut setup = Setup::default();
        let Some(stage) = self.df.stages.get(s.index) else {
            return Ok(setup);
        };
        let mut declared: BTreeSet<String> = BTreeSet::new();
        let range = copy.command_index..=served.command_index;
        let place = SetupPlace {
            cwd: &copy.workdir,
            home: copy.env.home.as_deref(),
            copy_dest: &copy.dest,
        };
        self.check_copies_between(s, copy, served, &place)?;
        for (ci, cmd) in stage
            .commands
            .iter()
            .enumerate()
            .filter(|(ci, _)| range.contains(ci))
        {
            match &cmd.instruction {
                Instruction::Arg(decls) => declared.extend(decls.iter().map(|d| d.key.clone())),
                Instruction::Env(pairs) => declared.extend(pairs.iter().map(|kv| kv.key.clone())),
                Instruction::Run(run) => {
                    let text = run_text(run);
                    let scope = if ci == served.command_index {
                        before_go(&text)
                    } else {
                        text.as_str()
                    };
                    let Some(word) = SETUP_WORDS.iter().find(|w| contains_word(scope, w)) else {
                        continue;
                    };
                    match place.repeatable(scope) {
                        Some(command) if run.heredocs.is_empty() => {
                            setup.commands.push(command);
                            setup.lines.push(cmd.span.start);
                        }
                        _ => return Err((copy.span, format!("line {} runs `{word}` before go, with commands a separate download step cannot repeat", cmd.span.start))),
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
        // Variables declared after the insertion point reach the deps RUN as process env: the
        // Go settings among them, and those the repeated setup uses.
        for name in &declared {
            let used = setup.commands.iter().any(|c| uses_var(c, name));
            let download_setting =
                GO_ENV_NAMES.contains(&name.as_str()) && !DOWNLOAD_NEUTRAL.contains(&name.as_str());
            if !(used || download_setting) {
                continue;
            }
            if let Some(v) = served.all_env.get(name) {
                setup.env.push((name.clone(), v.clone()));
            }
        }
        Ok(setup)
    }

    /// No COPY/ADD between the source COPY and the go RUN writes where module fetching looks
    /// (`$HOME`, `/etc`, the CA directories, GOPATH): the deps step, inserted before them,
    /// would not see what they bring (a `.netrc`, a `.gitconfig`, a CA certificate, modules).
    fn check_copies_between(
        &self,
        s: &StageAnalysis,
        copy: &CopyFact,
        served: &GoRun,
        place: &SetupPlace,
    ) -> Result<(), (Span, String)> {
        let mut watched: Vec<&str> = vec![
            "/root",
            "/home",
            "/etc",
            "/usr/local/share/ca-certificates",
            "/usr/share/ca-certificates",
        ];
        watched.extend(place.home);
        watched.extend(served.env.gopath.as_deref());
        watched.extend(served.env.gomodcache.as_deref());
        for later in s.copies.iter().filter(|c| {
            c.command_index > copy.command_index && c.command_index < served.command_index
        }) {
            let dest = later.dest.trim_end_matches('/');
            let hits = |w: &&str| {
                let w = w.trim_end_matches('/');
                dest.is_empty()
                    || dest == w
                    || dest.starts_with(&format!("{w}/"))
                    || w.starts_with(&format!("{dest}/"))
            };
            let inside_source = !place.copy_dest.trim_end_matches('/').is_empty()
                && (dest == place.copy_dest.trim_end_matches('/')
                    || dest.starts_with(&format!("{}/", place.copy_dest.trim_end_matches('/'))));
            if later.uncertain || (!inside_source && watched.iter().any(hits)) {
                return Err((
                    copy.span,
                    format!(
                        "line {} copies into {}, which the deps step (before it) would not see",
                        later.span.start,
                        if later.uncertain {
                            "a path not known before the build"
                        } else {
                            dest
                        }
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

/// Setup the deps RUN repeats before its download (see `setup_between`).
#[derive(Debug, Clone, Default)]
pub(super) struct Setup {
    /// Shell commands, in order.
    pub commands: Vec<String>,
    /// The Dockerfile line of each command.
    pub lines: Vec<usize>,
    /// Process environment they need, and the Go settings declared after the insertion point.
    pub env: Vec<(String, String)>,
}

impl Setup {
    /// What the summary says about the repeated setup and its variables ("" when none).
    fn describe(&self) -> String {
        let mut out = String::new();
        if !self.lines.is_empty() {
            let lines: Vec<String> = self.lines.iter().map(usize::to_string).collect();
            out.push_str(&format!(
                "; repeats the setup of line {} first",
                lines.join(", ")
            ));
        }
        if !self.env.is_empty() {
            let names: Vec<&str> = self.env.iter().map(|(k, _)| k.as_str()).collect();
            out.push_str(&format!(
                "; with {} as the go command has them",
                names.join(", ")
            ));
        }
        out
    }

    /// The Go settings the repeated setup gives the download: its environment, then what its
    /// `go env -w`/`-u` commands write (set or unset).
    fn go_settings(&self) -> Vec<(String, Option<String>)> {
        let mut out: Vec<(String, Option<String>)> = self
            .env
            .iter()
            .filter(|(k, _)| GO_ENV_NAMES.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect();
        for c in &self.commands {
            let scan = crate::golang::shellscan::scan(c, "/", None);
            for g in scan.go {
                let words: Vec<&str> = g.args.iter().map(|w| w.text.as_str()).collect();
                if words.first() != Some(&"env") {
                    continue;
                }
                let mut set = None;
                for w in words.iter().skip(1) {
                    match *w {
                        "-w" => set = Some(true),
                        "-u" => set = Some(false),
                        _ => match (set, w.split_once('=')) {
                            (Some(true), Some((k, v))) => {
                                out.push((k.to_string(), Some(v.to_string())))
                            }
                            (Some(false), None) => out.push((w.to_string(), None)),
                            _ => {}
                        },
                    }
                }
            }
        }
        out
    }
}

/// Commands that only prepare what fetching modules needs and give the same result when run
/// again after the download step: `git config`, `go env -w`/`-u`, `ssh-keyscan`, `mkdir -p`,
/// `chmod`/`chown`/`touch` and `echo`/`printf` redirected into files the source COPY does not
/// bring. Package installs are not among them (they would run twice on a cold build), nor
/// `update-ca-certificates` or `cat` (they read files a later COPY may bring).
const REPEATABLE: [&str; 11] = [
    "git",
    "go",
    "ssh-keyscan",
    "mkdir",
    "chmod",
    "chown",
    "touch",
    "echo",
    "printf",
    "export",
    "true",
];

/// Where repeated setup runs: the directory, `$HOME`, and the destination of the source COPY
/// (files there do not exist yet when the deps step runs).
struct SetupPlace<'a> {
    cwd: &'a str,
    home: Option<&'a str>,
    copy_dest: &'a str,
}

impl SetupPlace<'_> {
    /// True when `word` names a file that exists (or not) the same way before and after the
    /// source COPY: a known path outside its destination.
    fn outside_copy(&self, word: &Word) -> bool {
        let text = word.text.as_str();
        let home_rel = ["~/", "$HOME/", "${HOME}/"]
            .iter()
            .find_map(|p| text.strip_prefix(p));
        let path = match (home_rel, self.home) {
            (Some(rest), Some(home)) => format!("{home}/{rest}"),
            (Some(_), None) => return false,
            (None, _) if word.dynamic || text.starts_with('~') => return false,
            (None, _) if text.starts_with('/') => text.to_string(),
            (None, _) => format!("{}/{text}", self.cwd),
        };
        if path.contains('$') {
            return false;
        }
        let path = crate::gostd::path::clean(&path);
        let dest = self.copy_dest.trim_end_matches('/');
        !(dest.is_empty() || path == dest || path.starts_with(&format!("{dest}/")))
    }

    /// The setup text when every command in it can be repeated (see [`REPEATABLE`]): one line,
    /// without a trailing `&&` or `;`.
    fn repeatable(&self, text: &str) -> Option<String> {
        let line = text
            .trim()
            .trim_end_matches(|c: char| c == '&' || c == ';' || c.is_whitespace())
            .trim();
        if line.is_empty() || line.contains('\n') || line.contains('#') {
            return None;
        }
        let scan = crate::golang::shellscan::scan(line, self.cwd, self.home);
        let ok = !scan.commands.is_empty()
            && scan.commands.iter().all(|c| {
                self.repeatable_command(c) && c.redirects.iter().all(|r| self.outside_copy(r))
            });
        ok.then(|| line.to_string())
    }

    fn repeatable_command(&self, c: &SimpleCommand) -> bool {
        let name = c.name();
        let args = c.args();
        let first = args.first().map(|w| w.text.as_str());
        let operands = || args.iter().filter(|w| !w.text.starts_with('-'));
        REPEATABLE.contains(&name)
            && match name {
                "git" => {
                    first == Some("config")
                        && !args
                            .iter()
                            .any(|w| w.text == "-f" || w.text.starts_with("--file"))
                }
                "go" => first == Some("env"),
                "mkdir" => args.iter().any(|w| w.text == "-p" || w.text == "--parents"),
                // The mode or owner, then files that must not come from the source COPY.
                "chmod" | "chown" => operands().skip(1).all(|w| self.outside_copy(w)),
                "touch" => operands().all(|w| self.outside_copy(w)),
                _ => true,
            }
    }
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
