//! Stage analysis: which stages of a Dockerfile build Go, and, for every RUN that runs the go
//! tool, where it runs, with which Go environment, user and cache mounts, and what the stage's
//! COPY/ADD instructions brought into the filesystem before it.
//!
//! This follows the stage state the way BuildKit's `dockerfile.v0` does: ARG/ENV in order (an
//! ARG with a value sets the environment, a later ENV overrides it), WORKDIR resolved against the
//! previous one, USER, inheritance from earlier stages (`FROM builder`) and, when the caller knows
//! it, the base image's config (Env, User, WorkingDir). Expansion uses the BuildKit-compatible
//! lexer. Everything uncertain is reported as unknown (`None`) or as a note, never guessed.
//!
//! Not for: reading the build context (module roots are computed later from context facts),
//! deciding or applying rewrites, or producing LLB.

use std::collections::{BTreeMap, BTreeSet};

use crate::dockerfile::ast::{self, CommandLine, CopyLike, Dockerfile, Instruction, Span};
use crate::dockerfile::instructions::{parse_mount, Mount, MountType};
use crate::dockerfile::shell::{EnvLookup, Lexer};

use super::shellscan::{self, clean_context_path, clean_path, join_path};

/// The parts of a base image's config the analysis uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BaseImage {
    /// `Config.Env` as `NAME=value` pairs, in order.
    pub env: Vec<(String, String)>,
    /// `Config.User` ("" = root).
    pub user: String,
    /// `Config.WorkingDir` ("" = `/`).
    pub working_dir: String,
}

