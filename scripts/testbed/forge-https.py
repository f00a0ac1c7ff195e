#!/usr/bin/env python3
"""The HTTPS side of the test bed's private forge (git.gofront.test on 127.0.0.2:443).

Usage (forge.sh drives it; standard library only):
  forge-https.py sums [--src DIR]                        go.sum lines of the forge's modules
  forge-https.py build-proxy --src DIR --out DIR --gosum FILE
                                                         GOPROXY tree (zip, mod, info, list, latest)
  forge-https.py bindcheck ADDR PORT                     exit 0 if ADDR:PORT can be bound, 1 if taken
  forge-https.py listeners PID...                        the TCP addresses these processes listen on
                                                         (/proc/net/tcp{,6}: what `ss -ltnp` shows)
  forge-https.py serve --state DIR [--addr 127.0.0.2] [--port 443] [--host git.gofront.test]

What `serve` answers (TLS with STATE/tls/server.{crt,key}, signed by the test bed's private CA):
  GET /team/<repo>[/...]?go-get=1   go-import meta tag `HOST/team/<repo> git https://HOST/team/<repo>.git`,
                                    WITHOUT authentication, like GitLab and Gitea (the go command looks
                                    it up before it knows whether git will use https or ssh)
  /team/<repo>.git/...              git smart HTTP, read-only (`git http-backend` as CGI; receive-pack
                                    answers 403)                                   [auth]
  /goproxy/<module>/@v/...          the GOPROXY protocol from STATE/goproxy       [auth]
  anything else                     404                                            [auth]

[auth] = 401 with `WWW-Authenticate: Basic realm="git.gofront.test"` unless the request carries one of
  Authorization: Basic base64(gofront:<password>)       .netrc `machine HOST login gofront password ...`
  Authorization: Basic base64(<any user>:<token>)       GitHub's rule; BuildKit's git source sends
                                                        `basic base64(x-access-token:<token>)` for the
                                                        GIT_AUTH_TOKEN secret (scheme matched
                                                        case-insensitively)
  Authorization: Bearer <token>                         e.g. a GOAUTH command's header
The password and token are read from STATE/secrets/{password,token} at start.

The access log (stderr) has one line per request: client, time, method, path, status and which kind
of credential was accepted (auth=password|token|bearer; auth=none: no Authorization header;
auth=rejected: a wrong one). Query strings other than `go-get=1` and `service=git-upload-pack` are
not logged, and never a header, user name or credential.
"""

import argparse
import base64
import errno
import hashlib
import hmac
import http.server
import io
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import zipfile

VERSION = "v0.1.0"
TIME = "2024-01-01T00:00:00Z"  # the commit date of the git tags too
USER = "gofront"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SRC = os.path.join(HERE, "forge", "modules")
SAFE_QUERIES = {"go-get=1", "service=git-upload-pack"}


# --- modules, zips and go.sum hashes ---------------------------------------------------------------

def modules(src):
    """[(module path, [(relative file name, bytes)])] for each directory of SRC, sorted."""
    out = []
    for name in sorted(os.listdir(src)):
        root = os.path.join(src, name)
        if not os.path.isdir(root):
            continue
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for f in sorted(filenames):
                full = os.path.join(dirpath, f)
                with open(full, "rb") as fh:
                    files.append((os.path.relpath(full, root).replace(os.sep, "/"), fh.read()))
        gomod = dict(files).get("go.mod", b"").decode()
        path = next((ln.split()[1] for ln in gomod.splitlines() if ln.startswith("module ")), None)
        if not path:
            raise SystemExit(f"{root}/go.mod has no module line")
        out.append((path, sorted(files)))
    return out


def hash1(files):
    """golang.org/x/mod/sumdb/dirhash.Hash1 over [(name, bytes)]."""
    summary = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files))
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


def gosum_lines(src):
    lines = []
    for path, files in modules(src):
        prefix = f"{path}@{VERSION}/"
        lines.append(f"{path} {VERSION} {hash1([(prefix + n, d) for n, d in files])}")
        lines.append(f"{path} {VERSION}/go.mod {hash1([('go.mod', dict(files)['go.mod'])])}")
    return lines


