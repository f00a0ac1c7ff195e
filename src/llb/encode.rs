//! Go-compatible protobuf encoding of LLB ops and Definitions: the exact bytes BuildKit's Go
//! marshaller (`proto.MarshalOptions{Deterministic: true}`, protobuf-go, used by `client/llb`
//! since v0.17 and by the daemon when it re-marshals every op on load since v0.18) produces for
//! the same message, so op digests computed here equal the digests the daemon computes
//! (progress vertices, source-map lookups for error excerpts, cache keys).
//!
//! prost writes fields in ascending tag order, skips proto3 defaults, packs repeated scalars and
//! always writes set sub-messages and set oneof members, like Go. Two differences remain:
//! - protobuf-go writes the members of a oneof *after* all other fields. Of BuildKit's messages
//!   only `Op` has a oneof (`op`, tags 2-8) before other fields (`platform` 10, `constraints`
//!   11), so `Op` is written by hand: inputs, platform, constraints, then the op body.
//!   (`FileAction.action` and `UserOpt.user` come last by tag anyway.)
//! - map entries: prost omits an entry's key or value when it equals the default (`""`,
//!   `false`, an empty message) while Go always writes both. Every message that (transitively)
//!   holds a map is therefore written here by hand: `Op` → `SourceOp.attrs`,
//!   `BuildOp.{inputs,attrs,def}`, and `Definition` → `OpMetadata.{description,caps}`,
//!   `Source.locations`, `SourceInfo.definition`.
//!
//! Everything else is delegated to prost.
//!
//! Not for: deciding what goes into an op (convert) or graph layout (`graph`).

use std::collections::BTreeMap;

use prost::Message;

use super::pb;

const VARINT: u32 = 0;
const LEN: u32 = 2;

/// The exact bytes of `op` that are hashed into its digest and sent in `Definition.def`.
pub fn encode_op(op: &pb::Op) -> Vec<u8> {
    let mut buf = Vec::with_capacity(op.encoded_len() + 16);
    for input in &op.inputs {
        put_message(&mut buf, 1, input);
    }
    if let Some(platform) = &op.platform {
        put_message(&mut buf, 10, platform);
    }
    if let Some(constraints) = &op.constraints {
        put_message(&mut buf, 11, constraints);
    }
    // protobuf-go writes oneof members after every other field ("to preserve compatibility
    // with historic wire output", `impl/codec_message.go`, `order.LegacyFieldOrder`).
    match &op.op {
        Some(pb::op::Op::Source(src)) => put_bytes(&mut buf, 3, &encode_source_op(src)),
        Some(pb::op::Op::Build(build)) => put_bytes(&mut buf, 5, &encode_build_op(build)),
        Some(other) => other.encode(&mut buf),
        None => {}
    }
    buf
}

/// The bytes Go's deterministic marshaller writes for `def` (what `gofront llb` prints).
/// Decoding them with prost gives back `def`.
pub fn encode_definition(def: &pb::Definition) -> Vec<u8> {
    let mut buf = Vec::with_capacity(def.encoded_len() + 64);
    for op in &def.def {
        put_bytes(&mut buf, 1, op);
    }
    for (key, meta) in &def.metadata {
        put_entry(&mut buf, 2, key, |v| {
            put_bytes(v, 2, &encode_op_metadata(meta))
        });
    }
    if let Some(source) = &def.source {
        put_bytes(&mut buf, 3, &encode_source(source));
    }
    buf
}

fn encode_source_op(src: &pb::SourceOp) -> Vec<u8> {
    let mut buf = Vec::new();
    put_string_field(&mut buf, 1, &src.identifier);
    put_string_map(&mut buf, 2, &src.attrs);
    buf
}

fn encode_build_op(build: &pb::BuildOp) -> Vec<u8> {
    let mut buf = Vec::new();
    put_int64_field(&mut buf, 1, build.builder);
    for (key, input) in &build.inputs {
        put_entry(&mut buf, 2, key, |v| put_message(v, 2, input));
    }
    if let Some(def) = &build.def {
        put_bytes(&mut buf, 3, &encode_definition(def));
    }
    put_string_map(&mut buf, 4, &build.attrs);
    buf
}

fn encode_op_metadata(meta: &pb::OpMetadata) -> Vec<u8> {
    let mut buf = Vec::new();
    if meta.ignore_cache {
        put_key(&mut buf, 1, VARINT);
        put_varint(&mut buf, 1);
    }
    put_string_map(&mut buf, 2, &meta.description);
    if let Some(export) = &meta.export_cache {
        put_message(&mut buf, 4, export);
    }
    for (cap, on) in &meta.caps {
        put_entry(&mut buf, 5, cap, |v| {
            put_key(v, 2, VARINT);
            put_varint(v, u64::from(*on));
        });
    }
    if let Some(group) = &meta.progress_group {
        put_message(&mut buf, 6, group);
    }
    buf
}

fn encode_source(source: &pb::Source) -> Vec<u8> {
    let mut buf = Vec::new();
    for (key, locations) in &source.locations {
        put_entry(&mut buf, 1, key, |v| put_message(v, 2, locations));
    }
    for info in &source.infos {
        put_bytes(&mut buf, 2, &encode_source_info(info));
    }
    buf
}

