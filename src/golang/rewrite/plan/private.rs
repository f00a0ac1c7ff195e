//! The private rewrite: every step that may fetch modules (the deps step, go RUNs that build,
//! test or download, RUNs that may run go through a build tool) gets what private modules and
//! corporate networks need, each optional, so a build without them is unchanged:
//!
//! - an ssh mount (`--mount=type=ssh`: the agent of `--ssh default`, when given);
//! - secret mounts for `netrc` (at the user's `~/.netrc`), `known_hosts`, `ca`, and, for the
//!   literal GOPRIVATE/GONOPROXY hosts, BuildKit's `GIT_AUTH_TOKEN` and `GIT_AUTH_TOKEN.<host>`;
//! - a tmpfs at `/run/gofront` and the fetch wrapper (`fetch_script`) around the command, which
//!   sets up known hosts, ssh for the private hosts when an agent is there, git credentials from
//!   the tokens and the CA, and explains a failure.
//!
//! Secret and ssh mounts a RUN already has are kept and not added twice. The wrapper needs the
//! default shell and a command without heredocs; other RUNs get the mounts only.

use super::*;
use crate::dockerfile::ast::{CommandLine, Run};
use crate::golang::rewrite::fetch_script::{
    is_literal_host, SECRET_CA, SECRET_KNOWN_HOSTS, SECRET_NETRC, SECRET_TOKEN, WORK_DIR,
};

/// What the private rewrite does to one RUN.
#[derive(Debug, Clone, Default)]
pub(super) struct StepFetch {
    /// Optional ssh and secret mount flags to add after the RUN keyword.
    pub mounts: Vec<String>,
    /// The command runs inside the fetch wrapper (with a tmpfs at its work directory).
    pub wrap: bool,
}

impl StepFetch {
    /// Every flag to add: the mounts, and the wrapper's tmpfs.
    pub fn flags(&self) -> Vec<String> {
        let mut flags = self.mounts.clone();
        if self.wrap {
            flags.push(format!("--mount=type=tmpfs,target={WORK_DIR}"));
        }
        flags
    }
}

/// Outcome of the private rewrite in one stage.
#[derive(Debug, Clone, Default)]
pub(super) struct PrivateOutcome {
    /// Why the whole stage is skipped.
    pub stage_skip: Option<String>,
    /// Literal private hosts (GOPRIVATE, GONOPROXY) the wrapper configures.
    pub hosts: Vec<String>,
    /// Private patterns that are not a literal host (`*.corp.example`), left to the user.
    pub other_patterns: Vec<String>,
    /// Per fetch step (by command index).
    pub steps: BTreeMap<usize, StepFetch>,
    /// A SHELL instruction in the stage or those it is built on: no command can be wrapped.
    pub custom_shell: bool,
}

impl<'a> Planner<'a> {
    /// Plans the private rewrite for a stage (nothing when it is off).
    pub(super) fn private(&self, s: &StageAnalysis) -> PrivateOutcome {
        let mut out = PrivateOutcome::default();
        if !self.options.is_on(RewriteKind::Private) {
            return out;
        }
        let (hosts, other) = self.private_hosts(s);
        out.hosts = hosts;
        out.other_patterns = other;
        out.custom_shell = self
            .chain(s.index)
            .iter()
            .any(|st| self.stage_has_shell_instruction(st.index));
        for step in super::cache::mounted_steps(s) {
            let fetch = self.step_fetch(s, step, &out.hosts, out.custom_shell);
            out.steps.insert(step.command_index(), fetch);
        }
        if out.steps.is_empty() {
            out.stage_skip = Some("no go command here fetches modules".into());
        }
        out
    }

