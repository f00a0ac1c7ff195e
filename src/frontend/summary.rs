//! The Go rewrite summary in the build output: a tiny Definition whose vertices are named
//! `[gofront] <decision>`, one per decision, so `docker build` shows what gofront did and
//! why. The vertices are a chain of FileOps that each write the decision to a file on an
//! otherwise empty filesystem: deterministic, so a rebuild with the same decisions shows them
//! as CACHED and never runs anything.
//!
//! Not for: deciding anything (see [`crate::golang::rewrite`]) or warnings (sent with `Warn`).

use crate::convert::DaemonInfo;
use crate::golang::rewrite::Decision;
use crate::llb::ops::{file_op, Action};
use crate::llb::{pb, Caps, Graph, LlbError, OpMeta, Output};
use crate::platform::Platform;

use super::Plan;

/// The progress name of a decision's vertex.
fn vertex_name(decision: &Decision) -> String {
    format!("[gofront] {decision}")
}

/// The summary Definition of a plan's Go decisions, built for the daemon's build platform, or
/// `None` when there is nothing to show.
pub fn summary_definition(
    plan: &Plan,
    daemon: &DaemonInfo,
) -> Result<Option<pb::Definition>, LlbError> {
    match &plan.go {
        Some(report) => definition(
            &report.rewritten.decisions,
            &daemon.build_platform,
            &daemon.llb_caps,
        ),
        None => Ok(None),
    }
}

/// The summary Definition, or `None` when there is nothing to show.
fn definition(
    decisions: &[Decision],
    platform: &Platform,
    caps: &Caps,
) -> Result<Option<pb::Definition>, LlbError> {
    let mut graph = Graph::new(caps.clone());
    let mut last: Option<Output> = None;
    for (n, decision) in decisions.iter().enumerate() {
        let mkfile = pb::FileActionMkFile {
            path: format!("/gofront-decision-{n}"),
            mode: 0o644,
            data: format!("{decision}\n").into_bytes(),
            owner: None,
            timestamp: -1,
        };
        let mut op = file_op(&last, vec![Action::Mkfile(mkfile)]);
        op.platform = Some(crate::llb::pb_platform(platform));
        let digest = graph.add(
            op,
            OpMeta {
                custom_name: Some(vertex_name(decision)),
                ..OpMeta::default()
            },
        )?;
        last = Some(Output::new(digest, 0));
    }
    match last {
        Some(out) => graph.definition(Some(&out), None).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::ast::Span;
    use crate::golang::rewrite::RewriteKind;
    use crate::llb::definition_vertices;

    fn decision(kind: RewriteKind, applied: bool, detail: &str) -> Decision {
        Decision {
            kind,
            stage: 0,
            stage_label: "build".into(),
            span: Span { start: 7, end: 7 },
            applied,
            detail: detail.into(),
        }
    }

    fn summary(decisions: &[Decision]) -> Option<pb::Definition> {
        definition(
            decisions,
            &Platform::new("linux", "amd64", ""),
            &Caps::v0_13_defaults(),
        )
        .unwrap()
    }

    #[test]
    fn one_named_vertex_per_decision_in_a_chain() {
        let decisions = [
            decision(RewriteKind::Deps, true, "go.mod copied first"),
            decision(RewriteKind::ModCache, false, "already mounted"),
        ];
        let def = summary(&decisions).unwrap();
        let vertices = definition_vertices(&def).unwrap();
        let names: Vec<String> = vertices.iter().filter_map(|v| v.name.clone()).collect();
        assert_eq!(
            names,
            [
                "[gofront] deps applied (stage build, line 7): go.mod copied first",
                "[gofront] modcache skipped (stage build, line 7): already mounted"
            ]
        );
        assert!(
            vertices[0].op.inputs.is_empty(),
            "the first one starts from scratch"
        );
        assert_eq!(
            vertices[1].op.inputs[0].digest,
            vertices[0].digest.to_string()
        );
    }

    #[test]
    fn the_summary_is_deterministic_and_empty_without_decisions() {
        let decisions = [decision(RewriteKind::Env, true, "GOPROXY")];
        let a = crate::llb::encode_definition(&summary(&decisions).unwrap());
        let b = crate::llb::encode_definition(&summary(&decisions).unwrap());
        assert_eq!(a, b);
        assert!(summary(&[]).is_none());
    }
}
