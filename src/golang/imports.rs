//! The header of a Go source file, as far as the deps step needs it: the package clause, the
//! import paths, and whether a `//go:build` line leaves the file out of a linux build.
//!
//! A small scanner of Go's lexical grammar: comments, interpreted and raw string literals, the
//! `package` clause and `import` declarations (single and grouped, with names, `.` and `_`). It
//! stops at the first declaration that is not an import, so it reads only the head of a file;
//! a head cut short (a file read partially) reports `complete: false`.
//!
//! Not for: anything after the imports, cgo preambles (`import "C"` is reported as the path
//! `C`), or the full build-constraint semantics (see [`GoFile::builds_on_linux`]).

/// What the header of one Go file says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoFile {
    /// The package name (`main`, `api`); empty when the clause was not found.
    pub package: String,
    /// Import paths in order of appearance.
    pub imports: Vec<String>,
    /// The `//go:build` expression, when the file has one before its package clause.
    pub constraint: Option<String>,
    /// False when the text ended inside the header (the file was read only in part).
    pub complete: bool,
}

/// Tags no ordinary linux build sets besides the other GOOS values ([`OTHER_GOOS`]): a file
/// whose constraint needs one of them is not compiled by a linux build without `-tags`.
const FALSE_TAGS: [&str; 5] = ["wasm", "ignore", "tools", "gccgo", "appengine"];

/// GOOS values a `_<goos>.go` or `_<goos>_<goarch>.go` file name restricts a file to.
const OTHER_GOOS: [&str; 16] = [
    "windows",
    "darwin",
    "freebsd",
    "openbsd",
    "netbsd",
    "dragonfly",
    "plan9",
    "solaris",
    "illumos",
    "aix",
    "android",
    "ios",
    "js",
    "wasip1",
    "hurd",
    "zos",
];

impl GoFile {
    /// True unless the file name (`x_windows.go`, `x_test.go`) or the `//go:build` line leaves
    /// the file out of a `GOOS=linux` build without `-tags` (any GOARCH; `go1.N`, `linux`,
    /// `unix`, `gc`, `cgo` and architecture tags count as set, unknown tags as not set).
    pub fn builds_on_linux(&self, file_name: &str) -> bool {
        let stem = file_name.trim_end_matches(".go");
        if stem.ends_with("_test") {
            return false;
        }
        let parts: Vec<&str> = stem.split('_').collect();
        let n = parts.len();
        let names_other_os = |p: Option<&&str>| p.is_some_and(|p| OTHER_GOOS.contains(p));
        if n >= 2
            && (names_other_os(parts.get(n - 1)) || (n >= 3 && names_other_os(parts.get(n - 2))))
        {
            return false;
        }
        match &self.constraint {
            Some(expr) => eval_constraint(expr).unwrap_or(true),
            None => true,
        }
    }
}

