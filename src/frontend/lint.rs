//! The answer to `--check` / `--call=check` (subrequest `frontend.lint`, version 1.0.0), as
//! BuildKit's `frontend/subrequests/lint` renders it: `result.json` (Go `json.MarshalIndent`
//! of `LintResults`: warnings in the order found, the Dockerfile as a source with the LLB that
//! loaded it, `buildError` when planning failed), `result.txt` (the warnings sorted by line,
//! each with its source excerpt, like `PrintLintViolations`) and `result.statuscode` (`1`
//! when there is a warning or a build error).
//!
//! Not for: deciding what is reported (`checks`).

use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::checks::{Report, Warning};
use crate::dockerfile::ast::Span;
use crate::llb::{pb, SourceFile};

use super::render::SubrequestResult;
use super::FrontendError;

/// The version of the lint subrequest's result.
const VERSION: &str = "1.0.0";

/// The `frontend.lint` answer for `report`, about the Dockerfile `source`, with the planning
/// error when there was one.
pub fn answer(
    report: &Report,
    source: &SourceFile,
    error: Option<&FrontendError>,
) -> SubrequestResult {
    let mut root = Map::new();
    let warnings: Vec<Value> = report.warnings.iter().map(warning_json).collect();
    root.insert(
        "warnings".into(),
        if warnings.is_empty() {
            Value::Null
        } else {
            Value::Array(warnings)
        },
    );
    root.insert("sources".into(), json!([source_json(source)]));
    if let Some(e) = error {
        let ranges: Vec<Span> = e.span().map(merged).into_iter().collect();
        root.insert(
            "buildError".into(),
            json!({ "message": e.to_string(), "location": location_json(&ranges) }),
        );
    }
    let status = u8::from(!report.warnings.is_empty() || error.is_some());
    SubrequestResult {
        json: go_json(&Value::Object(root)),
        text: text(report, source).into_bytes(),
        version: VERSION,
        status: Some(status.to_string()),
    }
}

/// BuildKit's `mergeLocations` of an error's per-line ranges: one range over the lines.
fn merged(span: Span) -> Span {
    Span {
        start: span.start,
        end: span.end.max(span.start),
    }
}

fn warning_json(w: &Warning) -> Value {
    let mut m = Map::new();
    m.insert("ruleName".into(), json!(w.rule.name()));
    m.insert("description".into(), json!(w.description()));
    if let Some(url) = w.url() {
        m.insert("url".into(), json!(url));
    }
    m.insert("detail".into(), json!(w.message));
    m.insert("location".into(), location_json(&w.ranges()));
    Value::Object(m)
}

/// A `pb.Location` in Go JSON (zero values omitted).
fn location_json(ranges: &[Span]) -> Value {
    let mut m = Map::new();
    if !ranges.is_empty() {
        let ranges: Vec<Value> = ranges
            .iter()
            .map(|r| json!({ "start": position(r.start), "end": position(r.end) }))
            .collect();
        m.insert("ranges".into(), Value::Array(ranges));
    }
    Value::Object(m)
}

fn position(line: usize) -> Value {
    if line == 0 {
        json!({})
    } else {
        json!({ "line": line })
    }
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// A `pb.SourceInfo` in Go JSON.
fn source_json(source: &SourceFile) -> Value {
    let mut m = Map::new();
    let filename = if source.filename.is_empty() {
        "Dockerfile"
    } else {
        &source.filename
    };
    m.insert("filename".into(), json!(filename));
    if !source.data.is_empty() {
        m.insert("data".into(), json!(b64(&source.data)));
    }
    if let Some(def) = &source.definition {
        m.insert("definition".into(), definition_json(def));
    }
    m.insert("language".into(), json!("Dockerfile"));
    Value::Object(m)
}

/// A `pb.Definition` in Go JSON (the generated structs' json tags, maps sorted by key).
fn definition_json(def: &pb::Definition) -> Value {
    let mut m = Map::new();
    if !def.def.is_empty() {
        let ops: Vec<Value> = def.def.iter().map(|op| json!(b64(op))).collect();
        m.insert("def".into(), Value::Array(ops));
    }
    if !def.metadata.is_empty() {
        let meta: Map<String, Value> = def
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), op_metadata_json(v)))
            .collect();
        m.insert("metadata".into(), Value::Object(meta));
    }
    if let Some(source) = &def.source {
        // BuildKit's marshal lists every op but the terminal one, with or without locations.
        let mut all = source.locations.clone();
        let ops = def.def.len().saturating_sub(1);
        for op in def.def.iter().take(ops) {
            all.entry(crate::llb::Digest::of(op).to_string())
                .or_default();
        }
        let mut s = Map::new();
        if !all.is_empty() {
            let locations: Map<String, Value> = all
                .iter()
                .map(|(k, v)| {
                    let mut l = Map::new();
                    if !v.locations.is_empty() {
                        let list: Vec<Value> = v
                            .locations
                            .iter()
                            .map(|loc| {
                                let mut o = Map::new();
                                if loc.source_index != 0 {
                                    o.insert("sourceIndex".into(), json!(loc.source_index));
                                }
                                if !loc.ranges.is_empty() {
                                    let r: Vec<Value> = loc.ranges.iter().map(range_json).collect();
                                    o.insert("ranges".into(), Value::Array(r));
                                }
                                Value::Object(o)
                            })
                            .collect();
                        l.insert("locations".into(), Value::Array(list));
                    }
                    (k.clone(), Value::Object(l))
                })
                .collect();
            s.insert("locations".into(), Value::Object(locations));
        }
        m.insert("Source".into(), Value::Object(s));
    }
    Value::Object(m)
}

