//! Parser nodes → typed instructions (the AST in [`super::ast`]), with BuildKit v0.13's argument
//! counts, per-instruction flag sets and error texts; plus the typed parsing of `RUN --mount`,
//! `--network` and `--security` values.
//!
//! Not for: variable expansion (values stay raw; the converter expands them with
//! [`super::shell::Lexer`]), stage resolution, or any LLB concern.
//!
//! Flag sets are those of the stable v0.13 frontend the daemon embeds: `COPY --parents`,
//! `COPY/ADD --exclude`, `ADD --unpack`, `RUN --security` and secret mounts' `env=` are rejected
//! exactly as it rejects them (they are labs-only or newer); [`LABS`] turns them on. The AST keeps
//! fields for them so the converter is ready when that switch flips.
//!
//! Checked against BuildKit v0.13's `instructions.Parse` on about 7,000 generated Dockerfiles:
//! same error texts and lines, same stages (names, bases, platforms, comments) and commands.

use std::time::Duration;

use super::ast::{
    ArgDecl, Command, CommandLine, CopyLike, Dockerfile, Healthcheck, Heredoc, Instruction,
    KeyValue, Run, Stage,
};
use super::parser::{chomp_heredoc_content, parse_heredoc, Node, ParseError, Parsed, RawHeredoc};
use crate::gostd::strconv::{parse_bool, parse_int, parse_uint, quote};
use crate::gostd::time::parse_duration;
use crate::options::NetworkMode;

/// `RUN --mount` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountType {
    /// `type=bind` (the default).
    Bind,
    /// `type=cache`.
    Cache,
    /// `type=tmpfs`.
    Tmpfs,
    /// `type=secret`.
    Secret,
    /// `type=ssh`.
    Ssh,
}

impl MountType {
    /// The name as written in Dockerfiles.
    pub fn as_str(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Cache => "cache",
            MountType::Tmpfs => "tmpfs",
            MountType::Secret => "secret",
            MountType::Ssh => "ssh",
        }
    }
}

/// Cache mount `sharing=` mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheSharing {
    /// `shared` (the default).
    #[default]
    Shared,
    /// `private`.
    Private,
    /// `locked`.
    Locked,
}

/// One parsed `RUN --mount` value (after expansion of its option values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Mount type.
    pub kind: MountType,
    /// `from=` (stage, image or context name).
    pub from: Option<String>,
    /// `source=`/`src=`.
    pub source: Option<String>,
    /// `target=`/`dst=`/`destination=`; "" only for ssh/secret defaults, resolved by convert.
    pub target: String,
    /// Read-only (default: true for bind/secret/ssh, false for cache/tmpfs).
    pub read_only: bool,
    /// `id=`.
    pub cache_id: Option<String>,
    /// `sharing=` (cache only; `Shared` when not given).
    pub sharing: CacheSharing,
    /// `mode=` (octal).
    pub mode: Option<u32>,
    /// `uid=`.
    pub uid: Option<u32>,
    /// `gid=`.
    pub gid: Option<u32>,
    /// `size=` of tmpfs mounts, in bytes.
    pub size_limit: Option<i64>,
    /// `required` (secret/ssh).
    pub required: bool,
    /// `env=` (secret only; newer BuildKit).
    pub env: Option<String>,
}

/// `RUN --security` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// `sandbox` (the default).
    #[default]
    Sandbox,
    /// `insecure` (needs the `security.insecure` entitlement).
    Insecure,
}

/// Accept the labs/newer flags (`--parents`, `--exclude`, `--unpack`, `--security`, mount
/// `env=`). Off: stock `dockerfile.v0` of BuildKit v0.13 rejects them, and gofront must fail
/// where it fails.
pub const LABS: bool = false;

const MOUNT_TYPES: [&str; 5] = ["bind", "cache", "tmpfs", "secret", "ssh"];
const SHARE_MODES: [&str; 3] = ["shared", "private", "locked"];
const MOUNT_KEYS: [&str; 16] = [
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "ro",
    "rw",
    "readwrite",
];

