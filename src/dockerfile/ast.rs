//! The typed Dockerfile: what the parser and the instructions layer hand to the rest of gofront.
//!
//! This is the contract between `dockerfile` (which produces it) and `golang`/`convert` (which
//! consume it). Values are kept *unexpanded* (raw words, quotes included) exactly where BuildKit's
//! `dockerfile.v0` expands them at conversion time; the converter expands them with
//! [`crate::dockerfile::shell::Lexer`]. Every instruction carries the span of the physical lines it
//! came from, so errors and source maps point at the Dockerfile like BuildKit's.
//!
//! Not for: expansion, stage resolution or any LLB concern.

use std::time::Duration;

/// 1-based, inclusive range of physical Dockerfile lines an instruction occupies
/// (continuation lines and heredoc bodies included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First line (1-based).
    pub start: usize,
    /// Last line (1-based, inclusive).
    pub end: usize,
}

impl Span {
    /// One single-line span per line, the way BuildKit turns a node's lines into source ranges
    /// (`parser.toRanges`: a 3-line RUN is 3 ranges; `end <= start` gives just `start`).
    pub fn lines(self) -> impl Iterator<Item = Span> {
        let end = self.end.max(self.start);
        (self.start..=end).map(|line| Span {
            start: line,
            end: line,
        })
    }
}

/// Parser directives from the leading comment block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Directives {
    /// `# syntax=` value, if any.
    pub syntax: Option<String>,
    /// `# escape=` character; `\\` by default.
    pub escape: char,
    /// `# check=` value, if any (lint configuration; passed through).
    pub check: Option<String>,
    /// `# gofront=` value, if any (`off` disables every Go rewrite).
    pub gofront: Option<String>,
}

/// A whole parsed Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub struct Dockerfile {
    /// Parser directives.
    pub directives: Directives,
    /// `ARG` instructions before the first `FROM` (global / meta args).
    pub meta_args: Vec<Command>,
    /// The stages, in file order.
    pub stages: Vec<Stage>,
    /// Non-fatal findings of the parser (for example an empty continuation line).
    pub warnings: Vec<ParseWarning>,
}

/// A parser warning with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseWarning {
    /// BuildKit lint rule name when one applies (e.g. `NoEmptyContinuation`).
    pub rule: String,
    /// Human-readable message.
    pub message: String,
    /// Where it was found.
    pub span: Span,
}

/// One `FROM` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// The `AS` name, lower-cased as BuildKit does; `None` for unnamed stages.
    pub name: Option<String>,
    /// The base image / stage reference, unexpanded (expanded with global args only).
    pub base_name: String,
    /// `--platform` value, unexpanded.
    pub platform: Option<String>,
    /// Doc comment lines directly above the `FROM` (for `--call outline/targets`).
    pub comment: Option<String>,
    /// The FROM line itself.
    pub span: Span,
    /// Original text of the FROM instruction, as written (continuations joined).
    pub original: String,
    /// Instructions of the stage, in order (not including FROM).
    pub commands: Vec<Command>,
}

/// One instruction with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// Lines it occupies.
    pub span: Span,
    /// Original text like BuildKit's `node.Original`: keyword, flags and arguments as written,
    /// continuation lines joined (escape + newline removed), comment lines inside continuations
    /// dropped, heredoc bodies not included.
    pub original: String,
    /// The typed instruction.
    pub instruction: Instruction,
}

/// Shell form text or exec form (JSON array) arguments of RUN/CMD/ENTRYPOINT/HEALTHCHECK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandLine {
    /// Shell form: the text after the keyword and flags, continuations joined as BuildKit does
    /// (that exact string becomes the last argument of `SHELL`).
    Shell(String),
    /// Exec form: the decoded JSON array.
    Exec(Vec<String>),
}

/// A heredoc attached to RUN/COPY/ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The marker word (for COPY/ADD: the file name), quotes removed.
    pub name: String,
    /// Body, each line ending in `\n`; `<<-` tab stripping already applied.
    pub content: String,
    /// Body as written (`<<-` tabs kept): BuildKit's `Data`, which the shell receives when a
    /// RUN's heredocs are passed on to it and which the history then records.
    pub raw: String,
    /// False when any part of the marker was quoted (no expansion of the body).
    pub expand: bool,
    /// Optional file descriptor prefix (`3<<EOF`).
    pub file_descriptor: Option<u32>,
}

/// `RUN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Command line (shell form includes heredoc markers as written, like BuildKit).
    pub command: CommandLine,
    /// Heredocs in order of appearance.
    pub heredocs: Vec<Heredoc>,
    /// Raw `--mount` values, unexpanded, in order (parsed after expansion by the converter).
    pub mounts: Vec<String>,
    /// Raw `--network` value.
    pub network: Option<String>,
    /// Raw `--security` value.
    pub security: Option<String>,
    /// Raw `--device` values (CDI devices; labs only up to Dockerfile 1.26).
    pub devices: Vec<String>,
}

