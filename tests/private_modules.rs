//! End-to-end checks of issue 11 (private modules), through the real daemon, against the test
//! bed's forge `git.gofront.test` (scripts/testbed/forge.sh: sshd and HTTPS on 127.0.0.2 with a
//! private CA, password and token auth, an authenticated GOPROXY). The cases under
//! `tests/private_modules/` are written as if every module were public; the credentials come
//! only as buildx flags, the way a CI job passes them:
//!
//! - `app` with `--ssh default` + `--secret id=known_hosts` fetches over ssh (the forge's sshd
//!   accepts the agent's key); with `--secret id=netrc` or `--secret id=GIT_AUTH_TOKEN` over HTTPS
//!   (the forge logs `auth=password` / `auth=token`); the stock frontend cannot build it with the
//!   same flags. Missing credentials, an unknown host key and an untrusted CA fail with gofront's
//!   explanation beside git's message.
//! - `goproxy-app` fetches a module only an authenticated GOPROXY serves, with the `.netrc`.
//! - `handwritten`: a token build arg written into an insteadOf rule after `COPY . .` builds the
//!   same program with both frontends, gofront warns that the token lands in the image, and a
//!   source edit rebuilt through gofront asks neither the module proxy nor the forge anything.
//! - No credential (password, token, auth header, private key) appears in any layer, config,
//!   history entry or the build log of a build given all of them.
//!
//! The tests run one at a time (they empty the daemon's cache mounts so each fetch really
//! happens) and build with `--no-cache` where a cached step would hide the fetch. The module
//! proxy for the public module listens on `GOFRONT_PRIVATE_PROXY_PORT` (default 3191).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use support::build::{
    docker, scratch_dir, BuildOutcome, BuildRequest, Frontend, Output, Progress, Secret,
};
use support::gobuild::{append, copy_tree, nonce, preflight, Tags};
use support::goproxy::{serve_testbed, GoProxy};

/// One test at a time: they prune the daemon's cache mounts and read the forge's logs.
static SERIAL: Mutex<()> = Mutex::new(());

const PORT_ENV: &str = "GOFRONT_PRIVATE_PROXY_PORT";
const PORT_DEFAULT: u16 = 3191;

/// The go.sum lines of the public module the cases use (served by the test bed's proxy).
const UUID_SUMS: &str =
    "github.com/google/uuid v1.3.0 h1:2Ajak/s9ond9xWZtWglNUouVyMHz28G7Z8R0e18RxNs=\n\
github.com/google/uuid v1.3.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\n";

/// What the `app` and `handwritten` programs print.
const GREETING: &str = "hello gofront from git.gofront.test/team/greeter 36";

/// The forge's settings (`GOFRONT_FORGE_*` from scripts/testbed/env.sh).
struct Forge {
    vars: BTreeMap<String, String>,
}

impl Forge {
    /// The forge of the test bed when it runs; skips (or fails in CI) when it does not.
    fn ready(test: &str) -> Option<Forge> {
        if !preflight(test) {
            return None;
        }
        let root = support::repo_root();
        let status = std::process::Command::new("bash")
            .arg(root.join("scripts/testbed/forge.sh"))
            .arg("status")
            .output();
        let running = status.as_ref().is_ok_and(|o| o.status.success());
        if !running {
            let why = match &status {
                Ok(o) => {
                    String::from_utf8_lossy(&o.stdout).into_owned()
                        + &String::from_utf8_lossy(&o.stderr)
                }
                Err(e) => e.to_string(),
            };
            assert!(
                std::env::var_os("CI").is_none(),
                "{test}: the private forge is not running (start it with bash scripts/testbed/setup.sh --private): {why}"
            );
            println!(
                "SKIP {test}: the private forge is not running ({})",
                why.trim()
            );
            return None;
        }
        let out = std::process::Command::new("bash")
            .arg(root.join("scripts/testbed/env.sh"))
            .output()
            .unwrap_or_else(|e| panic!("{test}: scripts/testbed/env.sh: {e}"));
        let vars = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
            .collect();
        Some(Forge { vars })
    }