/// Parses one raw `--mount` value; each field value is passed through `expand` first (BuildKit expands
/// mount option values with the current env). Errors are plain messages (convert adds the line).
pub fn parse_mount(
    raw: &str,
    expand: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Mount, String> {
    let fields = crate::gostd::csv::read_record(raw)
        .map_err(|e| format!("failed to parse csv mounts: {e}"))?;
    let mut m = Mount {
        kind: MountType::Bind,
        from: None,
        source: None,
        target: String::new(),
        read_only: false,
        cache_id: None,
        sharing: CacheSharing::Shared,
        mode: None,
        uid: None,
        gid: None,
        size_limit: None,
        required: false,
        env: None,
    };
    let mut ro_auto = true;
    let mut sharing_set = false;

    for field in &fields {
        let (key, value) = match field.split_once('=') {
            Some((k, v)) => (k.to_lowercase(), Some(v)),
            None => (field.to_lowercase(), None),
        };
        let Some(value) = value else {
            match key.as_str() {
                "readonly" | "ro" => {
                    m.read_only = true;
                    ro_auto = false;
                }
                "readwrite" | "rw" => {
                    m.read_only = false;
                    ro_auto = false;
                }
                "required" if matches!(m.kind, MountType::Secret | MountType::Ssh) => {
                    m.required = true;
                }
                "required" => {
                    return Err(format!(
                        "unexpected key '{key}' for mount type '{}'",
                        m.kind.as_str()
                    ))
                }
                _ => return Err(format!("invalid field '{field}' must be a key=value pair")),
            }
            continue;
        };
        let value = expand(value)?;
        let unexpected = |m: &Mount| {
            format!(
                "unexpected key '{key}' for mount type '{}'",
                m.kind.as_str()
            )
        };
        match key.as_str() {
            "type" => {
                m.kind = match value.to_lowercase().as_str() {
                    "bind" => MountType::Bind,
                    "cache" => MountType::Cache,
                    "tmpfs" => MountType::Tmpfs,
                    "secret" => MountType::Secret,
                    "ssh" => MountType::Ssh,
                    _ => {
                        return Err(with_suggestion(
                            format!("unsupported mount type {}", quote(&value)),
                            &value,
                            &MOUNT_TYPES,
                            true,
                        ))
                    }
                }
            }
            "from" => m.from = Some(value),
            "source" | "src" => m.source = Some(value),
            "target" | "dst" | "destination" => m.target = value,
            "readonly" | "ro" => {
                m.read_only = parse_bool(&value)
                    .ok()
                    .ok_or_else(|| format!("invalid value for {key}: {value}"))?;
                ro_auto = false;
            }
            "readwrite" | "rw" => {
                let rw = parse_bool(&value)
                    .ok()
                    .ok_or_else(|| format!("invalid value for {key}: {value}"))?;
                m.read_only = !rw;
                ro_auto = false;
            }
            "required" => {
                if !matches!(m.kind, MountType::Secret | MountType::Ssh) {
                    return Err(unexpected(&m));
                }
                m.required = parse_bool(&value)
                    .ok()
                    .ok_or_else(|| format!("invalid value for {key}: {value}"))?;
            }
            "size" => {
                if m.kind != MountType::Tmpfs {
                    return Err(unexpected(&m));
                }
                m.size_limit = Some(
                    ram_in_bytes(&value)
                        .ok_or_else(|| format!("invalid value for {key}: {value}"))?,
                );
            }
            "id" => m.cache_id = Some(value),
            "sharing" => {
                m.sharing = match value.to_lowercase().as_str() {
                    "shared" => CacheSharing::Shared,
                    "private" => CacheSharing::Private,
                    "locked" => CacheSharing::Locked,
                    _ => {
                        return Err(with_suggestion(
                            format!("unsupported sharing value {}", quote(&value)),
                            &value,
                            &SHARE_MODES,
                            true,
                        ))
                    }
                };
                sharing_set = true;
            }
            "mode" => {
                m.mode = Some(
                    parse_uint(&value, 8, 32)
                        .ok()
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| format!("invalid value {value} for mode"))?,
                )
            }
            "uid" => {
                m.uid = Some(
                    parse_uint(&value, 10, 32)
                        .ok()
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| format!("invalid value {value} for uid"))?,
                )
            }
            "gid" => {
                m.gid = Some(
                    parse_uint(&value, 10, 32)
                        .ok()
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| format!("invalid value {value} for gid"))?,
                )
            }
            "env" if LABS => {
                if m.kind != MountType::Secret {
                    return Err(unexpected(&m));
                }
                m.env = Some(value);
            }
            _ => {
                return Err(with_suggestion(
                    format!("unexpected key '{key}' in '{field}'"),
                    &key,
                    &MOUNT_KEYS,
                    true,
                ))
            }
        }
    }

    let file_info_allowed = matches!(
        m.kind,
        MountType::Secret | MountType::Ssh | MountType::Cache
    );
    if !file_info_allowed {
        let kind = quote(m.kind.as_str());
        if m.mode.is_some() {
            return Err(format!("mode not allowed for {kind} type mounts"));
        }
        if m.uid.is_some() {
            return Err(format!("uid not allowed for {kind} type mounts"));
        }
        if m.gid.is_some() {
            return Err(format!("gid not allowed for {kind} type mounts"));
        }
    }
    if ro_auto {
        m.read_only = !matches!(m.kind, MountType::Cache | MountType::Tmpfs);
    }
    if m.kind == MountType::Secret {
        if m.from.as_deref().is_some_and(|f| !f.is_empty()) {
            return Err("secret mount should not have a from".into());
        }
        if sharing_set {
            return Err("secret mount should not define sharing".into());
        }
        let empty = |v: &Option<String>| v.as_deref().unwrap_or("").is_empty();
        if empty(&m.source) && m.target.is_empty() && empty(&m.cache_id) {
            return Err("invalid secret mount. one of source, target required".into());
        }
        if !empty(&m.source) && !empty(&m.cache_id) {
            return Err("both source and id can't be set".into());
        }
    }
    if sharing_set && m.kind != MountType::Cache {
        return Err(format!(
            "invalid cache sharing set for {} mount",
            m.kind.as_str()
        ));
    }
    Ok(m)
}

