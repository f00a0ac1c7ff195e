//! End-to-end checks of issue 8 (rewrite safety on real Dockerfiles), through the real daemon:
//! each shape found in public Go Dockerfiles, written as a small case under
//! `tests/rewrite_safety/<case>/`, is built with the stock frontend (`Dockerfile.stock`: the same
//! file plus `ARG GOPROXY`/`ARG GOSUMDB` where the Go settings come as build args) and through
//! gofront (`Dockerfile`, Go settings as build args only). Both must build the same image, file
//! for file, and print the same; where the issue asks for it, proxy requests are counted:
//!
//! - `copy-dot` (1): `COPY go.mod .` / `COPY go.sum /app` into the WORKDIR: no false error.
//! - `workspace-file-args` (3): `go build cmd/app/main.go` in a workspace whose root module is
//!   not a member; `go version`/`go env` need no module.
//! - `make-build` (4): `make build` after the Dockerfile's own download step: a source edit makes
//!   zero proxy requests.
//! - `toolbox` (4): a final Go toolchain image: it holds the modules, as stock's does, and `go vet`
//!   runs in it with no network.
//! - `main-go` (5): `go build main.go` gets the deps step: a source edit makes zero requests and
//!   the download step is CACHED.
//! - `go-env-w` (8): `go env -w GOPROXY=<proxy>` wins over a `--build-arg GOPROXY` that points at
//!   a closed port.
//! - `make-only` (9): a Go stage whose go runs only through make gets the GOPROXY build arg (no
//!   ARG) and the module cache: a source edit makes zero requests.
//!
//! And every error diagnosis is a proof: `err-*` cases fail through gofront with the diagnosis
//! on the Dockerfile line, and through the stock frontend on the same line.
//!
//! Each case serves the test bed's proxy tree on its own fixed port (`GOFRONT_SAFETY_PROXY_PORT`,
//! default 3181, +0..+6), so request counts are its own and warm runs reuse the cache.

mod support;

use std::path::{Path, PathBuf};

use support::build::{docker, scratch_dir, Frontend, Output};
use support::gobuild::{
    append, check_diagnosis, check_equivalence, copy_tree, describe_steps, nonce, preflight,
    request, run_ok, steps_containing, summary_vertices, RunCheck, Tags, CLOSED_PROXY,
};
use support::goproxy::{serve_testbed, GoProxy};
use support::progress::vertex_states;

const PORT_ENV: &str = "GOFRONT_SAFETY_PROXY_PORT";
const PORT_DEFAULT: u16 = 3181;

/// What the cases' program prints.
const RUNS: &[RunCheck] = &[RunCheck {
    before: &[],
    after: &[],
    pattern: r"^safety 36 true$",
    deterministic: true,
}];

fn case_dir(name: &str) -> PathBuf {
    support::repo_root().join("tests/rewrite_safety").join(name)
}

fn proxy(offset: u16) -> GoProxy {
    serve_testbed(PORT_ENV, PORT_DEFAULT, offset)
}

/// A writable copy of a case (source edits must not touch the repository).
fn copy_case(name: &str, tmp: &Path) -> PathBuf {
    let app = tmp.join(name);
    copy_tree(&case_dir(name), &app);
    app
}

/// Builds the case with stock and gofront, checks the images are equal, and that the gofront
/// build shows the `[gofront]` summary containing each of `summary`. Returns the copy.
fn equivalent(
    name: &str,
    goproxy: &str,
    extra: &[(&str, &str)],
    summary: &[&str],
    tmp: &Path,
    tags: &mut Tags,
) -> PathBuf {
    let app = copy_case(name, tmp);
    let gofront = check_equivalence(name, &app, goproxy, extra, RUNS, tmp, tags);
    let names = summary_vertices(&gofront.log);
    for want in summary {
        assert!(
            names.iter().any(|n| n.contains(want)),
            "{name}: no `[gofront]` vertex containing {want:?}: {names:#?}"
        );
    }
    app
}

/// Edits `file` of `app` and rebuilds through `frontend`; returns the number of proxy requests
/// the rebuild made and its log.
fn edit_and_rebuild(
    app: &Path,
    file: &str,
    frontend: Frontend,
    proxy: &GoProxy,
    dockerfile: &str,
) -> (Vec<String>, String) {
    append(&app.join(file), &format!("\n// edit {}\n", nonce()));
    let mark = proxy.mark();
    let out = run_ok(
        &format!("rebuild of {} after an edit of {file}", app.display()),
        &request(frontend, app, dockerfile, &proxy.url(), Output::None),
    );
    (proxy.requests_since(mark).paths, out.log)
}

