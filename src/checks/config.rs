//! Which checks run and how they are reported: the `check` option string of the
//! `# check=skip=...;error=...;experimental=...` parser directive, of the
//! `BUILDKIT_DOCKERFILE_CHECK` build argument (which replaces the directive entirely), and of
//! `# check=` comments right above an instruction or a FROM (Dockerfile 1.21), which merge into
//! the configuration for that instruction or stage only. Semantics are those of BuildKit's
//! `linter.ParseLintOptions`, `WithMergedConfig` and `WithMergedConfigFromComments`.
//!
//! Not for: finding violations or rendering them.

use std::collections::BTreeSet;

use crate::gostd::strconv::{parse_bool, quote};

use super::rules::Rule;

/// The build argument that replaces the `check` directive.
pub const BUILD_ARG: &str = "BUILDKIT_DOCKERFILE_CHECK";

/// A `check` option string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A part without `=`, or an unknown key (the part or key is quoted like Go's `%q`).
    #[error("invalid check option {}", quote(.0))]
    InvalidOption(String),
    /// `error=` with a value that is not a Go boolean.
    #[error("failed to parse check option {}: strconv.ParseBool: parsing {}: invalid syntax", quote(.part), quote(.value))]
    InvalidBool {
        /// The whole `error=...` part.
        part: String,
        /// The value after `=`, trimmed.
        value: String,
    },
}

/// The checks configuration of a build (or of one instruction, after merging its comments).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckConfig {
    /// `skip=all`.
    pub skip_all: bool,
    /// `skip=A,B`.
    pub skip: BTreeSet<String>,
    /// `experimental=all`.
    pub experimental_all: bool,
    /// `experimental=A,B`.
    pub experimental: BTreeSet<String>,
    /// `error=true`: a reported violation fails the build after conversion.
    pub error: bool,
}

/// Where the build's configuration came from, for the error message when it does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    /// The `BUILDKIT_DOCKERFILE_CHECK` build argument.
    BuildArg,
    /// The `# check=` directive.
    Directive,
}

impl ConfigSource {
    /// BuildKit's wrapping of a parse error from this source.
    pub fn wrap(self, e: &ConfigError) -> String {
        match self {
            ConfigSource::BuildArg => format!("failed to parse build-arg:{BUILD_ARG}: {e}"),
            ConfigSource::Directive => format!("failed to parse check options: {e}"),
        }
    }
}

impl CheckConfig {
    /// Parses a `check` option string (`linter.ParseLintOptions`): at most three `;`-separated
    /// `key=value` parts (the third keeps any further `;`), keys `skip`, `experimental` (a
    /// comma list or `all`) and `error` (a Go boolean).
    pub fn parse(text: &str) -> Result<CheckConfig, ConfigError> {
        let text = text.trim();
        let mut config = CheckConfig::default();
        if text.is_empty() {
            return Ok(config);
        }
        for part in text.splitn(3, ';') {
            let Some((key, value)) = part.split_once('=') else {
                return Err(ConfigError::InvalidOption(part.to_string()));
            };
            match key.trim() {
                "skip" => match value.trim() {
                    "all" => config.skip_all = true,
                    v => config.skip = v.split(',').map(|r| r.trim().to_string()).collect(),
                },
                "experimental" => match value.trim() {
                    "all" => config.experimental_all = true,
                    v => config.experimental = v.split(',').map(|r| r.trim().to_string()).collect(),
                },
                "error" => {
                    let value = value.trim();
                    config.error = parse_bool(value).map_err(|_| ConfigError::InvalidBool {
                        part: part.to_string(),
                        value: value.to_string(),
                    })?;
                }
                other => return Err(ConfigError::InvalidOption(other.to_string())),
            }
        }
        Ok(config)
    }

