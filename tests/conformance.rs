//! Differential conformance suite (issue 3, "Done when"): every case under
//! `tests/conformance/<case>/` is built with BuildKit's stock `dockerfile.v0` frontend and with
//! gofront, and the results must be identical: flattened filesystem (path, type, mode, uid/gid,
//! size, sha256, link target), layer count and image config (Env, Cmd, Entrypoint, WorkingDir,
//! User, ExposedPorts, Volumes, Labels, Healthcheck, StopSignal, Shell, OnBuild, ArgsEscaped,
//! history `created_by`/`empty_layer`). Failing cases must fail on both sides, and gofront's
//! error output must name the same Dockerfile line.
//!
//! Setup (needs Docker with BuildKit and the offline base images `busybox:latest`,
//! `debian:bookworm-slim`, `golang:1.22`): run `scripts/test.sh` once (test bed, see
//! `docs/testbed.md`), build the frontend image with `scripts/frontend-image.sh gofront:dev`.
//!
//! Environment:
//! - `GOFRONT_IMAGE` — frontend image for the gofront side (default `gofront:dev`).
//! - `GOFRONT_CONFORMANCE_FRONTEND=stock` — the "gofront" side uses the stock frontend too
//!   (validates the harness and the cases; the known-gaps list is then ignored).
//! - `GOFRONT_CONFORMANCE_NO_CACHE=1` — build the second side with `--no-cache` (proves a case's
//!   result does not depend on cache hits).
//! - `GOFRONT_CONFORMANCE_IGNORE_GAPS=1` — treat known gaps like any other case (triage).
//! - `GOFRONT_CONFORMANCE_SKIP_NAMES=1` — do not compare step names (`[stage 2/3] RUN ...`, from
//!   `--progress=rawjson`); by default they must be the same set on both sides.
//! - `CI` — a missing Docker engine fails every case instead of skipping it.
//!
//! Where gofront deliberately follows a newer Dockerfile frontend (1.20-1.28) than the daemon's
//! built-in one (1.19 on Docker 28.5), `case.json` states the newer result under `newer` and the
//! comparison expects exactly that (`support/newer.rs`; the list is `docs/dockerfile-versions.md`).
//! `GOFRONT_IMAGE=dockerfile-upstream:1.26.0` checks those expectations against an upstream
//! frontend built from the public BuildKit source.
//!
//! `tests/conformance/KNOWN_GAPS` lists cases gofront does not pass yet (one per line:
//! `<case> <reason>`). Such a case still runs; it must still differ (`XFAIL`), and the test fails
//! when it unexpectedly passes so that the list stays honest. `tests/conformance/triage.sh`
//! runs the whole suite against an image and prints which cases pass.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use support::build::{
    BuildOutcome, BuildRequest, Frontend, Output, Progress, RemoteContext, Secret,
};
use support::diff::diff_images;
use support::docker::{require_docker, require_images};
use support::image::read_oci_tar;
use support::newer::{apply_to_stock, check_success, NewerSpec};
use support::progress::{step_names, summary_vertex_names};

