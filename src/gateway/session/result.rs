//! The end of a run: the Go summary vertices and build warnings shown, every platform's
//! Definition solved, and the `Return` value built the way `dockerfile.v0` builds it (image
//! config metadata per platform, `refs.platforms`, the ref shape the daemon's caps allow) or a
//! subrequest's answer.
//!
//! Not for: planning (the pipeline) or reading the context (`read`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::frontend::{summary_definition, CheckReport, Plan, PlatformBuild, SubrequestResult};
use crate::llb::{pb, LineRange, SourceFile};
use crate::options::BuildOptions;
use crate::platform::Platform;

use super::{gw, rpc_pb, Bridge, Session};

impl<B: Bridge> Session<'_, B> {
    /// Shows the Go rewrite decisions as `[gofront] ...` vertices: a small extra solve, sent
    /// aside so the build does not wait for it. A failure here never fails the build.
    pub(super) async fn show_summary(&mut self, plan: &Plan) {
        let def = match summary_definition(plan, &self.daemon) {
            Ok(Some(def)) => def,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot build the gofront summary");
                return;
            }
        };
        let request = gw::SolveRequest {
            definition: Some(def),
            evaluate: true,
            ..Default::default()
        };
        self.bridge.solve_aside(request).await;
    }

    /// Sends the build checks' warnings with `Warn` on the vertex that loaded the Dockerfile,
    /// like BuildKit's builder: short `<Rule>: <message> (line N)`, the rule's description as
    /// the detail, its URL, the Dockerfile as source info and the instruction's lines.
    pub(super) async fn send_warnings(&mut self, report: &CheckReport, source: &SourceFile) {
        if !self.gw_caps.has("gateway.warnings") || report.warnings.is_empty() {
            return;
        }
        let digest = source
            .definition
            .iter()
            .flat_map(|def| def.def.first())
            .next()
            .map(|op| crate::llb::Digest::of(op).to_string())
            .unwrap_or_default();
        for w in &report.warnings {
            let request = gw::WarnRequest {
                digest: digest.clone(),
                level: 1,
                short: w.short().into_bytes(),
                detail: vec![w.description().as_bytes().to_vec()],
                url: w.url().unwrap_or_default(),
                info: Some(pb::SourceInfo {
                    filename: source.filename.clone(),
                    data: source.data.clone(),
                    definition: source.definition.clone(),
                    language: "Dockerfile".into(),
                }),
                ranges: w
                    .ranges()
                    .into_iter()
                    .map(|s| LineRange::from(s).to_pb())
                    .collect(),
            };
            if let Err(e) = self.bridge.warn(request).await {
                tracing::warn!(error = %e, "could not send a build warning");
            }
        }
    }

    /// Solves every platform's Definition and builds the Return value (one ref, or refs by
    /// platform, with the image config metadata).
    pub(super) async fn solve_plan(
        &mut self,
        plan: Plan,
        options: &BuildOptions,
    ) -> Result<gw::Result, rpc_pb::Status> {
        let cache_imports: Vec<gw::CacheOptionsEntry> = options
            .cache_imports
            .iter()
            .map(|(kind, attrs)| gw::CacheOptionsEntry {
                r#type: kind.clone(),
                attrs: attrs.clone(),
            })
            .collect();
        let multi = plan.converted.multi_platform;
        let refarray = self.gw_caps.has("proto.refarray");
        let mut refs = BTreeMap::new();
        let mut single = None;
        let mut metadata = BTreeMap::new();
        let mut platforms = Vec::new();
        for build in plan.converted.builds {
            let id = self
                .solve_ref(build.definition.clone(), cache_imports.clone())
                .await?;
            let key = build.platform.to_string();
            add_image_metadata(&mut metadata, &build, multi.then_some(key.as_str()));
            platforms.push(build.platform.clone());
            if multi {
                refs.insert(key, id);
            } else {
                single = Some(id);
            }
        }
        metadata.insert(
            "refs.platforms".to_string(),
            refs_platforms_json(&platforms).into_bytes(),
        );
        let result = match (multi, refarray) {
            (true, true) => gw::result::Result::Refs(gw::RefMap {
                refs: refs
                    .into_iter()
                    .map(|(k, id)| (k, gw::Ref { id, def: None }))
                    .collect(),
            }),
            (true, false) => gw::result::Result::RefsDeprecated(gw::RefMapDeprecated { refs }),
            (false, true) => gw::result::Result::Ref(gw::Ref {
                id: single.unwrap_or_default(),
                def: None,
            }),
            (false, false) => gw::result::Result::RefDeprecated(single.unwrap_or_default()),
        };
        Ok(gw::Result {
            result: Some(result),
            metadata,
            ..Default::default()
        })
    }
}

/// A subrequest's answer as the Return value: metadata only, no ref.
pub(super) fn subrequest(answer: SubrequestResult) -> gw::Result {
    let mut metadata = BTreeMap::from([
        ("result.json".to_string(), answer.json),
        ("result.txt".to_string(), answer.text),
        ("version".to_string(), answer.version.as_bytes().to_vec()),
    ]);
    if let Some(status) = answer.status {
        metadata.insert("result.statuscode".to_string(), status.into_bytes());
    }
    gw::Result {
        result: None,
        metadata,
        ..Default::default()
    }
}

fn add_image_metadata(
    metadata: &mut BTreeMap<String, Vec<u8>>,
    build: &PlatformBuild,
    suffix: Option<&str>,
) {
    let key = |base: &str| match suffix {
        Some(p) => format!("{base}/{p}"),
        None => base.to_string(),
    };
    metadata.insert(key("containerimage.config"), build.image_config.clone());
    if let Some(base) = build.base_config.as_ref().filter(|b| !b.is_empty()) {
        metadata.insert(key("containerimage.base.config"), base.clone());
    }
    // Dockerfile 1.23+: the epoch in effect (a global `ARG SOURCE_DATE_EPOCH` default too) goes
    // to the exporter; an explicit exporter option still wins there.
    if let Some(epoch) = build.epoch {
        metadata.insert(key("source.date.epoch"), epoch.to_string().into_bytes());
    }
}

/// `refs.platforms`: Go JSON of `exptypes.Platforms` (field names `Platforms`, `ID`,
/// `Platform`; OCI json tags inside, in the struct's field order).
pub(super) fn refs_platforms_json(platforms: &[Platform]) -> String {
    let entries: Vec<Value> = platforms
        .iter()
        .map(|p| {
            let mut oci = serde_json::Map::new();
            oci.insert("architecture".into(), json!(p.architecture));
            oci.insert("os".into(), json!(p.os));
            if !p.os_version.is_empty() {
                oci.insert("os.version".into(), json!(p.os_version));
            }
            if !p.variant.is_empty() {
                oci.insert("variant".into(), json!(p.variant));
            }
            json!({ "ID": p.to_string(), "Platform": Value::Object(oci) })
        })
        .collect();
    json!({ "Platforms": entries }).to_string()
}
