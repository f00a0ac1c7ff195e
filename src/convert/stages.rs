//! The stage graph and the per-platform driver: global (meta) ARGs and the BUILD*/TARGET*
//! args, FROM expansion and `--platform`, stage names and indexes, the implicit stages that
//! `COPY --from=<image>` and `RUN --mount` create, target selection and pruning to reachable
//! stages, one [`StageState`] per stage, and two passes per platform (the second builds the
//! main context source once the used paths are known). Mirrors `toDispatchState` of the
//! Dockerfile frontend (1.26).
//!
//! Not for: base images and stage setup (`bases`), build contexts (`contexts`), the effect of
//! individual instructions (`dispatch`, `run`, `copy`).

use std::collections::{BTreeMap, BTreeSet};

use crate::checks::{Finding, Scope};
use crate::dockerfile::ast::{Command, Dockerfile, Instruction, Span};
use crate::dockerfile::shell::Lexer;
use crate::llb::ops::{file_op, Action};
use crate::llb::{pb, Graph, OpMeta, Output};
use crate::options::NoCache;
use crate::platform::Platform;

use super::image::Image;
use super::names::StepCounter;
use super::{ConvertError, ConvertInput, Converted, ImageRequest, ImageResolver, PlatformBuild};

/// Description key with the instruction text.
pub(super) const DF_CMD_KEY: &str = "com.docker.dockerfile.v1.command";
pub(super) const SCRATCH: &str = "scratch";

/// One dispatch state (BuildKit's `dispatchState`): a `FROM` stage or an implicit stage.
#[derive(Debug, Clone, Default)]
pub(super) struct StageState {
    /// `AS` name (lower-cased).
    pub name: Option<String>,
    /// Base name (expanded; raw for implicit stages; normalised once resolved).
    pub base_name: String,
    /// FROM line (or the instruction that created an implicit stage).
    pub span: Option<Span>,
    /// FROM text as written.
    pub original: String,
    /// ONBUILD triggers run before the stage's own commands (its Dockerfile commands are read
    /// in place through `Converter::own_commands`, never copied).
    pub triggers: Vec<Command>,
    /// Earlier stage this one is based on.
    pub base: Option<usize>,
    /// Stages this one reads from, with the span of the reading instruction.
    pub deps: Vec<(usize, Option<Span>)>,
    /// Per command: the stages `COPY --from` / `RUN --mount` read from.
    pub cmd_sources: Vec<Vec<usize>>,
    /// Created by `COPY --from` / `RUN --mount` rather than `FROM`.
    pub unregistered: bool,
    /// `no-cache` applies.
    pub ignore_cache: bool,
    /// Initialised (Go's `noinit`).
    pub ready: bool,
    /// Base resolved while reachable (Go's `resolved`).
    pub resolved: bool,
    /// Filesystem (`None` = scratch).
    pub fs: Option<Output>,
    /// Platform carried by the LLB state (image sources set it).
    pub fs_platform: Option<Platform>,
    /// State env, "latest assignment last" order.
    pub env: Vec<(String, String)>,
    /// Working directory of the state.
    pub dir: String,
    /// User of the state.
    pub user: String,
    /// Image config being built.
    pub image: Image,
    /// Config of the base image, untouched.
    pub base_img: Option<Image>,
    /// Stage platform.
    pub platform: Option<Platform>,
    /// ARGs declared in the stage, in order.
    pub build_args: Vec<(String, Option<String>)>,
    /// CMD was set in this stage.
    pub cmd_set: bool,
    /// Progress-name counters.
    pub steps: StepCounter,
    /// Paths other stages read from this one.
    pub paths: BTreeSet<String>,
    /// The stage whose path set this one shares (Go shares the map with the base stage).
    pub paths_owner: Option<usize>,
    /// Named `local:` context this stage stands for: (local name, name with platform).
    pub named_local: Option<(String, String)>,
    /// ONBUILD triggers were looked up (`onBuildInit`).
    pub onbuild_init: bool,
}