/// The parse-time check BuildKit runs on `--mount` values before expansion: valid CSV, and no
/// variable in `from=`.
fn precheck_mount(raw: &str) -> Result<(), String> {
    let fields = crate::gostd::csv::read_record(raw)
        .map_err(|e| format!("failed to parse csv mounts: {e}"))?;
    for field in fields {
        if let Some((key, value)) = field.split_once('=') {
            let has_var = value
                .char_indices()
                .any(|(i, c)| c == '$' && value[i + 1..].chars().next().is_some_and(|n| n != '\n'));
            if key.eq_ignore_ascii_case("from") && has_var {
                return Err(format!(
                    "'{}' doesn't support variable expansion, define alias stage instead",
                    key.to_lowercase()
                ));
            }
        }
    }
    Ok(())
}

/// `RUN --network` value (`default` → [`NetworkMode::Sandbox`]).
pub fn parse_network(raw: &str) -> Result<NetworkMode, String> {
    match raw {
        "default" => Ok(NetworkMode::Sandbox),
        "none" => Ok(NetworkMode::None),
        "host" => Ok(NetworkMode::Host),
        _ => Err(format!("invalid network mode {}", quote(raw))),
    }
}

/// `RUN --security` value.
pub fn parse_security(raw: &str) -> Result<Security, String> {
    match raw {
        "sandbox" => Ok(Security::Sandbox),
        "insecure" => Ok(Security::Insecure),
        _ => Err(format!("security {} is not valid", quote(raw))),
    }
}