    fn var(&self, name: &str) -> &str {
        self.vars
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("scripts/testbed/env.sh does not set {name}"))
    }

    fn path(&self, name: &str) -> PathBuf {
        PathBuf::from(self.var(name))
    }

    fn file(&self, name: &str) -> String {
        let path = self.path(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The go.sum of a case: the public module and the forge's modules.
    fn go_sum(&self) -> String {
        let mut sum = UUID_SUMS.to_string();
        for m in ["GREETER", "SECRETMOD"] {
            let (module, version) = (
                self.var(&format!("GOFRONT_FORGE_{m}_MODULE")),
                self.var(&format!("GOFRONT_FORGE_{m}_VERSION")),
            );
            sum.push_str(&format!(
                "{module} {version} {}\n{module} {version}/go.mod {}\n",
                self.var(&format!("GOFRONT_FORGE_{m}_SUM")),
                self.var(&format!("GOFRONT_FORGE_{m}_GOMOD_SUM"))
            ));
        }
        sum
    }

    /// Lines a forge log (`GOFRONT_FORGE_HTTPS_LOG`, `GOFRONT_FORGE_SSHD_LOG`) has now.
    fn mark(&self, log: &str) -> usize {
        std::fs::read_to_string(self.path(log))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    /// Lines the log got since `mark`.
    fn since(&self, log: &str, mark: usize) -> Vec<String> {
        std::fs::read_to_string(self.path(log))
            .unwrap_or_default()
            .lines()
            .skip(mark)
            .map(str::to_string)
            .collect()
    }

    /// The credentials a leak scan looks for: the password, the token, the auth header value
    /// and the private key's body lines.
    fn credentials(&self) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "password".to_string(),
                self.file("GOFRONT_FORGE_PASSWORD_FILE").trim().to_string(),
            ),
            (
                "token".to_string(),
                self.file("GOFRONT_FORGE_TOKEN_FILE").trim().to_string(),
            ),
        ];
        let header = self.file("GOFRONT_FORGE_GIT_AUTH_HEADER_FILE");
        if let Some(value) = header.trim().rsplit(' ').next() {
            out.push(("auth header".to_string(), value.to_string()));
        }
        for line in self
            .file("GOFRONT_FORGE_SSH_KEY")
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() > 20)
        {
            out.push(("private key".to_string(), line.to_string()));
        }
        for (what, value) in &out {
            assert!(value.len() >= 8, "the {what} is too short to scan for");
        }
        out
    }
}

/// A credential a build gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cred {
    /// `--ssh default=<agent holding the forge key>`.
    Ssh,
    /// `--secret id=known_hosts` (the forge's host key).
    KnownHosts,
    /// `--secret id=netrc` (user and password).
    Netrc,
    /// `--secret id=GIT_AUTH_TOKEN`.
    Token,
    /// `--secret id=ca` (the forge's private CA).
    Ca,
}

/// The test bed's module proxy for the public module, on its own port.
fn proxy() -> GoProxy {
    serve_testbed(PORT_ENV, PORT_DEFAULT, 0)
}

/// A writable copy of a case with its go.sum.
fn case(forge: &Forge, name: &str, tmp: &Path) -> PathBuf {
    let app = tmp.join(name);
    copy_tree(
        &support::repo_root()
            .join("tests/private_modules")
            .join(name),
        &app,
    );
    std::fs::write(app.join("go.sum"), forge.go_sum())
        .unwrap_or_else(|e| panic!("{}: {e}", app.display()));
    app
}

/// Empties the daemon's cache mounts, so the next build fetches every module.
fn empty_cache_mounts() {
    docker(&[
        "builder",
        "prune",
        "-af",
        "--filter",
        "type=exec.cachemount",
    ])
    .unwrap_or_else(|e| panic!("cannot empty the cache mounts: {e}"));
}

