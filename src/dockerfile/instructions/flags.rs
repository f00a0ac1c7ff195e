//! Instruction flags (`--from=x`, `--link`) the way BuildKit's `BFlags` parses them: each
//! instruction declares its flags and their kinds, unknown ones fail with BuildKit's
//! `unknown flag: x (did you mean y?)` suggestion, booleans take `true`/`false` only.
//!
//! Not for: the meaning of a flag's value (mounts, networks: see `mounts`, `run_flags`).

/// Levenshtein distance over chars.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// BuildKit's `suggest.WrapError`: appends ` (did you mean X?)` for a close option.
pub(crate) fn with_suggestion(
    message: String,
    value: &str,
    options: &[&str],
    case_sensitive: bool,
) -> String {
    let val = if case_sensitive {
        value.to_string()
    } else {
        value.to_lowercase()
    };
    let mut best: Option<String> = None;
    let mut min = 3usize;
    for opt in options {
        let o = if case_sensitive {
            opt.to_string()
        } else {
            opt.to_lowercase()
        };
        if o == val {
            return message;
        }
        let d = levenshtein(&val, &o);
        if d < min {
            min = d;
            best = Some(if case_sensitive {
                o
            } else if value == value.to_lowercase() {
                o.to_lowercase()
            } else if value == value.to_uppercase() {
                o.to_uppercase()
            } else {
                o
            });
        }
    }
    match best {
        Some(m) => format!("{message} (did you mean {m}?)"),
        None => message,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FlagKind {
    Bool,
    Str,
    Strs,
}

/// Values of the flags given to one instruction.
#[derive(Default)]
pub(super) struct Flags {
    values: Vec<(&'static str, Vec<String>)>,
}

impl Flags {
    pub(super) fn parse(
        args: &[String],
        specs: &[(&'static str, FlagKind)],
    ) -> Result<Flags, String> {
        let mut flags = Flags::default();
        for arg in args {
            let Some(body) = arg.strip_prefix("--") else {
                return Err(format!("arg should start with -- : {arg}"));
            };
            if body.is_empty() {
                return Ok(flags);
            }
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            // Messages name the flag with its `--` (Dockerfile 1.11+), suggestions without.
            let flag = format!("--{name}");
            let Some(&(spec_name, kind)) = specs.iter().find(|(n, _)| *n == name) else {
                let names: Vec<&str> = specs.iter().map(|(n, _)| *n).collect();
                return Err(with_suggestion(
                    format!("unknown flag: {flag}"),
                    name,
                    &names,
                    true,
                ));
            };
            let seen = flags.values.iter().position(|(n, _)| *n == spec_name);
            if seen.is_some() && kind != FlagKind::Strs {
                return Err(format!("duplicate flag specified: {flag}"));
            }
            let stored = match kind {
                FlagKind::Bool => {
                    if value == Some("") {
                        return Err(format!("missing a value on flag: {flag}"));
                    }
                    match value.unwrap_or("").to_lowercase().as_str() {
                        "true" | "" => "true".to_string(),
                        "false" => "false".to_string(),
                        _ => {
                            return Err(format!(
                                "expecting boolean value for flag {flag}, not: {}",
                                value.unwrap_or("")
                            ))
                        }
                    }
                }
                FlagKind::Str | FlagKind::Strs => match value {
                    Some(v) => v.to_string(),
                    None => return Err(format!("missing a value on flag: {flag}")),
                },
            };
            match seen {
                Some(i) => flags.values[i].1.push(stored),
                None => flags.values.push((spec_name, vec![stored])),
            }
        }
        Ok(flags)
    }

    pub(super) fn string(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.last().cloned())
    }

    /// A string flag, `None` when absent or empty (BuildKit treats both alike).
    pub(super) fn non_empty(&self, name: &str) -> Option<String> {
        self.string(name).filter(|v| !v.is_empty())
    }

    pub(super) fn strings(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub(super) fn bool(&self, name: &str) -> Option<bool> {
        self.string(name).map(|v| v == "true")
    }
}
