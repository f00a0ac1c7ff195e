//! Reads `--progress=rawjson` build logs: the vertices (steps) BuildKit reported, with their
//! digests and names. Used to compare step names between frontends and op digests with
//! `gofront llb`. Not a general progress renderer.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Vertex digest → name, from a rawjson log (a stream of JSON documents; the first non-JSON text,
/// such as buildx's final error snippet, ends the stream).
pub fn rawjson_vertices(log: &str) -> BTreeMap<String, String> {
    let start = log.find('{').unwrap_or(log.len());
    let mut vertices = BTreeMap::new();
    let stream = serde_json::Deserializer::from_str(&log[start..]).into_iter::<Value>();
    for doc in stream {
        let Ok(doc) = doc else { break };
        for v in doc["vertexes"].as_array().into_iter().flatten() {
            if let Some(d) = v["digest"].as_str() {
                let name = v["name"].as_str().unwrap_or_default().to_string();
                vertices.insert(d.to_string(), name);
            }
        }
    }
    vertices
}

/// Digests of the vertices that have inputs (i.e. not source ops) in a rawjson log.
fn vertices_with_inputs(log: &str) -> BTreeSet<String> {
    let start = log.find('{').unwrap_or(log.len());
    let mut out = BTreeSet::new();
    let stream = serde_json::Deserializer::from_str(&log[start..]).into_iter::<Value>();
    for doc in stream {
        let Ok(doc) = doc else { break };
        for v in doc["vertexes"].as_array().into_iter().flatten() {
            let has_inputs = v["inputs"].as_array().is_some_and(|a| !a.is_empty());
            if let (true, Some(d)) = (has_inputs, v["digest"].as_str()) {
                out.insert(d.to_string());
            }
        }
    }
    out
}

/// The step names a Dockerfile frontend chooses (`[stage 2/5] RUN ...`): names starting with `[`
/// of vertices that have inputs, minus any that mention `ignore` (the frontend image's steps)
/// and minus gofront's summary vertices (`[gofront] ...`: the rewrite decisions, not steps of
/// the Dockerfile; see [`summary_vertex_names`]).
///
/// Vertices without inputs (image and context sources, `FROM` steps, `[context x] ...`, inline
/// documents on scratch) are left out: BuildKit shares such a vertex between concurrent builds
/// and shows whichever build's name registered it first (observed: `[1/2] FROM busybox...`
/// reported under another case's `[1/5]`, `[context base] busybox:latest` in unrelated cases).
pub fn step_names(log: &str, ignore: Option<&str>) -> BTreeSet<String> {
    let with_inputs = vertices_with_inputs(log);
    rawjson_vertices(log)
        .into_iter()
        .filter(|(d, _)| with_inputs.contains(d))
        .map(|(_, n)| n)
        .filter(|n| n.starts_with('['))
        .filter(|n| !is_from_step(n))
        .filter(|n| !n.starts_with(GOFRONT_PREFIX))
        .filter(|n| ignore.map_or(true, |i| !n.contains(i)))
        .collect()
}

/// Name prefix of gofront's own vertices (context facts loading and the rewrite summary).
pub const GOFRONT_PREFIX: &str = "[gofront]";

/// Names of gofront's rewrite decision vertices (`[gofront] deps applied (...)`,
/// `[gofront] modcache skipped (...)`) in a rawjson log, sorted.
pub fn summary_vertex_names(log: &str) -> Vec<String> {
    let mut names: Vec<String> = rawjson_vertices(log)
        .into_values()
        .filter(|n| {
            n.starts_with(GOFRONT_PREFIX) && (n.contains(" applied (") || n.contains(" skipped ("))
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `[<stage> N/M] FROM ...`.
fn is_from_step(name: &str) -> bool {
    name.split_once("] ")
        .is_some_and(|(_, rest)| rest.starts_with("FROM "))
}

/// What a rawjson log says about one vertex, merged over all its status updates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VertexState {
    /// Vertex name (`[build 4/6] RUN go mod download`, `[gofront] ...`).
    pub name: String,
    /// Reported as a cache hit.
    pub cached: bool,
    /// Reported as completed.
    pub completed: bool,
    /// The error it failed with, if any.
    pub error: Option<String>,
}

/// Every vertex of a rawjson log by digest, in digest order.
pub fn vertex_states(log: &str) -> BTreeMap<String, VertexState> {
    let start = log.find('{').unwrap_or(log.len());
    let mut out: BTreeMap<String, VertexState> = BTreeMap::new();
    let stream = serde_json::Deserializer::from_str(&log[start..]).into_iter::<Value>();
    for doc in stream {
        let Ok(doc) = doc else { break };
        for v in doc["vertexes"].as_array().into_iter().flatten() {
            let Some(d) = v["digest"].as_str() else {
                continue;
            };
            let state = out.entry(d.to_string()).or_default();
            if let Some(n) = v["name"].as_str() {
                state.name = n.to_string();
            }
            state.cached |= v["cached"].as_bool().unwrap_or(false);
            state.completed |= v["completed"].is_string();
            if let Some(e) = v["error"].as_str().filter(|e| !e.is_empty()) {
                state.error = Some(e.to_string());
            }
        }
    }
    out
}
