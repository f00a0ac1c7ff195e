//! The Go rewrites: Dockerfile text in, rewritten Dockerfile text out, with a line map back to
//! the user's lines, the Go environment each go RUN receives, a decision (applied or skipped,
//! and why) per rewrite and stage, and the diagnoses.
//!
//! Rewrites are edits of the user's text (lines inserted before an instruction, flags inserted
//! after a RUN keyword), so `gofront rewrite` prints exactly what the build converts and the
//! user's formatting, comments and heredocs survive. The frontend re-parses [`Rewritten::text`],
//! maps every span back through [`LineMap`] and converts that.
//!
//! Not for: reading files, resolving images, or producing LLB.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::dockerfile::ast::{Dockerfile, Span};

use super::facts::{Diagnostic, GoFacts};

mod edit;
pub(crate) mod fetch_script;
mod plan;
#[cfg(test)]
mod tests;

/// The named rewrites (the names are what `GOFRONT_SKIP` takes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RewriteKind {
    /// `deps`: copy the module manifests first and `go mod download` before the sources.
    Deps,
    /// `modcache`: a cache mount at GOMODCACHE on every go RUN.
    ModCache,
    /// `buildcache`: a cache mount at GOCACHE on every go RUN.
    BuildCache,
    /// `env`: Go settings given as build args reach the go RUNs without an ARG.
    Env,
    /// `private`: optional ssh and secret mounts, known hosts, a CA and explained failures on
    /// the steps that fetch modules.
    Private,
    /// `cross`: a Go build stage runs on the build platform and compiles for the target.
    Cross,
    /// `seed`: the deps step keeps modules and compiled dependencies in its layer for fresh
    /// builders (exported build cache carries them; cache mounts are never exported).
    Seed,
    /// `diagnose`: static findings (errors stop the build).
    Diagnose,
}

impl RewriteKind {
    /// Every rewrite, in summary order.
    pub const ALL: [RewriteKind; 8] = [
        RewriteKind::Deps,
        RewriteKind::Seed,
        RewriteKind::ModCache,
        RewriteKind::BuildCache,
        RewriteKind::Env,
        RewriteKind::Private,
        RewriteKind::Cross,
        RewriteKind::Diagnose,
    ];

    /// The name used in `GOFRONT_SKIP` and in summaries.
    pub fn name(self) -> &'static str {
        match self {
            RewriteKind::Deps => "deps",
            RewriteKind::ModCache => "modcache",
            RewriteKind::BuildCache => "buildcache",
            RewriteKind::Env => "env",
            RewriteKind::Private => "private",
            RewriteKind::Cross => "cross",
            RewriteKind::Seed => "seed",
            RewriteKind::Diagnose => "diagnose",
        }
    }

    /// The kinds a `GOFRONT_SKIP` word names (`cache` names both cache mounts).
    pub fn from_skip_word(word: &str) -> Option<Vec<RewriteKind>> {
        let word = word.trim().to_ascii_lowercase();
        if word == "cache" {
            return Some(vec![RewriteKind::ModCache, RewriteKind::BuildCache]);
        }
        RewriteKind::ALL
            .into_iter()
            .find(|k| k.name() == word)
            .map(|k| vec![k])
    }
}

impl fmt::Display for RewriteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which rewrites are on, and the build args they read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RewriteOptions {
    /// Rewrites that are on.
    pub enabled: BTreeSet<RewriteKind>,
    /// `--build-arg` values as given by the client.
    pub build_args: BTreeMap<String, String>,
}

