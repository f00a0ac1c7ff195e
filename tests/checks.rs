//! Differential suite of the build checks (issue 10, scope 3): every case under
//! `tests/checks/<case>/` is checked with the daemon's built-in Dockerfile frontend (1.19 on
//! Docker 28.5) and with gofront (`--build-arg BUILDKIT_SYNTAX=<GOFRONT_IMAGE>`), three ways:
//!
//! 1. `docker buildx build --check`: stdout (and the `ERROR:` part of stderr) byte for byte,
//!    and the exit status;
//! 2. `docker buildx build --call=check,format=json`: the warnings (rule, description, URL,
//!    message, ranges, in order), the build error (message, location; the rules of
//!    `lint violation found for rules: ...` compared as a set, BuildKit prints them in map
//!    order) and the source (file name, data, language; of the LLB that loaded the Dockerfile
//!    only what does not depend on the session: op count, op metadata, source locations);
//! 3. a normal build, `docker --debug buildx build --progress=plain`: the warning blocks of the
//!    build output (short line, description, `More info:` URL, Dockerfile excerpt) as a set
//!    (buildx prints them in arrival order, which is not deterministic), the header count, and
//!    whether the build failed and the error line.
//!
//! Where the newest frontend (Dockerfile 1.26) differs from the daemon's 1.19, the case says so
//! in `case.json` (`newest`, with the reason) and carries the outputs of 1.26 recorded by hand
//! (`newest.check.txt`, `newest.check.json`, `newest.build.txt`): gofront is compared with those,
//! and the stock frontend must still differ from them (else the case is stale). Record them
//! with `GOFRONT_CHECKS_RECORD=<1.26 frontend image> cargo test --test checks <case>` (an image
//! built from BuildKit's source by hand; never built by this repository).
//!
//! gofront's own Go rules have no stock counterpart: a case lists them in `gofront_only`
//! (`[rule, line]`), and they are removed from gofront's outputs before the comparison (after
//! checking they are there).
//!
//! Needs Docker and `busybox:latest` (and `golang:1.22` for the Go cases); `GOFRONT_IMAGE`
//! names the gofront image (default `gofront:dev`). With `CI` set a missing engine fails.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

use support::build::Frontend;
use support::docker::{require_docker, require_images};

/// `case.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CaseSpec {
    /// What the case pins.
    description: String,
    /// `--build-arg` values (all three runs).
    build_args: BTreeMap<String, String>,
    /// `--target`.
    target: Option<String>,
    /// `--platform` of the normal build (`--check` runs without it).
    platform: Option<String>,
    /// Skip the normal build (e.g. it would need the network).
    no_build: bool,
    /// Dockerfile 1.26 differs from 1.19 here: why (gofront follows 1.26).
    newest: Option<String>,
    /// gofront's own rules expected in gofront's outputs: `[rule, line]`.
    gofront_only: Vec<(String, usize)>,
    /// Base images the case needs besides `busybox:latest`.
    images: Vec<String>,
    /// Compare a failed RUN's error without the process text it quotes (gofront's Go rewrites
    /// wrap a go RUN in a fetch script, which the error then shows).
    ignore_process_text: bool,
    /// The daemon's own frontend fails before it forwards to `BUILDKIT_SYNTAX` (an invalid
    /// `BUILDKIT_DOCKERFILE_CHECK`): the gofront side never starts, and its log does not show
    /// the image.
    fails_before_forwarding: bool,
}

/// What one frontend answered for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outputs {
    /// `--check`: exit status, stdout, and stderr from its first `ERROR:` line.
    check_text: String,
    /// `--call=check,format=json`, normalized (see the module doc).
    check_json: Value,
    /// The normal build: failed or not, the warning header, sorted blocks, the error line.
    build: String,
}

fn cases_dir() -> PathBuf {
    support::repo_root().join("tests/checks")
}

