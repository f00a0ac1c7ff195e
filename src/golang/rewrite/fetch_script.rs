//! The fetch wrapper: a POSIX shell script gofront runs around the command of every RUN that may
//! fetch modules (process only: it is never in a layer, the image config, the history or a step
//! name). Before the command it prepares what private modules and corporate networks need,
//! from what the client gave the build and only then:
//!
//! - ssh: known_hosts with the published host keys of github.com, gitlab.com and bitbucket.org,
//!   the `known_hosts` secret and the user's `~/.ssh/known_hosts` (host keys are always checked);
//!   when an ssh agent is forwarded (`--ssh default`), git fetches the private hosts over ssh
//!   (`url."ssh://git@HOST/".insteadOf "https://HOST/"`, through `GIT_CONFIG_*` variables);
//! - tokens: the `GIT_AUTH_TOKEN.<host>` or `GIT_AUTH_TOKEN` secret answers git's credential
//!   requests for the private hosts (read from the secret file when git asks, never put in the
//!   environment);
//! - a CA: with the `ca` secret, go and git trust the system's CAs plus that one
//!   (`SSL_CERT_FILE`, `GIT_SSL_CAINFO` on a bundle in a tmpfs).
//!
//! After a failing command it explains the usual failures (missing credentials, unknown host
//! key, public proxy asked for a private module, unknown CA, no network, no git) with the flag
//! that fixes each. It prints fixed texts only: nothing from the command's output, so no
//! credential can be echoed.
//!
//! Not for: deciding which RUNs are wrapped (`plan::private`) or running anything.

/// Where the wrapper keeps its files: a tmpfs mount on every wrapped RUN.
pub const WORK_DIR: &str = "/run/gofront";
/// Where BuildKit mounts secrets by default (`/run/secrets/<id>`).
pub const SECRETS_DIR: &str = "/run/secrets";

/// The published ssh host keys of the public forges (checked against the fingerprints they
/// publish: github.com SHA256:+DiY3w.., p2QAMX.., uNiVzt..; gitlab.com eUXGGm.., HbW3g8..,
/// ROQFvP..; bitbucket.org ybgmFk.., FC73VB.., 46OSHA..).
pub const KNOWN_HOSTS: [&str; 9] = [
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
    "github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
    "gitlab.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf",
    "gitlab.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFSMqzJeV9rUzU4kWitGjeR4PWSa29SPqJ1fVkhtj3Hw9xjLVXVYrU9QlYWrOLXBpQ6KWjbjTDTdDkoohFzgbEY=",
    "gitlab.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCsj2bNKTBSpIYDEGk9KxsGh3mySTRgMtXL583qmBpzeQ+jqCMRgBqB98u3z++J1sKlXHWfM9dyhSevkMwSbhoR8XIq/U0tCNyokEi/ueaBMCvbcTHhO7FcwzY92WK4Yt0aGROY5qX2UKSeOvuP4D6TPqKF1onrSzH9bx9XUf2lEdWT/ia1NEKjunUqu1xOB/StKDHMoX4/OKyIzuS0q/T1zOATthvasJFoPrAjkohTyaDUz2LN5JoH839hViyEG82yB+MjcFV5MU3N1l1QL3cVUCh93xSaua1N85qivl+siMkPGbO5xR/En4iEY6K2XPASUEMaieWVNTRCtJ4S8H+9",
    "bitbucket.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIazEu89wgQZ4bqs3d63QSMzYVa0MuJ2e2gKTKqu+UUO",
    "bitbucket.org ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPIQmuzMBuKdWeF4+a2sjSSpBK0iqitSQ+5BM9KhpexuGt20JpTVM7u5BDZngncgrqDMbWdxMWWOGtZ9UgbqgZE=",
    "bitbucket.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDQeJzhupRu0u0cdegZIa8e86EG2qOCsIsD1Xw0xSeiPDlCr7kq97NLmMbpKTX6Esc30NuoqEEHCuc7yWtwp8dI76EEEB1VqY9QJq6vk+aySyboD5QF61I/1WeTwu+deCbgKMGbUijeXhtfbxSxm6JwGrXrhBdofTsbKRUsrN1WoNgUa8uqN1Vx6WAJw1JHPhglEGGHea6QICwJOAr/6mrui/oB7pkaWKHj3z7d1IC4KWLtY47elvjbaTlkN04Kc/5LFEirorGYVbt15kAUlqGM65pk6ZBxtaO3+30LVlORZkxOh+LKL/BvbZ/iRNhItLqNyieoQj/uh/7Iv4uyH/cV/0b4WDSd3DptigWq84lJubb9t/DnZlrJazxyDCulTmKdOR7vs9gMTo+uoIrPSb8ScTtvw65+odKAlBj59dhnVp9zd7QUojOpXlL62Aw56U4oO+FALuevvMjiWeavKhJqlR7i5n9srYcrNV7ttmDw7kf/97P5zauIhxcjX+xHv4M=",
];