/// Conversion state for one target platform.
pub(super) struct Converter<'a> {
    pub input: &'a ConvertInput<'a>,
    pub resolver: &'a dyn ImageResolver,
    pub graph: Graph,
    pub lexer: Lexer,
    pub target: Platform,
    pub build_platforms: Vec<Platform>,
    pub implicit_target: bool,
    pub multi: bool,
    pub meta_args: Vec<(String, Option<String>)>,
    pub proxy: Option<pb::ProxyEnv>,
    pub stages: Vec<StageState>,
    pub context: Option<Output>,
    pub ctx_paths: BTreeSet<String>,
    /// `SOURCE_DATE_EPOCH` in effect (see `epoch`), once the global args are known.
    pub epoch: Option<super::epoch::Epoch>,
    pub cache_ns: String,
    pub missing: Vec<ImageRequest>,
    /// The Dockerfile command being dispatched (`None` for ONBUILD triggers).
    pub current: Option<super::CommandRef>,
    pub(super) target_index: usize,
    /// Paths each stage had in the first pass (followpaths of named local contexts).
    pub(super) prior_paths: Vec<BTreeSet<String>>,
    /// Build-check findings of this pass (collected only on the first platform's first pass).
    pub(super) lint: super::lint::Lint,
}

/// Entry point: every platform, each in two passes (paths, then the real context source), with
/// the build-check findings of the first platform (also when the conversion failed: the ones
/// found before the error).
pub(super) fn convert_all(
    input: &ConvertInput,
    resolver: &dyn ImageResolver,
) -> (Result<Converted, ConvertError>, Vec<Finding>) {
    let mut findings = Vec::new();
    let result = convert_platforms(input, resolver, &mut findings);
    (result, findings)
}

fn convert_platforms(
    input: &ConvertInput,
    resolver: &dyn ImageResolver,
    findings: &mut Vec<Finding>,
) -> Result<Converted, ConvertError> {
    let opts = input.options;
    let targets: Vec<Option<Platform>> = if opts.platforms.is_empty() {
        vec![None]
    } else {
        opts.platforms.iter().cloned().map(Some).collect()
    };
    let multi = opts.multi_platform || opts.platforms.len() > 1;
    let mut builds = Vec::new();
    let mut missing: Vec<ImageRequest> = Vec::new();
    for (n, tp) in targets.into_iter().enumerate() {
        let lint = (n == 0).then_some(&mut *findings);
        match convert_platform(input, resolver, tp, multi, lint) {
            Ok(b) => builds.push(b),
            Err(ConvertError::NeedImages(reqs)) => missing.extend(reqs),
            Err(e) => return Err(e),
        }
    }
    if !missing.is_empty() {
        let mut seen = BTreeSet::new();
        missing.retain(|r| seen.insert(r.clone()));
        return Err(ConvertError::NeedImages(missing));
    }
    Ok(Converted {
        builds,
        multi_platform: multi,
    })
}

fn convert_platform(
    input: &ConvertInput,
    resolver: &dyn ImageResolver,
    target: Option<Platform>,
    multi: bool,
    findings: Option<&mut Vec<Finding>>,
) -> Result<PlatformBuild, ConvertError> {
    let mut first = Converter::new(input, resolver, target.clone(), multi, None)?;
    if findings.is_some() {
        first.lint = super::lint::Lint::on();
    }
    let result = first.run();
    if let Some(out) = findings {
        *out = first.lint.take();
    }
    result?;
    let paths = std::mem::take(&mut first.ctx_paths);
    let prior: Vec<BTreeSet<String>> = first.stages.iter().map(|s| s.paths.clone()).collect();
    let mut conv = Converter::new(input, resolver, target, multi, Some(paths))?;
    conv.prior_paths = prior;
    conv.run()?;
    conv.finish()
}