impl RewriteOptions {
    /// The options a build asks for: everything on, unless `--build-arg GOFRONT=off` (or `0`,
    /// `false`, `no`) or the `# gofront=off` directive turns all off; `GOFRONT_SKIP` (comma or
    /// space separated names, `cache` = both cache mounts) turns single rewrites off. Unknown
    /// names are returned as errors so a typo does not silently keep a rewrite on.
    pub fn for_build(
        build_args: &BTreeMap<String, String>,
        directive: Option<&str>,
    ) -> Result<RewriteOptions, String> {
        let off = |v: &str| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "off" | "0" | "false" | "no"
            )
        };
        let mut enabled: BTreeSet<RewriteKind> = RewriteKind::ALL.into_iter().collect();
        if build_args.get("GOFRONT").is_some_and(|v| off(v)) || directive.is_some_and(off) {
            enabled.clear();
        }
        if let Some(skip) = build_args.get("GOFRONT_SKIP") {
            for word in skip.split([',', ' ']).filter(|w| !w.trim().is_empty()) {
                let kinds = RewriteKind::from_skip_word(word).ok_or_else(|| {
                    let names: Vec<&str> = RewriteKind::ALL.iter().map(|k| k.name()).collect();
                    format!(
                        "GOFRONT_SKIP: unknown rewrite {:?} (known: {}, cache)",
                        word.trim(),
                        names.join(", ")
                    )
                })?;
                for k in kinds {
                    enabled.remove(&k);
                }
            }
        }
        Ok(RewriteOptions {
            enabled,
            build_args: build_args.clone(),
        })
    }

    /// True when `kind` is on.
    pub fn is_on(&self, kind: RewriteKind) -> bool {
        self.enabled.contains(&kind)
    }
}

/// Rewritten line (1-based) → the user's line (1-based) it stands for. Inserted lines map to
/// the user's instruction they were inserted for, so errors and source maps point at the
/// user's Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineMap {
    /// `original[i]` is the user's line for rewritten line `i + 1`.
    pub original: Vec<usize>,
}

impl LineMap {
    /// The identity map for a text of `lines` lines.
    pub fn identity(lines: usize) -> LineMap {
        LineMap {
            original: (1..=lines).collect(),
        }
    }

    /// The user's line for rewritten line `line` (lines past the end map to themselves).
    pub fn line(&self, line: usize) -> usize {
        line.checked_sub(1)
            .and_then(|i| self.original.get(i))
            .copied()
            .unwrap_or(line)
    }

    /// The user's lines for a span of the rewritten text.
    pub fn span(&self, span: Span) -> Span {
        let (start, end) = (self.line(span.start), self.line(span.end));
        Span {
            start: start.min(end),
            end: start.max(end),
        }
    }
}

/// Extra environment for one RUN of the rewritten text (Go env passthrough): applied to the
/// process only, never to image config or history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEnv {
    /// First line of the RUN in the rewritten text.
    pub rewritten_line: usize,
    /// `NAME`, value pairs, sorted by name.
    pub vars: Vec<(String, String)>,
}

/// What happened to one rewrite in one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The rewrite.
    pub kind: RewriteKind,
    /// Stage index.
    pub stage: usize,
    /// Stage name (`AS` name) or index as text, for summaries.
    pub stage_label: String,
    /// The user's lines concerned.
    pub span: Span,
    /// Applied or skipped.
    pub applied: bool,
    /// What was done, or why not. Never contains a build-arg value.
    pub detail: String,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.applied { "applied" } else { "skipped" };
        write!(
            f,
            "{} {verdict} (stage {}, line {}): {}",
            self.kind, self.stage_label, self.span.start, self.detail
        )
    }
}