/// A build of `app` through `frontend` with the forge reachable and the given credentials;
/// Go settings as build args only.
fn private_request(
    forge: &Forge,
    frontend: Frontend,
    app: &Path,
    creds: &[Cred],
    build_args: &[(&str, &str)],
    output: Output,
) -> BuildRequest {
    let mut req = BuildRequest::new(app);
    req.frontend = frontend;
    req.network_host = true;
    req.no_cache = true;
    req.progress = Progress::Plain;
    req.output = output;
    req.build_args = build_args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    req.extra_args = vec![
        "--add-host".into(),
        forge.var("GOFRONT_FORGE_ADD_HOST").into(),
    ];
    for cred in creds {
        let (id, var) = match cred {
            Cred::Ssh => {
                req.extra_args.push("--ssh".into());
                req.extra_args.push(format!(
                    "default={}",
                    forge.var("GOFRONT_FORGE_SSH_AUTH_SOCK")
                ));
                continue;
            }
            Cred::KnownHosts => ("known_hosts", "GOFRONT_FORGE_KNOWN_HOSTS"),
            Cred::Netrc => ("netrc", "GOFRONT_FORGE_NETRC"),
            Cred::Token => ("GIT_AUTH_TOKEN", "GOFRONT_FORGE_TOKEN_FILE"),
            Cred::Ca => ("ca", "GOFRONT_FORGE_CA"),
        };
        req.secrets.push(Secret {
            id: id.into(),
            src: forge.path(var),
        });
    }
    req
}

/// Go settings of the `app` builds: the public module from the test bed's proxy, the forge's
/// modules direct (GOPRIVATE).
fn public_args(proxy: &GoProxy, forge: &Forge) -> Vec<(&'static str, String)> {
    vec![
        ("GOPROXY", proxy.url()),
        ("GOSUMDB", "off".to_string()),
        (
            "GOPRIVATE",
            forge.var("GOFRONT_FORGE_GOPRIVATE").to_string(),
        ),
    ]
}

fn borrow<'a>(args: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn build(what: &str, req: &BuildRequest) -> BuildOutcome {
    let out = req.run().unwrap_or_else(|e| panic!("{what}: {e}"));
    println!(
        "{what}: {} in {:.1}s",
        if out.success { "built" } else { "failed" },
        out.elapsed.as_secs_f64()
    );
    out
}

fn build_ok(what: &str, req: &BuildRequest) -> BuildOutcome {
    let out = build(what, req);
    assert!(
        out.success,
        "{what}: build failed\n$ {}\n{}",
        out.command,
        out.tail(80)
    );
    out
}

/// What the image's program prints.
fn run_image(tag: &str) -> String {
    docker(&["run", "--rm", "--network", "none", tag])
        .unwrap_or_else(|e| panic!("docker run {tag}: {e}"))
        .trim()
        .to_string()
}

/// Builds `app` through gofront with `creds`, after emptying the cache mounts; checks the
/// program and returns the forge's https and sshd log lines of the build.
fn fetch_with(
    test: &str,
    forge: &Forge,
    creds: &[Cred],
    tmp: &Path,
    tags: &mut Tags,
) -> (Vec<String>, Vec<String>) {
    let p = proxy();
    let app = case(forge, "app", tmp);
    let tag = format!("gofront-e2e-private:{}", nonce());
    tags.0.push(tag.clone());
    empty_cache_mounts();
    let (https, sshd) = (
        forge.mark("GOFRONT_FORGE_HTTPS_LOG"),
        forge.mark("GOFRONT_FORGE_SSHD_LOG"),
    );
    let args = public_args(&p, forge);
    build_ok(
        test,
        &private_request(
            forge,
            Frontend::gofront(),
            &app,
            creds,
            &borrow(&args),
            Output::Load(tag.clone()),
        ),
    );
    assert_eq!(run_image(&tag), GREETING, "{test}: the program's output");
    (
        forge.since("GOFRONT_FORGE_HTTPS_LOG", https),
        forge.since("GOFRONT_FORGE_SSHD_LOG", sshd),
    )
}

