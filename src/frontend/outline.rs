//! `--call outline` and `--call targets` from the AST alone, following what `dockerfile2llb`
//! records while it dispatches (v0.13): the target's reachable stages, the build args they
//! declare or use in `FROM`, and the secret / ssh ids their `RUN --mount`s need.
//!
//! Not for: conversion (no images are resolved, no LLB is built) or rendering (see `render`).

use std::collections::{BTreeMap, BTreeSet};

use crate::dockerfile::ast::{Dockerfile, Instruction, Span, Stage};
use crate::dockerfile::instructions::{parse_mount, MountType};
use crate::dockerfile::shell::Lexer;
use crate::options::BuildOptions;

use super::render::{Outline, OutlineArg, OutlineMount, Target, TargetList};
use super::FrontendError;

/// `frontend.targets`: every stage in file order, the last one marked default.
pub fn targets(df: &Dockerfile, source: &[u8]) -> TargetList {
    let last = df.stages.len().saturating_sub(1);
    TargetList {
        targets: df
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| Target {
                name: s.name.clone().unwrap_or_default(),
                default: i == last,
                description: s.comment.clone().unwrap_or_default(),
                base: s.base_name.clone(),
                platform: s.platform.clone().unwrap_or_default(),
                location: Some(s.span),
            })
            .collect(),
        source: source.to_vec(),
    }
}

#[derive(Debug, Clone, Default)]
struct ArgInfo {
    key: String,
    value: Option<String>,
    comment: String,
    deps: BTreeSet<String>,
    span: Option<Span>,
}

/// `frontend.outline` for the requested (or default) target.
pub fn outline(
    df: &Dockerfile,
    source: &[u8],
    options: &BuildOptions,
) -> Result<Outline, FrontendError> {
    let lexer = Lexer::new(df.directives.escape);
    let text = String::from_utf8_lossy(source);
    let lines: Vec<&str> = text.split('\n').collect();

    let mut meta_env: Vec<(String, String)> = Vec::new();
    let mut meta_args: BTreeMap<String, ArgInfo> = BTreeMap::new();
    for cmd in &df.meta_args {
        let Instruction::Arg(decls) = &cmd.instruction else {
            continue;
        };
        for decl in decls {
            let mut info = ArgInfo {
                key: decl.key.clone(),
                comment: arg_comment(&lines, cmd.span, &decl.key),
                span: Some(cmd.span),
                ..Default::default()
            };
            if let Some(v) = options.build_args.get(&decl.key) {
                info.value = Some(v.clone());
            } else if let Some(default) = &decl.value {
                let (v, deps, _) = lexer
                    .process_word_with_matches(default, &meta_env)
                    .map_err(|e| FrontendError::at(e.0, Some(cmd.span)))?;
                info.value = Some(v);
                info.deps = deps;
            }
            if let Some(v) = &info.value {
                meta_env.push((decl.key.clone(), v.clone()));
            }
            meta_args.insert(decl.key.clone(), info);
        }
    }

    let target = find_target(df, options)?;
    let target_stage = df
        .stages
        .get(target)
        .ok_or_else(|| FrontendError::at("the Dockerfile has no stages", None))?;
    let mut visited_args = BTreeSet::new();
    let mut visited_secrets = BTreeSet::new();
    let mut visited_ssh = BTreeSet::new();
    let mut out = Outline {
        name: target_stage.name.clone().unwrap_or_default(),
        description: target_stage.comment.clone().unwrap_or_default(),
        source: source.to_vec(),
        ..Default::default()
    };
    for stage in reachable(df, target)
        .into_iter()
        .filter_map(|i| df.stages.get(i))
    {
        let (args, used) = stage_args(stage, &lexer, &meta_env, &meta_args, options, &lines)?;
        for key in used {
            if let Some(a) = args.get(&key) {
                if visited_args.insert(key.clone()) {
                    out.args.push(OutlineArg {
                        name: a.key.clone(),
                        description: a.comment.clone(),
                        value: a.value.clone().unwrap_or_default(),
                        location: a.span,
                    });
                }
            }
        }
        for (kind, m) in stage_mounts(stage) {
            let (list, visited) = match kind {
                MountType::Secret => (&mut out.secrets, &mut visited_secrets),
                _ => (&mut out.ssh, &mut visited_ssh),
            };
            if visited.insert(m.name.clone()) {
                list.push(m);
            }
        }
    }
    let line = |l: &Option<Span>| l.map(|s| s.start).unwrap_or(0);
    out.args.sort_by_key(|a| line(&a.location));
    out.secrets.sort_by_key(|a| line(&a.location));
    out.ssh.sort_by_key(|a| line(&a.location));
    Ok(out)
}

