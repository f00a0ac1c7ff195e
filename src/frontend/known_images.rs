//! A small built-in table of the official Go images' config (the parts the Go analysis reads),
//! for planning without a daemon: `gofront rewrite` and `gofront llb` cannot pull image
//! configs, so when the resolver knows no config for `golang:<tag>` the analysis uses this.
//! A real build never needs it: the gateway resolves every base image's actual config.
//!
//! What the table says (as the official `golang` images set it since Go 1.21): `GOPATH=/go`,
//! `GOTOOLCHAIN=local`, `PATH=/go/bin:/usr/local/go/bin:...`, `WorkingDir /go`, user root, and
//! `GOLANG_VERSION=<tag version>` when the tag names a full version (`1.22.5`, `1.22.5-alpine`)
//! or a release series (`1.22`: the analysis then compares go lines at series precision, so
//! `go 1.23` is certainly newer and `go 1.22.3` is not judged); for `latest` it is left out.
//!
//! Not for: any other image, or overriding a config the resolver knows.

use crate::convert::reference::Reference;
use crate::golang::analyze::BaseImage;
use crate::golang::modfile::is_release_series;

const GO_PATH_ENV: &str =
    "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The config of an official Go image (`golang[:tag]`, any docker.io spelling), if the
/// reference names one.
pub fn go_image(reference: &str) -> Option<BaseImage> {
    let r = Reference::parse_normalized(reference).ok()?;
    if r.domain != "docker.io" || r.path != "library/golang" {
        return None;
    }
    let tag = r.tag.as_deref().unwrap_or("latest");
    let version = tag.split('-').next().unwrap_or("");
    let mut env = vec![("PATH".to_string(), GO_PATH_ENV.to_string())];
    if is_full_version(version) || is_release_series(version) {
        env.push(("GOLANG_VERSION".to_string(), version.to_string()));
    }
    env.push(("GOTOOLCHAIN".to_string(), "local".to_string()));
    env.push(("GOPATH".to_string(), "/go".to_string()));
    Some(BaseImage {
        env,
        user: String::new(),
        working_dir: "/go".to_string(),
    })
}

/// `1.22.5` (three numeric parts) or a full pre-release such as `1.23rc1`.
fn is_full_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    let numeric = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [a, b, c] => numeric(a) && numeric(b) && numeric(c),
        [a, b] => {
            numeric(a)
                && ["rc", "beta"].iter().any(|pre| {
                    b.split_once(pre)
                        .is_some_and(|(minor, n)| numeric(minor) && numeric(n))
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(reference: &str) -> Option<String> {
        go_image(reference)?
            .env
            .into_iter()
            .find(|(k, _)| k == "GOLANG_VERSION")
            .map(|(_, v)| v)
    }

    #[test]
    fn official_go_images_get_gopath_and_a_local_toolchain() {
        for r in [
            "golang",
            "golang:1.22",
            "golang:1.22.5-bookworm",
            "docker.io/library/golang:1.23-alpine",
            "index.docker.io/library/golang:latest",
        ] {
            let img = go_image(r).unwrap_or_else(|| panic!("{r} is a Go image"));
            assert_eq!(img.working_dir, "/go");
            assert!(img.env.contains(&("GOPATH".into(), "/go".into())), "{r}");
            assert!(
                img.env.contains(&("GOTOOLCHAIN".into(), "local".into())),
                "{r}"
            );
        }
    }

    #[test]
    fn the_version_is_known_from_a_full_version_or_release_series_tag() {
        assert_eq!(version("golang:1.22.5"), Some("1.22.5".into()));
        assert_eq!(version("golang:1.22.5-alpine3.20"), Some("1.22.5".into()));
        assert_eq!(version("golang:1.23rc1"), Some("1.23rc1".into()));
        assert_eq!(version("golang:1.22"), Some("1.22".into()));
        assert_eq!(version("golang:1.22-bookworm"), Some("1.22".into()));
        assert_eq!(version("golang:1"), None);
        assert_eq!(version("golang"), None);
    }

    #[test]
    fn other_images_are_unknown() {
        for r in [
            "busybox",
            "ghcr.io/library/golang:1.22",
            "me/golang:1.22",
            "golangci/golangci-lint",
            "::bad::",
        ] {
            assert!(go_image(r).is_none(), "{r}");
        }
    }
}
