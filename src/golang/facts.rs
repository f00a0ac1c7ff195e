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
use super::shellscan::{clean_path, SimpleCommand};
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
    pub fn include_patterns() -> Vec<String> {
        let mut p: Vec<String> = MANIFEST_NAMES.iter().map(|n| format!("**/{n}")).collect();
        p.push("**/vendor/modules.txt".into());
        p.push("**/*.go".into());
        p
    }

    /// Adds a file (path normalised to context-relative form). Of a Go source file only its
    /// header is kept (see [`ContextFacts::go_files`]).
    pub fn insert(&mut self, path: &str, bytes: Vec<u8>) {
        let path = rel_clean(path);
        if path.ends_with(".go") {
            self.go_files
                .insert(path, crate::golang::imports::parse_header(&bytes));
        } else {
            self.files.insert(path, bytes);
        }
    }

    /// The bytes of a context-relative path.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(&rel_clean(path)).map(Vec::as_slice)
    }

    /// True when the file exists in the context.
    pub fn has(&self, path: &str) -> bool {
        self.files.contains_key(&rel_clean(path))
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

/// Manifest files visible in a stage's filesystem before one of its instructions.
struct VisibleFiles {
    /// Container path → context path.
    files: BTreeMap<String, String>,
    complete: bool,
}

/// Commands that copy, fetch, unpack or link files into place: they may bring manifests gofront
/// cannot predict into the directories they write.
const FILE_MAKERS: [&str; 10] = [
    "cp", "mv", "ln", "rsync", "install", "tar", "unzip", "curl", "wget", "git",
];

/// git subcommands that write a work tree.
const GIT_WRITES: [&str; 8] = [
    "clone",
    "fetch",
    "pull",
    "checkout",
    "archive",
    "submodule",
    "reset",
    "worktree",
];

/// go subcommands (with their first argument) that write manifests or vendor/.
const GO_WRITES: [&str; 7] = [
    "mod init",
    "mod vendor",
    "mod tidy",
    "mod edit",
    "work init",
    "work use",
    "work sync",
];

/// Where a RUN's unpredictable files would matter: near the go commands' directories (`Some`),
/// or anywhere (`None`, for a stage whose files another stage copies).
type Near<'a> = Option<&'a [String]>;

fn visible_files(
    dockerfile: &Dockerfile,
    stages: &[StageAnalysis],
    stage: usize,
    before_command: usize,
    near: Near,
    facts: &ContextFacts,
) -> VisibleFiles {
    let mut chain = Vec::new();
    let mut cur = Some((stage, before_command));
    let mut complete = true;
    while let Some((si, limit)) = cur {
        let Some(s) = stages.get(si) else { break };
        chain.push((si, limit));
        cur = match &s.base {
            StageBase::Stage(p) if !chain.iter().any(|(c, _)| c == p) => Some((*p, usize::MAX)),
            StageBase::Image { .. } | StageBase::Stage(_) => {
                complete = complete && matches!(s.base, StageBase::Image { .. });
                None
            }
            StageBase::Scratch => None,
        };
    }
    let mut files = BTreeMap::new();
    for (si, limit) in chain.into_iter().rev() {
        let Some(s) = stages.get(si) else { continue };
        for c in s.copies.iter().filter(|c| c.command_index < limit) {
            complete &= match c.origin {
                // `--from` only names earlier stages, so this recursion ends.
                CopyOrigin::Stage(from) if from < si && !c.uncertain && c.excludes.is_empty() => {
                    let src = visible_files(dockerfile, stages, from, usize::MAX, None, facts);
                    apply_stage_copy(c, &src, &mut files);
                    src.complete
                }
                _ => apply_copy(c, facts, &mut files),
            };
        }
        let cmds = dockerfile.stages.get(si).map(|st| st.commands.as_slice());
        for (ci, cmd) in cmds.unwrap_or(&[]).iter().enumerate().take(limit) {
            let workdir = s.command_workdirs.get(ci).map_or("/", String::as_str);
            if run_may_make_files(&cmd.instruction, workdir, near, false) {
                complete = false;
            }
        }
        // The go RUN itself counts too, up to its first go command: `RUN git clone ... && go
        // build`; what follows the go command (`go build -o /app && cp /app /usr/bin/`) cannot
        // change what it saw.
        if si == stage {
            if let Some(cmd) = cmds.and_then(|c| c.get(limit)) {
                let workdir = s.command_workdirs.get(limit).map_or("/", String::as_str);
                if run_may_make_files(&cmd.instruction, workdir, near, true) {
                    complete = false;
                }
            }
        }
    }
    VisibleFiles { files, complete }
}

/// True when a RUN may create or fetch files gofront cannot predict near `near`: a command that
/// copies, fetches or unpacks files (by name, not as an argument: `apk add curl` does not count)
/// into, above or below those directories, a go command that writes manifests, a command name
/// gofront cannot read, or a manifest named anywhere in the RUN (`echo ... > go.mod`).
/// `before_go`: only the commands before the RUN's first go command count.
fn run_may_make_files(
    instruction: &Instruction,
    workdir: &str,
    near: Near,
    before_go: bool,
) -> bool {
    let Instruction::Run(run) = instruction else {
        return false;
    };
    let scan = scan_run(run, workdir, None);
    let text = run_text(run);
    let mut names_manifest = contains_word(&text, "go.mod") || contains_word(&text, "go.work");
    for c in &scan.commands {
        let name = c.name();
        if name == "go" {
            if before_go {
                return !text_before_go_is_clean(&text);
            }
            let sub: Vec<&str> = c.args().iter().take(2).map(|w| w.text.as_str()).collect();
            if GO_WRITES.contains(&sub.join(" ").as_str()) {
                return true;
            }
            continue;
        }
        if name.is_empty() {
            return true;
        }
        let writes = match name {
            "git" => c
                .args()
                .iter()
                .any(|w| GIT_WRITES.contains(&w.text.as_str())),
            _ => FILE_MAKERS.contains(&name),
        };
        if writes && touches(c, near) {
            return true;
        }
    }
    if before_go {
        names_manifest = false;
    }
    names_manifest
}

/// True when the text before the first `go` word names no manifest.
fn text_before_go_is_clean(text: &str) -> bool {
    let before = find_word(text, "go").map_or(text, |i| &text[..i]);
    !contains_word(before, "go.mod") && !contains_word(before, "go.work")
}

/// True when a file-writing command's paths (its working directory and path arguments) are at,
/// above or below one of the `near` directories, or cannot be known.
fn touches(c: &SimpleCommand, near: Near) -> bool {
    let Some(near) = near else {
        return true;
    };
    let Some(cwd) = c.dir.as_deref() else {
        return true;
    };
    let mut paths = vec![cwd.to_string()];
    for w in c.args() {
        if w.dynamic {
            return true;
        }
        if w.text.starts_with('-') || w.text.contains("://") || w.text.contains('@') {
            continue;
        }
        paths.push(join_abs(cwd, &w.text));
    }
    let within = |x: &str, dir: &str| {
        x == dir || dir == "/" || x.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
    };
    paths
        .iter()
        .any(|p| near.iter().any(|d| within(p, d) || within(d, p)))
}

/// A RUN's command (exec form joined with spaces) followed by its heredoc bodies.
pub(crate) fn run_text(run: &Run) -> String {
    let mut text = match &run.command {
        CommandLine::Shell(t) => t.clone(),
        CommandLine::Exec(argv) => argv.join(" "),
    };
    for h in &run.heredocs {
        text.push('\n');
        text.push_str(&h.content);
    }
    text
}

/// Byte offset of the first occurrence of `word` in `text` as a whole word (not inside a
/// longer name, path or flag).
pub(crate) fn find_word(text: &str, word: &str) -> Option<usize> {
    let boundary =
        |c: Option<char>| !c.is_some_and(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = text.get(..i).and_then(|t| t.chars().next_back());
        let after = text.get(i + word.len()..).and_then(|t| t.chars().next());
        boundary(before) && boundary(after)
    })
}