impl<'a> Converter<'a> {
    fn new(
        input: &'a ConvertInput<'a>,
        resolver: &'a dyn ImageResolver,
        target: Option<Platform>,
        multi: bool,
        ctx_paths: Option<BTreeSet<String>>,
    ) -> Result<Self, ConvertError> {
        let facts = input.daemon;
        let build_platforms = vec![target_or(&facts.build_platform)];
        let implicit_target = target.is_none();
        let target = target.unwrap_or_else(|| build_platforms[0].clone());
        let escape = match input.dockerfile.directives.escape {
            '\0' => '\\',
            c => c,
        };
        let opts = input.options;
        let mut conv = Converter {
            input,
            resolver,
            graph: Graph::new(facts.llb_caps.clone()),
            lexer: Lexer::new(escape),
            target,
            build_platforms,
            implicit_target,
            multi,
            meta_args: Vec::new(),
            proxy: proxy_env(&opts.build_args),
            stages: Vec::new(),
            context: None,
            ctx_paths: BTreeSet::new(),
            epoch: None,
            cache_ns: opts
                .build_args
                .get("BUILDKIT_CACHE_MOUNT_NS")
                .cloned()
                .unwrap_or_default(),
            missing: Vec::new(),
            current: None,
            target_index: 0,
            prior_paths: Vec::new(),
            lint: super::lint::Lint::default(),
        };
        conv.context = Some(conv.main_context(ctx_paths.as_ref())?);
        Ok(conv)
    }

    /// Graph error → conversion error.
    pub(super) fn add_op(
        &mut self,
        op: pb::Op,
        meta: OpMeta,
        span: Option<Span>,
    ) -> Result<crate::llb::Digest, ConvertError> {
        self.graph
            .add(op, meta)
            .map_err(|e| ConvertError::at(e.to_string(), span))
    }

    /// Writes a heredoc body to `/<name>` of an otherwise empty filesystem (BuildKit's
    /// `[internal] preparing inline document` step), for RUN heredocs with a shebang and for
    /// COPY/ADD heredoc sources.
    pub(super) fn inline_document(
        &mut self,
        name: &str,
        data: &str,
        mode: i32,
        span: Span,
    ) -> Result<Output, ConvertError> {
        self.inline_file(
            name,
            data,
            mode,
            "[internal] preparing inline document",
            span,
        )
    }

    /// A one-file state (FileOp mkfile at `/<name>`) shown as `step_name`.
    pub(super) fn inline_file(
        &mut self,
        name: &str,
        data: &str,
        mode: i32,
        step_name: &str,
        span: Span,
    ) -> Result<Output, ConvertError> {
        let mkfile = pb::FileActionMkFile {
            path: super::names::normalize_path("/", name, false),
            mode,
            data: data.as_bytes().to_vec(),
            owner: None,
            timestamp: -1,
        };
        let op = file_op(&None, vec![Action::Mkfile(mkfile)]);
        let meta = OpMeta {
            custom_name: Some(step_name.into()),
            ..OpMeta::default()
        };
        let digest = self.add_op(op, meta, Some(span))?;
        Ok(Output::new(digest, 0))
    }

    /// Expands a word with the global args (FROM lines).
    fn meta_map(&self) -> BTreeMap<String, String> {
        self.meta_args
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
            .collect()
    }

    fn init_meta_args(&mut self) {
        let build_args = &self.input.options.build_args;
        let bp = &self.build_platforms[0];
        let tp = &self.target;
        let stage = target_stage_name(self.input.dockerfile, self.input.options);
        let mut args: Vec<(String, Option<String>)> =
            crate::platform::automatic_args(bp, tp, &stage)
                .into_iter()
                .map(|(k, v)| {
                    let v = build_args.get(k).cloned().unwrap_or(v);
                    (k.to_string(), Some(v))
                })
                .collect();
        for cmd in &self.input.dockerfile.meta_args {
            let Instruction::Arg(decls) = &cmd.instruction else {
                continue;
            };
            for decl in decls {
                let value = match build_args.get(&decl.key) {
                    Some(v) => Some(v.clone()),
                    None => decl.value.as_ref().map(|raw| {
                        let map: BTreeMap<String, String> = args
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
                            .collect();
                        self.lexer
                            .process_word_with_matches(raw, &map)
                            .map(|(w, _, _)| w)
                            .unwrap_or_default()
                    }),
                };
                args.push((decl.key.clone(), value));
            }
        }
        self.meta_args = args;
    }