def module_zip(path, files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            info = zipfile.ZipInfo(f"{path}@{VERSION}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def build_proxy(src, out, gosum):
    info = json.dumps({"Version": VERSION, "Time": TIME}).encode() + b"\n"
    for path, files in modules(src):
        base = os.path.join(out, path)  # lower-case paths: the escaped path is the path
        write(os.path.join(base, "@v", "list"), VERSION.encode() + b"\n")
        write(os.path.join(base, "@latest"), info)
        write(os.path.join(base, "@v", VERSION + ".info"), info)
        write(os.path.join(base, "@v", VERSION + ".mod"), dict(files)["go.mod"])
        write(os.path.join(base, "@v", VERSION + ".zip"), module_zip(path, files))
    write(gosum, ("\n".join(gosum_lines(src)) + "\n").encode())


# --- the server -----------------------------------------------------------------------------------

class Forge(http.server.BaseHTTPRequestHandler):
    server_version = "gofront-forge"
    sys_version = ""
    timeout = 60
    state = ""
    host = ""
    password = ""
    token = ""

    # One access-log line per answer; nothing from the request but method and (filtered) path.
    log_path = "-"
    auth_kind = "none"

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        sys.stderr.write(f"{self.client_address[0]} [{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}] "
                         f"{self.command} {self.log_path} {code} auth={self.auth_kind}\n")
        sys.stderr.flush()

    def log_message(self, fmt, *args):  # http.server's own messages may quote the request line
        pass

    def reply(self, status, body=b"", ctype="text/plain; charset=utf-8", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server naming)
        self.route()

    def do_POST(self):  # noqa: N802
        self.route()

    def do_HEAD(self):  # noqa: N802
        self.route()

    def credential(self):
        """Which accepted credential the request carries: 'password', 'token', 'bearer' or None."""
        scheme, _, value = self.headers.get("Authorization", "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            return "bearer" if self.token and hmac.compare_digest(value.encode(), self.token.encode()) else None
        if scheme.lower() != "basic":
            return None
        try:
            user, _, secret = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        if user == USER and hmac.compare_digest(secret.encode(), self.password.encode()):
            return "password"
        if self.token and hmac.compare_digest(secret.encode(), self.token.encode()):
            return "token"
        return None

    def route(self):
        path, _, query = self.path.partition("?")
        self.log_path = path + ("?" + query if query in SAFE_QUERIES else ("?..." if query else ""))
        if ".." in path.split("/") or "\\" in path:
            self.reply(400)
            return
        if "go-get=1" in query.split("&") and self.command in ("GET", "HEAD"):
            self.go_get(path)
            return
        kind = self.credential()
        if kind is None:
            self.auth_kind = "rejected" if self.headers.get("Authorization") else "none"
            self.reply(401, b"authentication required\n",
                       headers=[("WWW-Authenticate", f'Basic realm="{self.host}"')])
            return
        self.auth_kind = kind
        if path.startswith("/goproxy/") and self.command in ("GET", "HEAD"):
            self.goproxy(path[len("/goproxy"):])
        elif path.startswith("/team/"):
            if "git-receive-pack" in path or "service=git-receive-pack" in query:
                self.reply(403, b"read-only\n")
            else:
                self.git_backend(path, query)
        else:
            self.reply(404, b"not found\n")

    def go_get(self, path):
        parts = path.strip("/").split("/")
        repo = parts[1].removesuffix(".git") if len(parts) >= 2 and parts[0] == "team" else ""
        if not repo or not os.path.isdir(os.path.join(self.state, "repos", "team", repo + ".git")):
            self.reply(404, b"no such repository\n")
            return
        root = f"{self.host}/team/{repo}"
        body = (f'<!DOCTYPE html>\n<html><head><meta name="go-import" content="{root} git '
                f'https://{root}.git"></head><body>go get {root}</body></html>\n').encode()
        self.reply(200, body, "text/html; charset=utf-8")

    def goproxy(self, rel):
        full = os.path.realpath(os.path.join(self.state, "goproxy", rel.lstrip("/")))
        top = os.path.realpath(os.path.join(self.state, "goproxy"))
        if not full.startswith(top + os.sep) or not os.path.isfile(full):
            self.reply(404, b"not found\n")
            return
        with open(full, "rb") as f:
            body = f.read()
        ctype = {".zip": "application/zip", ".info": "application/json"}.get(os.path.splitext(full)[1],
                                                                             "text/plain; charset=utf-8")
        if full.endswith("@latest"):
            ctype = "application/json"
        self.reply(200, body, ctype)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def git_backend(self, path, query):
        """`git http-backend` as a CGI program (upload-pack only)."""
        body = self.read_body() if self.command == "POST" else b""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": os.path.join(self.state, "repos"),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": USER,
            "REMOTE_ADDR": self.client_address[0],
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": os.path.join(self.state, "https-home"),
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "http.receivepack", "GIT_CONFIG_VALUE_0": "false",
            # the repositories belong to the forge's git user (uid of the sshd namespace), not root
            "GIT_CONFIG_KEY_1": "safe.directory", "GIT_CONFIG_VALUE_1": "*",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        res = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
        out = res.stdout
        sep = out.find(b"\r\n\r\n")
        head, payload = (out[:sep], out[sep + 4:]) if sep >= 0 else out.partition(b"\n\n")[::2]
        status, headers, ctype = 200, [], "text/plain"
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name.lower() == "content-type":
                ctype = value.strip()
            elif name and name.lower() != "content-length":
                headers.append((name, value.strip()))
        if res.returncode != 0 and not head:
            status = 500
        self.reply(status, payload, ctype, headers)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):  # one line, no request data
        err = sys.exc_info()[1]
        sys.stderr.write(f"{client_address[0]} connection error: {type(err).__name__}\n")
        sys.stderr.flush()


def read_secret(state, name):
    with open(os.path.join(state, "secrets", name), encoding="utf-8") as f:
        return f.read().strip()


def serve(a):
    Forge.state = a.state
    Forge.host = a.host
    Forge.password = read_secret(a.state, "password")
    Forge.token = read_secret(a.state, "token")
    os.makedirs(os.path.join(a.state, "https-home"), exist_ok=True)
    srv = Server((a.addr, a.port), Forge)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(os.path.join(a.state, "tls", "server.crt"), os.path.join(a.state, "tls", "server.key"))
    # The handshake happens in the request's thread (first read), so a stuck client blocks only itself.
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.stderr.write(f"serving https://{a.host} on {a.addr}:{a.port} (pid {os.getpid()})\n")
    sys.stderr.flush()
    srv.serve_forever()


def bindcheck(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no conflict
    try:
        s.bind((addr, port))
        s.listen(1)
    except OSError as e:
        print(f"{addr}:{port}: {os.strerror(e.errno) if e.errno else e}", file=sys.stderr)
        return 1 if e.errno == errno.EADDRINUSE else 2
    finally:
        s.close()
    return 0


def listeners(pids):
    """ADDR:PORT of the listening TCP sockets whose inode one of PIDS holds open, sorted."""
    inodes = set()
    for pid in pids:
        fd_dir = f"/proc/{pid}/fd"
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    out = []
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(table, encoding="ascii") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            col = row.split()
            if col[3] != "0A" or col[9] not in inodes:  # 0A: LISTEN
                continue
            hexaddr, hexport = col[1].split(":")
            raw = bytes.fromhex(hexaddr)
            if v6:
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                addr = "[" + socket.inet_ntop(socket.AF_INET6, raw) + "]"
            else:
                addr = socket.inet_ntop(socket.AF_INET, raw[::-1])
            out.append(f"{addr}:{int(hexport, 16)}")
    return sorted(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sums")
    p.add_argument("--src", default=DEFAULT_SRC)
    p = sub.add_parser("build-proxy")
    p.add_argument("--src", default=DEFAULT_SRC)
    p.add_argument("--out", required=True)
    p.add_argument("--gosum", required=True)
    p = sub.add_parser("bindcheck")
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p = sub.add_parser("listeners")
    p.add_argument("pids", nargs="+")
    p = sub.add_parser("serve")
    p.add_argument("--state", required=True)
    p.add_argument("--addr", default="127.0.0.2")
    p.add_argument("--port", type=int, default=443)
    p.add_argument("--host", default="git.gofront.test")
    a = ap.parse_args()
    if a.command == "sums":
        print("\n".join(gosum_lines(a.src)))
    elif a.command == "build-proxy":
        build_proxy(a.src, a.out, a.gosum)
    elif a.command == "bindcheck":
        return bindcheck(a.addr, a.port)
    elif a.command == "listeners":
        print("\n".join(listeners(a.pids)))
    else:
        serve(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
