//! End-to-end checks of the Go rewrites through the real daemon (issue 4, "Done when"): the
//! examples' naive Dockerfiles (no `ARG GOPROXY`, no cache mounts) built through gofront
//! (`GOFRONT_IMAGE`, default `gofront:dev`) with `--network host` against the test bed's module
//! proxy, which each test serves itself on its own port so request counts are its own.
//!
//! For `examples/service` (46 modules), `examples/workspace` (go.work) and `examples/replace`
//! (local replace target):
//! - (a) the build gets `GOPROXY`/`GOSUMDB` as build args only, and the image runs;
//! - (e) the final image equals, file for file and config field for config field, the one the
//!   stock frontend builds from `Dockerfile.stock` (the same Dockerfile plus `ARG GOPROXY`/
//!   `ARG GOSUMDB`), so the binaries are byte-identical; both images print the same output;
//! - (g) the build output shows the `[gofront]` summary vertices, with the deps step applied;
//! - (b) after a source edit the rebuild makes zero proxy requests, the deps step is CACHED and
//!   `go build` runs again (measured on a second edit: the first one refills the module cache
//!   mount in case it was dropped apart from the layers, e.g. by a `--no-cache` build);
//! - (c) after adding one module to go.mod/go.sum (and importing it) the rebuild downloads only
//!   that module's files and the image still runs. The module is synthetic, published per run
//!   into an overlay of the proxy tree (see `support::gomodule`): BuildKit shares the module
//!   cache mount between all builds of the daemon, so a real module would already be cached
//!   after the first run and the check could not fail. Its download also proves that the
//!   GOPROXY build arg reaches `go` without an ARG.
//!
//! `examples/vendored` builds with GOPROXY pointing at a closed port (d) and equals the stock
//! image; `examples/subdir` (go.mod in app/, go run in /src) and a go.mod asking for go 1.23 on
//! `golang:1.22` (whose config has GOTOOLCHAIN=local) fail with gofront's diagnosis naming the
//! Dockerfile line and the fix (f).
//!
//! The proxies listen on fixed ports (`GOFRONT_E2E_PROXY_PORT`, default 3171, +0..+2) so that
//! the `GOPROXY=http://127.0.0.1:<port>` value, which is part of the cache key of every go step,
//! is the same in every run and warm runs reuse the cache. Two concurrent runs of this suite on
//! one machine collide on these ports and fail saying so.
//!
//! Needs Docker, `golang:1.22`, the proxy tree (`scripts/test.sh`) and the frontend image
//! (`bash scripts/testbed/frontend-image.sh gofront:<tag>`, then `GOFRONT_IMAGE=gofront:<tag>`).

mod support;

use std::path::{Path, PathBuf};

use support::build::{scratch_dir, Frontend, Output};
use support::gobuild::{
    append, check_diagnosis, check_equivalence, copy_tree, describe_steps, nonce, preflight,
    request, run_checks, run_ok, step_position, steps_containing, summary_vertices, RunCheck, Tags,
    CLOSED_PROXY,
};
use support::gomodule::{overlay_tree, publish, Published};
use support::goproxy::{port_from_env, testbed_tree, GoProxy, Requests};
use support::progress::vertex_states;

/// Env var for the first proxy port of this suite.
const PORT_ENV: &str = "GOFRONT_E2E_PROXY_PORT";
const PORT_DEFAULT: u16 = 3171;

/// Where a module added in check (c) goes.
struct AddModule {
    /// go.mod files (relative to the example) that get `require <module> v1.0.0`, with the
    /// comment to put after it (`// indirect` in a main module that only needs it for a
    /// replaced dependency).
    go_mods: &'static [(&'static str, &'static str)],
    /// go.sum files that get the module's two lines.
    go_sums: &'static [&'static str],
    /// New .go file importing the module, and its package clause.
    import_file: (&'static str, &'static str),
}

/// An example directory and its checks.
struct Example {
    name: &'static str,
    port_offset: u16,
    runs: &'static [RunCheck],
    /// A .go file that the source edit (b) appends a comment to.
    edit: &'static str,
    add: AddModule,
}

const SERVICE: Example = Example {
    name: "service",
    port_offset: 0,
    runs: &[RunCheck {
        before: &[],
        after: &["version"],
        pattern: r"^inventory 1\.2\.3 \(go1\.22\.\d+, linux/amd64\)$",
        deterministic: true,
    }],
    edit: "internal/api/items.go",
    add: AddModule {
        go_mods: &[("go.mod", "")],
        go_sums: &["go.sum"],
        import_file: ("cmd/inventory/e2e_dep.go", "main"),
    },
};