/// True when `word` occurs in `text` as a whole word.
pub(crate) fn contains_word(text: &str, word: &str) -> bool {
    find_word(text, word).is_some()
}

/// Adds what the RUN's own bind mounts of the build context show (`--mount=type=bind,target=.`,
/// `--mount=type=bind,source=go.mod,target=go.mod`, as in `docker init`'s Go template).
fn apply_bind_mounts(mounts: &[Mount], facts: &ContextFacts, fs: &mut VisibleFiles) {
    for m in mounts.iter().filter(|m| m.kind == MountType::Bind) {
        if m.from.is_some() {
            fs.complete = false;
            continue;
        }
        let src = rel_clean(m.source.as_deref().unwrap_or(""));
        let pseudo = CopyFact {
            command_index: 0,
            span: Span::default(),
            is_add: false,
            origin: CopyOrigin::Context,
            sources: vec![src.clone()],
            dest: clean_path(&m.target),
            dest_is_dir: false,
            parents: false,
            excludes: Vec::new(),
            uncertain: false,
            workdir: String::new(),
            user: String::new(),
            env: Default::default(),
        };
        for ctx in facts.files.keys() {
            if let Some(dest) = copy_destination(&src, ctx, &pseudo) {
                fs.files.insert(dest, ctx.clone());
            }
        }
    }
}

