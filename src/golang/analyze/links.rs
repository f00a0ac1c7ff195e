//! Links between stages once every stage is analysed: which stage is final and which ones the
//! final image needs, and who reads a stage's module cache or outputs (`COPY --from`,
//! `RUN --mount=from=`, `FROM <stage>`, a go command at container start).
//!
//! Not for: the per-stage walk (`analyze`).

use crate::dockerfile::ast::{Dockerfile, Instruction, Span};
use crate::dockerfile::instructions::parse_mount;
use crate::dockerfile::shell::Lexer;

use super::{CacheReader, CacheReaderKind, CopyOrigin, OutputReader, StageAnalysis, StageBase};
use crate::golang::shellscan::clean_path;

pub(super) fn mark_final(out: &mut [StageAnalysis], df: &Dockerfile, target: Option<&str>) {
    let idx = match target {
        Some(t) => {
            let t = t.to_ascii_lowercase();
            df.stages
                .iter()
                .position(|s| s.name.as_deref() == Some(t.as_str()))
        }
        None => df.stages.len().checked_sub(1),
    };
    if let Some(s) = idx.and_then(|i| out.get_mut(i)) {
        s.is_final = true;
    }
}

/// Marks the stages the final image needs, as BuildKit builds only those: following FROM,
/// `COPY --from` and `RUN --mount=from=` back from the final stage.
pub(super) fn mark_reachable(out: &mut [StageAnalysis], df: &Dockerfile, lexer: &Lexer) {
    let mut todo: Vec<usize> = out.iter().filter(|s| s.is_final).map(|s| s.index).collect();
    while let Some(i) = todo.pop() {
        let Some(s) = out.get_mut(i) else { continue };
        if s.reachable {
            continue;
        }
        s.reachable = true;
        let mut deps: Vec<usize> = s
            .copies
            .iter()
            .filter_map(|c| match c.origin {
                CopyOrigin::Stage(p) => Some(p),
                _ => None,
            })
            .collect();
        if let StageBase::Stage(p) = s.base {
            deps.push(p);
        }
        deps.extend(
            stage_mounts(df, i, lexer)
                .into_iter()
                .map(|(src, _, _)| src),
        );
        todo.extend(deps);
    }
}

/// A stage's `RUN --mount=from=<earlier stage>` mounts: (the stage mounted, the RUN's lines,
/// the mounted path in that stage, absolute).
fn stage_mounts(df: &Dockerfile, index: usize, lexer: &Lexer) -> Vec<(usize, Span, String)> {
    let Some(stage) = df.stages.get(index) else {
        return Vec::new();
    };
    let earlier = df.stages.get(..index).unwrap_or(&[]);
    let mut out = Vec::new();
    for cmd in &stage.commands {
        let Instruction::Run(run) = &cmd.instruction else {
            continue;
        };
        for raw in &run.mounts {
            let env: Vec<(String, String)> = Vec::new();
            let expand = |w: &str| lexer.process_word(w, &env).map_err(|e| e.to_string());
            let Ok(m) = parse_mount(raw, &expand) else {
                continue;
            };
            let Some(from) = m.from.as_deref().map(str::to_ascii_lowercase) else {
                continue;
            };
            let found = earlier
                .iter()
                .position(|s| s.name.as_deref() == Some(from.as_str()))
                .or_else(|| from.parse::<usize>().ok().filter(|i| *i < index));
            if let Some(src) = found {
                let source = clean_path(&format!("/{}", m.source.unwrap_or_default()));
                out.push((src, cmd.span, source));
            }
        }
    }
    out
}

/// True when `a` is `b` or inside it, or `b` is inside `a` (either contains the other).
fn overlaps(a: &str, b: &str) -> bool {
    let within = |x: &str, y: &str| {
        x == y || y == "/" || x.strip_prefix(y).is_some_and(|r| r.starts_with('/'))
    };
    within(a, b) || within(b, a)
}

