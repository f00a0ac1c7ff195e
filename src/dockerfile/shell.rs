//! BuildKit-compatible shell word processing: variable expansion, quote removal and word
//! splitting with the exact rules of BuildKit v0.13's `shell.Lex` (written from its observed
//! behaviour, not translated).
//!
//! Used by the converter to expand instruction arguments (ENV values, WORKDIR, COPY sources, mount
//! options, ...) and by the parser to recognise heredoc markers. Not for running shell commands:
//! RUN/CMD/ENTRYPOINT text is never expanded here, the container's shell does that.
//!
//! Supported forms: `$A`, `${A}`, `${A:-w}`, `${A-w}`, `${A:+w}`, `${A+w}`, `${A:?msg}`,
//! `${A?msg}`, `${A#p}`, `${A##p}`, `${A%p}`, `${A%%p}`, `${A/p/r}`, `${A//p/r}` (patterns with
//! `*`, `?` and `\` escapes), single and double quotes, and the escape character (`\` or a
//! backtick, from the `escape` directive).

use std::collections::{BTreeMap, BTreeSet};

/// Where the lexer looks up variable values.
pub trait EnvLookup {
    /// The value of `name`, or `None` when it is not set (set-but-empty is `Some("")`).
    fn lookup(&self, name: &str) -> Option<String>;
}

