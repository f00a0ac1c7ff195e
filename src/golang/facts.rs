//! Context facts and module views: which module (and workspace) each go command sees, and which
//! manifest files a dependency step must copy for it.
//!
//! [`ContextFacts`] holds the few files gofront reads from the build context before planning
//! (go.mod, go.sum, go.work, go.work.sum, vendor/modules.txt, already filtered by .dockerignore).
//! [`module_views`] replays each stage's COPY/ADD instructions (and those of the stages it is
//! built on) over those files to find, for every go invocation, the go.mod above its directory,
//! the go.work that applies, the manifests of workspace members and local replace targets, and
//! the vendor/ state; it also reports the static diagnoses that follow from them (the go command
//! runs where no go.mod is, a local replace leaves the context, a manifest does not parse,
//! vendor/ is inconsistent, go.sum is missing).
//!
//! Not for: reading the context (the gateway or CLI fills `ContextFacts`), deciding rewrites, or
//! anything about source files other than manifests.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::dockerfile::ast::{CommandLine, Dockerfile, Instruction, Run, Span};
use crate::dockerfile::instructions::{Mount, MountType};

use super::analyze::scan_run;
use super::analyze::{
    analyze, AnalyzeInput, CopyFact, CopyOrigin, GoInvocation, StageAnalysis, StageBase,
};
use super::modfile::{
    compare_go_versions, is_release_series, release_series, ModError, ModFile, WorkFile,
};
use super::shellscan::{clean_context_path, clean_path, join_path, SimpleCommand};
use super::vendor::{check_consistency, vendor_is_default, InconsistentVendoring, ModulesTxt};

/// File names gofront reads from the build context.
pub const MANIFEST_NAMES: [&str; 4] = ["go.mod", "go.sum", "go.work", "go.work.sum"];

/// Manifest files read from the build context: context-relative path (no leading `/`) → bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContextFacts {
    /// The files, keyed by context-relative path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The headers of the Go source files read (their heads), keyed by context-relative path.
    pub go_files: BTreeMap<String, crate::golang::imports::GoFile>,
}

impl ContextFacts {
    /// Include patterns for the context read (BuildKit `IncludePatterns` syntax).
    pub fn include_patterns(with_sources: bool) -> Vec<String> {
        let mut p: Vec<String> = MANIFEST_NAMES.iter().map(|n| format!("**/{n}")).collect();
        p.push("**/vendor/modules.txt".into());
        if with_sources {
            p.push("**/*.go".into());
        }
        p
    }

    /// Adds a file (path normalised to context-relative form). Of a Go source file only its
    /// header is kept (see [`ContextFacts::go_files`]).
    pub fn insert(&mut self, path: &str, bytes: Vec<u8>) {
        let path = clean_context_path(path);
        if path.ends_with(".go") {
            self.go_files
                .insert(path, crate::golang::imports::parse_header(&bytes));
        } else {
            self.files.insert(path, bytes);
        }
    }

    /// The bytes of a context-relative path.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(&clean_context_path(path)).map(Vec::as_slice)
    }

    /// True when the file exists in the context.
    pub fn has(&self, path: &str) -> bool {
        self.files.contains_key(&clean_context_path(path))
    }

    /// Context paths of every go.mod.
    pub fn go_mods(&self) -> Vec<&str> {
        self.files
            .keys()
            .filter(|k| file_name(k) == "go.mod")
            .map(String::as_str)
            .collect()
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The build can still work; shown as a warning.
    Warning,
    /// The build cannot work as written; reported as a build error.
    Error,
}

/// A static finding about a go RUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Warning or error.
    pub severity: Severity,
    /// Stable identifier (`go-mod-not-found`, `replace-outside-context`, ...).
    pub code: &'static str,
    /// Dockerfile lines it is about.
    pub span: Span,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// A manifest to copy into a dependency step.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ManifestFile {
    /// Context-relative source path.
    pub context_path: String,
    /// Absolute path inside the container where the go command expects it.
    pub container_path: String,
}

/// The module a go invocation works in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRoot {
    /// Container directory holding go.mod.
    pub container_dir: String,
    /// Context directory it came from (`""` = context root).
    pub context_dir: String,
    /// The parsed go.mod, or why it does not parse.
    pub go_mod: Result<ModFile, ModError>,
}

/// The workspace (go.work) a go invocation uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// Container directory holding go.work.
    pub container_dir: String,
    /// Context directory it came from.
    pub context_dir: String,
    /// The parsed go.work, or why it does not parse.
    pub go_work: Result<WorkFile, ModError>,
}