fn lock() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn ssh_agent_and_known_hosts_fetch_over_ssh() {
    let test = "private_modules::ssh";
    let _serial = lock();
    let Some(forge) = Forge::ready(test) else {
        return;
    };
    let tmp = scratch_dir("private-ssh-");
    let mut tags = Tags(Vec::new());
    let creds = [Cred::Ssh, Cred::KnownHosts, Cred::Ca];
    let (https, sshd) = fetch_with(test, &forge, &creds, tmp.path(), &mut tags);
    assert!(
        sshd.iter()
            .any(|l| l.contains("Accepted publickey for git")),
        "{test}: the forge's sshd accepted no key during the build:\n{}",
        sshd.join("\n")
    );
    assert!(
        !https.iter().any(|l| l.contains(".git/")),
        "{test}: git went over HTTPS instead of ssh:\n{}",
        https.join("\n")
    );
    // The same Dockerfile and flags through the stock frontend: no step gets the agent.
    let p = proxy();
    let app = case(&forge, "app", tmp.path());
    let args = public_args(&p, &forge);
    let stock = build(
        &format!("{test} (stock)"),
        &private_request(
            &forge,
            Frontend::Stock,
            &app,
            &creds,
            &borrow(&args),
            Output::None,
        ),
    );
    assert!(
        !stock.success,
        "{test}: the stock frontend built the private module without mounts: the check is void"
    );
}

#[test]
fn netrc_secret_fetches_over_https() {
    let test = "private_modules::netrc";
    let _serial = lock();
    let Some(forge) = Forge::ready(test) else {
        return;
    };
    let tmp = scratch_dir("private-netrc-");
    let mut tags = Tags(Vec::new());
    let (https, _) = fetch_with(
        test,
        &forge,
        &[Cred::Netrc, Cred::Ca],
        tmp.path(),
        &mut tags,
    );
    assert!(
        https
            .iter()
            .any(|l| l.contains("git-upload-pack 200 auth=password")),
        "{test}: no git fetch with the .netrc's password:\n{}",
        https.join("\n")
    );
}

#[test]
fn git_auth_token_secret_fetches_over_https() {
    let test = "private_modules::token";
    let _serial = lock();
    let Some(forge) = Forge::ready(test) else {
        return;
    };
    let tmp = scratch_dir("private-token-");
    let mut tags = Tags(Vec::new());
    let (https, _) = fetch_with(
        test,
        &forge,
        &[Cred::Token, Cred::Ca],
        tmp.path(),
        &mut tags,
    );
    assert!(
        https
            .iter()
            .any(|l| l.contains("git-upload-pack 200 auth=token")),
        "{test}: no git fetch with the token:\n{}",
        https.join("\n")
    );
}

#[test]
fn authenticated_goproxy_with_netrc() {
    let test = "private_modules::goproxy";
    let _serial = lock();
    let Some(forge) = Forge::ready(test) else {
        return;
    };
    let tmp = scratch_dir("private-goproxy-");
    let mut tags = Tags(Vec::new());
    let app = case(&forge, "goproxy-app", tmp.path());
    let tag = format!("gofront-e2e-private:{}", nonce());
    tags.0.push(tag.clone());
    empty_cache_mounts();
    let mark = forge.mark("GOFRONT_FORGE_HTTPS_LOG");
    let args = [
        ("GOPROXY", forge.var("GOFRONT_FORGE_GOPROXY_URL")),
        ("GONOSUMDB", forge.var("GOFRONT_FORGE_HOST")),
        ("GOSUMDB", "off"),
    ];
    build_ok(
        test,
        &private_request(
            &forge,
            Frontend::gofront(),
            &app,
            &[Cred::Netrc, Cred::Ca],
            &args,
            Output::Load(tag.clone()),
        ),
    );
    assert_eq!(run_image(&tag), "secretmod v0.1.0 from git.gofront.test");
    let https = forge.since("GOFRONT_FORGE_HTTPS_LOG", mark);
    assert!(
        https
            .iter()
            .any(|l| l.contains("/goproxy/") && l.contains(".zip 200 auth=password")),
        "{test}: the module zip did not come from the authenticated proxy:\n{}",
        https.join("\n")
    );
}

