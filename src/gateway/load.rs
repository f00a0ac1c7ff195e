//! The small LLB graphs the gateway solves itself before conversion: the `local://dockerfile`
//! source that loads the Dockerfile (and `<Dockerfile>.dockerignore`) and the
//! `local://context` source that loads `.dockerignore`, built op for op like `dockerui`
//! (`ReadEntrypoint` / `MainContext`) so digests and progress names match `dockerfile.v0`.
//!
//! Not for: the build graph itself (that is `convert` + `llb`).

use std::collections::BTreeMap;

use prost::Message as _;
use sha2::{Digest as _, Sha256};

use crate::llb::pb;
use crate::platform::Platform;

/// The Dockerfile's conventional name; a Dockerfile called so may also be spelled `dockerfile`.
pub const DEFAULT_DOCKERFILE_NAME: &str = "Dockerfile";
/// The context's ignore file.
pub const DOCKERIGNORE_NAME: &str = ".dockerignore";

/// The paths `dockerui` asks the client to send from the Dockerfile local: the file, its own
/// ignore file and, for `Dockerfile`, the lower-case spelling next to it.
pub fn dockerfile_follow_paths(filename: &str) -> Vec<String> {
    let mut paths = vec![filename.to_string(), format!("{filename}.dockerignore")];
    if let Some(lower) = lowercase_variant(filename) {
        paths.push(lower);
    }
    paths
}

/// `dir/dockerfile` when the base name is exactly `Dockerfile`.
pub fn lowercase_variant(filename: &str) -> Option<String> {
    let (dir, base) = match filename.rsplit_once('/') {
        Some((dir, base)) => (Some(dir), base),
        None => (None, filename),
    };
    if base != DEFAULT_DOCKERFILE_NAME {
        return None;
    }
    let lower = DEFAULT_DOCKERFILE_NAME.to_lowercase();
    Some(match dir {
        Some(d) if !d.is_empty() => super::dockerignore::clean(&format!("{d}/{lower}")),
        _ => lower,
    })
}

/// Definition of `llb.Local(<dockerfile local>, FollowPaths, SessionID, SharedKeyHint,
/// "[internal] load build definition from <filename>", Differ(none))`.
pub fn dockerfile_source(
    local_name: &str,
    filename: &str,
    session_id: &str,
    platform: &Platform,
) -> pb::Definition {
    local_definition(
        local_name,
        &dockerfile_follow_paths(filename),
        session_id,
        local_name,
        &format!("[internal] load build definition from {filename}"),
        platform,
    )
}

/// Definition of the `local://context` source that loads only `.dockerignore`
/// (`[internal] load .dockerignore`, shared key `context-.dockerignore`).
pub fn dockerignore_source(
    local_name: &str,
    session_id: &str,
    platform: &Platform,
) -> pb::Definition {
    local_definition(
        local_name,
        &[DOCKERIGNORE_NAME.to_string()],
        session_id,
        &format!("{local_name}-{DOCKERIGNORE_NAME}"),
        &format!("[internal] load {DOCKERIGNORE_NAME}"),
        platform,
    )
}

fn local_definition(
    local_name: &str,
    follow_paths: &[String],
    session_id: &str,
    shared_key: &str,
    name: &str,
    platform: &Platform,
) -> pb::Definition {
    let mut attrs = BTreeMap::new();
    let mut caps = BTreeMap::new();
    if !session_id.is_empty() {
        attrs.insert("local.session".to_string(), session_id.to_string());
        caps.insert("source.local.sessionid".to_string(), true);
    }
    if !follow_paths.is_empty() {
        attrs.insert(
            "local.followpaths".to_string(),
            go_json_strings(follow_paths),
        );
        caps.insert("source.local.followpaths".to_string(), true);
    }
    if !shared_key.is_empty() {
        attrs.insert("local.sharedkeyhint".to_string(), shared_key.to_string());
        caps.insert("source.local.sharedkeyhint".to_string(), true);
    }
    attrs.insert("local.differ".to_string(), "none".to_string());
    caps.insert("source.local".to_string(), true);

    let op = pb::Op {
        inputs: Vec::new(),
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("local://{local_name}"),
            attrs,
        })),
        platform: Some(pb::Platform {
            architecture: platform.architecture.clone(),
            os: platform.os.clone(),
            variant: platform.variant.clone(),
            os_version: platform.os_version.clone(),
            os_features: Vec::new(),
        }),
        constraints: Some(pb::WorkerConstraints::default()),
    };
    let source_meta = pb::OpMetadata {
        description: BTreeMap::from([("llb.customname".to_string(), name.to_string())]),
        caps,
        ..Default::default()
    };
    single_op_definition(op, source_meta)
}