fn read_spec(dir: &Path) -> CaseSpec {
    let path = dir.join("case.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `docker buildx build` in `dir` with `frontend`; returns (success, stdout, stderr).
fn buildx(
    dir: &Path,
    frontend: &Frontend,
    spec: &CaseSpec,
    debug: bool,
    extra: &[&str],
) -> (bool, String, String) {
    let mut cmd = Command::new("docker");
    if debug {
        cmd.arg("--debug");
    }
    cmd.args(["buildx", "build", "--progress=plain"])
        .args(extra);
    for (k, v) in &spec.build_args {
        cmd.arg("--build-arg").arg(format!("{k}={v}"));
    }
    if let Some(t) = &spec.target {
        cmd.args(["--target", t]);
    }
    if let Frontend::Image(image) = frontend {
        cmd.arg("--build-arg")
            .arg(format!("BUILDKIT_SYNTAX={image}"));
    }
    let out = cmd.arg(dir).output().expect("run docker buildx build");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if let (Frontend::Image(image), false) = (frontend, spec.fails_before_forwarding) {
        let name = image.split(':').next().unwrap_or(image);
        assert!(
            stderr.contains(&format!("docker-image://docker.io/library/{name}")),
            "the build log does not show the frontend image {image}: {stderr}"
        );
    }
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

/// stderr from the first `ERROR:` line on.
fn error_part(stderr: &str) -> String {
    match stderr.find("ERROR:") {
        Some(i) => stderr[i..].to_string(),
        None => String::new(),
    }
}

fn run_frontend(dir: &Path, frontend: &Frontend, spec: &CaseSpec) -> Outputs {
    let (ok, stdout, stderr) = buildx(dir, frontend, spec, false, &["--check"]);
    // buildx names the Dockerfile by its path on this machine: keep it relative to the case.
    let prefix = format!("{}/", dir.display());
    let check_text = sort_violation_rules(&format!("ok={ok}\n{stdout}{}", error_part(&stderr)))
        .replace(&prefix, "");
    let (_, json, stderr) = buildx(dir, frontend, spec, false, &["--call=check,format=json"]);
    let check_json = if json.trim().is_empty() {
        // The request failed as a whole (no answer): compare the error instead.
        serde_json::json!({ "failed": sort_violation_rules(&error_part(&stderr)) })
    } else {
        serde_json::from_str::<Value>(&json)
            .map(normalize_json)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {json}{stderr}", frontend.label()))
    };
    let build = if spec.no_build {
        String::new()
    } else {
        let mut extra = vec!["--output", "type=cacheonly"];
        if let Some(p) = &spec.platform {
            extra.extend(["--platform", p.as_str()]);
        }
        let (ok, _, stderr) = buildx(dir, frontend, spec, true, &extra);
        let warnings = build_warnings(ok, &stderr);
        match spec.ignore_process_text {
            true => without_process_text(&warnings),
            false => warnings,
        }
    };
    Outputs {
        check_text,
        check_json,
        build,
    }
}

/// `lint violation found for rules: A, B` with the rules sorted (BuildKit prints them in Go map
/// order, which varies from run to run); other text unchanged.
fn sort_violation_rules(text: &str) -> String {
    const PREFIX: &str = "lint violation found for rules: ";
    text.split_inclusive('\n')
        .map(|line| match line.find(PREFIX) {
            Some(i) => {
                let body = line[i + PREFIX.len()..].trim_end_matches('\n');
                let mut rules: Vec<&str> = body.split(", ").collect();
                rules.sort_unstable();
                let nl = if line.ends_with('\n') { "\n" } else { "" };
                format!("{}{PREFIX}{}{nl}", &line[..i], rules.join(", "))
            }
            None => line.to_string(),
        })
        .collect()
}

/// The JSON answer without what depends on the session or on map order.
fn normalize_json(mut v: Value) -> Value {
    if let Some(message) = v
        .pointer_mut("/buildError/message")
        .and_then(|m| m.as_str().map(str::to_string))
    {
        v["buildError"]["message"] = Value::String(sort_violation_rules(&message));
    }
    if let Some(sources) = v.get_mut("sources").and_then(Value::as_array_mut) {
        for s in sources {
            if let Some(def) = s.get_mut("definition") {
                let ops = def["def"].as_array().map_or(0, Vec::len);
                let mut meta: Vec<String> = def["metadata"]
                    .as_object()
                    .map(|m| m.values().map(Value::to_string).collect())
                    .unwrap_or_default();
                meta.sort();
                let locations = def["Source"]["locations"]
                    .as_object()
                    .map_or(0, |m| m.len());
                *def = serde_json::json!({ "ops": ops, "metadata": meta, "locations": locations });
            }
        }
    }
    v
}

/// The build's warning section, made order-independent: `failed=<bool>`, the
/// `N warnings found` line, the sorted blocks, then the line of the `ERROR:`.
fn build_warnings(ok: bool, stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("warning found") || l.contains("warnings found"));
    let mut header = String::new();
    let mut blocks: Vec<String> = Vec::new();
    if let Some(start) = start {
        header = strip_ansi(lines[start]);
        let mut current: Option<(String, usize)> = None;
        for raw in &lines[start + 1..] {
            let line = strip_ansi(raw);
            if line.starts_with("ERROR:") {
                break;
            }
            if let Some(rest) = line.strip_prefix(" - ") {
                if let Some((b, _)) = current.take() {
                    blocks.push(b);
                }
                current = Some((format!("{rest}\n"), 0));
                continue;
            }
            let Some((block, rules)) = current.as_mut() else {
                continue;
            };
            if *rules >= 2 {
                // After a warning's excerpt: the build error's own excerpt follows.
                continue;
            }
            if line == "--------------------" {
                *rules += 1;
            }
            block.push_str(&line);
            block.push('\n');
        }
        if let Some((b, _)) = current {
            blocks.push(b);
        }
    }
    blocks.sort();
    let error = lines
        .iter()
        .find(|l| l.starts_with("ERROR:"))
        .map(|l| without_refs(&sort_violation_rules(&strip_ansi(l))))
        .unwrap_or_default();
    format!("failed={}\n{header}\n{}{error}\n", !ok, blocks.join(""))
}

/// The error without the client's wrapping: buildx reports a frontend error that stops the
/// build before any step either as `failed to solve: <error>` or, when the Build function's own
/// return wins the race with the solve status, as `failed to run Build function: <error>` (seen
/// with the stock frontend on a loaded daemon). The frontend's text after it is what is compared.
fn without_client_wrap(line: &str) -> String {
    const WRAPS: [&str; 2] = ["failed to solve: ", "failed to run Build function: "];
    let mut out = line.to_string();
    for wrap in WRAPS {
        out = out.replacen(wrap, "", 1);
    }
    out
}

/// A build's warnings and error without what varies from run to run of the same frontend: the
/// client's wrapping (`without_client_wrap`) and which missing COPY source the error names. When
/// several sources are missing, BuildKit computes the cache keys of the copies concurrently and
/// reports whichever fails first (seen with `copy_ignored_file`: `"/a.log"` in one run,
/// `"/logs/b.txt"` in the next); the warnings still name every file.
fn comparable_build(text: &str) -> String {
    const NOT_FOUND: &str = "\": not found";
    let mut out = without_client_wrap(text);
    if let Some(end) = out.find(NOT_FOUND) {
        if let Some(start) = out[..end].rfind(": \"") {
            out.replace_range(start + 3..end, "<missing source>");
        }
    }
    out
}

/// `process "<command>" did not complete` with the command left out.
fn without_process_text(text: &str) -> String {
    let (Some(start), Some(end)) = (text.find("process \""), text.rfind("\" did not complete"))
    else {
        return text.to_string();
    };
    format!("{}process \"...{}", &text[..start], &text[end..])
}

/// `checksum of ref <session>::<id>: "/x": not found` names a per-build ref: drop it.
fn without_refs(line: &str) -> String {
    const REF: &str = "checksum of ref ";
    match line.find(REF) {
        Some(i) => {
            let rest = &line[i + REF.len()..];
            let end = rest.find(": ").map_or(rest.len(), |e| e);
            format!("{}{REF}<ref>{}", &line[..i], &rest[end..])
        }
        None => line.to_string(),
    }
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Removes gofront's own rules (checked to be there) from its outputs.
fn without_gofront_rules(
    mut out: Outputs,
    expected: &[(String, usize)],
) -> Result<Outputs, String> {
    let mut problems = Vec::new();
    let rules: BTreeSet<&str> = expected.iter().map(|(r, _)| r.as_str()).collect();
    // JSON warnings.
    if let Some(list) = out.check_json["warnings"].as_array().cloned() {
        let (ours, stock): (Vec<Value>, Vec<Value>) = list
            .into_iter()
            .partition(|w| rules.contains(w["ruleName"].as_str().unwrap_or("")));
        let found: Vec<(String, usize)> = ours
            .iter()
            .map(|w| {
                (
                    w["ruleName"].as_str().unwrap_or("").to_string(),
                    w.pointer("/location/ranges/0/start/line")
                        .and_then(Value::as_u64)
                        .unwrap_or(0) as usize,
                )
            })
            .collect();
        if found != expected {
            problems.push(format!("gofront rules {found:?}, expected {expected:?}"));
        }
        for w in &ours {
            let url = w["url"].as_str().unwrap_or("");
            if !url.starts_with("docs/checks/") {
                problems.push(format!("{}: url {url:?}", w["ruleName"]));
            }
        }
        out.check_json["warnings"] = if stock.is_empty() {
            Value::Null
        } else {
            Value::Array(stock)
        };
    }
    // --check text: drop the blocks, fix the count.
    let mut kept = Vec::new();
    let mut total = 0;
    let text = out.check_text.clone();
    let mut parts = text.split("\nWARNING: ");
    let head = parts.next().unwrap_or("").to_string();
    for part in parts {
        let rule = part.split([' ', '\n']).next().unwrap_or("");
        if !rules.contains(rule) {
            kept.push(part.to_string());
            total += 1;
        }
    }
    let head = head
        .lines()
        .filter(|l| !l.starts_with("Check complete"))
        .collect::<Vec<_>>()
        .join("\n");
    let count = match total {
        0 => String::new(),
        1 => "Check complete, 1 warning has been found!\n".to_string(),
        n => format!("Check complete, {n} warnings have been found!\n"),
    };
    let mut rebuilt = format!("{head}\n{count}");
    for k in kept {
        rebuilt.push_str("\nWARNING: ");
        rebuilt.push_str(&k);
    }
    if total == 0 && !rebuilt.contains("ERROR:") {
        rebuilt.push_str("Check complete, no warnings found.\n");
    }
    out.check_text = rebuilt;
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    Ok(out)
}

fn record(case: &str, dir: &Path, spec: &CaseSpec, image: &str) {
    let out = run_frontend(dir, &Frontend::Image(image.to_string()), spec);
    std::fs::write(dir.join("newest.check.txt"), &out.check_text).expect("write");
    let json = serde_json::to_string_pretty(&out.check_json).expect("json") + "\n";
    std::fs::write(dir.join("newest.check.json"), json).expect("write");
    std::fs::write(dir.join("newest.build.txt"), &out.build).expect("write");
    eprintln!("{case}: recorded the outputs of {image}");
}

fn recorded(dir: &Path) -> Outputs {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (record it, see tests/checks.rs)",
                dir.join(name).display()
            )
        })
    };
    Outputs {
        check_text: read("newest.check.txt"),
        check_json: serde_json::from_str(&read("newest.check.json")).expect("recorded JSON"),
        build: read("newest.build.txt"),
    }
}