/// True when copying `path` out of stage `src` may include its module cache. When the cache
/// path is unknown, any path of a Go build stage counts (so the cache is kept, invariant 1).
fn reads_module_cache(out: &[StageAnalysis], src: usize, path: &str) -> bool {
    match out.get(src) {
        Some(s) => match &s.final_env.gomodcache {
            Some(cache) => overlaps(path, cache),
            None => s.is_go_build,
        },
        None => false,
    }
}

pub(super) fn link_cache_readers(out: &mut [StageAnalysis], df: &Dockerfile, lexer: &Lexer) {
    let mut readers: Vec<(usize, CacheReader)> = Vec::new();
    for reader in out.iter() {
        for c in &reader.copies {
            let CopyOrigin::Stage(src) = c.origin else {
                continue;
            };
            if c.sources.iter().any(|s| reads_module_cache(out, src, s)) {
                readers.push((
                    src,
                    CacheReader {
                        stage: reader.index,
                        span: c.span,
                        kind: CacheReaderKind::CopyFrom,
                    },
                ));
            }
        }
        readers.extend(mount_readers(out, df, reader, lexer));
        if let StageBase::Stage(parent) = reader.base {
            let needs = reader.is_go_build
                || !reader.indirect_runs.is_empty()
                || (reader.is_final && reader.runs_go_at_start);
            if needs {
                readers.push((
                    parent,
                    CacheReader {
                        stage: reader.index,
                        span: reader.span,
                        kind: CacheReaderKind::Inherits,
                    },
                ));
            }
        }
        if reader.is_final && reader.runs_go_at_start {
            readers.push((
                reader.index,
                CacheReader {
                    stage: reader.index,
                    span: reader.go_start_span.unwrap_or(reader.span),
                    kind: CacheReaderKind::Runtime,
                },
            ));
        }
    }
    for (src, r) in readers {
        if let Some(s) = out.get_mut(src) {
            s.module_cache_readers.push(r);
        }
    }
}

/// Fills [`StageAnalysis::output_readers`]: who reads each stage, and what.
pub(super) fn link_output_readers(out: &mut [StageAnalysis], df: &Dockerfile, lexer: &Lexer) {
    let mut readers: Vec<(usize, OutputReader)> = Vec::new();
    for reader in out.iter() {
        for c in &reader.copies {
            if let CopyOrigin::Stage(src) = c.origin {
                readers.push((
                    src,
                    OutputReader {
                        stage: reader.index,
                        span: c.span,
                        kind: CacheReaderKind::CopyFrom,
                        paths: c.sources.clone(),
                        uncertain: c.uncertain,
                    },
                ));
            }
        }
        for (src, span, source) in stage_mounts(df, reader.index, lexer) {
            readers.push((
                src,
                OutputReader {
                    stage: reader.index,
                    span,
                    kind: CacheReaderKind::MountFrom,
                    uncertain: source.contains('$'),
                    paths: vec![source],
                },
            ));
        }
        if let StageBase::Stage(parent) = reader.base {
            readers.push((
                parent,
                OutputReader {
                    stage: reader.index,
                    span: reader.span,
                    kind: CacheReaderKind::Inherits,
                    paths: vec!["/".to_string()],
                    uncertain: false,
                },
            ));
        }
    }
    for (src, r) in readers {
        if let Some(s) = out.get_mut(src) {
            s.output_readers.push(r);
        }
    }
}

fn mount_readers(
    out: &[StageAnalysis],
    df: &Dockerfile,
    reader: &StageAnalysis,
    lexer: &Lexer,
) -> Vec<(usize, CacheReader)> {
    stage_mounts(df, reader.index, lexer)
        .into_iter()
        .filter(|(src, _, source)| reads_module_cache(out, *src, source))
        .map(|(src, span, _)| {
            (
                src,
                CacheReader {
                    stage: reader.index,
                    span,
                    kind: CacheReaderKind::MountFrom,
                },
            )
        })
        .collect()
}
