//! Static diagnoses of a go command against the module it sees: no go.mod where it runs, a
//! workspace that does not list its packages, a go line newer than the image's Go, vendor/ or
//! a workspace member missing, a manifest that does not parse or is not in the context.
//! Each is an error only when the stock build certainly fails the same way.
//!
//! Not for: finding the module (`view_for`) or replaying COPY (`visible`).

use super::*;

/// Findings about the go command line itself, independent of the context.
pub(super) fn invocation_diagnostics(span: Span, inv: &GoInvocation) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if inv.flags.force_rebuild {
        out.push(Diagnostic {
            severity: Severity::Warning,
            code: "build-flag-a",
            span,
            message: format!(
                "`go {} -a` rebuilds every package and defeats the Go build cache; drop -a (the build cache already tracks every input)",
                inv.subcommand.as_deref().unwrap_or("build")
            ),
        });
    }
    out
}

/// Invocations that never read a go.mod: `go install pkg@v`, `go run pkg@v`, `go mod init`,
/// `go work init`, `-modfile` (another file), GO111MODULE=off, and subcommands that load no
/// module (`go version`, `go env`, `go help`).
pub(crate) fn ignores_module(inv: &GoInvocation) -> bool {
    let sub = inv.subcommand.as_deref().unwrap_or("");
    let versioned = inv
        .args
        .iter()
        .any(|a| !a.starts_with('-') && a.contains('@'));
    let first_arg = inv.args.first().map(String::as_str);
    !inv.is_build_like()
        || ((sub == "install" || sub == "run") && versioned)
        || (sub == "mod" && matches!(first_arg, Some("init" | "help")))
        || (sub == "work" && matches!(first_arg, Some("init")))
        || inv.flags.modfile.is_some()
        || matches!(
            inv.env.vars.get("GO111MODULE").map(String::as_str),
            Some("off")
        )
        || inv
            .env
            .vars
            .get("GOFLAGS")
            .is_some_and(|f| f.contains("-modfile"))
}

/// Invocations that use the module above their directory when there is one, and may also work
/// without: `.go` file arguments (`go build main.go`, `go run main.go`) resolve their imports
/// through the module of the files' directory, but build from the standard library alone
/// outside any module; GO111MODULE=auto uses a go.mod only when one is found. Checked with Go
/// 1.22.
pub(crate) fn module_optional(inv: &GoInvocation) -> bool {
    inv.package_args().iter().any(|a| a.ends_with(".go"))
        || inv.env.vars.get("GO111MODULE").map(String::as_str) == Some("auto")
}

/// Invocations that may work where no go.mod is visible (so its absence is never an error).
pub(crate) fn works_outside_module(inv: &GoInvocation) -> bool {
    ignores_module(inv) || module_optional(inv)
}

/// True when a COPY/ADD of the build context in `stage`, before command `before`, lands in
/// `dir` or above it: the user meant the sources to be where the go command runs.
pub(super) fn context_copy_covers(stage: &StageAnalysis, before: usize, dir: &str) -> bool {
    stage.copies.iter().any(|c| {
        c.command_index < before
            && c.origin == CopyOrigin::Context
            && !c.uncertain
            && (c.dest == dir || c.dest == "/" || is_under(dir, &c.dest))
    })
}

