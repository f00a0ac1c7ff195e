//! The value-level tests of the conversion-time rules, as pure functions the converter calls
//! once it has expanded the words: the secret-name patterns of SecretsUsedInArgOrEnv, the
//! EXPOSE port forms, the `.dockerignore` test of CopyIgnoredFile, legacy `KEY value` syntax,
//! and BuildKit's "did you mean" search (`suggest.Search`).
//!
//! Not for: tracking stage state or deciding where a rule applies (the converter does).

use crate::dockerfile::parser::parse_words;
use crate::dockerui::Dockerignore;

/// Name parts that make an ARG/ENV name look like a secret.
const SECRET_TOKENS: [&str; 10] = [
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

/// Name parts that make it harmless again (`public` since Dockerfile 1.11, `file` and
/// `version` since 1.22).
const ALLOW_TOKENS: [&str; 3] = ["public", "file", "version"];

/// SecretsUsedInArgOrEnv: `(?i)(?:_|^)(?:token|...)(?:_|$)` matches and the allow pattern
/// does not, i.e. an `_`-separated part of the name is a secret word and none is an allowed
/// one.
pub fn is_secret_name(key: &str) -> bool {
    let has = |words: &[&str]| {
        key.split('_')
            .any(|part| words.iter().any(|w| part.eq_ignore_ascii_case(w)))
    };
    has(&SECRET_TOKENS) && !has(&ALLOW_TOKENS)
}

/// What the EXPOSE rules say about one expanded port word, in BuildKit's order:
/// `(proto_not_lowercase, has_ip_or_host_port)`; `None` when the protocol part is invalid
/// (BuildKit fails on that port before linting it).
pub fn expose_port(raw: &str) -> Option<(bool, bool)> {
    // `[ip:]host:container`; an IPv6 address keeps its colons in the ip part.
    let parts: Vec<&str> = raw.split(':').collect();
    let n = parts.len();
    let container = parts[n - 1];
    let host = if n >= 2 { parts[n - 2] } else { "" };
    let ip_present = n >= 3 && !parts[..n - 2].join(":").is_empty();
    let (port, proto) = container.split_once('/').unwrap_or((container, ""));
    if port.is_empty() {
        return None;
    }
    let proto = match proto.to_lowercase().as_str() {
        "" => "tcp",
        "tcp" | "udp" | "sctp" => proto,
        _ => return None,
    };
    Some((
        proto != proto.to_lowercase(),
        ip_present || !host.is_empty(),
    ))
}

/// CopyIgnoredFile (Dockerfile 1.26): whether copying `src` from the main context copies
/// something `.dockerignore` excludes. Never with a negation (`!`) pattern (exclusions cannot
/// be decided statically); the context root (`.` or `/`) only when a pattern excludes every
/// entry (`*`, `**`, `**/*`). `src` is cleaned first; an absolute path other than `/` is not
/// reported (BuildKit matches it with its leading `/`, which no pattern has; the one difference
/// is a pattern starting with `**`, which BuildKit lets match it).
pub fn copies_ignored(ignore: &Dockerignore, src: &str) -> Option<String> {
    if ignore.is_empty() {
        return None;
    }
    let matcher = ignore.matcher().ok()?;
    if matcher.has_exclusions() {
        return None;
    }
    let cleaned = crate::gostd::path::clean(src);
    if cleaned.len() > 1 && cleaned.starts_with('/') {
        // BuildKit matches the absolute path as is, and patterns never start with `/`.
        return None;
    }
    if cleaned == "." || cleaned == "/" {
        let all = ignore
            .patterns()
            .iter()
            .any(|p| matches!(p.as_str(), "*" | "**" | "**/*"));
        if !all {
            return None;
        }
    }
    matcher.is_excluded(&cleaned).then_some(cleaned)
}

/// Whether an ENV/LABEL instruction (`original`, its text as written) uses the legacy
/// `KEY value` form: its first word has no `=` (BuildKit's `parseNameVal`).
pub fn is_legacy_key_value(original: &str, escape: char) -> bool {
    let text = original.trim();
    let Some(at) = text.find(['\t', '\u{b}', '\u{c}', '\r', ' ']) else {
        return false;
    };
    let rest = text[at..].trim_start();
    parse_words(rest, escape)
        .first()
        .is_some_and(|w| !w.contains('='))
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// BuildKit's `suggest.Search`: the first option closer than 3 edits (strictly closer than
/// any earlier one); none when an option equals `value`.
pub fn suggest(value: &str, options: &[String], case_sensitive: bool) -> Option<String> {
    let fold = |s: &str| {
        if case_sensitive {
            s.to_string()
        } else {
            s.to_lowercase()
        }
    };
    let val = fold(value);
    let mut best = None;
    let mut min = 3;
    for opt in options {
        let o = fold(opt);
        if o == val {
            return None;
        }
        let d = distance(&val, &o);
        if d < min {
            min = d;
            best = Some(if case_sensitive {
                o
            } else {
                match_case(&o, value)
            });
        }
    }
    best
}

/// `suggest.matchCase`: the option in the case of the value when that is all-lower or
/// all-upper.
fn match_case(option: &str, value: &str) -> String {
    if value == value.to_lowercase() {
        option.to_lowercase()
    } else if value == value.to_uppercase() {
        option.to_uppercase()
    } else {
        option.to_string()
    }
}
