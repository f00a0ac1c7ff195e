//! Conversion tests: Dockerfiles in, decoded ops / image config out.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::*;
use crate::dockerui::{BuildContext, Dockerignore, MainContext};
use crate::llb::{definition_vertices, pb, Caps, SourceFile, Vertex};
use crate::options::BuildOptions;

const DIGEST: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const BUSYBOX_CONFIG: &str = r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:aaaa"]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"ADD file"}]}"#;
const GOLANG_CONFIG: &str = r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GOLANG_VERSION=1.22.5","GOPATH=/go"],"WorkingDir":"/go","Cmd":["bash"]},"rootfs":{"type":"layers","diff_ids":["sha256:bbbb"]}}"#;

/// Resolves every image to a fixed digest; golang gets a WORKDIR and env.
struct Fixed;

impl ImageResolver for Fixed {
    fn resolve(&self, reference: &str, _platform: &Platform) -> Option<ResolvedImage> {
        let config = if reference.contains("golang") {
            GOLANG_CONFIG
        } else {
            BUSYBOX_CONFIG
        };
        Some(ResolvedImage {
            reference: reference.to_string(),
            digest: Some(DIGEST.to_string()),
            config: config.as_bytes().to_vec(),
        })
    }
}

struct Nothing;

impl ImageResolver for Nothing {
    fn resolve(&self, _: &str, _: &Platform) -> Option<ResolvedImage> {
        None
    }
}

fn facts() -> DaemonInfo {
    DaemonInfo {
        llb_caps: Caps::v0_25_defaults(),
        build_platform: Platform::new("linux", "amd64", ""),
        session_id: "sess".into(),
    }
}

fn options() -> BuildOptions {
    BuildOptions {
        filename: "Dockerfile".into(),
        dockerfile_key: "dockerfile".into(),
        context_key: "context".into(),
        ..BuildOptions::default()
    }
}

fn run_with(src: &str, opts: &BuildOptions, ignore: &[String]) -> Result<Converted, ConvertError> {
    run_full(src, opts, ignore, &Fixed)
}

fn run_with_resolver(
    src: &str,
    opts: &BuildOptions,
    resolver: &dyn ImageResolver,
) -> Result<Converted, ConvertError> {
    run_full(src, opts, &[], resolver)
}

fn run_full(
    src: &str,
    opts: &BuildOptions,
    ignore: &[String],
    resolver: &dyn ImageResolver,
) -> Result<Converted, ConvertError> {
    run_in(src, opts, &context(ignore), resolver)
}

fn run_in(
    src: &str,
    opts: &BuildOptions,
    ctx: &BuildContext,
    resolver: &dyn ImageResolver,
) -> Result<Converted, ConvertError> {
    let df = crate::dockerfile::parse(src).expect("parse");
    let f = facts();
    let input = ConvertInput {
        dockerfile: &df,
        source: &source_file(src.as_bytes()),
        options: opts,
        daemon: &f,
        context: ctx,
        run_process: &Default::default(),
    };
    convert(&input, resolver)
}

/// The Dockerfile as the gateway would have read it.
fn source_file(data: &[u8]) -> SourceFile {
    SourceFile {
        filename: "Dockerfile".into(),
        data: data.to_vec(),
        language: "Dockerfile".into(),
        definition: None,
    }
}

/// A local main context whose `.dockerignore` holds `lines`.
fn context(lines: &[String]) -> BuildContext {
    BuildContext {
        main: MainContext::Local(Dockerignore::parse(lines.join("\n").as_bytes())),
        ..BuildContext::default()
    }
}

fn build(src: &str) -> PlatformBuild {
    build_opts(src, &options())
}

fn build_opts(src: &str, opts: &BuildOptions) -> PlatformBuild {
    run_with(src, opts, &[]).expect("convert").builds.remove(0)
}

fn vertices(b: &PlatformBuild) -> Vec<Vertex> {
    definition_vertices(&b.definition).expect("vertices")
}

fn execs(b: &PlatformBuild) -> Vec<(Option<String>, pb::ExecOp, pb::Op)> {
    vertices(b)
        .into_iter()
        .filter_map(|v| match &v.op.op {
            Some(pb::op::Op::Exec(e)) => Some((v.name.clone(), e.clone(), v.op.clone())),
            _ => None,
        })
        .collect()
}

fn files(b: &PlatformBuild) -> Vec<(Option<String>, pb::FileOp, pb::Op)> {
    vertices(b)
        .into_iter()
        .filter_map(|v| match &v.op.op {
            Some(pb::op::Op::File(f)) => Some((v.name.clone(), f.clone(), v.op.clone())),
            _ => None,
        })
        .collect()
}

fn sources(b: &PlatformBuild) -> Vec<(Option<String>, pb::SourceOp, pb::Op)> {
    vertices(b)
        .into_iter()
        .filter_map(|v| match &v.op.op {
            Some(pb::op::Op::Source(s)) => Some((v.name.clone(), s.clone(), v.op.clone())),
            _ => None,
        })
        .collect()
}

fn config(b: &PlatformBuild) -> Value {
    serde_json::from_slice(&b.image_config).expect("config json")
}