/// `covered`: the stage copied the build context to (or above) the go command's directory, so
/// a go.mod found elsewhere in the context is proof of a mismatch (not the base image's files).
pub(super) fn diagnose(
    view: &ModuleView,
    inv: &GoInvocation,
    facts: &ContextFacts,
    fs: &VisibleFiles,
    covered: bool,
    known_base: bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(dir) = view.dir.as_deref() else {
        return out;
    };
    let mut sub = inv.subcommand.clone().unwrap_or_default();
    if let (true, Some(first)) = (matches!(sub.as_str(), "mod" | "work"), inv.args.first()) {
        sub = format!("{sub} {first}");
    }
    if view.module.is_none()
        && view.workspace.is_none()
        && view.complete
        && !works_outside_module(inv)
    {
        let copied: Vec<String> = fs
            .files
            .iter()
            .filter(|(container, _)| file_name(container) == "go.mod")
            .map(|(container, ctx)| format!("{ctx} (copied to {container})"))
            .collect();
        let found = facts.go_mods();
        let where_ = match (copied.as_slice(), found.as_slice()) {
            ([], []) => "the build context has no go.mod".to_string(),
            ([], list) => format!(
                "the build context has go.mod at {}, not copied into the image before this step",
                list.join(", ")
            ),
            (list, _) => format!("the build context has go.mod at {}", list.join(", ")),
        };
        let copied_dirs: Vec<&str> = fs
            .files
            .keys()
            .filter(|container| file_name(container) == "go.mod")
            .map(|container| parent_dir(container))
            .collect();
        let fix = match copied_dirs.as_slice() {
            [one] => format!("use `WORKDIR {one}` (or `cd {one}` / `go -C {one}`) for this step"),
            _ => format!("set WORKDIR (or `cd`/`-C`) to the directory the go.mod is copied to, or copy the module into {dir}"),
        };
        // An error only when the context's go.mod is demonstrably elsewhere and the context
        // was copied here; with no go.mod in the context at all, or no COPY of the context to
        // this directory, the base image might still provide one.
        let severity = if found.is_empty() || !covered {
            Severity::Warning
        } else {
            Severity::Error
        };
        out.push(Diagnostic {
            severity,
            code: "go-mod-not-found",
            span: view.span,
            message: format!(
                "`go {sub}` runs in {dir}, but no go.mod is there or in a parent directory after the COPY instructions before it; {where_}: {fix}"
            ),
        });
    }
    // Only commands that load the module check its go line (`go version`/`go env` do not).
    if !ignores_module(inv) {
        out.extend(toolchain_diagnostic(view, inv, None));
    }
    if let Some(m) = &view.module {
        match &m.go_mod {
            Err(e) => out.push(Diagnostic {
                severity: Severity::Error,
                code: "go-mod-parse-error",
                span: view.span,
                message: e.to_string(),
            }),
            Ok(f) => {
                out.extend(module_diagnostics(view, m, f, facts));
                out.extend(vendor_missing(view, inv, m, f, fs, facts, known_base));
            }
        }
    }
    match &view.workspace {
        Some(Workspace {
            go_work: Err(e), ..
        }) => out.push(Diagnostic {
            severity: Severity::Error,
            code: "go-work-parse-error",
            span: view.span,
            message: e.to_string(),
        }),
        Some(
            w @ Workspace {
                go_work: Ok(work), ..
            },
        ) => {
            out.extend(workspace_membership(view, inv, fs, w, work));
            out.extend(workspace_member_missing(
                view, inv, fs, facts, known_base, w, work,
            ));
        }
        None => {}
    }
    out
}

