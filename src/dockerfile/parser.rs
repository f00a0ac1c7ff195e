//! Dockerfile text → node list with line spans: the syntactic layer, BuildKit's `parser`
//! package. The instructions layer (`super::instructions`) turns the nodes into the typed AST.
//!
//! This is our own line-based parser that mirrors BuildKit v0.13's `parser.Parse` rather than a
//! wrapper around the `parse-dockerfile` crate: the shell-form command string becomes the LLB
//! `args` (and so the cache key), `node.Original` feeds history and progress names, and heredoc
//! names must be recovered, so every byte of the joined text has to be what BuildKit produces
//! (continuation lines joined without separator and without left-trimming, comment lines inside
//! continuations dropped, trailing whitespace kept, flags extracted with BuildKit's quirks). Doing
//! that by post-processing another parser's output would be more code and more risk than writing
//! the syntactic layer directly from BuildKit's observed behaviour. Parity was checked by running
//! BuildKit v0.13's own parser and lexer on the same inputs (about 6,000 generated Dockerfiles
//! and 26,000 words, no differences); the tables in the tests pin a selection of those results.
//!
//! Deliberate deviations: directive errors name the directive's own line (BuildKit's is one
//! less), `check` and `gofront` are recognised as directives (v0.13 knows only `syntax` and
//! `escape`), a recognised directive is not a comment of the first instruction (as in
//! Dockerfile 1.12 and later, so `# check=` headers are not read as per-instruction check
//! comments), and an over-long heredoc body line reports the line-length error instead of
//! "unterminated heredoc".
//!
//! Not for: validating instruction arguments and flags (that is `instructions`), variable
//! expansion (`shell`), or anything about stages beyond grouping commands under their FROM.

use super::ast::{self, Directives, Span};
use super::error::ParseError;
use super::shell::Lexer;

/// Longest physical line BuildKit's line scanner accepts (bufio.MaxScanTokenSize - 1).
pub const MAX_LINE_LEN: usize = 64 * 1024 - 1;

/// A heredoc as found by the parser (content raw: line endings kept, no tab stripping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawHeredoc {
    pub name: String,
    pub file_descriptor: u32,
    pub expand: bool,
    pub chomp: bool,
    pub content: String,
}

/// One instruction as the syntactic layer sees it (BuildKit's `parser.Node`, flattened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    /// Keyword as written.
    pub keyword: String,
    /// Raw `--flag[=value]` words (quotes removed, like BuildKit's flag extraction).
    pub flags: Vec<String>,
    /// Arguments after per-instruction splitting (BuildKit's `nodeArgs`).
    pub args: Vec<String>,
    /// Arguments were a JSON array.
    pub json: bool,
    /// The whole instruction line, continuations joined.
    pub original: String,
    /// Heredocs attached to this instruction (or to the ONBUILD trigger).
    pub heredocs: Vec<RawHeredoc>,
    /// Comment lines directly above the instruction.
    pub comments: Vec<String>,
    /// Physical lines.
    pub span: Span,
}

/// Result of the syntactic layer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parsed {
    pub directives: Directives,
    pub nodes: Vec<Node>,
    pub warnings: Vec<ast::ParseWarning>,
}

/// The state of directive recognition (only in the leading comment block).
struct DirectiveState {
    done: bool,
    directives: Directives,
    seen: Vec<String>,
}

impl DirectiveState {
    fn new() -> Self {
        DirectiveState {
            done: false,
            directives: Directives {
                escape: '\\',
                ..Directives::default()
            },
            seen: Vec::new(),
        }
    }

    /// Looks at one line (newline trimmed; leading whitespace trimmed for non-continuation
    /// lines) and records a directive when it is one; `Ok(true)` when it was.
    fn observe(&mut self, line: &str) -> Result<bool, String> {
        if self.done {
            return Ok(false);
        }
        let Some((key, value)) = match_directive(line) else {
            self.done = true;
            return Ok(false);
        };
        let key = key.to_ascii_lowercase();
        if !matches!(key.as_str(), "syntax" | "escape" | "check" | "gofront") {
            self.done = true;
            return Ok(false);
        }
        if self.seen.contains(&key) {
            return Err(format!("only one {key} parser directive can be used"));
        }
        self.seen.push(key.clone());
        match key.as_str() {
            "syntax" => self.directives.syntax = Some(value),
            "check" => self.directives.check = Some(value),
            "gofront" => self.directives.gofront = Some(value),
            _ => {
                if value != "`" && value != "\\" {
                    return Err(format!(
                        "invalid escape token '{value}' does not match ` or \\"
                    ));
                }
                self.directives.escape = if value == "`" { '`' } else { '\\' };
            }
        }
        Ok(true)
    }
}

