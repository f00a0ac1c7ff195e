//! Rendering of subrequest answers (`--call outline|targets`, `frontend.subrequests.describe`)
//! exactly as BuildKit's `frontend/subrequests` packages print them: `result.json` (Go
//! `json.MarshalIndent` with two spaces) and `result.txt` (Go `text/tabwriter` tables).
//!
//! Not for: computing outlines or targets (see `outline`).

use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::dockerfile::ast::Span;
use crate::llb::LineRange;

/// The metadata of a subrequest result (no ref).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubrequestResult {
    /// `result.json`.
    pub json: Vec<u8>,
    /// `result.txt`.
    pub text: Vec<u8>,
    /// `version`.
    pub version: &'static str,
    /// `result.statuscode`, for subrequests that have one (`frontend.lint`).
    pub status: Option<String>,
}

/// One build argument of an outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineArg {
    /// Name.
    pub name: String,
    /// Doc comment (`# NAME description` above the ARG).
    pub description: String,
    /// Effective value (build-arg or default), empty when unset.
    pub value: String,
    /// Where it is declared.
    pub location: Option<Span>,
}

/// A secret or ssh id used by the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineMount {
    /// Id.
    pub name: String,
    /// `required=true`.
    pub required: bool,
    /// The RUN that uses it.
    pub location: Option<Span>,
}

/// `frontend.outline`: what the target needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outline {
    /// Target stage name ("" for an unnamed default stage).
    pub name: String,
    /// The stage's doc comment.
    pub description: String,
    /// Build arguments the target uses.
    pub args: Vec<OutlineArg>,
    /// Secrets it mounts.
    pub secrets: Vec<OutlineMount>,
    /// SSH ids it mounts.
    pub ssh: Vec<OutlineMount>,
    /// The Dockerfile.
    pub source: Vec<u8>,
}

/// One entry of `frontend.targets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Stage name ("" when unnamed).
    pub name: String,
    /// Whether it is the default (last) stage.
    pub default: bool,
    /// Doc comment.
    pub description: String,
    /// Base image or stage, as written.
    pub base: String,
    /// `--platform` as written.
    pub platform: String,
    /// The FROM line.
    pub location: Option<Span>,
}

/// `frontend.targets`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetList {
    /// Stages in file order.
    pub targets: Vec<Target>,
    /// The Dockerfile.
    pub source: Vec<u8>,
}

const VERSION: &str = "1.0.0";

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn location_json(span: Span) -> Value {
    let ranges: Vec<Value> = LineRange::from(span)
        .lines()
        .map(LineRange::to_json)
        .collect();
    json!({ "ranges": ranges })
}

fn insert_nonempty(m: &mut Map<String, Value>, key: &str, v: &str) {
    if !v.is_empty() {
        m.insert(key.into(), json!(v));
    }
}

fn pretty(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap_or_default()
}