/// `case.json`: everything a case needs besides its Dockerfile and context.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CaseSpec {
    /// What the case pins (documentation only).
    description: String,
    /// Dockerfile name inside the case directory (default `Dockerfile`).
    dockerfile: Option<String>,
    /// Context directory relative to the case directory (default: `context` when it exists,
    /// else the case directory itself).
    context: Option<String>,
    /// `--build-arg` values.
    build_args: BTreeMap<String, String>,
    /// `--target`.
    target: Option<String>,
    /// `--platform`.
    platform: Option<String>,
    /// `--network host`.
    network_host: bool,
    /// `--secret id=<key>,src=<case dir>/<value>`.
    secrets: BTreeMap<String, String>,
    /// `--build-context name=value`: a value containing `://` is passed as is (e.g.
    /// `docker-image://busybox:latest`), anything else is a directory relative to the case.
    build_contexts: BTreeMap<String, String>,
    /// Further `docker buildx build` arguments (e.g. `--label`, `--add-host`, `--shm-size`).
    extra_args: Vec<String>,
    /// Directory (relative to the case) served over HTTP on 127.0.0.1 during the case; its base
    /// URL is passed as the build arg `HTTP_BASE` (same server for both sides).
    serve: Option<String>,
    /// Directory (relative to the case) turned into a one-commit git repository (fixed author and
    /// dates, branch `main`) served over dumb HTTP on 127.0.0.1; its URL (ending in `.git`) is
    /// passed as the build arg `GIT_BASE`.
    git_repo: Option<String>,
    /// A remote build context: the context argument becomes `<served base URL>/<value>` (e.g.
    /// `repo.git#main:sub` with `git_repo`, `ctx.tar.gz` with `serve`); `dockerfile` then only
    /// names the case's local copy (for base images), and `-f` is `remote_dockerfile`, if any.
    remote_context: Option<String>,
    /// `-f` value inside the remote context.
    remote_dockerfile: Option<String>,
    /// `{"name": "dir"}`: before the case, `dir` (relative to the case, with its own
    /// `Dockerfile`) is built with the stock frontend into an OCI layout directory, passed to
    /// both sides as `--build-context name=oci-layout://<layout>`.
    oci_layouts: BTreeMap<String, String>,
    /// The build must fail.
    fail: Option<FailSpec>,
    /// Where gofront follows a newer Dockerfile frontend than the daemon's built-in one: what
    /// the newest frontend gives instead (see `support/newer.rs`).
    newer: Option<NewerSpec>,
}

/// Expected failure of a case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FailSpec {
    /// Dockerfile line the error output must name (None: the error names no line).
    line: Option<u32>,
    /// Substring the stock error output contains (checks the case itself).
    message: Option<String>,
}

/// A loaded case.
struct Case {
    dir: PathBuf,
    spec: CaseSpec,
}

fn cases_dir() -> PathBuf {
    support::repo_root().join("tests").join("conformance")
}

fn load_case(name: &str) -> Case {
    let dir = cases_dir().join(name);
    let spec_path = dir.join("case.json");
    let spec = if spec_path.exists() {
        let text = std::fs::read_to_string(&spec_path)
            .unwrap_or_else(|e| panic!("{name}: cannot read case.json: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: invalid case.json: {e}"))
    } else {
        CaseSpec::default()
    };
    Case { dir, spec }
}

impl Case {
    fn dockerfile(&self) -> PathBuf {
        self.dir
            .join(self.spec.dockerfile.as_deref().unwrap_or("Dockerfile"))
    }

    fn context(&self) -> PathBuf {
        match &self.spec.context {
            Some(c) => self.dir.join(c),
            None if self.dir.join("context").is_dir() => self.dir.join("context"),
            None => self.dir.clone(),
        }
    }

    /// Base images named in the Dockerfile that must exist locally.
    fn base_images(&self) -> Vec<&'static str> {
        let text = std::fs::read_to_string(self.dockerfile()).unwrap_or_default();
        ["busybox:latest", "debian:bookworm-slim", "golang:1.22"]
            .into_iter()
            .filter(|img| {
                let short = img.trim_end_matches(":latest");
                text.contains(img) || text.split_whitespace().any(|w| w == short)
            })
            .collect()
    }

    fn request(
        &self,
        frontend: Frontend,
        out: Output,
        no_cache: bool,
        http_base: Option<&str>,
    ) -> BuildRequest {
        let mut req = BuildRequest::new(self.context());
        req.frontend = frontend;
        req.dockerfile = self.dockerfile();
        req.build_args = self
            .spec
            .build_args
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(base) = http_base {
            let (arg, value) = if self.spec.git_repo.is_some() {
                ("GIT_BASE", format!("{base}/repo.git"))
            } else {
                ("HTTP_BASE", base.to_string())
            };
            req.build_args.push((arg.to_string(), value));
            if let Some(path) = &self.spec.remote_context {
                req.remote = Some(RemoteContext {
                    url: format!("{base}/{path}"),
                    dockerfile: self.spec.remote_dockerfile.clone(),
                });
            }
        }
        req.build_contexts = self
            .spec
            .build_contexts
            .iter()
            .map(|(name, value)| {
                let value = if value.contains("://") {
                    value.clone()
                } else {
                    self.dir.join(value).display().to_string()
                };
                (name.clone(), value)
            })
            .collect();
        req.extra_args = self.spec.extra_args.clone();
        req.target = self.spec.target.clone();
        req.platform = self.spec.platform.clone();
        req.network_host = self.spec.network_host;
        req.no_cache = no_cache;
        req.secrets = self
            .spec
            .secrets
            .iter()
            .map(|(id, src)| Secret {
                id: id.clone(),
                src: self.dir.join(src),
            })
            .collect();
        req.output = out;
        // rawjson: step names are compared; buildx still prints the error snippet as text.
        req.progress = Progress::RawJson;
        req
    }
}