fn encode_source_info(info: &pb::SourceInfo) -> Vec<u8> {
    let mut buf = Vec::new();
    put_string_field(&mut buf, 1, &info.filename);
    if !info.data.is_empty() {
        put_bytes(&mut buf, 2, &info.data);
    }
    if let Some(def) = &info.definition {
        put_bytes(&mut buf, 3, &encode_definition(def));
    }
    put_string_field(&mut buf, 4, &info.language);
    buf
}

/// A `map<string, string>` field: one entry per key in key order, key and value always written.
fn put_string_map(buf: &mut Vec<u8>, field: u32, map: &BTreeMap<String, String>) {
    for (key, value) in map {
        put_entry(buf, field, key, |v| put_bytes(v, 2, value.as_bytes()));
    }
}

/// One map entry: field 1 = key (always written), then whatever `value` writes (field 2).
fn put_entry(buf: &mut Vec<u8>, field: u32, key: &str, value: impl FnOnce(&mut Vec<u8>)) {
    let mut entry = Vec::with_capacity(key.len() + 8);
    put_bytes(&mut entry, 1, key.as_bytes());
    value(&mut entry);
    put_bytes(buf, field, &entry);
}

fn put_string_field(buf: &mut Vec<u8>, field: u32, value: &str) {
    if !value.is_empty() {
        put_bytes(buf, field, value.as_bytes());
    }
}

fn put_int64_field(buf: &mut Vec<u8>, field: u32, value: i64) {
    if value != 0 {
        put_key(buf, field, VARINT);
        // Two's complement, as protobuf encodes negative int64 (ten bytes).
        put_varint(buf, value as u64);
    }
}

fn put_message(buf: &mut Vec<u8>, field: u32, msg: &impl Message) {
    put_key(buf, field, LEN);
    put_varint(buf, msg.encoded_len() as u64);
    msg.encode_raw(buf);
}

