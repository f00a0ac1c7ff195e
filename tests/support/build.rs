//! Runs `docker buildx build` the way a user would, with a chosen frontend, and captures the
//! result: exit status, the whole progress log (plain or rawjson) and, on success, an OCI tarball.
//!
//! The stock frontend is selected by passing no syntax override at all; gofront by
//! `--build-arg BUILDKIT_SYNTAX=<image>` (image from `GOFRONT_IMAGE`, default `gofront:dev`).
//! Not for parsing results: see [`super::image`].

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Env var naming the gofront frontend image.
pub const GOFRONT_IMAGE_ENV: &str = "GOFRONT_IMAGE";
/// Default gofront frontend image (built by `scripts/frontend-image.sh`).
pub const GOFRONT_IMAGE_DEFAULT: &str = "gofront:dev";

/// Which Dockerfile frontend BuildKit runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frontend {
    /// BuildKit's built-in `dockerfile.v0` (no syntax override).
    Stock,
    /// A frontend image passed as `BUILDKIT_SYNTAX`.
    Image(String),
}

impl Frontend {
    /// gofront from `GOFRONT_IMAGE` (default `gofront:dev`).
    pub fn gofront() -> Frontend {
        Frontend::Image(
            std::env::var(GOFRONT_IMAGE_ENV)
                .ok()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| GOFRONT_IMAGE_DEFAULT.to_string()),
        )
    }

    /// Human label for messages.
    pub fn label(&self) -> String {
        match self {
            Frontend::Stock => "stock dockerfile.v0".to_string(),
            Frontend::Image(img) => format!("frontend {img}"),
        }
    }
}

/// Progress output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// `--progress=plain`: human readable, shows RUN output and error snippets.
    Plain,
    /// `--progress=rawjson`: one JSON document per status update (vertex digests and names).
    RawJson,
}

/// Where the built image goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Nothing exported (the build only runs).
    None,
    /// `--output type=oci,dest=<path>`.
    OciTar(PathBuf),
    /// `--load -t <tag>` into the engine's image store (for `docker run`).
    Load(String),
}

/// A secret passed with `--secret id=<id>,src=<path>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    /// Secret id.
    pub id: String,
    /// File holding the value.
    pub src: PathBuf,
}

