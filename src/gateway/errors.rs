//! Errors as BuildKit wants them back: a `google.rpc.Status` for `Return`, with typed details
//! encoded the way BuildKit's `grpcerrors` does (a `google.protobuf.Any` whose type URL is the
//! typeurl-registered name and whose value is Go `encoding/json` of the struct). With an
//! `errdefs.Source` detail the client prints the Dockerfile excerpt around the failing lines.
//!
//! Not for: deciding *what* failed (that is the pipeline's job) or talking gRPC.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::proto::rpc_pb;
use crate::llb::{pb, LineRange, SourceFile};

/// gRPC status codes we use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// `Unknown` (2): BuildKit's default for frontend errors.
    Unknown = 2,
    /// `InvalidArgument` (3).
    InvalidArgument = 3,
    /// `Unimplemented` (12): capability errors.
    Unimplemented = 12,
}

/// Type URL of `errdefs.Source` details.
pub const SOURCE_TYPE_URL: &str = "github.com/moby/buildkit/errdefs.Source+json";
/// Type URL of `errdefs.Subrequest` details.
pub const SUBREQUEST_TYPE_URL: &str = "github.com/moby/buildkit/errdefs.Subrequest+json";
/// Type URL of `errdefs.FrontendCap` details.
pub const FRONTEND_CAP_TYPE_URL: &str = "github.com/moby/buildkit/errdefs.FrontendCap+json";

/// A `google.rpc.Status` with a message and no details.
pub fn status(code: Code, message: impl Into<String>) -> rpc_pb::Status {
    rpc_pb::Status {
        code: code as i32,
        message: message.into(),
        details: Vec::new(),
    }
}

/// A status for an error located in the Dockerfile: the `errdefs.Source` detail carries the file
/// and the 1-based line ranges (one per line) so the client prints the excerpt.
pub fn dockerfile_status(
    message: impl Into<String>,
    source: &SourceFile,
    ranges: &[LineRange],
) -> rpc_pb::Status {
    let mut st = status(Code::Unknown, message);
    if !ranges.is_empty() {
        st.details
            .push(json_any(SOURCE_TYPE_URL, &source_json(source, ranges)));
    }
    st
}

/// `unsupported request <id>` with its `errdefs.Subrequest` detail.
pub fn unsupported_subrequest(id: &str) -> rpc_pb::Status {
    let mut st = status(Code::Unknown, format!("unsupported request {id}"));
    st.details
        .push(json_any(SUBREQUEST_TYPE_URL, &json!({ "name": id })));
    st
}

/// `unsupported frontend capability <cap>` (code `Unimplemented`) with its
/// `errdefs.FrontendCap` detail.
pub fn unsupported_frontend_cap(cap: &str) -> rpc_pb::Status {
    let mut st = status(
        Code::Unimplemented,
        format!("unsupported frontend capability {cap}"),
    );
    st.details
        .push(json_any(FRONTEND_CAP_TYPE_URL, &json!({ "name": cap })));
    st
}

fn json_any(type_url: &str, value: &Value) -> prost_types::Any {
    prost_types::Any {
        type_url: type_url.to_string(),
        value: value.to_string().into_bytes(),
    }
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Go `encoding/json` of `errdefs.Source{Info, Ranges}` (gogo json tags, `omitempty`).
fn source_json(source: &SourceFile, ranges: &[LineRange]) -> Value {
    let mut info = Map::new();
    if !source.filename.is_empty() {
        info.insert("filename".into(), json!(source.filename));
    }
    if !source.data.is_empty() {
        info.insert("data".into(), json!(b64(&source.data)));
    }
    if let Some(def) = &source.definition {
        info.insert("definition".into(), definition_json(def));
    }
    info.insert("language".into(), json!("Dockerfile"));
    let ranges: Vec<Value> = ranges
        .iter()
        .flat_map(|r| r.lines())
        .map(LineRange::to_json)
        .collect();
    json!({ "info": Value::Object(info), "ranges": ranges })
}

fn definition_json(def: &pb::Definition) -> Value {
    let mut out = Map::new();
    if !def.def.is_empty() {
        let ops: Vec<Value> = def.def.iter().map(|op| json!(b64(op))).collect();
        out.insert("def".into(), Value::Array(ops));
    }
    let metadata: Map<String, Value> = def
        .metadata
        .iter()
        .map(|(digest, md)| (digest.clone(), op_metadata_json(md)))
        .collect();
    out.insert("metadata".into(), Value::Object(metadata));
    Value::Object(out)
}

fn op_metadata_json(md: &pb::OpMetadata) -> Value {
    let mut out = Map::new();
    if md.ignore_cache {
        out.insert("ignore_cache".into(), json!(true));
    }
    if !md.description.is_empty() {
        out.insert("description".into(), json!(md.description));
    }
    if !md.caps.is_empty() {
        out.insert("caps".into(), json!(md.caps));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_errors_carry_a_source_detail_buildx_understands() {
        let src = SourceFile {
            filename: "Dockerfile".into(),
            data: b"FROM scratch\nRUNN x\n".to_vec(),
            definition: Some(pb::Definition {
                def: vec![vec![1, 2, 3]],
                ..Default::default()
            }),
            language: "Dockerfile".into(),
        };
        let st = dockerfile_status(
            "dockerfile parse error on line 2: unknown instruction: RUNN",
            &src,
            &[LineRange::new(2, 2)],
        );
        assert_eq!(st.code, 2);
        assert_eq!(st.details.len(), 1);
        assert_eq!(st.details[0].type_url, SOURCE_TYPE_URL);
        let v: Value = serde_json::from_slice(&st.details[0].value).unwrap();
        assert_eq!(v["info"]["filename"], "Dockerfile");
        assert_eq!(v["info"]["language"], "Dockerfile");
        assert_eq!(v["info"]["data"], b64(b"FROM scratch\nRUNN x\n"));
        assert_eq!(v["info"]["definition"]["def"][0], "AQID");
        assert_eq!(
            v["ranges"],
            json!([{"start": {"line": 2}, "end": {"line": 2}}])
        );
    }

    #[test]
    fn errors_without_location_have_no_details() {
        let st = dockerfile_status("boom", &SourceFile::default(), &[]);
        assert_eq!(st.message, "boom");
        assert!(st.details.is_empty());
    }

    #[test]
    fn capability_and_subrequest_errors_match_buildkit() {
        let st = unsupported_frontend_cap("moby.buildkit.frontend.x");
        assert_eq!(st.code, 12);
        assert_eq!(
            st.message,
            "unsupported frontend capability moby.buildkit.frontend.x"
        );
        assert_eq!(
            st.details[0].value,
            br#"{"name":"moby.buildkit.frontend.x"}"#
        );
        let st = unsupported_subrequest("frontend.lint");
        assert_eq!(st.message, "unsupported request frontend.lint");
        assert_eq!(st.details[0].type_url, SUBREQUEST_TYPE_URL);
    }
}