/// How the second ("gofront") side is built in this run.
struct SecondSide {
    frontend: Frontend,
    no_cache: bool,
    honour_gaps: bool,
    name: &'static str,
}

fn env_flag(name: &str) -> bool {
    std::env::var(name)
        .map(|v| !v.is_empty() && v != "0" && v != "false")
        .unwrap_or(false)
}

fn second_side() -> SecondSide {
    let stock = std::env::var("GOFRONT_CONFORMANCE_FRONTEND")
        .map(|v| v == "stock")
        .unwrap_or(false);
    SecondSide {
        frontend: if stock {
            Frontend::Stock
        } else {
            Frontend::gofront()
        },
        no_cache: env_flag("GOFRONT_CONFORMANCE_NO_CACHE"),
        honour_gaps: !stock && !env_flag("GOFRONT_CONFORMANCE_IGNORE_GAPS"),
        name: if stock { "stock#2" } else { "gofront" },
    }
}

/// Known gaps: case name → reason.
fn known_gaps() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(cases_dir().join("KNOWN_GAPS")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((n, r)) => (n.to_string(), r.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

fn describe(outcome: &BuildOutcome) -> String {
    format!("$ {}\n{}", outcome.command, outcome.tail(30))
}

/// Problems with the case itself (stock behaves unlike the case says): always a test failure.
fn check_stock(case: &Case, stock: &BuildOutcome) -> Result<(), String> {
    match (&case.spec.fail, stock.success) {
        (None, true) => Ok(()),
        (None, false) => Err(format!("stock build failed:\n{}", describe(stock))),
        (Some(_), true) => Err("stock build succeeded but case.json expects a failure".into()),
        (Some(f), false) => {
            let lines = stock.error_dockerfile_lines();
            if let Some(line) = f.line {
                if !lines.contains(&line) {
                    return Err(format!(
                        "stock error names lines {lines:?}, case.json expects {line}:\n{}",
                        describe(stock)
                    ));
                }
            }
            if let Some(msg) = &f.message {
                if !stock.log.contains(msg.as_str()) {
                    return Err(format!("stock error lacks {msg:?}:\n{}", describe(stock)));
                }
            }
            Ok(())
        }
    }
}

/// Step (vertex) names only one side reported, e.g. `[build 2/3] RUN ...` (progress names are
/// part of what the frontend must reproduce).
fn diff_step_names(
    stock: &BuildOutcome,
    other: &BuildOutcome,
    ignore: Option<&str>,
    names: (&str, &str),
) -> Vec<String> {
    let left = step_names(&stock.log, None);
    let right = step_names(&other.log, ignore);
    let mut out: Vec<String> = left
        .difference(&right)
        .map(|n| format!("step name only in {}: {n:?}", names.0))
        .collect();
    out.extend(
        right
            .difference(&left)
            .map(|n| format!("step name only in {}: {n:?}", names.1)),
    );
    out
}

/// Compares the second side with stock; Err explains the difference.
/// One side's build: its outcome and the OCI tarball it exported.
struct Built<'a> {
    outcome: &'a BuildOutcome,
    tar: &'a Path,
}

fn compare(
    case: &Case,
    stock_side: Built,
    other_side: Built,
    names: (&str, &str),
    ignore_in_names: Option<&str>,
    newer: Option<&NewerSpec>,
) -> Result<(), String> {
    let (stock, stock_tar) = (stock_side.outcome, stock_side.tar);
    let (other, other_tar) = (other_side.outcome, other_side.tar);
    if let Some(n) = newer {
        if let Some(msg) = &n.fails {
            if other.success {
                return Err(format!(
                    "{} succeeded but Dockerfile {} fails",
                    names.1, n.since
                ));
            }
            if !other.log.contains(msg.as_str()) {
                return Err(format!(
                    "{} error lacks {msg:?}:\n{}",
                    names.1,
                    describe(other)
                ));
            }
            return Ok(());
        }
        if n.succeeds {
            if !other.success {
                return Err(format!(
                    "{} build failed where Dockerfile {} succeeds:\n{}",
                    names.1,
                    n.since,
                    describe(other)
                ));
            }
            let right = read_oci_tar(other_tar)
                .map_err(|e| format!("{} image unreadable: {e}", names.1))?;
            let diffs = check_success(n, &right);
            return if diffs.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{} difference(s):\n  {}",
                    diffs.len(),
                    diffs.join("\n  ")
                ))
            };
        }
    }
    if let Some(f) = &case.spec.fail {
        if other.success {
            return Err(format!("{} succeeded but stock fails", names.1));
        }
        if let Some(line) = f.line {
            let lines = other.error_dockerfile_lines();
            if !lines.contains(&line) {
                return Err(format!(
                    "{} error names Dockerfile lines {lines:?}, stock names {line}:\n{}\nstock: {:?}",
                    names.1,
                    describe(other),
                    stock.error_lines()
                ));
            }
        }
        return Ok(());
    }
    if !other.success {
        return Err(format!("{} build failed:\n{}", names.1, describe(other)));
    }
    let mut left = read_oci_tar(stock_tar).map_err(|e| format!("stock image unreadable: {e}"))?;
    let right =
        read_oci_tar(other_tar).map_err(|e| format!("{} image unreadable: {e}", names.1))?;
    let mut diffs = Vec::new();
    if let Some(n) = newer {
        apply_to_stock(n, &mut left)?;
        if n.created.is_some() {
            for (l, r) in left.iter().zip(&right) {
                if l.created != r.created {
                    diffs.push(format!(
                        "created: newer {:?} vs {} {:?}",
                        l.created, names.1, r.created
                    ));
                }
            }
        }
    }
    diffs.extend(diff_images(&left, &right, names));
    if !env_flag("GOFRONT_CONFORMANCE_SKIP_NAMES") {
        diffs.extend(diff_step_names(stock, other, ignore_in_names, names));
    }
    // Rewriting off means passthrough: not even a decision may be shown.
    if case
        .dir
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("go_off_"))
    {
        diffs.extend(
            summary_vertex_names(&other.log)
                .into_iter()
                .map(|n| format!("rewrite decision shown although rewriting is off: {n:?}")),
        );
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} difference(s):\n  {}",
            diffs.len(),
            diffs.join("\n  ")
        ))
    }
}