/// vendor/ of the main module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorState {
    /// Context path of modules.txt.
    pub modules_txt: String,
    /// The go command uses vendor/ by default (go line ≥ 1.14).
    pub default_mode: bool,
    /// Result of the `-mod=vendor` consistency check.
    pub consistency: Result<(), InconsistentVendoring>,
}

/// What one go invocation sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleView {
    /// Stage index.
    pub stage: usize,
    /// Index of the RUN in `StageAnalysis::go_runs`.
    pub run: usize,
    /// Index of the invocation in the RUN.
    pub invocation: usize,
    /// Lines of the RUN.
    pub span: Span,
    /// Directory the go command runs in (`None` = not statically known).
    pub dir: Option<String>,
    /// The main module, when a go.mod from the context is visible.
    pub module: Option<ModuleRoot>,
    /// The workspace, when a go.work applies.
    pub workspace: Option<Workspace>,
    /// Manifests a dependency step must copy (sorted, deduplicated).
    pub manifests: Vec<ManifestFile>,
    /// vendor/ of the main module, when present.
    pub vendor: Option<VendorState>,
    /// False when files may come from somewhere gofront cannot see (another stage, an image, a
    /// RUN that fetches or generates files), so an absent go.mod is not proof.
    pub complete: bool,
}

impl ModuleView {
    /// True when `inv` (the invocation this view is for) builds from vendor/: `-mod=vendor`
    /// (flag or GOFLAGS), or no `-mod` and a modules.txt with a go line of 1.14 or newer outside
    /// workspace mode, as the go command decides.
    pub fn uses_vendor(&self, inv: &GoInvocation) -> bool {
        match inv.effective_mod_mode().as_deref() {
            Some("vendor") => true,
            Some(_) => false,
            None => {
                self.workspace.is_none() && self.vendor.as_ref().is_some_and(|v| v.default_mode)
            }
        }
    }
}

/// Module views of every go invocation in every stage, and the diagnoses found.
///
/// `dockerfile` is the file `stages` were computed from (its RUN texts tell whether a step may
/// create files gofront cannot see).
pub fn module_views(
    dockerfile: &Dockerfile,
    stages: &[StageAnalysis],
    facts: &ContextFacts,
) -> (Vec<ModuleView>, Vec<Diagnostic>) {
    let mut views = Vec::new();
    let mut diags = Vec::new();
    for s in stages {
        for (ri, run) in s.go_runs.iter().enumerate() {
            let dirs: Option<Vec<String>> = run.invocations.iter().map(|i| i.dir.clone()).collect();
            let mut fs = visible_files(
                dockerfile,
                stages,
                s.index,
                run.command_index,
                dirs.as_deref(),
                facts,
            );
            apply_bind_mounts(&run.other_mounts, facts, &mut fs);
            for (ii, inv) in run.invocations.iter().enumerate() {
                let view = view_for(s.index, ri, ii, run.span, inv, &fs, facts);
                let covered = view
                    .dir
                    .as_deref()
                    .is_some_and(|d| context_copy_covers(s, run.command_index, d));
                // BuildKit builds only the stages the final image needs: a finding about
                // another stage could never be a failure of this build.
                if s.reachable {
                    let known_base = base_files_known(stages, s.index);
                    diags.extend(diagnose(&view, inv, facts, &fs, covered, known_base));
                    diags.extend(invocation_diagnostics(run.span, inv));
                }
                views.push(view);
            }
        }
    }
    diags.extend(
        stages
            .iter()
            .filter(|s| s.is_go_stage() && s.reachable)
            .flat_map(|s| missing_copy_sources(s, facts)),
    );
    diags.extend(super::secrets::credential_diagnostics(dockerfile, stages));
    let mut seen = std::collections::BTreeSet::new();
    diags.retain(|d| seen.insert((d.span, d.code, d.message.clone())));
    (views, diags)
}

/// Everything the Go rewrites start from, for one Dockerfile and build context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoFacts {
    /// Per-stage analysis.
    pub stages: Vec<StageAnalysis>,
    /// What each go invocation sees.
    pub views: Vec<ModuleView>,
    /// Static diagnoses, in Dockerfile order, without duplicates.
    pub diagnostics: Vec<Diagnostic>,
    /// The context files the views were computed from (the deps step reads members' go.mod).
    pub context: ContextFacts,
}