impl EnvLookup for BTreeMap<String, String> {
    fn lookup(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl EnvLookup for [(String, String)] {
    fn lookup(&self, name: &str) -> Option<String> {
        self.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

impl EnvLookup for Vec<(String, String)> {
    fn lookup(&self, name: &str) -> Option<String> {
        self.as_slice().lookup(name)
    }
}

/// An expansion error, with BuildKit's message text
/// (`failed to process "…": syntax error: missing '}'`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShellError(pub String);

/// A shell word lexer configured like BuildKit's `shell.Lex`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    escape: char,
    raw_quotes: bool,
    raw_escapes: bool,
    skip_process_quotes: bool,
    skip_unset_env: bool,
}

impl Lexer {
    /// A lexer with the given escape character (`\` or `` ` ``) and BuildKit's defaults.
    pub fn new(escape: char) -> Self {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
        }
    }

    /// Keep quote characters in the output (BuildKit `RawQuotes`).
    pub fn with_raw_quotes(mut self, on: bool) -> Self {
        self.raw_quotes = on;
        self
    }

    /// Keep escape characters in the output (BuildKit `RawEscapes`).
    pub fn with_raw_escapes(mut self, on: bool) -> Self {
        self.raw_escapes = on;
        self
    }

    /// Treat quotes as ordinary characters (BuildKit `SkipProcessQuotes`; used for heredoc bodies).
    pub fn with_skip_process_quotes(mut self, on: bool) -> Self {
        self.skip_process_quotes = on;
        self
    }

    /// Leave references to unset variables as written (BuildKit `SkipUnsetEnv`).
    pub fn with_skip_unset_env(mut self, on: bool) -> Self {
        self.skip_unset_env = on;
        self
    }

    /// ProcessWord: expand vars, remove quotes, do NOT split (used for ENV values, WORKDIR, USER, ...).
    pub fn process_word(&self, word: &str, env: &dyn EnvLookup) -> Result<String, ShellError> {
        self.run(word, env).map(|out| out.word)
    }

    /// ProcessWords: expand and split into words (used for EXPOSE, VOLUME, COPY/ADD sources in shell form).
    pub fn process_words(
        &self,
        word: &str,
        env: &dyn EnvLookup,
    ) -> Result<Vec<String>, ShellError> {
        self.run(word, env).map(|out| out.words)
    }

    /// Like process_word, also returning the names that were referenced and set (`matches`) and
    /// those that were referenced but unset.
    pub fn process_word_with_matches(
        &self,
        word: &str,
        env: &dyn EnvLookup,
    ) -> Result<(String, BTreeSet<String>, BTreeSet<String>), ShellError> {
        self.run(word, env)
            .map(|out| (out.word, out.matched, out.unmatched))
    }

    fn run(&self, source: &str, env: &dyn EnvLookup) -> Result<Lexed, ShellError> {
        let mut sw = ShellWord {
            chars: source.chars().collect(),
            pos: 0,
            env,
            lexer: *self,
            raw_escapes: self.raw_escapes,
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
            depth: 0,
        };
        match sw.process_stop_on(None, self.raw_escapes) {
            Ok((word, words)) => Ok(Lexed {
                word,
                words,
                matched: sw.matched,
                unmatched: sw.unmatched,
            }),
            Err(e) => Err(ShellError(format!(
                "failed to process {}: {}",
                crate::gostd::strconv::quote(source),
                e
            ))),
        }
    }
}

struct Lexed {
    word: String,
    words: Vec<String>,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
}

/// Word splitting state (spaces from variable values split words, quoted text never does).
#[derive(Default)]
struct Words {
    word: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if ch.is_whitespace() {
            if self.in_word && !self.word.is_empty() {
                self.words.push(std::mem::take(&mut self.word));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(ch);
        }
    }

    fn add_raw_char(&mut self, ch: char) {
        self.word.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        for ch in s.chars() {
            self.add_char(ch);
        }
    }

    fn add_raw_string(&mut self, s: &str) {
        self.word.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.word.is_empty() {
            self.words.push(std::mem::take(&mut self.word));
        }
        self.words
    }
}

struct ShellWord<'a> {
    chars: Vec<char>,
    pos: usize,
    env: &'a dyn EnvLookup,
    lexer: Lexer,
    raw_escapes: bool,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
    /// Current nesting of `${...}` words (bounded by [`MAX_NESTING`]).
    depth: usize,
}

/// Deepest `${a:-${b:-...}}` nesting processed. BuildKit's Go lexer recurses without a limit
/// (growable stacks); ours recurses too, so an absurd depth must be an error, not a stack
/// overflow. The binary runs on a large stack (`src/main.rs`) that fits this depth.
pub const MAX_NESTING: usize = 100_000;

type Res<T> = Result<T, String>;

impl ShellWord<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek();
        if ch.is_some() {
            self.pos += 1;
        }
        ch
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        match self.env.lookup(name) {
            Some(v) => {
                self.matched.insert(name.to_string());
                Some(v)
            }
            None => {
                self.unmatched.insert(name.to_string());
                None
            }
        }
    }

    /// Processes until `stop` (consumed) or end of input (when `stop` is None).
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Res<(String, Vec<String>)> {
        if self.depth > MAX_NESTING {
            return Err(format!(
                "variable expansions nested more than {MAX_NESTING} levels deep"
            ));
        }
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        self.depth += 1;
        let r = self.process_stop_on_inner(stop);
        self.depth -= 1;
        self.raw_escapes = saved;
        r
    }

    fn process_stop_on_inner(&mut self, stop: Option<char>) -> Res<(String, Vec<String>)> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            if stop == Some(ch) {
                self.pos += 1;
                return Ok((result, words.finish()));
            }
            let quotes = !self.lexer.skip_process_quotes;
            if ch == '$' {
                let tmp = self.process_dollar()?;
                result.push_str(&tmp);
                words.add_string(&tmp);
            } else if quotes && ch == '\'' {
                let tmp = self.process_single_quote()?;
                result.push_str(&tmp);
                words.add_raw_string(&tmp);
            } else if quotes && ch == '"' {
                let tmp = self.process_double_quote()?;
                result.push_str(&tmp);
                words.add_raw_string(&tmp);
            } else if ch == '<' {
                // `processPossibleHeredoc` (1.16): `<<` keeps the whitespace after it in the
                // same word, so `<<  EOF` is one heredoc marker.
                let tmp = self.process_possible_heredoc();
                result.push_str(&tmp);
                words.add_raw_string(&tmp);
            } else {
                self.pos += 1;
                let mut ch = ch;
                if ch == self.lexer.escape {
                    if self.raw_escapes {
                        words.add_raw_char(ch);
                        result.push(ch);
                    }
                    match self.next() {
                        None => break,
                        Some(c) => ch = c,
                    }
                    words.add_raw_char(ch);
                } else {
                    words.add_char(ch);
                }
                result.push(ch);
            }
        }
        if let Some(stop) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        Ok((result, words.finish()))
    }

    fn process_possible_heredoc(&mut self) -> String {
        self.pos += 1;
        if self.peek() != Some('<') {
            return "<".into();
        }
        self.pos += 1;
        let mut out = String::from("<<");
        while let Some(c) = self.peek().filter(|c| matches!(c, ' ' | '\t' | '\r')) {
            out.push(c);
            self.pos += 1;
        }
        out
    }

    fn process_single_quote(&mut self) -> Res<String> {
        let mut result = String::new();
        let open = self.next();
        if self.lexer.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    )
                }
                Some('\'') => {
                    if self.lexer.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn process_double_quote(&mut self) -> Res<String> {
        let mut result = String::new();
        let open = self.next();
        if self.lexer.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    )
                }
                Some('"') => {
                    self.pos += 1;
                    if self.lexer.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let v = self.process_dollar()?;
                    result.push_str(&v);
                }
                Some(mut ch) => {
                    self.pos += 1;
                    if ch == self.lexer.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.lexer.escape => {
                                self.pos += 1;
                                ch = c;
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_dollar(&mut self) -> Res<String> {
        self.pos += 1; // '$'
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lexer.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.pos += 1; // '{'
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            _ => {}
        }
        let name = self.process_name();
        let first = self.next();
        let mut modifier = go_rune(first);
        match first {
            Some('}') => Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lexer.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(':' | '+' | '-' | '?' | '#' | '%') => {
                let mut ch = first;
                let null_is_unset = first == Some(':');
                if null_is_unset {
                    ch = self.next();
                    modifier.push_str(&go_rune(ch));
                }
                self.process_modifier(&name, ch, &modifier, null_is_unset)
            }
            Some('/') => self.process_replace(&name),
            _ => Err(format!("unsupported modifier ({modifier}) in substitution")),
        }
    }

    /// Reads up to `stop` like [`Self::process_stop_on`]; an error at the end of input becomes
    /// `missing` (BuildKit reports the missing delimiter, not the inner error).
    fn process_until(&mut self, stop: Option<char>, raw: bool, missing: &str) -> Res<String> {
        match self.process_stop_on(stop, raw) {
            Ok((word, _)) => Ok(word),
            Err(_) if self.peek().is_none() => Err(missing.into()),
            Err(e) => Err(e),
        }
    }

    fn process_modifier(
        &mut self,
        name: &str,
        ch: Option<char>,
        modifier: &str,
        null_is_unset: bool,
    ) -> Res<String> {
        let raw = matches!(ch, Some('#' | '%'));
        let word = self.process_until(Some('}'), raw, "syntax error: missing '}'")?;
        let value = self.get_env(name);
        if self.lexer.skip_unset_env && value.is_none() {
            return Ok(format!("${{{name}{modifier}{word}}}"));
        }
        let unset = value.is_none() || (null_is_unset && value.as_deref() == Some(""));
        match ch {
            Some('-') => Ok(if unset {
                word
            } else {
                value.unwrap_or_default()
            }),
            Some('+') => Ok(if unset { String::new() } else { word }),
            Some('?') => match value {
                None => Err(format!(
                    "{name}: {}",
                    if word.is_empty() {
                        "is not allowed to be unset"
                    } else {
                        &word
                    }
                )),
                Some(v) if null_is_unset && v.is_empty() => Err(format!(
                    "{name}: {}",
                    if word.is_empty() {
                        "is not allowed to be empty"
                    } else {
                        &word
                    }
                )),
                Some(v) => Ok(v),
            },
            Some(c @ ('#' | '%')) => {
                let (greedy, pattern) = match word.strip_prefix(c) {
                    Some(rest) => (true, rest.to_string()),
                    None => (false, word),
                };
                let value = value.unwrap_or_default();
                if c == '%' {
                    trim_suffix(&pattern, &value, greedy)
                } else {
                    trim_prefix(&pattern, &value, greedy)
                }
            }
            _ => Err(format!("unsupported modifier ({modifier}) in substitution")),
        }
    }

    fn process_replace(&mut self, name: &str) -> Res<String> {
        let replace_all = self.peek() == Some('/');
        if replace_all {
            self.pos += 1;
        }
        let pattern = self.process_until(Some('/'), true, "syntax error: missing '/' in ${}")?;
        let replacement = self.process_until(Some('}'), true, "syntax error: missing '}'")?;
        let value = self.get_env(name);
        if self.lexer.skip_unset_env && value.is_none() {
            return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
        }
        let value: Vec<char> = value.unwrap_or_default().chars().collect();
        let glob = Glob::compile(&pattern)
            .map_err(|e| format!("invalid pattern ({pattern}) in substitution: {e}"))?;
        Ok(if replace_all {
            replace_all_matches(&glob, &value, &replacement)
        } else {
            match find_leftmost(&glob, &value, 0) {
                Some((s, e)) => {
                    let mut out: String = value[..s].iter().collect();
                    out.push_str(&replacement);
                    out.extend(&value[e..]);
                    out
                }
                None => value.iter().collect(),
            }
        })
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(d) = self.peek().filter(|c| is_digit(*c)) {
                    self.pos += 1;
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && is_special_param(ch) {
                self.pos += 1;
                name.push(ch);
                return name;
            }
            if !ch.is_alphabetic() && !is_digit(ch) && ch != '_' {
                break;
            }
            self.pos += 1;
            name.push(ch);
        }
        name
    }
}