/// After a warm-up edit (which refills the module cache mount if another build dropped it), a
/// source edit rebuilt through gofront makes no proxy request; returns the rebuild log. The
/// stock frontend's count for the same edit is printed beside it.
fn zero_requests_after_edit(name: &str, app: &Path, proxy: &GoProxy) -> String {
    edit_and_rebuild(app, "main.go", Frontend::gofront(), proxy, "Dockerfile");
    let (requests, log) =
        edit_and_rebuild(app, "main.go", Frontend::gofront(), proxy, "Dockerfile");
    assert!(
        requests.is_empty(),
        "{name}: the rebuild through gofront after a source edit made {} proxy requests: {requests:#?}\n{}",
        requests.len(),
        describe_steps(&log)
    );
    edit_and_rebuild(app, "main.go", Frontend::Stock, proxy, "Dockerfile.stock");
    let (stock, _) = edit_and_rebuild(app, "main.go", Frontend::Stock, proxy, "Dockerfile.stock");
    println!(
        "{name}: proxy requests after a source edit: gofront 0, stock {}",
        stock.len()
    );
    log
}

#[test]
fn copy_into_workdir_by_dot_and_path() {
    if !preflight("rewrite_safety::copy_dot") {
        return;
    }
    let tmp = scratch_dir("safety-copy-dot-");
    let p = proxy(0);
    let mut tags = Tags(Vec::new());
    equivalent(
        "copy-dot",
        &p.url(),
        &[],
        &[
            "deps skipped",
            "diagnose applied (stage build, line 2): no findings",
        ],
        tmp.path(),
        &mut tags,
    );
}

#[test]
fn workspace_member_named_by_file() {
    if !preflight("rewrite_safety::workspace_file_args") {
        return;
    }
    let tmp = scratch_dir("safety-workspace-");
    let p = proxy(1);
    let mut tags = Tags(Vec::new());
    equivalent(
        "workspace-file-args",
        &p.url(),
        &[],
        &["diagnose applied (stage build, line 3): no findings"],
        tmp.path(),
        &mut tags,
    );
}

#[test]
fn make_build_after_own_download_step_downloads_nothing_on_edit() {
    if !preflight("rewrite_safety::make_build") {
        return;
    }
    let tmp = scratch_dir("safety-make-build-");
    let p = proxy(2);
    let mut tags = Tags(Vec::new());
    let app = equivalent(
        "make-build",
        &p.url(),
        &[],
        &["(`make build`)"],
        tmp.path(),
        &mut tags,
    );
    zero_requests_after_edit("make-build", &app, &p);
}

#[test]
fn toolbox_image_keeps_its_modules_and_vets_offline() {
    let test = "rewrite_safety::toolbox";
    if !preflight(test) {
        return;
    }
    let tmp = scratch_dir("safety-toolbox-");
    let p = proxy(3);
    let mut tags = Tags(Vec::new());
    let app = copy_case("toolbox", tmp.path());
    let mut zips = Vec::new();
    for (frontend, file) in [
        (Frontend::Stock, "Dockerfile.stock"),
        (Frontend::gofront(), "Dockerfile"),
    ] {
        let tag = format!("gofront-e2e-toolbox:{}", nonce());
        tags.0.push(tag.clone());
        run_ok(
            &format!("{test}: {}", frontend.label()),
            &request(
                frontend.clone(),
                &app,
                file,
                &p.url(),
                Output::Load(tag.clone()),
            ),
        );
        let count = docker(&[
            "run",
            "--rm",
            "--network",
            "none",
            &tag,
            "sh",
            "-c",
            "find /go/pkg/mod/cache/download -name '*.zip' | wc -l",
        ])
        .unwrap_or_else(|e| panic!("{test}: {e}"));
        zips.push(count.trim().to_string());
        let vet = docker(&[
            "run",
            "--rm",
            "--network",
            "none",
            "-e",
            "GOFLAGS=-mod=readonly",
            &tag,
            "go",
            "vet",
            "./...",
        ]);
        assert!(
            vet.is_ok(),
            "{test}: `go vet ./...` with no network failed in the image built by {}: {vet:?}",
            frontend.label()
        );
    }
    assert_eq!(
        zips[0], zips[1],
        "{test}: module zips in the image: stock {}, gofront {}",
        zips[0], zips[1]
    );
    assert_ne!(
        zips[0], "0",
        "{test}: the stock image holds no module, the check is void"
    );
}

