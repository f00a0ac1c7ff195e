//! The manifest syntax shared by go.mod and go.work: lexing one physical line at a time
//! (strings cannot span lines), then statements in line form `verb args` and block form
//! `verb ( args... )`, with the comments the go command attaches to them.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// Identifier or any other bare word (`=>` included).
    Word(String),
    /// A double-quoted or backquoted string, quotes included.
    Quoted(String),
    /// One of `( ) [ ] { } ,`.
    Punct(char),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Word(s) | Tok::Quoted(s) => s.clone(),
            Tok::Punct(c) => c.to_string(),
        }
    }
}

pub(super) struct LexLine {
    pub(super) line: usize,
    pub(super) toks: Vec<Tok>,
    /// Comment text after `//` (trimmed), when present.
    pub(super) comment: Option<String>,
}

/// Characters that continue a bare word (quotes only start strings at the beginning of a token,
/// as in the go command; inside a word they are rejected later by `parse_string`).
pub(super) fn is_ident_char(c: char) -> bool {
    !matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | ',') && !c.is_whitespace() && !c.is_control()
}

pub(super) fn lex(file: &str, text: &str) -> Result<Vec<LexLine>, ModError> {
    let mut out = Vec::new();
    for (idx, raw) in text.split('\n').enumerate() {
        out.push(lex_line(file, idx + 1, raw)?);
    }
    Ok(out)
}

pub(super) fn lex_line(file: &str, line: usize, raw: &str) -> Result<LexLine, ModError> {
    let err = |message: String| ModError {
        file: file.to_string(),
        line,
        message,
    };
    let chars: Vec<char> = raw.chars().collect();
    let mut toks = Vec::new();
    let mut comment = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == ' ' || c == '\t' || c == '\r' {
            i += 1;
        } else if c == '/' && next == Some('/') {
            let text: String = chars[i + 2..].iter().collect();
            comment = Some(text.trim().to_string());
            break;
        } else if c == '/' && next == Some('*') {
            return Err(err(
                "mod files must use // comments, not /* */ comments".into()
            ));
        } else if matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | ',') {
            toks.push(Tok::Punct(c));
            i += 1;
        } else if c == '"' || c == '`' {
            let start = i;
            i += 1;
            loop {
                let Some(&d) = chars.get(i) else {
                    return Err(err("unexpected newline in string".into()));
                };
                i += 1;
                if d == c {
                    break;
                }
                if d == '\\' && c == '"' {
                    if i >= chars.len() {
                        return Err(err("unexpected newline in string".into()));
                    }
                    i += 1;
                }
            }
            toks.push(Tok::Quoted(chars[start..i].iter().collect()));
        } else if is_ident_char(c) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'/') {
                    break;
                }
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    return Err(err(
                        "mod files must use // comments, not /* */ comments".into()
                    ));
                }
                i += 1;
            }
            toks.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            return Err(err(format!("unexpected input character {c:?}")));
        }
    }
    Ok(LexLine {
        line,
        toks,
        comment,
    })
}

// ---------------------------------------------------------------------------------------------
// Statements: line form `verb args` and block form `verb ( args... )`.

/// One directive after block expansion: the verb, its argument tokens, its line and comments.
pub(super) struct Stmt {
    pub(super) verb: String,
    pub(super) args: Vec<String>,
    pub(super) line: usize,
    /// Comment on the same line.
    pub(super) suffix: Option<String>,
    /// Comments on the lines directly above (or above the block, for block lines without any).
    pub(super) before: Vec<String>,
    /// The opening tokens of the block the statement came from (`["require"]`), if any.
    pub(super) block: Option<Vec<String>>,
}

pub(super) fn parse_statements(file: &str, data: &[u8]) -> Result<Vec<Stmt>, ModError> {
    let text = String::from_utf8_lossy(data);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines = lex(file, text)?;
    let mut stmts = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut iter = lines.into_iter();
    while let Some(l) = iter.next() {
        if l.toks.is_empty() {
            match l.comment {
                Some(c) => pending.push(c),
                None => pending.clear(),
            }
            continue;
        }
        let before = std::mem::take(&mut pending);
        match l.toks.iter().position(|t| *t == Tok::Punct('(')) {
            None => {
                let mut words = l.toks.iter().map(Tok::text);
                let verb = words.next().unwrap_or_default();
                stmts.push(Stmt {
                    verb,
                    args: words.collect(),
                    line: l.line,
                    suffix: l.comment,
                    before,
                    block: None,
                });
            }
            Some(p) => {
                let head: Vec<String> = l.toks[..p].iter().map(Tok::text).collect();
                let rest: Vec<String> = l.toks[p + 1..].iter().map(Tok::text).collect();
                parse_block(file, &l, head, rest, before, &mut iter, &mut stmts)?;
            }
        }
    }
    Ok(stmts)
}

pub(super) fn parse_block(
    file: &str,
    open: &LexLine,
    head: Vec<String>,
    rest: Vec<String>,
    block_before: Vec<String>,
    iter: &mut impl Iterator<Item = LexLine>,
    stmts: &mut Vec<Stmt>,
) -> Result<(), ModError> {
    let verb = head.first().cloned().unwrap_or_default();
    let mut block_comments = block_before;
    block_comments.extend(open.comment.clone());
    let mut push = |args: Vec<String>, line: usize, suffix: Option<String>, before: Vec<String>| {
        let before = if before.is_empty() && suffix.is_none() {
            block_comments.clone()
        } else {
            before
        };
        stmts.push(Stmt {
            verb: verb.clone(),
            args,
            line,
            suffix,
            before,
            block: Some(head.clone()),
        });
    };
    if !rest.is_empty() {
        push(rest, open.line, None, Vec::new());
    }
    let mut pending = Vec::new();
    for l in iter.by_ref() {
        if l.toks.is_empty() {
            match l.comment {
                Some(c) => pending.push(c),
                None => pending.clear(),
            }
            continue;
        }
        if l.toks.first() == Some(&Tok::Punct(')')) {
            if l.toks.len() > 1 {
                return Err(ModError {
                    file: file.to_string(),
                    line: l.line,
                    message: "syntax error (expected newline after closing paren)".into(),
                });
            }
            return Ok(());
        }
        let before = std::mem::take(&mut pending);
        push(
            l.toks.iter().map(Tok::text).collect(),
            l.line,
            l.comment,
            before,
        );
    }
    Err(ModError {
        file: file.to_string(),
        line: open.line,
        message: format!(
            "syntax error (unterminated block started at {file}:{})",
            open.line
        ),
    })
}
