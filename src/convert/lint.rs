//! The build checks found while converting, at the points where `dockerfile2llb` (Dockerfile
//! 1.26) runs them: global-ARG defaults of FROM (InvalidDefaultArgInFrom), each FROM's
//! variables and `--platform` (UndefinedArgInFrom, RedundantTargetPlatform,
//! FromPlatformFlagConstDisallowed), the resolved base image's platform
//! (InvalidBaseImagePlatform), and per dispatched instruction: variables its expansion could
//! not find (UndefinedVar), ENV/LABEL/ARG (LegacyKeyValueFormat, SecretsUsedInArgOrEnv),
//! WORKDIR (WorkdirRelativePath), CMD/ENTRYPOINT/HEALTHCHECK (MultipleInstructionsDisallowed,
//! JSONArgsRecommended), EXPOSE (ExposeProtoCasing, ExposeInvalidFormat) and COPY/ADD from the
//! context (CopyIgnoredFile). Findings are collected only when [`Lint::on`] (the first
//! platform's first pass), so each is found once per build; whether they are reported is the
//! checks configuration's business, not the converter's.
//!
//! Not for: the parse-time rules (`crate::checks::syntax`) or rendering.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use crate::checks::{keyword, message, values, Finding, Rule, Scope};
use crate::dockerfile::ast::{Command, Span};
use crate::dockerui::MainContext;
use crate::platform::Platform;

use super::reference::Reference;
use super::stages::Converter;
use super::ConvertError;

/// BuildKit's `nonEnvArgs`: never reported as undefined.
const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// The findings of one conversion pass, and the per-stage state the rules track.
#[derive(Debug, Default)]
pub(super) struct Lint {
    on: bool,
    at: Cell<Option<(Span, Scope)>>,
    findings: RefCell<Vec<Finding>>,
    /// Stages (or their base chain) that set a WORKDIR themselves.
    workdir_set: RefCell<BTreeSet<usize>>,
    /// Per stage and instruction kind, where the last CMD/ENTRYPOINT/HEALTHCHECK was.
    used_once: RefCell<BTreeMap<(usize, &'static str), Span>>,
}

impl Lint {
    /// A collector that records findings.
    pub(super) fn on() -> Lint {
        Lint {
            on: true,
            ..Lint::default()
        }
    }

    /// The findings so far.
    pub(super) fn take(&self) -> Vec<Finding> {
        std::mem::take(&mut self.findings.borrow_mut())
    }
}

impl Converter<'_> {
    /// Which stages are dispatched (by index): those reachable from the target, or every stage
    /// when linting without a target (`--check` checks the whole file, like BuildKit's
    /// `AllStages`).
    pub(super) fn dispatched_stages(&self) -> Vec<bool> {
        let opts = self.input.options;
        let lint_all = opts.subrequest == Some(crate::options::Subrequest::Lint)
            && opts.target.as_deref().unwrap_or("").is_empty();
        if lint_all {
            return vec![true; self.stages.len()];
        }
        self.reachable_from(self.target_index)
    }

    /// Findings from now on are located at `location` and configured by `scope`.
    pub(super) fn lint_at(&self, location: Span, scope: Scope) {
        self.lint.at.set(Some((location, scope)));
    }

    /// Findings from now on belong to `cmd`.
    pub(super) fn lint_command(&self, cmd: &Command) {
        self.lint_at(cmd.span, Scope::Node(cmd.span.start));
    }

    fn warn(&self, rule: Rule, message: String) {
        let (location, scope) = self
            .lint
            .at
            .get()
            .unwrap_or((Span::default(), Scope::Build));
        self.warn_at(rule, message, location, scope);
    }

    fn warn_at(&self, rule: Rule, message: String, location: Span, scope: Scope) {
        if !self.lint.on {
            return;
        }
        let location = (location.start > 0).then_some(location);
        self.lint
            .findings
            .borrow_mut()
            .push(Finding::new(rule, message, location, scope));
    }

    /// `ProcessWord` with the stage env, reporting the variables it could not find
    /// (UndefinedVar), like the expander of BuildKit's `dispatch`.
    pub(super) fn expand_checked(&self, i: usize, word: &str) -> Result<String, ConvertError> {
        let env = self.env_of(i);
        let (out, _, unmatched) = self
            .lexer
            .process_word_with_matches(word, &env)
            .map_err(|e| ConvertError::at(e.to_string(), None))?;
        self.report_unmatched(i, &env, unmatched);
        Ok(out)
    }

    /// Reports the variables of `word` the stage env lacks, without using the result (words
    /// BuildKit expands and gofront does not).
    pub(super) fn check_expansion(&self, i: usize, word: &str) {
        let _ = self.expand_checked(i, word);
    }

