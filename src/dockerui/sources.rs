//! The small LLB graphs solved before conversion to read the build context: the
//! `local://dockerfile` source that loads the Dockerfile (and `<Dockerfile>.dockerignore`), the
//! `local://context` sources that load a `.dockerignore` (main and `local:` named contexts),
//! and the transfer of only the files gofront reads itself (the Go module files), built op for
//! op like `dockerui` (`ReadEntrypoint` / `MainContext`) so digests and progress names match
//! `dockerfile.v0`.
//!
//! Not for: solving them (the gateway does) or the build graph itself (`convert` + `llb`).

use std::collections::BTreeMap;

use crate::llb::{go_json_strings, pb, Caps, Graph, LlbError, OpMeta, Output};
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

/// `dir/dockerfile` when the base name is exactly `Dockerfile` (dockerui:
/// `path.Join(path.Dir(name), "dockerfile")` when `path.Base(name)` is `Dockerfile`).
pub fn lowercase_variant(filename: &str) -> Option<String> {
    use crate::gostd::path::{base, dir, join};
    (base(filename) == DEFAULT_DOCKERFILE_NAME)
        .then(|| join(&[&dir(filename), &DEFAULT_DOCKERFILE_NAME.to_lowercase()]))
}

/// Definition of `llb.Local(<dockerfile local>, FollowPaths, SessionID, SharedKeyHint,
/// "[internal] load build definition from <filename>", Differ(none))`.
pub fn dockerfile_source(
    local_name: &str,
    filename: &str,
    session_id: &str,
    platform: &Platform,
    caps: &Caps,
) -> Result<pb::Definition, LlbError> {
    local_definition(
        LocalSource {
            local_name,
            follow_paths: &dockerfile_follow_paths(filename),
            session_id,
            shared_key: local_name,
            name: &format!("[internal] load build definition from {filename}"),
            ..LocalSource::default()
        },
        platform,
        caps,
    )
}

/// Definition of the `local://context` source that loads only `.dockerignore`
/// (`[internal] load .dockerignore`, shared key `context-.dockerignore`).
pub fn dockerignore_source(
    local_name: &str,
    session_id: &str,
    platform: &Platform,
    caps: &Caps,
) -> Result<pb::Definition, LlbError> {
    dockerignore_only(
        local_name,
        session_id,
        &format!("{local_name}-{DOCKERIGNORE_NAME}"),
        &format!("[internal] load {DOCKERIGNORE_NAME}"),
        platform,
        caps,
    )
}

/// Definition of the source that loads only the `.dockerignore` of the `local:` named context
/// `key` (`[context <key>] load .dockerignore`, shared key `context:<key>-.dockerignore`).
pub fn named_dockerignore_source(
    local_name: &str,
    key: &str,
    session_id: &str,
    platform: &Platform,
    caps: &Caps,
) -> Result<pb::Definition, LlbError> {
    dockerignore_only(
        local_name,
        session_id,
        &format!("context:{key}-{DOCKERIGNORE_NAME}"),
        &format!("[context {key}] load {DOCKERIGNORE_NAME}"),
        platform,
        caps,
    )
}

/// A local source that transfers only `.dockerignore`, under `shared_key`, named `name`.
fn dockerignore_only(
    local_name: &str,
    session_id: &str,
    shared_key: &str,
    name: &str,
    platform: &Platform,
    caps: &Caps,
) -> Result<pb::Definition, LlbError> {
    local_definition(
        LocalSource {
            local_name,
            follow_paths: &[DOCKERIGNORE_NAME.to_string()],
            session_id,
            shared_key,
            name,
            ..LocalSource::default()
        },
        platform,
        caps,
    )
}

/// The name of the step that reads the Go module files from the context.
pub const CONTEXT_FILES_NAME: &str = "[gofront] load go.mod, go.sum, go.work from context";

