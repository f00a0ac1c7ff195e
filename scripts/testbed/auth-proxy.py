#!/usr/bin/env python3
"""An HTTPS endpoint on 127.0.0.1 that serves one private Go module, only with HTTP basic auth.

Usage: auth-proxy.py start|stop|status|netrc|ca-path|serve [--port 3132]

The module `github.com/gofront-private/secretmod` v0.1.0 (package secretmod, func Secret() string) is
served two ways, both behind basic auth (401 without the right `Authorization` header), over TLS with
a self-signed certificate for 127.0.0.1 (`ca-path` prints it; clients trust it with SSL_CERT_FILE for
go, GIT_SSL_CAINFO for git). TLS is needed because the go command never sends credentials (.netrc or
URL user info) over plain http.

* GOPROXY protocol at `/` (deterministic zip, same go.sum hashes on every machine); other modules get
  404 so a list like `https://127.0.0.1:3132,http://127.0.0.1:3131` falls through to the public proxy.
  Credentials come from .netrc: the go command looks up `machine 127.0.0.1:PORT` (host with port),
  git/curl look up `machine 127.0.0.1`; `netrc` prints both lines.
* git smart HTTP at `/git/gofront-private/secretmod.git` (`git http-backend`, read-only), for
  GOPRIVATE + git with .netrc: clients map the module with
  `git config url.https://127.0.0.1:3132/git/gofront-private/.insteadOf https://github.com/gofront-private/`
  and set GOPRIVATE=github.com/gofront-private/* (nothing contacts github.com).

Credentials: user `gofront`, password from $GOFRONT_AUTH_PROXY_PASSWORD (default `testbed-secret`).
`netrc` prints the matching .netrc lines; `start` also writes them to
$GOFRONT_TESTBED_CACHE/auth-proxy/netrc-PORT (for `docker buildx build --secret id=netrc,src=...`).
State in $GOFRONT_TESTBED_CACHE/auth-proxy-PORT.{pid,log}; the log has one line per request with the
path and status, never the credentials.
"""

import argparse
import base64
import hmac
import http.server
import io
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import zipfile

MODULE = "github.com/gofront-private/secretmod"
VERSION = "v0.1.0"
USER = "gofront"
CACHE = os.environ.get("GOFRONT_TESTBED_CACHE", "/var/cache/gofront-testbed")

GO_MOD = f"module {MODULE}\n\ngo 1.22\n"
GO_SRC = """// Package secretmod is the private module of the gofront test bed (served with basic auth).
package secretmod

// Secret returns the greeting of the private module.
func Secret() string { return "secretmod v0.1.0 from the authenticated proxy" }
"""


def password():
    return os.environ.get("GOFRONT_AUTH_PROXY_PASSWORD", "testbed-secret")


def module_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("go.mod", GO_MOD), ("secretmod.go", GO_SRC)):
            info = zipfile.ZipInfo(f"{MODULE}@{VERSION}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def make_repo(root):
    """Bare repo ROOT/gofront-private/secretmod.git with the module at tag v0.1.0 (fixed dates)."""
    repo = os.path.join(root, "gofront-private", "secretmod.git")
    if os.path.isdir(repo):
        return
    src = repo + ".src"
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    for name, data in (("go.mod", GO_MOD), ("secretmod.go", GO_SRC)):
        with open(os.path.join(src, name), "w", encoding="utf-8") as f:
            f.write(data)
    env = dict(os.environ, GIT_AUTHOR_DATE="2024-01-01T00:00:00Z", GIT_COMMITTER_DATE="2024-01-01T00:00:00Z",
               GIT_AUTHOR_NAME="testbed", GIT_AUTHOR_EMAIL="testbed@localhost",
               GIT_COMMITTER_NAME="testbed", GIT_COMMITTER_EMAIL="testbed@localhost")
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "secretmod"],
                ["tag", VERSION]):
        subprocess.run(["git", "-C", src] + cmd, check=True, env=env)
    subprocess.run(["git", "clone", "-q", "--bare", src, repo], check=True, env=env)
    shutil.rmtree(src)


def routes():
    info = json.dumps({"Version": VERSION, "Time": "2024-01-01T00:00:00Z"}).encode() + b"\n"
    base = "/" + MODULE  # no upper-case letters: the escaped path is the path
    return {
        f"{base}/@v/list": (b"%s\n" % VERSION.encode(), "text/plain"),
        f"{base}/@latest": (info, "application/json"),
        f"{base}/@v/{VERSION}.info": (info, "application/json"),
        f"{base}/@v/{VERSION}.mod": (GO_MOD.encode(), "text/plain"),
        f"{base}/@v/{VERSION}.zip": (module_zip(), "application/zip"),
    }


