//! The whole gateway flow against an in-memory bridge: what is solved and read in which order,
//! the Return value, errors, and the Go side (context files, summary, opt-outs).

use super::read::MODE_DIR;
use super::result::refs_platforms_json;
use super::*;
use crate::gateway::proto::apicaps_pb::ApiCap;
use crate::gateway::proto::fsutil_pb;
use crate::llb::pb;
use serde_json::json;
use tonic::Status;

/// An in-memory BuildKit: solves return numbered refs, ReadFile serves `files` for any ref.
#[derive(Default)]
struct FakeBridge {
    files: BTreeMap<String, Vec<u8>>,
    frontend_caps: Vec<&'static str>,
    solves: Vec<gw::SolveRequest>,
    reads: Vec<String>,
    dirs_read: Vec<String>,
    resolved: Vec<String>,
    resolved_sources: Vec<pb::SourceOp>,
    warns: Vec<gw::WarnRequest>,
    returned: Vec<gw::ReturnRequest>,
    inputs: BTreeMap<String, pb::Definition>,
    /// LLB caps Ping reports (empty: like a daemon that sends none, v0.13's defaults apply).
    llb_caps: Vec<String>,
}

fn cap(id: &str) -> ApiCap {
    ApiCap {
        id: id.to_string(),
        enabled: true,
        ..Default::default()
    }
}

impl Bridge for FakeBridge {
    async fn ping(&mut self) -> Result<gw::PongResponse, Status> {
        Ok(gw::PongResponse {
            frontend_api_caps: self.frontend_caps.iter().map(|c| cap(c)).collect(),
            llb_caps: self.llb_caps.iter().map(|c| cap(c)).collect(),
            workers: Vec::new(),
        })
    }
    async fn solve(&mut self, req: gw::SolveRequest) -> Result<gw::SolveResponse, Status> {
        self.solves.push(req);
        Ok(gw::SolveResponse {
            result: Some(gw::Result {
                result: Some(gw::result::Result::Ref(gw::Ref {
                    id: format!("ref-{}", self.solves.len()),
                    def: None,
                })),
                ..Default::default()
            }),
            ..Default::default()
        })
    }
    async fn read_file(&mut self, req: gw::ReadFileRequest) -> Result<Vec<u8>, Status> {
        let name = match &req.range {
            Some(r) => format!("{}[..{}]", req.file_path, r.length),
            None => req.file_path.clone(),
        };
        self.reads.push(name);
        self.files
            .get(&req.file_path)
            .cloned()
            .ok_or_else(|| Status::not_found(format!("open {}: no such file", req.file_path)))
    }
    async fn read_dir(&mut self, req: gw::ReadDirRequest) -> Result<Vec<fsutil_pb::Stat>, Status> {
        self.dirs_read.push(req.dir_path.clone());
        let dir = req.dir_path.trim_matches('/');
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut entries: BTreeMap<String, fsutil_pb::Stat> = BTreeMap::new();
        for (path, data) in &self.files {
            let Some(rest) = path.strip_prefix(&prefix) else {
                continue;
            };
            let (name, mode, size) = match rest.split_once('/') {
                Some((d, _)) => (d, MODE_DIR | 0o755, 0),
                None => (rest, 0o644, data.len() as i64),
            };
            entries.insert(
                name.to_string(),
                fsutil_pb::Stat {
                    path: name.to_string(),
                    mode,
                    size,
                    ..Default::default()
                },
            );
        }
        Ok(entries.into_values().collect())
    }
    async fn resolve_image_config(
        &mut self,
        _: gw::ResolveImageConfigRequest,
    ) -> Result<gw::ResolveImageConfigResponse, Status> {
        Err(Status::unimplemented("no registry"))
    }
    async fn resolve_source_meta(
        &mut self,
        req: gw::ResolveSourceMetaRequest,
    ) -> Result<gw::ResolveSourceMetaResponse, Status> {
        self.resolved.push(req.log_name.clone());
        let source = req.source.unwrap_or_default();
        self.resolved_sources.push(source.clone());
        if !source.identifier.contains("busybox") && !source.identifier.contains("golang") {
            return Err(Status::not_found("pull access denied"));
        }
        Ok(gw::ResolveSourceMetaResponse {
            source: Some(source),
            image: Some(gw::ResolveSourceImageResponse {
                digest: format!("sha256:{}", "a".repeat(64)),
                config: br#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]}}"#.to_vec(),
            }),
        })
    }
    async fn inputs(&mut self) -> Result<gw::InputsResponse, Status> {
        Ok(gw::InputsResponse {
            definitions: self.inputs.clone(),
        })
    }
    async fn warn(&mut self, req: gw::WarnRequest) -> Result<(), Status> {
        self.warns.push(req);
        Ok(())
    }
    async fn finish(&mut self, req: gw::ReturnRequest) -> Result<(), Status> {
        self.returned.push(req);
        Ok(())
    }
}

