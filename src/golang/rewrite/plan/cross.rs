//! The cross rewrite: a Go build stage that is safe to cross-compile runs on `$BUILDPLATFORM`
//! (`FROM --platform=$BUILDPLATFORM`), and its go commands get GOOS/GOARCH (GOARM for
//! `arm/v5`..`v7`, GOAMD64 for `amd64/v2`..`v4`) of the target platform as process env when the
//! target is not the build platform, so `--platform linux/arm64` compiles natively instead of
//! running the toolchain under emulation. The deps step gets no target settings: every target
//! platform shares it.
//!
//! Safe means, each checked here and named when it fails: the stage is built from the official
//! golang image (known to exist for every platform), not pinned by digest (which may name one
//! platform's image), and does not choose its platform itself; it is not (part of) the image being built and no stage
//! is built on it; every go command is visible (no `make`/script), sets neither GOOS nor GOARCH,
//! does not execute what it builds (`go test`, `go run`, `go generate`) and compiles with
//! CGO_ENABLED=0 (with cgo on, a native build links C code a cross build would leave out; the
//! golang images have a C compiler, so cgo is on unless the Dockerfile turns it off); no RUN
//! executes a program the stage built; no RUN depends on the machine it runs on (`uname -m`,
//! `dpkg --print-architecture`, the TARGET*/BUILD* args); and every path another stage reads
//! from it is the same for every platform: a go output (`-o`, the install directory), a file
//! from the build context, or arch-independent data (CA certificates, zoneinfo, passwd).

use super::*;
use crate::golang::analyze::{CacheReaderKind, CopyOrigin};

/// Arch-independent files a runtime stage commonly copies from a build stage.
const NEUTRAL_PATHS: [&str; 9] = [
    "/etc/ssl/certs",
    "/etc/ca-certificates",
    "/usr/share/ca-certificates",
    "/usr/local/share/ca-certificates",
    "/usr/share/zoneinfo",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/mime.types",
];

/// Words that make a RUN's result depend on the machine it runs on.
const MACHINE_WORDS: [&str; 6] = [
    "uname",
    "--print-architecture",
    "--print-arch",
    "arch",
    "TARGETARCH",
    "TARGETPLATFORM",
];

/// go subcommands that execute what they build.
const EXECUTES: [&str; 3] = ["test", "run", "generate"];

/// go subcommands whose result depends on GOOS/GOARCH.
const TARGETED: [&str; 5] = ["build", "install", "vet", "test", "list"];

/// go subcommands that compile for GOOS/GOARCH (their result depends on cgo).
const COMPILES: [&str; 3] = ["build", "install", "vet"];

/// What a safe stage gets: the user lines of its go RUNs.
pub(super) struct CrossPlan {
    run_lines: Vec<usize>,
}

impl<'a> Planner<'a> {
    /// The cross decision of one Go stage, recording its edits when applied.
    pub(super) fn cross_decision(&mut self, s: &StageAnalysis) -> Decision {
        match self.cross_plan(s) {
            Ok(plan) => {
                self.edits
                    .flags
                    .entry(s.span.start)
                    .or_default()
                    .push("--platform=$BUILDPLATFORM".to_string());
                self.edits.cross.extend(plan.run_lines.iter().copied());
                let lines: Vec<String> = plan.run_lines.iter().map(usize::to_string).collect();
                self.decision(
                    s,
                    RewriteKind::Cross,
                    s.span,
                    true,
                    format!(
                        "runs on the build platform; the go commands on {} compile for the target platform (GOOS/GOARCH when it differs): no emulation",
                        line_list(&lines)
                    ),
                )
            }
            Err((span, why)) => self.decision(s, RewriteKind::Cross, span, false, why),
        }
    }

    fn cross_plan(&self, s: &StageAnalysis) -> Result<CrossPlan, (Span, String)> {
        let stage = self
            .df
            .stages
            .get(s.index)
            .ok_or((s.span, "stage not found".to_string()))?;
        if let Some(p) = &stage.platform {
            return Err((s.span, format!("FROM sets --platform={p} itself")));
        }
        match &s.base {
            StageBase::Image { reference, .. } if reference.contains('@') => {
                return Err((
                    s.span,
                    "its base image is pinned by digest, which may name one platform's image"
                        .into(),
                ))
            }
            StageBase::Image { reference, .. }
                if !crate::golang::analyze::is_golang_reference(reference) =>
            {
                return Err((
                    s.span,
                    format!("its base image {reference} is not the official golang image (only that one is known to exist for every platform)"),
                ))
            }
            StageBase::Image { .. } => {}
            StageBase::Stage(p) => {
                return Err((
                    s.span,
                    format!("it is built on stage {} (only stages from an image move to the build platform)", self.stage_label(*p)),
                ))
            }
            StageBase::Scratch => return Err((s.span, "it is built FROM scratch".into())),
        }
        if s.is_final {
            return Err((
                s.span,
                "it is the image being built: it must have the target platform's files".into(),
            ));
        }
        if !s.reachable {
            return Err((s.span, "the target does not need this stage".into()));
        }
        if let Some(child) = s
            .output_readers
            .iter()
            .find(|r| r.kind == CacheReaderKind::Inherits)
        {
            return Err((
                child.span,
                format!(
                    "stage {} (line {}) is built on it",
                    self.stage_label(child.stage),
                    child.span.start
                ),
            ));
        }
        self.check_go_commands(s)?;
        let outputs = go_outputs(s);
        self.check_machine_and_execution(s, stage, &outputs)?;
        if let Some(r) = s.indirect_runs.first() {
            return Err((
                r.span,
                format!(
                    "line {} runs `{}`, whose go commands gofront cannot see (their cgo, GOARCH and outputs)",
                    r.span.start, r.runner
                ),
            ));
        }
        self.check_readers(s, &outputs)?;
        // Only RUNs whose result depends on the target get its settings: a `go mod download`
        // RUN stays the same for every platform, so all of them share it.
        let run_lines: Vec<usize> = s
            .go_runs
            .iter()
            .filter(|r| {
                r.invocations
                    .iter()
                    .any(|i| TARGETED.contains(&i.subcommand.as_deref().unwrap_or("")))
            })
            .map(|r| r.span.start)
            .collect();
        if run_lines.is_empty() {
            return Err((
                s.span,
                "no go command here compiles for the target platform".into(),
            ));
        }
        Ok(CrossPlan { run_lines })
    }

