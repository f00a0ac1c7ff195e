//! Reading a build context directory on disk for the command line (`gofront rewrite`,
//! `gofront llb --context`): the `.dockerignore` matcher with moby/patternmatcher semantics
//! and the walk that collects the Go module files into [`ContextFacts`], the same files the
//! gateway transfers from the client (include patterns minus `.dockerignore`).
//!
//! Matching follows `patternmatcher.MatchesOrParentMatches`: patterns are checked in order and
//! the last one that matches the path or one of its parent directories wins; a `!` pattern
//! re-includes. `*` and `?` never match `/`; `**` matches any number of path segments (`**/`
//! also none); `[...]` is a character class (`[^...]` negated); `\` escapes the next character.
//! Patterns and paths are cleaned like Go's `filepath.Clean`, a leading `/` ignored.
//!
//! Not for: parsing `.dockerignore` text (that is [`crate::convert::dockerignore_patterns`]),
//! or anything inside a daemon.

use std::path::Path;

use crate::golang::facts::{ContextFacts, MANIFEST_NAMES};

/// At most this many bytes of Go module files are read (same cap as the gateway).
pub const MAX_BYTES: u64 = 8 << 20;
/// At most this many directory entries are visited.
pub const MAX_ENTRIES: usize = 200_000;

/// Limits on one read of the context facts (bytes of module files, entries walked); the
/// gateway and the CLI walk differently but stop at the same kind of limit.
#[derive(Debug)]
pub struct FactsBudget {
    bytes: u64,
    entries: usize,
    max_entries: usize,
}

impl FactsBudget {
    /// A budget of [`MAX_BYTES`] and `max_entries` directory entries.
    pub fn new(max_entries: usize) -> FactsBudget {
        FactsBudget {
            bytes: 0,
            entries: 0,
            max_entries,
        }
    }

    /// Counts one directory entry; `Err` = over the limit, with the reason.
    pub fn take_entry(&mut self) -> Result<(), String> {
        self.entries += 1;
        if self.entries > self.max_entries {
            return Err(format!(
                "the build context has more than {} entries on the way to its Go module files: not read",
                self.max_entries
            ));
        }
        Ok(())
    }

    /// Counts `size` bytes of a module file; `Err` = over [`MAX_BYTES`], with the reason.
    pub fn take_bytes(&mut self, size: u64) -> Result<(), String> {
        self.bytes = self.bytes.saturating_add(size);
        if self.bytes > MAX_BYTES {
            return Err(format!(
                "the Go module files of the build context exceed {} MiB: not read",
                MAX_BYTES >> 20
            ));
        }
        Ok(())
    }
}

/// Why the context facts could not be read (the rewrites that need them are skipped).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    /// A directory or file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        message: String,
    },
    /// Too much to read.
    #[error("{0}")]
    TooLarge(String),
}

/// True for the files [`ContextFacts`] holds: go.mod, go.sum, go.work, go.work.sum anywhere,
/// and `vendor/modules.txt` (context-relative paths, `/`-separated).
pub fn is_module_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    MANIFEST_NAMES.contains(&name)
        || path == "vendor/modules.txt"
        || path.ends_with("/vendor/modules.txt")
}

/// One compiled `.dockerignore` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    /// `!pattern`: re-includes.
    exclusion: bool,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A literal character.
    Lit(char),
    /// `*`: any run of non-`/` characters.
    Star,
    /// `?`: one non-`/` character.
    One,
    /// `[...]`: one character in (or, negated, not in) the ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    /// `**` followed by more pattern: nothing, or anything ending in `/` (`(.*/)?`).
    AnyDirs,
    /// `**` at the end: anything (`.*`).
    Rest,
}

/// A `.dockerignore` matcher.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerignore {
    patterns: Vec<Pattern>,
}

impl Dockerignore {
    /// Compiles already parsed patterns (see [`crate::convert::dockerignore_patterns`]).
    /// Malformed patterns (an unterminated `[` or a trailing `\`) are errors, like
    /// patternmatcher's.
    pub fn new(patterns: &[String]) -> Result<Dockerignore, String> {
        let mut out = Vec::new();
        for p in patterns {
            let (exclusion, body) = match p.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, p.as_str()),
            };
            let mut body = crate::gostd::path::clean(body);
            if body.len() > 1 {
                if let Some(rest) = body.strip_prefix('/') {
                    body = rest.to_string();
                }
            }
            let tokens = compile(&body).map_err(|e| format!("invalid pattern {p:?}: {e}"))?;
            out.push(Pattern { exclusion, tokens });
        }
        Ok(Dockerignore { patterns: out })
    }

    /// Parses `.dockerignore` bytes and compiles them.
    pub fn from_file_bytes(data: &[u8]) -> Result<Dockerignore, String> {
        Dockerignore::new(&crate::gateway::dockerignore::parse(data))
    }

    /// True when some pattern re-includes (then an excluded directory must still be walked).
    pub fn has_exclusions(&self) -> bool {
        self.patterns.iter().any(|p| p.exclusion)
    }

    /// True when `path` (context-relative) is excluded: the last pattern matching it or one of
    /// its parent directories decides.
    pub fn is_excluded(&self, path: &str) -> bool {
        let path = crate::gostd::path::clean(path.trim_start_matches('/'));
        let chars: Vec<char> = path.chars().collect();
        let parents: Vec<usize> = chars
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == '/')
            .map(|(i, _)| i)
            .collect();
        let mut matched = false;
        for p in &self.patterns {
            if p.exclusion != matched {
                continue;
            }
            let hit = matches(&p.tokens, &chars)
                || parents.iter().any(|&end| matches(&p.tokens, &chars[..end]));
            if hit {
                matched = !p.exclusion;
            }
        }
        matched
    }
}

