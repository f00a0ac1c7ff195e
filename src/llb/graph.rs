//! The content-addressed op graph and its serialisation to a `pb::Definition`, laid out the way
//! BuildKit's Go client does it: ops in post-order (inputs first), deduplicated by digest, a
//! terminal op (only `inputs`) last, per-op metadata keyed by digest and a source map.
//!
//! Not for: building ops (convert does) or their byte encoding (`encode`).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::caps::required_caps;
use super::{encode_op, pb, Caps, Digest, LineRange, LlbError};

/// Description key BuildKit shows as the progress vertex name.
pub const CUSTOM_NAME_KEY: &str = "llb.customname";

/// Per-op metadata that is not hashed into the op digest.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OpMeta {
    /// Progress name (`llb.customname`), e.g. `[build 3/5] RUN go build ./...`.
    pub custom_name: Option<String>,
    /// Extra description keys (e.g. `com.docker.dockerfile.v1.command`).
    pub description: BTreeMap<String, String>,
    /// Caps this op needs beyond those visible in the op itself (see `caps::required_caps`).
    pub caps: BTreeSet<String>,
    /// Never take this op from the cache (`--no-cache`).
    pub ignore_cache: bool,
    /// Progress group `(id, name)`.
    pub progress_group: Option<(String, String)>,
    /// Source-map ranges in the Dockerfile (1-based inclusive lines).
    pub locations: Vec<LineRange>,
}

/// One output of an op in the graph (`None` in APIs = scratch / empty filesystem).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Digest of the op.
    pub digest: Digest,
    /// Output index of the op (0 for sources and file ops, the mount's output for exec ops).
    pub index: i64,
}

impl Output {
    /// Output `index` of the op `digest`.
    pub fn new(digest: Digest, index: i64) -> Self {
        Output { digest, index }
    }

    /// The `pb::Input` edge referring to this output.
    pub fn to_input(&self) -> pb::Input {
        pb::Input {
            digest: self.digest.as_str().to_string(),
            index: self.index,
        }
    }
}

/// The Dockerfile a Definition's source map refers to (`SourceInfo` index 0).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceFile {
    /// File name shown in error excerpts, e.g. `Dockerfile`.
    pub filename: String,
    /// The whole file as read from the context.
    pub data: Vec<u8>,
    /// Language, `Dockerfile`.
    pub language: String,
    /// The LLB that loaded the file, if known.
    pub definition: Option<pb::Definition>,
}

#[derive(Debug, Clone)]
struct GraphNode {
    bytes: Vec<u8>,
    inputs: Vec<Digest>,
    meta: OpMeta,
    /// One entry per `add` of this digest that carried locations (Go keeps one per vertex).
    location_groups: Vec<Vec<LineRange>>,
}

/// Content-addressed op graph with deterministic, Go-compatible encoding.
#[derive(Debug, Clone)]
pub struct Graph {
    caps: Caps,
    nodes: BTreeMap<Digest, GraphNode>,
}

impl Graph {
    /// An empty graph for a daemon with `caps`.
    pub fn new(caps: Caps) -> Self {
        Graph {
            caps,
            nodes: BTreeMap::new(),
        }
    }

    /// The daemon caps this graph checks against.
    pub fn caps(&self) -> &Caps {
        &self.caps
    }

    /// Whether the op `digest` is in the graph.
    pub fn contains(&self, digest: &Digest) -> bool {
        self.nodes.contains_key(digest)
    }

    /// Number of distinct ops.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Adds (or dedups) an op and returns its digest. Its `inputs` must already be in the graph.
    /// The op is normalised like Go's client marshals it (see [`normalize_op`]). The op's caps
    /// (`caps::required_caps` plus `meta.caps`) are recorded in its metadata; whether the daemon
    /// enables them is checked on the whole Definition (`caps::check_definition_caps`).
    /// Adding an op that is already present merges the metadata like Go's client.
    pub fn add(&mut self, mut op: pb::Op, mut meta: OpMeta) -> Result<Digest, LlbError> {
        if op.op.is_none() {
            return Err(LlbError::EmptyOp);
        }
        let inputs = self.check_inputs(&op)?;
        normalize_op(&mut op);
        meta.caps.extend(required_caps(&op, &self.caps));
        let bytes = encode_op(&op);
        let digest = Digest::of(&bytes);
        let group = std::mem::take(&mut meta.locations);
        let node = self
            .nodes
            .entry(digest.clone())
            .or_insert_with(|| GraphNode {
                bytes,
                inputs,
                meta: OpMeta::default(),
                location_groups: Vec::new(),
            });
        merge_meta(&mut node.meta, meta);
        if !group.is_empty() {
            node.location_groups.push(group);
        }
        Ok(digest)
    }

    fn check_inputs(&self, op: &pb::Op) -> Result<Vec<Digest>, LlbError> {
        op.inputs
            .iter()
            .map(|input| {
                let digest = Digest::parse(&input.digest)?;
                if !self.nodes.contains_key(&digest) {
                    return Err(LlbError::UnknownInput {
                        digest: input.digest.clone(),
                    });
                }
                if input.index < 0 {
                    return Err(LlbError::NegativeIndex {
                        digest: input.digest.clone(),
                        index: input.index,
                    });
                }
                Ok(digest)
            })
            .collect()
    }

