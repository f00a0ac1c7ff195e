//! Build errors look the same (issue 3, "Failing Dockerfiles fail with gofront too, with an
//! error that names the Dockerfile line, visible in `docker buildx build` output"): for a
//! failing step in the middle of a 3-stage Dockerfile, `docker buildx build --progress=plain`
//! prints the same `Dockerfile:N` excerpt (the `>>>`-marked lines and their context) and the
//! same `ERROR:` line with the stock frontend and with gofront (`GOFRONT_IMAGE`, default
//! `gofront:dev`).
//!
//! Needs Docker (fails when `CI` is set and Docker is missing, skips otherwise) and
//! `busybox:latest`. Not for comparing successful builds: see `conformance.rs`.

mod support;

use std::path::Path;
use std::process::Command;

use support::build::Frontend;
use support::docker::{require_docker, require_images};

/// The excerpt printed for a failed build: from the `Dockerfile:N` line through the `ERROR:`
/// line, or `None` when the log has no excerpt. The daemon's random temporary mount names
/// (`buildkit-mount1234`) are normalized.
fn excerpt(log: &str) -> Option<String> {
    let lines: Vec<&str> = log.lines().collect();
    let start = lines.iter().position(|l| {
        l.strip_prefix("Dockerfile:")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    })?;
    let end = lines[start..]
        .iter()
        .position(|l| l.starts_with("ERROR: "))
        .map(|i| start + i)?;
    let text = lines[start..=end].join("\n");
    let mounts = regex::Regex::new(r"buildkit-mount[0-9]+").expect("valid regex");
    Some(mounts.replace_all(&text, "buildkit-mountN").into_owned())
}

/// Builds `dir` with one frontend; the build must fail. Returns the whole log.
fn failing_build(dir: &Path, frontend: &Frontend) -> String {
    let mut cmd = Command::new("docker");
    cmd.args([
        "buildx",
        "build",
        "--progress=plain",
        "--output",
        "type=cacheonly",
    ]);
    if let Frontend::Image(image) = frontend {
        cmd.arg("--build-arg")
            .arg(format!("BUILDKIT_SYNTAX={image}"));
    }
    let out = cmd.arg(dir).output().expect("run docker buildx build");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "{}: the build must fail: {log}",
        frontend.label()
    );
    if let Frontend::Image(image) = frontend {
        let image = image.split(':').next().unwrap_or(image);
        assert!(
            log.contains(&format!("docker-image://docker.io/library/{image}")),
            "the build log does not show the frontend image {image}: {log}"
        );
    }
    log
}

/// Asserts both frontends fail naming `line` with identical excerpts.
fn assert_same_excerpt(test: &str, dockerfile: &str, line: usize) {
    if !require_docker(test) {
        return;
    }
    require_images(test, &["busybox:latest"]);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).expect("write Dockerfile");
    let gofront = Frontend::gofront();
    let stock_log = failing_build(dir.path(), &Frontend::Stock);
    let stock = excerpt(&stock_log)
        .unwrap_or_else(|| panic!("stock log has no Dockerfile excerpt: {stock_log}"));
    assert!(
        stock.starts_with(&format!("Dockerfile:{line}\n")),
        "the case is wrong: stock names another line:\n{stock}"
    );
    let ours_log = failing_build(dir.path(), &gofront);
    let ours = excerpt(&ours_log).unwrap_or_else(|| {
        panic!(
            "{} log has no Dockerfile excerpt: {ours_log}",
            gofront.label()
        )
    });
    assert_eq!(
        ours,
        stock,
        "{} excerpt differs from stock",
        gofront.label()
    );
}

#[test]
fn failing_multiline_run_in_middle_stage_shows_the_stock_excerpt() {
    assert_same_excerpt(
        "failing_multiline_run_in_middle_stage_shows_the_stock_excerpt",
        "FROM busybox:latest AS deps\n\
         RUN echo deps > /deps\n\
         \n\
         FROM deps AS build\n\
         WORKDIR /src\n\
         RUN echo compiling && \\\n    false && \\\n    echo never\n\
         RUN echo after\n\
         \n\
         FROM scratch\n\
         COPY --from=build /deps /deps\n",
        6,
    );
}

#[test]
fn failing_heredoc_run_in_middle_stage_shows_the_stock_excerpt() {
    assert_same_excerpt(
        "failing_heredoc_run_in_middle_stage_shows_the_stock_excerpt",
        "FROM busybox:latest AS deps\n\
         RUN echo deps > /deps\n\
         FROM deps AS build\n\
         ARG CODE=3\n\
         RUN <<EOF\n\
         echo start\n\
         exit $CODE\n\
         EOF\n\
         FROM scratch\n\
         COPY --from=build /deps /deps\n",
        5,
    );
}

#[test]
fn failing_exec_form_run_in_middle_stage_shows_the_stock_excerpt() {
    assert_same_excerpt(
        "failing_exec_form_run_in_middle_stage_shows_the_stock_excerpt",
        "FROM busybox:latest AS deps\n\
         RUN echo deps > /deps\n\
         FROM deps AS build\n\
         RUN [\"/bin/sh\", \"-c\", \"exit 7\"]\n\
         FROM scratch\n\
         COPY --from=build /deps /deps\n",
        4,
    );
}

#[test]
fn missing_copy_source_in_middle_stage_shows_the_stock_excerpt() {
    assert_same_excerpt(
        "missing_copy_source_in_middle_stage_shows_the_stock_excerpt",
        "FROM busybox:latest AS deps\n\
         RUN echo deps > /deps\n\
         FROM deps AS build\n\
         COPY --from=deps /no/such/file /x\n\
         RUN echo unreachable\n\
         FROM scratch\n\
         COPY --from=build /deps /deps\n",
        4,
    );
}
