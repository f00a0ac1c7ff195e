//! The manifest files visible in a stage's filesystem at each instruction: COPY/ADD replayed
//! over the context's manifests (globs, directories, `--from` stages), bind mounts of the
//! context, and the RUNs that may create files gofront cannot predict.
//!
//! Not for: which module a go command sees (`view_for`) or what is wrong with it (`diagnose`).

use super::*;

/// Manifest files visible in a stage's filesystem before one of its instructions.
pub(super) struct VisibleFiles {
    /// Container path → context path.
    pub(super) files: BTreeMap<String, String>,
    pub(super) complete: bool,
}

/// Commands that copy, fetch, unpack or link files into place: they may bring manifests gofront
/// cannot predict into the directories they write.
pub(super) const FILE_MAKERS: [&str; 10] = [
    "cp", "mv", "ln", "rsync", "install", "tar", "unzip", "curl", "wget", "git",
];

/// git subcommands that write a work tree.
pub(super) const GIT_WRITES: [&str; 8] = [
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
pub(super) const GO_WRITES: [&str; 7] = [
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

pub(super) fn visible_files(
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
pub(super) fn run_may_make_files(
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
pub(super) fn text_before_go_is_clean(text: &str) -> bool {
    let before = find_word(text, "go").map_or(text, |i| &text[..i]);
    !contains_word(before, "go.mod") && !contains_word(before, "go.work")
}

/// True when a file-writing command's paths (its working directory and path arguments) are at,
/// above or below one of the `near` directories, or cannot be known.
pub(super) fn touches(c: &SimpleCommand, near: Near) -> bool {
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
        paths.push(join_path(cwd, &w.text));
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
pub(super) fn apply_bind_mounts(mounts: &[Mount], facts: &ContextFacts, fs: &mut VisibleFiles) {
    for m in mounts.iter().filter(|m| m.kind == MountType::Bind) {
        if m.from.is_some() {
            fs.complete = false;
            continue;
        }
        let src = clean_context_path(m.source.as_deref().unwrap_or(""));
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
pub(super) fn apply_stage_copy(
    c: &CopyFact,
    src: &VisibleFiles,
    files: &mut BTreeMap<String, String>,
) {
    for s in &c.sources {
        for (path, ctx) in &src.files {
            let dest = if path == s || (is_glob(s) && glob_match(s, path)) {
                if c.dest_is_dir || is_glob(s) {
                    join_path(&c.dest, file_name(path))
                } else {
                    c.dest.clone()
                }
            } else if s == "/" {
                join_path(&c.dest, path.trim_start_matches('/'))
            } else if let Some(rest) = path.strip_prefix(s.as_str()).filter(|r| r.starts_with('/'))
            {
                join_path(&c.dest, rest.trim_start_matches('/'))
            } else {
                continue;
            };
            files.insert(dest, ctx.clone());
        }
    }
}

/// Applies one COPY/ADD to the visible manifest map; returns false when its effect on
/// manifests cannot be known.
pub(super) fn apply_copy(
    c: &CopyFact,
    facts: &ContextFacts,
    files: &mut BTreeMap<String, String>,
) -> bool {
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
pub(super) fn copy_destination(src: &str, ctx: &str, c: &CopyFact) -> Option<String> {
    if c.parents {
        // --parents keeps the matched path below the destination.
        let matched = src.is_empty() || glob_match(src, ctx) || is_under(ctx, src);
        return matched.then(|| join_path(&c.dest, ctx));
    }
    if glob_match(src, ctx) {
        let dest = if c.dest_is_dir || is_glob(src) {
            join_path(&c.dest, file_name(ctx))
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
            return Some(join_path(&c.dest, &ctx_parts[n..].join("/")));
        }
    }
    src.is_empty().then(|| join_path(&c.dest, ctx))
}

pub(super) fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

pub(super) fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty() || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Matches a context path against a COPY source pattern segment by segment (`*`, `?`, `[..]`
/// within a segment, as Go's `filepath.Match`).
pub(super) fn glob_match(pattern: &str, path: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    let ps: Vec<&str> = pattern.split('/').collect();
    let xs: Vec<&str> = path.split('/').collect();
    ps.len() == xs.len() && ps.iter().zip(&xs).all(|(p, x)| segment_match(p, x))
}

pub(super) fn segment_match(p: &str, x: &str) -> bool {
    let p: Vec<char> = p.chars().collect();
    let x: Vec<char> = x.chars().collect();
    seg(&p, &x)
}

pub(super) fn seg(p: &[char], x: &[char]) -> bool {
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

/// Finds `name` in `dir` or its parents in the visible files.
pub(super) fn find_up<'a>(
    fs: &'a VisibleFiles,
    dir: &str,
    name: &str,
) -> Option<(String, &'a String)> {
    let mut d = dir.to_string();
    loop {
        let candidate = join_path(&d, name);
        if let Some(ctx) = fs.files.get(&candidate) {
            return Some((d, ctx));
        }
        if d == "/" {
            return None;
        }
        d = parent_dir(&d).to_string();
    }
}