/// Applies a `COPY --from=<stage>` using the manifests visible at the end of that stage.
fn apply_stage_copy(c: &CopyFact, src: &VisibleFiles, files: &mut BTreeMap<String, String>) {
    for s in &c.sources {
        for (path, ctx) in &src.files {
            let dest = if path == s || (is_glob(s) && glob_match(s, path)) {
                if c.dest_is_dir || is_glob(s) {
                    join_abs(&c.dest, file_name(path))
                } else {
                    c.dest.clone()
                }
            } else if s == "/" {
                join_abs(&c.dest, path.trim_start_matches('/'))
            } else if let Some(rest) = path.strip_prefix(s.as_str()).filter(|r| r.starts_with('/'))
            {
                join_abs(&c.dest, rest.trim_start_matches('/'))
            } else {
                continue;
            };
            files.insert(dest, ctx.clone());
        }
    }
}

/// Applies one COPY/ADD to the visible manifest map; returns false when its effect on
/// manifests cannot be known.
fn apply_copy(c: &CopyFact, facts: &ContextFacts, files: &mut BTreeMap<String, String>) -> bool {
    match c.origin {
        CopyOrigin::Context if !c.uncertain => {}
        CopyOrigin::Heredoc => return true,
        _ => return false,
    }
    if !c.excludes.is_empty() {
        return false;
    }
    for src in &c.sources {
        for ctx in facts.files.keys() {
            if let Some(dest) = copy_destination(src, ctx, c) {
                files.insert(dest, ctx.clone());
            }
        }
    }
    true
}