#[test]
fn missing_credentials_are_explained() {
    let test = "private_modules::explained";
    let _serial = lock();
    let Some(forge) = Forge::ready(test) else {
        return;
    };
    let tmp = scratch_dir("private-explained-");
    let p = proxy();
    let app = case(&forge, "app", tmp.path());
    let args = public_args(&p, &forge);
    let cases: [(&str, &[Cred], &str, &str); 3] = [
        (
            "no credentials",
            &[Cred::Ca],
            "terminal prompts disabled",
            "gofront: git needs credentials for a private module",
        ),
        (
            "agent without known_hosts",
            &[Cred::Ssh, Cred::Ca],
            "Host key verification failed",
            "gofront: the ssh host key of the module's server is not known",
        ),
        (
            "netrc without the CA",
            &[Cred::Netrc],
            "x509: certificate signed by unknown authority",
            "gofront: a server's TLS certificate is signed by a CA the image does not trust",
        ),
    ];
    for (what, creds, git_says, gofront_says) in cases {
        empty_cache_mounts();
        let out = build(
            &format!("{test}: {what}"),
            &private_request(
                &forge,
                Frontend::gofront(),
                &app,
                creds,
                &borrow(&args),
                Output::None,
            ),
        );
        assert!(!out.success, "{test}: {what}: the build succeeded");
        for want in [git_says, gofront_says] {
            assert!(
                out.log.contains(want),
                "{test}: {what}: the log does not say {want:?}\n{}",
                out.tail(60)
            );
        }
    }
}

#[test]
fn handwritten_token_setup_builds_the_same_and_keeps_the_deps_step() {
    let test = "private_modules::handwritten";
    let _serial = lock();
    let Some(forge) = Forge::ready(test) else {
        return;
    };
    let tmp = scratch_dir("private-handwritten-");
    let mut tags = Tags(Vec::new());
    let p = proxy();
    let app = case(&forge, "handwritten", tmp.path());
    std::fs::copy(forge.path("GOFRONT_FORGE_CA"), app.join("forge-ca.crt"))
        .unwrap_or_else(|e| panic!("{test}: {e}"));
    let token = forge.file("GOFRONT_FORGE_TOKEN_FILE");
    let mut args = public_args(&p, &forge);
    args.push(("GIT_TOKEN", token.trim().to_string()));
    let request = |frontend: Frontend, output: Output| {
        let mut req = private_request(&forge, frontend, &app, &[], &borrow(&args), output);
        // The Dockerfile sets GOPRIVATE itself; rebuilds use the cache.
        req.build_args.retain(|(k, _)| k != "GOPRIVATE");
        req.no_cache = false;
        req
    };
    empty_cache_mounts();
    let mut printed = Vec::new();
    let mut gofront_log = String::new();
    for frontend in [Frontend::Stock, Frontend::gofront()] {
        let tag = format!("gofront-e2e-private:{}", nonce());
        tags.0.push(tag.clone());
        let out = build_ok(
            &format!("{test}: {}", frontend.label()),
            &request(frontend.clone(), Output::Load(tag.clone())),
        );
        printed.push(run_image(&tag));
        if frontend != Frontend::Stock {
            gofront_log = out.log;
        }
    }
    assert_eq!(printed, vec![GREETING.to_string(), GREETING.to_string()]);
    for want in [
        "deps applied",
        "repeats the setup of line 13 first",
        "the value of $GIT_TOKEN reaches the image",
    ] {
        assert!(
            gofront_log.contains(want),
            "{test}: the gofront build log does not say {want:?}\n{gofront_log}"
        );
    }
    // A source edit: gofront asks neither the proxy nor the forge; stock asks both again. The
    // first gofront edit warms up: when the builds above came from the layer cache, the module
    // cache mount emptied above was never filled.
    let mut counts = Vec::new();
    for frontend in [Frontend::gofront(), Frontend::gofront(), Frontend::Stock] {
        append(&app.join("main.go"), &format!("\n// edit {}\n", nonce()));
        let (proxy_mark, forge_mark) = (p.mark(), forge.mark("GOFRONT_FORGE_HTTPS_LOG"));
        build_ok(
            &format!("{test}: rebuild after an edit, {}", frontend.label()),
            &request(frontend.clone(), Output::None),
        );
        counts.push((
            frontend.label(),
            p.requests_since(proxy_mark).paths.len(),
            forge.since("GOFRONT_FORGE_HTTPS_LOG", forge_mark).len(),
        ));
    }
    println!("{test}: requests after a source edit (proxy, forge): {counts:?}");
    assert_eq!(
        (counts[1].1, counts[1].2),
        (0, 0),
        "{test}: the gofront rebuild fetched modules: {counts:?}"
    );
}

