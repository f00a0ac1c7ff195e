//! What gofront may assume about a base image's filesystem without reading it: the directories
//! every Linux image has, the ones a Go image adds, and how to tell a Go image from its
//! reference or its config.
//!
//! Used to decide whether `COPY go.mod /dir` copies into an existing directory (BuildKit's
//! rule) and which stages have a Go toolchain. Not for: anything that needs the image's files.

/// Directories of every non-scratch Linux base image (Debian, Alpine, Ubuntu, the golang
/// images and distroless all have them).
pub(super) const IMAGE_DIRS: [&str; 9] = [
    "/etc",
    "/tmp",
    "/usr",
    "/usr/bin",
    "/usr/local",
    "/var",
    "/root",
    "/home",
    "/bin",
];

/// True when the image reference names the official Go image (`golang`, `golang:1.22-alpine`,
/// `docker.io/library/golang`, a registry mirror of it).
pub(crate) fn is_golang_reference(reference: &str) -> bool {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    let repo = last.split(':').next().unwrap_or(last);
    repo.eq_ignore_ascii_case("golang")
}

/// True when an image config's environment shows a Go toolchain (`GOLANG_VERSION`, as the
/// official images set it, or the Go install directory on PATH).
pub(super) fn has_go_toolchain(env: &[(String, String)]) -> bool {
    env.iter().any(|(k, v)| {
        k == "GOLANG_VERSION" || (k == "PATH" && v.split(':').any(|p| p.ends_with("/go/bin")))
    })
}

/// GOPATH and its `bin` and `src` directories, which the Go images create.
pub(super) fn gopath_dirs(env: &[(String, String)]) -> Vec<String> {
    let Some((_, gopath)) = env.iter().rev().find(|(k, _)| k == "GOPATH") else {
        return Vec::new();
    };
    gopath
        .split(':')
        .filter(|p| p.starts_with('/'))
        .flat_map(|p| {
            let p = p.trim_end_matches('/');
            [p.to_string(), format!("{p}/bin"), format!("{p}/src")]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golang_references_are_recognised() {
        for r in [
            "golang",
            "golang:1.22-alpine",
            "docker.io/library/golang:1.23",
            "mirror.gcr.io/library/golang:1.22@sha256:abc",
        ] {
            assert!(is_golang_reference(r), "{r}");
        }
        for r in [
            "alpine",
            "golangci/golangci-lint:v1",
            "my/golang-tools",
            "debian:bookworm",
        ] {
            assert!(!is_golang_reference(r), "{r}");
        }
    }

    #[test]
    fn go_toolchain_from_config_env() {
        let env = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert!(has_go_toolchain(&env("GOLANG_VERSION", "1.22.12")));
        assert!(has_go_toolchain(&env(
            "PATH",
            "/go/bin:/usr/local/go/bin:/usr/bin"
        )));
        assert!(!has_go_toolchain(&env("PATH", "/usr/local/bin:/usr/bin")));
        assert_eq!(
            gopath_dirs(&env("GOPATH", "/go")),
            vec!["/go", "/go/bin", "/go/src"]
        );
    }
}
