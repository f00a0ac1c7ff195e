//! `.dockerignore`: read once into a typed [`Dockerignore`] (the exclude patterns, with the
//! rules of moby/patternmatcher's `ignorefile.ReadAll`), then used as is everywhere: sent to the
//! daemon as `local.excludepatterns`, or compiled into a [`Matcher`] where gofront walks a
//! context itself (the CLI).
//!
//! Reading: a UTF-8 BOM is dropped from the first line; a line is a comment only when `#` is
//! its very first character (an indented `  #name` is the pattern `#name`, as BuildKit keeps
//! it); lines are trimmed; blank lines skipped; `!` re-includes (the rest trimmed again); each
//! pattern is cleaned like Go's `filepath.Clean` and a leading `/` dropped.
//!
//! Matching follows `patternmatcher.MatchesOrParentMatches`: patterns are checked in order and
//! the last one that matches the path or one of its parent directories wins; a `!` pattern
//! re-includes. `*` and `?` never match `/`; `**` matches any number of path segments (`**/`
//! also none); `[...]` is a character class (`[^...]` negated); `\` escapes the next character.
//!
//! Not for: reading the file (the gateway or the CLI does) or walking a directory.

use crate::gostd::path::clean;

/// The parsed `.dockerignore` of a context: its exclude patterns in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerignore {
    patterns: Vec<String>,
}

impl Dockerignore {
    /// Parses `.dockerignore` bytes (invalid UTF-8 replaced).
    pub fn parse(data: &[u8]) -> Dockerignore {
        let text = String::from_utf8_lossy(data);
        let mut patterns = Vec::new();
        for (n, raw) in text.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let line = match n {
                0 => line.strip_prefix('\u{feff}').unwrap_or(line),
                _ => line,
            };
            if line.starts_with('#') {
                continue;
            }
            let mut pattern = line.trim();
            if pattern.is_empty() {
                continue;
            }
            let invert = pattern.starts_with('!');
            if invert {
                pattern = pattern[1..].trim();
            }
            let mut pattern = pattern.to_string();
            if !pattern.is_empty() {
                pattern = clean(&pattern);
                if pattern.len() > 1 && pattern.starts_with('/') {
                    pattern.remove(0);
                }
            }
            if invert {
                pattern.insert(0, '!');
            }
            patterns.push(pattern);
        }
        Dockerignore { patterns }
    }

    /// The exclude patterns (what `local.excludepatterns` carries).
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The compiled matcher; `Err` names the first malformed pattern.
    pub fn matcher(&self) -> Result<Matcher, String> {
        Matcher::new(&self.patterns)
    }
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

/// Compiled `.dockerignore` patterns: decides whether a context path is excluded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matcher {
    patterns: Vec<Pattern>,
}

impl Matcher {
    /// Compiles patterns as [`Dockerignore::patterns`] gives them. Malformed patterns (an
    /// unterminated `[` or a trailing `\`) are errors, like patternmatcher's.
    fn new(patterns: &[String]) -> Result<Matcher, String> {
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
        Ok(Matcher { patterns: out })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(text: &str) -> Vec<String> {
        Dockerignore::parse(text.as_bytes()).patterns().to_vec()
    }

    #[test]
    fn patterns_follow_ignorefile_rules() {
        let input = "\u{feff}# comment\n\
                     node_modules\n\
                     \n\
                     \x20 *.log  \r\n\
                     /abs/path/\n\
                     ! keep.log\n\
                     a/../b/./c//d\n\
                     \x20# not a comment once indented\n\
                     /\n\
                     !\n\
                     ../up\n";
        assert_eq!(
            patterns(input),
            [
                "node_modules",
                "*.log",
                "abs/path",
                "!keep.log",
                "b/c/d",
                "# not a comment once indented",
                "/",
                "!",
                "../up"
            ]
        );
        assert_eq!(
            patterns("# c\n\n /node_modules \n!/keep/../x\na//b"),
            ["node_modules", "!x", "a/b"]
        );
    }

    #[test]
    fn empty_file_has_no_patterns() {
        assert!(Dockerignore::parse(b"").is_empty());
        assert!(Dockerignore::parse(b"\n\n# only comments\n").is_empty());
    }

    /// The file is read once: an indented `#name` stays the pattern `#name` all the way to the
    /// matcher (and to `local.excludepatterns`), as BuildKit's ignorefile reader keeps it.
    #[test]
    fn an_indented_hash_line_is_a_pattern_not_a_comment() {
        let ignore = Dockerignore::parse(b"# comment\n  #name\n");
        assert_eq!(ignore.patterns(), ["#name"]);
        let matcher = ignore.matcher().unwrap();
        assert!(matcher.is_excluded("#name"));
        assert!(!matcher.is_excluded("# comment"));
    }

    #[test]
    fn a_bom_is_dropped_from_the_first_line_only() {
        assert_eq!(patterns("\u{feff}a\n\u{feff}b\n"), ["a", "\u{feff}b"]);
    }

    fn ignore(lines: &[&str]) -> Matcher {
        Dockerignore::parse(lines.join("\n").as_bytes())
            .matcher()
            .unwrap()
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
        assert!(Matcher::new(&["[ab".to_string()]).is_err());
        assert!(Matcher::new(&["a\\".to_string()]).is_err());
        assert!(Matcher::new(&["[z-a]".to_string()]).is_err());
        assert!(Matcher::new(&["[]a]".to_string()]).is_ok());
    }
}