fn history(b: &PlatformBuild) -> Vec<(String, bool)> {
    config(b)["history"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|h| h["comment"] == "buildkit.dockerfile.v0")
        .map(|h| {
            (
                h["created_by"].as_str().unwrap_or("").to_string(),
                h["empty_layer"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

fn copy_actions(f: &pb::FileOp) -> Vec<pb::FileActionCopy> {
    f.actions
        .iter()
        .filter_map(|a| match &a.action {
            Some(pb::file_action::Action::Copy(c)) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn unresolved_base_images_are_requested_normalised() {
    let df = crate::dockerfile::parse(
        "FROM golang:1.22 AS build\nFROM busybox\nCOPY --from=build /x /x\n",
    )
    .unwrap();
    let (o, f) = (options(), facts());
    let input = ConvertInput {
        dockerfile: &df,
        source: &source_file(b""),
        options: &o,
        daemon: &f,
        context: &context(&[]),
        run_process: &Default::default(),
    };
    let Err(ConvertError::NeedImages(reqs)) = convert(&input, &Nothing) else {
        panic!("expected NeedImages")
    };
    let refs: Vec<_> = reqs.iter().map(|r| r.reference.as_str()).collect();
    assert_eq!(
        refs,
        [
            "docker.io/library/golang:1.22",
            "docker.io/library/busybox:latest"
        ]
    );
    assert_eq!(reqs[0].platform.to_string(), "linux/amd64");
}

#[test]
fn unreachable_stages_are_pruned() {
    let df = crate::dockerfile::parse("FROM golang:1.22 AS unused\nRUN x\nFROM busybox\nRUN y\n")
        .unwrap();
    let (o, f) = (options(), facts());
    let input = ConvertInput {
        dockerfile: &df,
        source: &source_file(b""),
        options: &o,
        daemon: &f,
        context: &context(&[]),
        run_process: &Default::default(),
    };
    let Err(ConvertError::NeedImages(reqs)) = convert(&input, &Nothing) else {
        panic!("expected NeedImages")
    };
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].reference, "docker.io/library/busybox:latest");
    let b = build("FROM golang:1.22 AS unused\nRUN x\nFROM busybox\nRUN y\n");
    let names: Vec<_> = vertices(&b).into_iter().filter_map(|v| v.name).collect();
    assert_eq!(
        names,
        [
            format!("[stage-1 1/2] FROM docker.io/library/busybox:latest@{DIGEST}"),
            "[stage-1 2/2] RUN y".to_string()
        ]
    );
}

#[test]
fn unknown_target_is_an_error() {
    let mut o = options();
    o.target = Some("nope".into());
    let err = run_with("FROM busybox AS a\n", &o, &[]).unwrap_err();
    assert_eq!(err.to_string(), "target stage \"nope\" could not be found");
}

#[test]
fn blank_base_name_points_at_the_from_line() {
    let err = run_with("ARG IMG\nFROM $IMG\n", &options(), &[]).unwrap_err();
    let ConvertError::Dockerfile { message, span } = err else {
        panic!()
    };
    assert_eq!(message, "base name ($IMG) should not be blank");
    assert_eq!(span.map(|s| s.start), Some(2));
}

#[test]
fn single_stage_run_matches_buildkit_layout() {
    let b = build("FROM busybox\nRUN echo hi\n");
    let srcs = sources(&b);
    let image = srcs
        .iter()
        .find(|s| s.1.identifier.starts_with("docker-image://"))
        .expect("image source");
    assert_eq!(
        image.1.identifier,
        format!("docker-image://docker.io/library/busybox:latest@{DIGEST}")
    );
    assert_eq!(
        image.2.platform.as_ref().map(|p| p.architecture.as_str()),
        Some("amd64")
    );
    assert!(image.1.attrs.is_empty());
    let ex = execs(&b);
    assert_eq!(ex.len(), 1);
    let (name, exec, op) = &ex[0];
    assert_eq!(name.as_deref(), Some("[2/2] RUN echo hi"));
    let meta = exec.meta.as_ref().unwrap();
    assert_eq!(meta.args, ["/bin/sh", "-c", "echo hi"]);
    assert_eq!(
        meta.env,
        ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    );
    assert_eq!(meta.cwd, "/");
    assert!(meta.remove_mount_stubs_recursive);
    assert_eq!(exec.mounts.len(), 1);
    assert_eq!((exec.mounts[0].input, exec.mounts[0].output), (0, 0));
    assert_eq!(op.inputs.len(), 1);
    assert_eq!(
        history(&b),
        [("RUN /bin/sh -c echo hi # buildkit".to_string(), false)]
    );
    let md = b.definition.metadata.values().find(|m| {
        m.description.get("llb.customname").map(String::as_str) == Some("[2/2] RUN echo hi")
    });
    let md = md.expect("exec metadata");
    assert_eq!(
        md.description
            .get("com.docker.dockerfile.v1.command")
            .map(String::as_str),
        Some("RUN echo hi")
    );
    let cfg = config(&b);
    assert_eq!(cfg["config"]["Cmd"], serde_json::json!(["sh"]));
    assert!(cfg.get("created").is_none());
    let base: Value = serde_json::from_slice(b.base_config.as_ref().unwrap()).unwrap();
    assert_eq!(base["history"][0]["created"], "2024-01-01T00:00:00Z");
}

#[test]
fn env_and_args_reach_run_env_and_history() {
    let mut o = options();
    o.build_args.insert("V".into(), "from-cli".into());
    let b = build_opts(
        "FROM busybox\nENV A=1 B=$A\nARG V=def\nARG W\nENV A=2\nRUN echo $A\n",
        &o,
    );
    let ex = execs(&b);
    let env = &ex[0].1.meta.as_ref().unwrap().env;
    assert_eq!(
        env,
        &[
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "B=",
            "V=from-cli",
            "A=2"
        ]
    );
    let cfg = config(&b);
    assert_eq!(
        cfg["config"]["Env"],
        serde_json::json!([
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "A=2",
            "B="
        ])
    );
    let h: Vec<_> = history(&b).into_iter().map(|(s, _)| s).collect();
    assert_eq!(
        h,
        [
            "ENV A=1 B=",
            "ARG V=from-cli",
            "ARG W",
            "ENV A=2",
            "RUN |2 V=from-cli W= /bin/sh -c echo $A # buildkit"
        ]
    );
    assert_eq!(ex[0].0.as_deref(), Some("[2/2] RUN echo 2"));
}

#[test]
fn global_args_expand_from_and_are_inherited_by_arg_without_value() {
    let b = build("ARG TAG=1.22\nFROM golang:${TAG}\nARG TAG\nRUN echo $TAG\n");
    let srcs = sources(&b);
    assert!(srcs.iter().any(|s| s
        .1
        .identifier
        .starts_with("docker-image://docker.io/library/golang:1.22@")));
    let env = &execs(&b)[0].1.meta.clone().unwrap().env;
    assert!(env.contains(&"TAG=1.22".to_string()));
    let ex = execs(&b);
    assert_eq!(ex[0].1.meta.as_ref().unwrap().cwd, "/go");
}

#[test]
fn target_platform_args_are_predefined() {
    let mut o = options();
    o.platforms = vec![Platform::new("linux", "arm64", "")];
    let b = build_opts(
        "FROM busybox\nARG TARGETARCH\nARG BUILDPLATFORM\nRUN echo $TARGETARCH\n",
        &o,
    );
    let env = execs(&b)[0].1.meta.clone().unwrap().env;
    assert!(env.contains(&"TARGETARCH=arm64".to_string()));
    assert!(env.contains(&"BUILDPLATFORM=linux/amd64".to_string()));
    let cfg = config(&b);
    assert_eq!(cfg["architecture"], "arm64");
}

#[test]
fn target_stage_and_os_version_args_are_predefined_like_1_13() {
    let src = "FROM busybox AS build\nARG TARGETSTAGE TARGETOSVERSION TARGETPLATFORM\n\
               RUN echo $TARGETSTAGE\nFROM build AS final\n";
    let b = build(src);
    let env = execs(&b)[0].1.meta.clone().unwrap().env;
    assert!(env.contains(&"TARGETSTAGE=final".to_string()), "{env:?}");
    let h: Vec<_> = history(&b).into_iter().map(|(s, _)| s).collect();
    assert!(
        h.contains(
            &"ARG TARGETSTAGE=final TARGETOSVERSION= TARGETPLATFORM=linux/amd64".to_string()
        ),
        "{h:?}"
    );
    let mut o = options();
    o.target = Some("build".into());
    let env = execs(&build_opts(src, &o))[0].1.meta.clone().unwrap().env;
    assert!(env.contains(&"TARGETSTAGE=build".to_string()));
    let unnamed = build("FROM busybox\nARG TARGETSTAGE\nRUN true\n");
    let env = execs(&unnamed)[0].1.meta.clone().unwrap().env;
    assert!(env.contains(&"TARGETSTAGE=default".to_string()));
}

#[test]
fn a_global_source_date_epoch_default_dates_history_workdir_and_the_result_like_1_23() {
    let b = build("ARG SOURCE_DATE_EPOCH=1700000000\nFROM busybox\nWORKDIR /app\n");
    assert_eq!(b.epoch, Some(1_700_000_000));
    let cfg = config(&b);
    let created: Vec<_> = cfg["history"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|h| h["comment"] == "buildkit.dockerfile.v0")
        .map(|h| h["created"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(created, ["2023-11-14T22:13:20Z"]);
    let (_, f, _) = &files(&b)[0];
    let Some(pb::file_action::Action::Mkdir(m)) = &f.actions[0].action else {
        panic!("not a mkdir")
    };
    assert_eq!(m.timestamp, 1_700_000_000_000_000_000);
    assert_eq!(build("FROM busybox\nWORKDIR /app\n").epoch, None);
}

#[test]
fn copy_from_context_uses_one_local_source_with_followpaths_and_excludes() {
    let ignore = vec!["node_modules".to_string(), "a<b".to_string()];
    let b = run_with(
        "FROM busybox\nWORKDIR /app\nCOPY go.mod go.sum ./\nCOPY --chown=app:1000 --chmod=0755 src/ /app/src/\n",
        &options(),
        &ignore,
    )
    .unwrap()
    .builds
    .remove(0);
    let srcs = sources(&b);
    let local = srcs
        .iter()
        .find(|s| s.1.identifier == "local://context")
        .expect("context source");
    assert_eq!(local.0.as_deref(), Some("[internal] load build context"));
    assert!(local.2.platform.is_none());
    let attrs: BTreeMap<_, _> = local.1.attrs.clone().into_iter().collect();
    assert_eq!(attrs["local.followpaths"], r#"["go.mod","go.sum","src"]"#);
    assert_eq!(
        attrs["local.excludepatterns"],
        r#"["node_modules","a\u003cb"]"#
    );
    assert_eq!(attrs["local.sharedkeyhint"], "context");
    assert_eq!(attrs["local.session"], "sess");

    let fs = files(&b);
    let (wd_name, wd, _) = &fs[0];
    assert_eq!(wd_name.as_deref(), Some("[2/4] WORKDIR /app"));
    let Some(pb::file_action::Action::Mkdir(m)) = &wd.actions[0].action else {
        panic!("mkdir")
    };
    assert_eq!(
        (m.path.as_str(), m.mode, m.make_parents, m.timestamp),
        ("/app", 0o755, true, -1)
    );

    let (name, f, op) = &fs[1];
    assert_eq!(name.as_deref(), Some("[3/4] COPY go.mod go.sum ./"));
    assert_eq!(op.inputs.len(), 2);
    let c = copy_actions(f);
    assert_eq!(c.len(), 2);
    assert_eq!(
        (c[0].src.as_str(), c[0].dest.as_str()),
        ("/go.mod", "/app/")
    );
    assert!(c[0].follow_symlink && c[0].dir_copy_contents && c[0].allow_wildcard);
    assert!(c[0].allow_empty_wildcard && c[0].create_dest_path);
    assert_eq!((c[0].mode, c[0].timestamp), (-1, -1));
    let io: Vec<_> = f
        .actions
        .iter()
        .map(|a| (a.input, a.secondary_input, a.output))
        .collect();
    assert_eq!(io, [(0, 1, -1), (2, 1, 0)]);

    let (_, f, _) = &fs[2];
    let c = copy_actions(f);
    assert_eq!(c[0].mode, 0o755);
    assert_eq!(c[0].dest, "/app/src/");
    let owner = c[0].owner.clone().unwrap();
    assert_eq!(
        owner.user.unwrap().user,
        Some(pb::user_opt::User::ByName(pb::NamedUserOpt {
            name: "app".into(),
            input: 0
        }))
    );
    let h: Vec<_> = history(&b).into_iter().map(|(s, _)| s).collect();
    assert_eq!(
        h,
        [
            "WORKDIR /app",
            "COPY go.mod go.sum ./ # buildkit",
            "COPY --chown=app:1000 --chmod=0755 src/ /app/src/ # buildkit"
        ]
    );
}

#[test]
fn cache_mounts_use_namespace_ids_and_implicit_stages_name_the_stage() {
    let mut o = options();
    o.build_args
        .insert("BUILDKIT_CACHE_MOUNT_NS".into(), "ns".into());
    let b = build_opts(
        "FROM golang:1.22\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,id=gb,target=/root/.cache/go-build,sharing=locked go build\n",
        &o,
    );
    let ex = execs(&b);
    let (name, exec, _) = &ex[0];
    assert_eq!(
        name.as_deref(),
        Some("[stage-0 2/2] RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,id=gb,target=/root/.cache/go-build,sharing=locked go build")
    );
    let caches: Vec<_> = exec
        .mounts
        .iter()
        .filter_map(|m| {
            m.cache_opt
                .clone()
                .map(|c| (m.dest.clone(), c.id, c.sharing, m.input, m.output))
        })
        .collect();
    assert_eq!(
        caches,
        [
            (
                "/go/pkg/mod".to_string(),
                "ns//go/pkg/mod".to_string(),
                0,
                -1,
                -1
            ),
            (
                "/root/.cache/go-build".to_string(),
                "ns/gb".to_string(),
                2,
                -1,
                -1
            )
        ]
    );
}

#[test]
fn cache_mount_with_uid_is_seeded_by_a_mkdir() {
    let b = build("FROM busybox\nRUN --mount=type=cache,target=/c,uid=1000,mode=0700 true\n");
    let fs = files(&b);
    let (name, f, _) = &fs[0];
    assert_eq!(
        name.as_deref(),
        Some("[internal] setting cache mount permissions")
    );
    let Some(pb::file_action::Action::Mkdir(m)) = &f.actions[0].action else {
        panic!()
    };
    assert_eq!((m.path.as_str(), m.mode), ("/cache", 0o700));
    let exec = &execs(&b)[0].1;
    let c = exec.mounts.iter().find(|m| m.dest == "/c").unwrap();
    assert_eq!(c.selector, "/cache");
    assert_eq!(c.input, 1);
}

#[test]
fn bind_secret_ssh_and_tmpfs_mounts_follow_buildkit_defaults() {
    let b = build(
        "FROM busybox AS base\nFROM busybox\nWORKDIR /w\nRUN --mount=type=bind,from=base,source=/etc,target=etc --mount=type=secret,id=tok --mount=type=ssh --mount=type=tmpfs,target=/t,size=1m --mount=target=/src,rw true\n",
    );
    let exec = &execs(&b)[0].1;
    let dests: Vec<_> = exec.mounts.iter().map(|m| m.dest.as_str()).collect();
    assert_eq!(
        dests,
        [
            "/",
            "/src",
            "/t",
            "/w/etc",
            "/run/secrets/tok",
            "/run/buildkit/ssh_agent.0"
        ]
    );
    let src = &exec.mounts[1];
    assert!(!src.readonly);
    assert_eq!(src.output, -1);
    let etc = &exec.mounts[3];
    assert!(etc.readonly);
    assert_eq!(etc.selector, "/etc");
    let tmpfs = &exec.mounts[2];
    assert_eq!(tmpfs.tmpfs_opt.as_ref().map(|t| t.size), Some(1 << 20));
    let secret = exec.mounts[4].secret_opt.clone().unwrap();
    assert_eq!(
        (secret.id.as_str(), secret.mode, secret.optional),
        ("tok", 0o400, true)
    );
    let ssh = exec.mounts[5].ssh_opt.clone().unwrap();
    assert_eq!((ssh.id.as_str(), ssh.mode), ("", 0o600));
    let env = &exec.meta.as_ref().unwrap().env;
    assert!(env.contains(&"SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0".to_string()));
    let srcs = sources(&b);
    let local = srcs
        .iter()
        .find(|s| s.1.identifier == "local://context")
        .unwrap();
    assert!(!local.1.attrs.contains_key("local.followpaths"));
}

#[test]
fn run_network_and_options_reach_the_exec_meta() {
    let mut o = options();
    o.extra_hosts = vec![("db".into(), "10.0.0.2".into())];
    o.hostname = Some("builder".into());
    o.shm_size = 1024;
    o.build_args
        .insert("HTTP_PROXY".into(), "http://proxy".into());
    o.no_cache = crate::options::NoCache::All;
    let b = build_opts("FROM busybox\nRUN --network=none true\n", &o);
    let (_, exec, _) = &execs(&b)[0];
    assert_eq!(exec.network, pb::NetMode::None as i32);
    let meta = exec.meta.as_ref().unwrap();
    assert_eq!(meta.hostname, "builder");
    assert_eq!(meta.extra_hosts[0].host, "db");
    assert_eq!(meta.proxy_env.as_ref().unwrap().http_proxy, "http://proxy");
    assert!(!meta.env.iter().any(|e| e.starts_with("HTTP_PROXY")));
    assert!(exec
        .mounts
        .iter()
        .any(|m| m.dest == "/dev/shm" && m.tmpfs_opt.is_some()));
    assert!(b.definition.metadata.values().any(|m| m.ignore_cache));
}

#[test]
fn run_heredoc_with_shebang_runs_an_inline_file() {
    let b = build("FROM busybox\nRUN <<EOF\n#!/bin/sh\necho hi\nEOF\n");
    let (name, exec, _) = &execs(&b)[0];
    assert_eq!(name.as_deref(), Some("[2/2] RUN <<EOF (#!/bin/sh...)"));
    assert_eq!(
        exec.meta.as_ref().unwrap().args,
        ["/bin/sh", "-c", "/dev/pipes/EOF"]
    );
    let pipes = exec
        .mounts
        .iter()
        .find(|m| m.dest == "/dev/pipes/")
        .unwrap();
    assert!(pipes.readonly);
    assert_eq!(pipes.selector, "/");
    let (fname, f, _) = &files(&b)[0];
    assert_eq!(
        fname.as_deref(),
        Some("[internal] preparing inline document")
    );
    let Some(pb::file_action::Action::Mkfile(m)) = &f.actions[0].action else {
        panic!()
    };
    assert_eq!((m.path.as_str(), m.mode), ("/EOF", 0o755));
    assert_eq!(m.data, b"#!/bin/sh\necho hi\n");
}

#[test]
fn run_heredoc_without_shebang_is_the_shell_command() {
    let b = build("FROM busybox\nRUN <<EOF\necho a\necho b\nEOF\n");
    let (_, exec, _) = &execs(&b)[0];
    assert_eq!(
        exec.meta.as_ref().unwrap().args,
        ["/bin/sh", "-c", "echo a\necho b\n"]
    );
}

#[test]
fn copy_link_merges_a_layer_in_one_progress_group() {
    let b = build("FROM busybox\nCOPY --link a /a\nCOPY --link --chmod=644 b /b\n");
    let merges: Vec<_> = vertices(&b)
        .into_iter()
        .filter(|v| matches!(v.op.op, Some(pb::op::Op::Merge(_))))
        .collect();
    assert_eq!(merges.len(), 1);
    assert_eq!(
        merges[0].name.as_deref(),
        Some("[2/3] LINK COPY --link a /a")
    );
    let fs = files(&b);
    let link_copy = fs
        .iter()
        .find(|f| f.0.as_deref() == Some("[2/3] COPY --link a /a"))
        .unwrap();
    assert_eq!(
        link_copy.2.inputs.len(),
        1,
        "copy onto scratch reads only the context"
    );
    let chmod_copy = fs
        .iter()
        .find(|f| f.0.as_deref() == Some("[3/3] COPY --link --chmod=644 b /b"))
        .unwrap();
    assert_eq!(chmod_copy.2.inputs.len(), 2, "--chmod disables --link");
    let groups: BTreeSet<_> = b
        .definition
        .metadata
        .values()
        .filter_map(|m| m.progress_group.as_ref().map(|g| g.id.clone()))
        .collect();
    assert_eq!(groups.len(), 1);
}

#[test]
fn copy_from_stage_and_index_and_image() {
    let b = build(
        "FROM busybox AS build\nRUN make\nFROM busybox\nCOPY --from=build /out /a\nCOPY --from=0 /out /b\nCOPY --from=golang:1.22 /usr/local/go /go\n",
    );
    let fs = files(&b);
    assert_eq!(fs.len(), 3);
    let build_exec = execs(&b)[0].2.clone();
    let _ = build_exec;
    let srcs = sources(&b);
    assert!(srcs
        .iter()
        .any(|s| s.0.as_deref() == Some(&*format!("FROM docker.io/library/golang:1.22@{DIGEST}"))));
    let h: Vec<_> = history(&b).into_iter().map(|(s, _)| s).collect();
    assert_eq!(h[0], "COPY /out /a # buildkit");
}

#[test]
fn copy_from_a_later_stage_is_refused() {
    let err = run_with(
        "FROM busybox AS a\nCOPY --from=b /x /x\nFROM busybox AS b\nCOPY --from=a /y /y\n",
        &options(),
        &[],
    )
    .unwrap_err();
    let ConvertError::Dockerfile { message, .. } = err else {
        panic!()
    };
    assert!(
        message.contains("circular dependency") || message.contains("cannot copy from stage"),
        "{message}"
    );
    let err = run_with(
        "FROM busybox AS a\nCOPY --from=b /x /x\nFROM busybox AS b\n",
        &{
            let mut o = options();
            o.target = Some("a".into());
            o
        },
        &[],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot copy from stage \"b\", it needs to be defined before current stage \"a\""
    );
}

#[test]
fn config_only_instructions_set_config_and_history() {
    let mut o = options();
    o.labels.insert("org.extra".into(), "yes".into());
    let b = build_opts(
        "FROM busybox\nLABEL a=1 \"b c\"=\"d e\"\nEXPOSE 80 53/udp\nVOLUME /data\nUSER app:app\nSTOPSIGNAL SIGINT\nHEALTHCHECK --interval=5s --retries=3 CMD curl -f http://x/\nSHELL [\"/bin/bash\", \"-c\"]\nENTRYPOINT [\"/app\"]\nCMD run\nONBUILD RUN echo child\nMAINTAINER me\n",
        &o,
    );
    let cfg = config(&b);
    let c = &cfg["config"];
    assert_eq!(
        c["Labels"],
        serde_json::json!({"a":"1","b c":"d e","org.extra":"yes"})
    );
    assert_eq!(
        c["ExposedPorts"],
        serde_json::json!({"53/udp":{},"80/tcp":{}})
    );
    assert_eq!(c["Volumes"], serde_json::json!({"/data":{}}));
    assert_eq!(c["User"], "app:app");
    assert_eq!(c["StopSignal"], "SIGINT");
    assert_eq!(
        c["Healthcheck"],
        serde_json::json!({"Test":["CMD-SHELL","curl -f http://x/"],"Interval":5000000000u64,"Retries":3})
    );
    assert_eq!(c["Shell"], serde_json::json!(["/bin/bash", "-c"]));
    assert_eq!(c["Entrypoint"], serde_json::json!(["/app"]));
    assert_eq!(c["Cmd"], serde_json::json!(["/bin/bash", "-c", "run"]));
    assert_eq!(c["ArgsEscaped"], true);
    assert_eq!(c["OnBuild"], serde_json::json!(["RUN echo child"]));
    assert_eq!(cfg["author"], "me");
    let h: Vec<_> = history(&b).into_iter().map(|(s, _)| s).collect();
    assert_eq!(
        h,
        [
            "LABEL a=1 b c=d e",
            "EXPOSE [53/udp 80/tcp]",
            "VOLUME [/data]",
            "USER app:app",
            "STOPSIGNAL SIGINT",
            "HEALTHCHECK {Test:[CMD-SHELL curl -f http://x/] Interval:5s Timeout:0s StartPeriod:0s \
             StartInterval:0s Retries:3}",
            "SHELL [/bin/bash -c]",
            r#"ENTRYPOINT ["/app"]"#,
            r#"CMD ["/bin/bash" "-c" "run"]"#,
            "MAINTAINER me"
        ]
    );
    assert!(history(&b).iter().all(|(_, empty)| *empty));
}

#[test]
fn entrypoint_clears_inherited_cmd() {
    let b = build("FROM busybox\nENTRYPOINT [\"/x\"]\n");
    assert!(config(&b)["config"].get("Cmd").is_none());
}

#[test]
fn onbuild_triggers_run_in_child_stages() {
    let b = build("FROM busybox AS parent\nONBUILD RUN echo child\nFROM parent\nRUN echo me\n");
    let args: Vec<_> = execs(&b)
        .iter()
        .map(|e| e.1.meta.as_ref().unwrap().args[2].clone())
        .collect();
    assert_eq!(args, ["echo child", "echo me"]);
    assert!(config(&b)["config"].get("OnBuild").is_none());
}

#[test]
fn invalid_stop_signal_and_volume_errors_carry_the_line() {
    let err = run_with("FROM busybox\nSTOPSIGNAL FOO\n", &options(), &[]).unwrap_err();
    let ConvertError::Dockerfile { message, span } = err else {
        panic!()
    };
    assert_eq!(message, "Invalid signal: FOO");
    assert_eq!(span.map(|s| s.start), Some(2));
}

#[test]
fn scratch_stage_has_empty_config_and_no_base() {
    let b = build("FROM scratch\nCOPY a /a\n");
    let cfg = config(&b);
    assert_eq!(cfg["config"]["WorkingDir"], "/");
    assert_eq!(cfg["rootfs"]["type"], "layers");
    assert!(b.base_config.is_none());
    let (name, _, op) = &files(&b)[0];
    assert_eq!(name.as_deref(), Some("[1/1] COPY a /a"));
    assert_eq!(op.inputs.len(), 1);
}

#[test]
fn add_url_and_checksum() {
    let sum = format!("sha256:{}", "ab".repeat(32));
    let b = build(&format!(
        "FROM busybox\nADD --checksum={sum} https://example.com/x/file.tgz /d/\n"
    ));
    let srcs = sources(&b);
    let http = srcs
        .iter()
        .find(|s| s.1.identifier == "https://example.com/x/file.tgz")
        .unwrap();
    assert_eq!(
        http.1.attrs.get("http.filename").map(String::as_str),
        Some("file.tgz")
    );
    assert_eq!(http.1.attrs.get("http.checksum"), Some(&sum));
    assert!(http.2.platform.is_none());
    let (_, f, _) = &files(&b)[0];
    let c = copy_actions(f);
    assert_eq!(
        (c[0].src.as_str(), c[0].dest.as_str()),
        ("/file.tgz", "/d/")
    );
    assert!(!c[0].attempt_unpack_docker_compatibility);
    let err = run_with(
        "FROM busybox\nADD --checksum=sha256:00 a /d/\n",
        &options(),
        &[],
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "checksum requires HTTP(S) or Git sources");
    let err = run_with(
        "FROM busybox\nADD --checksum=sha256:00 https://x/f /d/\n",
        &options(),
        &[],
    )
    .unwrap_err();
    assert!(err.to_string().contains("digest"), "{err}");
}

#[test]
fn add_local_attempts_unpack_and_copy_heredoc_writes_a_file() {
    let b = build("FROM busybox\nADD a.tar /x/\nCOPY <<EOF /etc/conf\nk=v\nEOF\n");
    let fs = files(&b);
    let add = copy_actions(&fs[0].1);
    assert!(add[0].attempt_unpack_docker_compatibility);
    let mk = fs
        .iter()
        .find(|f| f.0.as_deref() == Some("[internal] preparing inline document"))
        .unwrap();
    let Some(pb::file_action::Action::Mkfile(m)) = &mk.1.actions[0].action else {
        panic!()
    };
    assert_eq!((m.path.as_str(), m.mode), ("/EOF", 0o644));
    let h: Vec<_> = history(&b).into_iter().map(|(s, _)| s).collect();
    assert_eq!(h[1], "COPY <<EOF /etc/conf # buildkit");
}

/// Converts `src` for a daemon enabling `caps`.
fn run_caps(src: &str, caps: Caps) -> Result<Converted, ConvertError> {
    let df = crate::dockerfile::parse(src).expect("parse");
    let mut f = facts();
    f.llb_caps = caps;
    let o = options();
    let input = ConvertInput {
        dockerfile: &df,
        source: &source_file(src.as_bytes()),
        options: &o,
        daemon: &f,
        context: &context(&[]),
        run_process: &Default::default(),
    };
    convert(&input, &Fixed)
}

#[test]
fn newer_copy_flags_become_llb_like_dockerfile_1_26() {
    let b = build(
        "FROM busybox\nCOPY --parents --exclude=*.md a/b/f.txt c/**/*.txt ./x/./y/z /out/\n\
         ADD --unpack=false a.tar /t/\nCOPY --chmod=u+x,g-r s /s\n",
    );
    let fs = files(&b);
    let c = copy_actions(&fs[0].1);
    assert_eq!(c[0].include_patterns, ["a/b/f.txt"]);
    assert_eq!(c[0].exclude_patterns, ["*.md"]);
    assert_eq!(c[0].src, "/");
    assert_eq!(c[2].src, "/x");
    assert_eq!(c[2].include_patterns, ["y/z"]);
    // v0.25 has no `file.copy.requiredpaths`: the field is not sent.
    assert!(c.iter().all(|c| c.required_paths.is_empty()));
    assert!(!copy_actions(&fs[1].1)[0].attempt_unpack_docker_compatibility);
    let chmod = &copy_actions(&fs[2].1)[0];
    assert_eq!((chmod.mode, chmod.mode_str.as_str()), (0, "u+x,g-r"));

    let newer = Caps::v0_25_defaults().with("file.copy.requiredpaths");
    let conv = run_caps(
        "FROM busybox\nCOPY --parents a/b/f.txt c/**/*.txt /out/\n",
        newer,
    )
    .unwrap();
    let b = &conv.builds[0];
    let (_, f, _) = &files(b)[0];
    let c = copy_actions(f);
    assert_eq!(c[0].required_paths, ["/a/b/f.txt"]);
    assert!(c[1].required_paths.is_empty(), "wildcards are not required");
}

#[test]
fn run_security_device_and_secret_env_like_dockerfile_1_26() {
    let b = build(
        "FROM busybox\nRUN --security=insecure --mount=type=secret,id=tok,env=TOKEN \\\n\
         --mount=type=secret,id=f,env=F,target=/f true\n",
    );
    let (_, e, _) = &execs(&b)[0];
    assert_eq!(e.security, pb::SecurityMode::Insecure as i32);
    let envs: Vec<_> = e
        .secretenv
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(envs, [("tok", "TOKEN"), ("f", "F")]);
    let secret_mounts: Vec<_> = e
        .mounts
        .iter()
        .filter(|m| m.mount_type == pb::MountType::Secret as i32)
        .map(|m| (m.dest.as_str(), m.input))
        .collect();
    assert_eq!(secret_mounts, [("/f", -1)]);
    let err = run_with(
        "FROM busybox\nRUN --device=nvidia.com/gpu=all true\n",
        &options(),
        &[],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "device feature is only supported in Dockerfile frontend 1.14.0-labs or later"
    );
}

#[test]
fn features_old_daemons_lack_are_gated_like_stock() {
    // v0.13 has no `exec.validexitcode` (v0.17): a mode string would be ignored, so it is refused.
    let err = run_caps(
        "FROM busybox\nCOPY --chmod=u+x a /a\n",
        Caps::v0_13_defaults(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("file.copy.modestring"), "{err}");
    // Octal modes, --exclude, --parents and secret env work on v0.13.
    let conv = run_caps(
        "FROM busybox\nCOPY --chmod=755 --exclude=x --parents a /a/\n\
         RUN --mount=type=secret,id=t,env=T true\n",
        Caps::v0_13_defaults(),
    )
    .unwrap();
    let def = &conv.builds[0].definition;
    assert!(crate::llb::check_definition_caps(def, &Caps::v0_13_defaults(), "docker").is_ok());
    // A git checksum records `source.git.checksum` (v0.23): refused at Solve by a v0.13 daemon.
    let conv = run_caps(
        "FROM busybox\nADD --checksum=abc https://h/r.git /r\n",
        Caps::v0_13_defaults(),
    )
    .unwrap();
    let err = crate::llb::check_definition_caps(
        &conv.builds[0].definition,
        &Caps::v0_13_defaults(),
        "docker",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "requested experimental feature source.git.checksum  is not supported by build server, \
         please update docker"
    );
}

#[test]
fn multi_platform_builds_one_definition_per_platform_with_prefixed_names() {
    let mut o = options();
    o.platforms = vec![
        Platform::new("linux", "amd64", ""),
        Platform::new("linux", "arm64", ""),
    ];
    let conv = run_with("FROM busybox\nRUN true\n", &o, &[]).unwrap();
    assert!(conv.multi_platform);
    assert_eq!(conv.builds.len(), 2);
    let names: Vec<_> = execs(&conv.builds[1])
        .into_iter()
        .filter_map(|e| e.0)
        .collect();
    assert_eq!(names, ["[linux/arm64 2/2] RUN true"]);
    assert_eq!(config(&conv.builds[1])["architecture"], "arm64");
}

#[test]
fn named_context_replaces_a_base_image() {
    let mut o = options();
    o.named_contexts
        .insert("busybox".into(), "docker-image://golang:1.22".into());
    let b = build_opts("FROM busybox\nRUN true\n", &o);
    let srcs = sources(&b);
    assert!(srcs
        .iter()
        .any(|s| s.0.as_deref() == Some("[context busybox] golang:1.22")));
}

#[test]
fn conversion_is_deterministic() {
    let src = "FROM golang:1.22 AS b\nWORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache go build -o /out ./...\nFROM busybox\nCOPY --from=b /out /usr/bin/app\nCMD [\"app\"]\n";
    let a = build(src);
    let b = build(src);
    assert_eq!(
        crate::llb::encode_definition(&a.definition),
        crate::llb::encode_definition(&b.definition)
    );
    assert_eq!(a.image_config, b.image_config);
}

#[test]
fn named_local_context_follows_only_the_paths_copied_from_it() {
    let mut o = options();
    o.named_contexts
        .insert("assets".into(), "local:assetsdir".into());
    let b = build_opts(
        "FROM busybox\nCOPY --from=assets /img /srv/img\nCOPY --from=assets css/ /srv/css/\n",
        &o,
    );
    // Like Go, every `--from` of an unknown name is its own implicit stage with its own paths.
    let follow: BTreeSet<_> = sources(&b)
        .iter()
        .filter(|s| s.1.identifier == "local://assetsdir")
        .map(|s| {
            assert_eq!(s.0.as_deref(), Some("[context assets] load from client"));
            assert_eq!(
                s.1.attrs.get("local.sharedkeyhint").map(String::as_str),
                Some("context:assets-")
            );
            s.1.attrs
                .get("local.followpaths")
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let want: BTreeSet<_> = [r#"["css"]"#.to_string(), r#"["img"]"#.to_string()].into();
    assert_eq!(follow, want);
}

#[test]
fn named_context_can_replace_a_whole_stage() {
    let mut o = options();
    o.named_contexts
        .insert("deps".into(), "docker-image://golang:1.22".into());
    let b = build_opts(
        "FROM busybox AS deps\nRUN never-run\nFROM busybox\nCOPY --from=deps /go /go\n",
        &o,
    );
    assert!(execs(&b).is_empty(), "the replaced stage is not built");
    assert!(sources(&b)
        .iter()
        .any(|s| s.0.as_deref() == Some("[context deps] golang:1.22")));
}

#[test]
fn local_named_context_excludes_what_its_own_dockerignore_lists() {
    let mut o = options();
    o.named_contexts
        .insert("extra".into(), "local:extra".into());
    let mut ctx = BuildContext::default();
    ctx.named_dockerignores.insert(
        "extra".into(),
        Dockerignore::parse(b"# comment\ndrop\n!keep/x.log\n"),
    );
    let src = "FROM busybox\nCOPY --from=extra . /x\n";
    let b = run_in(src, &o, &ctx, &Fixed)
        .expect("convert")
        .builds
        .remove(0);
    let srcs = sources(&b);
    let local = srcs
        .iter()
        .find(|s| s.1.identifier == "local://extra")
        .expect("named local");
    assert_eq!(
        local
            .1
            .attrs
            .get("local.excludepatterns")
            .map(String::as_str),
        Some(r#"["drop","!keep/x.log"]"#)
    );
    let b = build_opts(src, &o);
    assert!(sources(&b)
        .iter()
        .all(|s| !s.1.attrs.contains_key("local.excludepatterns")));
}

/// Vertex digests and names Docker 28.5.2 (stock `dockerfile.v0` 1.19.0, BuildKit v0.25.2) reported with
/// `docker buildx build --progress=rawjson` for the same Dockerfiles, busybox:latest pinned at
/// the digest below (buildx sends `image-resolve-mode=local` to the docker driver).
mod docker_28_5_oracle {
    use super::*;

    const BUSYBOX: &str = "sha256:276f19da692558230143e7e54505b90143a87e95b12928488da822dc06afc7ef";

    struct Busybox;

    impl ImageResolver for Busybox {
        fn resolve(&self, reference: &str, _: &Platform) -> Option<ResolvedImage> {
            (reference == "docker.io/library/busybox:latest").then(|| ResolvedImage {
                reference: reference.to_string(),
                digest: Some(BUSYBOX.to_string()),
                config: br#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:0e0913e2a160f2a0948819fc36c45d5a840a9c217545fc0f676eea8a35cb9246"]}}"#.to_vec(),
            })
        }
    }

    fn vertex_set(src: &str) -> BTreeSet<(String, String)> {
        let df = crate::dockerfile::parse(src).expect("parse");
        let mut o = options();
        o.image_resolve_mode = crate::options::ImageResolveMode::Local;
        let f = facts();
        let input = ConvertInput {
            dockerfile: &df,
            source: &source_file(src.as_bytes()),
            options: &o,
            daemon: &f,
            context: &context(&[]),
            run_process: &Default::default(),
        };
        let conv = convert(&input, &Busybox).expect("convert");
        vertices(&conv.builds[0])
            .into_iter()
            .filter(|v| {
                !v.name
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("[internal] load")
            })
            .map(|v| (v.digest.as_str().to_string(), v.name.unwrap_or_default()))
            .collect()
    }

    fn expect(src: &str, want: &[(&str, &str)]) {
        let got = vertex_set(src);
        let want: BTreeSet<(String, String)> = want
            .iter()
            .map(|(d, n)| (format!("sha256:{d}"), n.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn mounts_heredocs_link_and_workdir_match_docker() {
        expect(
            "FROM busybox AS base\nENV A=1 B=2\nARG V=3\nWORKDIR /app\nRUN --mount=type=cache,target=/root/.cache echo $A $V > /out\nRUN --mount=type=cache,target=/c,uid=1000,mode=0700,sharing=locked --mount=type=tmpfs,target=/t --mount=type=secret,id=tok --mount=type=ssh --network=none echo hi\nFROM base\nCOPY --from=base /out /out2\nCOPY --link --chown=1:2 --from=base /out /out3\nRUN <<EOF\n#!/bin/sh\necho heredoc\nEOF\nRUN <<EOF\necho plain\nEOF\nUSER nobody\nWORKDIR sub\nRUN echo done\nCMD [\"sh\"]\n",
            &[
                ("686c9969d369c78aff8c6aa880caf11ebffca6fe8213988cf39e7b38fdd45397", &format!("[base 1/4] FROM docker.io/library/busybox:latest@{BUSYBOX}")),
                ("a295c09bf111b137858c5e5d7028fee8e47bfa33fe060b38bda83075e5170a35", "[base 2/4] WORKDIR /app"),
                ("e781ead07199c881ace7c9a603a9e031e806ccee32ee39c0e3eac89541cadcec", "[base 3/4] RUN --mount=type=cache,target=/root/.cache echo 1 3 > /out"),
                ("550f178ec9331117361d16d3691159a68a41938739b8754d9be674f2c5a2c2c7", "[base 4/4] RUN --mount=type=cache,target=/c,uid=1000,mode=0700,sharing=locked --mount=type=tmpfs,target=/t --mount=type=secret,id=tok --mount=type=ssh --network=none echo hi"),
                ("e9f4d13c1c2eeedbc43a0d1f4f777723e0c9282e7aaba4d284f9374a78333aae", "[internal] preparing inline document"),
                ("e0c30d67c9f24b7c8bebc18c59ed618f869de5379b4e1546eaee09cf7c1f5ebe", "[internal] setting cache mount permissions"),
                ("d68b0539fad5287edd11a0df6e586e20a47747c8532b091d0390d8b0788618e7", "[stage-1 1/6] COPY --from=base /out /out2"),
                ("7a184d858b5b17890fe94d8d2ed92928c59991033c048725e041f0bbd8d544f4", "[stage-1 2/6] COPY --link --chown=1:2 --from=base /out /out3"),
                ("fdc7009d32e98d2c833dcb4685a926a27b3305c85011ae913ff0fdcf3437ab8c", "[stage-1 2/6] LINK COPY --link --chown=1:2 --from=base /out /out3"),
                ("dcded67fae23c9a3d5e62040a7e3d2bea74f6a3b5e093d0ba9f66d4b94ae7ffd", "[stage-1 3/6] RUN <<EOF (#!/bin/sh...)"),
                ("c6e6e0889debb0c01fea4fdc60a97ec6de9e9252a8e9a4d74d148fa641d574fc", "[stage-1 4/6] RUN <<EOF (echo plain)"),
                ("09902c55a12c659ecf47feb6dcc4f698a5fc72fd1ab90e3f71b8133f23afd6e9", "[stage-1 5/6] WORKDIR sub"),
                ("9b1d955815980fd0e128df90da91abe914d9edd7452eb5efd2aba5383f6ce3f1", "[stage-1 6/6] RUN echo done"),
            ],
        );
    }

    #[test]
    fn onbuild_args_and_shell_match_docker() {
        expect(
            "ARG BASE=busybox\nFROM --platform=$BUILDPLATFORM ${BASE} AS parent\nONBUILD RUN echo child > /child\nONBUILD ENV FROMPARENT=yes\nLABEL a=1 \"b c\"=\"d e\"\nFROM parent\nARG TARGETARCH\nARG X=1\nENV PATH=/custom:$PATH GREETING=\"hello world\"\nEXPOSE 80 53/udp 8000-8001\nVOLUME [\"/data\", \"/logs\"]\nUSER 1000:1000\nSTOPSIGNAL SIGINT\nHEALTHCHECK --interval=5s --timeout=3s --retries=3 CMD wget -q -O- http://localhost/ || exit 1\nSHELL [\"/bin/sh\", \"-ec\"]\nRUN echo $TARGETARCH $X > /tmp/arch\nENTRYPOINT [\"/bin/echo\"]\nCMD hello\nMAINTAINER someone\nWORKDIR /srv/app/\n",
            &[
                ("686c9969d369c78aff8c6aa880caf11ebffca6fe8213988cf39e7b38fdd45397", &format!("[parent 1/1] FROM docker.io/library/busybox:latest@{BUSYBOX}")),
                ("7b9b2ee5aef0623a77aa39641dab36d8fab55af29aa2f999e737dd9840c69c36", "[stage-1 1/4] ONBUILD RUN echo child > /child"),
                ("d6f5760b3f69c9a1e559f37a5d6484a357c5cfb73f6e358f3849f1f5417f7581", "[stage-1 2/4] RUN echo amd64 1 > /tmp/arch"),
                ("6e0c9e47d44d66cbe44298fa4ded9aa8d6b50064d092b41ac419499c98c03f8d", "[stage-1 3/4] WORKDIR /srv/app/"),
            ],
        );
    }
    #[test]
    fn add_urls_and_git_sources_match_docker() {
        expect(
            "FROM busybox\nADD --chmod=600 http://127.0.0.1:9/dir/file.txt /x/\nADD http://127.0.0.1:9/ /y\nADD --keep-git-dir=true https://127.0.0.1:9/org/repo.git#main:sub /src\nADD git@127.0.0.1:org/repo.git /src2\n",
            &[
                ("686c9969d369c78aff8c6aa880caf11ebffca6fe8213988cf39e7b38fdd45397", &format!("[1/5] FROM docker.io/library/busybox:latest@{BUSYBOX}")),
                ("fe9fcda07b9e21f4ce1fad2c7c2bc70303e0b6890a68f9c814fdb8e908979c77", "[2/5] ADD --chmod=600 http://127.0.0.1:9/dir/file.txt /x/"),
                ("0ba179dc0e33f56dbb1716e0446a47e4c6fcaab158fd92e949c5718d01150d47", "[2/5] ADD --chmod=600 http://127.0.0.1:9/dir/file.txt /x/"),
                ("9ec58727cdd1dd613cc9533fe579fd94606a324d1190543518c3d4f0144ae7c5", "[3/5] ADD http://127.0.0.1:9/ /y"),
                ("738f17194dfc855b57d3fd008dca07b2d8e4c8f2eaaa23a4d20964a742fc4262", "[3/5] ADD http://127.0.0.1:9/ /y"),
                ("885f943a78ed101b0c660fa27af53e251d3a93a5e9953739343d1bfc72800809", "[4/5] ADD --keep-git-dir=true https://127.0.0.1:9/org/repo.git#main:sub /src"),
                ("0c159c125e742ff44059c628138ec8feff77007d772d9a503064270e4dff85c6", "[4/5] ADD --keep-git-dir=true https://127.0.0.1:9/org/repo.git#main:sub /src"),
                ("531855b48500a9c9880e28120141f855e7f1247ee5dddd78a1f39584b21ede6c", "[5/5] ADD git@127.0.0.1:org/repo.git /src2"),
                ("966abe26745457bd3ef5d8dd52447531126e1224aa14c1664a9d0bb75e315189", "[5/5] ADD git@127.0.0.1:org/repo.git /src2"),
            ],
        );
    }

    #[test]
    fn stage_args_proxy_and_run_options_match_docker() {
        let src = "FROM busybox AS a\nARG ONE=1\nARG HTTP_PROXY\nENV LEGACY value with spaces\nRUN [\"/bin/echo\", \"exec\", \"form\"]\nFROM a AS b\nARG TWO=2\nUSER nobody\nWORKDIR /home/nobody/w\nRUN echo $ONE $TWO $HTTP_PROXY\nFROM scratch AS c\nCOPY --from=b /etc/passwd /p\nFROM b\nRUN echo final\n";
        let df = crate::dockerfile::parse(src).expect("parse");
        let mut o = options();
        o.image_resolve_mode = crate::options::ImageResolveMode::Local;
        o.target = Some("b".into());
        for (k, v) in [
            ("TWO", "cli"),
            ("HTTP_PROXY", "http://proxy:3128"),
            ("no_proxy", "localhost"),
        ] {
            o.build_args.insert(k.into(), v.into());
        }
        o.extra_hosts = vec![("db".into(), "10.1.2.3".into())];
        o.shm_size = 1 << 30;
        o.ulimits = vec![crate::options::Ulimit {
            name: "nofile".into(),
            soft: 1024,
            hard: 2048,
        }];
        let f = facts();
        let input = ConvertInput {
            dockerfile: &df,
            source: &source_file(src.as_bytes()),
            options: &o,
            daemon: &f,
            context: &context(&[]),
            run_process: &Default::default(),
        };
        let conv = convert(&input, &Busybox).expect("convert");
        let got: BTreeSet<String> = vertices(&conv.builds[0])
            .into_iter()
            .filter(|v| {
                !v.name
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("[internal] load")
            })
            .map(|v| v.digest.as_str().to_string())
            .collect();
        let want: BTreeSet<String> = [
            "686c9969d369c78aff8c6aa880caf11ebffca6fe8213988cf39e7b38fdd45397",
            "66209c196a1a1dcd73263c6b7cefd1ffb5a3b8a2a9d2b9b4b57062f92614ec83",
            "8eba6a1128aecd8b5be1d47a7aca35af50d61aa761b1063f9264ab4a6d67e474",
            "13f037c76472e6f0ecb8e7c0bfdc95421dc3d91fa52802c39c03342714c20a47",
        ]
        .iter()
        .map(|d| format!("sha256:{d}"))
        .collect();
        assert_eq!(got, want);
    }
}

#[test]
fn git_url_context_becomes_a_git_source() {
    let mut o = options();
    o.remote_context = Some("https://example.com/org/repo.git#main".into());
    let ctx = BuildContext {
        main: MainContext::Remote {
            remote: crate::dockerui::RemoteContext::detect(&o).expect("a remote context"),
            archive: false,
        },
        ..BuildContext::default()
    };
    let b = run_in("FROM busybox\nCOPY . /src\n", &o, &ctx, &Fixed)
        .expect("convert")
        .builds
        .remove(0);
    let srcs = sources(&b);
    let git = srcs
        .iter()
        .find(|s| s.1.identifier == "git://example.com/org/repo.git#main")
        .expect("git context");
    assert_eq!(
        git.0.as_deref(),
        Some("[internal] load git source https://example.com/org/repo.git#main")
    );
    assert!(!srcs.iter().any(|s| s.1.identifier.starts_with("local://")));
}

#[test]
fn stage_reference_errors_use_buildkit_wording() {
    let table = [
        (
            "FROM busybox\nCOPY --from=0 /a /b\n",
            "circular dependency detected on stage: stage-0",
        ),
        ("FROM busybox\nCOPY --from=5 /a /b\n", "invalid stage index 5"),
        (
            "FROM busybox AS a\nRUN --mount=from=b,target=/x true\nFROM busybox AS b\n",
            "cannot mount from stage \"b\" to \"/x\", stage needs to be defined before current command",
        ),
        (
            "FROM busybox\nRUN --mount=type=bind,target=/ true\n",
            "invalid mount target \"/\"",
        ),
        (
            "FROM busybox\nRUN --mount=type=ssh,source=x true\n",
            "ssh does not support source",
        ),
        (
            "FROM busybox\nEXPOSE 80/xyz\n",
            "invalid port: \"80/xyz\": invalid proto: xyz",
        ),
    ];
    for (src, want) in table {
        let mut o = options();
        if src.contains("AS a") {
            o.target = Some("a".into());
        }
        let err = run_with(src, &o, &[]).expect_err(src);
        assert_eq!(err.to_string(), want, "{src}");
    }
}

#[test]
fn onbuild_copy_link_in_a_stage_without_steps_does_not_panic() {
    let b = build("FROM busybox AS parent\nONBUILD COPY --link a /a\nFROM parent\n");
    let merges = vertices(&b)
        .into_iter()
        .filter(|v| matches!(v.op.op, Some(pb::op::Op::Merge(_))))
        .count();
    assert_eq!(merges, 1);
}

#[test]
fn multi_platform_cross_stage_matches_docker() {
    // Docker 28.5.2, `--platform linux/amd64,linux/arm64`, busybox at BUSYBOX_E1 below.
    const BUSYBOX_E1: &str =
        "sha256:276f19da692558230143e7e54505b90143a87e95b12928488da822dc06afc7ef";
    struct Busybox;
    impl ImageResolver for Busybox {
        fn resolve(&self, reference: &str, _: &Platform) -> Option<ResolvedImage> {
            (reference == "docker.io/library/busybox:latest").then(|| ResolvedImage {
                reference: reference.to_string(),
                digest: Some(BUSYBOX_E1.to_string()),
                config: BUSYBOX_CONFIG.as_bytes().to_vec(),
            })
        }
    }
    let src = "FROM --platform=$BUILDPLATFORM busybox AS build\nARG TARGETARCH\nARG TARGETPLATFORM\nRUN echo $TARGETARCH > /arch\nFROM scratch\nCOPY --from=build /arch /arch\n";
    let df = crate::dockerfile::parse(src).expect("parse");
    let mut o = options();
    o.image_resolve_mode = crate::options::ImageResolveMode::Local;
    o.platforms = vec![
        Platform::new("linux", "amd64", ""),
        Platform::new("linux", "arm64", ""),
    ];
    let f = facts();
    let input = ConvertInput {
        dockerfile: &df,
        source: &source_file(src.as_bytes()),
        options: &o,
        daemon: &f,
        context: &context(&[]),
        run_process: &Default::default(),
    };
    let conv = convert(&input, &Busybox).expect("convert");
    let got: BTreeSet<(String, String)> = conv
        .builds
        .iter()
        .flat_map(vertices)
        .filter(|v| {
            !v.name
                .as_deref()
                .unwrap_or("")
                .starts_with("[internal] load")
        })
        .map(|v| (v.digest.as_str().to_string(), v.name.unwrap_or_default()))
        .collect();
    let want: BTreeSet<(String, String)> = [
        (
            "686c9969d369c78aff8c6aa880caf11ebffca6fe8213988cf39e7b38fdd45397",
            format!("[linux/amd64 build 1/2] FROM docker.io/library/busybox:latest@{BUSYBOX_E1}"),
        ),
        (
            "1a68b95c53999e6a5d7bd640445be32c93e94df03f274c2391ae100967295b77",
            "[linux/amd64 build 2/2] RUN echo amd64 > /arch".to_string(),
        ),
        (
            "3c7802f86f9e6eff12a41824cf22bfcb717f88e8f9a59bb09464b89c91055f4c",
            "[linux/amd64 stage-1 1/1] COPY --from=build /arch /arch".to_string(),
        ),
        (
            "8716250f0e94dabe895a0a6f5273f35bd4107bae601d53aa5868af4711ed5ab8",
            "[linux/amd64->arm64 build 2/2] RUN echo arm64 > /arch".to_string(),
        ),
        (
            "c5b282be5f3e10e781c8496db97ad872c5b445f8a409cabf21d917132ed26caa",
            "[linux/arm64 stage-1 1/1] COPY --from=build /arch /arch".to_string(),
        ),
    ]
    .into_iter()
    .map(|(d, n)| (format!("sha256:{d}"), n))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn named_git_and_http_contexts_become_sources() {
    let mut o = options();
    o.named_contexts
        .insert("repo".into(), "https://example.com/org/repo.git#v1".into());
    o.named_contexts
        .insert("file".into(), "https://example.com/f.tar.gz".into());
    let b = build_opts(
        "FROM busybox\nCOPY --from=repo / /r\nCOPY --from=file / /f\n",
        &o,
    );
    let srcs = sources(&b);
    let git = srcs
        .iter()
        .find(|s| s.1.identifier == "git://example.com/org/repo.git#v1")
        .expect("git source");
    // 1.18+: `.git` is kept only when the URL's query asks for it.
    assert_eq!(git.1.attrs.get("git.keepgitdir"), None);
    let http = srcs
        .iter()
        .find(|s| s.1.identifier == "https://example.com/f.tar.gz")
        .expect("http source");
    assert_eq!(
        http.0.as_deref(),
        Some("[context file] https://example.com/f.tar.gz")
    );
    // 1.24+: saved as `context`.
    assert_eq!(
        http.1.attrs.get("http.filename").map(String::as_str),
        Some("context")
    );
    o.named_contexts.insert("bad".into(), "ftp://x".into());
    let err = run_with("FROM bad\n", &o, &[]).unwrap_err();
    assert_eq!(err.to_string(), "unsupported context source ftp for bad");
}

/// An `oci-layout://` context: the request the gateway must resolve from the client's store.
#[test]
fn oci_layout_context_requests_the_dummy_ref_from_the_store() {
    let mut o = options();
    let dgst = format!("sha256:{}", "b".repeat(64));
    o.named_contexts
        .insert("base".into(), format!("oci-layout://store1:latest@{dgst}"));
    let Err(ConvertError::NeedImages(reqs)) = run_with_resolver("FROM base\n", &o, &Nothing) else {
        panic!("expected an image request");
    };
    let req = ImageRequest {
        reference: format!("docker.io/library/base@{dgst}"),
        platform: Platform::new("linux", "amd64", ""),
        oci_store: Some("store1".into()),
    };
    assert_eq!(reqs, vec![req.clone()]);
    assert_eq!(
        resolve_log_name(&o, &req),
        format!("[context base] load metadata for docker.io/library/base@{dgst}")
    );
}

/// The resolved layout becomes an `oci-layout://` source like Go's `llb.OCILayout` writes it,
/// with the image config (env, workdir, user) applied.
#[test]
fn oci_layout_context_is_an_oci_source_with_session_and_store() {
    let mut o = options();
    let dgst = format!("sha256:{}", "c".repeat(64));
    o.named_contexts
        .insert("base".into(), format!("oci-layout://store1@{dgst}"));
    let b = build_opts("FROM base\nRUN true\n", &o);
    let srcs = sources(&b);
    let (name, src, op) = srcs
        .iter()
        .find(|s| s.1.identifier.starts_with("oci-layout://"))
        .expect("oci source");
    assert_eq!(
        src.identifier,
        format!("oci-layout://docker.io/library/base@{dgst}")
    );
    let attrs: Vec<(&str, &str)> = src
        .attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        attrs,
        vec![("oci.session", "sess"), ("oci.store", "store1")]
    );
    assert_eq!(name.as_deref(), Some("[context base] OCI load from client"));
    assert_eq!(op.platform.as_ref().map(|p| p.os.as_str()), Some("linux"));
    let caps = &b.definition.metadata;
    assert!(caps
        .values()
        .any(|m| m.caps.contains_key("source.ocilayout")));
    let cfg = config(&b);
    assert!(cfg["config"]["Env"].to_string().contains("PATH="));
}

#[test]
fn oci_layout_context_without_digest_is_an_error() {
    let mut o = options();
    o.named_contexts
        .insert("base".into(), "oci-layout://store1:latest".into());
    let err = run_with("FROM base\n", &o, &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "oci-layout reference \"store1\" has no digest"
    );
}

#[test]
fn resolve_log_names_follow_dockerfile_v0() {
    let mut o = options();
    o.named_contexts
        .insert("base".into(), "docker-image://busybox:latest".into());
    let req = |r: &str| ImageRequest {
        reference: r.into(),
        platform: Platform::new("linux", "amd64", ""),
        oci_store: None,
    };
    assert_eq!(
        resolve_log_name(&o, &req("docker.io/library/busybox:latest")),
        "[context base] load metadata for busybox:latest"
    );
    assert_eq!(
        resolve_log_name(&o, &req("docker.io/library/golang:1.22")),
        "[internal] load metadata for docker.io/library/golang:1.22"
    );
    o.platforms = vec![
        Platform::new("linux", "amd64", ""),
        Platform::new("linux", "arm64", ""),
    ];
    assert_eq!(
        resolve_log_name(&o, &req("docker.io/library/golang:1.22")),
        "[linux/amd64 internal] load metadata for docker.io/library/golang:1.22"
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const LINES: &[&str] = &[
        "FROM busybox AS a",
        "FROM scratch",
        "FROM a",
        "FROM --platform=$BUILDPLATFORM busybox",
        "FROM $MISSING",
        "ARG X=1",
        "ARG X",
        "ENV A=$X B=${A:-d}",
        "RUN echo $A",
        "RUN --mount=type=cache,target=c,uid=1 true",
        "RUN --mount=from=a,target=/m true",
        "RUN --mount=type=secret,id=s --mount=type=ssh true",
        "RUN <<EOF\n#!/bin/sh\nx\nEOF",
        "COPY --from=a /x /y",
        "COPY --from=9 /x /y",
        "COPY --from=golang:1.22 /x /y",
        "COPY --link --chown=u:g a b/",
        "COPY <<EOF /f\n$X\nEOF",
        "ADD http://127.0.0.1/ /",
        "ADD x.git /g",
        "WORKDIR rel",
        "WORKDIR /",
        "USER 1:1",
        "EXPOSE 80 1-2/udp",
        "EXPOSE nope",
        "VOLUME /v",
        "STOPSIGNAL 9",
        "STOPSIGNAL NOPE",
        "HEALTHCHECK NONE",
        "CMD x",
        "ENTRYPOINT [\"y\"]",
        "SHELL [\"sh\", \"-c\"]",
        "ONBUILD RUN z",
        "ONBUILD COPY --from=a / /",
        "LABEL k=v",
        "MAINTAINER m",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn convert_returns_a_value_for_any_instruction_mix(
            picks in proptest::collection::vec(0..LINES.len(), 1..10),
            target in proptest::option::of(prop_oneof![Just("a".to_string()), Just("zz".to_string())]),
            multi in any::<bool>(),
        ) {
            let mut src = String::from("FROM busybox\n");
            for p in picks {
                src.push_str(LINES[p]);
                src.push('\n');
            }
            let Ok(df) = crate::dockerfile::parse(&src) else { return Ok(()) };
            let mut o = options();
            o.target = target;
            if multi {
                o.platforms = vec![Platform::new("linux", "amd64", ""), Platform::new("linux", "arm", "v7")];
            }
            let f = facts();
            let input = ConvertInput {
                dockerfile: &df,
                source: &source_file(src.as_bytes()),
                options: &o,
                daemon: &f,
                context: &context(&[]),
                run_process: &Default::default(),
            };
            let _ = convert(&input, &Fixed);
            let _ = convert(&input, &Nothing);
        }
    }
}

mod run_process {
    use super::*;

    const SRC: &str = "FROM golang:1.22 AS build\nENV A=1\nRUN go build ./...\nRUN echo done\n\
                       ONBUILD RUN go version\nFROM build\n";

    fn convert_with(envs: RunProcesses) -> PlatformBuild {
        let df = crate::dockerfile::parse(SRC).expect("parse");
        let f = facts();
        let opts = options();
        let input = ConvertInput {
            dockerfile: &df,
            source: &source_file(SRC.as_bytes()),
            options: &opts,
            daemon: &f,
            context: &context(&[]),
            run_process: &envs,
        };
        convert(&input, &Fixed).expect("convert").builds.remove(0)
    }

    fn go_build_env() -> RunProcesses {
        RunProcesses::from([(
            CommandRef {
                stage: 0,
                command: 1,
            },
            RunProcess {
                env: vec![
                    ("GOPATH".to_string(), "/custom".to_string()),
                    ("GOPROXY".to_string(), "http://proxy".to_string()),
                ],
                wrap: None,
                cross_compile: false,
            },
        )])
    }

    #[test]
    fn run_env_reaches_only_the_named_run_process() {
        let b = convert_with(go_build_env());
        let runs = execs(&b);
        let env_of = |needle: &str| {
            runs.iter()
                .find(|(_, e, _)| e.meta.as_ref().unwrap().args.join(" ").contains(needle))
                .map(|(name, e, _)| (name.clone(), e.meta.clone().unwrap().env))
                .unwrap()
        };
        let (name, env) = env_of("go build");
        // GOPATH keeps its place (from the image config) with the new value; GOPROXY is appended.
        let gopath = env.iter().position(|e| e == "GOPATH=/custom").unwrap();
        let golang_version = env
            .iter()
            .position(|e| e.starts_with("GOLANG_VERSION="))
            .unwrap();
        assert!(golang_version < gopath, "{env:?}");
        assert_eq!(env.last().map(String::as_str), Some("GOPROXY=http://proxy"));
        assert!(!env.iter().any(|e| e == "GOPATH=/go"), "{env:?}");
        assert!(!name.unwrap().contains("proxy"));
        let (_, other) = env_of("echo done");
        assert!(other.iter().any(|e| e == "GOPATH=/go"));
        assert!(!other.iter().any(|e| e.starts_with("GOPROXY")));
        // The ONBUILD trigger in the child stage is not the RUN named by the key.
        let (_, trigger) = env_of("go version");
        assert!(!trigger.iter().any(|e| e.starts_with("GOPROXY")));
        let config = config(&b);
        let text = config.to_string();
        assert!(
            !text.contains("http://proxy") && !text.contains("/custom"),
            "{text}"
        );
    }

    /// The go build RUN's env when it cross-compiles, for a target platform (`None`: the
    /// build platform, linux/amd64).
    fn cross_env(target: Option<&str>) -> Vec<String> {
        let df = crate::dockerfile::parse(SRC).expect("parse");
        let f = facts();
        let mut opts = options();
        opts.platforms = target
            .map(|t| crate::platform::Platform::parse(t).expect("platform"))
            .into_iter()
            .collect();
        let input = ConvertInput {
            dockerfile: &df,
            source: &source_file(SRC.as_bytes()),
            options: &opts,
            daemon: &f,
            context: &context(&[]),
            run_process: &RunProcesses::from([(
                CommandRef {
                    stage: 0,
                    command: 1,
                },
                RunProcess {
                    cross_compile: true,
                    ..RunProcess::default()
                },
            )]),
        };
        let b = convert(&input, &Fixed).expect("convert").builds.remove(0);
        execs(&b)
            .into_iter()
            .find(|(_, e, _)| e.meta.as_ref().unwrap().args.join(" ").contains("go build"))
            .map(|(_, e, _)| e.meta.unwrap().env)
            .unwrap()
    }

    #[test]
    fn cross_compile_adds_the_target_settings_only_when_the_target_differs() {
        let go = |env: &[String]| -> Vec<String> {
            env.iter()
                .filter(|e| {
                    e.starts_with("GOOS=") || e.starts_with("GOARCH=") || e.starts_with("GOARM=")
                })
                .cloned()
                .collect()
        };
        assert!(go(&cross_env(None)).is_empty());
        assert!(go(&cross_env(Some("linux/amd64"))).is_empty());
        assert_eq!(
            go(&cross_env(Some("linux/arm64"))),
            ["GOOS=linux", "GOARCH=arm64"]
        );
        assert_eq!(
            go(&cross_env(Some("linux/arm/v6"))),
            ["GOOS=linux", "GOARCH=arm", "GOARM=6"]
        );
    }

    #[test]
    fn empty_run_env_is_byte_identical_and_other_envs_differ() {
        let plain = crate::llb::encode_definition(&convert_with(RunProcesses::new()).definition);
        let again = crate::llb::encode_definition(&convert_with(RunProcesses::new()).definition);
        assert_eq!(plain, again);
        let with = crate::llb::encode_definition(&convert_with(go_build_env()).definition);
        assert_ne!(plain, with);
    }

    /// The wrapper changes the process only: a `/bin/sh -c` RUN runs `/bin/sh <script>
    /// <command>` with the script mounted read-only, while the step name and history keep the
    /// command as written; other RUNs keep their args.
    #[test]
    fn wrap_changes_the_shell_command_only() {
        let wrapped = |command: usize| {
            RunProcesses::from([(
                CommandRef { stage: 0, command },
                RunProcess {
                    env: Vec::new(),
                    wrap: Some("echo setup; /bin/sh -c \"$1\"".to_string()),
                    cross_compile: false,
                },
            )])
        };
        let b = convert_with(wrapped(1));
        let runs = execs(&b);
        let (name, exec, op) = runs
            .iter()
            .find(|(_, e, _)| e.meta.as_ref().unwrap().args.join(" ").contains("go build"))
            .unwrap();
        assert_eq!(
            exec.meta.as_ref().unwrap().args,
            vec!["/bin/sh", "/run/gofront-fetch/fetch.sh", "go build ./..."]
        );
        let script_mount = exec
            .mounts
            .iter()
            .find(|m| m.dest == "/run/gofront-fetch")
            .unwrap();
        assert!(script_mount.readonly);
        assert!(script_mount.input >= 0 && (script_mount.input as usize) < op.inputs.len());
        assert!(!name.clone().unwrap_or_default().contains("fetch"));
        let history = config(&b).to_string();
        assert!(
            history.contains("RUN /bin/sh -c go build ./... # buildkit"),
            "{history}"
        );
        assert!(!history.contains("fetch.sh"), "{history}");
        let step_names: Vec<String> = vertices(&b).into_iter().filter_map(|v| v.name).collect();
        assert!(
            step_names.iter().any(|n| n == "[gofront] fetch setup"),
            "{step_names:?}"
        );
        let plain = execs(&convert_with(RunProcesses::new()));
        let echo = |runs: &[(Option<String>, pb::ExecOp, pb::Op)]| {
            runs.iter()
                .find(|(_, e, _)| {
                    e.meta
                        .as_ref()
                        .unwrap()
                        .args
                        .join(" ")
                        .contains("echo done")
                })
                .map(|(_, e, _)| e.meta.clone().unwrap().args)
        };
        assert_eq!(echo(&runs), echo(&plain), "other RUNs keep their args");
    }
}
