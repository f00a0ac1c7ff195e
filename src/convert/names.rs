//! Small pure helpers shared by the dispatchers: BuildKit's `normalizePath` with its
//! trailing-slash rules (on top of Go's `path`, [`crate::gostd::path`]), progress-vertex names (`[stage 2/5] RUN ...`),
//! and the target-platform hint of cross-compiling stages.
//!
//! Not for: anything that touches ops or the image config.

use crate::gostd::path::{clean, join};
use crate::platform::Platform;

/// BuildKit client `normalizePath(parent, p, keepSlash)` used for FileOp paths.
pub fn normalize_path(parent: &str, p: &str, keep_slash: bool) -> String {
    let mut out = clean(p);
    if !out.starts_with('/') {
        out = join(&["/", parent, &out]);
    }
    if keep_slash {
        if p.ends_with('/') && !out.ends_with('/') {
            out.push('/');
        } else if p.ends_with("/.") {
            if out != "/" {
                out.push('/');
            }
            out.push('.');
        }
    }
    out
}

/// `system.NormalizePath(parent, p, "linux", false)`: absolute paths are kept as written.
pub fn normalize_system_path(parent: &str, p: &str) -> String {
    let parent = if parent.is_empty() { "/" } else { parent };
    let parent = if parent.starts_with('/') {
        parent.to_string()
    } else {
        join(&["/", parent])
    };
    let p = if p.is_empty() { parent.as_str() } else { p };
    if p.starts_with('/') {
        p.to_string()
    } else {
        join(&[&parent, p])
    }
}

/// Upper-cases the first word (`uppercaseCmd`).
pub fn uppercase_cmd(s: &str) -> String {
    match s.split_once(' ') {
        Some((first, rest)) => format!("{} {rest}", first.to_uppercase()),
        None => s.to_uppercase(),
    }
}

/// The per-stage counters of `prefixCommand`.
#[derive(Debug, Clone, Default)]
pub struct StepCounter {
    /// Display name of the stage (`""` when the Dockerfile has a single stage).
    pub stage_name: String,
    /// Number of steps counted for the stage (0 = no prefix at all).
    pub total: usize,
    /// Steps named so far.
    pub index: usize,
    /// The command being named is an ONBUILD trigger (`cmdIsOnBuild`: `ONBUILD ` after the
    /// counter).
    pub onbuild: bool,
}

impl StepCounter {
    /// `prefixCommand`: `[<platform>[->target] ][<stage> ]<i>/<n>] <text>`; advances the index.
    pub fn prefix(
        &mut self,
        text: &str,
        platform: Option<&Platform>,
        env: &[(String, String)],
    ) -> String {
        if self.total == 0 {
            return text.to_string();
        }
        let mut out = String::from("[");
        if let Some(p) = platform {
            out.push_str(&p.to_string());
            out.push_str(&target_platform_hint(p, env));
            out.push(' ');
        }
        if !self.stage_name.is_empty() {
            out.push_str(&self.stage_name);
            out.push(' ');
        }
        self.index += 1;
        let width = self.total.to_string().len();
        out.push_str(&format!("{:>width$}/{}] ", self.index, self.total));
        if self.onbuild {
            out.push_str("ONBUILD ");
        }
        out.push_str(text);
        out
    }
}

/// `formatTargetPlatform(base, platformFromEnv(env))`: `->arm64` when TARGET* args in the stage
/// env name another architecture.
fn target_platform_hint(base: &Platform, env: &[(String, String)]) -> String {
    let mut os = String::new();
    let mut arch = String::new();
    let mut variant = String::new();
    let mut set = false;
    let mut parsed: Option<Platform> = None;
    for (k, v) in env {
        match k.as_str() {
            "TARGETPLATFORM" => match Platform::parse(v) {
                Ok(p) => {
                    parsed = Some(p);
                    break;
                }
                Err(_) => continue,
            },
            "TARGETOS" => {
                os = v.clone();
                set = true;
            }
            "TARGETARCH" => {
                arch = v.clone();
                set = true;
            }
            "TARGETVARIANT" => {
                variant = v.clone();
                set = true;
            }
            _ => {}
        }
    }
    let target = match parsed {
        Some(p) => p,
        None if set => {
            if os.is_empty() {
                os = base.os.clone();
            }
            if arch.is_empty() {
                arch = base.architecture.clone();
            }
            Platform::new(&os, &arch, &variant)
        }
        None => return String::new(),
    };
    if target.os == base.os && target.architecture != base.architecture {
        let mut s = format!("->{}", target.architecture);
        if !target.variant.is_empty() {
            s.push('/');
            s.push_str(&target.variant);
        }
        s
    } else if target.os != base.os {
        format!("->{target}")
    } else {
        String::new()
    }
}

/// `summarizeHeredoc`: first line of the trimmed body, `...` when there are more.
pub fn summarize_heredoc(doc: &str) -> String {
    let doc = doc.trim().replace("\r\n", "\n");
    let mut lines = doc.split('\n');
    let first = lines.next().unwrap_or("").to_string();
    if lines.next().is_some() {
        format!("{first}...")
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_path_keeps_directory_slashes() {
        assert_eq!(normalize_path("/", "/app/", true), "/app/");
        assert_eq!(normalize_path("/", "/app/.", true), "/app/.");
        assert_eq!(normalize_path("/w", "x", false), "/w/x");
        assert_eq!(normalize_path("/", "/", true), "/");
        assert_eq!(normalize_system_path("/a", "/b/"), "/b/");
        assert_eq!(normalize_system_path("/a", "b/../c"), "/a/c");
    }

    #[test]
    fn step_prefix_pads_and_names_stages() {
        let mut c = StepCounter {
            stage_name: "build".into(),
            total: 12,
            index: 2,
            onbuild: false,
        };
        assert_eq!(c.prefix("RUN x", None, &[]), "[build  3/12] RUN x");
        let mut single = StepCounter {
            stage_name: String::new(),
            total: 3,
            index: 0,
            onbuild: false,
        };
        assert_eq!(single.prefix("FROM a", None, &[]), "[1/3] FROM a");
        let mut none = StepCounter::default();
        assert_eq!(none.prefix("FROM a", None, &[]), "FROM a");
    }

    #[test]
    fn multi_platform_prefix_shows_cross_target() {
        let mut c = StepCounter {
            stage_name: "b".into(),
            total: 2,
            index: 0,
            onbuild: false,
        };
        let env = vec![("TARGETARCH".to_string(), "arm64".to_string())];
        let p = Platform::new("linux", "amd64", "");
        assert_eq!(
            c.prefix("RUN x", Some(&p), &env),
            "[linux/amd64->arm64 b 1/2] RUN x"
        );
    }

    #[test]
    fn heredoc_summary() {
        assert_eq!(summarize_heredoc("\necho a\necho b\n"), "echo a...");
        assert_eq!(summarize_heredoc("echo a\n"), "echo a");
    }
}