/// The differences between two outputs, readably.
fn differences(want: &Outputs, got: &Outputs, want_label: &str) -> Vec<String> {
    let mut out = Vec::new();
    if want.check_text != got.check_text {
        out.push(format!(
            "--check text:\n--- {want_label} ---\n{}\n--- gofront ---\n{}",
            want.check_text, got.check_text
        ));
    }
    if want.check_json != got.check_json {
        out.push(format!(
            "--call=check,format=json:\n--- {want_label} ---\n{}\n--- gofront ---\n{}",
            serde_json::to_string_pretty(&want.check_json).unwrap_or_default(),
            serde_json::to_string_pretty(&got.check_json).unwrap_or_default()
        ));
    }
    // Recorded outputs keep what varies between runs: compare both sides without it.
    if comparable_build(&want.build) != comparable_build(&got.build) {
        out.push(format!(
            "build warnings:\n--- {want_label} ---\n{}\n--- gofront ---\n{}",
            want.build, got.build
        ));
    }
    out
}

fn run_case(case: &str) {
    if !require_docker(case) {
        return;
    }
    let dir = cases_dir().join(case);
    let spec = read_spec(&dir);
    assert!(
        !spec.description.is_empty(),
        "{case}: case.json needs a description"
    );
    let mut images = vec!["busybox:latest".to_string()];
    images.extend(spec.images.iter().cloned());
    let images: Vec<&str> = images.iter().map(String::as_str).collect();
    require_images(case, &images);
    if let Ok(image) = std::env::var("GOFRONT_CHECKS_RECORD") {
        if spec.newest.is_some() {
            record(case, &dir, &spec, &image);
        }
        return;
    }
    let ours = run_frontend(&dir, &Frontend::gofront(), &spec);
    let ours = match without_gofront_rules(ours, &spec.gofront_only) {
        Ok(o) => o,
        Err(e) => panic!("{case}: {e}"),
    };
    let stock = run_frontend(&dir, &Frontend::Stock, &spec);
    let problems = match &spec.newest {
        None => differences(&stock, &ours, "stock 1.19"),
        Some(reason) => {
            let newest = recorded(&dir);
            let mut p = differences(&newest, &ours, "recorded 1.26");
            if differences(&newest, &stock, "recorded 1.26").is_empty() {
                p.push(format!(
                    "stock 1.19 now answers like 1.26 ({reason}): drop `newest` from case.json"
                ));
            }
            p
        }
    };
    assert!(problems.is_empty(), "{case}:\n{}", problems.join("\n"));
}