/// Reads the header of `src`.
pub fn parse_header(src: &[u8]) -> GoFile {
    let text = String::from_utf8_lossy(src);
    let mut lx = Lexer {
        chars: text.chars().collect(),
        pos: 0,
        constraint: None,
    };
    let mut file = GoFile::default();
    // package clause
    let mut tok = lx.token();
    while tok == Some(Token::Punct(';')) {
        tok = lx.token();
    }
    match tok {
        Some(Token::Ident(kw)) if kw == "package" => {}
        _ => return file,
    }
    file.constraint = lx.constraint.take();
    match lx.token() {
        Some(Token::Ident(name)) => file.package = name,
        _ => return file,
    }
    loop {
        match lx.token() {
            None => return file,
            Some(Token::Punct(';')) => continue,
            Some(Token::Ident(kw)) if kw == "import" => {
                if !lx.import_spec_or_group(&mut file.imports) {
                    return file;
                }
            }
            Some(_) => {
                file.complete = true;
                return file;
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    Str(String),
    Punct(char),
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    /// The `//go:build` expression seen before the package clause.
    constraint: Option<String>,
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// The next token, skipping whitespace and comments; `None` at the end (or inside an
    /// unterminated comment or string).
    fn token(&mut self) -> Option<Token> {
        loop {
            let c = self.peek()?;
            if c.is_whitespace() {
                self.pos += 1;
                // A newline after an import spec ends it like `;`.
                if c == '\n' {
                    return Some(Token::Punct(';'));
                }
                continue;
            }
            if c == '/' && self.chars.get(self.pos + 1) == Some(&'/') {
                let start = self.pos + 2;
                let end = self.chars[start..]
                    .iter()
                    .position(|&c| c == '\n')
                    .map_or(self.chars.len(), |i| start + i);
                let line: String = self.chars[start..end].iter().collect();
                if let Some(expr) = line.strip_prefix("go:build ") {
                    self.constraint
                        .get_or_insert_with(|| expr.trim().to_string());
                }
                self.pos = end;
                continue;
            }
            if c == '/' && self.chars.get(self.pos + 1) == Some(&'*') {
                let rest = &self.chars[self.pos + 2..];
                let close = rest.windows(2).position(|w| w == ['*', '/'])?;
                self.pos += 2 + close + 2;
                continue;
            }
            if c == '"' {
                return self.interpreted();
            }
            if c == '`' {
                let rest = &self.chars[self.pos + 1..];
                let close = rest.iter().position(|&c| c == '`')?;
                let s: String = rest[..close].iter().collect();
                self.pos += close + 2;
                return Some(Token::Str(s));
            }
            if c.is_alphabetic() || c == '_' {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    self.pos += 1;
                }
                return Some(Token::Ident(self.chars[start..self.pos].iter().collect()));
            }
            self.pos += 1;
            return Some(Token::Punct(c));
        }
    }

    fn interpreted(&mut self) -> Option<Token> {
        self.pos += 1;
        let mut s = String::new();
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                '"' => return Some(Token::Str(s)),
                '\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    s.push(e);
                }
                '\n' => return None,
                c => s.push(c),
            }
        }
    }

    /// After `import`: one spec or a parenthesised group. False when the text ended.
    fn import_spec_or_group(&mut self, out: &mut Vec<String>) -> bool {
        let mut tok = self.token();
        while tok == Some(Token::Punct(';')) {
            tok = self.token();
        }
        match tok {
            Some(Token::Punct('(')) => loop {
                match self.token() {
                    None => return false,
                    Some(Token::Punct(')')) => return true,
                    Some(Token::Str(path)) => out.push(path),
                    // A name before the path (`foo "x"`, `. "x"`, `_ "x"`) or `;`.
                    Some(_) => {}
                }
            },
            Some(Token::Str(path)) => {
                out.push(path);
                true
            }
            Some(Token::Ident(_)) | Some(Token::Punct('.')) => match self.token() {
                Some(Token::Str(path)) => {
                    out.push(path);
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }
}

/// Evaluates a `//go:build` expression for a linux build (see [`GoFile::builds_on_linux`]);
/// `None` when it does not parse.
fn eval_constraint(expr: &str) -> Option<bool> {
    let tokens = constraint_tokens(expr)?;
    let mut p = ConstraintParser { tokens, pos: 0 };
    let v = p.or()?;
    (p.pos == p.tokens.len()).then_some(v)
}

fn constraint_tokens(expr: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            ' ' | '\t' => i += 1,
            '(' | ')' | '!' => {
                out.push(c.to_string());
                i += 1;
            }
            '&' | '|' if chars.get(i + 1) == Some(&c) => {
                out.push(format!("{c}{c}"));
                i += 2;
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                {
                    i += 1;
                }
                out.push(chars[start..i].iter().collect());
            }
            _ => return None,
        }
    }
    Some(out)
}

struct ConstraintParser {
    tokens: Vec<String>,
    pos: usize,
}

impl ConstraintParser {
    fn next_is(&self, t: &str) -> bool {
        self.tokens.get(self.pos).is_some_and(|x| x == t)
    }