/// The secret ids the wrapper reads (mounted, optional, at `/run/secrets/<id>`), besides the
/// per-host tokens and `netrc` (mounted at `~/.netrc`).
pub const SECRET_KNOWN_HOSTS: &str = "known_hosts";
/// The CA secret id.
pub const SECRET_CA: &str = "ca";
/// The token secret id (BuildKit's own name), and its per-host form `GIT_AUTH_TOKEN.<host>`.
pub const SECRET_TOKEN: &str = "GIT_AUTH_TOKEN";
/// The netrc secret id.
pub const SECRET_NETRC: &str = "netrc";

/// One usual failure: what the command printed (a `grep -E` pattern), and the fix.
const EXPLANATIONS: [(&str, &str); 8] = [
    (
        "terminal prompts disabled|could not read Username|Authentication failed",
        "git needs credentials for a private module. Give them to the build: --ssh default (an ssh agent with your key; gofront then uses ssh for the GOPRIVATE hosts), --secret id=netrc,src=$HOME/.netrc, or --secret id=GIT_AUTH_TOKEN,env=GITHUB_TOKEN (or id=GIT_AUTH_TOKEN.<host>).",
    ),
    (
        "Permission denied \\(publickey",
        "the ssh server refused the key: pass an agent that holds an accepted key with --ssh default (check `ssh-add -l`).",
    ),
    (
        "Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED",
        "the ssh host key of the module's server is not known. gofront trusts the published keys of github.com, gitlab.com and bitbucket.org; for another host pass --secret id=known_hosts,src=$HOME/.ssh/known_hosts (gofront never turns host key checking off).",
    ),
    (
        "410 Gone|verifying module|sum\\.golang\\.org|proxy\\.golang\\.org.*(404|not found)",
        "a private module was looked up in the public proxy or checksum database: pass --build-arg GOPRIVATE=<host>/<org>/* (or GONOPROXY and GONOSUMDB).",
    ),
    (
        "x509: certificate signed by unknown authority|certificate verify failed|server certificate verification failed|unable to get local issuer certificate",
        "a server's TLS certificate is signed by a CA the image does not trust: pass it with --secret id=ca,src=corp-ca.pem (used only while modules are fetched, never in the image).",
    ),
    (
        "401 Unauthorized|403 Forbidden",
        "the module proxy or git server refused the request: give credentials with --secret id=netrc,src=$HOME/.netrc (or --secret id=GIT_AUTH_TOKEN,...).",
    ),
    (
        "no such host|connection refused|i/o timeout|Could not resolve host|network is unreachable",
        "a module server could not be reached from the build: check --network, GOPROXY, and the HTTP_PROXY/HTTPS_PROXY/NO_PROXY build args.",
    ),
    (
        "\"git\": executable file not found|git: not found|git: command not found",
        "the image has no git, which the go command needs for modules fetched directly (GOPRIVATE): install git in the image (apt-get install git / apk add git) or serve the module through a GOPROXY.",
    ),
];