#[test]
fn no_credential_reaches_layers_history_llb_or_log() {
    let test = "private_modules::no_leak";
    let _serial = lock();
    let Some(forge) = Forge::ready(test) else {
        return;
    };
    let tmp = scratch_dir("private-leak-");
    let p = proxy();
    let app = case(&forge, "app", tmp.path());
    let args = public_args(&p, &forge);
    empty_cache_mounts();
    let all = [
        Cred::Ssh,
        Cred::KnownHosts,
        Cred::Netrc,
        Cred::Token,
        Cred::Ca,
    ];
    // The golang image's own layers were not written by the build: they are not scanned.
    let base_layers: usize = docker(&[
        "image",
        "inspect",
        "golang:1.22",
        "--format",
        "{{len .RootFS.Layers}}",
    ])
    .unwrap_or_else(|e| panic!("{test}: {e}"))
    .trim()
    .parse()
    .unwrap_or_else(|e| panic!("{test}: layer count of golang:1.22: {e}"));
    let mut scanned = 0;
    for target in ["build", ""] {
        let tar = tmp.path().join(format!("image-{target}.tar"));
        let mut req = private_request(
            &forge,
            Frontend::gofront(),
            &app,
            &all,
            &borrow(&args),
            Output::OciTar(tar.clone()),
        );
        if !target.is_empty() {
            req.target = Some(target.to_string());
        }
        let out = build_ok(&format!("{test}: target {target:?}"), &req);
        let blobs = support::image::build_blobs(&tar, base_layers)
            .unwrap_or_else(|e| panic!("{test}: {e}"));
        for (what, value) in forge.credentials() {
            assert!(
                !out.log.contains(&value),
                "{test}: the {what} appears in the build log"
            );
            for (name, data) in &blobs {
                assert!(
                    !contains(data, value.as_bytes()),
                    "{test}: the {what} appears in {name} of the image (target {target:?})"
                );
            }
        }
        scanned += blobs.values().map(Vec::len).sum::<usize>();
    }
    // The LLB gofront sends for this build (`gofront llb`, same build args and target).
    for target in ["build", ""] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gofront"));
        cmd.arg("llb")
            .arg(app.join("Dockerfile"))
            .arg("--context")
            .arg(&app);
        for (k, v) in &args {
            cmd.arg("--build-arg").arg(format!("{k}={v}"));
        }
        if !target.is_empty() {
            cmd.arg("--target").arg(target);
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("{test}: gofront llb: {e}"));
        assert!(
            out.status.success(),
            "{test}: gofront llb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{test}: gofront llb wrote nothing");
        for (what, value) in forge.credentials() {
            assert!(
                !contains(&out.stdout, value.as_bytes()),
                "{test}: the {what} appears in the LLB (target {target:?})"
            );
        }
        scanned += out.stdout.len();
    }
    println!("{test}: scanned {scanned} bytes of layers, configs, manifests and LLB");
    // The build stage's layers hold the module cache and the program: megabytes, not nothing.
    assert!(
        scanned > 1_000_000,
        "{test}: too little was scanned ({scanned} bytes)"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn credentials_are_read_from_the_forge() {
    // The leak scan is only as good as its needles: they must be the forge's real values.
    let _serial = lock();
    let Some(forge) = Forge::ready("private_modules::needles") else {
        return;
    };
    let creds = forge.credentials();
    let netrc = forge.file("GOFRONT_FORGE_NETRC");
    assert!(creds
        .iter()
        .any(|(w, v)| w == "password" && netrc.contains(v.as_str())));
    assert!(creds.iter().filter(|(w, _)| w == "private key").count() >= 2);
}