    /// UndefinedVar for an ARG default: the names declared earlier in the same instruction
    /// count as declared (BuildKit dispatches them one by one).
    pub(super) fn check_arg_default(&self, i: usize, word: &str, earlier: &[&str]) {
        let env = self.env_of(i);
        if let Ok((_, _, mut unmatched)) = self.lexer.process_word_with_matches(word, &env) {
            for k in earlier {
                unmatched.remove(*k);
            }
            self.report_unmatched(i, &env, unmatched);
        }
    }

    /// `reportUnmatchedVariables`: unmatched names minus the stage's declared ARGs (its own and
    /// its base stages') and the SBOM args, each with a suggestion from the env.
    pub(super) fn report_unmatched(
        &self,
        i: usize,
        env: &[(String, String)],
        mut unmatched: BTreeSet<String>,
    ) {
        if unmatched.is_empty() {
            return;
        }
        let mut stage = Some(i);
        let mut hops = 0;
        while let Some(s) = stage.filter(|_| hops <= self.stages.len()) {
            for (k, _) in &self.stages[s].build_args {
                unmatched.remove(k);
            }
            stage = self.stages[s].base;
            hops += 1;
        }
        let options: Vec<String> = env.iter().map(|(k, _)| k.clone()).collect();
        for name in unmatched {
            if NON_ENV_ARGS.contains(&name.as_str()) {
                continue;
            }
            let suggestion = values::suggest(&name, &options, true);
            self.warn(
                Rule::UndefinedVar,
                message::undefined_var(&name, suggestion.as_deref()),
            );
        }
    }

    /// InvalidDefaultArgInFrom: FROM expanded with the global ARG defaults only (no build
    /// args except for the automatic platform args) must name a valid image.
    pub(super) fn lint_default_args(&self) {
        let build_args = &self.input.options.build_args;
        let mut env: Vec<(String, String)> = crate::platform::automatic_args(
            &self.build_platforms[0],
            &self.target,
            &super::stages::target_stage_name(self.input.dockerfile, self.input.options),
        )
        .into_iter()
        .map(|(k, v)| (k.to_string(), build_args.get(k).cloned().unwrap_or(v)))
        .collect();
        for cmd in &self.input.dockerfile.meta_args {
            let crate::dockerfile::ast::Instruction::Arg(decls) = &cmd.instruction else {
                continue;
            };
            for d in decls {
                if let Some(raw) = &d.value {
                    let Ok(v) = self.lexer.process_word(raw, &env) else {
                        return;
                    };
                    super::stages::add_env(&mut env, &d.key, &v);
                }
            }
        }
        for st in &self.input.dockerfile.stages {
            let Ok(name) = self.lexer.process_word(&st.base_name, &env) else {
                return;
            };
            if Reference::parse_normalized(&name).is_err() {
                self.warn_at(
                    Rule::InvalidDefaultArgInFrom,
                    message::invalid_default_arg_in_from(&st.base_name),
                    st.span,
                    Scope::Build,
                );
            }
        }
    }

    /// UndefinedArgInFrom for one FROM word's unmatched variables: not reported for names a
    /// global ARG declares (with or without a value) or an automatic arg.
    pub(super) fn lint_from_args(&self, unmatched: &BTreeSet<String>) {
        let keys: Vec<String> = self.meta_args.iter().map(|(k, _)| k.clone()).collect();
        for arg in unmatched.iter().filter(|a| !keys.contains(a)) {
            let suggestion = values::suggest(arg, &keys, true);
            self.warn(
                Rule::UndefinedArgInFrom,
                message::undefined_arg_in_from(arg, suggestion.as_deref()),
            );
        }
    }

    /// The `--platform` rules of a FROM: RedundantTargetPlatform (only `$TARGETPLATFORM` was
    /// substituted and the value is the target platform) and FromPlatformFlagConstDisallowed (a
    /// constant that parses, with neither its OS nor its architecture in the stage name).
    pub(super) fn lint_from_platform(
        &self,
        raw: &str,
        value: &str,
        matched: &BTreeSet<String>,
        unmatched: &BTreeSet<String>,
        stage_name: &str,
    ) {
        if matched.len() == 1 && unmatched.is_empty() && matched.contains("TARGETPLATFORM") {
            let target = self
                .meta_args
                .iter()
                .rev()
                .find(|(k, _)| k == "TARGETPLATFORM")
                .and_then(|(_, v)| v.clone())
                .unwrap_or_default();
            if value == target {
                self.warn(
                    Rule::RedundantTargetPlatform,
                    message::redundant_target_platform(raw),
                );
            }
        }
        if !matched.is_empty() || !unmatched.is_empty() {
            return;
        }
        let Ok(p) = Platform::parse(value) else {
            return;
        };
        if stage_name.contains(&p.os) || stage_name.contains(&p.architecture) {
            return;
        }
        self.warn(
            Rule::FromPlatformFlagConstDisallowed,
            message::from_platform_flag_const_disallowed(value),
        );
    }