fn compile(pattern: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                tokens.push(if i >= chars.len() {
                    Token::Rest
                } else {
                    Token::AnyDirs
                });
                continue;
            }
            '*' => tokens.push(Token::Star),
            '?' => tokens.push(Token::One),
            '\\' => {
                i += 1;
                let c = chars.get(i).ok_or("trailing backslash")?;
                tokens.push(Token::Lit(*c));
            }
            '[' => {
                let (token, next) = class(&chars, i + 1)?;
                tokens.push(token);
                i = next;
                continue;
            }
            c => tokens.push(Token::Lit(c)),
        }
        i += 1;
    }
    Ok(tokens)
}

/// A `[...]` class starting after the `[`; returns it and the index after the `]`.
fn class(chars: &[char], mut i: usize) -> Result<(Token, usize), String> {
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let mut c = *chars.get(i).ok_or("unterminated character class")?;
        if c == ']' && !first {
            return Ok((Token::Class { negated, ranges }, i + 1));
        }
        first = false;
        if c == '\\' {
            i += 1;
            c = *chars.get(i).ok_or("unterminated character class")?;
        }
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|e| *e != ']') {
            let mut end = chars[i + 2];
            i += 2;
            if end == '\\' {
                i += 1;
                end = *chars.get(i).ok_or("unterminated character class")?;
            }
            if end < c {
                return Err(format!("invalid range {c}-{end}"));
            }
            ranges.push((c, end));
        } else {
            ranges.push((c, c));
        }
        i += 1;
    }
}

/// Whether the whole of `text` matches `tokens` (backtracking; patterns are short).
fn matches(tokens: &[Token], text: &[char]) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return text.is_empty();
    };
    match first {
        Token::Lit(c) => text.first() == Some(c) && matches(rest, &text[1..]),
        Token::One => text.first().is_some_and(|c| *c != '/') && matches(rest, &text[1..]),
        Token::Class { negated, ranges } => {
            text.first()
                .is_some_and(|c| ranges.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated)
                && matches(rest, &text[1..])
        }
        Token::Star => {
            let run = text.iter().take_while(|c| **c != '/').count();
            (0..=run).any(|n| matches(rest, &text[n..]))
        }
        Token::AnyDirs => {
            matches(rest, text)
                || (1..=text.len()).any(|n| text[n - 1] == '/' && matches(rest, &text[n..]))
        }
        Token::Rest => true,
    }
}

/// Walks `dir` (not following symlinks) and collects the Go module files `.dockerignore`
/// does not exclude.
pub fn read_context_facts(dir: &Path, ignore: &Dockerignore) -> Result<ContextFacts, ContextError> {
    let mut facts = ContextFacts::default();
    let mut walk = Walk {
        ignore,
        budget: FactsBudget::new(MAX_ENTRIES),
    };
    walk.dir(dir, "", &mut facts)?;
    Ok(facts)
}

struct Walk<'a> {
    ignore: &'a Dockerignore,
    budget: FactsBudget,
}