macro_rules! checks_cases {
    ($($name:ident),* $(,)?) => {
        const CASES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                run_case(stringify!($name));
            }
        )*
    };
}

checks_cases!(
    stage_name_casing,
    from_as_casing,
    no_empty_continuation,
    consistent_instruction_casing,
    duplicate_stage_name,
    reserved_stage_name,
    json_args_recommended,
    maintainer_deprecated,
    undefined_arg_in_from,
    workdir_relative_path,
    undefined_var,
    multiple_instructions_disallowed,
    legacy_key_value_format,
    redundant_target_platform,
    secrets_used_in_arg_or_env,
    secrets_allow_file_version,
    invalid_default_arg_in_from,
    from_platform_flag_const_disallowed,
    copy_ignored_file,
    copy_ignored_file_experimental,
    copy_ignored_file_negation,
    invalid_definition_description,
    expose,
    config_skip,
    config_skip_all,
    config_error,
    config_build_arg,
    config_build_arg_invalid,
    config_directive_invalid,
    config_per_instruction,
    multi_platform,
    target_lints_reachable_stages,
    parse_error,
    go_rules,
    go_error_skipped,
);

#[test]
fn every_case_directory_is_listed() {
    let mut dirs: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/checks")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut listed: Vec<String> = CASES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(dirs, listed, "case directories and checks_cases! differ");
}

