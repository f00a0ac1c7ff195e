//! Text edits of the user's Dockerfile: whole lines inserted before an instruction and flags
//! inserted right after a RUN keyword. Everything else (case, whitespace, comments,
//! continuations, heredocs, line endings) is copied byte for byte.

use std::collections::{BTreeMap, BTreeSet};

use super::{LineMap, RunEnv};

/// A line inserted before one of the user's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Insert {
    /// The user's line (1-based) it goes before.
    pub before: usize,
    /// The line, without line ending.
    pub text: String,
    /// The user's line it stands for in the line map.
    pub maps_to: usize,
    /// Process env for this line when it is a RUN (Go env passthrough).
    pub env: Vec<(String, String)>,
    /// The RUN's command runs inside the fetch wrapper.
    pub wrap: bool,
}

/// All edits of one rewrite.
#[derive(Debug, Clone, Default)]
pub(super) struct Edits {
    /// Inserted lines, applied in push order for the same `before` line.
    pub inserts: Vec<Insert>,
    /// User line of a RUN's or FROM's keyword → flags to insert after the keyword, in order.
    pub flags: BTreeMap<usize, Vec<String>>,
    /// User line of a RUN's keyword → process env for it.
    pub run_env: BTreeMap<usize, Vec<(String, String)>>,
    /// User lines of the RUNs whose command runs inside the fetch wrapper.
    pub wraps: BTreeSet<usize>,
    /// User lines of the RUNs that compile for the target platform from the build platform.
    pub cross: BTreeSet<usize>,
}

impl Edits {
    /// True when nothing changes (no text edit, no env).
    pub fn is_empty(&self) -> bool {
        self.inserts.is_empty()
            && self.flags.is_empty()
            && self.run_env.is_empty()
            && self.wraps.is_empty()
            && self.cross.is_empty()
    }
}

/// Byte offset right after the `RUN` keyword on `line`, when the line starts (after
/// indentation) with that keyword followed by whitespace, the escape char or the end.
pub(super) fn run_keyword_end(line: &str, escape: char) -> Option<usize> {
    keyword_end(line, "run", escape)
}

/// [`run_keyword_end`] for any instruction keyword (lower case).
fn keyword_end(line: &str, keyword: &str, escape: char) -> Option<usize> {
    let indent = line.len() - line.trim_start().len();
    let rest = line.get(indent..)?;
    let kw = rest.get(..keyword.len())?;
    if !kw.eq_ignore_ascii_case(keyword) {
        return None;
    }
    match rest[keyword.len()..].chars().next() {
        None => Some(indent + keyword.len()),
        Some(c) if c.is_whitespace() || c == escape => Some(indent + keyword.len()),
        Some(_) => None,
    }
}

/// Applies `edits` to `text`: the new text, the line map, and the RUN envs and wrapped RUNs
/// keyed by rewritten line.
pub(super) fn apply(text: &str, edits: &Edits, escape: char) -> Applied {
    let mut out = String::with_capacity(text.len() + 256);
    let mut original = Vec::new();
    let mut run_env = Vec::new();
    let mut wraps = Vec::new();
    let mut cross = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        let eol = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
        for ins in edits.inserts.iter().filter(|ins| ins.before == n) {
            out.push_str(&ins.text);
            out.push_str(eol);
            original.push(ins.maps_to);
            if !ins.env.is_empty() {
                run_env.push(RunEnv {
                    rewritten_line: original.len(),
                    vars: ins.env.clone(),
                });
            }
            if ins.wrap {
                wraps.push(original.len());
            }
        }
        let keyword_end =
            run_keyword_end(line, escape).or_else(|| keyword_end(line, "from", escape));
        match (edits.flags.get(&n), keyword_end) {
            (Some(flags), Some(at)) if !flags.is_empty() => {
                let (head, tail) = line.split_at(at);
                out.push_str(head);
                for f in flags {
                    out.push(' ');
                    out.push_str(f);
                }
                if !tail.starts_with([' ', '\t']) {
                    out.push(' ');
                }
                out.push_str(tail);
            }
            _ => out.push_str(line),
        }
        original.push(n);
        if let Some(vars) = edits.run_env.get(&n).filter(|v| !v.is_empty()) {
            run_env.push(RunEnv {
                rewritten_line: original.len(),
                vars: vars.clone(),
            });
        }
        if edits.wraps.contains(&n) {
            wraps.push(original.len());
        }
        if edits.cross.contains(&n) {
            cross.push(original.len());
        }
    }
    Applied {
        text: out,
        line_map: LineMap { original },
        run_env,
        wraps,
        cross,
    }
}

/// The result of [`apply`].
pub(super) struct Applied {
    /// The rewritten text.
    pub text: String,
    /// Rewritten line → user's line.
    pub line_map: LineMap,
    /// Process env per RUN (rewritten lines).
    pub run_env: Vec<RunEnv>,
    /// Rewritten lines of the RUNs whose command runs inside the fetch wrapper.
    pub wraps: Vec<usize>,
    /// Rewritten lines of the RUNs that cross-compile.
    pub cross: Vec<usize>,
}
