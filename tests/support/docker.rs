//! Docker availability gate: a test that needs the engine calls [`require_docker`] first.
//!
//! With the env var `CI` set, a missing engine is a test failure (CI must never silently skip);
//! otherwise the test prints an explicit `SKIPPED (no docker)` line and returns early.

use std::process::Command;
use std::sync::OnceLock;

/// Outcome of probing `docker info` once per test binary.
fn docker_probe() -> &'static Result<String, String> {
    static PROBE: OnceLock<Result<String, String>> = OnceLock::new();
    PROBE.get_or_init(|| {
        let out = Command::new("docker")
            .args(["info", "--format", "{{.ServerVersion}}"])
            .output()
            .map_err(|e| format!("cannot run `docker info`: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(format!(
                "`docker info` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    })
}

/// Returns true when Docker answers. When it does not: panics if `CI` is set, else prints
/// `SKIPPED (no docker): <test>` and returns false (the caller returns immediately).
pub fn require_docker(test: &str) -> bool {
    match docker_probe() {
        Ok(_) => true,
        Err(why) => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "{test}: Docker is required in CI but unavailable ({why}); \
                     run scripts/test.sh (or scripts/testbed/install-docker.sh) first"
                );
            }
            eprintln!("SKIPPED (no docker): {test}: {why}");
            println!("SKIPPED (no docker): {test}");
            false
        }
    }
}

/// Panics with a setup hint when a base image the test needs is missing from the local store.
pub fn require_images(test: &str, images: &[&str]) {
    let missing: Vec<&str> = images
        .iter()
        .copied()
        .filter(|img| !image_exists(img))
        .collect();
    assert!(
        missing.is_empty(),
        "{test}: base image(s) {missing:?} missing from the local image store; \
         create them with scripts/test.sh (test bed, see docs/testbed.md)"
    );
}

/// True when `docker image inspect` finds the reference locally.
pub fn image_exists(reference: &str) -> bool {
    Command::new("docker")
        .args(["image", "inspect", "--format", "{{.Id}}", reference])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}