/// go-units `RAMInBytes` (`^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$`, binary multiples).
fn ram_in_bytes(s: &str) -> Option<i64> {
    let num_len = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(s.len(), |(i, _)| i);
    let (num, mut rest) = s.split_at(num_len);
    // \d+(\.\d+)*
    if num.is_empty() || num.split('.').any(str::is_empty) {
        return None;
    }
    rest = rest.strip_prefix(' ').unwrap_or(rest);
    let mut chars = rest.chars().peekable();
    let mut mul: f64 = 1.0;
    if let Some(c) = chars.peek().copied() {
        let pow = match c.to_ascii_lowercase() {
            'k' => Some(1),
            'm' => Some(2),
            'g' => Some(3),
            't' => Some(4),
            'p' => Some(5),
            _ => None,
        };
        if let Some(p) = pow {
            mul = 1024f64.powi(p);
            chars.next();
        }
    }
    if chars.peek().is_some_and(|c| c.eq_ignore_ascii_case(&'i')) {
        chars.next();
    }
    if chars.peek().is_some_and(|c| c.eq_ignore_ascii_case(&'b')) {
        chars.next();
    }
    if chars.next().is_some() {
        return None;
    }
    let size: f64 = num.parse().ok()?;
    Some((size * mul) as i64)
}