/// One `docker buildx build` invocation.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// Frontend to use.
    pub frontend: Frontend,
    /// Build context directory.
    pub context: PathBuf,
    /// Dockerfile path (passed with `-f`).
    pub dockerfile: PathBuf,
    /// `--build-arg K=V`, in order.
    pub build_args: Vec<(String, String)>,
    /// `--target`.
    pub target: Option<String>,
    /// `--platform` (may be a comma-separated list).
    pub platform: Option<String>,
    /// `--network host` (needed for RUN steps that reach 127.0.0.1).
    pub network_host: bool,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--secret` values.
    pub secrets: Vec<Secret>,
    /// `--build-context name=value` (named contexts), in order.
    pub build_contexts: Vec<(String, String)>,
    /// Further arguments passed verbatim before the context (e.g. `--label k=v`, `--shm-size`).
    pub extra_args: Vec<String>,
    /// Progress format.
    pub progress: Progress,
    /// Export.
    pub output: Output,
    /// A remote build context (URL) replacing `context` and `dockerfile` on the command line.
    pub remote: Option<RemoteContext>,
}

/// A remote build context: `docker buildx build <url>`.
#[derive(Debug, Clone)]
pub struct RemoteContext {
    /// The git or http(s) URL passed as the context argument.
    pub url: String,
    /// `-f` value (a path inside the remote context), if any.
    pub dockerfile: Option<String>,
}

impl BuildRequest {
    /// A request with defaults: stock frontend, `<context>/Dockerfile`, plain progress, no output.
    pub fn new(context: impl Into<PathBuf>) -> BuildRequest {
        let context = context.into();
        BuildRequest {
            frontend: Frontend::Stock,
            dockerfile: context.join("Dockerfile"),
            context,
            build_args: Vec::new(),
            target: None,
            platform: None,
            network_host: false,
            no_cache: false,
            secrets: Vec::new(),
            build_contexts: Vec::new(),
            extra_args: Vec::new(),
            progress: Progress::Plain,
            output: Output::None,
            remote: None,
        }
    }

    /// The command-line arguments after `docker`.
    pub fn args(&self) -> Vec<String> {
        let mut args: Vec<String> = vec!["buildx".into(), "build".into()];
        let progress = match self.progress {
            Progress::Plain => "plain",
            Progress::RawJson => "rawjson",
        };
        args.push(format!("--progress={progress}"));
        args.push("--provenance=false".into());
        match &self.remote {
            None => {
                args.push("-f".into());
                args.push(self.dockerfile.display().to_string());
            }
            Some(RemoteContext {
                dockerfile: Some(f),
                ..
            }) => {
                args.push("-f".into());
                args.push(f.clone());
            }
            Some(_) => {}
        }
        if let Frontend::Image(img) = &self.frontend {
            args.push("--build-arg".into());
            args.push(format!("BUILDKIT_SYNTAX={img}"));
        }
        for (k, v) in &self.build_args {
            args.push("--build-arg".into());
            args.push(format!("{k}={v}"));
        }
        if let Some(t) = &self.target {
            args.push("--target".into());
            args.push(t.clone());
        }
        if let Some(p) = &self.platform {
            args.push("--platform".into());
            args.push(p.clone());
        }
        if self.network_host {
            args.push("--network".into());
            args.push("host".into());
        }
        if self.no_cache {
            args.push("--no-cache".into());
        }
        for s in &self.secrets {
            args.push("--secret".into());
            args.push(format!("id={},src={}", s.id, s.src.display()));
        }
        for (name, value) in &self.build_contexts {
            args.push("--build-context".into());
            args.push(format!("{name}={value}"));
        }
        args.extend(self.extra_args.iter().cloned());
        match &self.output {
            Output::None => {}
            Output::OciTar(dest) => {
                args.push("--output".into());
                args.push(format!("type=oci,dest={}", dest.display()));
            }
            Output::Load(tag) => {
                args.push("--load".into());
                args.push("-t".into());
                args.push(tag.clone());
            }
        }
        match &self.remote {
            Some(r) => args.push(r.url.clone()),
            None => args.push(self.context.display().to_string()),
        }
        args
    }

    /// Runs the build and captures everything. Errors only when `docker` cannot be started.
    pub fn run(&self) -> Result<BuildOutcome, String> {
        let args = self.args();
        let started = Instant::now();
        let out = Command::new("docker")
            .args(&args)
            .env("DOCKER_BUILDKIT", "1")
            .env("BUILDX_NO_DEFAULT_ATTESTATIONS", "1")
            .output()
            .map_err(|e| format!("cannot run docker: {e}"))?;
        let mut log = String::from_utf8_lossy(&out.stderr).into_owned();
        log.push_str(&String::from_utf8_lossy(&out.stdout));
        Ok(BuildOutcome {
            success: out.status.success(),
            command: format!("docker {}", shell_join(&args)),
            log,
            elapsed: started.elapsed(),
        })
    }
}

/// What one build produced.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    /// Exit status was 0.
    pub success: bool,
    /// The command line, for messages.
    pub command: String,
    /// stderr followed by stdout (progress goes to stderr).
    pub log: String,
    /// Wall time.
    pub elapsed: Duration,
}

impl BuildOutcome {
    /// The last `n` lines of the log, for failure messages. For a rawjson log only the text
    /// after the JSON stream counts (buildx's error snippet and `ERROR:` line).
    pub fn tail(&self, n: usize) -> String {
        let text = match self.log.rfind("\n}\n") {
            Some(end) => &self.log[end + 3..],
            None => self.log.as_str(),
        };
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(n);
        lines[start..].join("\n")
    }

    /// The final `ERROR: ...` line(s) of a failed build.
    pub fn error_lines(&self) -> Vec<String> {
        self.log
            .lines()
            .filter(|l| l.starts_with("ERROR:") || l.contains("ERROR: failed to solve"))
            .map(str::to_string)
            .collect()
    }

    /// Dockerfile line numbers the error output points at: the `>>>` marked lines of the
    /// source snippet buildx prints, and `... on line N` in the message.
    pub fn error_dockerfile_lines(&self) -> Vec<u32> {
        let mut lines = Vec::new();
        for l in self.log.lines() {
            // Snippet rows look like "   3 | >>> COPY nope /b".
            if let Some((num, rest)) = l.split_once(" | ") {
                if rest.starts_with(">>>") {
                    if let Ok(n) = num.trim().parse::<u32>() {
                        lines.push(n);
                    }
                }
            }
            let mut rest = l;
            while let Some(pos) = rest.find("on line ") {
                rest = &rest[pos + "on line ".len()..];
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(n) = digits.parse::<u32>() {
                    lines.push(n);
                }
            }
        }
        lines.sort_unstable();
        lines.dedup();
        lines
    }
}

/// Quotes arguments for display only.
fn shell_join(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_=./:,@".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `docker <args>` and returns stdout, or an error with stderr.
pub fn docker(args: &[&str]) -> Result<String, String> {
    let out = Command::new("docker")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run docker: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "docker {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ))
    }
}

/// A directory that is removed on drop, under the system temp dir.
pub fn scratch_dir(prefix: &str) -> tempfile::TempDir {
    match tempfile::Builder::new().prefix(prefix).tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot create a temporary directory: {e}"),
    }
}

/// `path` relative to `base` for display.
pub fn display_rel(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}