fn find_target(df: &Dockerfile, options: &BuildOptions) -> Result<usize, FrontendError> {
    match &options.target {
        Some(t) => df
            .stages
            .iter()
            .position(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(t)))
            .ok_or_else(|| {
                FrontendError::at(format!("target stage {t:?} could not be found"), None)
            }),
        None => df
            .stages
            .len()
            .checked_sub(1)
            .ok_or_else(|| FrontendError::at("the Dockerfile has no stages", None)),
    }
}

/// Stage index named by `name` (a stage name or a number) among stages before `before`.
fn stage_ref(df: &Dockerfile, name: &str, before: usize) -> Option<usize> {
    if let Ok(i) = name.parse::<usize>() {
        return (i < before).then_some(i);
    }
    df.stages.iter().take(before).position(|s| {
        s.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// The target and every stage it depends on (base stages, `--from`, mount `from=`), target first.
fn reachable(df: &Dockerfile, target: usize) -> Vec<usize> {
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    let mut queue = std::collections::VecDeque::from([target]);
    while let Some(i) = queue.pop_front() {
        if !seen.insert(i) {
            continue;
        }
        order.push(i);
        let Some(stage) = df.stages.get(i) else {
            continue;
        };
        let mut deps: Vec<String> = vec![stage.base_name.clone()];
        for cmd in &stage.commands {
            match &cmd.instruction {
                Instruction::Copy(c) | Instruction::Add(c) => deps.extend(c.from.clone()),
                Instruction::Run(r) => {
                    for raw in &r.mounts {
                        if let Ok(m) = parse_mount(raw, &|s: &str| Ok(s.to_string())) {
                            deps.extend(m.from);
                        }
                    }
                }
                _ => {}
            }
        }
        queue.extend(deps.iter().filter_map(|d| stage_ref(df, d, i)));
    }
    order
}

type StageArgs = (BTreeMap<String, ArgInfo>, Vec<String>);

/// The args visible in a stage and the ones it uses (FROM expansion, ARG declarations, plus
/// what their defaults refer to), in first-use order.
fn stage_args(
    stage: &Stage,
    lexer: &Lexer,
    meta_env: &[(String, String)],
    meta_args: &BTreeMap<String, ArgInfo>,
    options: &BuildOptions,
    lines: &[&str],
) -> Result<StageArgs, FrontendError> {
    let mut args = meta_args.clone();
    let mut used: Vec<String> = Vec::new();
    let mut from_words = vec![stage.base_name.clone()];
    from_words.extend(stage.platform.clone());
    for word in &from_words {
        let (_, matched, _) = lexer
            .process_word_with_matches(word, &meta_env.to_vec())
            .map_err(|e| FrontendError::at(e.0, Some(stage.span)))?;
        used.extend(matched);
    }
    let mut env: Vec<(String, String)> = Vec::new();
    for cmd in &stage.commands {
        if let Instruction::Arg(decls) = &cmd.instruction {
            for decl in decls {
                let value = stage_arg_value(decl, lexer, &env, options);
                let inherited = value.is_none() && meta_args.contains_key(&decl.key);
                let value = value.or_else(|| {
                    meta_env
                        .iter()
                        .rev()
                        .find(|(k, _)| *k == decl.key)
                        .map(|(_, v)| v.clone())
                });
                if !inherited {
                    args.insert(
                        decl.key.clone(),
                        ArgInfo {
                            key: decl.key.clone(),
                            value: value.clone(),
                            comment: arg_comment(lines, cmd.span, &decl.key),
                            deps: BTreeSet::new(),
                            span: Some(cmd.span),
                        },
                    );
                }
                if let Some(v) = value {
                    env.push((decl.key.clone(), v));
                }
                used.push(decl.key.clone());
            }
        }
    }
    let mut all_used = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = used.into_iter().rev().collect();
    while let Some(k) = stack.pop() {
        if !seen.insert(k.clone()) {
            continue;
        }
        if let Some(a) = args.get(&k) {
            stack.extend(a.deps.iter().cloned());
        }
        all_used.push(k);
    }
    Ok((args, all_used))
}

fn stage_arg_value(
    decl: &crate::dockerfile::ast::ArgDecl,
    lexer: &Lexer,
    env: &[(String, String)],
    options: &BuildOptions,
) -> Option<String> {
    if let Some(v) = options.build_args.get(&decl.key) {
        return Some(v.clone());
    }
    let default = decl.value.as_ref()?;
    Some(
        lexer
            .process_word(default, &env.to_vec())
            .unwrap_or_else(|_| default.clone()),
    )
}

/// Secret and ssh ids mounted by the stage's RUNs (first use wins).
fn stage_mounts(stage: &Stage) -> Vec<(MountType, OutlineMount)> {
    let mut out = Vec::new();
    for cmd in &stage.commands {
        let Instruction::Run(run) = &cmd.instruction else {
            continue;
        };
        for raw in &run.mounts {
            let Ok(m) = parse_mount(raw, &|s: &str| Ok(s.to_string())) else {
                continue;
            };
            let name = match m.kind {
                MountType::Secret => m
                    .cache_id
                    .clone()
                    .filter(|id| !id.is_empty())
                    .unwrap_or_else(|| crate::gostd::path::base(&m.target)),
                MountType::Ssh => m
                    .cache_id
                    .clone()
                    .filter(|id| !id.is_empty())
                    .unwrap_or_else(|| "default".to_string()),
                _ => continue,
            };
            out.push((
                m.kind,
                OutlineMount {
                    name,
                    required: m.required,
                    location: Some(cmd.span),
                },
            ));
        }
    }
    out
}

/// BuildKit's `getComment`: among the comment lines directly above the instruction (an empty
/// `#` line resets them), the first that starts with `<name> `, without that prefix.
fn arg_comment(lines: &[&str], span: Span, name: &str) -> String {
    let mut comments: Vec<String> = Vec::new();
    let mut i = span.start.saturating_sub(1);
    while i > 0 {
        let Some(line) = lines.get(i - 1) else { break };
        let trimmed = line.trim_start();
        if let Some(c) = trimmed.strip_prefix('#') {
            let c = c.trim();
            if c.is_empty() {
                break;
            }
            comments.push(c.to_string());
        } else if !trimmed.trim().is_empty() {
            break;
        }
        i -= 1;
    }
    comments.reverse();
    let prefix = format!("{name} ");
    comments
        .iter()
        .find_map(|c| c.strip_prefix(&prefix).map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const DOCKERFILE: &str = "\
# syntax=gofront:dev
# GO_VERSION the Go toolchain
ARG GO_VERSION=1.22
ARG UNUSED=x

# build compiles the service
FROM golang:${GO_VERSION} AS build
# CGO whether to use cgo
ARG CGO=0
RUN --mount=type=secret,id=netrc,required=true --mount=type=ssh true
RUN --mount=type=secret,target=/run/secrets/token true

FROM scratch AS other
ARG OTHER=1

FROM scratch
COPY --from=build /out /out
";

    fn opts(pairs: &[(&str, &str)]) -> BuildOptions {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        BuildOptions::from_opts(&map).unwrap()
    }

    fn parsed() -> Dockerfile {
        crate::dockerfile::parse(DOCKERFILE).unwrap()
    }

    #[test]
    fn targets_list_every_stage_with_the_last_as_default() {
        let list = targets(&parsed(), DOCKERFILE.as_bytes());
        let got: Vec<(String, bool, String, String)> = list
            .targets
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    t.default,
                    t.base.clone(),
                    t.description.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "build".to_string(),
                    false,
                    "golang:${GO_VERSION}".to_string(),
                    "compiles the service".to_string()
                ),
                ("other".into(), false, "scratch".into(), String::new()),
                (String::new(), true, "scratch".into(), String::new()),
            ]
        );
        assert_eq!(list.targets[0].location, Some(Span { start: 7, end: 7 }));
    }

    #[test]
    fn outline_of_default_target_follows_copy_from_and_from_args() {
        let o = outline(&parsed(), DOCKERFILE.as_bytes(), &opts(&[])).unwrap();
        let args: Vec<(&str, &str, &str)> = o
            .args
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_str(), a.description.as_str()))
            .collect();
        assert_eq!(
            args,
            [
                ("GO_VERSION", "1.22", "the Go toolchain"),
                ("CGO", "0", "whether to use cgo")
            ]
        );
        let secrets: Vec<(&str, bool)> = o
            .secrets
            .iter()
            .map(|s| (s.name.as_str(), s.required))
            .collect();
        assert_eq!(secrets, [("netrc", true), ("token", false)]);
        assert_eq!(o.ssh.len(), 1);
        assert_eq!(o.ssh[0].name, "default");
        assert_eq!(o.name, "");
    }

    #[test]
    fn outline_respects_target_and_build_args() {
        let o = outline(
            &parsed(),
            DOCKERFILE.as_bytes(),
            &opts(&[("target", "other"), ("build-arg:OTHER", "2")]),
        )
        .unwrap();
        assert_eq!(o.name, "other");
        let args: Vec<(&str, &str)> = o
            .args
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(args, [("OTHER", "2")]);
        assert!(o.secrets.is_empty());
    }

    #[test]
    fn outline_of_unknown_target_fails_like_buildkit() {
        let err = outline(
            &parsed(),
            DOCKERFILE.as_bytes(),
            &opts(&[("target", "nope")]),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "target stage \"nope\" could not be found");
    }
}
