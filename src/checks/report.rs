//! From candidate violations ([`Finding`]s, found without looking at the configuration) to what
//! a build reports ([`Report`]): each finding is kept when its rule runs under the build's
//! configuration merged with the `# check=` comments of the instruction it belongs to, in the
//! order found (BuildKit's `Linter.Run`); `error=true` turns the kept rules into the build
//! error `lint violation found for rules: ...` (`Linter.Error`). Also the text of one build
//! warning (`LintFormatShort`).
//!
//! Not for: finding violations, or the wire/JSON shapes (the frontend renders those).

use std::collections::BTreeMap;

use crate::dockerfile::ast::Span;

use super::config::CheckConfig;
use super::rules::Rule;

/// Whose `# check=` comments apply to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only the build's configuration (BuildKit runs these rules on its top-level linter).
    Build,
    /// The comments above the instruction (or FROM) that starts on this line.
    Node(usize),
}

/// A violation, before the configuration decides whether it is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// The formatted message (the rule's `Format`).
    pub message: String,
    /// The Dockerfile lines (`None`: no location).
    pub location: Option<Span>,
    /// Which comments configure it.
    pub scope: Scope,
}

impl Finding {
    /// A finding at `location`, configured by `scope`.
    pub fn new(rule: Rule, message: String, location: Option<Span>, scope: Scope) -> Finding {
        Finding {
            rule,
            message,
            location,
            scope,
        }
    }
}

/// A reported violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The rule.
    pub rule: Rule,
    /// The formatted message.
    pub message: String,
    /// Where.
    pub location: Option<Span>,
}

impl Warning {
    /// The one-line text of a build warning: `<Rule>: <message> (line N)`
    /// (`linter.LintFormatShort`; no line part without a location).
    pub fn short(&self) -> String {
        let mut out = format!("{}: {}", self.rule.name(), self.message);
        if let Some(span) = self.location.filter(|s| s.start > 0) {
            out.push_str(&format!(" (line {})", span.start));
        }
        out
    }

    /// The rule's description (the warning's detail line).
    pub fn description(&self) -> &'static str {
        self.rule.info().description
    }

    /// The rule's documentation URL, if it has one.
    pub fn url(&self) -> Option<String> {
        self.rule.url()
    }

    /// The location as BuildKit sends it: one single-line range per line.
    pub fn ranges(&self) -> Vec<Span> {
        self.location
            .map(|s| s.lines().collect())
            .unwrap_or_default()
    }
}

/// What the checks of one build report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Reported violations, in the order found.
    pub warnings: Vec<Warning>,
    /// `error=true` was configured.
    pub error_on_warning: bool,
}

impl Report {
    /// `lint violation found for rules: A, B` when `error=true` and a rule reported something
    /// (each rule once; BuildKit prints them in Go map order, which varies from run to run;
    /// gofront in the order they were first reported).
    pub fn violation_error(&self) -> Option<String> {
        if !self.error_on_warning || self.warnings.is_empty() {
            return None;
        }
        let mut rules: Vec<&str> = Vec::new();
        for w in &self.warnings {
            if !rules.contains(&w.rule.name()) {
                rules.push(w.rule.name());
            }
        }
        Some(format!(
            "lint violation found for rules: {}",
            rules.join(", ")
        ))
    }
}

/// The build's checks configuration and the comments above each instruction: decides which
/// findings are reported.
#[derive(Debug, Clone, Default)]
pub struct Checker {
    config: CheckConfig,
    comments: BTreeMap<usize, Vec<String>>,
}

impl Checker {
    /// A checker for a build with `config`; `comments` are the comment lines above each
    /// instruction, by the instruction's first line.
    pub fn new(config: CheckConfig, comments: BTreeMap<usize, Vec<String>>) -> Checker {
        Checker { config, comments }
    }

    /// The configuration that applies in `scope`.
    pub fn config_for(&self, scope: Scope) -> CheckConfig {
        match scope {
            Scope::Build => self.config.clone(),
            Scope::Node(line) => match self.comments.get(&line) {
                Some(comments) => self.config.with_comments(comments),
                None => self.config.clone(),
            },
        }
    }

    /// Whether `rule` is reported in `scope`.
    pub fn runs(&self, rule: Rule, scope: Scope) -> bool {
        self.config_for(scope).runs(rule)
    }

    /// The report of `findings`, in their order.
    pub fn report<'a>(&self, findings: impl IntoIterator<Item = &'a Finding>) -> Report {
        let warnings = findings
            .into_iter()
            .filter(|f| self.runs(f.rule, f.scope))
            .map(|f| Warning {
                rule: f.rule,
                message: f.message.clone(),
                location: f.location,
            })
            .collect();
        Report {
            warnings,
            error_on_warning: self.config.error,
        }
    }
}