/// `'text'` for the shell (single quotes, `'` written as `'\''`).
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// True for a host name gofront can write into git configuration and secret ids: letters,
/// digits, `.` and `-` (no wildcard, port or user).
pub fn is_literal_host(host: &str) -> bool {
    !host.is_empty()
        && !host.starts_with(['.', '-'])
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// The wrapper for one build, a script file run as `/bin/sh <script> <command>`: it runs the RUN's
/// own command text the way the RUN would, with `/bin/sh -c <command>`, after the setup. `hosts`
/// are the literal private hosts (GOPRIVATE, GONOPROXY); `fetch_setup` is false when the private
/// rewrite is off (the script then only seeds caches, see [`seed_functions`]).
pub fn script(hosts: &[String], fetch_setup: bool) -> String {
    script_in(hosts, fetch_setup, WORK_DIR, SECRETS_DIR, SEED_DIR)
}

/// [`script`] with other directories (tests run it outside a container).
fn script_in(hosts: &[String], fetch_setup: bool, work: &str, secrets: &str, seed: &str) -> String {
    let hosts: Vec<&str> = hosts
        .iter()
        .map(String::as_str)
        .filter(|h| is_literal_host(h))
        .collect();
    let mut s = String::new();
    s.push_str(
        "# gofront: step setup for this step only (see docs/rewrites.md, `private` and `deps`)\n",
    );
    if fetch_setup {
        s.push_str(&setup_function(&hosts, work, secrets));
        s.push_str(&explain_function());
    } else {
        s.push_str("gofront_setup() { :; }\ngofront_explain() { :; }\n");
    }
    s.push_str(&seed_functions(seed));
    s.push_str("gofront_setup\ngofront_seed_before\n");
    s.push_str("gofront_command() { /bin/sh -c \"$1\"; }\n");
    s.push_str(&format!(
        "if [ -w {work} ] && command -v tee >/dev/null 2>&1 && command -v mkfifo >/dev/null 2>&1 && mkfifo {work}/stderr.$$.fifo 2>/dev/null; then\n"
    ));
    s.push_str(&format!(
        "  tee {work}/stderr.$$ <{work}/stderr.$$.fifo >&2 &\n  gofront_command \"$1\" 2>{work}/stderr.$$.fifo\n  gofront_rc=$?\n  wait\n  [ \"$gofront_rc\" -eq 0 ] || gofront_explain {work}/stderr.$$\n  rm -f {work}/stderr.$$ {work}/stderr.$$.fifo\nelse\n  gofront_command \"$1\"\n  gofront_rc=$?\nfi\n[ \"$gofront_rc\" -ne 0 ] || gofront_seed_after\nexit \"$gofront_rc\"\n"
    ));
    s
}

/// Where the deps step keeps, in its own layer, what an ephemeral builder's next build needs:
/// the downloaded modules (`mod/`, the module cache's `cache/download`) and the compiled
/// dependency packages (`go-build/`, a build cache).
pub const SEED_DIR: &str = "/gofront-seed";

/// The seed functions, driven by process env the planner sets (nothing happens without it):
///
/// - `GOFRONT_SEED=save` (the deps step): when the build cache mount `GOFRONT_GOCACHE` has never
///   been used by a gofront build (a fresh builder), the step compiles into the seed directory
///   (`GOCACHE` points there), and after the command succeeds it precompiles
///   `GOFRONT_PRECOMPILE` (packages, in `GOFRONT_PRECOMPILE_DIR`, with `GOFRONT_PRECOMPILE_FLAGS`
///   and `GOFRONT_PRECOMPILE_ENV`; failures ignored: it only fills a cache) and copies the
///   module downloads of `GOFRONT_GOMODCACHE` there. On a used builder it does nothing: the
///   cache mounts already hold all of it.
/// - `GOFRONT_SEED=load` (the go RUNs after it): when the seed directory exists and this seed
///   (`GOFRONT_SEED_ID`) was not copied into the mounts yet, it copies it without replacing
///   anything (`cp -n`); it marks the build cache as used by gofront.
fn seed_functions(seed: &str) -> String {
    format!(
        r#"gofront_seed_before() {{
  case "${{GOFRONT_SEED:-}}" in
  save)
    if [ -n "${{GOFRONT_GOCACHE:-}}" ] && [ ! -e "$GOFRONT_GOCACHE/gofront-used" ] && mkdir -p {seed}/go-build {seed}/mod 2>/dev/null; then
      gofront_cold=1
      GOCACHE={seed}/go-build
      export GOCACHE
    fi ;;
  load)
    if [ -n "${{GOFRONT_GOCACHE:-}}" ] && [ -d {seed} ] && [ ! -e "$GOFRONT_GOCACHE/gofront-seed.${{GOFRONT_SEED_ID:-}}" ]; then
      mkdir -p "$GOFRONT_GOCACHE" "$GOFRONT_GOMODCACHE/cache/download" 2>/dev/null
      cp -Rn {seed}/go-build/. "$GOFRONT_GOCACHE/" 2>/dev/null
      cp -Rn {seed}/mod/. "$GOFRONT_GOMODCACHE/cache/download/" 2>/dev/null
      : >"$GOFRONT_GOCACHE/gofront-seed.${{GOFRONT_SEED_ID:-}}" 2>/dev/null
    fi
    if [ -n "${{GOFRONT_GOCACHE:-}}" ] && [ -d "$GOFRONT_GOCACHE" ]; then : >"$GOFRONT_GOCACHE/gofront-used" 2>/dev/null; fi ;;
  esac
  return 0
}}
gofront_seed_after() {{
  [ "${{GOFRONT_SEED:-}}" = save ] && [ -n "${{gofront_cold:-}}" ] || return 0
  if [ -n "${{GOFRONT_PRECOMPILE:-}}" ]; then
    (cd "${{GOFRONT_PRECOMPILE_DIR:-.}}" && env ${{GOFRONT_PRECOMPILE_ENV:-}} go list -e -export -f '' ${{GOFRONT_PRECOMPILE_FLAGS:-}} $GOFRONT_PRECOMPILE) >/dev/null 2>&1
  fi
  if [ -d "${{GOFRONT_GOMODCACHE:-}}/cache/download" ]; then
    cp -R "$GOFRONT_GOMODCACHE/cache/download/." {seed}/mod/ 2>/dev/null
  fi
  return 0
}}
"#
    )
}

