//! Reading Definitions back: the vertices BuildKit will report (digest, name, decoded op) and a
//! stable, human-readable JSON dump for `gofront llb --json`, golden tests and e2e checks that
//! compare our digests with the daemon's `--progress=rawjson` vertex digests.
//!
//! Not for: producing Definitions (`graph`) or talking to the daemon.

use prost::Message;
use serde_json::{json, Map, Value};

use super::{pb, Digest};
#[cfg(test)]
use super::{LlbError, CUSTOM_NAME_KEY};

/// One op of a Definition, as BuildKit will report it in progress output.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub struct Vertex {
    /// sha256 of the op bytes as sent (equal to the daemon's digest for Go-compatible bytes).
    pub digest: Digest,
    /// `llb.customname` from the op's metadata, if any.
    pub name: Option<String>,
    /// The decoded op.
    pub op: pb::Op,
}

/// The vertices of `def` in Definition order, without the terminal op (the daemon does not
/// report it).
#[cfg(test)]
pub fn definition_vertices(def: &pb::Definition) -> Result<Vec<Vertex>, LlbError> {
    let count = def.def.len().saturating_sub(1);
    def.def
        .iter()
        .take(count)
        .enumerate()
        .map(|(index, bytes)| {
            let op = pb::Op::decode(bytes.as_slice()).map_err(|e| LlbError::Decode {
                index,
                message: e.to_string(),
            })?;
            let digest = Digest::of(bytes);
            let name = def
                .metadata
                .get(digest.as_str())
                .and_then(|m| m.description.get(CUSTOM_NAME_KEY))
                .cloned();
            Ok(Vertex { digest, name, op })
        })
        .collect()
}

/// `def` as JSON: `{"ops": {<digest>: {"op", "metadata", "locations"}}, "sources": [...]}` with
/// ops in Definition order (terminal last), map keys sorted, proto3 defaults omitted, enums by
/// name, bytes as text when UTF-8 (else `<field>_hex`). An op that cannot be decoded is shown
/// as `{"error": ...}`.
pub fn definition_to_json(def: &pb::Definition) -> Value {
    let mut ops = Map::new();
    let source = def.source.as_ref();
    for bytes in &def.def {
        let digest = Digest::of(bytes).to_string();
        let mut entry = Map::new();
        match pb::Op::decode(bytes.as_slice()) {
            Ok(op) => entry.insert("op".into(), op_json(&op)),
            Err(e) => entry.insert("error".into(), Value::String(e.to_string())),
        };
        if let Some(meta) = def.metadata.get(&digest) {
            entry.insert("metadata".into(), metadata_json(meta));
        }
        if let Some(locs) = source.and_then(|s| s.locations.get(&digest)) {
            entry.insert("locations".into(), locations_json(locs));
        }
        ops.insert(digest, Value::Object(entry));
    }
    let sources: Vec<Value> = source
        .map(|s| s.infos.iter().map(source_info_json).collect())
        .unwrap_or_default();
    json!({ "ops": ops, "sources": sources })
}