/// A Definition of one op plus the terminal op pointing at its output 0, with the terminal
/// metadata `State.Marshal` adds (`constraints`, `platform`, `meta.description` when any op has a
/// description).
pub fn single_op_definition(op: pb::Op, meta: pb::OpMetadata) -> pb::Definition {
    let bytes = op.encode_to_vec();
    let digest = digest_of(&bytes);
    let terminal = pb::Op {
        inputs: vec![pb::Input {
            digest: digest.clone(),
            index: 0,
        }],
        ..Default::default()
    };
    let terminal_bytes = terminal.encode_to_vec();
    let mut terminal_caps = BTreeMap::from([
        ("constraints".to_string(), true),
        ("platform".to_string(), true),
    ]);
    if !meta.description.is_empty() {
        terminal_caps.insert("meta.description".to_string(), true);
    }
    let mut metadata = BTreeMap::new();
    metadata.insert(digest, meta);
    metadata.insert(
        digest_of(&terminal_bytes),
        pb::OpMetadata {
            caps: terminal_caps,
            ..Default::default()
        },
    );
    pb::Definition {
        def: vec![bytes, terminal_bytes],
        metadata,
        source: None,
    }
}

fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Go `encoding/json` of a `[]string` (HTML-safe escaping included).
pub fn go_json_strings(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| go_json_string(s)).collect();
    format!("[{}]", parts.join(","))
}

/// Go `encoding/json` of a string: `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u....`.
pub fn go_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_paths_include_the_lowercase_variant_only_for_dockerfile() {
        assert_eq!(
            dockerfile_follow_paths("Dockerfile"),
            ["Dockerfile", "Dockerfile.dockerignore", "dockerfile"]
        );
        assert_eq!(
            dockerfile_follow_paths("sub/Dockerfile"),
            [
                "sub/Dockerfile",
                "sub/Dockerfile.dockerignore",
                "sub/dockerfile"
            ]
        );
        assert_eq!(
            dockerfile_follow_paths("Dockerfile.dev"),
            ["Dockerfile.dev", "Dockerfile.dev.dockerignore"]
        );
    }

    #[test]
    fn go_json_escapes_html_characters() {
        assert_eq!(
            go_json_strings(&["a<b>&\"c\\".to_string(), "\u{1}".to_string()]),
            r#"["a\u003cb\u003e\u0026\"c\\","\u0001"]"#
        );
    }

    #[test]
    fn dockerfile_source_matches_dockerui_read_entrypoint() {
        let def = dockerfile_source(
            "dockerfile",
            "Dockerfile",
            "sess",
            &Platform::new("linux", "amd64", ""),
        );
        assert_eq!(def.def.len(), 2);
        let op = pb::Op::decode(def.def[0].as_slice()).unwrap();
        let Some(pb::op::Op::Source(src)) = &op.op else {
            panic!("not a source op");
        };
        assert_eq!(src.identifier, "local://dockerfile");
        assert_eq!(
            src.attrs,
            BTreeMap::from([
                ("local.differ".to_string(), "none".to_string()),
                (
                    "local.followpaths".to_string(),
                    r#"["Dockerfile","Dockerfile.dockerignore","dockerfile"]"#.to_string()
                ),
                ("local.session".to_string(), "sess".to_string()),
                ("local.sharedkeyhint".to_string(), "dockerfile".to_string()),
            ])
        );
        assert!(op.constraints.is_some());
        let md = &def.metadata[&digest_of(&def.def[0])];
        assert_eq!(
            md.description["llb.customname"],
            "[internal] load build definition from Dockerfile"
        );
        assert_eq!(
            md.caps.keys().collect::<Vec<_>>(),
            [
                "source.local",
                "source.local.followpaths",
                "source.local.sessionid",
                "source.local.sharedkeyhint"
            ]
        );
        let terminal = &def.metadata[&digest_of(&def.def[1])];
        assert_eq!(
            terminal.caps.keys().collect::<Vec<_>>(),
            ["constraints", "meta.description", "platform"]
        );
    }

    #[test]
    fn dockerignore_source_uses_its_own_shared_key() {
        let def = dockerignore_source("context", "s", &Platform::new("linux", "amd64", ""));
        let op = pb::Op::decode(def.def[0].as_slice()).unwrap();
        let Some(pb::op::Op::Source(src)) = &op.op else {
            panic!("not a source op");
        };
        assert_eq!(src.attrs["local.sharedkeyhint"], "context-.dockerignore");
        assert_eq!(src.attrs["local.followpaths"], r#"[".dockerignore"]"#);
        let md = &def.metadata[&digest_of(&def.def[0])];
        assert_eq!(
            md.description["llb.customname"],
            "[internal] load .dockerignore"
        );
    }
}
