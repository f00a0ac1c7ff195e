//! End-to-end check of issue 13's ephemeral builder (the `seed` rewrite), through the real
//! daemon: a CI runner starts empty every time, its layers come from `--cache-from`, and cache
//! mounts are never exported. `tests/ephemeral/app` (a naive Dockerfile whose `go build -v` names
//! every package it compiles) is built through gofront with `--cache-to type=local,mode=max`; the
//! builder is then pruned entirely (`docker builder prune -af`, cache mounts included), one .go
//! file edited, and the build repeated with `--cache-from`: it must ask the module proxy nothing
//! and compile only the main module's packages, and the program must be the one a build from
//! scratch makes.
//!
//! This test empties the daemon's whole build cache twice: later suites start cold.
//! The module proxy listens on `GOFRONT_EPHEMERAL_PROXY_PORT` (default 3199).

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use support::build::{docker, scratch_dir, BuildOutcome, Frontend, Output, Progress};
use support::gobuild::{append, copy_tree, nonce, preflight, request, run_ok, Tags};
use support::goproxy::{serve_testbed, GoProxy};

const PORT_ENV: &str = "GOFRONT_EPHEMERAL_PROXY_PORT";
const PORT_DEFAULT: u16 = 3199;
const MODULE: &str = "example.com/ephemeral";

fn proxy() -> GoProxy {
    serve_testbed(PORT_ENV, PORT_DEFAULT, 0)
}

fn prune_everything() {
    docker(&["builder", "prune", "-af"]).unwrap_or_else(|e| panic!("docker builder prune: {e}"));
}

/// A gofront build of `app` with plain progress (the go command's `-v` output in the log).
fn build(what: &str, app: &Path, proxy: &GoProxy, extra: &[&str], output: Output) -> BuildOutcome {
    let mut req = request(Frontend::gofront(), app, "Dockerfile", &proxy.url(), output);
    req.progress = Progress::Plain;
    req.extra_args = extra.iter().map(|s| s.to_string()).collect();
    run_ok(what, &req)
}

/// The packages `go build -v` printed in the log (the step running `go build -v`).
fn compiled_packages(log: &str) -> BTreeSet<String> {
    let step = log.lines().find_map(|l| {
        let rest = l.strip_prefix('#')?;
        let (id, name) = rest.split_once(' ')?;
        (name.starts_with('[') && name.contains("] RUN ") && name.contains("go build -v"))
            .then(|| id.to_string())
    });
    let Some(step) = step else {
        return BTreeSet::new();
    };
    let prefix = format!("#{step} ");
    log.lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|rest| {
            let (time, text) = rest.split_once(' ')?;
            time.parse::<f64>().ok()?;
            let word = text.trim();
            (!word.is_empty() && !word.contains(' ')).then(|| word.to_string())
        })
        .collect()
}

#[test]
fn a_fresh_builder_with_cache_from_downloads_nothing_and_compiles_only_the_module() {
    let test = "ephemeral_ci";
    if !preflight(test) {
        return;
    }
    let tmp = scratch_dir("ephemeral-");
    let p = proxy();
    let app = tmp.path().join("app");
    copy_tree(&support::repo_root().join("tests/ephemeral/app"), &app);
    let cache = tmp.path().join("cache");
    let mut tags = Tags(Vec::new());

    prune_everything();
    let mark = p.mark();
    let cold = build(
        &format!("{test}: cold build exporting its cache"),
        &app,
        &p,
        &[
            "--cache-to",
            &format!("type=local,dest={},mode=max", cache.display()),
        ],
        Output::None,
    );
    let cold_requests = p.requests_since(mark).paths.len();
    let cold_compiled = compiled_packages(&cold.log);
    // The `-v` lines are found (else the check below would be void). Even the cold build
    // compiles only the module here: its deps step compiled the dependencies first.
    assert!(
        cold_compiled.contains(MODULE),
        "{test}: the cold build's `go build -v` output was not found: {cold_compiled:?}"
    );
    assert!(
        cold_requests > 0,
        "{test}: the cold build downloaded nothing"
    );

    prune_everything();
    append(&app.join("main.go"), &format!("\n// edit {}\n", nonce()));
    let mark = p.mark();
    let tag = format!("gofront-e2e-ephemeral:{}", nonce());
    tags.0.push(tag.clone());
    let warm = build(
        &format!("{test}: fresh builder, --cache-from, one edit"),
        &app,
        &p,
        &[
            "--cache-from",
            &format!("type=local,src={}", cache.display()),
        ],
        Output::Load(tag.clone()),
    );
    let requests = p.requests_since(mark).paths;
    let compiled = compiled_packages(&warm.log);
    println!(
        "{test}: cold build {:.1}s, {cold_requests} proxy requests, {} packages compiled; fresh builder with --cache-from {:.1}s, {} requests, compiled {compiled:?}",
        cold.elapsed.as_secs_f64(),
        cold_compiled.len(),
        warm.elapsed.as_secs_f64(),
        requests.len()
    );
    assert!(
        requests.is_empty(),
        "{test}: the rebuild on a fresh builder asked the proxy: {requests:#?}"
    );
    let outside: Vec<&String> = compiled
        .iter()
        .filter(|p| !(p.as_str() == MODULE || p.starts_with(&format!("{MODULE}/"))))
        .collect();
    assert!(
        outside.is_empty(),
        "{test}: the rebuild compiled packages outside the main module: {outside:?}"
    );
    assert!(
        compiled.contains(MODULE),
        "{test}: the edited main package was not compiled: {compiled:?}"
    );
    let out = docker(&["run", "--rm", "--network", "none", &tag])
        .unwrap_or_else(|e| panic!("{test}: docker run: {e}"));
    assert_eq!(
        out.trim(),
        "ephemeral 36 true",
        "{test}: the program's output"
    );
}
