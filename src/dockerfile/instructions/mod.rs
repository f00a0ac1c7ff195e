//! Parser nodes → typed instructions (the AST in [`super::ast`]), with the argument counts,
//! per-instruction flag sets and error texts of the newest stock Dockerfile frontend (1.26,
//! measured against 1.19 and 1.26 builds). Split like BuildKit's `instructions` package: this
//! file turns one node into one command; `flags` is the flag grammar (`BFlags`), `mounts` the
//! `RUN --mount` grammar, `run_flags` the `--network` / `--security` / `--device` values; the
//! table-driven tests sit beside them in `tests.rs`.
//!
//! Not for: variable expansion (values stay raw; the converter expands them with
//! [`super::shell::Lexer`]), stage resolution, or any LLB concern.
//!
//! Flag sets (and their registration order, which decides "did you mean" ties) are 1.26's:
//! `COPY/ADD --exclude` (mainline since 1.19), `COPY --parents` and `RUN --security` (1.20),
//! `ADD --unpack` (1.17), tri-state `ADD --keep-git-dir`, secret mounts' `env=` (1.10), and
//! `RUN --device`, which mainline parses but refuses at conversion (labs only up to 1.26).
//! `docs/dockerfile-versions.md` lists where 1.19 (Docker 28.5's built-in) differs.
//!
//! Checked against BuildKit v0.13's `instructions.Parse` on about 7,000 generated Dockerfiles:
//! same error texts and lines, same stages (names, bases, platforms, comments) and commands.

use std::time::Duration;

use super::ast::{
    ArgDecl, Command, CommandLine, CopyLike, Dockerfile, Healthcheck, Heredoc, Instruction,
    KeyValue, Run, Stage,
};
use super::error::ParseError;
use super::parser::{chomp_heredoc_content, parse_heredoc, Node, Parsed, RawHeredoc};
use crate::gostd::strconv::{parse_int, quote};
use crate::gostd::time::parse_duration;

mod flags;
mod mounts;
mod run_flags;

use flags::{with_suggestion, FlagKind, Flags};
use mounts::precheck_mount;
pub use mounts::{parse_mount, CacheSharing, Mount, MountType};
use run_flags::parse_device;
pub use run_flags::{parse_network, parse_security, Security};

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
        raw: content.to_string(),
        expand: raw.expand,
        file_descriptor: (raw.file_descriptor != 0).then_some(raw.file_descriptor),
    }
}

fn parse_run(node: &Node) -> Result<Run, String> {
    // The order of `parseRunPreHooks` (Go runs `init` by file name: device, mount, network,
    // security).
    let specs = [
        ("device", FlagKind::Strs),
        ("mount", FlagKind::Strs),
        ("network", FlagKind::Str),
        ("security", FlagKind::Str),
    ];
    let flags = Flags::parse(&node.flags, &specs)?;
    let mounts = flags.strings("mount");
    for m in &mounts {
        precheck_mount(m)?;
    }
    let network = flags.string("network");
    parse_network(network.as_deref().unwrap_or("default"))?;
    let security = flags.string("security");
    parse_security(security.as_deref().unwrap_or("sandbox"))?;
    let devices = flags.strings("device");
    for d in &devices {
        parse_device(d)?;
    }
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
        devices,
    })
}

fn parse_copy_like(node: &Node, is_add: bool) -> Result<CopyLike, String> {
    let command = if is_add { "ADD" } else { "COPY" };
    if node.args.len() < 2 {
        return Err(format!(
            "{command} requires at least two arguments, but only one was provided. Destination could not be determined"
        ));
    }
    // Same order as BuildKit 1.26 registers them (it matters for "did you mean" ties).
    let specs: &[(&'static str, FlagKind)] = if is_add {
        &[
            ("chown", FlagKind::Str),
            ("chmod", FlagKind::Str),
            ("link", FlagKind::Bool),
            ("keep-git-dir", FlagKind::Bool),
            ("checksum", FlagKind::Str),
            ("unpack", FlagKind::Bool),
            ("exclude", FlagKind::Strs),
        ]
    } else {
        &[
            ("chown", FlagKind::Str),
            ("from", FlagKind::Str),
            ("chmod", FlagKind::Str),
            ("link", FlagKind::Bool),
            ("exclude", FlagKind::Strs),
            ("parents", FlagKind::Bool),
        ]
    };
    let flags = Flags::parse(&node.flags, specs)?;
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
        keep_git_dir: flags.bool("keep-git-dir"),
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
