//! Smoke test of the test bed (issue 2, "Done when"): the two-stage Dockerfile in `tests/smoke/`
//! (`FROM golang:1.22` → `FROM scratch`) is built with the STOCK frontend against the local Go
//! module proxy over `--network host`, the image is run, and the proxy must have served the
//! dependency (`github.com/google/uuid`).
//!
//! Setup: Docker with BuildKit, the offline `golang:1.22` image and the Go proxy tree, all made by
//! `scripts/test.sh` (see `docs/testbed.md`); the proxy itself is started and stopped here via
//! `scripts/testbed/goproxy-serve.sh` on a free port. With `CI` set, a missing Docker engine is a
//! failure, not a skip.

mod support;

use support::build::{docker, BuildRequest, Frontend, Output};
use support::docker::{require_docker, require_images};
use support::goproxy::GoProxy;

/// uuid v5 of "gofront.example" in the DNS namespace (computed independently of Go).
const EXPECTED_OUTPUT: &str = "hello from scratch: 6fdad11a-f0f5-5b99-91b5-4ed0575dc6cd";

/// Removes the test image when the test ends, however it ends.
struct ImageGuard(String);

impl Drop for ImageGuard {
    fn drop(&mut self) {
        let _ = docker(&["image", "rm", "-f", &self.0]);
    }
}

#[test]
fn stock_two_stage_go_build_against_local_proxy_runs_from_scratch() {
    let name = "smoke";
    if !require_docker(name) {
        return;
    }
    require_images(name, &["golang:1.22"]);
    let proxy = GoProxy::start().unwrap_or_else(|e| panic!("cannot start the Go proxy: {e}"));

    let tag = format!("gofront-smoke:{}", std::process::id());
    let _guard = ImageGuard(tag.clone());
    let mut req = BuildRequest::new(support::repo_root().join("tests").join("smoke"));
    req.frontend = Frontend::Stock;
    req.build_args = vec![
        ("GOPROXY".into(), proxy.url()),
        ("GOSUMDB".into(), "off".into()),
    ];
    req.network_host = true;
    // The proxy must see the download: a fresh nonce makes the go step miss the build cache.
    let nonce = format!(
        "{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
    );
    req.build_args.push(("SMOKE_NONCE".into(), nonce));
    req.output = Output::Load(tag.clone());
    let outcome = req.run().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        outcome.success,
        "smoke build failed:\n$ {}\n{}",
        outcome.command,
        outcome.tail(40)
    );
    println!("smoke build took {:.1}s", outcome.elapsed.as_secs_f64());

    let requests = proxy.requests();
    assert!(
        requests.downloaded_zip("github.com/google/uuid"),
        "the proxy never served github.com/google/uuid's zip; requests: {:?}",
        requests.paths
    );

    let run = docker(&["run", "--rm", "--network", "none", &tag])
        .unwrap_or_else(|e| panic!("docker run failed: {e}"));
    assert_eq!(run.trim(), EXPECTED_OUTPUT);

    let layers = docker(&[
        "image",
        "inspect",
        "--format",
        "{{len .RootFS.Layers}}",
        &tag,
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        layers.trim(),
        "1",
        "the FROM scratch image should hold exactly the copied binary's layer"
    );
}