    fn stage_label(&self, index: usize) -> String {
        self.facts
            .stages
            .get(index)
            .and_then(|s| s.name.clone())
            .unwrap_or_else(|| index.to_string())
    }

    /// Every go command: no own GOOS/GOARCH, does not execute what it builds, cgo off.
    fn check_go_commands(&self, s: &StageAnalysis) -> Result<(), (Span, String)> {
        for run in &s.go_runs {
            let line = run.span.start;
            for inv in &run.invocations {
                let sub = inv.subcommand.as_deref().unwrap_or("");
                if let Some(name) = ["GOOS", "GOARCH"].into_iter().find(|n| {
                    inv.env.vars.contains_key(*n) || inv.go_env_writes().iter().any(|(k, _)| k == n)
                }) {
                    return Err((
                        run.span,
                        format!(
                            "line {line} sets {name} itself (the stage chooses its own target)"
                        ),
                    ));
                }
                if EXECUTES.contains(&sub) && !(sub == "test" && compiles_only(inv)) {
                    return Err((
                        run.span,
                        format!("line {line} runs `go {sub}`, which executes what it builds"),
                    ));
                }
                let compiles = COMPILES.contains(&sub) || sub == "test";
                if !compiles {
                    continue;
                }
                match inv.env.vars.get("CGO_ENABLED").map(String::as_str) {
                    Some("0") => {}
                    Some(v) => {
                        return Err((
                            run.span,
                            format!("line {line} compiles with cgo (CGO_ENABLED={v}): C code needs the target's compiler and libraries"),
                        ))
                    }
                    None => {
                        return Err((
                            run.span,
                            format!("cgo may be on for `go {sub}` on line {line} (CGO_ENABLED is not 0, and an image with a C compiler turns it on): a cross build would leave C code out; set CGO_ENABLED=0 if the program needs no cgo"),
                        ))
                    }
                }
            }
        }
        Ok(())
    }

