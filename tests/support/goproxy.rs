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
        let script = super::repo_root().join("scripts/testbed/goproxy-serve.sh");
        if !script.is_file() {
            return Err(format!(
                "{} missing: merge the test bed (branch testbed) and run scripts/test.sh",
                script.display()
            ));
        }
        let port = free_port()?;
        let log = PathBuf::from(run_script(&script, &["log-path", &port.to_string()])?.trim());
        let mark = std::fs::read_to_string(&log)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        run_script(&script, &["start", &port.to_string()])?;
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

/// Runs the test bed's proxy script and returns its stdout.
fn run_script(script: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("bash")
        .arg(script)
        .args(args)
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
        let _ = run_script(&self.script, &["stop", &self.port.to_string()]);
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
