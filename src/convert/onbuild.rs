//! ONBUILD triggers the way `dockerfile2llb` runs them since Dockerfile 1.11 (fixed in 1.13):
//! before any stage is dispatched, each reachable stage gets its triggers — the `ONBUILD`
//! instructions of its in-Dockerfile base stage, or the `OnBuild` list of its base image's
//! config — parsed into commands (located at the stage's `FROM` line), linked to the stages they
//! read (`COPY --from`, `RUN --mount=from`, which may add implicit stages to resolve), and put
//! before the stage's own commands. They count towards the stage's `[n/N]` steps and their step
//! names carry `ONBUILD ` (`prefixCommand`). Triggers never carry over to a grandchild: a stage
//! starts with an empty `OnBuild` list (`dispatchState.init`).
//!
//! Not for: dispatching the commands (`dispatch`, `run`, `copy`) or parsing (`dockerfile`).

use crate::dockerfile::ast::{Command, Instruction};

use super::stages::{with_span, Converter};
use super::ConvertError;

impl Converter<'_> {
    /// `initOnBuildTriggers` for every reachable stage not initialised yet; true when a trigger
    /// reads from another stage (the caller resolves bases again, as `resolveStages` loops).
    pub(super) fn init_onbuild_triggers(&mut self) -> Result<bool, ConvertError> {
        let mut new_deps = false;
        let dispatched = self.dispatched_stages();
        for i in 0..self.stages.len() {
            if self.stages[i].onbuild_init || !dispatched.get(i).copied().unwrap_or(false) {
                continue;
            }
            let st = &self.stages[i];
            let triggers: Vec<String> = match st.base {
                Some(b) => self
                    .own_commands(b)
                    .iter()
                    .filter_map(|c| match &c.instruction {
                        Instruction::OnBuild(expr) => Some(expr.clone()),
                        _ => None,
                    })
                    .collect(),
                None if st.unregistered => Vec::new(),
                None => std::mem::take(&mut self.stages[i].image.config.on_build),
            };
            self.stages[i].onbuild_init = true;
            if triggers.is_empty() {
                continue;
            }
            let span = self.stages[i].span.unwrap_or_default();
            let mut commands = Vec::with_capacity(triggers.len());
            let mut sources = Vec::with_capacity(triggers.len());
            for trigger in &triggers {
                let mut cmd: Command = crate::dockerfile::parse_trigger(trigger)
                    .map_err(|e| ConvertError::at(e.message, Some(span)))?;
                cmd.span = span;
                let srcs = self.command_sources(&cmd).map_err(|e| with_span(e, span))?;
                new_deps |= !srcs.is_empty();
                for &s in &srcs {
                    self.stages[i].deps.push((s, Some(span)));
                }
                commands.push(cmd);
                sources.push(srcs);
            }
            let st = &mut self.stages[i];
            st.steps.total += commands.len();
            st.triggers = commands;
            sources.append(&mut st.cmd_sources);
            st.cmd_sources = sources;
        }
        Ok(new_deps)
    }
}