    /// The private hosts: the first path element of each GOPRIVATE and GONOPROXY pattern, as
    /// the go commands of the stage see them (the Dockerfile's own setting, else the build arg
    /// the env rewrite passes).
    fn private_hosts(&self, s: &StageAnalysis) -> (Vec<String>, Vec<String>) {
        let mut hosts = BTreeSet::new();
        let mut other = BTreeSet::new();
        for step in steps(s) {
            let env = step.env();
            let vars = self.effective_vars(&env.vars, &env.from_dockerfile);
            for name in ["GOPRIVATE", "GONOPROXY"] {
                let Some(value) = vars.get(name) else {
                    continue;
                };
                for pattern in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let host = pattern.split('/').next().unwrap_or(pattern);
                    if is_literal_host(host) {
                        hosts.insert(host.to_string());
                    } else {
                        other.insert(pattern.to_string());
                    }
                }
            }
        }
        (hosts.into_iter().collect(), other.into_iter().collect())
    }

    fn stage_has_shell_instruction(&self, stage: usize) -> bool {
        self.df.stages.get(stage).is_some_and(|st| {
            st.commands
                .iter()
                .any(|c| matches!(c.instruction, Instruction::Shell(_)))
        })
    }

    fn run_instruction(&self, s: &StageAnalysis, command_index: usize) -> Option<&'a Run> {
        let cmd = self.df.stages.get(s.index)?.commands.get(command_index)?;
        match &cmd.instruction {
            Instruction::Run(r) => Some(r),
            _ => None,
        }
    }

    pub(super) fn step_fetch(
        &self,
        s: &StageAnalysis,
        step: Step,
        hosts: &[String],
        shell_set: bool,
    ) -> StepFetch {
        let Some(run) = self.run_instruction(s, step.command_index()) else {
            return StepFetch::default();
        };
        let keyword_ok = self
            .lines
            .get(step.span().start.wrapping_sub(1))
            .and_then(|l| run_keyword_end(l, self.df.directives.escape))
            .is_some();
        if !keyword_ok {
            return StepFetch::default();
        }
        let mounts = fetch_mounts(run, &step.user_spec(), step.env().home.as_deref(), hosts);
        let wrap = !shell_set
            && run.heredocs.is_empty()
            && matches!(run.command, CommandLine::Shell(_))
            && !has_mount_target(run, WORK_DIR);
        StepFetch { mounts, wrap }
    }

    pub(super) fn private_decision(
        &mut self,
        s: &StageAnalysis,
        outcome: &PrivateOutcome,
    ) -> Decision {
        let span = Self::first_run_span(s);
        if let Some(reason) = &outcome.stage_skip {
            return self.decision(s, RewriteKind::Private, span, false, reason.clone());
        }
        let all = steps(s);
        let mut lines = Vec::new();
        let mut wrapped = Vec::new();
        let mut first = None;
        for (ci, fetch) in &outcome.steps {
            let Some(step) = all.iter().find(|r| r.command_index() == *ci) else {
                continue;
            };
            let line = step.span().start;
            let flags = fetch.flags();
            if !flags.is_empty() {
                self.edits.flags.entry(line).or_default().extend(flags);
                first.get_or_insert(step.span());
                lines.push(step.line_label());
            }
            if fetch.wrap {
                self.edits.wraps.insert(line);
                wrapped.push(line.to_string());
            }
        }
        if lines.is_empty() {
            return self.decision(
                s,
                RewriteKind::Private,
                span,
                false,
                "no fetch step gofront can add mounts to".into(),
            );
        }
        let mut detail = format!(
            "optional ssh agent and secrets (netrc, known_hosts, ca{}) on {}",
            if outcome.hosts.is_empty() {
                String::new()
            } else {
                format!(", {SECRET_TOKEN}[.host]")
            },
            line_list(&lines)
        );
        if !wrapped.is_empty() {
            detail.push_str(&format!(
                "; fetch setup and explained failures on {}",
                line_list(&wrapped)
            ));
        }
        if !outcome.hosts.is_empty() {
            detail.push_str(&format!(
                "; with --ssh, git uses ssh for {}",
                outcome.hosts.join(", ")
            ));
        }
        if !outcome.other_patterns.is_empty() {
            detail.push_str(&format!(
                "; {} is not a host name, so git is not redirected for it",
                outcome.other_patterns.join(", ")
            ));
        }
        self.decision(s, RewriteKind::Private, first.unwrap_or(span), true, detail)
    }
}

/// The optional mounts of a fetch step, without those the RUN has itself (same type and id or
/// target). Secrets and the agent socket belong to a numeric non-root USER (`uid`/`gid`); a
/// named one would make them unreadable, so it gets none.
fn fetch_mounts(run: &Run, user: &UserSpec, home: Option<&str>, hosts: &[String]) -> Vec<String> {
    let owner = if user.is_root() {
        Some(String::new())
    } else {
        owner_flags(user)
    };
    let Some(owner) = owner else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if !has_mount_type(run, MountType::Ssh) {
        out.push(format!("--mount=type=ssh{owner}"));
    }
    let mut secret = |id: &str, target: Option<String>| {
        if has_secret(run, id, target.as_deref()) {
            return;
        }
        match target {
            Some(t) => out.push(format!("--mount=type=secret,id={id},target={t}{owner}")),
            None => out.push(format!("--mount=type=secret,id={id}{owner}")),
        }
    };
    if let Some(home) = home.filter(|h| safe_path(h)) {
        secret(SECRET_NETRC, Some(join_path(home, ".netrc")));
    }
    secret(SECRET_KNOWN_HOSTS, None);
    secret(SECRET_CA, None);
    if !hosts.is_empty() {
        secret(SECRET_TOKEN, None);
        for h in hosts {
            secret(&format!("{SECRET_TOKEN}.{h}"), None);
        }
    }
    out
}

fn parsed_mounts(run: &Run) -> Vec<crate::dockerfile::instructions::Mount> {
    let identity = |w: &str| Ok(w.to_string());
    run.mounts
        .iter()
        .filter_map(|raw| parse_mount(raw, &identity).ok())
        .collect()
}

fn has_mount_type(run: &Run, kind: MountType) -> bool {
    parsed_mounts(run).iter().any(|m| m.kind == kind)
}

fn has_mount_target(run: &Run, target: &str) -> bool {
    parsed_mounts(run)
        .iter()
        .any(|m| clean_path(&m.target) == clean_path(target))
}

/// The RUN mounts secret `id` itself, or something at `target`.
fn has_secret(run: &Run, id: &str, target: Option<&str>) -> bool {
    parsed_mounts(run).iter().any(|m| {
        // A secret's id defaults to the base name of its target, as in BuildKit.
        let secret_id = m
            .cache_id
            .as_deref()
            .or_else(|| m.target.rsplit('/').next().filter(|b| !b.is_empty()));
        (m.kind == MountType::Secret && secret_id == Some(id))
            || target
                .is_some_and(|t| !m.target.is_empty() && clean_path(&m.target) == clean_path(t))
    })
}