/// Builds a JSON object, leaving out proto3 defaults (null, "", 0, false, [], {}).
struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Self {
        Obj(Map::new())
    }

    fn put(mut self, key: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        let empty = match &value {
            Value::Null => true,
            Value::Bool(b) => !b,
            Value::Number(n) => n.as_i64() == Some(0) || n.as_u64() == Some(0),
            Value::String(s) => s.is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
        };
        if !empty {
            self.0.insert(key.to_string(), value);
        }
        self
    }

    /// Like `put`, but keeps an empty object (a set sub-message is meaningful).
    fn put_msg(mut self, key: &str, value: Option<Value>) -> Self {
        if let Some(value) = value {
            self.0.insert(key.to_string(), value);
        }
        self
    }

    fn bytes(self, key: &str, data: &[u8]) -> Self {
        match std::str::from_utf8(data) {
            Ok(text) => self.put(key, text),
            Err(_) => self.put(&format!("{key}_hex"), hex::encode(data)),
        }
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn strings(v: &[String]) -> Value {
    Value::from(v.to_vec())
}

fn op_json(op: &pb::Op) -> Value {
    let inputs: Vec<Value> = op
        .inputs
        .iter()
        .map(|i| {
            Obj::new()
                .put("digest", i.digest.as_str())
                .put("index", i.index)
                .done()
        })
        .collect();
    let (kind, body) = match &op.op {
        Some(pb::op::Op::Exec(e)) => ("exec", exec_json(e)),
        Some(pb::op::Op::Source(s)) => ("source", source_json(s)),
        Some(pb::op::Op::File(f)) => ("file", file_json(f)),
        Some(pb::op::Op::Build(b)) => ("build", build_json(b)),
        Some(pb::op::Op::Merge(m)) => (
            "merge",
            json!({"inputs": m.inputs.iter().map(|i| i.input).collect::<Vec<_>>()}),
        ),
        Some(pb::op::Op::Diff(d)) => ("diff", diff_json(d)),
        None => ("none", Value::Null),
    };
    let mut obj = Obj::new().put("inputs", inputs);
    if op.op.is_some() {
        obj = obj.put_msg(kind, Some(body));
    }
    obj.put_msg("platform", op.platform.as_ref().map(platform_json))
        .put_msg(
            "constraints",
            op.constraints
                .as_ref()
                .map(|c| Obj::new().put("filter", strings(&c.filter)).done()),
        )
        .done()
}

fn platform_json(p: &pb::Platform) -> Value {
    Obj::new()
        .put("Architecture", p.architecture.as_str())
        .put("OS", p.os.as_str())
        .put("Variant", p.variant.as_str())
        .put("OSVersion", p.os_version.as_str())
        .put("OSFeatures", strings(&p.os_features))
        .done()
}

fn enum_name<E: TryFrom<i32>>(value: i32, name: impl Fn(E) -> &'static str) -> Value {
    match E::try_from(value) {
        Ok(e) => Value::from(name(e)),
        Err(_) => Value::from(value),
    }
}

fn exec_json(e: &pb::ExecOp) -> Value {
    let mounts: Vec<Value> = e.mounts.iter().map(mount_json).collect();
    let secretenv: Vec<Value> = e
        .secretenv
        .iter()
        .map(|s| {
            Obj::new()
                .put("ID", s.id.as_str())
                .put("name", s.name.as_str())
                .put("optional", s.optional)
                .done()
        })
        .collect();
    let mut obj = Obj::new().put_msg("meta", e.meta.as_ref().map(meta_json));
    obj = obj.put("mounts", mounts);
    if e.network != 0 {
        obj = obj.put(
            "network",
            enum_name(e.network, |n: pb::NetMode| n.as_str_name()),
        );
    }
    if e.security != 0 {
        obj = obj.put(
            "security",
            enum_name(e.security, |s: pb::SecurityMode| s.as_str_name()),
        );
    }
    obj.put("secretenv", secretenv).done()
}

fn meta_json(m: &pb::Meta) -> Value {
    let hosts: Vec<Value> = m
        .extra_hosts
        .iter()
        .map(|h| json!({"Host": h.host, "IP": h.ip}))
        .collect();
    let ulimits: Vec<Value> = m
        .ulimit
        .iter()
        .map(|u| json!({"Name": u.name, "Soft": u.soft, "Hard": u.hard}))
        .collect();
    Obj::new()
        .put("args", strings(&m.args))
        .put("env", strings(&m.env))
        .put("cwd", m.cwd.as_str())
        .put("user", m.user.as_str())
        .put_msg(
            "proxy_env",
            m.proxy_env.as_ref().map(|p| {
                Obj::new()
                    .put("http_proxy", p.http_proxy.as_str())
                    .put("https_proxy", p.https_proxy.as_str())
                    .put("ftp_proxy", p.ftp_proxy.as_str())
                    .put("no_proxy", p.no_proxy.as_str())
                    .put("all_proxy", p.all_proxy.as_str())
                    .done()
            }),
        )
        .put("extraHosts", hosts)
        .put("hostname", m.hostname.as_str())
        .put("ulimit", ulimits)
        .put("cgroupParent", m.cgroup_parent.as_str())
        .put("removeMountStubsRecursive", m.remove_mount_stubs_recursive)
        .put("validExitCodes", m.valid_exit_codes.clone())
        .done()
}

fn mount_json(m: &pb::Mount) -> Value {
    let mut obj = Obj::new()
        // input and output are meaningful at 0 (first input / output), so always shown.
        .put_msg("input", Some(Value::from(m.input)))
        .put("selector", m.selector.as_str())
        .put("dest", m.dest.as_str())
        .put_msg("output", Some(Value::from(m.output)))
        .put("readonly", m.readonly);
    if m.mount_type != 0 {
        obj = obj.put(
            "mountType",
            enum_name(m.mount_type, |t: pb::MountType| t.as_str_name()),
        );
    }
    obj = obj
        .put_msg(
            "TmpfsOpt",
            m.tmpfs_opt
                .as_ref()
                .map(|t| Obj::new().put("size", t.size).done()),
        )
        .put_msg(
            "cacheOpt",
            m.cache_opt.as_ref().map(|c| {
                Obj::new()
                    .put("ID", c.id.as_str())
                    .put(
                        "sharing",
                        enum_name(c.sharing, |s: pb::CacheSharingOpt| s.as_str_name()),
                    )
                    .done()
            }),
        )
        .put_msg(
            "secretOpt",
            m.secret_opt
                .as_ref()
                .map(|s| ids_json(&s.id, s.uid, s.gid, s.mode, s.optional)),
        )
        .put_msg(
            "SSHOpt",
            m.ssh_opt
                .as_ref()
                .map(|s| ids_json(&s.id, s.uid, s.gid, s.mode, s.optional)),
        )
        .put("resultID", m.result_id.as_str());
    if m.content_cache != 0 {
        obj = obj.put(
            "contentCache",
            enum_name(m.content_cache, |c: pb::MountContentCache| c.as_str_name()),
        );
    }
    obj.done()
}

/// A file mode as Go writes octal literals (`0755`); 0 and -1 (unset) stay numbers.
fn octal(mode: i64) -> Value {
    if mode <= 0 {
        Value::from(mode)
    } else {
        Value::from(format!("0{mode:o}"))
    }
}

fn ids_json(id: &str, uid: u32, gid: u32, mode: u32, optional: bool) -> Value {
    Obj::new()
        .put("ID", id)
        .put("uid", uid)
        .put("gid", gid)
        .put("mode", octal(i64::from(mode)))
        .put("optional", optional)
        .done()
}

fn source_json(s: &pb::SourceOp) -> Value {
    let attrs: Map<String, Value> = s
        .attrs
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    // attrs are shown even when empty-valued: an empty value is part of the digest.
    let mut obj = Obj::new().put("identifier", s.identifier.as_str());
    if !attrs.is_empty() {
        obj = obj.put_msg("attrs", Some(Value::Object(attrs)));
    }
    obj.done()
}

fn build_json(b: &pb::BuildOp) -> Value {
    let inputs: Map<String, Value> = b
        .inputs
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.input)))
        .collect();
    let attrs: Map<String, Value> = b
        .attrs
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    Obj::new()
        .put("builder", b.builder)
        .put("inputs", Value::Object(inputs))
        .put_msg("def", b.def.as_ref().map(definition_to_json))
        .put("attrs", Value::Object(attrs))
        .done()
}

