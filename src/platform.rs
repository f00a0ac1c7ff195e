//! OCI platforms (`linux/amd64`, `linux/arm/v7`): parsing, normalisation and formatting the way
//! BuildKit's `platforms` package does it. Shared by options, conversion and the gateway.
//!
//! Not for: anything about workers or emulation.

use std::fmt;

/// An OCI platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Platform {
    /// Operating system, e.g. `linux`.
    pub os: String,
    /// CPU architecture in GOARCH spelling, e.g. `amd64`, `arm64`, `arm`.
    pub architecture: String,
    /// Variant, e.g. `v7` (empty when none).
    pub variant: String,
    /// OS version (Windows only; empty otherwise).
    pub os_version: String,
}

/// A platform string that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to parse platform {input:?}: {reason}")]
pub struct PlatformError {
    /// What was given.
    pub input: String,
    /// Why it was refused.
    pub reason: String,
}

impl Platform {
    /// Builds a normalised platform from parts.
    pub fn new(os: &str, architecture: &str, variant: &str) -> Self {
        let (architecture, variant) = normalize_arch(architecture, variant);
        Platform {
            os: os.to_ascii_lowercase(),
            architecture,
            variant,
            os_version: String::new(),
        }
    }

    /// Parses `os/arch[/variant]` (or a bare `arch`, assumed linux) and normalises it like
    /// containerd (`x86_64`→`amd64`, `aarch64`→`arm64`, `arm64/v8`→`arm64`, `arm`→`arm/v7`).
    pub fn parse(spec: &str) -> Result<Self, PlatformError> {
        let err = |reason: &str| PlatformError {
            input: spec.to_string(),
            reason: reason.to_string(),
        };
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(err("empty platform"));
        }
        let parts: Vec<&str> = spec.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) || parts.len() > 3 {
            return Err(err("expected os/arch[/variant]"));
        }
        let valid = |p: &str| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        };
        if !parts.iter().all(|p| valid(p)) {
            return Err(err("invalid characters"));
        }
        match parts.as_slice() {
            [single] => {
                let lower = single.to_ascii_lowercase();
                if is_known_os(&lower) {
                    Ok(Platform::new(&lower, std::env::consts::ARCH, ""))
                } else {
                    Ok(Platform::new("linux", &lower, ""))
                }
            }
            [os, arch] => Ok(Platform::new(os, &arch.to_ascii_lowercase(), "")),
            [os, arch, variant] => Ok(Platform::new(
                os,
                &arch.to_ascii_lowercase(),
                &variant.to_ascii_lowercase(),
            )),
            _ => Err(err("expected os/arch[/variant]")),
        }
    }

    /// The platform this process runs on (linux plus the host architecture).
    pub fn host() -> Self {
        Platform::new("linux", std::env::consts::ARCH, "")
    }

    /// The go tool's settings that compile for this platform: GOOS, GOARCH, and the variant as
    /// GOARM (`arm/v5`..`v7` → `5`..`7`) or GOAMD64 (`amd64/v2`..`v4`). Other variants (arm64's
    /// `v8.x`, unknown ones) leave the go tool's default.
    pub fn go_env(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("GOOS".to_string(), self.os.clone()),
            ("GOARCH".to_string(), self.architecture.clone()),
        ];
        match (self.architecture.as_str(), self.variant.as_str()) {
            ("arm", v @ ("v5" | "v6" | "v7")) => {
                out.push(("GOARM".to_string(), v.trim_start_matches('v').to_string()))
            }
            ("amd64", v @ ("v2" | "v3" | "v4")) => out.push(("GOAMD64".to_string(), v.to_string())),
            _ => {}
        }
        out
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        Ok(())
    }
}

fn is_known_os(s: &str) -> bool {
    matches!(
        s,
        "linux" | "windows" | "darwin" | "freebsd" | "netbsd" | "openbsd" | "solaris" | "illumos"
    )
}

