//! The test bed's local Go module proxy, started for one test and stopped when dropped, with
//! request counting (which module files a build downloaded).
//!
//! The proxy tree is built by the test bed (`scripts/test.sh`, see `docs/testbed.md`); it is
//! served by `scripts/testbed/goproxy-serve.sh` on 127.0.0.1. Each [`GoProxy`] gets its own port
//! and its own access log, so concurrent tests never see each other's requests. Not for building
//! the tree itself.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A running proxy (stopped on drop).
pub struct GoProxy {
    port: u16,
    log: PathBuf,
    /// Access-log lines present before this proxy started (the log is appended across runs).
    mark: usize,
    script: PathBuf,
}

/// Counted requests from the access log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Requests {
    /// Every request path, in order.
    pub paths: Vec<String>,
}

impl Requests {
    /// Requests whose path ends with `suffix` (e.g. `.zip`).
    pub fn ending_with(&self, suffix: &str) -> Vec<&str> {
        self.paths
            .iter()
            .filter(|p| p.ends_with(suffix))
            .map(String::as_str)
            .collect()
    }

    /// Whether a module zip was downloaded for a module path (e.g. `github.com/google/uuid`).
    pub fn downloaded_zip(&self, module: &str) -> bool {
        let prefix = format!("/{module}/@v/");
        self.paths
            .iter()
            .any(|p| p.starts_with(&prefix) && p.ends_with(".zip"))
    }
}

/// A free TCP port on 127.0.0.1 (bound then released).
fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("local_addr: {e}"))
}

impl GoProxy {
    /// Starts the proxy with `scripts/testbed/goproxy-serve.sh start <port>` on a free port.
    pub fn start() -> Result<GoProxy, String> {
        GoProxy::start_serving(None, None)
    }

    /// Starts the proxy serving `tree` (default: the test bed's tree) on `port` (default: a free
    /// one). A fixed port keeps `GOPROXY=http://127.0.0.1:<port>` (and so the cache keys of the
    /// steps that see it) stable across runs; a port that is taken is an error.
    pub fn start_serving(tree: Option<&Path>, port: Option<u16>) -> Result<GoProxy, String> {
        let script = super::repo_root().join("scripts/testbed/goproxy-serve.sh");
        if !script.is_file() {
            return Err(format!(
                "{} missing: merge the test bed (branch testbed) and run scripts/test.sh",
                script.display()
            ));
        }
        let port = match port {
            Some(p) => p,
            None => free_port()?,
        };
        let log =
            PathBuf::from(run_script(&script, &["log-path", &port.to_string()], None)?.trim());
        let mark = std::fs::read_to_string(&log)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        run_script(&script, &["start", &port.to_string()], tree)?;
        let proxy = GoProxy {
            port,
            log,
            mark,
            script,
        };
        proxy.wait_ready(Duration::from_secs(10))?;
        Ok(proxy)
    }

    fn wait_ready(&self, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("go proxy not listening on 127.0.0.1:{}", self.port))
    }

    /// `http://127.0.0.1:<port>` (the GOPROXY value for builds with `--network host`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Access log path.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Access-log lines so far (a mark for [`GoProxy::requests_since`]).
    pub fn mark(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }

    /// Requests logged after `mark` (from [`GoProxy::mark`]).
    pub fn requests_since(&self, mark: usize) -> Requests {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        Requests {
            paths: text.lines().skip(mark).filter_map(request_path).collect(),
        }
    }

    /// All requests logged so far.
    pub fn requests(&self) -> Requests {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        Requests {
            paths: text
                .lines()
                .skip(self.mark)
                .filter_map(request_path)
                .collect(),
        }
    }
}

/// The request path of one common-log-format line (`... "GET /x HTTP/1.1" 200 -`), with the
/// `%21` case-encoding escape decoded.
fn request_path(line: &str) -> Option<String> {
    let start = line.find("\"GET ")? + "\"GET ".len();
    let rest = line.get(start..)?;
    let end = rest.find(' ')?;
    Some(rest.get(..end)?.replace("%21", "!"))
}

/// A suite's base proxy port: the number in the environment variable `env`, else `default`.
pub fn port_from_env(env: &str, default: u16) -> u16 {
    std::env::var(env)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The test bed's proxy tree served on `port_from_env(env, default) + offset` (each test of a
/// suite its own offset); panics when the proxy cannot start.
pub fn serve_testbed(env: &str, default: u16, offset: u16) -> GoProxy {
    GoProxy::start_serving(
        Some(&testbed_tree()),
        Some(port_from_env(env, default) + offset),
    )
    .unwrap_or_else(|e| panic!("cannot start the module proxy: {e}"))
}

/// The test bed's proxy tree (what `goproxy-serve.sh` serves by default).
pub fn testbed_tree() -> PathBuf {
    if let Some(dir) = std::env::var_os("GOFRONT_GOPROXY_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("GOFRONT_TESTBED_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/gofront-testbed"));
    cache.join("goproxy")
}

/// Runs the test bed's proxy script (serving `tree` when given) and returns its stdout.
fn run_script(script: &Path, args: &[&str], tree: Option<&Path>) -> Result<String, String> {
    let mut cmd = Command::new("bash");
    cmd.arg(script).args(args);
    if let Some(tree) = tree {
        cmd.env("GOFRONT_GOPROXY_DIR", tree);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "goproxy-serve.sh {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ))
    }
}

impl Drop for GoProxy {
    fn drop(&mut self) {
        let _ = run_script(&self.script, &["stop", &self.port.to_string()], None);
    }
}

#[cfg(test)]
mod tests {
    use super::request_path;

    #[test]
    fn parses_common_log_lines() {
        let line = r#"127.0.0.1 - - [21/Nov/2026 12:00:00] "GET /github.com/%21burnt%21sushi/toml/@v/v1.2.0.zip HTTP/1.1" 200 -"#;
        assert_eq!(
            request_path(line).as_deref(),
            Some("/github.com/!burnt!sushi/toml/@v/v1.2.0.zip")
        );
        assert_eq!(request_path("garbage"), None);
    }
}
