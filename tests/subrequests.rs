//! Subrequests (issue 3, item 6): `docker buildx build --print outline` and `--print targets`
//! (buildx 0.13, `BUILDX_EXPERIMENTAL=1`; `--call` does not exist yet) print exactly the same with
//! the stock `dockerfile.v0` frontend and with gofront (`--build-arg BUILDKIT_SYNTAX=<image>`,
//! image from `GOFRONT_IMAGE`, default `gofront:dev`), as tables and as JSON (which also carries
//! descriptions from doc comments and source locations), for Dockerfiles with described stages
//! and ARGs, secrets and ssh mounts, targets and build-arg overrides.
//!
//! Needs Docker (fails when `CI` is set and Docker is missing, skips otherwise) and the base image
//! `busybox:latest`. Not for builds: see `conformance.rs`.

mod support;

use std::path::Path;
use std::process::Command;

use support::build::Frontend;
use support::docker::{require_docker, require_images};

/// Stages and args described the way BuildKit v0.13 reads doc comments (a comment block right
/// above the instruction, starting with the stage or arg name), plus undescribed ones.
const DESCRIBED_STAGES: &str = r#"# GO_VERSION is the Go release every stage uses.
ARG GO_VERSION=1.22
ARG BASE=busybox:latest

# base provides the common tools
# for all later stages.
FROM ${BASE} AS base
# APP is the name of the application.
ARG APP=demo
ARG UNUSED
# Not a description: does not start with the name.
ARG PLAIN=x
RUN --mount=type=secret,id=npmrc echo $APP $PLAIN

# build compiles the service
FROM base AS build
ARG GO_VERSION
# OPT is the optimisation level.
ARG OPT=2
RUN --mount=type=ssh,id=gitkey,required=true \
    --mount=type=secret,id=token,required=true \
    echo $OPT $GO_VERSION

# unrelated is never needed by release
FROM busybox:latest AS unrelated
ARG NEVER_USED=1
RUN --mount=type=ssh echo $NEVER_USED

FROM scratch AS release
COPY --from=build /bin/sh /sh
"#;

/// One unnamed stage, args with defaults built from other args, no descriptions.
const SINGLE_STAGE: &str = r#"ARG REGISTRY=docker.io
FROM busybox:latest
ARG VERSION=1.0
ARG FULL=${REGISTRY}/app:${VERSION}
ENV FULL=$FULL
RUN --mount=type=secret,id=aws,target=/root/.aws/credentials echo "$FULL"
"#;

/// Stages referring to each other by index and name, a described default target.
const INDEXED_STAGES: &str = r#"FROM busybox:latest AS one
ARG FIRST
RUN echo $FIRST > /one

FROM one AS two
# SECOND is read by the second stage only.
ARG SECOND=2
RUN echo $SECOND > /two

# last copies from stage 0 and from two
FROM scratch AS last
COPY --from=0 /one /one
COPY --from=two /two /two
"#;

/// Runs `docker buildx build --print <print>` with one frontend; returns stdout.
fn print(dir: &Path, frontend: &Frontend, print: &str, extra: &[&str]) -> String {
    let mut cmd = Command::new("docker");
    cmd.env("BUILDX_EXPERIMENTAL", "1")
        .args(["buildx", "build", "--progress=plain", "--print", print])
        .args(extra);
    if let Frontend::Image(image) = frontend {
        cmd.arg("--build-arg")
            .arg(format!("BUILDKIT_SYNTAX={image}"));
    }
    let out = cmd.arg(dir).output().expect("run docker buildx build");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{}: --print {print} {extra:?} failed: {stderr}",
        frontend.label()
    );
    if let Frontend::Image(image) = frontend {
        let image = image.split(':').next().unwrap_or(image);
        assert!(
            stderr.contains(&format!("docker-image://docker.io/library/{image}")),
            "the build log does not show the frontend image {image}, so BUILDKIT_SYNTAX \
             was ignored: {stderr}"
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !stdout.trim().is_empty(),
        "{}: empty answer",
        frontend.label()
    );
    stdout
}

/// Asserts stock and gofront print the same for every request on one Dockerfile.
fn assert_same_answers(test: &str, dockerfile: &str, requests: &[(&str, &[&str])]) {
    if !require_docker(test) {
        return;
    }
    require_images(test, &["busybox:latest"]);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).expect("write Dockerfile");
    let gofront = Frontend::gofront();
    let mut differences = Vec::new();
    for (request, extra) in requests {
        let stock = print(dir.path(), &Frontend::Stock, request, extra);
        let ours = print(dir.path(), &gofront, request, extra);
        if stock != ours {
            differences.push(format!(
                "--print {request} {extra:?}:\n--- stock ---\n{stock}\n--- {} ---\n{ours}",
                gofront.label()
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

const TEXT_AND_JSON: [(&str, &[&str]); 6] = [
    ("outline", &[]),
    ("outline,format=json", &[]),
    ("outline", &["--target", "build"]),
    ("outline,format=json", &["--target", "base"]),
    ("targets", &[]),
    ("targets,format=json", &[]),
];

#[test]
fn outline_and_targets_of_described_stages_match_stock() {
    assert_same_answers(
        "outline_and_targets_of_described_stages_match_stock",
        DESCRIBED_STAGES,
        &TEXT_AND_JSON,
    );
}

#[test]
fn outline_and_targets_of_indexed_stages_match_stock() {
    assert_same_answers(
        "outline_and_targets_of_indexed_stages_match_stock",
        INDEXED_STAGES,
        &[
            ("outline,format=json", &[]),
            ("outline", &["--target", "two"]),
            ("targets", &[]),
            ("targets,format=json", &[]),
        ],
    );
}

#[test]
fn outline_with_build_arg_overrides_matches_stock() {
    assert_same_answers(
        "outline_with_build_arg_overrides_matches_stock",
        SINGLE_STAGE,
        &[
            ("outline", &[]),
            ("outline", &["--build-arg", "VERSION=2.0"]),
            (
                "outline,format=json",
                &["--build-arg", "REGISTRY=127.0.0.1:5000"],
            ),
            ("targets,format=json", &[]),
        ],
    );
}