const WORKSPACE: Example = Example {
    name: "workspace",
    port_offset: 1,
    runs: &[
        RunCheck {
            before: &[],
            after: &["version"],
            pattern: r"^api 1\.2\.3 true$",
            deterministic: true,
        },
        RunCheck {
            before: &["--entrypoint", "/worker"],
            after: &[],
            pattern: r"^hello from worker #0$",
            deterministic: true,
        },
    ],
    edit: "services/api/main.go",
    add: AddModule {
        go_mods: &[("services/worker/go.mod", "")],
        go_sums: &["services/worker/go.sum"],
        import_file: ("services/worker/e2e_dep.go", "main"),
    },
};

const REPLACE: Example = Example {
    name: "replace",
    port_offset: 2,
    runs: &[
        RunCheck {
            before: &[],
            after: &["--version"],
            pattern: r"^app 1\.2\.3$",
            deterministic: true,
        },
        RunCheck {
            before: &[],
            after: &["--name", "x"],
            pattern: r"^x-[0-9a-f]{8} true$",
            deterministic: false,
        },
    ],
    edit: "cmd/app/main.go",
    add: AddModule {
        go_mods: &[("lib/go.mod", ""), ("go.mod", " // indirect")],
        go_sums: &["lib/go.sum", "go.sum"],
        import_file: ("lib/e2e_dep.go", "lib"),
    },
};

#[test]
fn service_naive_dockerfile() {
    check_example(&SERVICE);
}

#[test]
fn workspace_go_work() {
    check_example(&WORKSPACE);
}