#[test]
fn go_build_of_main_go_gets_the_deps_step() {
    if !preflight("rewrite_safety::main_go") {
        return;
    }
    let tmp = scratch_dir("safety-main-go-");
    let p = proxy(4);
    let mut tags = Tags(Vec::new());
    let app = equivalent(
        "main-go",
        &p.url(),
        &[],
        &["deps applied"],
        tmp.path(),
        &mut tags,
    );
    let log = zero_requests_after_edit("main-go", &app, &p);
    let states = vertex_states(&log);
    let deps = steps_containing(&states, "go mod download");
    assert!(
        deps.first().is_some_and(|v| v.cached),
        "main-go: the deps step was not CACHED after a source edit\n{}",
        describe_steps(&log)
    );
}

#[test]
fn own_go_env_w_goproxy_wins_over_the_build_arg() {
    if !preflight("rewrite_safety::go_env_w") {
        return;
    }
    let tmp = scratch_dir("safety-go-env-w-");
    let p = proxy(5);
    let mut tags = Tags(Vec::new());
    // GOPROXY (the build arg) is a closed port: only the Dockerfile's own setting can work.
    equivalent(
        "go-env-w",
        CLOSED_PROXY,
        &[("OWN_PROXY", &p.url())],
        &["env skipped (stage build, line 4): GOPROXY, GOSUMDB set by the Dockerfile itself"],
        tmp.path(),
        &mut tags,
    );
}

#[test]
fn make_only_go_stage_gets_settings_and_caches() {
    if !preflight("rewrite_safety::make_only") {
        return;
    }
    let tmp = scratch_dir("safety-make-only-");
    let p = proxy(6);
    let mut tags = Tags(Vec::new());
    let app = equivalent(
        "make-only",
        &p.url(),
        &[],
        &["env applied", "modcache applied"],
        tmp.path(),
        &mut tags,
    );
    zero_requests_after_edit("make-only", &app, &p);
}

// ---------------------------------------------------------------------------------------------
// Error diagnoses are proofs: the stock build fails on the same line.

#[test]
fn copy_of_a_missing_go_sum_fails_like_stock() {
    check_diagnosis(
        "rewrite_safety::err_copy_missing_go_sum",
        &case_dir("err-copy-missing-go-sum"),
        4,
        "COPY go.mod go.sum ./",
        &["the build context has no go.sum"],
        "\"/go.sum\": not found",
    );
}

#[test]
fn mod_vendor_without_vendor_fails_like_stock() {
    check_diagnosis(
        "rewrite_safety::err_vendor_missing",
        &case_dir("err-vendor-missing"),
        5,
        "RUN go build -mod=vendor -o /out/app .",
        &["inconsistent vendoring", "no vendor/modules.txt"],
        "is explicitly required in go.mod",
    );
}

#[test]
fn workspace_member_never_copied_fails_like_stock() {
    check_diagnosis(
        "rewrite_safety::err_workspace_member_missing",
        &case_dir("err-workspace-member-missing"),
        6,
        "RUN go build -o /out/svc ./svc",
        &["go.work:5: use ./lib", "cannot load module /w/lib"],
        "no such file or directory",
    );
}

#[test]
fn module_not_in_workspace_fails_like_stock() {
    check_diagnosis(
        "rewrite_safety::err_module_not_in_workspace",
        &case_dir("err-module-not-in-workspace"),
        5,
        "RUN go build -o /out/app .",
        &["not listed in go.work", "add `use .` to go.work"],
        "is contained in a module that is not one of the workspace modules",
    );
}

#[test]
fn unparsable_go_mod_fails_like_stock() {
    check_diagnosis(
        "rewrite_safety::err_go_mod_parse",
        &case_dir("err-go-mod-parse"),
        5,
        "RUN go build -o /out/app .",
        &["go.mod:5: usage: require module/path v1.2.3"],
        "errors parsing go.mod",
    );
}

#[test]
fn unparsable_go_work_fails_like_stock() {
    check_diagnosis(
        "rewrite_safety::err_go_work_parse",
        &case_dir("err-go-work-parse"),
        5,
        "RUN go build -o /out/svc ./svc",
        &["go.work:3: syntax error"],
        "errors parsing go.work",
    );
}