impl Outline {
    /// `result.json` / `result.txt` like `outline.Outline.ToResult`.
    pub fn to_result(&self) -> SubrequestResult {
        let mut m = Map::new();
        insert_nonempty(&mut m, "name", &self.name);
        insert_nonempty(&mut m, "description", &self.description);
        if !self.args.is_empty() {
            let args: Vec<Value> = self
                .args
                .iter()
                .map(|a| {
                    let mut o = Map::new();
                    o.insert("name".into(), json!(a.name));
                    insert_nonempty(&mut o, "description", &a.description);
                    insert_nonempty(&mut o, "value", &a.value);
                    if let Some(l) = a.location {
                        o.insert("location".into(), location_json(l));
                    }
                    Value::Object(o)
                })
                .collect();
            m.insert("args".into(), Value::Array(args));
        }
        for (key, list) in [("secrets", &self.secrets), ("ssh", &self.ssh)] {
            if !list.is_empty() {
                m.insert(
                    key.into(),
                    Value::Array(list.iter().map(mount_json).collect()),
                );
            }
        }
        m.insert("sources".into(), json!([b64(&self.source)]));
        SubrequestResult {
            json: pretty(&Value::Object(m)),
            text: self.text().into_bytes(),
            version: VERSION,
            status: None,
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if !self.name.is_empty() || !self.description.is_empty() {
            let name = if self.name.is_empty() {
                "(default)"
            } else {
                &self.name
            };
            let mut rows = vec![vec!["TARGET:".to_string(), name.to_string()]];
            if !self.description.is_empty() {
                rows.push(vec!["DESCRIPTION:".into(), self.description.clone()]);
            }
            out.push_str(&tabwrite(&rows, 1));
            out.push('\n');
        }
        if !self.args.is_empty() {
            let mut rows = vec![vec![
                "BUILD ARG".to_string(),
                "VALUE".into(),
                "DESCRIPTION".into(),
            ]];
            rows.extend(
                self.args
                    .iter()
                    .map(|a| vec![a.name.clone(), a.value.clone(), a.description.clone()]),
            );
            out.push_str(&tabwrite(&rows, 3));
            out.push('\n');
        }
        for (title, list) in [("SECRET", &self.secrets), ("SSH", &self.ssh)] {
            if list.is_empty() {
                continue;
            }
            let mut rows = vec![vec![title.to_string(), "REQUIRED".into()]];
            rows.extend(list.iter().map(|s| {
                vec![
                    s.name.clone(),
                    if s.required {
                        "true".into()
                    } else {
                        String::new()
                    },
                ]
            }));
            out.push_str(&tabwrite(&rows, 3));
            out.push('\n');
        }
        out
    }
}

fn mount_json(s: &OutlineMount) -> Value {
    let mut o = Map::new();
    o.insert("name".into(), json!(s.name));
    if s.required {
        o.insert("required".into(), json!(true));
    }
    if let Some(l) = s.location {
        o.insert("location".into(), location_json(l));
    }
    Value::Object(o)
}

impl TargetList {
    /// `result.json` / `result.txt` like `targets.List.ToResult`.
    pub fn to_result(&self) -> SubrequestResult {
        let targets: Vec<Value> = self
            .targets
            .iter()
            .map(|t| {
                let mut o = Map::new();
                insert_nonempty(&mut o, "name", &t.name);
                if t.default {
                    o.insert("default".into(), json!(true));
                }
                insert_nonempty(&mut o, "description", &t.description);
                insert_nonempty(&mut o, "base", &t.base);
                insert_nonempty(&mut o, "platform", &t.platform);
                if let Some(l) = t.location {
                    o.insert("location".into(), location_json(l));
                }
                Value::Object(o)
            })
            .collect();
        let v = json!({ "targets": targets, "sources": [b64(&self.source)] });
        let mut rows = vec![vec!["TARGET".to_string(), "DESCRIPTION".into()]];
        rows.extend(self.targets.iter().map(|t| {
            let name = match (t.name.is_empty(), t.default) {
                (true, true) => "(default)".to_string(),
                (false, true) => format!("{} (default)", t.name),
                _ => t.name.clone(),
            };
            vec![name, t.description.clone()]
        }));
        SubrequestResult {
            json: pretty(&v),
            text: tabwrite(&rows, 1).into_bytes(),
            version: VERSION,
            status: None,
        }
    }
}

/// The subrequests gofront answers, as `frontend.subrequests.describe` lists them.
pub fn describe() -> SubrequestResult {
    let named = |n: &str, d: &str| json!({ "name": n, "description": d });
    let metadata = json!([named("result.json", ""), named("result.txt", "")]);
    let all = json!([
        {
            "name": "frontend.outline", "version": VERSION, "type": "rpc",
            "description": "List all parameters current build target supports",
            "opts": [named("target", "Target build stage")],
            "inputs": null, "metadata": metadata, "refs": null
        },
        {
            "name": "frontend.targets", "version": VERSION, "type": "rpc",
            "description": "List all targets current build supports",
            "opts": [], "inputs": null, "metadata": metadata, "refs": null
        },
        {
            "name": "frontend.subrequests.describe", "version": VERSION, "type": "rpc",
            "description": "List available subrequest types",
            "opts": null, "inputs": null, "metadata": metadata, "refs": null
        }
    ]);
    let mut rows = vec![vec![
        "NAME".to_string(),
        "VERSION".into(),
        "DESCRIPTION".into(),
    ]];
    if let Value::Array(reqs) = &all {
        for r in reqs {
            let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
            let name = s("name");
            rows.push(vec![
                name.strip_prefix("frontend.").unwrap_or(&name).to_string(),
                s("version"),
                s("description"),
            ]);
        }
    }
    SubrequestResult {
        json: pretty(&all),
        text: tabwrite(&rows, 1).into_bytes(),
        version: VERSION,
        status: None,
    }
}

/// Go `text/tabwriter` with minwidth 0, tabwidth 0, pad char ' ' and no flags: every cell but
/// the last of a row is padded to the widest cell of its column plus `padding`.
pub fn tabwrite(rows: &[Vec<String>], padding: usize) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            let w = cell.chars().count() + padding;
            match widths.get_mut(i) {
                Some(max) => *max = (*max).max(w),
                None => widths.push(w),
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        let last = row.len().saturating_sub(1);
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let width = widths.get(i).copied().unwrap_or(0);
                let pad = width.saturating_sub(cell.chars().count());
                out.push_str(&" ".repeat(pad));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabwriter_pads_all_but_the_last_column() {
        let rows = vec![
            vec!["TARGET".to_string(), "DESCRIPTION".into()],
            vec!["build (default)".into(), "".into()],
        ];
        assert_eq!(
            tabwrite(&rows, 1),
            "TARGET          DESCRIPTION\nbuild (default) \n"
        );
    }

    #[test]
    fn targets_render_like_buildkit() {
        let list = TargetList {
            targets: vec![
                Target {
                    name: "build".into(),
                    default: false,
                    description: "compiles".into(),
                    base: "golang:1.22".into(),
                    platform: "$BUILDPLATFORM".into(),
                    location: Some(Span { start: 2, end: 2 }),
                },
                Target {
                    name: String::new(),
                    default: true,
                    description: String::new(),
                    base: "scratch".into(),
                    platform: String::new(),
                    location: Some(Span { start: 5, end: 5 }),
                },
            ],
            source: b"x".to_vec(),
        };
        let r = list.to_result();
        assert_eq!(
            String::from_utf8(r.text).unwrap(),
            "TARGET    DESCRIPTION\nbuild     compiles\n(default) \n"
        );
        let v: Value = serde_json::from_slice(&r.json).unwrap();
        assert_eq!(
            v,
            json!({
                "targets": [
                    {"name": "build", "description": "compiles", "base": "golang:1.22",
                     "platform": "$BUILDPLATFORM",
                     "location": {"ranges": [{"start": {"line": 2}, "end": {"line": 2}}]}},
                    {"default": true, "base": "scratch",
                     "location": {"ranges": [{"start": {"line": 5}, "end": {"line": 5}}]}}
                ],
                "sources": ["eA=="]
            })
        );
        assert_eq!(r.version, "1.0.0");
    }

    #[test]
    fn outline_text_has_one_table_per_section() {
        let o = Outline {
            name: "build".into(),
            description: "the build".into(),
            args: vec![OutlineArg {
                name: "GO_VERSION".into(),
                description: "toolchain".into(),
                value: "1.22".into(),
                location: Some(Span { start: 1, end: 1 }),
            }],
            secrets: vec![OutlineMount {
                name: "token".into(),
                required: true,
                location: None,
            }],
            ssh: vec![],
            source: vec![],
        };
        let r = o.to_result();
        assert_eq!(
            String::from_utf8(r.text).unwrap(),
            "TARGET:      build\nDESCRIPTION: the build\n\n\
             BUILD ARG    VALUE   DESCRIPTION\nGO_VERSION   1.22    toolchain\n\n\
             SECRET   REQUIRED\ntoken    true\n\n"
        );
        let v: Value = serde_json::from_slice(&r.json).unwrap();
        assert_eq!(v["args"][0]["value"], "1.22");
        assert_eq!(v["secrets"][0], json!({"name": "token", "required": true}));
        assert!(v.get("ssh").is_none());
    }

    #[test]
    fn describe_lists_outline_targets_and_itself() {
        let r = describe();
        let v: Value = serde_json::from_slice(&r.json).unwrap();
        let names: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "frontend.outline",
                "frontend.targets",
                "frontend.subrequests.describe"
            ]
        );
        assert!(String::from_utf8(r.text).unwrap().starts_with(
            "NAME                 VERSION DESCRIPTION\noutline              1.0.0   List all"
        ));
    }
}