/// Go RE2 `\s`.
fn is_re_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

/// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
fn match_directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start_matches(is_re_space);
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let name_end = rest
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
        .map_or(rest.len(), |(i, _)| i);
    let name = &rest[..name_end];
    let rest = rest[name_end..].trim_start_matches(is_re_space);
    let rest = rest.strip_prefix('=')?;
    let trimmed = rest.trim_start_matches(is_re_space);
    if trimmed.is_empty() {
        // `.+?` must take one character: the last whitespace one.
        let last = rest.chars().last()?;
        return Some((name.to_string(), last.to_string()));
    }
    if trimmed.contains('\n') {
        return None;
    }
    Some((
        name.to_string(),
        trimmed.trim_end_matches(is_re_space).to_string(),
    ))
}

/// Physical lines, each with its line terminator.
fn physical_lines(source: &str) -> Vec<&str> {
    source.split_inclusive('\n').collect()
}

fn trim_newline(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

fn is_comment(raw: &str) -> bool {
    trim_newline(raw).trim_start().starts_with('#')
}

/// Newline trimmed, optionally left-trimmed, whole-line comments removed; also whether the
/// line was a parser directive.
fn process_line<'a>(
    dirs: &mut DirectiveState,
    raw: &'a str,
    strip_left: bool,
) -> Result<(&'a str, bool), String> {
    let mut token = trim_newline(raw);
    if strip_left {
        token = token.trim_start();
    }
    let directive = dirs.observe(token)?;
    Ok((if token.starts_with('#') { "" } else { token }, directive))
}

/// BuildKit's continuation regex `([^E])E[ \t]*$|^E[ \t]*$`: returns the line without the
/// continuation character and whether the instruction ends here.
fn trim_continuation(line: &str, escape: char) -> (String, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    let Some(before) = t.strip_suffix(escape) else {
        return (line.to_string(), true);
    };
    if before.is_empty() {
        return (String::new(), false);
    }
    if before.ends_with(escape) {
        return (line.to_string(), true);
    }
    (before.to_string(), false)
}