class Handler(http.server.BaseHTTPRequestHandler):
    files = {}
    expected = ""
    git_root = ""

    def authorized(self):
        got = self.headers.get("Authorization", "")
        return hmac.compare_digest(got.encode(), self.expected.encode())

    def deny(self):
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="gofront-testbed"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):  # noqa: N802
        if not self.authorized():
            self.deny()
            return
        if not self.path.startswith("/git/"):
            self.send_error(405)
            return
        self.git_backend()

    def git_backend(self):
        """Runs `git http-backend` as a CGI program for /git/... (read-only: upload-pack only)."""
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.git_root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path[len("/git"):],
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": USER,
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "http.receivepack", "GIT_CONFIG_VALUE_0": "false",
            "GIT_CONFIG_KEY_1": "safe.directory", "GIT_CONFIG_VALUE_1": "*",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = out.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):  # noqa: N802 (http.server naming)
        path = self.path.split("?", 1)[0]
        if not self.authorized():
            self.deny()
            return
        if path.startswith("/git/"):
            self.git_backend()
            return
        hit = self.files.get(path)
        if hit is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, ctype = hit
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):  # one line per request, no headers (no credentials)
        sys.stderr.write("%s - - [%s] %s\n" % (self.address_string(), self.log_date_time_string(), fmt % args))
        sys.stderr.flush()


def tls_files():
    """Self-signed certificate and key for 127.0.0.1/localhost (made once with openssl)."""
    d = os.path.join(CACHE, "auth-proxy")
    crt, key = os.path.join(d, "tls.crt"), os.path.join(d, "tls.key")
    if not (os.path.exists(crt) and os.path.exists(key)):
        os.makedirs(d, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
                        "-subj", "/CN=gofront-testbed", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", key, "-out", crt], check=True, capture_output=True)
        os.chmod(key, 0o600)
        os.chmod(crt, 0o644)
    return crt, key


def netrc_text(port):
    # The go command matches `host:port` (its request's Host); git/curl match the bare host.
    return (f"machine 127.0.0.1:{port} login {USER} password {password()}\n"
            f"machine 127.0.0.1 login {USER} password {password()}\n")


def netrc_path(port):
    """A ready .netrc for the endpoint (written by start; for `--secret id=netrc,src=...`)."""
    return os.path.join(CACHE, "auth-proxy", f"netrc-{port}")


def paths(port):
    return os.path.join(CACHE, f"auth-proxy-{port}.pid"), os.path.join(CACHE, f"auth-proxy-{port}.log")


def alive(pidfile):
    try:
        with open(pidfile, encoding="utf-8") as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def serve(port):
    Handler.files = routes()
    Handler.git_root = os.path.join(CACHE, "auth-proxy", "repos")
    make_repo(Handler.git_root)
    token = base64.b64encode(f"{USER}:{password()}".encode()).decode()
    Handler.expected = f"Basic {token}"
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*tls_files())
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv.serve_forever()


def start(port):
    pidfile, logfile = paths(port)
    pid = alive(pidfile)
    if pid:
        print(f"auth proxy already running on 127.0.0.1:{port} (pid {pid})", file=sys.stderr)
        return 0
    if answers(port):
        print(f"port {port} on 127.0.0.1 is taken by another process", file=sys.stderr)
        return 1
    os.makedirs(CACHE, exist_ok=True)
    tls_files()
    with open(netrc_path(port), "w", encoding="utf-8") as f:
        os.chmod(netrc_path(port), 0o600)
        f.write(netrc_text(port))
    with open(logfile, "ab") as log, open(os.devnull, "rb") as null:
        proc = subprocess.Popen([sys.executable, "-u", os.path.abspath(__file__), "serve", "--port", str(port)],
                                stdin=null, stdout=log, stderr=log, start_new_session=True)
    with open(pidfile, "w", encoding="utf-8") as f:
        f.write(f"{proc.pid}\n")
    for _ in range(50):
        if answers(port):
            print(f"auth proxy for {MODULE} on https://127.0.0.1:{port} (pid {proc.pid}, log {logfile})",
                  file=sys.stderr)
            return 0
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    print(f"auth proxy did not start; see {logfile}", file=sys.stderr)
    return 1


def stop(port):
    pidfile, _ = paths(port)
    pid = alive(pidfile)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if not alive(pidfile):
                break
            time.sleep(0.1)
        print(f"stopped auth proxy (pid {pid})", file=sys.stderr)
    else:
        print("auth proxy not running", file=sys.stderr)
    if os.path.exists(pidfile):
        os.remove(pidfile)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["start", "stop", "status", "netrc", "ca-path", "serve"])
    ap.add_argument("--port", type=int, default=int(os.environ.get("GOFRONT_AUTH_PROXY_PORT", "3132")))
    a = ap.parse_args()
    if a.command == "serve":
        serve(a.port)
        return 0
    if a.command == "start":
        return start(a.port)
    if a.command == "stop":
        return stop(a.port)
    if a.command == "ca-path":
        print(tls_files()[0])
        return 0
    if a.command == "netrc":
        sys.stdout.write(netrc_text(a.port))
        return 0
    pid = alive(paths(a.port)[0])
    if pid:
        print(f"running on https://127.0.0.1:{a.port} (pid {pid}), module {MODULE} {VERSION}, CA {tls_files()[0]}")
        return 0
    print(f"not running (port {a.port})")
    return 3


if __name__ == "__main__":
    sys.exit(main())