fn is_digit(ch: char) -> bool {
    ch.is_ascii_digit() || (!ch.is_ascii() && ch.is_numeric())
}

fn is_special_param(ch: char) -> bool {
    matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

/// Go's `string(rune)` of a scanner result (EOF prints as U+FFFD).
fn go_rune(ch: Option<char>) -> String {
    ch.unwrap_or('\u{FFFD}').to_string()
}

/// One element of a shell pattern (BuildKit's subset: no bracket expressions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `?`: any character except newline (Go regexp `.`).
    Any,
    /// `*`: any run of characters except newline.
    Star,
}

struct Glob {
    toks: Vec<Tok>,
}

impl Glob {
    fn compile(pattern: &str) -> Result<Glob, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut toks = Vec::new();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            i += 1;
            match c {
                '*' => toks.push(Tok::Star),
                '?' => toks.push(Tok::Any),
                '\\' => match chars.get(i) {
                    Some('}' | '/') => {}
                    Some(&n @ ('*' | '?' | '\\')) => {
                        i += 1;
                        toks.push(Tok::Lit(n));
                    }
                    other => {
                        return Err(format!(
                            "invalid escape '\\{}'",
                            other.copied().unwrap_or('\u{FFFD}')
                        ))
                    }
                },
                c => toks.push(Tok::Lit(c)),
            }
        }
        Ok(Glob { toks })
    }

    /// Ends (exclusive char indexes) of all matches starting at `start`, in increasing order.
    fn match_ends(&self, value: &[char], start: usize) -> Vec<usize> {
        let n = self.toks.len();
        let mut ends = Vec::new();
        let mut states = vec![false; n + 1];
        states[0] = true;
        self.close(&mut states);
        let mut i = start;
        loop {
            if states[n] {
                ends.push(i);
            }
            let Some(&ch) = value.get(i) else { break };
            let mut next = vec![false; n + 1];
            let mut any = false;
            for (s, tok) in self.toks.iter().enumerate() {
                if !states[s] {
                    continue;
                }
                match *tok {
                    Tok::Lit(c) if c == ch => {
                        next[s + 1] = true;
                        any = true;
                    }
                    Tok::Any if ch != '\n' => {
                        next[s + 1] = true;
                        any = true;
                    }
                    Tok::Star if ch != '\n' => {
                        next[s] = true;
                        any = true;
                    }
                    _ => {}
                }
            }
            if !any {
                break;
            }
            self.close(&mut next);
            states = next;
            i += 1;
        }
        ends
    }

    /// Epsilon closure: a star may match nothing.
    fn close(&self, states: &mut [bool]) {
        for s in 0..self.toks.len() {
            if states[s] && self.toks[s] == Tok::Star {
                states[s + 1] = true;
            }
        }
    }

    /// End of the match at `start` with regexp semantics: longest when greedy, else shortest.
    fn match_at(&self, value: &[char], start: usize, greedy: bool) -> Option<usize> {
        let ends = self.match_ends(value, start);
        if greedy {
            ends.last().copied()
        } else {
            ends.first().copied()
        }
    }
}