#[test]
fn warning_blocks_are_compared_as_a_set() {
    let a = " \u{1b}[33m2 warnings found:\n\u{1b}[0m - B: b (line 2)\nd\n--------------------\n x\n--------------------\n\n - A: a (line 1)\nd\n--------------------\n y\n--------------------\nDockerfile:9\n--------------------\n e\n--------------------\nERROR: failed\n";
    let b = " 2 warnings found:\n - A: a (line 1)\nd\n--------------------\n y\n--------------------\n - B: b (line 2)\nd\n--------------------\n x\n--------------------\n\nERROR: failed\n";
    assert_eq!(build_warnings(false, a), build_warnings(false, b));
    assert!(
        build_warnings(false, a).starts_with("failed=true\n 2 warnings found:\nA: a (line 1)\n")
    );
}

#[test]
fn build_errors_are_compared_without_what_varies_between_runs() {
    let a = "failed=true\nERROR: failed to build: failed to solve: failed to compute cache key: failed to calculate checksum of ref <ref>: \"/a.log\": not found\n";
    let b = "failed=true\nERROR: failed to build: failed to run Build function: failed to compute cache key: failed to calculate checksum of ref <ref>: \"/logs/b.txt\": not found\n";
    assert_eq!(comparable_build(a), comparable_build(b));
    assert!(comparable_build(a).contains("\"<missing source>\": not found"));
    let other = "failed=true\nERROR: failed to build: failed to solve: process \"/bin/sh -c false\" did not complete\n";
    assert_ne!(comparable_build(a), comparable_build(other));
}