impl BaseImage {
    /// Reads Env/User/WorkingDir from an OCI image config JSON (`{"config": {...}}`).
    /// Returns `None` when the bytes are not such a JSON object.
    pub fn from_config_json(bytes: &[u8]) -> Option<BaseImage> {
        let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let cfg = v.get("config").or_else(|| v.get("Config"))?;
        let text = |k: &str| {
            cfg.get(k)
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let env = cfg
            .get("Env")
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(|kv| match kv.split_once('=') {
                        Some((k, v)) => (k.to_string(), v.to_string()),
                        None => (kv.to_string(), String::new()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(BaseImage {
            env,
            user: text("User"),
            working_dir: text("WorkingDir"),
        })
    }
}

/// Where base image configs come from (the caller resolves images; the analysis never does).
pub trait BaseImages {
    /// The config of `reference` (as written in FROM after global-arg expansion), if known.
    fn config(&self, reference: &str) -> Option<BaseImage>;
}

impl BaseImages for BTreeMap<String, BaseImage> {
    fn config(&self, reference: &str) -> Option<BaseImage> {
        self.get(reference).cloned()
    }
}

/// Any closure works as a source of configs (for example one that asks convert's image
/// resolver and parses the config with [`BaseImage::from_config_json`]).
impl<F: Fn(&str) -> Option<BaseImage>> BaseImages for F {
    fn config(&self, reference: &str) -> Option<BaseImage> {
        self(reference)
    }
}

/// Inputs of [`analyze`].
pub struct AnalyzeInput<'a> {
    /// The parsed Dockerfile.
    pub dockerfile: &'a Dockerfile,
    /// `--build-arg` values (plus any automatic platform args the caller provides).
    pub build_args: &'a BTreeMap<String, String>,
    /// Base image configs, when known.
    pub images: &'a dyn BaseImages,
    /// `--target` stage name; `None` = the last stage is the final image.
    pub target: Option<&'a str>,
}

/// Environment variables that change what the go tool does or where it keeps its caches.
pub const GO_ENV_NAMES: [&str; 27] = [
    "HOME",
    "XDG_CACHE_HOME",
    "GOPATH",
    "GOMODCACHE",
    "GOCACHE",
    "GOENV",
    "GOFLAGS",
    "GOWORK",
    "GO111MODULE",
    "CGO_ENABLED",
    "GOOS",
    "GOARCH",
    "GOARM",
    "GOAMD64",
    "GOPROXY",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GONOSUMCHECK",
    "GOINSECURE",
    "GOAUTH",
    "GOTOOLCHAIN",
    "GOSUMDB",
    "GOBIN",
    "GOROOT",
    "GOLANG_VERSION",
    "GOEXPERIMENT",
];

/// The Go-relevant environment of one go invocation and the cache paths it implies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoEnv {
    /// The [`GO_ENV_NAMES`] that are set (stage env, then the command's own assignments).
    pub vars: BTreeMap<String, String>,
    /// `$HOME` as the go tool sees it: the env value, `/root` for root, `None` when it comes
    /// from the image's /etc/passwd for a non-root user (not known statically).
    pub home: Option<String>,
    /// Effective GOPATH (first element).
    pub gopath: Option<String>,
    /// Effective module cache directory.
    pub gomodcache: Option<String>,
    /// Effective build cache directory (`off` when disabled).
    pub gocache: Option<String>,
    /// Names in `vars` whose value the Dockerfile set (ENV, ARG, or the command's own
    /// `NAME=value` prefix) rather than the base image config; inherited from a parent stage.
    pub from_dockerfile: BTreeSet<String>,
}

impl GoEnv {
    fn compute(vars: BTreeMap<String, String>, user: &str) -> GoEnv {
        let set = |k: &str| vars.get(k).filter(|v| !v.is_empty()).cloned();
        let home = set("HOME").or_else(|| is_root(user).then(|| "/root".to_string()));
        let gopath = set("GOPATH")
            .and_then(|p| p.split(':').find(|s| !s.is_empty()).map(str::to_string))
            .or_else(|| home.as_ref().map(|h| join_path(h, "go")));
        let gomodcache =
            set("GOMODCACHE").or_else(|| gopath.as_ref().map(|g| join_path(g, "pkg/mod")));
        let gocache = set("GOCACHE")
            .or_else(|| set("XDG_CACHE_HOME").map(|x| join_path(&x, "go-build")))
            .or_else(|| home.as_ref().map(|h| join_path(h, ".cache/go-build")));
        GoEnv {
            vars,
            home,
            gopath,
            gomodcache,
            gocache,
            from_dockerfile: BTreeSet::new(),
        }
    }
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("");
    name.is_empty() || name == "root" || name == "0"
}

/// A USER value split into user and group, with numeric ids where they are written as numbers
/// (names need the image's /etc/passwd and /etc/group, which the analysis does not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSpec {
    /// User name or uid as written (`""` = root).
    pub user: String,
    /// Group name or gid as written, if any.
    pub group: Option<String>,
    /// Numeric uid (`Some(0)` for root and `""`).
    pub uid: Option<u32>,
    /// Numeric gid, when the group is written as a number (`Some(0)` for root without group).
    pub gid: Option<u32>,
}

impl UserSpec {
    /// Parses a USER value (`app`, `1000`, `1000:1000`, `app:staff`, `""`).
    pub fn parse(value: &str) -> UserSpec {
        let (user, group) = match value.split_once(':') {
            Some((u, g)) => (u.to_string(), Some(g.to_string())),
            None => (value.to_string(), None),
        };
        let uid = match user.as_str() {
            "" | "root" => Some(0),
            u => u.parse().ok(),
        };
        let gid = match &group {
            Some(g) => g.parse().ok(),
            None if uid == Some(0) => Some(0),
            None => None,
        };
        UserSpec {
            user,
            group,
            uid,
            gid,
        }
    }

    /// True for root (`""`, `root`, `0`).
    pub fn is_root(&self) -> bool {
        self.uid == Some(0)
    }
}

/// The directory of an absolute path (`/` for `/` and for files at the root).
fn parent_of(p: &str) -> String {
    match p.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => p[..i].to_string(),
    }
}

/// True when absolute path `p` is strictly inside directory `dir`.
fn is_within(p: &str, dir: &str) -> bool {
    dir == "/" && p != "/" || p.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// A RUN instruction that runs the go tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoRun {
    /// Index of the instruction in `Stage::commands`.
    pub command_index: usize,
    /// Lines of the RUN.
    pub span: Span,
    /// Effective WORKDIR of the RUN.
    pub workdir: String,
    /// Effective USER ("" = root).
    pub user: String,
    /// go commands in the RUN, in text order.
    pub invocations: Vec<GoInvocation>,
    /// The RUN's own `--mount=type=cache` mounts.
    pub cache_mounts: Vec<Mount>,
    /// The RUN's other mounts (bind, secret, ssh, tmpfs).
    pub other_mounts: Vec<Mount>,
    /// Go environment of the RUN (stage env, before per-command assignments).
    pub env: GoEnv,
    /// Indexes into [`StageAnalysis::copies`] of the COPY/ADD instructions before this RUN.
    pub copies_before: Vec<usize>,
    /// Every variable the RUN's environment has (image config, ENV, ARG values), by name.
    pub all_env: BTreeMap<String, String>,
}