/// Analyses the Dockerfile and combines it with the context facts.
pub fn gather(input: &AnalyzeInput, facts: &ContextFacts) -> GoFacts {
    let stages = analyze(input);
    let (views, mut diagnostics) = module_views(input.dockerfile, &stages, facts);
    diagnostics.sort_by_key(|d| d.span.start);
    GoFacts {
        stages,
        views,
        diagnostics,
        context: facts.clone(),
    }
}

/// The last element of a slash-separated path.
pub(crate) fn file_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn parent_dir(p: &str) -> &str {
    match p.rfind('/') {
        Some(0) => "/",
        Some(i) => &p[..i],
        None => "",
    }
}

/// Joins a context-relative directory and a relative path; `None` when it leaves the context.
pub(crate) fn rel_join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

pub(crate) fn ctx_file(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn view_for(
    stage: usize,
    run: usize,
    invocation: usize,
    span: Span,
    inv: &GoInvocation,
    fs: &VisibleFiles,
    facts: &ContextFacts,
) -> ModuleView {
    let mut view = ModuleView {
        stage,
        run,
        invocation,
        span,
        dir: inv.dir.clone(),
        module: None,
        workspace: None,
        manifests: Vec::new(),
        vendor: None,
        complete: fs.complete,
    };
    let Some(dir) = inv.dir.as_deref() else {
        return view;
    };
    let mut manifests = Vec::new();
    let mut add = |ctx_dir: &str, container_dir: &str, name: &str| {
        let ctx = ctx_file(ctx_dir, name);
        if facts.has(&ctx) {
            manifests.push(ManifestFile {
                context_path: ctx,
                container_path: join_path(container_dir, name),
            });
        }
    };
    if let Some((cdir, ctx)) = find_up(fs, dir, "go.mod") {
        let ctx_dir = parent_dir(ctx).to_string();
        let go_mod = ModFile::parse(ctx, facts.get(ctx).unwrap_or_default());
        add(&ctx_dir, &cdir, "go.mod");
        add(&ctx_dir, &cdir, "go.sum");
        if let Ok(m) = &go_mod {
            for r in m.local_replaces() {
                let Some(target) = r.local_dir() else {
                    continue;
                };
                if let Some(t) = rel_join(&ctx_dir, target).filter(|_| !target.starts_with('/')) {
                    let container = join_path(&cdir, target);
                    add(&t, &container, "go.mod");
                    add(&t, &container, "go.sum");
                }
            }
            let txt = ctx_file(&ctx_dir, "vendor/modules.txt");
            if let Some(bytes) = facts.get(&txt) {
                view.vendor = Some(VendorState {
                    modules_txt: txt,
                    default_mode: vendor_is_default(m),
                    consistency: check_consistency(m, &ModulesTxt::parse(bytes)),
                });
            }
        }
        view.module = Some(ModuleRoot {
            container_dir: cdir,
            context_dir: ctx_dir,
            go_mod,
        });
    }
    let gowork = inv.env.vars.get("GOWORK").map(String::as_str);
    let found_work = match gowork {
        None | Some("") => find_up(fs, dir, "go.work"),
        Some("off") => None,
        Some(path) => {
            let p = join_path(dir, path);
            fs.files
                .get(&p)
                .map(|ctx| (parent_dir(&p).to_string(), ctx))
        }
    };
    if let Some((cdir, ctx)) = found_work {
        let ctx_dir = parent_dir(ctx).to_string();
        let go_work = WorkFile::parse(ctx, facts.get(ctx).unwrap_or_default());
        add(&ctx_dir, &cdir, "go.work");
        add(&ctx_dir, &cdir, "go.work.sum");
        if let Ok(w) = &go_work {
            let dirs = w
                .uses
                .iter()
                .map(|u| u.path.as_str())
                .chain(w.replace.iter().filter_map(|r| r.local_dir()));
            for d in dirs.filter(|d| !d.starts_with('/')) {
                if let Some(t) = rel_join(&ctx_dir, d) {
                    let container = join_path(&cdir, d);
                    add(&t, &container, "go.mod");
                    add(&t, &container, "go.sum");
                }
            }
        }
        view.workspace = Some(Workspace {
            container_dir: cdir,
            context_dir: ctx_dir,
            go_work,
        });
    }
    manifests.sort();
    manifests.dedup();
    view.manifests = manifests;
    view
}

mod diagnose;
#[cfg(test)]
mod tests;
mod visible;

pub use diagnose::first_source_copy;
use diagnose::*;
pub(crate) use diagnose::{ignores_module, module_optional, toolchain_diagnostic, uses_var};
use visible::*;
pub(crate) use visible::{contains_word, find_word, run_text};