/// In workspace mode the packages a command names by directory (`.`, `./...`, `./cmd/x`,
/// `main.go`, or none: the current directory) must lie in a `use` member; the go command
/// otherwise stops with "directory ... is contained in a module that is not one of the
/// workspace modules listed in go.work". Import paths are resolved through the workspace's
/// module graph, and commands that load no packages (`go env`, `go version`, `go mod
/// download`) do not care where they run, so neither is ever reported.
pub(super) fn workspace_membership(
    view: &ModuleView,
    inv: &GoInvocation,
    fs: &VisibleFiles,
    w: &Workspace,
    work: &WorkFile,
) -> Option<Diagnostic> {
    if !inv.loads_packages() || inv.dynamic_args {
        return None;
    }
    let cwd = view.dir.as_deref()?;
    let mut dirs: Vec<String> = Vec::new();
    let args = inv.package_args();
    if args.is_empty() {
        dirs.push(cwd.to_string());
    }
    for a in args {
        let local = a.starts_with('.') || a.starts_with('/') || a.ends_with(".go");
        if !local {
            continue;
        }
        let path = join_path(cwd, a.trim_end_matches("/...").trim_end_matches("..."));
        dirs.push(if a.ends_with(".go") {
            parent_dir(&path).to_string()
        } else {
            path
        });
    }
    let members: Vec<String> = work
        .uses
        .iter()
        .map(|u| join_path(&w.container_dir, &u.path))
        .collect();
    for dir in dirs {
        let Some((module_dir, go_mod)) = find_up(fs, &dir, "go.mod") else {
            continue;
        };
        if members.contains(&module_dir) {
            continue;
        }
        let ctx_dir = parent_ctx_dir(go_mod);
        return Some(Diagnostic {
            severity: Severity::Error,
            code: "module-not-in-workspace",
            span: view.span,
            message: format!(
                "the go command loads packages in {dir}, inside module {module_dir} ({}), which is not listed in {}; add `use {}` to go.work, or set GOWORK=off for this step",
                ctx_file(&ctx_dir, "go.mod"),
                ctx_file(&w.context_dir, "go.work"),
                match rel_from(&w.container_dir, &module_dir).as_str() {
                    "." => ".".to_string(),
                    rel => format!("./{rel}"),
                },
            ),
        });
    }
    None
}

/// A COPY/ADD of a Go manifest (`go.sum`, `go.mod`, `go.work`, `go.work.sum`, written without
/// wildcards) that is not in the build context: the stock build stops at that instruction
/// ("failed to calculate checksum ...: \"/go.sum\": not found"). The context facts list every
/// manifest the context has after .dockerignore, so the absence is certain.
pub(super) fn missing_copy_sources(stage: &StageAnalysis, facts: &ContextFacts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for c in &stage.copies {
        if c.origin != CopyOrigin::Context || c.uncertain || c.parents || !c.excludes.is_empty() {
            continue;
        }
        for src in &c.sources {
            if is_glob(src) || !MANIFEST_NAMES.contains(&file_name(src)) || facts.has(src) {
                continue;
            }
            let verb = if c.is_add { "ADD" } else { "COPY" };
            out.push(Diagnostic {
                severity: Severity::Error,
                code: "copy-source-missing",
                span: c.span,
                message: format!(
                    "{verb} of {src}: the build context has no {src} (not committed, or excluded by .dockerignore), so this step fails with \"not found\"; add the file (for go.sum: run `go mod tidy` and commit it) or use a wildcard ({src}*) if it is optional"
                ),
            });
        }
    }
    out
}

/// True when the stage's filesystem, apart from what the Dockerfile puts there, is known not to
/// hold a project's files: it starts from scratch or from the official Go image. Any other base
/// image might hold the very file gofront finds missing.
pub(super) fn base_files_known(stages: &[StageAnalysis], stage: usize) -> bool {
    let mut cur = stages.get(stage);
    for _ in 0..stages.len() {
        match cur.map(|s| &s.base) {
            Some(StageBase::Stage(p)) => cur = stages.get(*p),
            Some(StageBase::Scratch) => return true,
            Some(StageBase::Image { reference, .. }) => {
                return crate::golang::analyze::is_golang_reference(reference)
            }
            None => return false,
        }
    }
    false
}

/// Error when the failure is certain, warning otherwise.
pub(super) fn certain_if(certain: bool) -> Severity {
    if certain {
        Severity::Error
    } else {
        Severity::Warning
    }
}