    /// The Definition of everything reachable from `result`: ops in post-order, terminal op
    /// last, metadata for every op (terminal: `constraints`, `platform` and the `meta.*` caps in
    /// use), and the source map (`source` as info 0, when some op has locations). `None` =
    /// scratch: an empty Definition, as Go's client produces.
    pub fn definition(
        &self,
        result: Option<&Output>,
        source: Option<&SourceFile>,
    ) -> Result<pb::Definition, LlbError> {
        let Some(result) = result else {
            return Ok(pb::Definition::default());
        };
        if !self.contains(&result.digest) {
            return Err(LlbError::UnknownResult {
                digest: result.digest.to_string(),
            });
        }
        if result.index < 0 {
            return Err(LlbError::NegativeIndex {
                digest: result.digest.to_string(),
                index: result.index,
            });
        }
        let order = self.post_order(&result.digest);
        let mut def = pb::Definition::default();
        for digest in &order {
            if let Some(node) = self.nodes.get(digest) {
                def.def.push(node.bytes.clone());
                def.metadata
                    .insert(digest.to_string(), op_metadata(&node.meta));
            }
        }
        let terminal = encode_op(&pb::Op {
            inputs: vec![result.to_input()],
            ..Default::default()
        });
        let terminal_meta = self.terminal_metadata(&order);
        def.metadata
            .insert(Digest::of(&terminal).to_string(), terminal_meta);
        def.def.push(terminal);
        def.source = Some(self.source_map(&order, source));
        Ok(def)
    }

    /// Ops reachable from `root`, inputs first (in input order), each once.
    fn post_order(&self, root: &Digest) -> Vec<Digest> {
        let mut order = Vec::new();
        let mut done: HashSet<&Digest> = HashSet::new();
        let mut stack: Vec<(&Digest, usize)> = vec![(root, 0)];
        while let Some((digest, next)) = stack.last_mut() {
            let inputs = self.nodes.get(*digest).map_or(&[][..], |n| &n.inputs[..]);
            if let Some(child) = inputs.get(*next) {
                *next += 1;
                if !done.contains(child) {
                    stack.push((child, 0));
                }
                continue;
            }
            let digest = *digest;
            stack.pop();
            if done.insert(digest) {
                order.push(digest.clone());
            }
        }
        order
    }

    fn terminal_metadata(&self, order: &[Digest]) -> pb::OpMetadata {
        let mut caps: BTreeMap<String, bool> = ["constraints", "platform"]
            .iter()
            .map(|c| (c.to_string(), true))
            .collect();
        for node in order.iter().filter_map(|d| self.nodes.get(d)) {
            if node.meta.ignore_cache {
                caps.insert("meta.ignorecache".into(), true);
            }
            if node.meta.custom_name.is_some() || !node.meta.description.is_empty() {
                caps.insert("meta.description".into(), true);
            }
        }
        pb::OpMetadata {
            caps,
            ..Default::default()
        }
    }

    fn source_map(&self, order: &[Digest], source: Option<&SourceFile>) -> pb::Source {
        let mut map = pb::Source::default();
        let Some(source) = source else {
            return map;
        };
        for digest in order {
            let Some(node) = self.nodes.get(digest) else {
                continue;
            };
            let locations: Vec<pb::Location> = node
                .location_groups
                .iter()
                .map(|spans| pb::Location {
                    source_index: 0,
                    ranges: spans
                        .iter()
                        .flat_map(|s| s.lines())
                        .map(LineRange::to_pb)
                        .collect(),
                })
                .collect();
            if !locations.is_empty() {
                map.locations
                    .insert(digest.to_string(), pb::Locations { locations });
            }
        }
        if !map.locations.is_empty() {
            map.infos.push(pb::SourceInfo {
                filename: source.filename.clone(),
                data: source.data.clone(),
                definition: source.definition.clone(),
                language: source.language.clone(),
            });
        }
        map
    }
}

/// What Go's client always does to an op before marshalling it, so any op we hash has the shape
/// Go would have given it: `constraints` is always present (an empty `WorkerConstraints` when
/// unset), and `platform` is cleared on ops that are not platform specific — file, merge and
/// diff ops and every source except `docker-image://` and `oci-layout://`.
pub fn normalize_op(op: &mut pb::Op) {
    op.constraints.get_or_insert_with(Default::default);
    let platform_specific = match &op.op {
        Some(pb::op::Op::Source(src)) => {
            src.identifier.starts_with("docker-image://")
                || src.identifier.starts_with("oci-layout://")
        }
        Some(pb::op::Op::File(_) | pb::op::Op::Merge(_) | pb::op::Op::Diff(_)) => false,
        Some(pb::op::Op::Exec(_) | pb::op::Op::Build(_)) | None => true,
    };
    if !platform_specific {
        op.platform = None;
    }
}

/// Go's `mergeMetadata`: later names, descriptions and groups win; flags and caps accumulate.
fn merge_meta(into: &mut OpMeta, from: OpMeta) {
    if from.custom_name.is_some() {
        into.custom_name = from.custom_name;
    }
    into.description.extend(from.description);
    into.caps.extend(from.caps);
    into.ignore_cache |= from.ignore_cache;
    if from.progress_group.is_some() {
        into.progress_group = from.progress_group;
    }
}

fn op_metadata(meta: &OpMeta) -> pb::OpMetadata {
    let mut description = meta.description.clone();
    if let Some(name) = &meta.custom_name {
        description.insert(CUSTOM_NAME_KEY.to_string(), name.clone());
    }
    pb::OpMetadata {
        ignore_cache: meta.ignore_cache,
        description,
        export_cache: None,
        caps: meta.caps.iter().map(|c| (c.clone(), true)).collect(),
        progress_group: meta
            .progress_group
            .as_ref()
            .map(|(id, name)| pb::ProgressGroup {
                id: id.clone(),
                name: name.clone(),
                weak: false,
            }),
    }
}