    fn find_by_name(&self, name: &str) -> Option<usize> {
        let lower = name.to_lowercase();
        self.stages
            .iter()
            .rposition(|s| s.name.as_deref() == Some(lower.as_str()))
    }

    fn init_stages(&mut self) -> Result<(), ConvertError> {
        let df: &Dockerfile = self.input.dockerfile;
        if df.stages.is_empty() {
            return Err(ConvertError::at("file with no instructions", None));
        }
        let meta = self.meta_map();
        for (i, st) in df.stages.iter().enumerate() {
            let span = Some(st.span);
            self.lint_at(st.span, Scope::Node(st.span.start));
            let expanded = self.lexer.process_word_with_matches(&st.base_name, &meta);
            if let Ok((_, _, unmatched)) = &expanded {
                self.lint_from_args(unmatched);
            }
            let name = expanded
                .map(|(w, _, _)| w)
                .map_err(|e| ConvertError::at(e.to_string(), span))?;
            if name.is_empty() {
                return Err(ConvertError::at(
                    format!("base name ({}) should not be blank", st.base_name),
                    span,
                ));
            }
            let platform_flag = match &st.platform {
                None => None,
                Some(raw) => {
                    let expanded = self.lexer.process_word_with_matches(raw, &meta);
                    if let Ok((v, matched, unmatched)) = &expanded {
                        self.lint_from_args(unmatched);
                        let stage = st.name.as_deref().unwrap_or("");
                        self.lint_from_platform(raw, v, matched, unmatched, stage);
                    }
                    let v = expanded.map(|(w, _, _)| w).map_err(|e| {
                        ConvertError::at(
                            format!("failed to process arguments for platform : {e}"),
                            span,
                        )
                    })?;
                    Some(Platform::parse(&v).map_err(|e| {
                        ConvertError::at(format!("failed to parse platform {v}: {e}"), span)
                    })?)
                }
            };
            let base = self
                .stages
                .iter()
                .rposition(|s| s.name.as_deref() == Some(name.as_str()) && !s.unregistered);
            let mut total = usize::from(name != SCRATCH && base.is_none());
            total += st
                .commands
                .iter()
                .filter(|c| {
                    matches!(
                        c.instruction,
                        Instruction::Add(_)
                            | Instruction::Copy(_)
                            | Instruction::Run(_)
                            | Instruction::Workdir(_)
                    )
                })
                .count();
            let stage_name = match &st.name {
                Some(n) => n.to_lowercase(),
                None => format!("stage-{i}"),
            };
            let options = self.input.options;
            let ignore_cache = match &st.name {
                Some(name) => options.is_no_cache(name),
                None => options.no_cache == NoCache::All,
            };
            let mut stage = StageState {
                name: st.name.as_ref().map(|n| n.to_lowercase()),
                base_name: name,
                platform: platform_flag,
                span,
                original: st.code().to_string(),
                base,
                ignore_cache,
                steps: StepCounter {
                    stage_name,
                    total,
                    index: 0,
                    onbuild: false,
                },
                ..StageState::default()
            };
            if let Some(n) = stage.name.clone() {
                self.apply_stage_named_context(&mut stage, &n)?;
            }
            self.stages.push(stage);
        }
        Ok(())
    }

    fn select_target(&mut self) -> Result<(), ConvertError> {
        self.target_index = match &self.input.options.target {
            None => self.stages.len() - 1,
            Some(t) if t.is_empty() => self.stages.len() - 1,
            Some(t) => self.find_by_name(t).ok_or_else(|| {
                ConvertError::at(format!("target stage \"{t}\" could not be found"), None)
            })?,
        };
        Ok(())
    }

    fn implicit_stage(&mut self, base_name: &str, span: Option<Span>) -> usize {
        self.stages.push(StageState {
            base_name: base_name.to_string(),
            span,
            unregistered: true,
            ..StageState::default()
        });
        self.stages.len() - 1
    }