/// Where context file `ctx` lands when COPY source `src` (context-relative, maybe a glob) is
/// copied to `c.dest`, or `None` when this source does not include it.
fn copy_destination(src: &str, ctx: &str, c: &CopyFact) -> Option<String> {
    if c.parents {
        // --parents keeps the matched path below the destination.
        let matched = src.is_empty() || glob_match(src, ctx) || is_under(ctx, src);
        return matched.then(|| join_abs(&c.dest, ctx));
    }
    if glob_match(src, ctx) {
        let dest = if c.dest_is_dir || is_glob(src) {
            join_abs(&c.dest, file_name(ctx))
        } else {
            c.dest.clone()
        };
        return Some(dest);
    }
    // Directory source: its contents land in the destination.
    let ctx_parts: Vec<&str> = ctx.split('/').collect();
    for n in 1..ctx_parts.len() {
        let dir = ctx_parts[..n].join("/");
        if glob_match(src, &dir) {
            return Some(join_abs(&c.dest, &ctx_parts[n..].join("/")));
        }
    }
    src.is_empty().then(|| join_abs(&c.dest, ctx))
}

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty() || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Matches a context path against a COPY source pattern segment by segment (`*`, `?`, `[..]`
/// within a segment, as Go's `filepath.Match`).
fn glob_match(pattern: &str, path: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    let ps: Vec<&str> = pattern.split('/').collect();
    let xs: Vec<&str> = path.split('/').collect();
    ps.len() == xs.len() && ps.iter().zip(&xs).all(|(p, x)| segment_match(p, x))
}

fn segment_match(p: &str, x: &str) -> bool {
    let p: Vec<char> = p.chars().collect();
    let x: Vec<char> = x.chars().collect();
    seg(&p, &x)
}

fn seg(p: &[char], x: &[char]) -> bool {
    match p.split_first() {
        None => x.is_empty(),
        Some(('*', rest)) => (0..=x.len()).any(|i| seg(rest, &x[i..])),
        Some(('?', rest)) => !x.is_empty() && seg(rest, &x[1..]),
        Some(('[', rest)) => {
            let Some(end) = rest.iter().position(|c| *c == ']') else {
                return false;
            };
            let Some((first, xs)) = x.split_first() else {
                return false;
            };
            let (negate, class) = match rest[..end].split_first() {
                Some(('^', cls)) => (true, cls),
                _ => (false, &rest[..end]),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if class.get(i + 1) == Some(&'-') && i + 2 < class.len() {
                    hit |= class[i] <= *first && *first <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == *first;
                    i += 1;
                }
            }
            hit != negate && seg(&rest[end + 1..], xs)
        }
        Some(('\\', rest)) => match (rest.split_first(), x.split_first()) {
            (Some((a, pr)), Some((b, xr))) => a == b && seg(pr, xr),
            _ => false,
        },
        Some((c, rest)) => x.first() == Some(c) && seg(rest, &x[1..]),
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

pub(crate) fn join_abs(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        clean_path(rel)
    } else {
        clean_path(&format!("{dir}/{rel}"))
    }
}

fn rel_clean(p: &str) -> String {
    clean_path(&format!("/{p}"))
        .trim_start_matches('/')
        .to_string()
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

/// Finds `name` in `dir` or its parents in the visible files.
fn find_up<'a>(fs: &'a VisibleFiles, dir: &str, name: &str) -> Option<(String, &'a String)> {
    let mut d = dir.to_string();
    loop {
        let candidate = join_abs(&d, name);
        if let Some(ctx) = fs.files.get(&candidate) {
            return Some((d, ctx));
        }
        if d == "/" {
            return None;
        }
        d = parent_dir(&d).to_string();
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
                container_path: join_abs(container_dir, name),
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
                    let container = join_abs(&cdir, target);
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
            let p = join_abs(dir, path);
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
                    let container = join_abs(&cdir, d);
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

/// Findings about the go command line itself, independent of the context.
fn invocation_diagnostics(span: Span, inv: &GoInvocation) -> Vec<Diagnostic> {
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
fn context_copy_covers(stage: &StageAnalysis, before: usize, dir: &str) -> bool {
    stage.copies.iter().any(|c| {
        c.command_index < before
            && c.origin == CopyOrigin::Context
            && !c.uncertain
            && (c.dest == dir || c.dest == "/" || is_under(dir, &c.dest))
    })
}

/// `covered`: the stage copied the build context to (or above) the go command's directory, so
/// a go.mod found elsewhere in the context is proof of a mismatch (not the base image's files).
fn diagnose(
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
fn workspace_membership(
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
        let path = join_abs(cwd, a.trim_end_matches("/...").trim_end_matches("..."));
        dirs.push(if a.ends_with(".go") {
            parent_dir(&path).to_string()
        } else {
            path
        });
    }
    let members: Vec<String> = work
        .uses
        .iter()
        .map(|u| join_abs(&w.container_dir, &u.path))
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
fn missing_copy_sources(stage: &StageAnalysis, facts: &ContextFacts) -> Vec<Diagnostic> {
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
fn base_files_known(stages: &[StageAnalysis], stage: usize) -> bool {
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
fn certain_if(certain: bool) -> Severity {
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
fn vendor_missing(
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
    let in_image = join_abs(&m.container_dir, "vendor/modules.txt");
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
fn workspace_member_missing(
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
        let member = join_abs(&w.container_dir, &u.path);
        if fs.files.contains_key(&join_abs(&member, "go.mod")) {
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
fn parent_ctx_dir(ctx: &str) -> String {
    ctx.rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default()
}

/// `target` relative to `base` when it is inside it, else `target` itself.
fn rel_from(base: &str, target: &str) -> String {
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
fn names_manifests(source: &str) -> bool {
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
fn required_go(view: &ModuleView) -> Option<(String, String)> {
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

fn module_diagnostics(
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

#[cfg(test)]
mod tests;