impl Walk<'_> {
    fn dir(
        &mut self,
        root: &Path,
        rel: &str,
        facts: &mut ContextFacts,
    ) -> Result<(), ContextError> {
        let full = root.join(rel);
        let io = |e: std::io::Error| ContextError::Io {
            path: full.display().to_string(),
            message: e.to_string(),
        };
        let mut names: Vec<String> = std::fs::read_dir(&full)
            .map_err(io)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            self.budget.take_entry().map_err(ContextError::TooLarge)?;
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let abs = root.join(&path);
            let meta = std::fs::symlink_metadata(&abs).map_err(|e| ContextError::Io {
                path: abs.display().to_string(),
                message: e.to_string(),
            })?;
            let excluded = self.ignore.is_excluded(&path);
            if meta.is_dir() {
                if !excluded || self.ignore.has_exclusions() {
                    self.dir(root, &path, facts)?;
                }
            } else if meta.is_file() && !excluded && is_module_file(&path) {
                self.budget
                    .take_bytes(meta.len())
                    .map_err(ContextError::TooLarge)?;
                let data = std::fs::read(&abs).map_err(|e| ContextError::Io {
                    path: abs.display().to_string(),
                    message: e.to_string(),
                })?;
                facts.insert(&path, data);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(lines: &[&str]) -> Dockerignore {
        let lines: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        Dockerignore::new(&crate::convert::dockerignore_patterns(&lines)).unwrap()
    }

    /// (patterns, path, excluded) — cases checked against moby/patternmatcher's behaviour.
    #[test]
    fn matcher_follows_patternmatcher() {
        let table: &[(&[&str], &str, bool)] = &[
            (&["*.log"], "a.log", true),
            (&["*.log"], "dir/a.log", false),
            (&["*/*.log"], "dir/a.log", true),
            (&["**/*.log"], "a.log", true),
            (&["**/*.log"], "x/y/a.log", true),
            (&["**"], "anything/at/all", true),
            (&["a/**"], "a/b/c", true),
            (&["a/**"], "ab", false),
            (&["a/**/z"], "a/z", true),
            (&["a/**/z"], "a/b/c/z", true),
            (&["a/**/z"], "a/b/c/zz", false),
            (&["?.go"], "a.go", true),
            (&["?.go"], "ab.go", false),
            (&["a?b"], "a/b", false),
            (&["[ab].txt"], "b.txt", true),
            (&["[ab].txt"], "c.txt", false),
            (&["[^ab].txt"], "c.txt", true),
            (&["[a-c]x"], "bx", true),
            (&["[a-c]x"], "dx", false),
            (&["\\*x"], "*x", true),
            (&["\\*x"], "ax", false),
            // A directory pattern excludes everything under it.
            (&["vendor"], "vendor/modules.txt", true),
            (&["build/"], "build/out/go.mod", true),
            (&["/vendor"], "vendor/modules.txt", true),
            (&["./a/../vendor"], "vendor/x", true),
            // Exceptions: the last matching pattern wins.
            (&["*.mod", "!go.mod"], "go.mod", false),
            (&["*.mod", "!go.mod"], "x.mod", true),
            (&["sub", "!sub/go.mod"], "sub/go.mod", false),
            (&["sub", "!sub/go.mod"], "sub/go.sum", true),
            (&["!go.mod", "*"], "go.mod", true),
            (&["*", "!*/go.mod"], "a/go.mod", false),
            (&["*"], "a/go.mod", true),
            (&[], "go.mod", false),
            (&["# comment"], "# comment", false),
            (&["go.mod"], "./go.mod", true),
            (&["go.mod"], "/go.mod", true),
        ];
        for (patterns, path, want) in table {
            assert_eq!(
                ignore(patterns).is_excluded(path),
                *want,
                "patterns {patterns:?} path {path:?}"
            );
        }
    }

    #[test]
    fn malformed_patterns_are_errors() {
        assert!(Dockerignore::new(&["[ab".to_string()]).is_err());
        assert!(Dockerignore::new(&["a\\".to_string()]).is_err());
        assert!(Dockerignore::new(&["[z-a]".to_string()]).is_err());
        assert!(Dockerignore::new(&["[]a]".to_string()]).is_ok());
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn context_read_collects_module_files_minus_ignored_ones() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "go.mod", "module m\n");
        write(d, "go.sum", "");
        write(d, "main.go", "package main\n");
        write(d, "vendor/modules.txt", "# x\n");
        write(d, "tools/go.mod", "module tools\n");
        write(d, "tools/go.work.sum", "");
        write(d, "ignored/go.mod", "module ignored\n");
        write(d, "keep/go.mod", "module keep\n");
        write(d, "keep/go.sum", "");
        write(d, "docs/vendor/modules.txt", "");
        let ig = ignore(&["ignored", "keep", "!keep/go.mod"]);
        let facts = read_context_facts(d, &ig).unwrap();
        let paths: Vec<&str> = facts.files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "docs/vendor/modules.txt",
                "go.mod",
                "go.sum",
                "keep/go.mod",
                "tools/go.mod",
                "tools/go.work.sum",
                "vendor/modules.txt"
            ]
        );
        assert_eq!(facts.get("go.mod"), Some(&b"module m\n"[..]));
    }

    #[test]
    fn excluded_directories_are_not_walked_without_exceptions() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "go.mod", "module m\n");
        write(d, "node_modules/x/go.mod", "module x\n");
        let facts = read_context_facts(d, &ignore(&["node_modules"])).unwrap();
        assert_eq!(facts.files.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "go.mod", "module outside\n");
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("go.mod"), dir.path().join("go.mod"))
            .unwrap();
        let facts = read_context_facts(dir.path(), &Dockerignore::default()).unwrap();
        assert!(facts.files.is_empty(), "{:?}", facts.files.keys());
    }

    #[test]
    fn too_many_bytes_is_a_reason_not_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let big = "x".repeat(usize::try_from(MAX_BYTES).unwrap() + 1);
        write(dir.path(), "go.sum", &big);
        let err = read_context_facts(dir.path(), &Dockerignore::default()).unwrap_err();
        assert!(matches!(err, ContextError::TooLarge(_)), "{err}");
    }

    #[test]
    fn module_file_names() {
        for p in [
            "go.mod",
            "a/go.sum",
            "go.work",
            "x/go.work.sum",
            "vendor/modules.txt",
        ] {
            assert!(is_module_file(p), "{p}");
        }
        for p in [
            "main.go",
            "go.mod.bak",
            "modules.txt",
            "notvendor/modules.txt",
        ] {
            assert!(!is_module_file(p), "{p}");
        }
    }
}