/// Runs the syntactic layer over the whole file.
pub(crate) fn parse_nodes(source: &str) -> Result<Parsed, ParseError> {
    let lines = physical_lines(source);
    let mut dirs = DirectiveState::new();
    let mut nodes = Vec::new();
    let mut warnings = Vec::new();
    let mut comments: Vec<String> = Vec::new();
    let mut current = 0usize;
    let mut idx = 0usize;

    let too_long = |n: usize| {
        ParseError::at(
            format!("dockerfile line greater than max allowed size of {MAX_LINE_LEN}"),
            n,
            n,
        )
    };

    while let Some(&raw0) = lines.get(idx) {
        idx += 1;
        if trim_newline(raw0).len() > MAX_LINE_LEN {
            return Err(too_long(current + 1));
        }
        let raw = if current == 0 {
            raw0.strip_prefix('\u{feff}').unwrap_or(raw0)
        } else {
            raw0
        };
        if is_comment(raw) {
            // Like BuildKit: drop the first byte (the `#` only when not indented).
            let text = String::from_utf8_lossy(raw.as_bytes().get(1..).unwrap_or(&[])).into_owned();
            let comment = text.trim();
            if comment.is_empty() {
                comments.clear();
            } else {
                comments.push(comment.to_string());
            }
        }
        let (first, directive) = process_line(&mut dirs, raw, true)
            .map_err(|e| ParseError::at(e, current + 1, current + 1))?;
        if directive {
            // Like BuildKit: a directive is not a comment of the first instruction.
            comments.pop();
        }
        current += 1;
        let start = current;
        let escape = dirs.directives.escape;
        let (mut line, mut end_of_line) = trim_continuation(first, escape);
        if end_of_line && line.is_empty() {
            continue;
        }

        let mut empty_continuation = false;
        while !end_of_line {
            let Some(&raw) = lines.get(idx) else { break };
            idx += 1;
            if trim_newline(raw).len() > MAX_LINE_LEN {
                return Err(too_long(current + 1));
            }
            let (processed, _) = process_line(&mut dirs, raw, false)
                .map_err(|e| ParseError::at(e, current + 1, current + 1))?;
            current += 1;
            if is_comment(raw) {
                continue;
            }
            if processed.trim_start().is_empty() {
                empty_continuation = true;
                continue;
            }
            let (cont, eol) = trim_continuation(processed, escape);
            end_of_line = eol;
            line.push_str(&cont);
        }

        if empty_continuation {
            warnings.push(ast::ParseWarning {
                rule: "NoEmptyContinuation".into(),
                message: format!("Empty continuation line found in: {line}"),
                span: Span {
                    start: current,
                    end: current,
                },
            });
        }

        let mut node = node_from_line(&line, escape, std::mem::take(&mut comments))
            .map_err(|e| ParseError::at(e, start, current))?;

        if can_contain_heredoc(&node) {
            let docs = heredocs_from_line(&line).map_err(|e| ParseError::at(e, start, current))?;
            for mut doc in docs {
                let mut terminated = false;
                while let Some(&raw) = lines.get(idx) {
                    idx += 1;
                    if trim_newline(raw).len() > MAX_LINE_LEN {
                        return Err(too_long(current + 1));
                    }
                    current += 1;
                    let mut candidate = trim_newline(raw);
                    if doc.chomp {
                        candidate = candidate.trim_start_matches('\t');
                    }
                    if candidate == doc.name {
                        terminated = true;
                        break;
                    }
                    doc.content.push_str(raw);
                }
                if !terminated {
                    return Err(ParseError::at("unterminated heredoc", start, current));
                }
                node.heredocs.push(doc);
            }
        }
        node.span = Span {
            start,
            end: current,
        };
        nodes.push(node);
    }

    if nodes.is_empty() {
        return Err(ParseError::at(
            "file with no instructions",
            current.max(1),
            current.max(1),
        ));
    }
    Ok(Parsed {
        directives: dirs.directives,
        nodes,
        warnings,
    })
}

fn can_contain_heredoc(node: &Node) -> bool {
    let keyword = if node.keyword.eq_ignore_ascii_case("onbuild") {
        node.args.first().map(String::as_str).unwrap_or("")
    } else {
        node.keyword.as_str()
    };
    let kw = keyword.to_ascii_lowercase();
    matches!(kw.as_str(), "add" | "copy" | "run") && !node.json
}