#[test]
fn replace_local_target() {
    check_example(&REPLACE);
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn examples_dir() -> PathBuf {
    support::repo_root().join("examples")
}

fn port_base() -> u16 {
    port_from_env(PORT_ENV, PORT_DEFAULT)
}

/// Publishes a fresh module into an overlay of the test bed's proxy tree under `tmp`.
fn fresh_module(tmp: &Path, example: &str) -> (PathBuf, Published) {
    let tree = tmp.join("proxy-tree");
    overlay_tree(&testbed_tree(), &tree).unwrap_or_else(|e| panic!("{e}"));
    let n = nonce();
    let path = format!("gofront.test/e2e/{example}{n}");
    let module = publish(
        &tree,
        &path,
        "v1.0.0",
        &[(
            "e2e.go",
            &format!(
                "// Package e2e is published for one run of tests/go_rewrites.rs.\npackage e2e\n\n// Nonce makes this module unique to its run.\nconst Nonce = \"{n}\"\n"
            ),
        )],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (tree, module)
}

/// Adds `module` to the example copy in `app` as check (c) describes.
fn add_module(app: &Path, add: &AddModule, module: &Published) {
    for (go_mod, comment) in add.go_mods {
        append(
            &app.join(go_mod),
            &format!("\nrequire {} {}{comment}\n", module.path, module.version),
        );
    }
    for go_sum in add.go_sums {
        append(&app.join(go_sum), &module.go_sum_lines());
    }
    let (file, package) = add.import_file;
    std::fs::write(
        app.join(file),
        format!("package {package}\n\nimport _ \"{}\"\n", module.path),
    )
    .unwrap_or_else(|e| panic!("{file}: {e}"));
}

/// Checks (a), (b), (c), (e), (g) for one example.
fn check_example(ex: &Example) {
    let test = format!("go_rewrites::{}", ex.name);
    if !preflight(&test) {
        return;
    }
    let tmp = scratch_dir(&format!("go-rewrites-{}-", ex.name));
    let (tree, module) = fresh_module(tmp.path(), ex.name);
    let proxy = GoProxy::start_serving(Some(&tree), Some(port_base() + ex.port_offset))
        .unwrap_or_else(|e| panic!("{test}: cannot start the module proxy: {e}"));
    let goproxy = proxy.url();
    let mut tags = Tags(Vec::new());

    // (a) + (e): a copy of the example builds and runs, and equals the stock build.
    let app = tmp.path().join("app");
    copy_tree(&examples_dir().join(ex.name), &app);
    let first = check_equivalence(ex.name, &app, &goproxy, &[], ex.runs, tmp.path(), &mut tags);

    // (g): the summary is in the build output.
    let summary = summary_vertices(&first.log);
    assert!(
        summary.iter().any(|n| n.contains("deps applied")),
        "{test}: no `[gofront] deps applied` vertex in the build output; [gofront] vertices: \
         {summary:#?}\nsteps:\n{}",
        describe_steps(&first.log)
    );

    // (b): a source edit re-runs go build without a single proxy request. A first edit warms
    // the module cache mount: mounts are kept apart from layers (a prune, or any `--no-cache`
    // build on the daemon, starts a fresh one while the layers of the first build stay cached),
    // so only the second edit shows the steady state a developer sees.
    append(
        &app.join(ex.edit),
        &format!("\n// go_rewrites warm-up edit {}\n", nonce()),
    );
    let warm = proxy.mark();
    run_ok(
        &format!("{test}: warm-up rebuild after a first source edit"),
        &request(
            Frontend::gofront(),
            &app,
            "Dockerfile",
            &goproxy,
            Output::None,
        ),
    );
    let warm_requests = proxy.requests_since(warm).paths.len();
    append(
        &app.join(ex.edit),
        &format!("\n// go_rewrites source edit {}\n", nonce()),
    );
    let mark = proxy.mark();
    let edit = run_ok(
        &format!("{test}: rebuild after a source edit"),
        &request(
            Frontend::gofront(),
            &app,
            "Dockerfile",
            &goproxy,
            Output::None,
        ),
    );
    let requests = proxy.requests_since(mark);
    assert!(
        requests.paths.is_empty(),
        "{test}: the rebuild after a source edit made {} proxy requests: {:#?}",
        requests.paths.len(),
        requests.paths
    );
    let states = vertex_states(&edit.log);
    let downloads = steps_containing(&states, "go mod download");
    let deps = downloads.first().unwrap_or_else(|| {
        panic!(
            "{test}: no `go mod download` step in the rebuild\n{}",
            describe_steps(&edit.log)
        )
    });
    assert!(
        deps.cached,
        "{test}: the deps step `{}` was not CACHED after a source edit\n{}",
        deps.name,
        describe_steps(&edit.log)
    );
    let builds = steps_containing(&states, "go build");
    assert!(
        builds.iter().any(|v| !v.cached),
        "{test}: `go build` did not run again after the source edit (the edit was not seen)\n{}",
        describe_steps(&edit.log)
    );

    // (c): one more module: only its files are downloaded.
    add_module(&app, &ex.add, &module);
    let tag = format!("gofront-e2e-{}:added-{}", ex.name, nonce());
    tags.0.push(tag.clone());
    let mark = proxy.mark();
    let added = run_ok(
        &format!("{test}: rebuild after adding {}", module.path),
        &request(
            Frontend::gofront(),
            &app,
            "Dockerfile",
            &goproxy,
            Output::Load(tag.clone()),
        ),
    );
    let requests = proxy.requests_since(mark);
    check_only_module(&test, &requests, &module);
    let states = vertex_states(&added.log);
    let downloads = steps_containing(&states, "go mod download");
    assert!(
        downloads.first().is_some_and(|v| !v.cached),
        "{test}: the deps step did not run after go.mod changed\n{}",
        describe_steps(&added.log)
    );
    run_checks(&format!("{test} (module added)"), &tag, ex.runs);
    println!(
        "{test}: warm-up edit: {warm_requests} requests; source edit: 0 requests; module added: {} requests ({})",
        requests.paths.len(),
        requests.paths.join(", ")
    );
}

/// Every request is for `module`'s files, and its zip and go.mod were fetched.
fn check_only_module(test: &str, requests: &Requests, module: &Published) {
    let prefix = module.url_prefix();
    let others: Vec<&String> = requests
        .paths
        .iter()
        .filter(|p| !p.starts_with(&prefix))
        .collect();
    assert!(
        others.is_empty(),
        "{test}: adding {} downloaded other modules too: {others:#?}",
        module.path
    );
    for ext in [".zip", ".mod"] {
        assert!(
            requests
                .paths
                .iter()
                .any(|p| p == &format!("{prefix}{}{ext}", module.version)),
            "{test}: the new module's {ext} was never fetched; requests: {:#?}",
            requests.paths
        );
    }
}

// ---------------------------------------------------------------------------------------------
// (d) vendor/ without a proxy

#[test]
fn vendored_builds_without_proxy() {
    let test = "go_rewrites::vendored";
    if !preflight(test) {
        return;
    }
    let tmp = scratch_dir("go-rewrites-vendored-");
    let mut tags = Tags(Vec::new());
    let runs = &[
        RunCheck {
            before: &[],
            after: &["version"],
            pattern: r"^vendored 1\.2\.3$",
            deterministic: true,
        },
        RunCheck {
            before: &[],
            after: &[],
            pattern: r"^status 200 uuid ok true$",
            deterministic: true,
        },
    ];
    let dir = examples_dir().join("vendored");
    let first = check_equivalence(
        "vendored",
        &dir,
        CLOSED_PROXY,
        &[],
        runs,
        tmp.path(),
        &mut tags,
    );
    let summary = summary_vertices(&first.log);
    assert!(
        summary
            .iter()
            .any(|n| n.contains("deps skipped") && n.contains("vendor")),
        "{test}: no `[gofront] deps skipped ... vendor` vertex: {summary:#?}"
    );
    // A fresh copy (edited, so go build really runs) with the proxy port closed.
    let app = tmp.path().join("app");
    copy_tree(&dir, &app);
    append(&app.join("main.go"), &format!("\n// edit {}\n", nonce()));
    let tag = format!("gofront-e2e-vendored:edit-{}", nonce());
    tags.0.push(tag.clone());
    let edit = run_ok(
        &format!("{test}: edited copy, proxy closed"),
        &request(
            Frontend::gofront(),
            &app,
            "Dockerfile",
            CLOSED_PROXY,
            Output::Load(tag.clone()),
        ),
    );
    let states = vertex_states(&edit.log);
    assert!(
        steps_containing(&states, "go mod download").is_empty(),
        "{test}: a download step was added to a vendored build\n{}",
        describe_steps(&edit.log)
    );
    assert!(
        steps_containing(&states, "go build")
            .iter()
            .any(|v| !v.cached),
        "{test}: go build did not run for the edited copy\n{}",
        describe_steps(&edit.log)
    );
    run_checks(test, &tag, runs);
}

// ---------------------------------------------------------------------------------------------
// (f) the two diagnoses

#[test]
fn subdir_module_mismatch_fails_naming_the_line() {
    check_diagnosis(
        "go_rewrites::subdir",
        &examples_dir().join("subdir"),
        9,
        "RUN go mod download",
        &[
            "no go.mod",
            "app/go.mod",
            "/src/app/go.mod",
            "WORKDIR /src/app",
        ],
        "go: no modules specified",
    );
}

#[test]
fn newer_go_line_than_image_fails_naming_the_line() {
    check_diagnosis(
        "go_rewrites::newer_go",
        &support::repo_root().join("tests/go_rewrites/newer-go"),
        6,
        "RUN CGO_ENABLED=0 go build -o /out/app .",
        &[
            "go.mod:3: go 1.23 is required but the image has go 1.22",
            "GOTOOLCHAIN=local",
            "use a golang image of at least 1.23",
        ],
        "go: go.mod requires go >= 1.23",
    );
}

#[test]
fn step_positions_parse() {
    assert_eq!(
        step_position("[build 4/8] RUN go mod download"),
        Some(("build".to_string(), 4))
    );
    assert_eq!(
        step_position("[stage-1 2/2] COPY --from=build /a /b"),
        Some(("stage-1".to_string(), 2))
    );
    assert_eq!(step_position("[gofront] deps applied"), None);
    assert_eq!(step_position("[internal] load metadata"), None);
}

// ---------------------------------------------------------------------------------------------
// Invariant 1 on a layout the examples do not cover

/// A non-root USER whose WORKDIR receives the build output: gofront's image equals stock's.
#[test]
fn nonroot_workdir_builds_like_stock() {
    let test = "go_rewrites::nonroot_workdir";
    if !preflight(test) {
        return;
    }
    let tmp = scratch_dir("go-rewrites-nonroot-");
    let mut tags = Tags(Vec::new());
    let runs = &[RunCheck {
        before: &[],
        after: &[],
        pattern: r"^nonroot 1\.2\.3$",
        deterministic: true,
    }];
    let dir = support::repo_root().join("tests/go_rewrites/nonroot-workdir");
    let gofront = check_equivalence(
        "nonroot-workdir",
        &dir,
        CLOSED_PROXY,
        &[],
        runs,
        tmp.path(),
        &mut tags,
    );
    let summary = summary_vertices(&gofront.log);
    assert!(
        summary.iter().any(|n| n.contains("deps applied")),
        "{test}: the deps step was not applied, so this case checks nothing: {summary:#?}"
    );
}