    /// The build's configuration: the build argument when it is given (even empty), else the
    /// directive, else the defaults.
    pub fn for_build(
        build_arg: Option<&str>,
        directive: Option<&str>,
    ) -> Result<CheckConfig, (ConfigSource, ConfigError)> {
        match (build_arg, directive) {
            (Some(arg), _) => CheckConfig::parse(arg).map_err(|e| (ConfigSource::BuildArg, e)),
            (None, Some(d)) => CheckConfig::parse(d).map_err(|e| (ConfigSource::Directive, e)),
            (None, None) => Ok(CheckConfig::default()),
        }
    }

    /// This configuration with `other`'s skips and experimental rules added (`error` is not
    /// merged: it is a property of the build).
    pub fn merged(&self, other: &CheckConfig) -> CheckConfig {
        let mut out = self.clone();
        out.skip_all |= other.skip_all;
        out.experimental_all |= other.experimental_all;
        out.skip.extend(other.skip.iter().cloned());
        out.experimental.extend(other.experimental.iter().cloned());
        out
    }

    /// This configuration merged with the first `check=` directive among the comment lines
    /// above an instruction (text after the value's first space is ignored; a value that does
    /// not parse leaves the configuration unchanged).
    pub fn with_comments(&self, comments: &[String]) -> CheckConfig {
        for comment in comments {
            let Some((name, value)) = comment_directive(comment) else {
                continue;
            };
            if name != "check" {
                continue;
            }
            let value = value.split(' ').next().unwrap_or("");
            return match CheckConfig::parse(value) {
                Ok(other) => self.merged(&other),
                Err(_) => self.clone(),
            };
        }
        self.clone()
    }

    /// Whether `rule` runs under this configuration: experimental rules only when enabled
    /// (`skip` does not apply to them), the others unless skipped.
    pub fn runs(&self, rule: Rule) -> bool {
        let name = rule.name();
        if rule.info().experimental {
            self.experimental_all || self.experimental.contains(name)
        } else {
            !(self.skip_all || self.skip.contains(name))
        }
    }
}

/// The value of the `check` parser directive as BuildKit's linter reads it
/// (`parser.ParseDirective("check", ...)`): a leading BOM and a `#!` first line skipped, then
/// the leading lines that start with `#` and are `name=value` directives of a known name (a
/// duplicate ends the scan), and of the value only what comes before its first space.
pub fn check_directive(source: &str) -> Option<String> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut lines = source.lines().peekable();
    if lines.peek().is_some_and(|l| l.starts_with("#!")) {
        lines.next();
    }
    let mut seen: Vec<String> = Vec::new();
    for line in lines {
        let Some(rest) = line.strip_prefix('#') else {
            break;
        };
        let Some((name, value)) = comment_directive(rest) else {
            break;
        };
        if seen.contains(&name) {
            break;
        }
        if name == "check" {
            return Some(value.split(' ').next().unwrap_or("").to_string());
        }
        seen.push(name);
    }
    None
}

/// Go RE2 `\s`.
fn is_re_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

/// A comment line (the text after `#`, trimmed) read as a parser directive, the way
/// BuildKit's `DirectiveParser` with an empty comment prefix reads it:
/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` after leading white space, name lower-cased, and
/// only the known directive names.
fn comment_directive(comment: &str) -> Option<(String, String)> {
    let rest = comment.trim_start();
    let name_end = rest
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
        .map_or(rest.len(), |(i, _)| i);
    let name = &rest[..name_end];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let value = rest[name_end..]
        .trim_start_matches(is_re_space)
        .strip_prefix('=')?;
    let trimmed = value.trim_start_matches(is_re_space);
    let value = if trimmed.is_empty() {
        // `.+?` must take one character: the last white-space one.
        value.chars().last()?.to_string()
    } else {
        trimmed.trim_end_matches(is_re_space).to_string()
    };
    if value.contains('\n') {
        return None;
    }
    let name = name.to_ascii_lowercase();
    matches!(name.as_str(), "syntax" | "escape" | "check").then_some((name, value))
}

#[cfg(test)]
pub(super) fn comment_directive_for_tests(comment: &str) -> Option<(String, String)> {
    comment_directive(comment)
}