/// `-mod=vendor` (flag or GOFLAGS) in a module that requires modules, with no
/// vendor/modules.txt in the image at that step: every package-loading command stops with
/// "inconsistent vendoring ... is explicitly required in go.mod, but not marked as explicit in
/// vendor/modules.txt" (checked with Go 1.22: `go build`, `go vet`). Certain only when gofront
/// sees every file the step sees.
pub(super) fn vendor_missing(
    view: &ModuleView,
    inv: &GoInvocation,
    m: &ModuleRoot,
    f: &ModFile,
    fs: &VisibleFiles,
    facts: &ContextFacts,
    known_base: bool,
) -> Option<Diagnostic> {
    let vendored = inv.effective_mod_mode().as_deref() == Some("vendor");
    if !vendored || !inv.loads_packages() || view.workspace.is_some() || f.require.is_empty() {
        return None;
    }
    let in_image = join_path(&m.container_dir, "vendor/modules.txt");
    if fs.files.contains_key(&in_image) || !view.complete {
        return None;
    }
    let in_context = ctx_file(&m.context_dir, "vendor/modules.txt");
    let why = if facts.has(&in_context) {
        format!("{in_context} is not copied to {in_image} before this step")
    } else {
        format!(
            "the build context has no {in_context} (not committed, or excluded by .dockerignore)"
        )
    };
    Some(Diagnostic {
        severity: certain_if(known_base),
        code: "vendor-missing",
        span: view.span,
        message: format!(
            "`go {}` builds with -mod=vendor in {}, but {why}: the go command stops with \"inconsistent vendoring\"; run `go mod vendor` and commit vendor/, or drop -mod=vendor",
            inv.subcommand.as_deref().unwrap_or("build"),
            m.container_dir
        ),
    })
}

/// A go.work `use` directory whose go.mod is not in the image at that step: every command that
/// loads the workspace stops with "cannot load module ... listed in go.work file: open
/// .../go.mod: no such file or directory" (checked with Go 1.22: `go build`, `go mod download`;
/// `go env` and `go version` still work).
pub(super) fn workspace_member_missing(
    view: &ModuleView,
    inv: &GoInvocation,
    fs: &VisibleFiles,
    facts: &ContextFacts,
    known_base: bool,
    w: &Workspace,
    work: &WorkFile,
) -> Option<Diagnostic> {
    if ignores_module(inv) || !view.complete {
        return None;
    }
    let go_work = ctx_file(&w.context_dir, "go.work");
    work.uses.iter().find_map(|u| {
        let member = join_path(&w.container_dir, &u.path);
        if fs.files.contains_key(&join_path(&member, "go.mod")) {
            return None;
        }
        let ctx_mod = rel_join(&w.context_dir, &u.path).map(|d| ctx_file(&d, "go.mod"));
        let why = match ctx_mod {
            Some(p) if facts.has(&p) => format!("{p} is not copied to {member}/go.mod before this step"),
            Some(p) => format!("the build context has no {p} (missing, or excluded by .dockerignore)"),
            None => format!("{} is outside the build context", u.path),
        };
        Some(Diagnostic {
            severity: certain_if(known_base),
            code: "workspace-member-missing",
            span: view.span,
            message: format!(
                "{go_work}:{}: use {}: {why}, so the go command stops with \"cannot load module {member} listed in go.work file\"; copy the member into the image or drop it from go.work",
                u.line, u.path
            ),
        })
    })
}

/// The context directory of a context-relative file path (`""` for the root).
pub(super) fn parent_ctx_dir(ctx: &str) -> String {
    ctx.rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default()
}

/// `target` relative to `base` when it is inside it, else `target` itself.
pub(super) fn rel_from(base: &str, target: &str) -> String {
    match target.strip_prefix(base) {
        Some(rest) if base == "/" => rest.to_string(),
        Some(rest) if rest.starts_with('/') => rest.trim_start_matches('/').to_string(),
        Some("") => ".".to_string(),
        _ => target.to_string(),
    }
}

/// The first COPY/ADD of `stage` that brings more than Go manifests from the context into (or
/// above) `module_dir`: where a dependency step has to go, before it.
pub fn first_source_copy<'a>(stage: &'a StageAnalysis, module_dir: &str) -> Option<&'a CopyFact> {
    stage.copies.iter().find(|c| {
        let only_manifests = !c.sources.is_empty() && c.sources.iter().all(|s| names_manifests(s));
        let overlaps = c.dest == module_dir
            || is_under(&c.dest, module_dir)
            || is_under(module_dir, &c.dest)
            || c.dest == "/";
        c.origin == CopyOrigin::Context && !only_manifests && overlaps
    })
}