    /// InvalidBaseImagePlatform: the resolved image's OS/architecture differ from the
    /// platform it was resolved for.
    pub(super) fn lint_base_platform(
        &self,
        name: &str,
        expected: &Platform,
        actual: &Platform,
        location: Span,
    ) {
        if expected.os == actual.os && expected.architecture == actual.architecture {
            return;
        }
        let show = |p: &Platform| {
            Platform::parse(&p.to_string())
                .map(|n| n.to_string())
                .unwrap_or_else(|_| p.to_string())
        };
        self.warn_at(
            Rule::InvalidBaseImagePlatform,
            message::invalid_base_image_platform(name, &show(expected), &show(actual)),
            location,
            Scope::Build,
        );
    }

    /// ENV and LABEL: LegacyKeyValueFormat (and, for ENV, SecretsUsedInArgOrEnv per key).
    pub(super) fn lint_key_values(&self, cmd: &Command, keys: &[String], env: bool) {
        let escape = self.input.dockerfile.directives.escape;
        let legacy = values::is_legacy_key_value(&cmd.original, escape);
        for key in keys {
            if legacy {
                self.warn(
                    Rule::LegacyKeyValueFormat,
                    message::legacy_key_value_format(keyword(&cmd.original)),
                );
            }
            if env {
                self.lint_secret("ENV", key);
            }
        }
    }

    /// SecretsUsedInArgOrEnv for one name.
    pub(super) fn lint_secret(&self, instruction: &str, key: &str) {
        if values::is_secret_name(key) {
            self.warn(
                Rule::SecretsUsedInArgOrEnv,
                message::secrets_used_in_arg_or_env(instruction, key),
            );
        }
    }

    /// WorkdirRelativePath: the first WORKDIR of a stage chain is relative.
    pub(super) fn lint_workdir(&self, i: usize, path: &str) {
        let windows = self.stages[i]
            .platform
            .as_ref()
            .is_some_and(|p| p.os == "windows");
        let absolute = path.starts_with('/')
            || (windows && (path.starts_with('\\') || path.get(1..2) == Some(":")));
        let already = self.lint.workdir_set.borrow().contains(&i);
        if !already && !absolute {
            self.warn(
                Rule::WorkdirRelativePath,
                message::workdir_relative_path(path),
            );
        }
        self.lint.workdir_set.borrow_mut().insert(i);
    }

    /// A stage inherits "WORKDIR set" from its base stage.
    pub(super) fn lint_inherit(&self, i: usize, base: usize) {
        let mut set = self.lint.workdir_set.borrow_mut();
        if set.contains(&base) {
            set.insert(i);
        }
    }

    /// MultipleInstructionsDisallowed (reported at the earlier one) and, for shell-form
    /// CMD/ENTRYPOINT without a SHELL in the image config, JSONArgsRecommended.
    pub(super) fn lint_once(&self, i: usize, cmd: &Command, kind: &'static str, shell_form: bool) {
        let (location, scope) = self.lint.at.get().unwrap_or((cmd.span, Scope::Build));
        let name = keyword(&cmd.original);
        let previous = self.lint.used_once.borrow_mut().insert((i, kind), location);
        if let Some(prev) = previous {
            self.warn_at(
                Rule::MultipleInstructionsDisallowed,
                message::multiple_instructions_disallowed(name),
                prev,
                scope,
            );
        }
        if shell_form && self.stages[i].image.config.shell.is_empty() {
            self.warn(
                Rule::JsonArgsRecommended,
                message::json_args_recommended(name),
            );
        }
    }

    /// ExposeProtoCasing and ExposeInvalidFormat for the expanded port words, up to the first
    /// one BuildKit rejects before linting.
    pub(super) fn lint_expose(&self, ports: &[String]) {
        for p in ports {
            let Some((casing, format)) = values::expose_port(p) else {
                return;
            };
            if casing {
                self.warn(Rule::ExposeProtoCasing, message::expose_proto_casing(p));
            }
            if format {
                self.warn(Rule::ExposeInvalidFormat, message::expose_invalid_format(p));
            }
        }
    }

    /// CopyIgnoredFile for the local sources of a COPY/ADD from the main context.
    pub(super) fn lint_copy_sources(&self, sources: &[String], is_add: bool) {
        let MainContext::Local(ignore) = &self.input.context.main else {
            return;
        };
        let command = if is_add { "Add" } else { "Copy" };
        for src in sources {
            if let Some(path) = values::copies_ignored(ignore, src) {
                self.warn(
                    Rule::CopyIgnoredFile,
                    message::copy_ignored_file(command, &path),
                );
            }
        }
    }
}