fn normalize_arch(arch: &str, variant: &str) -> (String, String) {
    let arch = arch.to_ascii_lowercase();
    let variant = variant.to_ascii_lowercase();
    match arch.as_str() {
        "i386" | "386" => ("386".into(), String::new()),
        "x86_64" | "x86-64" | "amd64" => {
            let v = if variant == "v1" {
                String::new()
            } else {
                variant
            };
            ("amd64".into(), v)
        }
        "aarch64" | "arm64" => {
            let v = if variant == "8" || variant == "v8" {
                String::new()
            } else {
                variant
            };
            ("arm64".into(), v)
        }
        "armhf" => ("arm".into(), "v7".into()),
        "armel" => ("arm".into(), "v6".into()),
        "arm" => {
            let v = match variant.as_str() {
                "" | "7" => "v7".to_string(),
                "5" | "6" | "8" => format!("v{variant}"),
                _ => variant,
            };
            ("arm".into(), v)
        }
        _ => (arch, variant),
    }
}

/// `platforms.FormatAll`: `os/arch[/variant]`, then `(osversion)` when there is one.
pub fn format_all(p: &Platform) -> String {
    if p.os_version.is_empty() {
        p.to_string()
    } else {
        format!("{p}({})", p.os_version)
    }
}

/// The automatic args every Dockerfile sees, in the order of `defaultArgs` (Dockerfile 1.13+):
/// `BUILDPLATFORM`, `BUILDOS`, `BUILDOSVERSION`, `BUILDARCH`, `BUILDVARIANT`, `TARGETPLATFORM`
/// (with `(osversion)`), `TARGETOS`, `TARGETOSVERSION`, `TARGETARCH`, `TARGETVARIANT`, and
/// `TARGETSTAGE` (1.11: the target stage's name, `default` for an unnamed one), for the build
/// platform `build`, the target platform `target` and the target stage name `stage`.
pub fn automatic_args(
    build: &Platform,
    target: &Platform,
    stage: &str,
) -> [(&'static str, String); 11] {
    [
        ("BUILDPLATFORM", build.to_string()),
        ("BUILDOS", build.os.clone()),
        ("BUILDOSVERSION", build.os_version.clone()),
        ("BUILDARCH", build.architecture.clone()),
        ("BUILDVARIANT", build.variant.clone()),
        ("TARGETPLATFORM", format_all(target)),
        ("TARGETOS", target.os.clone()),
        ("TARGETOSVERSION", target.os_version.clone()),
        ("TARGETARCH", target.architecture.clone()),
        ("TARGETVARIANT", target.variant.clone()),
        (
            "TARGETSTAGE",
            if stage.is_empty() { "default" } else { stage }.to_string(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_common_spellings() {
        assert_eq!(
            Platform::parse("linux/x86_64").unwrap().to_string(),
            "linux/amd64"
        );
        assert_eq!(
            Platform::parse("linux/aarch64").unwrap().to_string(),
            "linux/arm64"
        );
        assert_eq!(
            Platform::parse("linux/arm64/v8").unwrap().to_string(),
            "linux/arm64"
        );
        assert_eq!(
            Platform::parse("linux/arm").unwrap().to_string(),
            "linux/arm/v7"
        );
        assert_eq!(Platform::parse("arm64").unwrap().to_string(), "linux/arm64");
    }

    #[test]
    fn rejects_garbage() {
        assert!(Platform::parse("").is_err());
        assert!(Platform::parse("linux//amd64").is_err());
        assert!(Platform::parse("a/b/c/d").is_err());
        assert!(Platform::parse("linux/am d64").is_err());
    }

    #[test]
    fn go_env_names_the_variant_as_go_spells_it() {
        let env = |p: &str| match Platform::parse(p) {
            Ok(p) => p.go_env(),
            Err(e) => panic!("{e}"),
        };
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            env("linux/arm64"),
            pairs(&[("GOOS", "linux"), ("GOARCH", "arm64")])
        );
        assert_eq!(
            env("linux/arm/v6"),
            pairs(&[("GOOS", "linux"), ("GOARCH", "arm"), ("GOARM", "6")])
        );
        assert_eq!(
            env("linux/arm"),
            pairs(&[("GOOS", "linux"), ("GOARCH", "arm"), ("GOARM", "7")])
        );
        assert_eq!(
            env("linux/amd64/v3"),
            pairs(&[("GOOS", "linux"), ("GOARCH", "amd64"), ("GOAMD64", "v3")])
        );
        assert_eq!(
            env("linux/386"),
            pairs(&[("GOOS", "linux"), ("GOARCH", "386")])
        );
        assert_eq!(
            env("linux/riscv64"),
            pairs(&[("GOOS", "linux"), ("GOARCH", "riscv64")])
        );
    }
}