impl GoRun {
    /// The RUN's USER, parsed.
    pub fn user_spec(&self) -> UserSpec {
        UserSpec::parse(&self.user)
    }

    /// True when a cache mount's target is exactly `path`.
    pub fn has_cache_mount_at(&self, path: &str) -> bool {
        self.cache_mounts
            .iter()
            .any(|m| clean_path(&m.target) == clean_path(path))
    }
}

/// A RUN of a Go stage with no go command gofront can see that may still run the go tool
/// through a build tool or a script (`make build`, `./build.sh`, `task`, `xx-go`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndirectRun {
    /// Index of the instruction in `Stage::commands`.
    pub command_index: usize,
    /// Lines of the RUN.
    pub span: Span,
    /// The command that may run go, as written (`make build`).
    pub runner: String,
    /// Effective WORKDIR of the RUN.
    pub workdir: String,
    /// Effective USER ("" = root).
    pub user: String,
    /// The RUN's own `--mount=type=cache` mounts.
    pub cache_mounts: Vec<Mount>,
    /// Go environment of the RUN.
    pub env: GoEnv,
}

impl IndirectRun {
    /// The RUN's USER, parsed.
    pub fn user_spec(&self) -> UserSpec {
        UserSpec::parse(&self.user)
    }

    /// True when a cache mount's target is exactly `path`.
    pub fn has_cache_mount_at(&self, path: &str) -> bool {
        self.cache_mounts
            .iter()
            .any(|m| clean_path(&m.target) == clean_path(path))
    }
}

/// Where a COPY/ADD takes its sources from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyOrigin {
    /// The build context.
    Context,
    /// An earlier stage (by index).
    Stage(usize),
    /// An image or named context (`--from=alpine`).
    Image(String),
    /// Heredoc content only.
    Heredoc,
    /// ADD of a URL or git repository.
    Remote,
}

/// A COPY/ADD of a stage, expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFact {
    /// Index of the instruction in `Stage::commands`.
    pub command_index: usize,
    /// Lines of the instruction.
    pub span: Span,
    /// True for ADD.
    pub is_add: bool,
    /// Source origin.
    pub origin: CopyOrigin,
    /// Sources: context-relative (no leading `/`, `""` = the context root) for
    /// [`CopyOrigin::Context`], absolute for stages and images.
    pub sources: Vec<String>,
    /// Absolute destination (cleaned).
    pub dest: String,
    /// The destination names a directory (trailing `/`, or several sources).
    pub dest_is_dir: bool,
    /// `--parents`.
    pub parents: bool,
    /// `--exclude` patterns (expanded).
    pub excludes: Vec<String>,
    /// True when a source or the destination could not be expanded (left as written).
    pub uncertain: bool,
    /// WORKDIR in effect at this instruction.
    pub workdir: String,
    /// USER in effect at this instruction ("" = root).
    pub user: String,
    /// Go environment in effect at this instruction (what a RUN inserted before it would see).
    pub env: GoEnv,
}

/// How a later stage (or the final image) depends on a stage's module cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheReaderKind {
    /// `COPY --from=<stage>` of a path containing or inside the module cache.
    CopyFrom,
    /// `RUN --mount=from=<stage>` of such a path.
    MountFrom,
    /// A stage built `FROM` this one that itself needs the modules: it runs the go tool or
    /// it is the final image and runs `go` at start.
    Inherits,
    /// The final image is this stage (or inherits it) and its CMD/ENTRYPOINT runs `go`.
    Runtime,
}

/// A reader of a stage's module cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheReader {
    /// The reading stage.
    pub stage: usize,
    /// The instruction (or FROM line) that reads it.
    pub span: Span,
    /// How it reads.
    pub kind: CacheReaderKind,
}