    fn or(&mut self) -> Option<bool> {
        let mut v = self.and()?;
        while self.next_is("||") {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Some(v)
    }

    fn and(&mut self) -> Option<bool> {
        let mut v = self.not()?;
        while self.next_is("&&") {
            self.pos += 1;
            let r = self.not()?;
            v = v && r;
        }
        Some(v)
    }

    fn not(&mut self) -> Option<bool> {
        if self.next_is("!") {
            self.pos += 1;
            return self.not().map(|v| !v);
        }
        if self.next_is("(") {
            self.pos += 1;
            let v = self.or()?;
            if !self.next_is(")") {
                return None;
            }
            self.pos += 1;
            return Some(v);
        }
        let tag = self.tokens.get(self.pos)?.clone();
        if matches!(tag.as_str(), "&&" | "||" | ")") {
            return None;
        }
        self.pos += 1;
        Some(tag_set(&tag))
    }
}

/// Whether a linux build sets `tag` (see [`GoFile::builds_on_linux`]).
fn tag_set(tag: &str) -> bool {
    if OTHER_GOOS.contains(&tag) || FALSE_TAGS.contains(&tag) {
        return false;
    }
    matches!(tag, "linux" | "unix" | "gc" | "cgo")
        || tag.starts_with("go1.")
        || ARCHES.contains(&tag)
}

/// GOARCH values (a file for any of them may be compiled: the target is not known here).
const ARCHES: [&str; 14] = [
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le", "ppc64",
    "ppc64le", "riscv64", "s390x", "wasm",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_named_dot_and_blank_imports() {
        let src = br#"// Copyright 2024 The Authors.
/* a block
   comment */

//go:build linux && !windows

// Package api serves HTTP.
package api

import "fmt"
import (
	"net/http" // the server
	chi "github.com/go-chi/chi/v5"
	. "example.com/dsl"
	_ "embed"
	`github.com/raw/path`
)

import "C"

func main() {}
import "not/an/import"
"#;
        let f = parse_header(src);
        assert_eq!(f.package, "api");
        assert_eq!(
            f.imports,
            [
                "fmt",
                "net/http",
                "github.com/go-chi/chi/v5",
                "example.com/dsl",
                "embed",
                "github.com/raw/path",
                "C"
            ]
        );
        assert_eq!(f.constraint.as_deref(), Some("linux && !windows"));
        assert!(f.complete);
        assert!(f.builds_on_linux("server.go"));
    }

    #[test]
    fn a_head_cut_inside_the_imports_is_incomplete() {
        let f = parse_header(b"package main\n\nimport (\n\t\"fmt\"\n\t\"os");
        assert_eq!(f.package, "main");
        assert!(!f.complete);
        assert!(parse_header(b"").package.is_empty());
        assert!(!parse_header(b"// only a comment").complete);
    }

    #[test]
    fn file_names_and_constraints_that_leave_a_file_out_of_linux_builds() {
        let with = |c: &str| GoFile {
            constraint: Some(c.to_string()),
            ..GoFile::default()
        };
        let plain = GoFile::default();
        assert!(!plain.builds_on_linux("x_test.go"));
        assert!(!plain.builds_on_linux("zsys_windows.go"));
        assert!(!plain.builds_on_linux("asm_darwin_arm64.go"));
        assert!(plain.builds_on_linux("syscall_linux_arm64.go"));
        assert!(plain.builds_on_linux("window.go"));
        assert!(!with("tools").builds_on_linux("tools.go"));
        assert!(!with("ignore").builds_on_linux("gen.go"));
        assert!(!with("integration").builds_on_linux("db.go"));
        assert!(with("!windows").builds_on_linux("a.go"));
        assert!(with("linux || darwin").builds_on_linux("a.go"));
        assert!(!with("darwin && cgo").builds_on_linux("a.go"));
        assert!(with("go1.21 && (amd64 || arm64)").builds_on_linux("a.go"));
        assert!(with("(((").builds_on_linux("a.go"), "unparsable: kept");
    }
}