fn env(opts: &[(&str, &str)]) -> GatewayEnv {
    GatewayEnv {
        opts: opts
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        session_id: "session-1".into(),
        workers: None,
        exported_product: "docker".into(),
    }
}

fn bridge_with(files: &[(&str, &str)]) -> FakeBridge {
    FakeBridge {
        files: files
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect(),
        frontend_caps: vec!["solve.base", "return", "readfile", "proto.refarray"],
        ..Default::default()
    }
}

fn run(bridge: &mut FakeBridge, opts: &[(&str, &str)]) -> gw::ReturnRequest {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(serve(bridge, env(opts))).unwrap();
    assert_eq!(
        bridge.returned.len(),
        1,
        "Return must be called exactly once"
    );
    bridge.returned[0].clone()
}

const DOCKERFILE: &str = "FROM scratch AS base\nCOPY a /a\n\nFROM base\n";

#[test]
fn targets_subrequest_returns_metadata_without_ref() {
    let mut b = bridge_with(&[("Dockerfile", DOCKERFILE)]);
    let ret = run(&mut b, &[("requestid", "frontend.targets")]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let result = ret.result.unwrap();
    assert!(result.result.is_none());
    let text = String::from_utf8(result.metadata["result.txt"].clone()).unwrap();
    assert_eq!(text, "TARGET    DESCRIPTION\nbase      \n(default) \n");
    assert_eq!(result.metadata["version"], b"1.0.0");
    assert!(result.metadata.contains_key("result.json"));
}

#[test]
fn dockerfile_is_loaded_like_dockerfile_v0() {
    let mut b = bridge_with(&[("Dockerfile", DOCKERFILE)]);
    run(&mut b, &[("requestid", "frontend.targets")]);
    let def = b.solves[0].definition.clone().unwrap();
    let op = crate::llb::pb::Op::decode(def.def[0].as_slice()).unwrap();
    let Some(pb::op::Op::Source(src)) = op.op else {
        panic!("first solve is not a source");
    };
    assert_eq!(src.identifier, "local://dockerfile");
    assert_eq!(src.attrs["local.session"], "session-1");
    assert!(b.solves[0].allow_result_return && b.solves[0].allow_result_array_ref);
    assert_eq!(b.reads, ["Dockerfile", "Dockerfile.dockerignore"]);
}

#[test]
fn lowercase_dockerfile_is_a_fallback() {
    let mut b = bridge_with(&[("dockerfile", DOCKERFILE)]);
    let ret = run(&mut b, &[("requestid", "frontend.targets")]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    assert_eq!(b.reads[..2], ["Dockerfile", "dockerfile"]);
}

#[test]
fn missing_dockerfile_is_reported() {
    let mut b = bridge_with(&[]);
    let ret = run(&mut b, &[("filename", "Dockerfile.dev")]);
    let err = ret.error.unwrap();
    assert!(
        err.message
            .starts_with("failed to read dockerfile: open Dockerfile.dev"),
        "{}",
        err.message
    );
    assert!(ret.result.is_none());
}

#[test]
fn parse_errors_point_at_the_line() {
    let mut b = bridge_with(&[("Dockerfile", "FROM scratch\nRUNN x\n")]);
    let ret = run(&mut b, &[]);
    let err = ret.error.unwrap();
    assert!(
        err.message.starts_with("dockerfile parse error on line 2"),
        "{}",
        err.message
    );
    assert_eq!(err.details.len(), 1);
    assert_eq!(err.details[0].type_url, errors::SOURCE_TYPE_URL);
    let v: Value = serde_json::from_slice(&err.details[0].value).unwrap();
    assert_eq!(v["ranges"][0]["start"]["line"], 2);
    assert_eq!(v["info"]["filename"], "Dockerfile");
    assert!(v["info"]["definition"]["def"].is_array());
}

#[test]
fn unsupported_subrequests_and_caps_are_refused() {
    let mut b = bridge_with(&[("Dockerfile", DOCKERFILE)]);
    let ret = run(&mut b, &[("requestid", "frontend.convertllb")]);
    assert_eq!(
        ret.error.unwrap().message,
        "unsupported request frontend.convertllb"
    );

    let mut b = bridge_with(&[("Dockerfile", DOCKERFILE)]);
    let ret = run(
        &mut b,
        &[("frontend.caps", "moby.buildkit.frontend.contexts.zstd")],
    );
    let err = ret.error.unwrap();
    assert_eq!(err.code, Code::Unimplemented as i32);
    assert!(b.solves.is_empty(), "nothing is solved after a cap error");
}

#[test]
fn bad_options_fail_before_anything_is_solved() {
    let mut b = bridge_with(&[("Dockerfile", DOCKERFILE)]);
    let ret = run(&mut b, &[("image-resolve-mode", "sometimes")]);
    assert_eq!(
        ret.error.unwrap().message,
        "invalid image-resolve-mode: sometimes"
    );
    assert!(b.solves.is_empty());
}

#[test]
fn refs_platforms_uses_go_field_names() {
    assert_eq!(
        refs_platforms_json(&[
            Platform::new("linux", "amd64", ""),
            Platform::new("linux", "arm", "v7")
        ]),
        r#"{"Platforms":[{"ID":"linux/amd64","Platform":{"architecture":"amd64","os":"linux"}},{"ID":"linux/arm/v7","Platform":{"architecture":"arm","os":"linux","variant":"v7"}}]}"#
    );
}

#[test]
fn build_platform_falls_back_to_buildkit_workers_env() {
    let json = r#"[{"id":"w","platforms":[{"architecture":"arm64","os":"linux"}]}]"#;
    assert_eq!(
        platform_from_workers_json(json),
        Some(Platform::new("linux", "arm64", ""))
    );
    assert_eq!(platform_from_workers_json("garbage"), None);
}

fn build_bridge(dockerfile: &str) -> FakeBridge {
    let mut b = bridge_with(&[("Dockerfile", dockerfile), (".dockerignore", "*.log\n")]);
    b.frontend_caps.push("source.metaresolver");
    b
}

#[test]
fn single_platform_build_returns_one_ref_with_image_metadata() {
    let mut b = build_bridge("FROM busybox\nRUN echo hi\n");
    let ret = run(&mut b, &[("platform", "linux/amd64")]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let result = ret.result.unwrap();
    // solves: Dockerfile, .dockerignore, the build.
    assert_eq!(b.solves.len(), 3);
    assert_eq!(
        result.result,
        Some(gw::result::Result::Ref(gw::Ref {
            id: "ref-3".into(),
            def: None
        }))
    );
    let config: Value = serde_json::from_slice(&result.metadata["containerimage.config"]).unwrap();
    assert_eq!(config["os"], "linux");
    assert!(result.metadata.contains_key("containerimage.base.config"));
    assert_eq!(
        String::from_utf8(result.metadata["refs.platforms"].clone()).unwrap(),
        refs_platforms_json(&[Platform::new("linux", "amd64", "")])
    );
    assert_eq!(
        b.resolved,
        ["[internal] load metadata for docker.io/library/busybox:latest"]
    );
    assert_eq!(b.reads.last().map(String::as_str), Some(".dockerignore"));
    let build = b.solves[2].definition.as_ref().unwrap();
    assert!(build.def.len() >= 3, "image, exec and terminal ops");
}

#[test]
fn oci_layout_context_resolves_from_the_client_store() {
    let mut b = build_bridge("FROM busybox\nRUN echo hi\n");
    let dgst = format!("sha256:{}", "d".repeat(64));
    let value = format!("oci-layout://store1:latest@{dgst}");
    let ret = run(
        &mut b,
        &[("platform", "linux/amd64"), ("context:busybox", &value)],
    );
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let dummy = format!("docker.io/library/busybox@{dgst}");
    assert_eq!(
        b.resolved,
        [format!("[context busybox] load metadata for {dummy}")]
    );
    let source = &b.resolved_sources[0];
    assert_eq!(source.identifier, format!("oci-layout://{dummy}"));
    let attrs: Vec<(&str, &str)> = source
        .attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        attrs,
        [("oci.session", "session-1"), ("oci.store", "store1")]
    );
}

#[test]
fn multi_platform_build_returns_refs_keyed_by_platform() {
    let mut b = build_bridge("FROM scratch\nCOPY a.txt /\n");
    let ret = run(&mut b, &[("platform", "linux/amd64,linux/arm64")]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let result = ret.result.unwrap();
    let Some(gw::result::Result::Refs(refs)) = result.result else {
        panic!("expected a ref map");
    };
    assert_eq!(
        refs.refs.keys().collect::<Vec<_>>(),
        ["linux/amd64", "linux/arm64"]
    );
    for p in ["linux/amd64", "linux/arm64"] {
        assert!(result
            .metadata
            .contains_key(&format!("containerimage.config/{p}")));
    }
    assert!(!result.metadata.contains_key("containerimage.config"));
}

#[test]
fn unresolvable_images_fail_the_build_with_their_name() {
    let mut b = build_bridge("FROM nosuchimage:1\n");
    let ret = run(&mut b, &[]);
    let err = ret.error.unwrap();
    assert!(
        err.message.contains("docker.io/library/nosuchimage:1"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("pull access denied"),
        "{}",
        err.message
    );
}

#[test]
fn conversion_errors_carry_the_dockerfile_source() {
    let mut b = build_bridge("FROM scratch\nCOPY --from=nope /a /a\n");
    let ret = run(&mut b, &[("target", "missing")]);
    let err = ret.error.unwrap();
    assert_eq!(err.message, "target stage \"missing\" could not be found");
}

#[test]
fn conversion_warnings_go_to_the_dockerfile_vertex() {
    let mut b = build_bridge("FROM scratch\nCOPY a.txt \\\n\n  /c.txt\n");
    b.frontend_caps.push("gateway.warnings");
    let ret = run(&mut b, &[]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    assert_eq!(b.warns.len(), 1);
    let w = &b.warns[0];
    let short = String::from_utf8(w.short.clone()).unwrap();
    assert_eq!(
        short,
        "NoEmptyContinuation: Empty continuation line (line 4)"
    );
    assert_eq!(
        w.detail,
        vec![b"Empty continuation lines will become errors in a future release".to_vec()]
    );
    assert_eq!(
        w.url,
        "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/"
    );
    assert_eq!(w.ranges.len(), 1);
    assert_eq!(w.ranges[0].start.as_ref().unwrap().line, 4);
    let load = b.solves[0].definition.as_ref().unwrap();
    assert_eq!(w.digest, crate::llb::Digest::of(&load.def[0]).to_string());
    assert_eq!(w.level, 1);
    assert_eq!(w.info.as_ref().unwrap().filename, "Dockerfile");
}

#[test]
fn check_warnings_before_a_failure_are_sent_with_it() {
    let mut b = build_bridge("MAINTAINER me\nFROM scratch\nFOO bar\n");
    b.frontend_caps.push("gateway.warnings");
    let ret = run(&mut b, &[]);
    assert!(ret.error.is_some());
    let shorts: Vec<String> = b
        .warns
        .iter()
        .map(|w| String::from_utf8(w.short.clone()).unwrap())
        .collect();
    assert_eq!(
        shorts,
        ["MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 1)"]
    );
}

#[test]
fn lint_subrequest_answers_with_the_check_results() {
    let mut b = build_bridge("FROM scratch AS Base\nCOPY a.log /a\n");
    let ret = run(&mut b, &[("requestid", "frontend.lint")]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let result = ret.result.unwrap();
    assert!(result.result.is_none());
    assert_eq!(result.metadata["version"], b"1.0.0");
    assert_eq!(result.metadata["result.statuscode"], b"1");
    let v: Value = serde_json::from_slice(&result.metadata["result.json"]).unwrap();
    let rules: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["ruleName"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["StageNameCasing", "CopyIgnoredFile"]);
    assert_eq!(v["sources"][0]["filename"], "Dockerfile");
    assert!(v.get("buildError").is_none());
    let text = String::from_utf8(result.metadata["result.txt"].clone()).unwrap();
    assert!(
        text.starts_with("\nWARNING: StageNameCasing - https://docs.docker.com/go/dockerfile/rule/stage-name-casing/\nStage name 'Base' should be lowercase\nDockerfile:1\n"),
        "{text}"
    );
    assert!(b.solves.len() <= 3, "nothing is built for --check");
}

fn source_ids(req: &gw::SolveRequest) -> Vec<String> {
    let def = req.definition.as_ref().unwrap();
    def.def
        .iter()
        .filter_map(|b| match pb::Op::decode(b.as_slice()).unwrap().op {
            Some(pb::op::Op::Source(s)) => Some(s.identifier),
            Some(pb::op::Op::File(_)) => Some("file".to_string()),
            _ => None,
        })
        .collect()
}

const REMOTE_DOCKERFILE: &str = "FROM scratch\nCOPY a /a\n";

#[test]
fn git_context_reads_the_dockerfile_from_the_git_source_without_dockerignore() {
    let mut b = bridge_with(&[
        ("sub/Dockerfile", REMOTE_DOCKERFILE),
        ("sub/Dockerfile.dockerignore", "a\n"),
    ]);
    let url = "http://127.0.0.1:1/repo.git#main";
    let ret = run(&mut b, &[("context", url), ("filename", "sub/Dockerfile")]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    // solves: the git source (Dockerfile), the build; no local .dockerignore load.
    assert_eq!(b.solves.len(), 2);
    assert_eq!(
        source_ids(&b.solves[0]),
        ["git://127.0.0.1:1/repo.git#main"]
    );
    assert_eq!(b.reads, ["sub/Dockerfile", "sub/Dockerfile.dockerignore"]);
    let build = source_ids(&b.solves[1]);
    assert!(build.contains(&"git://127.0.0.1:1/repo.git#main".to_string()));
    assert!(
        !build.iter().any(|id| id.starts_with("local://")),
        "{build:?}"
    );
}

#[test]
fn http_context_that_is_not_an_archive_is_the_dockerfile_named_context() {
    let mut b = bridge_with(&[("context", REMOTE_DOCKERFILE)]);
    let ret = run(&mut b, &[("context", "http://127.0.0.1:1/Dockerfile")]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    assert_eq!(
        b.reads,
        ["context[..1024]", "context", "context.dockerignore"]
    );
    assert_eq!(source_ids(&b.solves[1]), ["http://127.0.0.1:1/Dockerfile"]);
    let build = source_ids(&b.solves[2]);
    assert!(build.contains(&"http://127.0.0.1:1/Dockerfile".to_string()));
    let file_ops = build.iter().filter(|id| *id == "file").count();
    assert_eq!(file_ops, 1, "only the COPY: {build:?}");
}

#[test]
fn http_context_archive_is_unpacked_and_holds_the_dockerfile() {
    let mut b = bridge_with(&[("Dockerfile", REMOTE_DOCKERFILE)]);
    b.files.insert("context".into(), vec![0x1F, 0x8B, 0x08, 0]);
    let ret = run(&mut b, &[("context", "https://127.0.0.1:1/ctx.tar.gz")]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    assert_eq!(
        b.reads,
        ["context[..1024]", "Dockerfile", "Dockerfile.dockerignore"]
    );
    assert_eq!(
        source_ids(&b.solves[1]),
        ["https://127.0.0.1:1/ctx.tar.gz", "file"]
    );
    let build = source_ids(&b.solves[2]);
    let file_ops = build.iter().filter(|id| *id == "file").count();
    assert_eq!(file_ops, 2, "the unpack and the COPY: {build:?}");
}

#[test]
fn non_url_context_option_stays_a_local_context() {
    let mut b = bridge_with(&[("Dockerfile", REMOTE_DOCKERFILE)]);
    let ret = run(&mut b, &[("context", "mydir")]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    assert_eq!(b.reads.last().map(String::as_str), Some(".dockerignore"));
}

#[test]
fn local_named_contexts_get_their_own_dockerignore_read_first() {
    let mut b = bridge_with(&[
        ("Dockerfile", "FROM scratch\nCOPY --from=extra . /x\n"),
        (".dockerignore", "drop\n"),
    ]);
    let ret = run(&mut b, &[("context:extra", "local:extra")]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
    // solves: Dockerfile, main .dockerignore, extra's .dockerignore, the build.
    assert_eq!(b.solves.len(), 4);
    assert_eq!(source_ids(&b.solves[2]), ["local://extra"]);
    let build = b.solves[3].definition.as_ref().unwrap();
    let extra = build
        .def
        .iter()
        .find_map(|bytes| match pb::Op::decode(bytes.as_slice()).unwrap().op {
            Some(pb::op::Op::Source(s)) if s.identifier == "local://extra" => Some(s),
            _ => None,
        })
        .expect("named local in the build");
    assert_eq!(extra.attrs["local.excludepatterns"], r#"["drop"]"#);
}

#[test]
fn input_named_context_imports_the_frontend_input_with_its_image_config() {
    use base64::Engine as _;
    let mut b = bridge_with(&[("Dockerfile", "FROM base\nRUN echo hi\n")]);
    let remote = crate::dockerui::RemoteContext::detect(&BuildOptions {
        remote_context: Some("http://127.0.0.1:1/base.tar".into()),
        ..BuildOptions::default()
    })
    .unwrap();
    let def = remote
        .definition(&crate::llb::Caps::v0_13_defaults(), true)
        .unwrap();
    b.inputs.insert("base".into(), def);
    let config = r#"{"architecture":"amd64","os":"linux","config":{"Env":["FROM_INPUT=1"],"WorkingDir":"/w"}}"#;
    let md = json!({
        "containerimage.config":
            base64::engine::general_purpose::STANDARD.encode(config)
    })
    .to_string();
    let ret = run(
        &mut b,
        &[
            ("context:base", "input:base"),
            ("input-metadata:base", md.as_str()),
            ("platform", "linux/amd64"),
        ],
    );
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let build = source_ids(b.solves.last().unwrap());
    assert!(
        build.contains(&"http://127.0.0.1:1/base.tar".to_string()),
        "{build:?}"
    );
    let result = ret.result.unwrap();
    let image: Value = serde_json::from_slice(&result.metadata["containerimage.config"]).unwrap();
    // dockerfile.v0 adds the default PATH to a base without one.
    assert_eq!(image["config"]["Env"][0], "FROM_INPUT=1");
    assert_eq!(image["config"]["WorkingDir"], "/w");

    let mut missing = bridge_with(&[("Dockerfile", "FROM base\n")]);
    let ret = run(&mut missing, &[("context:base", "input:base")]);
    let error = ret.error.expect("an unknown input fails");
    assert!(
        error.message.contains("invalid input base for base"),
        "{}",
        error.message
    );
}

mod go {
    //! The gateway side of the Go rewrites: context facts, the summary solve, opt-outs.
    use super::*;

    const GO_DOCKERFILE: &str =
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";

    fn go_bridge() -> FakeBridge {
        let mut b = bridge_with(&[
            ("Dockerfile", GO_DOCKERFILE),
            (".dockerignore", "secret\n"),
            ("go.mod", "module example.com/m\n\ngo 1.22\n"),
            ("go.sum", ""),
            ("main.go", "package main\n"),
            ("sub/go.mod", "module example.com/sub\n"),
        ]);
        b.frontend_caps.push("source.metaresolver");
        b
    }

    fn facts_source(b: &FakeBridge) -> Option<pb::SourceOp> {
        b.solves.iter().find_map(|req| {
            let def = req.definition.as_ref()?;
            def.def
                .iter()
                .find_map(|bytes| match pb::Op::decode(bytes.as_slice()).ok()?.op {
                    Some(pb::op::Op::Source(s)) if s.attrs.contains_key("local.includepattern") => {
                        Some(s)
                    }
                    _ => None,
                })
        })
    }

    #[test]
    fn go_builds_read_only_module_files_from_the_local_context() {
        let mut b = go_bridge();
        let ret = run(&mut b, &[]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        let source = facts_source(&b).expect("a context facts transfer");
        assert_eq!(source.identifier, "local://context");
        assert_eq!(source.attrs["local.excludepatterns"], r#"["secret"]"#);
        assert_eq!(source.attrs["local.session"], "session-1");
        assert_eq!(b.dirs_read, ["/", "sub"]);
        let module_reads: Vec<&String> = b
            .reads
            .iter()
            .filter(|r| r.ends_with("go.mod") || r.ends_with("go.sum"))
            .collect();
        assert_eq!(module_reads, ["go.mod", "go.sum", "sub/go.mod"]);
        // Of a Go source file only the head (its imports).
        assert!(
            b.reads.iter().any(|r| r == "main.go[..8192]"),
            "{:?}",
            b.reads
        );
    }

    #[test]
    fn non_go_and_opted_out_builds_read_no_facts() {
        let mut b = bridge_with(&[("Dockerfile", "FROM busybox\nRUN echo go build\n")]);
        b.frontend_caps.push("source.metaresolver");
        let ret = run(&mut b, &[]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        assert!(facts_source(&b).is_none());
        assert!(b.dirs_read.is_empty());

        let mut b = go_bridge();
        let ret = run(&mut b, &[("build-arg:GOFRONT", "off")]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        assert!(facts_source(&b).is_none());
        // solves: Dockerfile, .dockerignore, the build: no summary.
        assert_eq!(b.solves.len(), 3);
    }

    #[test]
    fn a_bad_skip_list_is_an_invalid_argument_error() {
        let mut b = go_bridge();
        let ret = run(&mut b, &[("build-arg:GOFRONT_SKIP", "deps,nope")]);
        let err = ret.error.expect("an unknown rewrite name fails the build");
        assert_eq!(err.code, Code::InvalidArgument as i32);
        assert!(err.message.contains("GOFRONT_SKIP"), "{}", err.message);
    }

    #[test]
    fn remote_contexts_get_no_facts_and_the_summary_says_why() {
        let mut b = go_bridge();
        let url = "http://127.0.0.1:1/repo.git#main";
        let ret = run(&mut b, &[("context", url)]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        assert!(facts_source(&b).is_none());
        let summary = b
            .solves
            .iter()
            .find(|s| s.evaluate)
            .expect("an evaluated summary solve");
        let def = summary.definition.as_ref().unwrap();
        let names: Vec<String> = crate::llb::definition_vertices(def)
            .unwrap()
            .into_iter()
            .filter_map(|v| v.name)
            .collect();
        assert_eq!(
            names.len(),
            crate::frontend::RewriteKind::ALL.len(),
            "one decision per kind: {names:?}"
        );
        assert!(
            names[0].starts_with(
                "[gofront] deps skipped (stage build, line 1): the build context is remote"
            ),
            "{names:?}"
        );
        // The summary is solved before the build, which comes last.
        let last = b.solves.last().unwrap();
        assert!(!last.evaluate);
    }
}

/// A Definition recording a cap the daemon's Ping lacks fails before Solve with BuildKit's
/// message and no line (a v0.13 daemon and a git checksum, v0.23); the same build solves on a
/// daemon that lists it (recorded v0.25 Ping caps).
#[test]
fn caps_the_daemon_lacks_fail_before_solve_like_the_go_gateway_client() {
    let dockerfile = "FROM scratch\nADD --checksum=abc https://h/r.git /r\n";
    let mut old = bridge_with(&[("Dockerfile", dockerfile)]);
    old.llb_caps = crate::llb::Caps::v0_13_defaults().ids();
    let ret = run(&mut old, &[]);
    let err = ret.error.expect("refused");
    assert_eq!(
        err.message,
        "requested experimental feature source.git.checksum  is not supported by build server, \
         please update docker"
    );
    assert!(err.details.is_empty(), "no Dockerfile location: {err:?}");
    let mut new = bridge_with(&[("Dockerfile", dockerfile)]);
    new.llb_caps = crate::llb::Caps::v0_25_defaults().ids();
    let ret = run(&mut new, &[]);
    assert!(ret.error.is_none(), "{:?}", ret.error);
}