/// A reader of a stage's filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputReader {
    /// The reading stage.
    pub stage: usize,
    /// The instruction (or FROM line) that reads it.
    pub span: Span,
    /// How it reads ([`CacheReaderKind::Runtime`] is not used here).
    pub kind: CacheReaderKind,
    /// Absolute paths read (`/` for a stage built on it); empty when not statically known.
    pub paths: Vec<String>,
    /// True when a path could not be expanded.
    pub uncertain: bool,
}

/// Something the analysis could not determine, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The instruction concerned.
    pub span: Span,
    /// What is unknown and why.
    pub message: String,
}

/// What a stage is built on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageBase {
    /// `FROM scratch`.
    Scratch,
    /// An earlier stage.
    Stage(usize),
    /// An image; `config_known` tells whether its config was given.
    Image {
        /// The reference after global-arg expansion.
        reference: String,
        /// True when [`BaseImages`] knew its config.
        config_known: bool,
    },
}

/// Everything the Go rewrites need to know about one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageAnalysis {
    /// Stage index.
    pub index: usize,
    /// `AS` name.
    pub name: Option<String>,
    /// The FROM line.
    pub span: Span,
    /// What it is built on.
    pub base: StageBase,
    /// True when a RUN runs a building go subcommand (`invocation::BUILD_SUBCOMMANDS`).
    pub is_go_build: bool,
    /// The stage has a Go toolchain: its base is a Go image (or a stage built on one), or it
    /// runs go itself.
    pub go_image: bool,
    /// RUNs that run the go tool (any subcommand).
    pub go_runs: Vec<GoRun>,
    /// RUNs that may run the go tool through a build tool or script (only in stages with Go).
    pub indirect_runs: Vec<IndirectRun>,
    /// COPY/ADD instructions in order.
    pub copies: Vec<CopyFact>,
    /// The WORKDIR in effect at each instruction (by command index).
    pub command_workdirs: Vec<String>,
    /// Go environment at the end of the stage (what `COPY --from` readers see).
    pub final_env: GoEnv,
    /// WORKDIR at the end of the stage.
    pub final_workdir: String,
    /// USER at the end of the stage.
    pub final_user: String,
    /// CMD/ENTRYPOINT (own or inherited) runs the go tool.
    pub runs_go_at_start: bool,
    /// The CMD/ENTRYPOINT line that runs go at start (`None` when inherited from an image).
    pub go_start_span: Option<Span>,
    /// This stage is the final image.
    pub is_final: bool,
    /// The final image needs this stage (BuildKit builds only those): the stage itself, the
    /// stages it is built on, copies from or mounts, and theirs.
    pub reachable: bool,
    /// Who needs this stage's module cache to stay in the image.
    pub module_cache_readers: Vec<CacheReader>,
    /// Every later instruction that reads this stage's filesystem (COPY --from, RUN
    /// --mount=from, a FROM of it), with the paths it reads.
    pub output_readers: Vec<OutputReader>,
    /// Uncertainties.
    pub notes: Vec<Note>,
}

impl StageAnalysis {
    /// True when the stage runs the go tool, visibly or possibly through a build tool or
    /// script: the stages the Go rewrites plan for and summarise.
    pub fn is_go_stage(&self) -> bool {
        !self.go_runs.is_empty() || !self.indirect_runs.is_empty()
    }
}

/// Per-stage state while walking instructions.
#[derive(Clone)]
struct State {
    env: Vec<(String, String)>,
    /// Settings `go env -w` wrote to the go env file, by name (values as written). The go
    /// command reads them below the process environment.
    go_env_file: BTreeMap<String, String>,
    /// Directories known to exist in the stage's filesystem (see [`known_dirs`]).
    dirs: BTreeSet<String>,
    /// The filesystem has a Go toolchain: a Go base image or a stage built on one.
    go_image: bool,
    /// Names set by the Dockerfile (ENV/ARG), as opposed to the base image config.
    dockerfile_set: BTreeSet<String>,
    workdir: String,
    user: String,
    entry_runs_go: bool,
    cmd_runs_go: bool,
    /// The CMD/ENTRYPOINT that makes the image run go at start.
    start_span: Option<Span>,
}

impl State {
    fn set_env(&mut self, k: &str, v: String) {
        self.env.retain(|(key, _)| key != k);
        self.env.push((k.to_string(), v));
        self.dockerfile_set.insert(k.to_string());
    }

