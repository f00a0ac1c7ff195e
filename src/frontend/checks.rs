//! The build checks of one pipeline run: the configuration (`BUILDKIT_DOCKERFILE_CHECK`, else
//! the `# check=` directive), the parse-time findings, the converter's findings of the
//! Dockerfile as written (phase 1, first platform), and the Go diagnoses as findings of
//! gofront's own rules, combined into the [`Report`] a build warns with and `--check` answers.
//!
//! Not for: finding anything itself, or rendering (`lint` renders the `--check` answer; the
//! gateway sends build warnings).

use crate::checks::{
    config, syntax_checks, CheckConfig, Checker, Finding, Report, Rule, Scope, SyntaxChecks,
};
use crate::golang::facts::{Diagnostic, Severity};
use crate::options::BuildOptions;

use super::FrontendError;

/// The checks state of a pipeline run.
#[derive(Debug, Clone, Default)]
pub struct BuildChecks {
    syntax: SyntaxChecks,
    checker: Checker,
    convert: Vec<Finding>,
    go: Vec<Finding>,
}

/// The build argument's configuration, checked before anything else like dockerui's `Init`
/// does (`failed to parse build-arg:BUILDKIT_DOCKERFILE_CHECK: ...` fails every request).
pub fn check_build_arg(options: &BuildOptions) -> Result<(), FrontendError> {
    match options.build_args.get(config::BUILD_ARG) {
        Some(arg) => CheckConfig::parse(arg)
            .map(|_| ())
            .map_err(|e| FrontendError::Options(config::ConfigSource::BuildArg.wrap(&e))),
        None => Ok(()),
    }
}

impl BuildChecks {
    /// The checks of `source` (`parse_error_line`: where `dockerfile::parse` failed, if it
    /// did). A `check` directive that does not parse is an error (the build fails with it;
    /// `--check` reports it as the build error).
    pub fn new(
        source: &str,
        options: &BuildOptions,
        parse_error_line: Option<usize>,
    ) -> Result<BuildChecks, FrontendError> {
        let syntax = syntax_checks(source, parse_error_line);
        let build_arg = options
            .build_args
            .get(config::BUILD_ARG)
            .map(String::as_str);
        let directive = config::check_directive(source);
        let config = CheckConfig::for_build(build_arg, directive.as_deref())
            .map_err(|(from, e)| FrontendError::at(from.wrap(&e), None))?;
        let checker = Checker::new(config, syntax.comments.clone());
        Ok(BuildChecks {
            syntax,
            checker,
            ..BuildChecks::default()
        })
    }

    /// The converter's findings of the Dockerfile as written (replacing earlier attempts').
    pub fn set_convert(&mut self, findings: Vec<Finding>) {
        self.convert = findings;
    }

    /// The Go diagnoses as findings: warnings only for a build (an error diagnosis fails it
    /// instead), every diagnosis for `--check`.
    pub fn set_go<'a>(&mut self, diagnostics: impl Iterator<Item = &'a Diagnostic>, all: bool) {
        self.go = diagnostics
            .filter(|d| all || d.severity == Severity::Warning)
            .filter_map(|d| {
                let rule = Rule::from_go_code(d.code)?;
                Some(Finding::new(
                    rule,
                    d.message.clone(),
                    Some(d.span),
                    Scope::Node(d.span.start),
                ))
            })
            .collect();
    }

    /// Whether a Go diagnosis is reported (not skipped, by the build's configuration or the
    /// `# check=` comments of the instruction it is about). Codes without a rule always are.
    pub fn reports(&self, d: &Diagnostic) -> bool {
        match Rule::from_go_code(d.code) {
            Some(rule) => self.checker.runs(rule, Scope::Node(d.span.start)),
            None => true,
        }
    }

    /// Everything reported so far, in BuildKit's order (parser, converter), then the Go rules.
    pub fn report(&self) -> Report {
        self.checker.report(
            self.syntax
                .findings
                .iter()
                .chain(&self.convert)
                .chain(&self.go),
        )
    }
}

#[cfg(test)]
mod tests;