fn range_json(r: &pb::Range) -> Value {
    let pos = |p: &Option<pb::Position>| {
        let mut o = Map::new();
        if let Some(p) = p {
            if p.line != 0 {
                o.insert("line".into(), json!(p.line));
            }
            if p.character != 0 {
                o.insert("character".into(), json!(p.character));
            }
        }
        Value::Object(o)
    };
    json!({ "start": pos(&r.start), "end": pos(&r.end) })
}

fn op_metadata_json(meta: &pb::OpMetadata) -> Value {
    let mut m = Map::new();
    if meta.ignore_cache {
        m.insert("ignore_cache".into(), json!(true));
    }
    if !meta.description.is_empty() {
        let d: Map<String, Value> = meta
            .description
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        m.insert("description".into(), Value::Object(d));
    }
    if let Some(ec) = &meta.export_cache {
        let v = if ec.value {
            json!({ "Value": true })
        } else {
            json!({})
        };
        m.insert("export_cache".into(), v);
    }
    if !meta.caps.is_empty() {
        let c: Map<String, Value> = meta
            .caps
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        m.insert("caps".into(), Value::Object(c));
    }
    if let Some(pg) = &meta.progress_group {
        let mut g = Map::new();
        if !pg.id.is_empty() {
            g.insert("id".into(), json!(pg.id));
        }
        if !pg.name.is_empty() {
            g.insert("name".into(), json!(pg.name));
        }
        if pg.weak {
            g.insert("weak".into(), json!(true));
        }
        m.insert("progress_group".into(), Value::Object(g));
    }
    Value::Object(m)
}

/// Go's `json.MarshalIndent(v, "", "  ")`: two-space indent and Go's HTML-safe escaping of
/// `<`, `>`, `&`, U+2028 and U+2029 (these only occur inside strings).
pub fn go_json(v: &Value) -> Vec<u8> {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    crate::gostd::json::escape_like_go(&text).into_bytes()
}

/// `result.txt`: the warnings sorted by line (stable), each as `\nWARNING: <Rule> - <url>` and
/// its message, then the Dockerfile excerpt.
fn text(report: &Report, source: &SourceFile) -> String {
    let mut warnings: Vec<&Warning> = report.warnings.iter().collect();
    warnings.sort_by(|a, b| match (a.location, b.location) {
        (None, None) => a.rule.name().cmp(b.rule.name()),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.start.cmp(&y.start),
    });
    let mut out = String::new();
    for w in warnings {
        out.push_str(&format!("\nWARNING: {}", w.rule.name()));
        if let Some(url) = w.url() {
            out.push_str(&format!(" - {url}"));
        }
        out.push_str(&format!("\n{}\n", w.message));
        out.push_str(&excerpt(source, &w.ranges()));
    }
    out
}

/// `errdefs.Source.Print`: `<file>:<line>`, a rule, the lines around the ranges (`>>>` on the
/// ranges' lines; 4 lines of context for one line, else 2), a rule.
pub fn excerpt(source: &SourceFile, ranges: &[Span]) -> String {
    let data = String::from_utf8_lossy(&source.data);
    let lines: Vec<&str> = data.split('\n').collect();
    let Some(start) = ranges.iter().map(|r| r.start).min() else {
        return String::new();
    };
    let mut end = ranges
        .iter()
        .map(|r| r.end.max(r.start))
        .max()
        .unwrap_or(start);
    if start > lines.len() || start < 1 {
        return String::new();
    }
    end = end.min(lines.len());
    let pad = if end == start { 4 } else { 2 };
    let (mut from, mut to, mut p) = (start, end, 0);
    while p < pad {
        if from > 1 {
            from -= 1;
            p += 1;
        }
        if to != lines.len() {
            to += 1;
            p += 1;
        }
        p += 1;
    }
    let filename = if source.filename.is_empty() {
        "Dockerfile"
    } else {
        &source.filename
    };
    let mut out = format!("{filename}:{start}\n--------------------\n");
    for n in from..=to {
        let marked = ranges
            .iter()
            .any(|r| r.start <= n && r.end.max(r.start) >= n);
        let prefix = if marked { ">>>" } else { "   " };
        out.push_str(&format!(" {n:>3} | {prefix} {}\n", lines[n - 1]));
    }
    out.push_str("--------------------\n");
    out
}