    /// `toCommand` for every stage: records which stages each COPY/RUN reads from.
    fn link_dependencies(&mut self) -> Result<(), ConvertError> {
        let registered = self.stages.len();
        for i in 0..registered {
            let commands = self.own_commands(i);
            let mut all_sources = Vec::with_capacity(commands.len());
            for cmd in commands {
                let sources = self.command_sources(cmd)?;
                for &s in &sources {
                    self.stages[i].deps.push((s, Some(cmd.span)));
                }
                all_sources.push(sources);
            }
            self.stages[i].cmd_sources = all_sources;
        }
        Ok(())
    }

    /// The Dockerfile commands of stage `i` (none for an implicit stage), borrowed from the
    /// parsed Dockerfile rather than copied into the stage state.
    pub(super) fn own_commands(&self, i: usize) -> &'a [Command] {
        let dockerfile: &'a Dockerfile = self.input.dockerfile;
        match self.stages.get(i) {
            Some(st) if !st.unregistered => dockerfile
                .stages
                .get(i)
                .map_or(&[][..], |s| s.commands.as_slice()),
            _ => &[],
        }
    }

    /// The stages one command reads from (creating implicit stages like Go's `toCommand`).
    pub(super) fn command_sources(&mut self, cmd: &Command) -> Result<Vec<usize>, ConvertError> {
        match &cmd.instruction {
            Instruction::Copy(c) => {
                let Some(from) = c.from.as_deref().filter(|f| !f.is_empty()) else {
                    return Ok(Vec::new());
                };
                let idx = match crate::gostd::strconv::atoi(from) {
                    Ok(n) => {
                        if n < 0 || n as usize >= self.stages.len() {
                            return Err(ConvertError::at(format!("invalid stage index {n}"), None));
                        }
                        n as usize
                    }
                    Err(_) => match self.find_by_name(from) {
                        Some(i) => i,
                        None => self.implicit_stage(from, Some(cmd.span)),
                    },
                };
                Ok(vec![idx])
            }
            Instruction::Run(r) => {
                let identity = |s: &str| Ok::<String, String>(s.to_string());
                let mut out = Vec::new();
                for raw in &r.mounts {
                    let from = crate::dockerfile::instructions::parse_mount(raw, &identity)
                        .ok()
                        .and_then(|m| m.from)
                        .filter(|f| !f.is_empty())
                        .unwrap_or_else(|| SCRATCH.to_string());
                    let idx = match self.find_by_name(&from) {
                        Some(i) => i,
                        None => self.implicit_stage(&from, None),
                    };
                    out.push(idx);
                }
                Ok(out)
            }
            _ => Ok(Vec::new()),
        }
    }

    fn check_cycles(&self) -> Result<(), ConvertError> {
        fn visit(
            stages: &[StageState],
            i: usize,
            visited: &mut BTreeSet<usize>,
            path: &mut BTreeSet<usize>,
            trail: &mut Vec<Option<Span>>,
        ) -> bool {
            if !visited.insert(i) {
                return false;
            }
            path.insert(i);
            for (dep, span) in &stages[i].deps {
                trail.push(*span);
                if path.contains(dep) || visit(stages, *dep, visited, path, trail) {
                    return true;
                }
                trail.pop();
            }
            path.remove(&i);
            false
        }
        let mut visited = BTreeSet::new();
        for i in 0..self.stages.len() {
            let mut path = BTreeSet::new();
            let mut trail = Vec::new();
            if visit(&self.stages, i, &mut visited, &mut path, &mut trail) {
                return Err(ConvertError::at(
                    format!(
                        "circular dependency detected on stage: {}",
                        self.stages[i].steps.stage_name
                    ),
                    trail.last().copied().flatten(),
                ));
            }
        }
        Ok(())
    }

    /// `isReachable(from, to)`.
    /// The stages `from` needs (itself, its base, what it copies or mounts from, and theirs),
    /// by index.
    pub(super) fn reachable_from(&self, from: usize) -> Vec<bool> {
        let mut seen = vec![false; self.stages.len()];
        let mut todo = vec![from];
        while let Some(i) = todo.pop() {
            match seen.get_mut(i) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            let s = &self.stages[i];
            todo.extend(s.base);
            todo.extend(s.deps.iter().map(|(d, _)| *d));
        }
        seen
    }

    fn run(&mut self) -> Result<(), ConvertError> {
        self.init_meta_args();
        self.lint_default_args();
        self.epoch = super::epoch::resolve(&self.input.options.build_args, &mut self.meta_args);
        self.init_stages()?;
        self.select_target()?;
        self.link_dependencies()?;
        self.check_cycles()?;
        if self.stages.len() == 1 {
            self.stages[0].steps.stage_name.clear();
        }
        loop {
            self.resolve_bases()?;
            if !self.missing.is_empty() {
                return Err(ConvertError::NeedImages(std::mem::take(&mut self.missing)));
            }
            if !self.init_onbuild_triggers()? {
                break;
            }
            self.check_cycles()?;
        }
        let dispatched = self.dispatched_stages();
        for i in 0..self.stages.len() {
            if !dispatched.get(i).copied().unwrap_or(false) || self.stages[i].ready {
                continue;
            }
            self.stages[i].ready = true;
            self.init_stage_state(i)?;
            // Triggers are few and rare: a copy lets them run while the stage state changes.
            let trigger_commands = self.stages[i].triggers.clone();
            let triggers = trigger_commands.len();
            let commands = trigger_commands.iter().chain(self.own_commands(i));
            for (ci, cmd) in commands.enumerate() {
                let sources = self.stages[i]
                    .cmd_sources
                    .get(ci)
                    .cloned()
                    .unwrap_or_default();
                // Triggers are not commands of the Dockerfile (no Go rewrite refers to them).
                self.current = ci
                    .checked_sub(triggers)
                    .map(|command| super::CommandRef { stage: i, command });
                self.stages[i].steps.onbuild = ci < triggers;
                if ci < triggers {
                    // BuildKit gives a trigger the FROM's location and no comments.
                    self.lint_at(cmd.span, crate::checks::Scope::Build);
                } else {
                    self.lint_command(cmd);
                }
                let result = self.dispatch(i, cmd, &sources);
                self.current = None;
                self.stages[i].steps.onbuild = false;
                result.map_err(|e| with_span(e, cmd.span))?;
            }
        }
        self.mark_path(self.target_index, "/".into());
        Ok(())
    }

    /// Records a path read from stage `i` (in the path set it shares with its base).
    pub(super) fn mark_path(&mut self, i: usize, path: String) {
        let mut owner = i;
        let mut hops = 0;
        while let Some(o) = self.stages[owner].paths_owner {
            if o == owner || hops > self.stages.len() {
                break;
            }
            owner = o;
            hops += 1;
        }
        self.stages[owner].paths.insert(path);
    }

    fn finish(mut self) -> Result<PlatformBuild, ConvertError> {
        let t = self.target_index;
        let labels = &self.input.options.labels;
        let img = &mut self.stages[t].image;
        if !labels.is_empty() {
            let map = img.config.labels.get_or_insert_with(BTreeMap::new);
            for (k, v) in labels {
                map.insert(k.clone(), v.clone());
            }
        }
        if !self.implicit_target {
            img.os = self.target.os.clone();
            img.architecture = self.target.architecture.clone();
            img.variant = self.target.variant.clone();
            img.os_version = self.target.os_version.clone();
        }
        let mut source = self.input.source.clone();
        if source.filename.is_empty() {
            source.filename = "Dockerfile".into();
        }
        source.language = "Dockerfile".into();
        let st = &self.stages[t];
        let definition = self
            .graph
            .definition(st.fs.as_ref(), Some(&source))
            .map_err(|e| ConvertError::at(e.to_string(), None))?;
        Ok(PlatformBuild {
            platform: self.target.clone(),
            definition,
            image_config: st.image.to_json(),
            base_config: st.base_img.as_ref().map(Image::to_json),
            epoch: self.epoch.as_ref().map(|e| e.seconds),
        })
    }

    /// Expansion env of a stage.
    pub(super) fn env_of(&self, i: usize) -> Vec<(String, String)> {
        self.stages[i].env.clone()
    }

    /// Platform ops of a stage default to.
    pub(super) fn op_platform(&self, i: usize) -> Platform {
        self.stages[i]
            .fs_platform
            .clone()
            .unwrap_or_else(|| self.target.clone())
    }

    /// The stage platform used in progress names (`None` unless multi-platform).
    pub(super) fn name_platform(&self, i: usize) -> Option<Platform> {
        if !self.multi {
            return None;
        }
        Some(
            self.stages[i]
                .platform
                .clone()
                .unwrap_or_else(|| self.target.clone()),
        )
    }

    /// `prefixCommand` for stage `i`.
    pub(super) fn step_name(&mut self, i: usize, text: &str, env: &[(String, String)]) -> String {
        let platform = self.name_platform(i);
        self.stages[i].steps.prefix(text, platform.as_ref(), env)
    }
}

