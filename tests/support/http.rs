//! A static HTTP file server on 127.0.0.1 for `ADD <url>` cases: BuildKit downloads URLs in the
//! daemon, which runs on this host, so a loopback server is reachable without any network.
//! Started per test on a free port and killed (by the child handle we own) when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `python3 -m http.server` (stopped on drop).
pub struct StaticServer {
    child: Child,
    port: u16,
}

impl StaticServer {
    /// Serves `dir` on a free port of 127.0.0.1 and waits until it answers.
    pub fn start(dir: &Path) -> Result<StaticServer, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))?;
        let child = Command::new("python3")
            .args(["-m", "http.server", "--bind", "127.0.0.1"])
            .arg("--directory")
            .arg(dir)
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start python3 http.server: {e}"))?;
        let server = StaticServer { child, port };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("http server on 127.0.0.1:{port} did not start"))
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