/// The result of [`rewrite`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// The rewritten Dockerfile text (equal to the input when nothing applies).
    pub text: String,
    /// Rewritten line → user's line.
    pub line_map: LineMap,
    /// Go env passthrough per RUN of the rewritten text.
    pub run_env: Vec<RunEnv>,
    /// First lines (rewritten text) of the RUNs whose shell command runs inside
    /// [`Rewritten::fetch_script`] (`/bin/sh <script> <command>`).
    pub run_wraps: Vec<usize>,
    /// The fetch wrapper of this build (see `fetch_script`), when a RUN uses it.
    pub fetch_script: Option<String>,
    /// First lines (rewritten text) of the RUNs that compile for the target platform on the
    /// build platform (GOOS/GOARCH of the target in their process env when the two differ).
    pub run_cross: Vec<usize>,
    /// One decision per rewrite and Go stage (plus whole-build ones), in Dockerfile order.
    pub decisions: Vec<Decision>,
    /// Static findings (spans are the user's lines), in Dockerfile order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Rewritten {
    /// The input unchanged, with no decisions.
    pub fn unchanged(text: &str) -> Rewritten {
        Rewritten {
            text: text.to_string(),
            line_map: LineMap::identity(text.lines().count()),
            run_env: Vec::new(),
            run_wraps: Vec::new(),
            fetch_script: None,
            run_cross: Vec::new(),
            decisions: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// True when the text differs from the input or a RUN gets extra environment or a wrapper.
    pub fn changes_build(&self, original: &str) -> bool {
        self.text != original
            || !self.run_env.is_empty()
            || !self.run_wraps.is_empty()
            || !self.run_cross.is_empty()
    }
}

/// Plans and applies the enabled rewrites to `text` (the user's Dockerfile), parsed as
/// `dockerfile`, with `facts` gathered from it and the build context.
pub fn rewrite(
    text: &str,
    dockerfile: &Dockerfile,
    facts: &GoFacts,
    options: &RewriteOptions,
) -> Rewritten {
    if options.enabled.is_empty() {
        return Rewritten::unchanged(text);
    }
    let mut planner = plan::Planner::new(text, dockerfile, facts, options);
    planner.run();
    let diagnostics = if options.is_on(RewriteKind::Diagnose) {
        planner.diagnostics()
    } else {
        Vec::new()
    };
    let applied = if planner.edits.is_empty() {
        edit::Applied {
            text: text.to_string(),
            line_map: LineMap::identity(text.lines().count()),
            run_env: Vec::new(),
            wraps: Vec::new(),
            cross: Vec::new(),
        }
    } else {
        edit::apply(text, &planner.edits, dockerfile.directives.escape)
    };
    let fetch_script = (!applied.wraps.is_empty()).then(|| {
        fetch_script::script(
            &planner.private_hosts_of_build(),
            options.is_on(RewriteKind::Private),
        )
    });
    let mut out = Rewritten {
        text: applied.text,
        line_map: applied.line_map,
        run_env: applied.run_env,
        run_wraps: applied.wraps,
        fetch_script,
        run_cross: applied.cross,
        decisions: planner.decisions,
        diagnostics,
    };
    redact_build_args(&mut out, &options.build_args);
    out
}

/// Replaces any build-arg value that made it into a decision or diagnostic text (through a
/// path or a setting derived from an ARG) with `$NAME`: summaries name settings, never values.
/// Only whole occurrences count (not inside a longer word or version: a `VERSION=1.2.3` build
/// arg leaves Go's `v1.2.3` alone). gofront's own settings (`GOFRONT`, `GOFRONT_SKIP`) are not
/// secrets and stay.
fn redact_build_args(out: &mut Rewritten, build_args: &BTreeMap<String, String>) {
    let mut values: Vec<(&String, &String)> = build_args
        .iter()
        .filter(|(k, v)| v.chars().count() >= 4 && !k.starts_with("GOFRONT"))
        .collect();
    values.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    let redact = |text: &mut String| {
        for (k, v) in &values {
            *text = replace_whole(text, v, &format!("${k}"));
        }
    };
    for d in &mut out.decisions {
        redact(&mut d.detail);
    }
    for d in &mut out.diagnostics {
        redact(&mut d.message);
    }
}

/// `text` with every occurrence of `word` that is not part of a longer word (letters, digits,
/// `_`, `-`, `.` on either side) replaced by `with`.
fn replace_whole(text: &str, word: &str, with: &str) -> String {
    let inside = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "_-.".contains(c));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        // The character before the match: in the unscanned rest, or the last one written.
        let before = rest[..i]
            .chars()
            .next_back()
            .or_else(|| out.chars().next_back());
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if inside(before) || inside(after) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod redact_tests {
    use super::replace_whole;

    #[test]
    fn only_whole_occurrences_are_replaced() {
        assert_eq!(
            replace_whole(
                "require module/path v1.2.3; 1.2.3 at /x/1.2.3",
                "1.2.3",
                "$V"
            ),
            "require module/path v1.2.3; $V at /x/$V"
        );
        assert_eq!(
            replace_whole("in /srcdir/app", "/srcdir", "$D"),
            "in $D/app"
        );
        assert_eq!(replace_whole("a.tokenx", "token", "$T"), "a.tokenx");
    }
}