/// `TARGETSTAGE`'s stage: `--target` as given, else the last stage's name (`""` if unnamed).
pub(crate) fn target_stage_name(df: &Dockerfile, options: &crate::options::BuildOptions) -> String {
    // As the client wrote it (`options.target` is lower-cased for the stage lookup).
    let raw = options.raw.get("target").map(String::as_str);
    match raw.or(options.target.as_deref()).filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => df
            .stages
            .last()
            .and_then(|s| s.name.clone())
            .unwrap_or_default(),
    }
}

fn target_or(p: &Platform) -> Platform {
    if p.os.is_empty() || p.architecture.is_empty() {
        Platform::host()
    } else {
        p.clone()
    }
}

/// Adds a span to an error that has none.
pub(super) fn with_span(e: ConvertError, span: Span) -> ConvertError {
    match e {
        ConvertError::Dockerfile {
            message,
            span: None,
        } => ConvertError::Dockerfile {
            message,
            span: Some(span),
        },
        other => other,
    }
}

/// `EnvList.AddOrReplace`: remove then append.
pub(super) fn add_env(env: &mut Vec<(String, String)>, key: &str, value: &str) {
    env.retain(|(k, _)| k != key);
    env.push((key.to_string(), value.to_string()));
}

/// `Meta.proxy_env` from proxy build args (case-insensitive names).
fn proxy_env(args: &BTreeMap<String, String>) -> Option<pb::ProxyEnv> {
    let mut pe = pb::ProxyEnv::default();
    let mut set = false;
    for (k, v) in args {
        let slot = match k.to_ascii_lowercase().as_str() {
            "http_proxy" => &mut pe.http_proxy,
            "https_proxy" => &mut pe.https_proxy,
            "ftp_proxy" => &mut pe.ftp_proxy,
            "no_proxy" => &mut pe.no_proxy,
            "all_proxy" => &mut pe.all_proxy,
            _ => continue,
        };
        *slot = v.clone();
        set = true;
    }
    set.then_some(pe)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn proxy_args_become_proxy_env() {
        let mut args = BTreeMap::new();
        args.insert("HTTP_PROXY".to_string(), "http://p".to_string());
        args.insert("no_proxy".to_string(), "x".to_string());
        let pe = proxy_env(&args).unwrap();
        assert_eq!(pe.http_proxy, "http://p");
        assert_eq!(pe.no_proxy, "x");
        assert!(proxy_env(&BTreeMap::new()).is_none());
    }

    #[test]
    fn env_reassignment_moves_to_the_end() {
        let mut env = vec![
            ("A".to_string(), "1".to_string()),
            ("B".to_string(), "2".to_string()),
        ];
        add_env(&mut env, "A", "3");
        assert_eq!(env[1], ("A".to_string(), "3".to_string()));
    }
}
