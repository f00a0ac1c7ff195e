//! Build checks: the rules of the stock Dockerfile frontend (BuildKit's `linter`, as of
//! Dockerfile 1.26) and gofront's Go rules in one system, pure. Findings come from three places
//! in BuildKit's order: the parser layer (`syntax`: casing, stage names, MAINTAINER,
//! descriptions, empty continuations), the converter (rules that need expanded values, the
//! stage env or base images; it calls the predicates in `values` and formats with
//! [`rules::message`]), and the Go analysis (its diagnostic codes map to rules). A [`Checker`]
//! built from the configuration (`config`: the `check` directive, `BUILDKIT_DOCKERFILE_CHECK`,
//! per-instruction `# check=` comments) turns findings into a [`Report`].
//!
//! Split by concern: `rules` (the table and messages), `config`, `syntax`, `values`, `report`;
//! table tests in `tests.rs`.
//!
//! Not for: walking stages or expanding words (the converter), rendering build warnings or
//! `--check` results (the frontend and gateway), or I/O.

pub mod config;
pub mod report;
pub mod rules;
pub mod syntax;
pub mod values;

pub use config::CheckConfig;
pub use report::{Checker, Finding, Report, Scope, Warning};
pub use rules::{message, Rule};
pub use syntax::{keyword, syntax_checks, SyntaxChecks};

#[cfg(test)]
mod tests;
