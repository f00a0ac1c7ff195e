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

/// The step names a Dockerfile frontend chooses (`[stage 2/5] RUN ...`, `[internal] ...`):
/// names starting with `[`, minus any that mention `ignore` (the frontend image's own steps).
pub fn step_names(log: &str, ignore: Option<&str>) -> BTreeSet<String> {
    rawjson_vertices(log)
        .into_values()
        .filter(|n| n.starts_with('['))
        .filter(|n| ignore.map_or(true, |i| !n.contains(i)))
        .collect()
}