/// Definition of the source that transfers only the files matching `include` (the Go module
/// files) of the main context minus what `.dockerignore` excludes, under its own shared key so
/// the main context's synced copy is not disturbed.
pub fn context_files_source(
    local_name: &str,
    session_id: &str,
    include: &[String],
    exclude: &[String],
    platform: &Platform,
    caps: &Caps,
) -> Result<pb::Definition, LlbError> {
    local_definition(
        LocalSource {
            local_name,
            session_id,
            shared_key: &format!("{local_name}-gofront-go-modules"),
            name: CONTEXT_FILES_NAME,
            include,
            exclude,
            ..LocalSource::default()
        },
        platform,
        caps,
    )
}

#[derive(Default)]
struct LocalSource<'a> {
    local_name: &'a str,
    follow_paths: &'a [String],
    session_id: &'a str,
    shared_key: &'a str,
    name: &'a str,
    include: &'a [String],
    exclude: &'a [String],
}

fn local_definition(
    src: LocalSource,
    platform: &Platform,
    caps: &Caps,
) -> Result<pb::Definition, LlbError> {
    let mut attrs = BTreeMap::new();
    if !src.session_id.is_empty() {
        attrs.insert("local.session".to_string(), src.session_id.to_string());
    }
    if !src.follow_paths.is_empty() {
        attrs.insert(
            "local.followpaths".to_string(),
            go_json_strings(src.follow_paths),
        );
    }
    if !src.include.is_empty() {
        attrs.insert(
            "local.includepattern".to_string(),
            go_json_strings(src.include),
        );
    }
    if !src.exclude.is_empty() {
        attrs.insert(
            "local.excludepatterns".to_string(),
            go_json_strings(src.exclude),
        );
    }
    if !src.shared_key.is_empty() {
        attrs.insert(
            "local.sharedkeyhint".to_string(),
            src.shared_key.to_string(),
        );
    }
    attrs.insert("local.differ".to_string(), "none".to_string());
    let op = pb::Op {
        inputs: Vec::new(),
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("local://{}", src.local_name),
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
    let mut graph = Graph::new(caps.clone());
    let digest = graph.add(
        op,
        OpMeta {
            custom_name: Some(src.name.to_string()),
            ..Default::default()
        },
    )?;
    graph.definition(Some(&Output::new(digest, 0)), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message as _;

    fn digest_of(bytes: &[u8]) -> String {
        crate::llb::Digest::of(bytes).to_string()
    }

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
    fn dockerfile_source_matches_dockerui_read_entrypoint() {
        let def = dockerfile_source(
            "dockerfile",
            "Dockerfile",
            "sess",
            &Platform::new("linux", "amd64", ""),
            &Caps::v0_13_defaults(),
        )
        .unwrap();
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
    fn context_files_source_includes_go_files_and_excludes_ignored_ones() {
        let include: Vec<String> = [
            "**/go.mod",
            "**/go.sum",
            "**/go.work",
            "**/go.work.sum",
            "**/vendor/modules.txt",
        ]
        .map(String::from)
        .to_vec();
        let def = context_files_source(
            "context",
            "s",
            &include,
            &["vendor".to_string()],
            &Platform::new("linux", "amd64", ""),
            &Caps::v0_13_defaults(),
        )
        .unwrap();
        let op = pb::Op::decode(def.def[0].as_slice()).unwrap();
        let Some(pb::op::Op::Source(src)) = &op.op else {
            panic!("not a source op");
        };
        assert_eq!(src.identifier, "local://context");
        assert_eq!(
            src.attrs["local.includepattern"],
            r#"["**/go.mod","**/go.sum","**/go.work","**/go.work.sum","**/vendor/modules.txt"]"#
        );
        assert_eq!(src.attrs["local.excludepatterns"], r#"["vendor"]"#);
        assert_eq!(
            src.attrs["local.sharedkeyhint"],
            "context-gofront-go-modules"
        );
        assert!(!src.attrs.contains_key("local.followpaths"));
        let md = &def.metadata[&digest_of(&def.def[0])];
        assert_eq!(md.description["llb.customname"], CONTEXT_FILES_NAME);
        assert!(md.caps.contains_key("source.local.includepatterns"));
    }

    #[test]
    fn dockerignore_source_uses_its_own_shared_key() {
        let def = dockerignore_source(
            "context",
            "s",
            &Platform::new("linux", "amd64", ""),
            &Caps::v0_13_defaults(),
        )
        .unwrap();
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