/// Go's `unicode.IsSpace` on a single byte taken as a rune (Latin-1).
fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// BuildKit's `[\t\v\f\r ]+` separator.
fn is_ws_sep(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Splits on runs of `[\t\v\f\r ]` (Go `regexp.Split(s, -1)`: empty leading/trailing pieces kept).
fn split_ws(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_sep = false;
    for c in s.chars() {
        if is_ws_sep(c) {
            if !in_sep {
                out.push(std::mem::take(&mut cur));
                in_sep = true;
            }
        } else {
            in_sep = false;
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

/// Splits into at most two pieces on the first `[\t\v\f\r ]+` run.
fn split_ws2(s: &str) -> (String, Option<String>) {
    match s.find(is_ws_sep) {
        None => (s.to_string(), None),
        Some(i) => {
            let rest = s[i..].trim_start_matches(is_ws_sep);
            (s[..i].to_string(), Some(rest.to_string()))
        }
    }
}

/// Splits keyword, flags and arguments of one joined instruction line.
fn split_command(line: &str) -> (String, Vec<String>, String) {
    let (cmd, rest) = split_ws2(line.trim());
    match rest {
        None => (cmd, Vec::new(), String::new()),
        Some(rest) => {
            let (args, flags) = extract_builder_flags(&rest);
            (cmd, flags, args.trim().to_string())
        }
    }
}

/// Leading `--flag` words, processed byte-wise like BuildKit (quotes removed, `\` escapes).
fn extract_builder_flags(line: &str) -> (String, Vec<String>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let b = line.as_bytes();
    let rest_from = |pos: usize| String::from_utf8_lossy(b.get(pos..).unwrap_or(&[])).into_owned();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = 0u8;
    let mut blank_ok = false;
    let mut pos = 0usize;
    while pos <= b.len() {
        let at_end = pos == b.len();
        let ch = b.get(pos).copied().unwrap_or(0);
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_space_byte(ch) {
                pos += 1;
                continue;
            }
            if ch != b'-' || b.get(pos + 1) != Some(&b'-') {
                return (rest_from(pos), words);
            }
            phase = Phase::Word;
        }
        if at_end {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if is_space_byte(ch) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (rest_from(pos), words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            let mut c = ch;
            if c == b'\\' {
                if pos + 1 == b.len() {
                    pos += 1;
                    continue;
                }
                pos += 1;
                c = b[pos];
            }
            word.push(char::from(c));
            pos += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        let mut c = ch;
        if c == b'\\' {
            if pos + 1 == b.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            c = b[pos];
        }
        word.push(char::from(c));
        pos += 1;
    }
    (String::new(), words)
}

/// Words with quotes kept (BuildKit `parseWords`), used by ENV, LABEL and ARG.
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut pos = 0usize;
    while pos <= chars.len() {
        let at_end = pos == chars.len();
        let mut ch = chars.get(pos).copied().unwrap_or('\0');
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if ch.is_whitespace() {
                pos += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if at_end {
            if blank_ok || !word.is_empty() {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if pos + 1 == chars.len() {
                    pos += 1;
                    continue;
                }
                word.push(ch);
                pos += 1;
                ch = chars[pos];
            }
            word.push(ch);
            pos += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if pos + 1 == chars.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            word.push(ch);
            ch = chars[pos];
        }
        word.push(ch);
        pos += 1;
    }
    words
}

/// Arguments of one instruction after per-instruction splitting.
struct Args {
    args: Vec<String>,
    json: bool,
}

impl Args {
    fn plain(args: Vec<String>) -> Self {
        Args { args, json: false }
    }
}

fn node_from_line(line: &str, escape: char, comments: Vec<String>) -> Result<Node, String> {
    let (keyword, flags, rest) = split_command(line);
    let parsed = dispatch(&keyword, &rest, escape)?;
    Ok(Node {
        keyword,
        flags,
        args: parsed.args,
        json: parsed.json,
        original: line.to_string(),
        heredocs: Vec::new(),
        comments,
        span: Span::default(),
    })
}

fn dispatch(keyword: &str, rest: &str, escape: char) -> Result<Args, String> {
    match keyword.to_ascii_lowercase().as_str() {
        "add" | "copy" | "volume" => parse_maybe_json_to_list(rest),
        "arg" => Ok(Args::plain(parse_words(rest, escape))),
        "cmd" | "entrypoint" | "run" | "shell" => parse_maybe_json(rest),
        "env" => parse_name_val(rest, "ENV", escape),
        "label" => parse_name_val(rest, "LABEL", escape),
        "expose" | "from" => Ok(Args::plain(whitespace_delimited(rest))),
        "healthcheck" => parse_health_config(rest),
        "maintainer" | "stopsignal" | "user" | "workdir" => Ok(Args::plain(if rest.is_empty() {
            Vec::new()
        } else {
            vec![rest.to_string()]
        })),
        "onbuild" => parse_sub_command(rest, escape),
        _ => Ok(Args::plain(Vec::new())),
    }
}

fn whitespace_delimited(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        return Vec::new();
    }
    split_ws(rest)
}

const NOT_STRING_ARRAY: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

/// `Ok(Some)` for a JSON string array, `Ok(None)` when not JSON, `Err` for a JSON array with
/// non-strings (never falls back).
fn parse_json(rest: &str) -> Result<Option<Vec<String>>, String> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(None);
    }
    // Like Go's json.Unmarshal (Dockerfile 1.9+): the whole rest must be one JSON value, so
    // trailing text makes the instruction shell form (1.7 decoded the first value only).
    let Ok(value) = serde_json::from_str::<serde_json::Value>(rest) else {
        return Ok(None);
    };
    let serde_json::Value::Array(items) = value else {
        return Ok(None);
    };
    items
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(NOT_STRING_ARRAY.to_string()),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn parse_maybe_json(rest: &str) -> Result<Args, String> {
    if rest.is_empty() {
        return Ok(Args::plain(Vec::new()));
    }
    match parse_json(rest)? {
        Some(args) => Ok(Args { args, json: true }),
        None => Ok(Args::plain(vec![rest.to_string()])),
    }
}

fn parse_maybe_json_to_list(rest: &str) -> Result<Args, String> {
    match parse_json(rest)? {
        Some(args) => Ok(Args { args, json: true }),
        None => Ok(Args::plain(whitespace_delimited(rest))),
    }
}

fn parse_name_val(rest: &str, key: &str, escape: char) -> Result<Args, String> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Args::plain(Vec::new()));
    };
    if !first.contains('=') {
        let (name, value) = split_ws2(rest);
        let Some(value) = value else {
            return Err(format!("{key} must have two arguments"));
        };
        return Ok(Args::plain(vec![name, value]));
    }
    let mut args = Vec::new();
    for word in &words {
        let Some((k, v)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {}. Must be of the form: name=value",
                crate::gostd::strconv::quote(word)
            ));
        };
        args.push(k.to_string());
        args.push(v.to_string());
    }
    Ok(Args::plain(args))
}