/// Levenshtein distance over chars.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// BuildKit's `suggest.WrapError`: appends ` (did you mean X?)` for a close option.
pub(crate) fn with_suggestion(
    message: String,
    value: &str,
    options: &[&str],
    case_sensitive: bool,
) -> String {
    let val = if case_sensitive {
        value.to_string()
    } else {
        value.to_lowercase()
    };
    let mut best: Option<String> = None;
    let mut min = 3usize;
    for opt in options {
        let o = if case_sensitive {
            opt.to_string()
        } else {
            opt.to_lowercase()
        };
        if o == val {
            return message;
        }
        let d = levenshtein(&val, &o);
        if d < min {
            min = d;
            best = Some(if case_sensitive {
                o
            } else if value == value.to_lowercase() {
                o.to_lowercase()
            } else if value == value.to_uppercase() {
                o.to_uppercase()
            } else {
                o
            });
        }
    }
    match best {
        Some(m) => format!("{message} (did you mean {m}?)"),
        None => message,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlagKind {
    Bool,
    Str,
    Strs,
}

/// Values of the flags given to one instruction.
#[derive(Default)]
struct Flags {
    values: Vec<(&'static str, Vec<String>)>,
}

impl Flags {
    fn parse(args: &[String], specs: &[(&'static str, FlagKind)]) -> Result<Flags, String> {
        let mut flags = Flags::default();
        for arg in args {
            let Some(body) = arg.strip_prefix("--") else {
                return Err(format!("arg should start with -- : {arg}"));
            };
            if body.is_empty() {
                return Ok(flags);
            }
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let Some(&(spec_name, kind)) = specs.iter().find(|(n, _)| *n == name) else {
                let names: Vec<&str> = specs.iter().map(|(n, _)| *n).collect();
                return Err(with_suggestion(
                    format!("unknown flag: {name}"),
                    name,
                    &names,
                    true,
                ));
            };
            let seen = flags.values.iter().position(|(n, _)| *n == spec_name);
            if seen.is_some() && kind != FlagKind::Strs {
                return Err(format!("duplicate flag specified: {name}"));
            }
            let stored = match kind {
                FlagKind::Bool => {
                    if value == Some("") {
                        return Err(format!("missing a value on flag: {name}"));
                    }
                    match value.unwrap_or("").to_lowercase().as_str() {
                        "true" | "" => "true".to_string(),
                        "false" => "false".to_string(),
                        _ => {
                            return Err(format!(
                                "expecting boolean value for flag {name}, not: {}",
                                value.unwrap_or("")
                            ))
                        }
                    }
                }
                FlagKind::Str | FlagKind::Strs => match value {
                    Some(v) => v.to_string(),
                    None => return Err(format!("missing a value on flag: {name}")),
                },
            };
            match seen {
                Some(i) => flags.values[i].1.push(stored),
                None => flags.values.push((spec_name, vec![stored])),
            }
        }
        Ok(flags)
    }

    fn string(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.last().cloned())
    }

    /// A string flag, `None` when absent or empty (BuildKit treats both alike).
    fn non_empty(&self, name: &str) -> Option<String> {
        self.string(name).filter(|v| !v.is_empty())
    }

    fn strings(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn bool(&self, name: &str) -> Option<bool> {
        self.string(name).map(|v| v == "true")
    }
}

const ALL_INSTRUCTIONS: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// A parsed node: a stage start or a command.
enum Item {
    From(Stage),
    Command(Command),
}

/// Builds the typed AST from the syntactic layer's nodes (BuildKit `instructions.Parse`).
pub(crate) fn build(parsed: Parsed) -> Result<Dockerfile, ParseError> {
    let mut df = Dockerfile {
        directives: parsed.directives,
        meta_args: Vec::new(),
        stages: Vec::new(),
        warnings: parsed.warnings,
    };
    for node in &parsed.nodes {
        let span = node.span;
        let item = parse_node(node).map_err(|m| ParseError::at(m, span.start, span.end))?;
        match item {
            Item::From(stage) => df.stages.push(stage),
            Item::Command(cmd) => match df.stages.last_mut() {
                Some(stage) => stage.commands.push(cmd),
                None if matches!(cmd.instruction, Instruction::Arg(_)) => df.meta_args.push(cmd),
                None => {
                    return Err(ParseError::at(
                        "no build stage in current context",
                        span.start,
                        span.end,
                    ))
                }
            },
        }
    }
    Ok(df)
}

/// One node as a command (ONBUILD triggers): FROM is not a command.
pub(crate) fn build_command(node: &Node) -> Result<Command, ParseError> {
    let span = node.span;
    match parse_node(node).map_err(|m| ParseError::at(m, span.start, span.end))? {
        Item::Command(cmd) => Ok(cmd),
        Item::From(_) => Err(ParseError::at(
            "*instructions.Stage is not a command type",
            span.start,
            span.end,
        )),
    }
}

fn command_line(args: &[String], json: bool) -> CommandLine {
    if json {
        CommandLine::Exec(args.to_vec())
    } else {
        CommandLine::Shell(args.join(" "))
    }
}

fn parse_node(node: &Node) -> Result<Item, String> {
    let args = &node.args;
    let cmd = |instruction: Instruction| {
        Ok(Item::Command(Command {
            span: node.span,
            original: node.original.clone(),
            instruction,
        }))
    };
    let no_flags = || Flags::parse(&node.flags, &[]).map(|_| ());
    match node.keyword.to_ascii_lowercase().as_str() {
        "env" => {
            no_flags()?;
            cmd(Instruction::Env(parse_kvps(args, "ENV")?))
        }
        "label" => {
            no_flags()?;
            cmd(Instruction::Label(parse_kvps(args, "LABEL")?))
        }
        "maintainer" => {
            let text = exactly_one(args, "MAINTAINER")?;
            no_flags()?;
            cmd(Instruction::Maintainer(text))
        }
        "add" => cmd(Instruction::Add(parse_copy_like(node, true)?)),
        "copy" => cmd(Instruction::Copy(parse_copy_like(node, false)?)),
        "from" => parse_from(node).map(Item::From),
        "onbuild" => cmd(Instruction::OnBuild(parse_onbuild(node)?)),
        "workdir" => {
            let path = exactly_one(args, "WORKDIR")?;
            no_flags()?;
            cmd(Instruction::Workdir(path))
        }
        "run" => cmd(Instruction::Run(parse_run(node)?)),
        "cmd" => {
            no_flags()?;
            cmd(Instruction::Cmd(command_line(args, node.json)))
        }
        "entrypoint" => {
            no_flags()?;
            cmd(Instruction::Entrypoint(command_line(args, node.json)))
        }
        "healthcheck" => cmd(Instruction::Healthcheck(parse_healthcheck(node)?)),
        "expose" => {
            if args.is_empty() {
                return Err(at_least_one("EXPOSE"));
            }
            no_flags()?;
            let mut ports = args.clone();
            ports.sort();
            cmd(Instruction::Expose(ports))
        }
        "user" => {
            let user = exactly_one(args, "USER")?;
            no_flags()?;
            cmd(Instruction::User(user))
        }
        "volume" => {
            if args.is_empty() {
                return Err(at_least_one("VOLUME"));
            }
            no_flags()?;
            let mut volumes = Vec::new();
            for v in args {
                let v = v.trim();
                if v.is_empty() {
                    return Err("VOLUME specified can not be an empty string".into());
                }
                volumes.push(v.to_string());
            }
            cmd(Instruction::Volume(volumes))
        }
        "stopsignal" => cmd(Instruction::StopSignal(exactly_one(args, "STOPSIGNAL")?)),
        "arg" => cmd(Instruction::Arg(parse_arg(args)?)),
        "shell" => {
            no_flags()?;
            if args.is_empty() {
                return Err(at_least_one("SHELL"));
            }
            if !node.json {
                return Err("SHELL requires the arguments to be in JSON form".into());
            }
            cmd(Instruction::Shell(args.clone()))
        }
        _ => Err(with_suggestion(
            format!("unknown instruction: {}", node.keyword),
            &node.keyword,
            &ALL_INSTRUCTIONS,
            false,
        )),
    }
}

fn at_least_one(command: &str) -> String {
    format!("{command} requires at least one argument")
}

fn exactly_one(args: &[String], command: &str) -> Result<String, String> {
    match args {
        [one] => Ok(one.clone()),
        _ => Err(format!("{command} requires exactly one argument")),
    }
}

fn parse_kvps(args: &[String], command: &str) -> Result<Vec<KeyValue>, String> {
    if args.is_empty() {
        return Err(at_least_one(command));
    }
    if args.len() % 2 != 0 {
        return Err(format!("Bad input to {command}, too many arguments"));
    }
    args.chunks(2)
        .map(|pair| match pair {
            [k, _] if k.is_empty() => Err(format!("{command} names can not be blank")),
            [k, v] => Ok(KeyValue {
                key: k.clone(),
                value: v.clone(),
            }),
            _ => Err(format!("Bad input to {command}, too many arguments")),
        })
        .collect()
}

fn parse_arg(args: &[String]) -> Result<Vec<ArgDecl>, String> {
    if args.is_empty() {
        return Err(at_least_one("ARG"));
    }
    args.iter()
        .map(|arg| match arg.split_once('=') {
            Some(("", _)) => Err("ARG names can not be blank".to_string()),
            Some((k, v)) => Ok(ArgDecl {
                key: k.to_string(),
                value: Some(v.to_string()),
            }),
            None => Ok(ArgDecl {
                key: arg.clone(),
                value: None,
            }),
        })
        .collect()
}

fn parse_from(node: &Node) -> Result<Stage, String> {
    let args = &node.args;
    let name = match args.as_slice() {
        [_, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => {
            let lower = name.to_lowercase();
            if !valid_stage_name(&lower) {
                return Err(format!(
                    "invalid name for build stage: {}, name can't start with a number or contain symbols",
                    quote(name)
                ));
            }
            Some(lower)
        }
        [_] => None,
        _ => return Err("FROM requires either one or three arguments".into()),
    };
    let flags = Flags::parse(&node.flags, &[("platform", FlagKind::Str)])?;
    Ok(Stage {
        comment: name.as_deref().and_then(|n| comment_for(&node.comments, n)),
        name,
        base_name: args.first().cloned().unwrap_or_default(),
        platform: flags.non_empty("platform"),
        span: node.span,
        original: node.original.clone(),
        commands: Vec::new(),
    })
}

/// `^[a-z][a-z0-9-_.]*$`
fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

/// BuildKit `getComment`: the first comment line starting with `<name> `, without that prefix.
fn comment_for(comments: &[String], name: &str) -> Option<String> {
    let prefix = format!("{name} ");
    comments
        .iter()
        .find_map(|c| c.strip_prefix(&prefix).map(str::to_string))
        .filter(|c| !c.is_empty())
}

fn parse_onbuild(node: &Node) -> Result<String, String> {
    let Some(trigger) = node.args.first() else {
        return Err(at_least_one("ONBUILD"));
    };
    Flags::parse(&node.flags, &[])?;
    let trigger = trigger.trim().to_uppercase();
    match trigger.as_str() {
        "ONBUILD" => return Err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into()),
        "MAINTAINER" | "FROM" => {
            return Err(format!("{trigger} isn't allowed as an ONBUILD trigger"))
        }
        _ => {}
    }
    let mut expression = strip_onbuild_prefix(&node.original).to_string();
    for doc in &node.heredocs {
        expression.push('\n');
        expression.push_str(&doc.content);
        expression.push_str(&doc.name);
    }
    Ok(expression)
}

/// Removes `(?i)^\s*ONBUILD\s*`.
fn strip_onbuild_prefix(original: &str) -> &str {
    let is_s = |c: char| matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ');
    let rest = original.trim_start_matches(is_s);
    match rest.get(..7) {
        Some(kw) if kw.eq_ignore_ascii_case("onbuild") => rest[7..].trim_start_matches(is_s),
        _ => original,
    }
}

fn heredoc_from_raw(raw: &RawHeredoc, chomp: bool, content: &str) -> Heredoc {
    Heredoc {
        name: raw.name.clone(),
        content: if chomp {
            chomp_heredoc_content(content)
        } else {
            content.to_string()
        },
        expand: raw.expand,
        file_descriptor: (raw.file_descriptor != 0).then_some(raw.file_descriptor),
    }
}

fn parse_run(node: &Node) -> Result<Run, String> {
    let mut specs = vec![("mount", FlagKind::Strs), ("network", FlagKind::Str)];
    if LABS {
        specs.push(("security", FlagKind::Str));
    }
    let flags = Flags::parse(&node.flags, &specs)?;
    let mounts = flags.strings("mount");
    for m in &mounts {
        precheck_mount(m)?;
    }
    let network = flags.string("network");
    parse_network(network.as_deref().unwrap_or("default"))?;
    let security = flags.string("security");
    parse_security(security.as_deref().unwrap_or("sandbox"))?;
    Ok(Run {
        command: command_line(&node.args, node.json),
        heredocs: node
            .heredocs
            .iter()
            .map(|h| heredoc_from_raw(h, h.chomp, &h.content))
            .collect(),
        mounts,
        network,
        security,
    })
}

fn parse_copy_like(node: &Node, is_add: bool) -> Result<CopyLike, String> {
    let command = if is_add { "ADD" } else { "COPY" };
    if node.args.len() < 2 {
        return Err(format!(
            "{command} requires at least two arguments, but only one was provided. Destination could not be determined"
        ));
    }
    // Same order as BuildKit registers them (it matters for "did you mean" ties).
    let mut specs = Vec::new();
    if LABS {
        specs.push(("exclude", FlagKind::Strs));
    }
    if is_add {
        specs.extend([
            ("chown", FlagKind::Str),
            ("chmod", FlagKind::Str),
            ("link", FlagKind::Bool),
            ("keep-git-dir", FlagKind::Bool),
            ("checksum", FlagKind::Str),
        ]);
        if LABS {
            specs.push(("unpack", FlagKind::Bool));
        }
    } else {
        if LABS {
            specs.push(("parents", FlagKind::Bool));
        }
        specs.extend([
            ("chown", FlagKind::Str),
            ("from", FlagKind::Str),
            ("chmod", FlagKind::Str),
            ("link", FlagKind::Bool),
        ]);
    }
    let flags = Flags::parse(&node.flags, &specs)?;
    let (srcs, dest) = node.args.split_at(node.args.len() - 1);
    let dest = dest.first().cloned().unwrap_or_default();
    if parse_heredoc(&dest).ok().flatten().is_some() {
        return Err(format!(
            "{command} cannot accept a heredoc as a destination"
        ));
    }
    let mut sources = Vec::new();
    let mut heredocs = Vec::new();
    for src in srcs {
        match parse_heredoc(src).ok().flatten() {
            Some(marker) => {
                let content = node
                    .heredocs
                    .iter()
                    .rev()
                    .find(|h| h.name == marker.name)
                    .map_or("", |h| h.content.as_str());
                heredocs.push(heredoc_from_raw(&marker, marker.chomp, content));
            }
            None => sources.push(src.clone()),
        }
    }
    Ok(CopyLike {
        sources,
        dest,
        heredocs,
        from: flags.non_empty("from"),
        chown: flags.non_empty("chown"),
        chmod: flags.non_empty("chmod"),
        link: flags.bool("link").unwrap_or(false),
        parents: flags.bool("parents").unwrap_or(false),
        excludes: flags.strings("exclude"),
        checksum: flags.non_empty("checksum"),
        keep_git_dir: flags.bool("keep-git-dir").unwrap_or(false),
        unpack: flags.bool("unpack"),
        json_form: node.json,
    })
}

fn parse_healthcheck(node: &Node) -> Result<Healthcheck, String> {
    let Some(typ) = node.args.first() else {
        return Err(at_least_one("HEALTHCHECK"));
    };
    let typ = typ.to_uppercase();
    let rest = &node.args[1..];
    if typ == "NONE" {
        if !rest.is_empty() {
            return Err("HEALTHCHECK NONE takes no arguments".into());
        }
        return Ok(Healthcheck::None);
    }
    let flags = Flags::parse(
        &node.flags,
        &[
            ("interval", FlagKind::Str),
            ("timeout", FlagKind::Str),
            ("start-period", FlagKind::Str),
            ("start-interval", FlagKind::Str),
            ("retries", FlagKind::Str),
        ],
    )?;
    if typ != "CMD" {
        return Err(format!(
            "Unknown type {} in HEALTHCHECK (try CMD)",
            quote(&typ)
        ));
    }
    if rest.is_empty() {
        return Err("Missing command after HEALTHCHECK CMD".into());
    }
    let command = command_line(rest, node.json);
    let interval = |name: &str| -> Result<Option<Duration>, String> {
        let Some(v) = flags.non_empty(name) else {
            return Ok(None);
        };
        let nanos = parse_duration(&v)?;
        if nanos == 0 {
            return Ok(None);
        }
        if nanos < 1_000_000 {
            return Err(format!("Interval {} cannot be less than 1ms", quote(name)));
        }
        Ok(Some(Duration::from_nanos(nanos.unsigned_abs())))
    };
    let retries = match flags.non_empty("retries") {
        None => None,
        Some(v) => {
            let n = parse_int(&v, 10, 32).map_err(|e| e.to_string())?;
            if n < 0 {
                return Err(format!("--retries cannot be negative ({n})"));
            }
            Some(n)
        }
    };
    Ok(Healthcheck::Check {
        command,
        interval: interval("interval")?,
        timeout: interval("timeout")?,
        start_period: interval("start-period")?,
        start_interval: interval("start-interval")?,
        retries,
    })
}

#[cfg(test)]
mod tests;
