//! The pipeline's side of the build checks: what a run reports so far, how a planning error
//! becomes `--check`'s build error, and the end of a run (the plan with its checks report, the
//! `--check` answer, or the `error=true` failure).
//!
//! Not for: the checks state itself (`frontend::checks`) or rendering (`frontend::lint`).

use crate::checks::Report;
use crate::convert::Converted;
use crate::options::Subrequest;

use super::super::FrontendError;
use super::{Outcome, Pipeline, Plan, Step};

impl Pipeline {
    /// What the build checks report so far: everything when planning finished, the findings
    /// before the error when it failed (the caller warns with them either way).
    pub fn check_report(&self) -> Report {
        let Some(checks) = &self.checks else {
            return Report::default();
        };
        let mut checks = checks.clone();
        if let Some(report) = &self.report {
            checks.set_go(report.diagnostics(), self.linting());
        }
        checks.report()
    }

    /// Whether this run answers `--check` (`frontend.lint`) instead of building.
    pub(super) fn linting(&self) -> bool {
        self.request.options.subrequest == Some(Subrequest::Lint)
    }

    /// A planning error (also one of the caller's, such as a base image that does not
    /// resolve): the build fails with it; `--check` reports it as the build error, beside the
    /// warnings found before it.
    pub fn fail(&self, e: FrontendError) -> Result<Step, FrontendError> {
        if !self.linting() {
            return Err(e);
        }
        let answer =
            super::super::lint::answer(&self.check_report(), &self.request.dockerfile, Some(&e));
        Ok(Step::Done(Outcome::Answer(answer)))
    }

    /// The finished plan: the conversion plus the Go report and the checks report (or, for
    /// `--check`, the checks report alone). With `error=true`, a reported violation fails the
    /// build instead (`lint violation found for rules: ...`).
    pub(super) fn done(&self, converted: Converted) -> Result<Step, FrontendError> {
        let checks = self.check_report();
        if let Some(message) = checks.violation_error() {
            return self.fail(FrontendError::at(message, None));
        }
        if self.linting() {
            let answer = super::super::lint::answer(&checks, &self.request.dockerfile, None);
            return Ok(Step::Done(Outcome::Answer(answer)));
        }
        Ok(Step::Done(Outcome::Plan(Box::new(Plan {
            converted,
            go: self.report.clone(),
            checks,
        }))))
    }
}