fn put_bytes(buf: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_key(buf, field, LEN);
    put_varint(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

fn put_key(buf: &mut Vec<u8>, field: u32, wire_type: u32) {
    put_varint(buf, u64::from((field << 3) | wire_type));
}

fn put_varint(buf: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        buf.push((value as u8) | 0x80);
        value >>= 7;
    }
    buf.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(identifier: &str, attrs: &[(&str, &str)]) -> pb::Op {
        pb::Op {
            op: Some(pb::op::Op::Source(pb::SourceOp {
                identifier: identifier.into(),
                attrs: attrs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            })),
            constraints: Some(pb::WorkerConstraints::default()),
            ..Default::default()
        }
    }

    /// `tag`, length, payload — built by hand from the wire-format spec, independent of the code
    /// under test.
    fn ld(tag: u8, payload: &[u8]) -> Vec<u8> {
        assert!(payload.len() < 128);
        let mut v = vec![tag, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn op_with_only_empty_constraints_is_5a_00() {
        let op = pb::Op {
            constraints: Some(pb::WorkerConstraints::default()),
            ..Default::default()
        };
        assert_eq!(encode_op(&op), vec![0x5a, 0x00]);
    }

    #[test]
    fn image_source_with_platform_matches_hand_encoding() {
        let mut op = source("docker-image://docker.io/library/busybox:latest", &[]);
        op.platform = Some(pb::Platform {
            architecture: "amd64".into(),
            os: "linux".into(),
            ..Default::default()
        });
        let platform = [ld(0x0a, b"amd64"), ld(0x12, b"linux")].concat();
        let mut want = ld(0x52, &platform);
        want.extend([0x5a, 0x00]);
        want.extend(ld(
            0x1a,
            &ld(0x0a, b"docker-image://docker.io/library/busybox:latest"),
        ));
        assert_eq!(encode_op(&op), want);
    }

    #[test]
    fn empty_attr_value_is_written_like_go() {
        let op = source("local://context", &[("local.unique", "")]);
        let entry = [ld(0x0a, b"local.unique"), vec![0x12, 0x00]].concat();
        let src = [ld(0x0a, b"local://context"), ld(0x12, &entry)].concat();
        let want = [vec![0x5a, 0x00], ld(0x1a, &src)].concat();
        let ours = encode_op(&op);
        assert_eq!(ours, want);
        // prost alone drops the empty value: the reason this module exists.
        assert_ne!(op.encode_to_vec(), ours);
        assert_eq!(pb::Op::decode(ours.as_slice()).ok(), Some(op));
    }

    #[test]
    fn attrs_are_written_in_byte_order_of_keys() {
        let op = source("local://c", &[("k.b", "2"), ("k.a", "1"), ("k.B", "3")]);
        let bytes = encode_op(&op);
        let pos = |k: &[u8]| bytes.windows(k.len()).position(|w| w == k);
        let (upper, a, b) = (pos(b"k.B"), pos(b"k.a"), pos(b"k.b"));
        assert!(
            upper.is_some() && upper < a && a < b,
            "{upper:?} {a:?} {b:?}"
        );
    }

    #[test]
    fn inputs_with_index_zero_omit_the_index_and_negative_mount_inputs_take_ten_bytes() {
        let digest = format!("sha256:{}", "0".repeat(64));
        let op = pb::Op {
            inputs: vec![
                pb::Input {
                    digest: digest.clone(),
                    index: 0,
                },
                pb::Input {
                    digest: digest.clone(),
                    index: 1,
                },
            ],
            op: Some(pb::op::Op::Exec(pb::ExecOp {
                mounts: vec![pb::Mount {
                    input: -1,
                    ..Default::default()
                }],
                ..Default::default()
            })),
            ..Default::default()
        };
        let mut want = ld(0x0a, &ld(0x0a, digest.as_bytes()));
        want.extend(ld(
            0x0a,
            &[ld(0x0a, digest.as_bytes()), vec![0x10, 0x01]].concat(),
        ));
        let mount = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        want.extend(ld(0x12, &ld(0x12, &mount)));
        assert_eq!(encode_op(&op), want);
    }

    #[test]
    fn build_op_maps_keep_empty_values() {
        let op = pb::Op {
            op: Some(pb::op::Op::Build(pb::BuildOp {
                builder: -1,
                inputs: [("in".to_string(), pb::BuildInput { input: 0 })].into(),
                def: Some(pb::Definition::default()),
                attrs: [("k".to_string(), String::new())].into(),
            })),
            ..Default::default()
        };
        let bytes = encode_op(&op);
        let builder = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        let input_entry = [ld(0x0a, b"in"), vec![0x12, 0x00]].concat();
        let attr_entry = [ld(0x0a, b"k"), vec![0x12, 0x00]].concat();
        let body = [
            builder.to_vec(),
            ld(0x12, &input_entry),
            vec![0x1a, 0x00],
            ld(0x22, &attr_entry),
        ]
        .concat();
        assert_eq!(bytes, ld(0x2a, &body));
        assert_eq!(pb::Op::decode(bytes.as_slice()).ok(), Some(op));
    }

    #[test]
    fn metadata_caps_and_descriptions_are_written_with_both_fields() {
        let meta = pb::OpMetadata {
            description: [("llb.customname".to_string(), String::new())].into(),
            caps: [("platform".to_string(), false)].into(),
            ..Default::default()
        };
        let def = pb::Definition {
            metadata: [("d".to_string(), meta)].into(),
            ..Default::default()
        };
        let desc = ld(
            0x12,
            &[ld(0x0a, b"llb.customname"), vec![0x12, 0x00]].concat(),
        );
        let caps = ld(0x2a, &[ld(0x0a, b"platform"), vec![0x10, 0x00]].concat());
        let entry = [ld(0x0a, b"d"), ld(0x12, &[desc, caps].concat())].concat();
        let bytes = encode_definition(&def);
        assert_eq!(bytes, ld(0x12, &entry));
        assert_eq!(pb::Definition::decode(bytes.as_slice()).ok(), Some(def));
    }

    #[test]
    fn ops_without_map_entries_encode_exactly_like_prost() {
        let op = pb::Op {
            inputs: vec![pb::Input {
                digest: "sha256:x".into(),
                index: 2,
            }],
            op: Some(pb::op::Op::File(pb::FileOp {
                actions: vec![pb::FileAction {
                    input: 0,
                    secondary_input: -1,
                    output: 0,
                    action: Some(pb::file_action::Action::Mkdir(pb::FileActionMkDir {
                        path: "/app".into(),
                        mode: 0o755,
                        make_parents: true,
                        owner: Some(pb::ChownOpt {
                            user: Some(pb::UserOpt {
                                user: Some(pb::user_opt::User::ById(0)),
                            }),
                            group: None,
                        }),
                        timestamp: -1,
                    })),
                }],
            })),
            platform: None,
            constraints: Some(pb::WorkerConstraints {
                filter: vec!["a".into()],
            }),
        };
        assert_eq!(encode_op(&op), prost_with_body_last(&op));
    }

    #[test]
    fn the_op_body_is_written_after_platform_and_constraints_like_protobuf_go() {
        // Bytes protobuf-go (BuildKit v0.25.2's `pb.Op.Marshal`) wrote for
        // `FROM busybox:latest` (`gofront llb`, re-marshalled by the daemon's code).
        let go = "520e0a05616d64363412056c696e75785a001a310a2f646f636b65722d696d6167653a2f2f\
                  646f636b65722e696f2f6c6962726172792f62757379626f783a6c6174657374";
        let mut op = source("docker-image://docker.io/library/busybox:latest", &[]);
        op.platform = Some(pb::Platform {
            architecture: "amd64".into(),
            os: "linux".into(),
            ..Default::default()
        });
        let hex: String = encode_op(&op).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, go.replace(' ', ""));
    }

    /// prost's bytes of everything but the oneof, then prost's bytes of the oneof.
    pub(crate) fn prost_with_body_last(op: &pb::Op) -> Vec<u8> {
        let mut head = op.clone();
        head.op = None;
        let mut bytes = head.encode_to_vec();
        if let Some(body) = &op.op {
            body.encode(&mut bytes);
        }
        bytes
    }
}
