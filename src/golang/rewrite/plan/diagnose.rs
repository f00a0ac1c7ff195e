//! The diagnose rewrite's decision, and the diagnostics a build reports (the toolchain ones
//! follow a GOTOOLCHAIN build arg that reaches the RUN).

use super::*;

impl<'a> Planner<'a> {
    /// With a GOTOOLCHAIN build arg reaching a go command, its toolchain diagnosis follows the
    /// build arg instead of the image's value.
    pub(super) fn toolchain_overrides(
        &mut self,
        s: &StageAnalysis,
        env: &BTreeMap<usize, Vec<(String, String)>>,
    ) {
        for (ri, run) in s.go_runs.iter().enumerate() {
            let given = env
                .get(&run.command_index)
                .and_then(|vars| vars.iter().find(|(k, _)| k == "GOTOOLCHAIN"))
                .map(|(_, v)| v.as_str());
            let Some(policy) = given else { continue };
            self.toolchain_overrides.0.push(run.span);
            for (ii, inv) in run.invocations.iter().enumerate() {
                if ignores_module(inv) {
                    continue;
                }
                let view = self.view_of(s.index, ri, ii);
                if let Some(d) = view.and_then(|v| toolchain_diagnostic(v, inv, Some(policy))) {
                    if !self.toolchain_overrides.1.contains(&d) {
                        self.toolchain_overrides.1.push(d);
                    }
                }
            }
        }
    }

    pub(super) fn diagnose_decision(&self, s: &StageAnalysis) -> Decision {
        let end = self
            .facts
            .stages
            .get(s.index + 1)
            .map_or(usize::MAX, |n| n.span.start);
        let mine: Vec<Diagnostic> = self
            .diagnostics()
            .into_iter()
            .filter(|d| d.span.start >= s.span.start && d.span.start < end)
            .collect();
        if mine.is_empty() {
            return self.decision(s, RewriteKind::Diagnose, s.span, true, "no findings".into());
        }
        let errors = mine
            .iter()
            .filter(|d| d.severity == crate::golang::facts::Severity::Error)
            .count();
        let codes: BTreeSet<&str> = mine.iter().map(|d| d.code).collect();
        self.decision(
            s,
            RewriteKind::Diagnose,
            s.span,
            true,
            format!(
                "{} finding(s), {errors} error(s): {}",
                mine.len(),
                codes.into_iter().collect::<Vec<_>>().join(", ")
            ),
        )
    }

    /// The facts' diagnostics with the toolchain ones a build arg changes replaced.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let (dropped, added) = &self.toolchain_overrides;
        let mut out: Vec<Diagnostic> = self
            .facts
            .diagnostics
            .iter()
            .filter(|d| !(d.code == "go-version-newer-than-image" && dropped.contains(&d.span)))
            .cloned()
            .chain(added.iter().cloned())
            .collect();
        out.sort_by_key(|d| d.span.start);
        // The same finding about a module (a replace outside the context, a missing go.sum)
        // comes from every go RUN that uses it: say it once, at the first of them.
        let mut seen = BTreeSet::new();
        out.retain(|d| seen.insert((d.code, d.message.clone())));
        out
    }
}