/// Creates `<tmp>/git-srv/repo.git` (bare, dumb-HTTP ready) holding one commit of `files`, with
/// fixed identities and dates so that the commit id is the same on every run. Returns the
/// directory to serve.
fn make_git_repo(files: &Path, tmp: &Path) -> Result<PathBuf, String> {
    let work = tmp.join("git-work");
    let srv = tmp.join("git-srv");
    std::fs::create_dir_all(&srv).map_err(|e| e.to_string())?;
    let copy = std::process::Command::new("cp")
        .arg("-a")
        .arg(files)
        .arg(&work)
        .status()
        .map_err(|e| e.to_string())?;
    if !copy.success() {
        return Err(format!("cp -a {} failed", files.display()));
    }
    let git = |dir: &Path, args: &[&str]| -> Result<(), String> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "conformance")
            .env("GIT_AUTHOR_EMAIL", "conformance@example.com")
            .env("GIT_COMMITTER_NAME", "conformance")
            .env("GIT_COMMITTER_EMAIL", "conformance@example.com")
            .env("GIT_AUTHOR_DATE", "2020-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2020-01-01T00:00:00Z")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", tmp)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    git(&work, &["init", "-q", "-b", "main"])?;
    git(&work, &["add", "-A"])?;
    git(&work, &["commit", "-q", "-m", "conformance fixture"])?;
    let bare = srv.join("repo.git");
    let bare_str = bare.display().to_string();
    git(&work, &["clone", "-q", "--bare", ".", &bare_str])?;
    git(&bare, &["update-server-info"])?;
    Ok(srv)
}

