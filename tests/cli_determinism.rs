//! `gofront llb` is deterministic (issue 3, "byte-identical across 10 runs"): the same rich
//! multi-stage Dockerfile (args, heredocs, every mount type, COPY --link/--chown/--chmod,
//! ONBUILD, HEALTHCHECK) gives byte-identical stdout over 10 runs of the real binary, as protobuf
//! and as `--json` (one and two platforms), and the protobuf is a well-formed `Definition`: every
//! op decodes, the last one is the terminal (result-only) op and it points at an op of the graph.
//!
//! Not for: comparing the LLB with BuildKit's (see `conformance.rs` and `llb_digests.rs`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use prost::Message as _;
use sha2::{Digest as _, Sha256};

use gofront::llb::pb;

const RUNS: usize = 10;

/// A Dockerfile that touches most of the converter's paths at once.
const RICH_DOCKERFILE: &str = r#"# syntax=docker/dockerfile:1
ARG BASE=busybox:latest
ARG VERSION=1.2.3
FROM --platform=$BUILDPLATFORM ${BASE} AS tools
ARG VERSION
ARG TARGETARCH
ENV APP_VERSION=${VERSION} PATH=/opt/tools:$PATH
WORKDIR /src
RUN --mount=type=cache,target=/root/.cache,id=tools-${TARGETARCH},sharing=locked \
    --mount=type=tmpfs,target=/scratch,size=1048576 \
    --mount=type=secret,id=token,target=/run/token,required=false \
    --mount=type=ssh,id=default,required=false \
    --network=none \
    echo "$APP_VERSION for $TARGETARCH" > /src/version
RUN <<EOF
set -e
mkdir -p /opt/tools
echo tool > /opt/tools/tool
EOF
COPY <<-EOT /src/config.txt
	key=value
	other=${VERSION}
EOT

FROM tools AS build
RUN --mount=type=bind,from=tools,source=/opt/tools,target=/mnt/tools,rw \
    ["/bin/sh", "-c", "cp -r /mnt/tools /out"]
SHELL ["/bin/sh", "-ec"]
RUN echo shell-form && ls /out

FROM scratch AS final
LABEL org.opencontainers.image.version="1.2.3" maintainer="gofront"
COPY --link --from=build /out /usr/local/tools
COPY --chown=1000:1000 --chmod=0640 --from=tools /src/config.txt /etc/app/config.txt
COPY --link --chmod=755 --from=tools /src/version /version
ADD --chown=10:20 --chmod=600 version.txt /added
EXPOSE 8080/tcp 9090/udp
VOLUME ["/data"]
USER 1000:1000
WORKDIR /app
ENV MODE=production
ONBUILD RUN echo building on top
ONBUILD COPY . /app
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 CMD ["/version"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/tools/tool"]
CMD ["--help"]
"#;

fn write_dockerfile(dir: &Path) -> PathBuf {
    let path = dir.join("Dockerfile");
    std::fs::write(&path, RICH_DOCKERFILE).expect("write Dockerfile");
    path
}

/// Runs `gofront llb <dockerfile> <args>` and returns stdout; fails the test on a non-zero exit.
fn llb(dockerfile: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_gofront"))
        .arg("llb")
        .arg(dockerfile)
        .args(args)
        .output()
        .expect("run gofront");
    assert!(
        out.status.success(),
        "gofront llb {args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.is_empty(), "gofront llb {args:?}: empty stdout");
    out.stdout
}

/// Runs the same command `RUNS` times and asserts every stdout equals the first.
fn assert_stable(dockerfile: &Path, args: &[&str]) -> Vec<u8> {
    let first = llb(dockerfile, args);
    for run in 1..RUNS {
        let again = llb(dockerfile, args);
        assert!(
            again == first,
            "gofront llb {args:?}: run {run} differs from run 0 ({} vs {} bytes)",
            again.len(),
            first.len()
        );
    }
    first
}

fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

#[test]
fn protobuf_llb_output_is_byte_identical_across_ten_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_dockerfile(dir.path());
    for args in [
        &["--platform", "linux/amd64"][..],
        &[
            "--platform",
            "linux/arm64",
            "--build-arg",
            "VERSION=9.9",
            "--target",
            "build",
        ][..],
    ] {
        assert_stable(&path, args);
    }
}

#[test]
fn json_llb_output_is_byte_identical_across_ten_runs_for_two_platforms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_dockerfile(dir.path());
    let out = assert_stable(&path, &["--platform", "linux/amd64,linux/arm64", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&out).expect("--json output is JSON");
    let platforms: BTreeSet<&str> = value
        .as_object()
        .expect("multi-platform JSON is an object keyed by platform")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        platforms,
        BTreeSet::from(["linux/amd64", "linux/arm64"]),
        "one Definition per requested platform"
    );
    assert_ne!(
        value["linux/amd64"], value["linux/arm64"],
        "the two platforms must not share one Definition (TARGETARCH differs)"
    );
    assert_stable(&path, &["--platform", "linux/arm64", "--json"]);
}

#[test]
fn two_platforms_without_json_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_dockerfile(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_gofront"))
        .arg("llb")
        .arg(&path)
        .args(["--platform", "linux/amd64,linux/arm64"])
        .output()
        .expect("run gofront");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    assert!(
        stderr.contains("--json"),
        "the error says what to do: {stderr}"
    );
}

#[test]
fn protobuf_output_decodes_as_definition_ending_in_the_terminal_op() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_dockerfile(dir.path());
    let bytes = llb(&path, &["--platform", "linux/amd64"]);
    let def = pb::Definition::decode(bytes.as_slice()).expect("stdout decodes as pb.Definition");
    assert!(def.def.len() > 5, "a rich Dockerfile gives many ops");

    let ops: Vec<pb::Op> = def
        .def
        .iter()
        .map(|raw| pb::Op::decode(raw.as_slice()).expect("each def entry decodes as pb.Op"))
        .collect();
    let digests: Vec<String> = def.def.iter().map(|raw| sha256_digest(raw)).collect();

    let (terminal, body) = ops.split_last().expect("at least one op");
    assert!(
        terminal.op.is_none(),
        "the last op is the terminal op (no exec/source/file/...): {terminal:?}"
    );
    assert_eq!(terminal.inputs.len(), 1, "the terminal op has one input");
    let result = &terminal.inputs[0].digest;
    assert!(
        digests[..digests.len() - 1].contains(result),
        "the terminal op points at an op of the Definition: {result}"
    );
    for (i, op) in body.iter().enumerate() {
        assert!(
            op.op.is_some(),
            "op {i} before the terminal one is a real op"
        );
        for input in &op.inputs {
            assert!(
                digests[..i].contains(&input.digest),
                "op {i} input {} comes earlier in the Definition (post-order)",
                input.digest
            );
        }
    }
    for digest in &digests {
        assert!(
            def.metadata.contains_key(digest),
            "every op has metadata keyed by its digest: {digest}"
        );
    }
    let kinds: BTreeSet<&str> = body
        .iter()
        .filter_map(|op| op.op.as_ref())
        .map(|op| match op {
            pb::op::Op::Exec(_) => "exec",
            pb::op::Op::Source(_) => "source",
            pb::op::Op::File(_) => "file",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["exec", "file", "source"]),
        "RUN, COPY and FROM all reach the Definition"
    );
}
