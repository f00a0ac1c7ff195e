//! The wrapper run by the machine's `/bin/sh` (dash on Debian, as in the golang images) in a
//! temporary directory standing for `/run/gofront` and `/run/secrets`.

use std::path::Path;
use std::process::Command;

use super::*;

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, hosts: &[&str], command: &str, env: &[(&str, &str)]) -> Run {
    let work = dir.join("work");
    let secrets = dir.join("secrets");
    let _ = std::fs::create_dir_all(&work);
    let _ = std::fs::create_dir_all(&secrets);
    let hosts: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
    let script = dir.join("fetch.sh");
    let seed = dir.join("seed");
    let text = script_in(
        &hosts,
        true,
        &work.to_string_lossy(),
        &secrets.to_string_lossy(),
        &seed.to_string_lossy(),
    );
    if let Err(e) = std::fs::write(&script, text) {
        panic!("{e}");
    }
    // As the converter runs it: `/bin/sh <script> <the RUN's command text>`.
    let mut cmd = Command::new("/bin/sh");
    cmd.arg(&script)
        .arg(command)
        .env_clear()
        .env("PATH", "/usr/bin:/bin");
    cmd.env("HOME", dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run /bin/sh: {e}"),
    };
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn tmp() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn command_semantics_survive_the_wrapper() {
    let d = tmp();
    let r = run_in(
        d.path(),
        &[],
        "set -e\necho out\necho err >&2\nexit 3\necho never",
        &[],
    );
    assert_eq!(r.status, 3);
    assert_eq!(r.stdout, "out\n");
    assert_eq!(r.stderr, "err\n");
    let r = run_in(
        d.path(),
        &[],
        "case x in\n  x) echo \"paren ) ok\" ;;\nesac\ncat <<EOF\n)\nEOF",
        &[],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "paren ) ok\n)\n");
}

#[test]
fn failures_are_explained_with_the_flag_that_fixes_them() {
    let d = tmp();
    let r = run_in(
        d.path(),
        &[],
        "echo 'fatal: could not read Username for https://git.example.com: terminal prompts disabled' >&2; exit 1",
        &[],
    );
    assert_eq!(r.status, 1);
    assert!(
        r.stderr.contains("terminal prompts disabled"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("gofront: git needs credentials"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--secret id=netrc"), "{}", r.stderr);
    let r = run_in(
        d.path(),
        &[],
        "echo 'Host key verification failed.' >&2; exit 128",
        &[],
    );
    assert_eq!(r.status, 128);
    assert!(r.stderr.contains("--secret id=known_hosts"), "{}", r.stderr);
    assert!(r.stderr.contains("never turns host key checking off"));
    let r = run_in(d.path(), &[], "echo ok", &[]);
    assert!(!r.stderr.contains("gofront:"), "{}", r.stderr);
}

#[test]
fn known_hosts_are_checked_never_disabled() {
    let d = tmp();
    let r = run_in(d.path(), &[], "echo \"$GIT_SSH_COMMAND\"", &[]);
    assert!(r.stdout.contains("UserKnownHostsFile="), "{}", r.stdout);
    assert!(!r.stdout.contains("StrictHostKeyChecking"), "{}", r.stdout);
    let written = std::fs::read_to_string(d.path().join("work/known_hosts")).unwrap_or_default();
    assert_eq!(written.lines().count(), KNOWN_HOSTS.len());
    assert!(written.starts_with("github.com ssh-ed25519 AAAA"));
    // A GIT_SSH_COMMAND of the Dockerfile's own is left alone.
    let r = run_in(
        d.path(),
        &[],
        "echo \"$GIT_SSH_COMMAND\"",
        &[("GIT_SSH_COMMAND", "ssh -i /k")],
    );
    assert_eq!(r.stdout, "ssh -i /k\n");
}

#[test]
fn insteadof_only_with_an_ssh_agent_and_tokens_only_from_their_files() {
    let d = tmp();
    let show = "env | grep '^GIT_CONFIG' | sort";
    let r = run_in(d.path(), &["git.example.com"], show, &[]);
    assert_eq!(r.stdout, "", "no agent, no token: no git config");
    // An agent socket makes git use ssh for the private host.
    let sock = d.path().join("agent.sock");
    let bound = std::os::unix::net::UnixListener::bind(&sock);
    assert!(bound.is_ok(), "{bound:?}");
    let sock_s = sock.to_string_lossy().into_owned();
    let r = run_in(
        d.path(),
        &["git.example.com"],
        show,
        &[("SSH_AUTH_SOCK", &sock_s)],
    );
    assert_eq!(
        r.stdout,
        "GIT_CONFIG_COUNT=1\nGIT_CONFIG_KEY_0=url.ssh://git@git.example.com/.insteadOf\nGIT_CONFIG_VALUE_0=https://git.example.com/\n"
    );
    // A per-host token is answered by a credential helper that reads the file when asked.
    let token = d.path().join("secrets/GIT_AUTH_TOKEN.git.example.com");
    assert!(std::fs::create_dir_all(d.path().join("secrets")).is_ok());
    assert!(std::fs::write(&token, "s3cr3t-t0ken").is_ok());
    let r = run_in(
        d.path(),
        &["git.example.com"],
        "env | grep -c s3cr3t || true; git config --get-urlmatch credential.helper https://git.example.com/x; printf 'protocol=https\\nhost=git.example.com\\n' | git credential fill",
        &[],
    );
    assert!(
        r.stdout.starts_with("0\n"),
        "the token is not in the environment: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("password=s3cr3t-t0ken"),
        "{} {}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains("username=x-access-token"), "{}", r.stdout);
    // The Dockerfile's own GIT_CONFIG_COUNT is left alone.
    let r = run_in(
        d.path(),
        &["git.example.com"],
        show,
        &[("GIT_CONFIG_COUNT", "0")],
    );
    assert_eq!(r.stdout, "GIT_CONFIG_COUNT=0\n");
}

#[test]
fn a_ca_secret_is_added_to_the_system_roots() {
    let d = tmp();
    assert!(std::fs::create_dir_all(d.path().join("secrets")).is_ok());
    assert!(std::fs::write(
        d.path().join("secrets/ca"),
        "-----BEGIN CERTIFICATE-----\nCORP\n"
    )
    .is_ok());
    let r = run_in(
        d.path(),
        &[],
        "echo \"$SSL_CERT_FILE $GIT_SSL_CAINFO\"; tail -n 1 \"$SSL_CERT_FILE\"",
        &[],
    );
    let bundle = d.path().join("work/ca.pem").to_string_lossy().into_owned();
    assert!(
        r.stdout.starts_with(&format!("{bundle} {bundle}\n")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("CORP\n"), "{}", r.stdout);
    let system = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
    let written = std::fs::read_to_string(&bundle).unwrap_or_default();
    assert!(written.len() >= system.len(), "the system roots are kept");
}

#[test]
fn hosts_that_are_not_literal_names_are_left_out() {
    for (h, ok) in [
        ("git.example.com", true),
        ("*.corp.example.com", false),
        ("host:22", false),
        ("a;rm -rf /", false),
        ("-x", false),
    ] {
        assert_eq!(is_literal_host(h), ok, "{h}");
    }
    let s = script(&["a;b".to_string(), "ok.example".to_string()], true);
    assert!(s.contains("for h in ok.example;"), "{s}");
    assert!(!s.contains("a;b"));
}

/// A fake `go` that records its arguments and GOCACHE, and the seed env for `mode`.
fn seed_env(d: &Path, mode: &str) -> Vec<(String, String)> {
    let bin = d.join("bin");
    let _ = std::fs::create_dir_all(&bin);
    let go = bin.join("go");
    let log = d.join("go.log");
    let fake = format!(
        "#!/bin/sh\necho \"$* GOCACHE=$GOCACHE CGO_ENABLED=$CGO_ENABLED PWD=$PWD\" >>{}\n",
        log.display()
    );
    if let Err(e) = std::fs::write(&go, fake) {
        panic!("{e}");
    }
    let _ = Command::new("chmod").arg("755").arg(&go).status();
    let mut env = vec![
        (
            "PATH".to_string(),
            format!("{}:/usr/bin:/bin", bin.display()),
        ),
        ("GOFRONT_SEED".to_string(), mode.to_string()),
        (
            "GOFRONT_GOCACHE".to_string(),
            d.join("gocache").display().to_string(),
        ),
        (
            "GOFRONT_GOMODCACHE".to_string(),
            d.join("gomod").display().to_string(),
        ),
        ("GOFRONT_SEED_ID".to_string(), "abc".to_string()),
    ];
    if mode == "save" {
        env.extend([
            (
                "GOFRONT_PRECOMPILE".to_string(),
                "fmt github.com/x/y".to_string(),
            ),
            (
                "GOFRONT_PRECOMPILE_DIR".to_string(),
                d.display().to_string(),
            ),
            (
                "GOFRONT_PRECOMPILE_FLAGS".to_string(),
                "-trimpath".to_string(),
            ),
            (
                "GOFRONT_PRECOMPILE_ENV".to_string(),
                "CGO_ENABLED=0".to_string(),
            ),
        ]);
    }
    env
}

fn run_seed(d: &Path, mode: &str, command: &str) -> Run {
    let env = seed_env(d, mode);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    run_in(d, &[], command, &env)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

#[test]
fn a_fresh_builder_saves_modules_and_precompiled_packages_in_the_seed() {
    let d = tmp();
    let dl = d.path().join("gomod/cache/download/github.com/x/y/@v");
    let _ = std::fs::create_dir_all(&dl);
    let _ = std::fs::write(dl.join("v1.0.0.zip"), "zip");
    let r = run_seed(d.path(), "save", "echo downloaded");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "downloaded\n");
    let log = read(&d.path().join("go.log"));
    let seed = d.path().join("seed");
    assert_eq!(
        log.trim(),
        format!(
            "list -e -export -f  -trimpath fmt github.com/x/y GOCACHE={}/go-build CGO_ENABLED=0 PWD={}",
            seed.display(),
            d.path().display()
        )
    );
    assert_eq!(read(&seed.join("mod/github.com/x/y/@v/v1.0.0.zip")), "zip");
    // A failing command saves nothing more; a used build cache saves nothing at all.
    let _ = std::fs::remove_file(d.path().join("go.log"));
    let r = run_seed(d.path(), "save", "exit 4");
    assert_eq!(r.status, 4);
    assert!(read(&d.path().join("go.log")).is_empty());
    let _ = std::fs::create_dir_all(d.path().join("gocache"));
    let _ = std::fs::write(d.path().join("gocache/gofront-used"), "");
    let r = run_seed(d.path(), "save", "true");
    assert_eq!(r.status, 0);
    assert!(read(&d.path().join("go.log")).is_empty());
}

#[test]
fn go_runs_copy_a_seed_into_their_mounts_once_without_replacing() {
    let d = tmp();
    let seed = d.path().join("seed");
    let _ = std::fs::create_dir_all(seed.join("go-build/ab"));
    let _ = std::fs::create_dir_all(seed.join("mod/m/@v"));
    let _ = std::fs::write(seed.join("go-build/ab/entry-d"), "compiled");
    let _ = std::fs::write(seed.join("mod/m/@v/v1.zip"), "zip");
    let _ = std::fs::create_dir_all(d.path().join("gocache/ab"));
    let _ = std::fs::write(d.path().join("gocache/ab/own-d"), "mine");
    let r = run_seed(d.path(), "load", "ls $GOFRONT_GOCACHE/ab");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "entry-d\nown-d\n");
    assert_eq!(
        read(&d.path().join("gomod/cache/download/m/@v/v1.zip")),
        "zip"
    );
    assert!(d.path().join("gocache/gofront-seed.abc").exists());
    assert!(d.path().join("gocache/gofront-used").exists());
    // Once per seed: a removed entry is not copied again.
    let _ = std::fs::remove_file(d.path().join("gocache/ab/entry-d"));
    let r = run_seed(d.path(), "load", "ls $GOFRONT_GOCACHE/ab");
    assert_eq!(r.stdout, "own-d\n");
}