/// Builds one case on both sides and checks the verdict against the known-gaps list.
fn run_case(name: &str) {
    if !require_docker(name) {
        return;
    }
    let mut case = load_case(name);
    assert!(
        case.dockerfile().is_file(),
        "{name}: no Dockerfile at {}",
        case.dockerfile().display()
    );
    require_images(name, &case.base_images());
    let side = second_side();
    if let Frontend::Image(img) = &side.frontend {
        assert!(
            support::docker::image_exists(img),
            "{name}: frontend image {img} is not in the local image store: build it with \
             scripts/frontend-image.sh {img} (or set GOFRONT_IMAGE, or \
             GOFRONT_CONFORMANCE_FRONTEND=stock to validate the cases)"
        );
    }
    let tmp = support::build::scratch_dir(&format!("conformance-{name}-"));
    let stock_tar = tmp.path().join("stock.tar");
    let other_tar = tmp.path().join("other.tar");

    for (ctx, dir) in case.spec.oci_layouts.clone() {
        let layout = make_oci_layout(&case.dir.join(dir), &tmp.path().join(format!("oci-{ctx}")))
            .unwrap_or_else(|e| panic!("{name}: cannot create the OCI layout: {e}"));
        case.spec
            .build_contexts
            .insert(ctx, format!("oci-layout://{}", layout.display()));
    }
    let served_dir = match (&case.spec.serve, &case.spec.git_repo) {
        (Some(dir), _) => Some(case.dir.join(dir)),
        (None, Some(repo)) => Some(
            make_git_repo(&case.dir.join(repo), tmp.path())
                .unwrap_or_else(|e| panic!("{name}: cannot create the git repository: {e}")),
        ),
        (None, None) => None,
    };
    let server = served_dir.map(|dir| {
        support::http::StaticServer::start(&dir).unwrap_or_else(|e| panic!("{name}: {e}"))
    });
    let http_base = server.as_ref().map(support::http::StaticServer::base_url);
    let stock = case
        .request(
            Frontend::Stock,
            Output::OciTar(stock_tar.clone()),
            false,
            http_base.as_deref(),
        )
        .run()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Err(e) = check_stock(&case, &stock) {
        panic!(
            "{name}: the case itself is wrong ({}): {e}",
            case.spec.description
        );
    }
    let other = case
        .request(
            side.frontend.clone(),
            Output::OciTar(other_tar.clone()),
            side.no_cache,
            http_base.as_deref(),
        )
        .run()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut verdict = compare(
        &case,
        Built {
            outcome: &stock,
            tar: &stock_tar,
        },
        Built {
            outcome: &other,
            tar: &other_tar,
        },
        ("stock", side.name),
        match &side.frontend {
            Frontend::Image(img) => Some(img.as_str()),
            Frontend::Stock => None,
        },
        // Newer expectations describe a frontend image, never the stock one.
        match &side.frontend {
            Frontend::Image(_) => case.spec.newer.as_ref(),
            Frontend::Stock => None,
        },
    );
    if let Frontend::Image(img) = &side.frontend {
        // Never let a silently ignored BUILDKIT_SYNTAX pass as conformance.
        if !other.log.contains(img.as_str()) {
            verdict = Err(format!(
                "the build log never mentions frontend image {img}: was BUILDKIT_SYNTAX honoured?\n{}",
                describe(&other)
            ));
        }
    }
    println!(
        "{name}: stock {:.1}s, {} {:.1}s",
        stock.elapsed.as_secs_f64(),
        side.name,
        other.elapsed.as_secs_f64()
    );

    let gap = if side.honour_gaps {
        known_gaps().get(name).cloned()
    } else {
        None
    };
    match (verdict, gap) {
        (Ok(()), None) => println!("PASS {name}"),
        (Err(e), None) => {
            // One greppable line for triage.sh, then the full explanation.
            println!("MISMATCH {name}: {}", e.lines().next().unwrap_or_default());
            panic!(
                "{name} ({}): {} differs from stock\n{e}",
                case.spec.description, side.name
            )
        }
        (Err(e), Some(reason)) => {
            println!("XFAIL {name}: known gap: {reason}\n{e}");
        }
        (Ok(()), Some(reason)) => panic!(
            "{name}: listed in tests/conformance/KNOWN_GAPS ({reason}) but now passes: \
             remove it from the list"
        ),
    }
}