fn parse_health_config(rest: &str) -> Result<Args, String> {
    let b = rest.as_bytes();
    let sep = b.iter().position(|c| is_space_byte(*c)).unwrap_or(b.len());
    if sep == 0 {
        return Ok(Args::plain(Vec::new()));
    }
    let next = b[sep..]
        .iter()
        .position(|c| !is_space_byte(*c))
        .map_or(b.len(), |p| p + sep);
    let typ = String::from_utf8_lossy(&b[..sep]).into_owned();
    let cmd_text = String::from_utf8_lossy(&b[next..]).into_owned();
    let cmd = parse_maybe_json(&cmd_text)?;
    let mut args = vec![typ];
    args.extend(cmd.args);
    Ok(Args {
        args,
        json: cmd.json,
    })
}

fn parse_sub_command(rest: &str, escape: char) -> Result<Args, String> {
    if rest.is_empty() {
        return Ok(Args::plain(Vec::new()));
    }
    let child = node_from_line(rest, escape, Vec::new())?;
    let mut args = vec![child.keyword];
    args.extend(child.args);
    Ok(Args {
        args,
        json: child.json,
    })
}

/// Heredoc markers on an instruction line (BuildKit `heredocsFromLine`).
fn heredocs_from_line(line: &str) -> Result<Vec<RawHeredoc>, String> {
    // Every heredoc marker has `<<`: most lines need no lexing at all.
    if !line.contains("<<") {
        return Ok(Vec::new());
    }
    let lexer = Lexer::new('\\')
        .with_raw_quotes(true)
        .with_raw_escapes(true)
        .with_skip_unset_env(true);
    let empty: Vec<(String, String)> = Vec::new();
    let words = lexer.process_words(line, &empty).unwrap_or_default();
    let mut docs = Vec::new();
    for word in words {
        if let Some(doc) = parse_heredoc(&word)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// Parses one word as a heredoc marker `[fd]<<[-]WORD` (BuildKit `ParseHeredoc`).
pub(crate) fn parse_heredoc(src: &str) -> Result<Option<RawHeredoc>, String> {
    let digits = src.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = src[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, rest) = match after.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, after),
    };
    if rest.contains('<') || rest.is_empty() {
        return Ok(None);
    }
    let fd: u32 = src[..digits].parse().unwrap_or(0);
    let empty: Vec<(String, String)> = Vec::new();
    let lexer = Lexer::new('\\').with_skip_unset_env(true);
    let words = lexer
        .process_words(rest, &empty)
        .map_err(|e| e.to_string())?;
    if words.len() != 1 {
        return Ok(None);
    }
    let raw_words = lexer
        .with_raw_quotes(true)
        .process_words(rest, &empty)
        .map_err(|e| e.to_string())?;
    if raw_words.len() != words.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let quotes = |s: &str| s.chars().filter(|c| *c == '\'' || *c == '"').count();
    let word = words.into_iter().next().unwrap_or_default();
    let expand = quotes(&word) == raw_words.first().map_or(0, |w| quotes(w));
    Ok(Some(RawHeredoc {
        name: word,
        file_descriptor: fd,
        expand,
        chomp,
        content: String::new(),
    }))
}

/// Removes leading tabs from every line (`<<-` heredocs).
pub(crate) fn chomp_heredoc_content(src: &str) -> String {
    src.split_inclusive('\n')
        .map(|l| l.trim_start_matches('\t'))
        .collect()
}

#[cfg(test)]
mod tests;