fn diff_json(d: &pb::DiffOp) -> Value {
    Obj::new()
        .put_msg("lower", d.lower.as_ref().map(|l| json!({"input": l.input})))
        .put_msg("upper", d.upper.as_ref().map(|u| json!({"input": u.input})))
        .done()
}

fn file_json(f: &pb::FileOp) -> Value {
    let actions: Vec<Value> = f.actions.iter().map(action_json).collect();
    json!({ "actions": actions })
}

fn action_json(a: &pb::FileAction) -> Value {
    use pb::file_action::Action;
    let obj = Obj::new()
        .put_msg("input", Some(Value::from(a.input)))
        .put_msg("secondaryInput", Some(Value::from(a.secondary_input)))
        .put_msg("output", Some(Value::from(a.output)));
    let (kind, body) = match &a.action {
        Some(Action::Copy(c)) => ("copy", copy_json(c)),
        Some(Action::Mkfile(m)) => (
            "mkfile",
            Obj::new()
                .put("path", m.path.as_str())
                .put("mode", octal(i64::from(m.mode)))
                .bytes("data", &m.data)
                .put_msg("owner", m.owner.as_ref().map(chown_json))
                .put("timestamp", m.timestamp)
                .done(),
        ),
        Some(Action::Mkdir(m)) => (
            "mkdir",
            Obj::new()
                .put("path", m.path.as_str())
                .put("mode", octal(i64::from(m.mode)))
                .put("makeParents", m.make_parents)
                .put_msg("owner", m.owner.as_ref().map(chown_json))
                .put("timestamp", m.timestamp)
                .done(),
        ),
        Some(Action::Rm(r)) => (
            "rm",
            Obj::new()
                .put("path", r.path.as_str())
                .put("allowNotFound", r.allow_not_found)
                .put("allowWildcard", r.allow_wildcard)
                .done(),
        ),
        None => return obj.done(),
    };
    obj.put_msg(kind, Some(body)).done()
}