/// True when a COPY source names only Go manifests: `go.mod`, `go.sum`, `go.work`,
/// `go.work.sum`, `vendor/modules.txt`, or a pattern that can only match such names (`go.*`,
/// `go.mod*`, `go.sum*`, `go.[ms]*`): a literal `go.` before the first wildcard and a match for a
/// manifest name. (`go.*` could also match a `go.env` the user keeps beside; copying it early
/// changes nothing.)
pub(super) fn names_manifests(source: &str) -> bool {
    let name = file_name(source);
    if MANIFEST_NAMES.contains(&name) || name == "modules.txt" {
        return true;
    }
    let dir = &source[..source.len() - name.len()];
    let literal = name.split(['*', '?', '[']).next().unwrap_or("");
    is_glob(name)
        && !is_glob(dir)
        && literal.starts_with("go.")
        && MANIFEST_NAMES.iter().any(|m| glob_match(name, m))
}

/// The `go` line the invocation must satisfy: the workspace's in workspace mode, else the
/// module's; with the file and line it is on.
pub(super) fn required_go(view: &ModuleView) -> Option<(String, String)> {
    if let Some(w) = &view.workspace {
        let w_go = w.go_work.as_ref().ok()?.go.as_ref()?;
        return Some((
            w_go.value.clone(),
            format!("{}:{}", ctx_file(&w.context_dir, "go.work"), w_go.line),
        ));
    }
    let m = view.module.as_ref()?;
    let go = m.go_mod.as_ref().ok()?.go.as_ref()?;
    Some((
        go.value.clone(),
        format!("{}:{}", ctx_file(&m.context_dir, "go.mod"), go.line),
    ))
}

/// go.mod/go.work asks for a newer Go than the image has (`GOLANG_VERSION`).
///
/// `from_build_arg`: the GOTOOLCHAIN value a build arg gives this command (Go env passthrough);
/// it decides the severity but is never shown.
pub(crate) fn toolchain_diagnostic(
    view: &ModuleView,
    inv: &GoInvocation,
    from_build_arg: Option<&str>,
) -> Option<Diagnostic> {
    let image_go = inv.env.vars.get("GOLANG_VERSION")?;
    let (required, at) = required_go(view)?;
    // An image version of just a release series (`1.22`, from a tag without the patch level)
    // stands for any 1.22.x: compare at that precision, so only a newer series is certain.
    let compared = if is_release_series(image_go) {
        release_series(&required)
    } else {
        required.clone()
    };
    if compare_go_versions(&compared, image_go) != Ordering::Greater {
        return None;
    }
    // Before Go 1.21 the go line is advisory: the build goes on and fails only if the code
    // needs something newer, and there is no GOTOOLCHAIN to stop or switch it. So at most a
    // warning; a three-part line (`go 1.21.0`) is one such older go commands do not parse.
    if compare_go_versions(image_go, "1.21") == Ordering::Less {
        let consequence = if required.split('.').count() > 2 {
            format!("and go {image_go} predates three-part go lines (Go 1.21), so it may stop with `invalid go version '{required}'`")
        } else {
            format!("and go {image_go} predates toolchain switching (Go 1.21): the line is advisory, so the build fails only if the code needs a newer Go")
        };
        return Some(Diagnostic {
            severity: Severity::Warning,
            code: "go-version-newer-than-image",
            span: view.span,
            message: format!(
                "{at}: go {required} is required but the image has go {image_go}, {consequence}; use a golang image of at least {required} or lower the go line"
            ),
        });
    }
    let (policy, shown) = match from_build_arg {
        Some(p) => (p, "GOTOOLCHAIN (from --build-arg)".to_string()),
        None => {
            let p = inv.env.vars.get("GOTOOLCHAIN").map(String::as_str);
            let p = p.unwrap_or("auto");
            (p, format!("GOTOOLCHAIN={p}"))
        }
    };
    // With GOTOOLCHAIN=local (or local+...) a go command of 1.21 or newer refuses a module whose
    // go line is newer than itself ("go.mod requires go >= X (running go Y; GOTOOLCHAIN=local)"),
    // for every command that loads the module: the stock build certainly fails.
    let (severity, consequence) = if policy == "local" || policy.starts_with("local+") {
        (
            Severity::Error,
            format!("and {shown} forbids downloading a newer one, so the go command will refuse to build"),
        )
    } else {
        (
            Severity::Warning,
            format!("so with {shown} the go command downloads go{required} at build time (needs the module proxy)"),
        )
    };
    let set_by_dockerfile =
        from_build_arg.is_none() && inv.env.from_dockerfile.contains("GOTOOLCHAIN");
    let fix = if severity == Severity::Error && set_by_dockerfile {
        format!("use a golang image of at least {required}, lower the go line, or change the Dockerfile's ENV GOTOOLCHAIN={policy} so the go command may download go{required}")
    } else if severity == Severity::Error {
        format!("use a golang image of at least {required}, lower the go line, or let the go command download go{required} with --build-arg GOTOOLCHAIN=auto")
    } else {
        format!("use a golang image of at least {required} or lower the go line")
    };
    Some(Diagnostic {
        severity,
        code: "go-version-newer-than-image",
        span: view.span,
        message: format!(
            "{at}: go {required} is required but the image has go {image_go}, {consequence}; {fix}"
        ),
    })
}