    /// Records the CMD (`entrypoint` false) or ENTRYPOINT at `span` as the line that makes the
    /// image run go at start, when it does; an ENTRYPOINT that runs go stays the reason after
    /// a later CMD.
    fn note_start(&mut self, span: Span, entrypoint: bool) {
        if entrypoint {
            self.start_span = self.entry_runs_go.then_some(span);
        } else if !self.entry_runs_go {
            self.start_span = self.cmd_runs_go.then_some(span);
        }
    }

    /// The Go settings a go command sees: the go env file, overridden by the environment.
    fn go_vars(&self) -> BTreeMap<String, String> {
        let mut vars: BTreeMap<String, String> = self
            .go_env_file
            .iter()
            .filter(|(k, _)| GO_ENV_NAMES.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        vars.extend(
            self.env
                .iter()
                .filter(|(k, _)| GO_ENV_NAMES.contains(&k.as_str()))
                .cloned(),
        );
        vars
    }

    /// Records a directory and its parents as existing.
    fn add_dir(&mut self, dir: &str) {
        let mut cur = clean_path(dir);
        loop {
            let done = cur == "/";
            let parent = parent_of(&cur);
            self.dirs.insert(cur);
            if done {
                break;
            }
            cur = parent;
        }
    }

    fn go_env(&self) -> GoEnv {
        let mut env = GoEnv::compute(self.go_vars(), &self.user);
        env.from_dockerfile = self.set_by_dockerfile();
        env
    }

    /// Go settings the Dockerfile made itself: ENV, a declared ARG, `go env -w`.
    fn set_by_dockerfile(&self) -> BTreeSet<String> {
        self.dockerfile_set
            .iter()
            .chain(self.go_env_file.keys())
            .filter(|k| GO_ENV_NAMES.contains(&k.as_str()))
            .cloned()
            .collect()
    }
}

/// Analyses every stage of the Dockerfile.
pub fn analyze(input: &AnalyzeInput) -> Vec<StageAnalysis> {
    let df = input.dockerfile;
    let lexer = Lexer::new(df.directives.escape);
    let meta = meta_args(df, input.build_args, &lexer);
    let mut out: Vec<StageAnalysis> = Vec::new();
    let mut finals: Vec<State> = Vec::new();
    for (index, stage) in df.stages.iter().enumerate() {
        let mut cx = StageCx {
            input,
            lexer: &lexer,
            meta: &meta,
            earlier: &df.stages[..index],
            notes: Vec::new(),
        };
        let (base, state) = cx.base_state(stage, &finals);
        let (analysis, state) = cx.walk(index, stage, base, state);
        out.push(analysis);
        finals.push(state);
    }
    mark_final(&mut out, df, input.target);
    mark_reachable(&mut out, df, &lexer);
    link_cache_readers(&mut out, df, &lexer);
    link_output_readers(&mut out, df, &lexer);
    out
}

fn meta_args(
    df: &Dockerfile,
    build_args: &BTreeMap<String, String>,
    lexer: &Lexer,
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = Vec::new();
    for cmd in &df.meta_args {
        let Instruction::Arg(decls) = &cmd.instruction else {
            continue;
        };
        for d in decls {
            let value = match (build_args.get(&d.key), &d.value) {
                (Some(v), _) => Some(v.clone()),
                (None, Some(raw)) => Some(
                    lexer
                        .process_word(raw, &env)
                        .unwrap_or_else(|_| raw.clone()),
                ),
                (None, None) => None,
            };
            if let Some(v) = value {
                env.retain(|(k, _)| k != &d.key);
                env.push((d.key.clone(), v));
            }
        }
    }
    env
}

struct StageCx<'a> {
    input: &'a AnalyzeInput<'a>,
    lexer: &'a Lexer,
    meta: &'a Vec<(String, String)>,
    earlier: &'a [ast::Stage],
    notes: Vec<Note>,
}