/// Builds `dir` (its `Dockerfile`, stock frontend) into the OCI layout directory `dest`.
fn make_oci_layout(dir: &Path, dest: &Path) -> Result<PathBuf, String> {
    let out = std::process::Command::new("docker")
        .args([
            "buildx",
            "build",
            "--progress=plain",
            "-t",
            "layout:latest",
            "--output",
        ])
        .arg(format!("type=oci,dest={},tar=false", dest.display()))
        .arg(dir)
        .env("DOCKER_BUILDKIT", "1")
        .output()
        .map_err(|e| format!("cannot run docker: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(dest.to_path_buf())
}

/// Declares the case list and one `#[test]` per case (the function name is the case directory).
macro_rules! conformance_cases {
    ($($case:ident),+ $(,)?) => {
        /// Every case directory, as declared.
        const CASES: &[&str] = &[$(stringify!($case)),+];
        $(
            #[test]
            fn $case() {
                run_case(stringify!($case));
            }
        )+
    };
}

conformance_cases!(
    add_chown_chmod_dir,
    add_exclude,
    add_git,
    add_git_fetch_by_commit,
    add_git_keep_git_dir,
    add_git_query_checksum,
    add_local_tar,
    add_unpack_false,
    add_unpack_http,
    add_url_checksum,
    arg_before_from,
    arg_before_from_build_arg_override,
    arg_env_precedence,
    arg_multiple_and_empty,
    arg_proxy_builtins,
    arg_scoping,
    arg_targetstage_last_stage,
    arg_targetstage_osversion,
    cli_labels_hosts_resources,
    cmd_empty_exec,
    cmd_exec_form,
    cmd_invalid_json_is_shell_form,
    cmd_json_trailing_text,
    cmd_shell_form,
    cmd_then_entrypoint,
    comments_and_blank_lines,
    copy_chmod_expanded,
    copy_chmod_symbolic,
    copy_chown_chmod,
    copy_dest_slash_rules,
    copy_dot_context,
    copy_env_expansion_in_paths,
    copy_exclude,
    copy_from_image,
    copy_from_stage_paths,
    copy_globs,
    copy_heredoc,
    copy_link,
    copy_link_chmod,
    copy_multiple_sources_no_slash,
    copy_parents,
    copy_parents_missing_path,
    copy_symlinks,
    debian_base_users,
    dockerignore_indented_hash,
    dockerignore_patterns,
    dockerignore_per_dockerfile,
    entrypoint_resets_inherited_cmd,
    entrypoint_shell_form,
    entrypoint_then_cmd,
    env_expansion_modifiers,
    env_forms,
    escape_directive,
    expose_forms,
    expose_ip_forms,
    fail_add_checksum_local,
    fail_add_checksum_mismatch,
    fail_bad_network_mode,
    fail_copy_from_later_stage,
    fail_copy_from_unknown_stage_index,
    fail_copy_missing_source,
    fail_empty_from,
    fail_healthcheck_bad_duration,
    fail_invalid_mount_type,
    fail_onbuild_from,
    fail_run_exit_code,
    fail_shell_not_json,
    fail_stopsignal_invalid,
    fail_unknown_flag,
    fail_unknown_instruction,
    fail_unknown_target,
    fail_unterminated_heredoc,
    from_busybox_inherits_config,
    from_platform_buildplatform_cross,
    from_platform_explicit,
    from_platform_targetplatform,
    from_previous_stage,
    from_scratch_copy,
    git_context_source_date_epoch,
    go_off_build_arg,
    go_off_directive,
    go_off_download_build,
    golang_base_env,
    healthcheck_cmd,
    healthcheck_shell_and_none,
    healthcheck_shell_form,
    healthcheck_start_interval,
    heredoc_chomp_shebang,
    heredoc_whitespace,
    label_empty_expose_case,
    label_forms,
    maintainer_author,
    multi_platform_scratch,
    multistage_target_middle,
    multistage_unused_stage_pruned,
    named_context_image,
    named_context_local,
    named_context_local_dockerignore,
    named_context_oci_layout,
    onbuild_copy_from_stage,
    onbuild_register,
    onbuild_trigger_runs,
    remote_git_context,
    remote_git_context_keep_git_dir,
    remote_git_context_subdir,
    remote_http_dockerfile,
    remote_http_plain_tar,
    remote_http_tarball,
    run_env_args_in_history,
    run_exec_form,
    run_heredoc_basic,
    run_heredoc_multiple,
    run_heredoc_shebang,
    run_mount_bind_context,
    run_mount_bind_from_image,
    run_mount_bind_from_stage_rw,
    run_mount_cache,
    run_mount_cache_from_stage,
    run_mount_secret,
    run_mount_secret_env,
    run_mount_ssh_optional,
    run_mount_ssh_options,
    run_mount_tmpfs,
    run_network_modes,
    run_secret_env_name_masked,
    run_security_sandbox,
    run_shell_form,
    shell_instruction,
    source_date_epoch_global_arg,
    stage_index_copy_from,
    stage_label_leak,
    stage_names_case_insensitive,
    stopsignal_forms,
    user_forms,
    volume_forms,
    workdir_forms,
    workdir_relative_copy,
);

/// Every directory under `tests/conformance/` is a declared case and vice versa.
#[test]
fn every_case_directory_is_declared() {
    let mut dirs: Vec<String> = std::fs::read_dir(cases_dir())
        .unwrap_or_else(|e| panic!("cannot list tests/conformance: {e}"))
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut declared: Vec<String> = CASES.iter().map(|s| s.to_string()).collect();
    declared.sort();
    assert_eq!(
        dirs, declared,
        "case directories and conformance_cases! differ"
    );
    assert!(
        CASES.len() >= 60,
        "issue 3 asks for at least 60 cases, have {}",
        CASES.len()
    );
}

/// Names of other e2e tests that honour `KNOWN_GAPS` too (tests/llb_digests.rs).
const NON_CASE_GAPS: &[&str] = &["llb_digests"];

/// Every case has a parseable case.json with a description, and known gaps name real cases.
#[test]
fn case_specs_and_known_gaps_are_valid() {
    for name in CASES {
        let case = load_case(name);
        assert!(
            !case.spec.description.trim().is_empty(),
            "{name}: case.json needs a description"
        );
        assert!(case.dockerfile().is_file(), "{name}: Dockerfile missing");
        assert!(case.context().is_dir(), "{name}: context missing");
        assert!(
            case.spec.remote_context.is_some() || (case.spec.remote_dockerfile.is_none()),
            "{name}: remote_dockerfile without remote_context"
        );
        assert!(
            case.spec.remote_context.is_none()
                || case.spec.serve.is_some()
                || case.spec.git_repo.is_some(),
            "{name}: remote_context needs serve or git_repo"
        );
    }
    for (gap, reason) in known_gaps() {
        assert!(
            CASES.contains(&gap.as_str()) || NON_CASE_GAPS.contains(&gap.as_str()),
            "KNOWN_GAPS names unknown case {gap:?}"
        );
        assert!(
            !reason.is_empty(),
            "KNOWN_GAPS entry {gap:?} needs a reason"
        );
    }
}

/// The comparison is not vacuous: two builds that differ in a file mode, a file's content and
/// an Env value are reported as different, and deletions in a later layer (whiteouts, opaque
/// directories) are applied when flattening.
#[test]
fn harness_detects_differences_and_applies_whiteouts() {
    let name = "harness_detects_differences_and_applies_whiteouts";
    if !require_docker(name) {
        return;
    }
    require_images(name, &["busybox:latest"]);
    let tmp = support::build::scratch_dir("conformance-harness-");
    let dir = tmp.path();
    let write = |file: &str, text: &str| {
        std::fs::write(dir.join(file), text).unwrap_or_else(|e| panic!("write {file}: {e}"));
    };
    write("f.txt", "content\n");
    write(
        "A.Dockerfile",
        "FROM busybox\nCOPY --chmod=0644 f.txt /f.txt\nENV X=1\n\
         RUN rm /bin/ls && mkdir -p /d/sub && echo a > /d/sub/a && echo same > /same\n\
         RUN rm -rf /d/sub && echo one > /d/one\n",
    );
    write(
        "B.Dockerfile",
        "FROM busybox\nCOPY --chmod=0600 f.txt /f.txt\nENV X=2\n\
         RUN rm /bin/ls && mkdir -p /d/sub && echo a > /d/sub/a && echo same > /same\n\
         RUN rm -rf /d/sub && echo two > /d/one\n",
    );
    let build = |df: &str| {
        let tar = dir.join(format!("{df}.tar"));
        let mut req = BuildRequest::new(dir);
        req.dockerfile = dir.join(df);
        req.output = Output::OciTar(tar.clone());
        let out = req.run().unwrap_or_else(|e| panic!("{e}"));
        assert!(out.success, "{df} failed:\n{}", out.tail(20));
        read_oci_tar(&tar).unwrap_or_else(|e| panic!("{df}: {e}"))
    };
    let (a, b) = (build("A.Dockerfile"), build("B.Dockerfile"));
    let fs = &a[0].fs;
    assert!(
        fs.contains_key("bin/busybox"),
        "base layer missing from the listing"
    );
    assert!(
        !fs.contains_key("bin/ls"),
        "whiteout of /bin/ls not applied"
    );
    assert!(!fs.contains_key("d/sub"), "removed directory still listed");
    assert!(
        !fs.contains_key("d/sub/a"),
        "file under removed directory still listed"
    );
    assert!(fs.contains_key("d/one") && fs.contains_key("same"));

    let diffs = diff_images(&a, &b, ("A", "B"));
    let text = diffs.join("\n");
    assert!(
        text.contains("/f.txt"),
        "mode difference not reported:\n{text}"
    );
    assert!(
        text.contains("/d/one"),
        "content difference not reported:\n{text}"
    );
    assert!(
        text.contains("config.Env"),
        "Env difference not reported:\n{text}"
    );
    assert!(
        text.contains("history["),
        "history difference not reported:\n{text}"
    );
    assert!(
        !text.contains("/same"),
        "identical file reported as different:\n{text}"
    );
    assert!(diff_images(&a, &a, ("A", "A")).is_empty());
}

/// The `go_off_*` cases switch the Go rewrites off (`--build-arg GOFRONT=off` or the
/// `# gofront=off` directive) and both sides get exactly the same arguments apart from the
/// frontend selection, so "off builds like stock" is checked with the switch really given.
#[test]
fn go_off_cases_give_both_sides_the_same_build_args() {
    let cases: Vec<&&str> = CASES.iter().filter(|n| n.starts_with("go_off_")).collect();
    assert!(cases.len() >= 2, "expected go_off_* cases, found {cases:?}");
    for name in cases {
        let case = load_case(name);
        let without_syntax = |args: Vec<String>| -> Vec<String> {
            let mut out = Vec::new();
            let mut i = 0;
            while i < args.len() {
                if args[i] == "--build-arg"
                    && args
                        .get(i + 1)
                        .is_some_and(|a| a.starts_with("BUILDKIT_SYNTAX="))
                {
                    i += 2;
                    continue;
                }
                out.push(args[i].clone());
                i += 1;
            }
            out
        };
        let stock = case
            .request(Frontend::Stock, Output::None, false, None)
            .args();
        let gofront = case
            .request(Frontend::gofront(), Output::None, false, None)
            .args();
        assert!(
            gofront.iter().any(|a| a.starts_with("BUILDKIT_SYNTAX=")),
            "{name}: the gofront side does not select the frontend image"
        );
        assert_eq!(
            without_syntax(stock.clone()),
            without_syntax(gofront),
            "{name}: the two sides get different arguments"
        );
        let off_arg = stock
            .windows(2)
            .any(|w| w[0] == "--build-arg" && w[1] == "GOFRONT=off");
        let directive = std::fs::read_to_string(case.dockerfile())
            .unwrap_or_default()
            .lines()
            .next()
            .is_some_and(|l| l.trim() == "# gofront=off");
        assert!(
            off_arg || directive,
            "{name}: neither --build-arg GOFRONT=off nor the # gofront=off directive"
        );
    }
}