fn find_leftmost(glob: &Glob, value: &[char], from: usize) -> Option<(usize, usize)> {
    (from..=value.len()).find_map(|s| glob.match_at(value, s, true).map(|e| (s, e)))
}

/// Go's `Regexp.ReplaceAllString` over a glob (replacement `$` templates expanded like Go:
/// `$$` → `$`, `$0`/`${0}` → the match, other names → empty).
fn replace_all_matches(glob: &Glob, value: &[char], replacement: &str) -> String {
    let mut out = String::new();
    let mut last_end = 0;
    let mut search = 0;
    while search <= value.len() {
        let Some((s, e)) = find_leftmost(glob, value, search) else {
            break;
        };
        out.extend(&value[last_end..s]);
        if e > last_end || s == 0 {
            let matched: String = value[s..e].iter().collect();
            out.push_str(&expand_template(replacement, &matched));
        }
        last_end = e;
        search = if search + 1 > e { search + 1 } else { e };
    }
    if last_end <= value.len() {
        out.extend(&value[last_end..]);
    }
    out
}

fn expand_template(template: &str, matched: &str) -> String {
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c != '$' {
            out.push(c);
            continue;
        }
        if chars.get(i) == Some(&'$') {
            out.push('$');
            i += 1;
            continue;
        }
        let is_name = |c: &char| c.is_alphanumeric() || *c == '_';
        let (name, next) = if chars.get(i) == Some(&'{') {
            let end = chars[i + 1..]
                .iter()
                .position(|c| !is_name(c))
                .map(|p| p + i + 1);
            match end {
                Some(e) if e > i + 1 && chars.get(e) == Some(&'}') => {
                    (chars[i + 1..e].iter().collect::<String>(), e + 1)
                }
                _ => {
                    out.push('$');
                    continue;
                }
            }
        } else {
            let len = chars[i..].iter().take_while(|c| is_name(c)).count();
            if len == 0 {
                out.push('$');
                continue;
            }
            (chars[i..i + len].iter().collect::<String>(), i + len)
        };
        i = next;
        if name.parse::<u64>() == Ok(0) {
            out.push_str(matched);
        }
    }
    out
}

fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Res<String> {
    let glob = Glob::compile(pattern)
        .map_err(|e| format!("invalid pattern ({pattern}) in substitution: {e}"))?;
    let chars: Vec<char> = value.chars().collect();
    Ok(match glob.match_at(&chars, 0, greedy) {
        Some(end) => chars[end..].iter().collect(),
        None => value.to_string(),
    })
}

fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Res<String> {
    let reversed_pattern = reverse_pattern(pattern);
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reversed_pattern, &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverses a pattern keeping `\x` escape pairs in order (`a\*c` → `c\*a`).
fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut groups: Vec<&[char]> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            groups.push(&chars[i..i + 2]);
            i += 2;
        } else {
            groups.push(&chars[i..i + 1]);
            i += 1;
        }
    }
    groups.iter().rev().flat_map(|g| g.iter()).collect()
}

#[cfg(test)]
mod tests;