fn copy_json(c: &pb::FileActionCopy) -> Value {
    let mut obj = Obj::new()
        .put("src", c.src.as_str())
        .put("dest", c.dest.as_str())
        .put_msg("owner", c.owner.as_ref().map(chown_json));
    if c.mode != 0 {
        obj = obj.put_msg("mode", Some(octal(i64::from(c.mode))));
    }
    obj.put("followSymlink", c.follow_symlink)
        .put("dirCopyContents", c.dir_copy_contents)
        .put(
            "attemptUnpackDockerCompatibility",
            c.attempt_unpack_docker_compatibility,
        )
        .put("createDestPath", c.create_dest_path)
        .put("allowWildcard", c.allow_wildcard)
        .put("allowEmptyWildcard", c.allow_empty_wildcard)
        .put("timestamp", c.timestamp)
        .put("include_patterns", strings(&c.include_patterns))
        .put("exclude_patterns", strings(&c.exclude_patterns))
        .put(
            "alwaysReplaceExistingDestPaths",
            c.always_replace_existing_dest_paths,
        )
        .put("modeStr", c.mode_str.as_str())
        .done()
}

fn chown_json(c: &pb::ChownOpt) -> Value {
    Obj::new()
        .put_msg("user", c.user.as_ref().map(user_json))
        .put_msg("group", c.group.as_ref().map(user_json))
        .done()
}

fn user_json(u: &pb::UserOpt) -> Value {
    match &u.user {
        Some(pb::user_opt::User::ByName(n)) => {
            json!({"byName": Obj::new().put("name", n.name.as_str()).put("input", n.input).done()})
        }
        Some(pb::user_opt::User::ById(id)) => json!({ "byID": id }),
        None => json!({}),
    }
}

fn metadata_json(m: &pb::OpMetadata) -> Value {
    let description: Map<String, Value> = m
        .description
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    let caps: Vec<Value> = m
        .caps
        .iter()
        .filter(|(_, on)| **on)
        .map(|(c, _)| Value::from(c.as_str()))
        .collect();
    Obj::new()
        .put("ignore_cache", m.ignore_cache)
        .put("description", Value::Object(description))
        .put_msg(
            "export_cache",
            m.export_cache.as_ref().map(|e| json!({"Value": e.value})),
        )
        .put("caps", caps)
        .put_msg(
            "progress_group",
            m.progress_group.as_ref().map(|g| {
                Obj::new()
                    .put("id", g.id.as_str())
                    .put("name", g.name.as_str())
                    .put("weak", g.weak)
                    .done()
            }),
        )
        .done()
}

fn locations_json(l: &pb::Locations) -> Value {
    let locations: Vec<Value> = l
        .locations
        .iter()
        .map(|loc| {
            let ranges: Vec<Value> = loc
                .ranges
                .iter()
                .map(|r| {
                    let pos = |p: Option<pb::Position>| {
                        let p = p.unwrap_or_default();
                        json!({"line": p.line, "character": p.character})
                    };
                    json!({"start": pos(r.start), "end": pos(r.end)})
                })
                .collect();
            json!({"sourceIndex": loc.source_index, "ranges": ranges})
        })
        .collect();
    Value::from(locations)
}

fn source_info_json(info: &pb::SourceInfo) -> Value {
    Obj::new()
        .put("filename", info.filename.as_str())
        .put("language", info.language.as_str())
        .bytes("data", &info.data)
        .put_msg(
            "definition",
            info.definition.as_ref().map(definition_to_json),
        )
        .done()
}