fn setup_function(hosts: &[&str], work: &str, secrets: &str) -> String {
    let mut s = String::from("gofront_setup() {\n");
    s.push_str(&format!("  [ -w {work} ] || return 0\n"));
    let lines: Vec<String> = KNOWN_HOSTS.iter().map(|l| quote(l)).collect();
    s.push_str(&format!(
        "  printf '%s\\n' {} >{work}/known_hosts\n",
        lines.join(" ")
    ));
    s.push_str(&format!(
        "  if [ -z \"${{GIT_SSH_COMMAND:-}}\" ] && [ -z \"${{GIT_SSH:-}}\" ]; then\n    GIT_SSH_COMMAND=\"ssh -o 'UserKnownHostsFile={work}/known_hosts {secrets}/{SECRET_KNOWN_HOSTS} ~/.ssh/known_hosts ~/.ssh/known_hosts2'\"\n    export GIT_SSH_COMMAND\n  fi\n"
    ));
    if !hosts.is_empty() {
        // Only when the Dockerfile has no git config variables of its own.
        s.push_str("  if [ -z \"${GIT_CONFIG_COUNT:-}\" ]; then\n    n=0\n");
        let list = hosts.join(" ");
        s.push_str(&format!(
            "    if [ -S \"${{SSH_AUTH_SOCK:-}}\" ]; then\n      for h in {list}; do\n        export \"GIT_CONFIG_KEY_$n=url.ssh://git@$h/.insteadOf\" \"GIT_CONFIG_VALUE_$n=https://$h/\"\n        n=$((n + 1))\n      done\n    fi\n"
        ));
        s.push_str(&format!(
            "    for h in {list}; do\n      t={secrets}/{SECRET_TOKEN}.$h\n      [ -f \"$t\" ] || t={secrets}/{SECRET_TOKEN}\n      if [ -f \"$t\" ]; then\n        export \"GIT_CONFIG_KEY_$n=credential.https://$h.helper\" \"GIT_CONFIG_VALUE_$n=!f() {{ test \\\"\\$1\\\" = get || exit 0; echo username=x-access-token; printf 'password=%s\\\\n' \\\"\\$(cat $t)\\\"; }}; f\"\n        n=$((n + 1))\n      fi\n    done\n"
        ));
        s.push_str("    [ \"$n\" -eq 0 ] || export GIT_CONFIG_COUNT=\"$n\"\n  fi\n");
    }
    s.push_str(&format!(
        "  if [ -f {secrets}/{SECRET_CA} ]; then\n    for f in \"${{SSL_CERT_FILE:-}}\" /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem; do\n      if [ -n \"$f\" ] && [ -f \"$f\" ]; then cat \"$f\"; break; fi\n    done >{work}/ca.pem\n    cat {secrets}/{SECRET_CA} >>{work}/ca.pem\n    SSL_CERT_FILE={work}/ca.pem GIT_SSL_CAINFO={work}/ca.pem\n    export SSL_CERT_FILE GIT_SSL_CAINFO\n  fi\n"
    ));
    s.push_str("}\n");
    s
}

fn explain_function() -> String {
    let mut s = String::from("gofront_explain() {\n");
    for (pattern, fix) in EXPLANATIONS {
        debug_assert!(!pattern.contains('\''));
        s.push_str(&format!(
            "  if grep -Eq {} \"$1\" 2>/dev/null; then echo {} >&2; fi\n",
            quote(pattern),
            quote(&format!("gofront: {fix}"))
        ));
    }
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests;
