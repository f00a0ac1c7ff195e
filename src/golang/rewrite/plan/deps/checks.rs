//! What must hold before a deps step is inserted: the go commands download what a plain
//! `go mod download` would (no module edits, no vendor/, no -modfile), the source COPY brings
//! the module, the settings between that COPY and the go command can be repeated, and the
//! manifests the step copies are in the context and parse.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn check_invocation(
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

    pub(super) fn facts_has_vendor(&self, txt: &str) -> bool {
        self.facts
            .views
            .iter()
            .any(|v| v.vendor.as_ref().is_some_and(|vs| vs.modules_txt == txt))
    }

    pub(super) fn check_copy(&self, copy: &CopyFact) -> Result<(), (Span, String)> {
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
    pub(super) fn check_env_between(
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
    pub(super) fn setup_between(
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
    pub(super) fn check_copies_between(
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
    pub(super) fn check_manifests(
        &self,
        span: Span,
        views: &[&ModuleView],
    ) -> Result<(), (Span, String)> {
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

    pub(super) fn manifest_bytes(&self, ctx: &str) -> Option<&[u8]> {
        self.facts.context.get(ctx)
    }
}