/// `COPY` and `ADD` (ADD-only fields are `None`/false for COPY).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopyLike {
    /// Source words, unexpanded (heredoc markers are not included here).
    pub sources: Vec<String>,
    /// Destination word, unexpanded.
    pub dest: String,
    /// Heredoc sources (`COPY <<EOF /dst`).
    pub heredocs: Vec<Heredoc>,
    /// `--from` (never expanded).
    pub from: Option<String>,
    /// `--chown`, unexpanded.
    pub chown: Option<String>,
    /// `--chmod`, unexpanded.
    pub chmod: Option<String>,
    /// `--link` (with optional `=bool`).
    pub link: bool,
    /// `--parents`.
    pub parents: bool,
    /// `--exclude` patterns, unexpanded, in order.
    pub excludes: Vec<String>,
    /// ADD `--checksum`, unexpanded.
    pub checksum: Option<String>,
    /// ADD `--keep-git-dir` when given (tri-state since 1.18: merged with the git URL's
    /// `keep-git-dir` query).
    pub keep_git_dir: Option<bool>,
    /// ADD `--unpack` when given.
    pub unpack: Option<bool>,
    /// True when written in JSON form.
    pub json_form: bool,
}

/// A `key=value` pair of ENV/LABEL (raw, quotes kept, unexpanded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// Key, raw.
    pub key: String,
    /// Value, raw.
    pub value: String,
}

/// One name of an `ARG` instruction (`ARG A B=2` has two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    /// Name (raw).
    pub key: String,
    /// Default value, raw and unexpanded, when given.
    pub value: Option<String>,
}

/// `HEALTHCHECK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`.
    None,
    /// `HEALTHCHECK [flags] CMD ...`.
    Check {
        /// Command line after `CMD`.
        command: CommandLine,
        /// `--interval`.
        interval: Option<Duration>,
        /// `--timeout`.
        timeout: Option<Duration>,
        /// `--start-period`.
        start_period: Option<Duration>,
        /// `--start-interval`.
        start_interval: Option<Duration>,
        /// `--retries`.
        retries: Option<i64>,
    },
}

/// Every instruction BuildKit's `dockerfile.v0` (v0.13 surface) accepts after `FROM`.
#[derive(Debug, Clone, PartialEq)]
pub enum Instruction {
    /// `RUN`.
    Run(Run),
    /// `CMD`.
    Cmd(CommandLine),
    /// `ENTRYPOINT`.
    Entrypoint(CommandLine),
    /// `ENV k=v ...` (legacy `ENV k v` is normalised to one pair).
    Env(Vec<KeyValue>),
    /// `ARG`.
    Arg(Vec<ArgDecl>),
    /// `LABEL k=v ...`.
    Label(Vec<KeyValue>),
    /// `EXPOSE` raw words.
    Expose(Vec<String>),
    /// `VOLUME` raw words (JSON or whitespace form).
    Volume(Vec<String>),
    /// `USER` raw word.
    User(String),
    /// `WORKDIR` raw word.
    Workdir(String),
    /// `COPY`.
    Copy(CopyLike),
    /// `ADD`.
    Add(CopyLike),
    /// `SHELL` (JSON only).
    Shell(Vec<String>),
    /// `HEALTHCHECK`.
    Healthcheck(Healthcheck),
    /// `STOPSIGNAL` raw word.
    StopSignal(String),
    /// `ONBUILD`: the nested instruction text as written (stored in the image config; parsed
    /// again when a child stage triggers it).
    OnBuild(String),
    /// `MAINTAINER` text.
    Maintainer(String),
}

impl Dockerfile {
    /// Rewrites every span (meta args, FROM lines, instructions, parser warnings) with `f`,
    /// e.g. to map a rewritten Dockerfile's lines back to the user's.
    pub fn map_spans(&mut self, f: impl Fn(Span) -> Span) {
        for cmd in &mut self.meta_args {
            cmd.span = f(cmd.span);
        }
        for stage in &mut self.stages {
            stage.span = f(stage.span);
            for cmd in &mut stage.commands {
                cmd.span = f(cmd.span);
            }
        }
        for w in &mut self.warnings {
            w.span = f(w.span);
        }
    }
}

impl Command {
    /// The instruction text as BuildKit's `String()` shows it in progress names and history
    /// (`original` with surrounding whitespace trimmed).
    pub fn code(&self) -> &str {
        self.original.trim()
    }
}

impl Stage {
    /// The FROM text as BuildKit's `Stage.SourceCode` (`original` trimmed).
    pub fn code(&self) -> &str {
        self.original.trim()
    }
}