    /// No RUN depends on the machine or executes a program the stage built.
    fn check_machine_and_execution(
        &self,
        s: &StageAnalysis,
        stage: &crate::dockerfile::ast::Stage,
        outputs: &Outputs,
    ) -> Result<(), (Span, String)> {
        let first_build = s
            .go_runs
            .iter()
            .find(|r| {
                r.invocations
                    .iter()
                    .any(|i| COMPILES.contains(&i.subcommand.as_deref().unwrap_or("")))
            })
            .map(|r| r.command_index);
        for (ci, cmd) in stage.commands.iter().enumerate() {
            let Instruction::Run(run) = &cmd.instruction else {
                continue;
            };
            let text = run_text(run);
            if let Some(word) = MACHINE_WORDS
                .iter()
                .find(|w| crate::golang::facts::contains_word(&text, w))
            {
                return Err((
                    cmd.span,
                    format!(
                        "line {} depends on the machine it runs on (`{word}`)",
                        cmd.span.start
                    ),
                ));
            }
            if first_build.map_or(true, |b| ci < b) {
                continue;
            }
            let workdir = s
                .command_workdirs
                .get(ci)
                .map(String::as_str)
                .unwrap_or("/");
            let scan = crate::golang::shellscan::scan(&text, workdir, None);
            for c in &scan.commands {
                let Some(word) = c.words.first().filter(|w| !w.dynamic) else {
                    continue;
                };
                if c.name() == "go" {
                    continue;
                }
                let dir = c.dir.as_deref().unwrap_or(workdir);
                if outputs.runs(&word.text, dir) {
                    return Err((
                        cmd.span,
                        format!(
                            "line {} runs `{}`, which the stage built for the target platform",
                            cmd.span.start, word.text
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every path another stage reads from this one is the same for every platform.
    fn check_readers(&self, s: &StageAnalysis, outputs: &Outputs) -> Result<(), (Span, String)> {
        let writer = self.file_writer(s);
        let context_dests: Vec<&str> = s
            .copies
            .iter()
            .filter(|c| c.origin == CopyOrigin::Context && !c.uncertain)
            .map(|c| c.dest.as_str())
            .collect();
        for r in &s.output_readers {
            if r.uncertain {
                return Err((
                    r.span,
                    format!(
                        "line {} reads a path of this stage that is not known before the build",
                        r.span.start
                    ),
                ));
            }
            for path in &r.paths {
                let from_context = context_dests.iter().any(|d| *d != "/" && within(path, d));
                if from_context && !outputs.contains(path) {
                    if let Some(w) = writer {
                        return Err((
                            r.span,
                            format!("line {} copies {path} from this stage, and line {} may have written there (files of the build context are only the same for every platform as copied)", r.span.start, w.start),
                        ));
                    }
                }
                let neutral = outputs.contains(path)
                    || NEUTRAL_PATHS.iter().any(|n| within(path, n))
                    || from_context;
                if !neutral {
                    return Err((
                        r.span,
                        format!("line {} copies {path} from this stage, which may differ between platforms (not a go output, a file of the build context or arch-independent data)", r.span.start),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Planner<'_> {
    /// The first RUN of the stage (other than go commands) that copies, moves, unpacks or
    /// downloads files: it may put platform-specific files among the build context's.
    fn file_writer(&self, s: &StageAnalysis) -> Option<Span> {
        let stage = self.df.stages.get(s.index)?;
        stage.commands.iter().find_map(|cmd| {
            let Instruction::Run(run) = &cmd.instruction else {
                return None;
            };
            let scan = crate::golang::shellscan::scan(&run_text(run), "/", None);
            scan.commands
                .iter()
                .any(|c| {
                    FILE_WRITERS.contains(&c.name())
                        && !(c.name() == "git"
                            && c.args().first().is_some_and(|a| a.text == "config"))
                })
                .then_some(cmd.span)
        })
    }
}

/// Commands that put files where a later COPY --from may read them.
const FILE_WRITERS: [&str; 14] = [
    "cp", "mv", "tar", "unzip", "curl", "wget", "ln", "install", "rsync", "git", "gunzip", "xz",
    "dd", "tee",
];

/// `go test -c` only compiles.
fn compiles_only(inv: &GoInvocation) -> bool {
    inv.args.iter().any(|a| a == "-c")
}

/// What the stage's go commands write: files (`-o file`) and directories (`-o dir/`, the
/// install directory).
#[derive(Debug, Default)]
struct Outputs {
    files: Vec<String>,
    dirs: Vec<String>,
    /// Names of the programs (for commands run by name through PATH).
    names: Vec<String>,
}

impl Outputs {
    fn contains(&self, path: &str) -> bool {
        self.files.iter().any(|f| within(path, f)) || self.dirs.iter().any(|d| within(path, d))
    }

    /// True when running `word` in `dir` runs one of the outputs.
    fn runs(&self, word: &str, dir: &str) -> bool {
        if word.contains('/') {
            let path = clean_path(&join_path(dir, word));
            return self.contains(&path);
        }
        self.names.iter().any(|n| n == word)
    }
}

/// The outputs of the stage's `go build`/`go install` commands.
fn go_outputs(s: &StageAnalysis) -> Outputs {
    let mut out = Outputs::default();
    for inv in s.go_runs.iter().flat_map(|r| r.invocations.iter()) {
        let dir = inv.dir.clone().unwrap_or_else(|| "/".into());
        match inv.subcommand.as_deref() {
            Some("build") => match &inv.flags.output {
                Some(o) if o.ends_with('/') => out.dirs.push(clean_path(&join_path(&dir, o))),
                Some(o) => {
                    let path = clean_path(&join_path(&dir, o));
                    out.names.push(file_name(&path).to_string());
                    out.files.push(path);
                }
                None => {
                    // The program lands in the directory, named after the package (or, for
                    // `.`, the module or directory): anything there may be it.
                    out.names.extend(package_names(inv));
                    out.names.push(file_name(&dir).to_string());
                    out.dirs.push(dir.clone());
                }
            },
            Some("install") => {
                let bin = inv
                    .env
                    .vars
                    .get("GOBIN")
                    .cloned()
                    .or_else(|| inv.env.gopath.as_ref().map(|g| join_path(g, "bin")));
                out.dirs.extend(bin);
                out.names.extend(package_names(inv));
            }
            _ => {}
        }
    }
    out
}

/// The last path element of each package argument (`./cmd/api` → `api`,
/// `example.com/tool@v1` → `tool`).
fn package_names(inv: &GoInvocation) -> Vec<String> {
    inv.args
        .iter()
        .filter(|a| !a.starts_with('-') && !a.ends_with(".go") && !a.contains("..."))
        .filter_map(|a| {
            let a = a.split('@').next().unwrap_or(a).trim_end_matches('/');
            let name = a.rsplit('/').next().unwrap_or(a);
            (!name.is_empty() && name != ".").then(|| name.to_string())
        })
        .collect()
}

/// `path` is `dir` or inside it.
fn within(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path == dir
        || dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}