pub(super) fn module_diagnostics(
    view: &ModuleView,
    m: &ModuleRoot,
    f: &ModFile,
    facts: &ContextFacts,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let go_mod = ctx_file(&m.context_dir, "go.mod");
    for r in f.local_replaces() {
        let Some(target) = r.local_dir() else {
            continue;
        };
        let inside = rel_join(&m.context_dir, target).filter(|_| !target.starts_with('/'));
        if let Some(dir) = inside
            .as_ref()
            .filter(|d| !facts.has(&ctx_file(d, "go.mod")))
        {
            out.push(Diagnostic {
                severity: Severity::Warning,
                code: "replace-target-missing",
                span: view.span,
                message: format!(
                    "{go_mod}:{}: replace {} => {target}: the build context has no {} (missing, or excluded by .dockerignore); the go command fails when it needs this module",
                    r.line,
                    r.old.path,
                    ctx_file(dir, "go.mod")
                ),
            });
        }
        if inside.is_none() {
            out.push(Diagnostic {
                severity: Severity::Warning,
                code: "replace-outside-context",
                span: view.span,
                message: format!(
                    "{go_mod}:{}: replace {} => {target} points outside the build context, so the build cannot see it; move it into the context or use a named build context (--build-context)",
                    r.line, r.old.path
                ),
            });
        }
    }
    if !f.require.is_empty() && !facts.has(&ctx_file(&m.context_dir, "go.sum")) {
        out.push(Diagnostic {
            severity: Severity::Warning,
            code: "missing-go-sum",
            span: view.span,
            message: format!(
                "{go_mod} requires modules but the build context has no go.sum next to it; run `go mod tidy` and commit go.sum (check .dockerignore)"
            ),
        });
    }
    if let Some(VendorState {
        consistency: Err(e),
        modules_txt,
        ..
    }) = &view.vendor
    {
        out.push(Diagnostic {
            severity: Severity::Warning,
            code: "inconsistent-vendoring",
            span: view.span,
            message: format!("{modules_txt}: {e}"),
        });
    }
    out
}

/// `$NAME` or `${NAME}` in shell text (not the start of a longer name).
pub(crate) fn uses_var(text: &str, name: &str) -> bool {
    let plain = format!("${name}");
    text.contains(&format!("${{{name}}}"))
        || text.match_indices(&plain).any(|(i, _)| {
            text[i + plain.len()..]
                .chars()
                .next()
                .map_or(true, |c| !(c.is_ascii_alphanumeric() || c == '_'))
        })
}
