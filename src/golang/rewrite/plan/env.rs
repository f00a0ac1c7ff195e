//! The env rewrite: Go settings given as build args reach the go RUNs as process environment.

use super::*;

impl<'a> Planner<'a> {
    /// Per RUN that runs or may run go (command index): the build args it receives, sorted by
    /// name. A setting the Dockerfile makes itself (ENV, a declared ARG, `go env -w`, or every
    /// go command's own `NAME=value` / `export`) is left alone: the user's setting wins. Empty
    /// when the env rewrite is off.
    pub(super) fn passthrough(&self, s: &StageAnalysis) -> BTreeMap<usize, Vec<(String, String)>> {
        let mut out = BTreeMap::new();
        if !self.options.is_on(RewriteKind::Env) {
            return out;
        }
        for step in steps(s) {
            let vars: Vec<(String, String)> = PASSTHROUGH
                .iter()
                .filter(|n| !step.sets(n))
                .filter_map(|n| {
                    let v = self.options.build_args.get(*n)?;
                    Some((n.to_string(), v.clone()))
                })
                .collect();
            out.insert(step.command_index(), vars);
        }
        out
    }

    pub(super) fn env_decision(
        &mut self,
        s: &StageAnalysis,
        env: &BTreeMap<usize, Vec<(String, String)>>,
    ) -> Decision {
        let span = Self::first_run_span(s);
        let given: Vec<&str> = PASSTHROUGH
            .iter()
            .copied()
            .filter(|n| self.options.build_args.contains_key(*n))
            .collect();
        if given.is_empty() {
            return self.decision(
                s,
                RewriteKind::Env,
                span,
                false,
                "no Go settings among the build args".into(),
            );
        }
        let mut reached: BTreeSet<&str> = BTreeSet::new();
        let mut lines = Vec::new();
        for step in steps(s) {
            let vars = env.get(&step.command_index()).cloned().unwrap_or_default();
            if vars.is_empty() {
                continue;
            }
            for (k, _) in &vars {
                if let Some(n) = given.iter().find(|g| **g == k.as_str()) {
                    reached.insert(n);
                }
            }
            lines.push(step.line_label());
            self.edits
                .run_env
                .entry(step.span().start)
                .or_default()
                .extend(vars);
        }
        let left: Vec<&str> = given
            .iter()
            .copied()
            .filter(|n| !reached.contains(n))
            .collect();
        let left_note = if left.is_empty() {
            String::new()
        } else {
            format!("; {} left to the Dockerfile's own setting", left.join(", "))
        };
        if reached.is_empty() {
            return self.decision(
                s,
                RewriteKind::Env,
                span,
                false,
                format!(
                    "{} set by the Dockerfile itself (ENV, ARG, go env -w or the command line): stock semantics apply",
                    left.join(", ")
                ),
            );
        }
        let names: Vec<&str> = reached.into_iter().collect();
        self.decision(
            s,
            RewriteKind::Env,
            span,
            true,
            format!(
                "{} passed to the go commands on {}{left_note}",
                names.join(", "),
                line_list(&lines)
            ),
        )
    }
}