impl StageCx<'_> {
    fn expand(&mut self, word: &str, env: &dyn EnvLookup, span: Span) -> (String, bool) {
        match self.lexer.process_word(word, env) {
            Ok(v) => (v, true),
            Err(e) => {
                self.notes.push(Note {
                    span,
                    message: format!("cannot expand {word:?}: {e}"),
                });
                (word.to_string(), false)
            }
        }
    }

    fn base_state(&mut self, stage: &ast::Stage, finals: &[State]) -> (StageBase, State) {
        let (name, _) = self.expand(&stage.base_name, self.meta, stage.span);
        let mut empty = State {
            env: Vec::new(),
            go_env_file: BTreeMap::new(),
            dirs: BTreeSet::new(),
            go_image: false,
            dockerfile_set: BTreeSet::new(),
            workdir: "/".into(),
            user: String::new(),
            entry_runs_go: false,
            cmd_runs_go: false,
            start_span: None,
        };
        empty.add_dir("/");
        if name.eq_ignore_ascii_case("scratch") {
            return (StageBase::Scratch, empty);
        }
        let lowered = name.to_ascii_lowercase();
        if let Some(i) = self
            .earlier
            .iter()
            .rposition(|s| s.name.as_deref() == Some(lowered.as_str()))
        {
            if let Some(parent) = finals.get(i) {
                return (StageBase::Stage(i), parent.clone());
            }
        }
        let config = self.input.images.config(&name);
        let base = StageBase::Image {
            reference: name.clone(),
            config_known: config.is_some(),
        };
        for d in known_dirs::IMAGE_DIRS {
            empty.add_dir(d);
        }
        empty.go_image = known_dirs::is_golang_reference(&name);
        let Some(img) = config else {
            self.notes.push(Note {
                span: stage.span,
                message: format!(
                    "config of base image {name:?} not known; image ENV/USER/WORKDIR assumed empty"
                ),
            });
            return (base, empty);
        };
        let workdir = if img.working_dir.is_empty() {
            "/".to_string()
        } else {
            clean_path(&img.working_dir)
        };
        let mut state = State {
            go_image: empty.go_image || known_dirs::has_go_toolchain(&img.env),
            env: img.env,
            dirs: empty.dirs,
            workdir,
            user: img.user,
            ..empty
        };
        state.add_dir(&state.workdir.clone());
        for d in known_dirs::gopath_dirs(&state.env) {
            state.add_dir(&d);
        }
        (base, state)
    }

    fn walk(
        &mut self,
        index: usize,
        stage: &ast::Stage,
        base: StageBase,
        mut st: State,
    ) -> (StageAnalysis, State) {
        let mut go_runs = Vec::new();
        let mut indirect_runs = Vec::new();
        let mut copies: Vec<CopyFact> = Vec::new();
        // Directories later instructions use (WORKDIR, a RUN's working directory, a COPY's
        // destination): a working build proves they are directories.
        let mut dir_uses: Vec<(usize, String)> = Vec::new();
        let mut command_workdirs = Vec::with_capacity(stage.commands.len());
        for (ci, cmd) in stage.commands.iter().enumerate() {
            command_workdirs.push(st.workdir.clone());
            let span = cmd.span;
            match &cmd.instruction {
                Instruction::Arg(decls) => self.arg(&mut st, decls, span),
                Instruction::Env(pairs) => {
                    let snapshot = st.env.clone();
                    for kv in pairs {
                        let (v, _) = self.expand(&kv.value, &snapshot, span);
                        let (k, _) = self.expand(&kv.key, &snapshot, span);
                        st.set_env(&k, v);
                    }
                }
                Instruction::Workdir(raw) => {
                    let (wd, _) = self.expand(raw, &st.env, span);
                    st.workdir = join_path(&st.workdir, &wd);
                    st.add_dir(&st.workdir.clone());
                    dir_uses.push((ci, st.workdir.clone()));
                }
                Instruction::User(raw) => st.user = self.expand(raw, &st.env, span).0,
                Instruction::Copy(c) | Instruction::Add(c) => {
                    let is_add = matches!(cmd.instruction, Instruction::Add(_));
                    let fact = self.copy(ci, span, c, is_add, &st);
                    let dir = if fact.dest_is_dir {
                        fact.dest.clone()
                    } else {
                        parent_of(&fact.dest)
                    };
                    st.add_dir(&dir);
                    dir_uses.push((ci, dir));
                    copies.push(fact);
                }
                Instruction::Run(run) => {
                    let home = st.go_env().home;
                    let scan = runs::scan_run(run, &st.workdir, home.as_deref());
                    for d in runs::made_dirs(&scan) {
                        st.add_dir(&d);
                    }
                    dir_uses.extend(
                        scan.commands
                            .iter()
                            .filter_map(|c| c.dir.clone())
                            .map(|d| (ci, d)),
                    );
                    if !scan.go.is_empty() {
                        let gr = self.run(ci, span, run, scan.go, &mut st, copies.len());
                        go_runs.push(gr);
                    } else if let Some(runner) = runs::indirect_runner(&scan) {
                        let (cache_mounts, _) = self.mounts(run, &st, span);
                        indirect_runs.push(IndirectRun {
                            command_index: ci,
                            span,
                            runner,
                            workdir: st.workdir.clone(),
                            user: st.user.clone(),
                            cache_mounts,
                            env: st.go_env(),
                        });
                    }
                }
                Instruction::Cmd(line) => {
                    st.cmd_runs_go = self.line_runs_go(line, &st);
                    st.note_start(span, false);
                }
                Instruction::Entrypoint(line) => {
                    st.entry_runs_go = self.line_runs_go(line, &st);
                    st.cmd_runs_go = false;
                    st.note_start(span, true);
                }
                _ => {}
            }
        }
        let is_go_build = go_runs
            .iter()
            .any(|r: &GoRun| r.invocations.iter().any(GoInvocation::is_build_like));
        // Build tools and scripts count as possible go steps only in a stage that has Go.
        if !st.go_image && go_runs.is_empty() {
            indirect_runs.clear();
        }
        for c in copies.iter_mut().filter(|c| !c.dest_is_dir) {
            c.dest_is_dir = dir_uses
                .iter()
                .any(|(ci, d)| *ci > c.command_index && (*d == c.dest || is_within(d, &c.dest)));
        }
        let analysis = StageAnalysis {
            index,
            name: stage.name.clone(),
            span: stage.span,
            base,
            is_go_build,
            go_image: st.go_image || !go_runs.is_empty(),
            go_runs,
            indirect_runs,
            copies,
            command_workdirs,
            final_env: st.go_env(),
            final_workdir: st.workdir.clone(),
            final_user: st.user.clone(),
            runs_go_at_start: st.entry_runs_go || st.cmd_runs_go,
            go_start_span: st.start_span,
            is_final: false,
            reachable: false,
            module_cache_readers: Vec::new(),
            output_readers: Vec::new(),
            notes: std::mem::take(&mut self.notes),
        };
        (analysis, st)
    }

    fn arg(&mut self, st: &mut State, decls: &[ast::ArgDecl], span: Span) {
        for d in decls {
            // A declared ARG gives the name stock semantics (a build arg of that name applies).
            st.dockerfile_set.insert(d.key.clone());
            let value = match (self.input.build_args.get(&d.key), &d.value) {
                (Some(v), _) => Some(v.clone()),
                (None, Some(raw)) => Some(self.expand(raw, &st.env, span).0),
                (None, None) => self
                    .meta
                    .iter()
                    .rev()
                    .find(|(k, _)| k == &d.key)
                    .map(|(_, v)| v.clone()),
            };
            if let Some(v) = value {
                st.set_env(&d.key, v);
            }
        }
    }

    fn line_runs_go(&self, line: &CommandLine, st: &State) -> bool {
        let home = st.go_env().home;
        let scan = match line {
            CommandLine::Shell(text) => shellscan::scan(text, &st.workdir, home.as_deref()),
            CommandLine::Exec(argv) => shellscan::scan_exec(argv, &st.workdir, home.as_deref()),
        };
        !scan.go.is_empty()
    }

    fn copy(&mut self, ci: usize, span: Span, c: &CopyLike, is_add: bool, st: &State) -> CopyFact {
        let mut uncertain = false;
        let mut sources = Vec::new();
        for raw in &c.sources {
            let (v, ok) = self.expand(raw, &st.env, span);
            uncertain |= !ok;
            sources.push(v);
        }
        let (dest_raw, ok) = self.expand(&c.dest, &st.env, span);
        uncertain |= !ok;
        let excludes = c
            .excludes
            .iter()
            .map(|e| self.expand(e, &st.env, span).0)
            .collect();
        let origin = match &c.from {
            Some(from) => self.copy_origin(from),
            None if is_add && sources.iter().any(|s| is_remote(s)) => CopyOrigin::Remote,
            None if sources.is_empty() && !c.heredocs.is_empty() => CopyOrigin::Heredoc,
            None => CopyOrigin::Context,
        };
        let sources = match origin {
            CopyOrigin::Context => sources.iter().map(|s| clean_context_path(s)).collect(),
            // BuildKit resolves `--from` sources against the source's root, not a WORKDIR.
            CopyOrigin::Stage(_) | CopyOrigin::Image(_) => {
                sources.iter().map(|s| join_path("/", s)).collect()
            }
            _ => sources,
        };
        let dest = join_path(&st.workdir, &dest_raw);
        // BuildKit copies into a directory when the destination ends in `/`, is `.` (the
        // WORKDIR), or names a directory that exists; several sources need one anyway.
        let dest_is_dir = dest_raw.ends_with('/')
            || dest_raw == "."
            || sources.len() + c.heredocs.len() > 1
            || st.dirs.contains(&dest);
        CopyFact {
            command_index: ci,
            span,
            is_add,
            origin,
            sources,
            dest,
            dest_is_dir,
            parents: c.parents,
            excludes,
            uncertain,
            workdir: st.workdir.clone(),
            user: st.user.clone(),
            env: st.go_env(),
        }
    }

    fn copy_origin(&self, from: &str) -> CopyOrigin {
        let lowered = from.to_ascii_lowercase();
        if let Some(i) = self
            .earlier
            .iter()
            .position(|s| s.name.as_deref() == Some(lowered.as_str()))
        {
            return CopyOrigin::Stage(i);
        }
        match from.parse::<usize>() {
            Ok(i) if i < self.earlier.len() => CopyOrigin::Stage(i),
            _ => CopyOrigin::Image(from.to_string()),
        }
    }

    /// The go RUN at `ci` whose go commands the scanner `found`; records what its `go env -w`
    /// commands write to the go env file (later go commands, in this RUN and after, see it).
    fn run(
        &mut self,
        ci: usize,
        span: Span,
        run: &ast::Run,
        found: Vec<shellscan::FoundGo>,
        st: &mut State,
        copies_so_far: usize,
    ) -> GoRun {
        let env = st.go_env();
        let (cache_mounts, other_mounts) = self.mounts(run, st, span);
        let mut invocations = Vec::new();
        for f in found {
            let inv = invocation(f, &st.go_vars(), &st.set_by_dockerfile(), &st.user);
            for (name, value) in inv.go_env_writes() {
                match value {
                    Some(v) => st.go_env_file.insert(name, v),
                    None => st.go_env_file.remove(&name),
                };
            }
            invocations.push(inv);
        }
        GoRun {
            command_index: ci,
            span,
            workdir: st.workdir.clone(),
            user: st.user.clone(),
            invocations,
            cache_mounts,
            other_mounts,
            env,
            copies_before: (0..copies_so_far).collect(),
            all_env: st.env.iter().cloned().collect(),
        }
    }

    fn mounts(&mut self, run: &ast::Run, st: &State, span: Span) -> (Vec<Mount>, Vec<Mount>) {
        let mut cache = Vec::new();
        let mut other = Vec::new();
        for raw in &run.mounts {
            let lexer = self.lexer;
            let env = st.env.clone();
            let expand = move |w: &str| lexer.process_word(w, &env).map_err(|e| e.to_string());
            match parse_mount(raw, &expand) {
                Ok(mut m) => {
                    if !m.target.is_empty() {
                        m.target = join_path(&st.workdir, &m.target);
                    }
                    if m.kind == MountType::Cache {
                        cache.push(m);
                    } else {
                        other.push(m);
                    }
                }
                Err(e) => self.notes.push(Note {
                    span,
                    message: format!("cannot parse --mount={raw}: {e}"),
                }),
            }
        }
        (cache, other)
    }
}

fn is_remote(s: &str) -> bool {
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git@")
        || s.starts_with("git://")
        || s.ends_with(".git")
}

mod invocation;
mod known_dirs;
mod links;
mod runs;
#[cfg(test)]
mod tests;

use invocation::invocation;
pub use invocation::GoInvocation;
pub(crate) use known_dirs::is_golang_reference;
use links::{link_cache_readers, link_output_readers, mark_final, mark_reachable};
pub(crate) use runs::{only_prepares_dirs, scan_run};
