//! End-to-end checks of issue 12 (cross-platform Go builds without emulation), through the real
//! daemon. The test bed has no QEMU and its golang images are linux/amd64 only, like a CI runner
//! without binfmt: a RUN for linux/arm64 can only run on the build platform.
//!
//! - `app` (a naive golang → distroless Dockerfile with CGO_ENABLED=0) built for `linux/arm64`
//!   through gofront holds an aarch64 program, the very bytes the hand-written cross-compiling
//!   Dockerfile (`Dockerfile.handcross`, `FROM --platform=$BUILDPLATFORM` + `GOARCH=$TARGETARCH`)
//!   builds with the stock frontend. The stock frontend's result for the naive file is printed
//!   beside it (on this machine an x86-64 program in an arm64 image, with BuildKit's
//!   InvalidBaseImagePlatform warning).
//! - `linux/amd64,linux/arm64` returns one image per platform, each with its own config and the
//!   right program; the deps step runs once for both; the amd64 program is the stock build's.
//! - `cgo` (CGO_ENABLED unset) and `selftest` (runs what it built) are not cross-compiled, and
//!   the build log says why.
//!
//! The tests run one at a time; each serves the module proxy on its own port,
//! `GOFRONT_CROSS_PROXY_PORT` (default 3195) + 0..2.

mod support;

use std::path::{Path, PathBuf};

use support::build::{BuildOutcome, Frontend, Output};
use support::gobuild::{copy_tree, preflight, request, run_ok, summary_vertices};
use support::goproxy::{serve_testbed, GoProxy};
use support::image::{elf_machine, file_content, read_oci_tar};

const PORT_ENV: &str = "GOFRONT_CROSS_PROXY_PORT";
const PORT_DEFAULT: u16 = 3195;

/// One test at a time: concurrent builds of the same steps share vertices, which would blur
/// the per-build step counts.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// The module proxy of one test (`offset` from the base port: each test its own).
fn proxy(offset: u16) -> GoProxy {
    serve_testbed(PORT_ENV, PORT_DEFAULT, offset)
}

fn case(name: &str, tmp: &Path) -> PathBuf {
    let dir = tmp.join(name);
    copy_tree(
        &support::repo_root().join("tests/cross_compile").join(name),
        &dir,
    );
    dir
}

/// Builds `file` of `dir` through `frontend` for `platform` into an OCI tarball.
fn build(
    what: &str,
    frontend: Frontend,
    dir: &Path,
    file: &str,
    platform: Option<&str>,
    proxy: &GoProxy,
    tar: &Path,
) -> BuildOutcome {
    let mut req = request(
        frontend,
        dir,
        file,
        &proxy.url(),
        Output::OciTar(tar.to_path_buf()),
    );
    req.platform = platform.map(str::to_string);
    run_ok(what, &req)
}

/// The ELF machine and sha256 of `/app` in the `platform` image of `tar`.
fn program(tar: &Path, platform: &str) -> (String, String) {
    let data = file_content(tar, platform, "/app").unwrap_or_else(|e| panic!("{e}"));
    let machine = elf_machine(&data).unwrap_or_else(|e| panic!("/app: {e}"));
    let image = read_oci_tar(tar).unwrap_or_else(|e| panic!("{e}"));
    let sha = image
        .iter()
        .find(|i| i.platform == platform)
        .and_then(|i| i.fs.get("app"))
        .and_then(|e| e.sha256.clone())
        .unwrap_or_else(|| panic!("no /app in the {platform} image"));
    (machine, sha)
}

fn expect_summary(what: &str, log: &str, want: &str) {
    let names = summary_vertices(log);
    assert!(
        names.iter().any(|n| n.contains(want)),
        "{what}: no `[gofront]` step says {want:?}: {names:#?}"
    );
}

#[test]
fn arm64_build_cross_compiles_without_emulation() {
    let test = "cross_compile::arm64";
    let _serial = lock();
    if !preflight(test) {
        return;
    }
    let tmp = support::build::scratch_dir("cross-arm64-");
    let p = proxy(0);
    let app = case("app", tmp.path());
    let arm64 = Some("linux/arm64");
    let gofront_tar = tmp.path().join("gofront.tar");
    let out = build(
        &format!("{test}: gofront"),
        Frontend::gofront(),
        &app,
        "Dockerfile",
        arm64,
        &p,
        &gofront_tar,
    );
    expect_summary(test, &out.log, "cross applied (stage build, line 2)");
    let (machine, gofront_sha) = program(&gofront_tar, "linux/arm64");
    assert_eq!(machine, "aarch64", "{test}: the program in the arm64 image");

    let hand_tar = tmp.path().join("hand.tar");
    build(
        &format!("{test}: stock, hand-written cross build"),
        Frontend::Stock,
        &app,
        "Dockerfile.handcross",
        arm64,
        &p,
        &hand_tar,
    );
    let (_, hand_sha) = program(&hand_tar, "linux/arm64");
    assert_eq!(
        gofront_sha, hand_sha,
        "{test}: gofront's arm64 program differs from the hand-written cross build's"
    );

    let stock_tar = tmp.path().join("stock.tar");
    let stock = build(
        &format!("{test}: stock, naive Dockerfile"),
        Frontend::Stock,
        &app,
        "Dockerfile.stock",
        arm64,
        &p,
        &stock_tar,
    );
    let (stock_machine, _) = program(&stock_tar, "linux/arm64");
    println!(
        "{test}: linux/arm64 image: gofront {machine} program in {:.1}s; stock (naive Dockerfile) {stock_machine} program in {:.1}s{}",
        out.elapsed.as_secs_f64(),
        stock.elapsed.as_secs_f64(),
        if stock.log.contains("InvalidBaseImagePlatform") {
            " with the InvalidBaseImagePlatform warning"
        } else {
            ""
        }
    );
}

#[test]
fn multi_platform_build_returns_one_image_per_platform() {
    let test = "cross_compile::multi";
    let _serial = lock();
    if !preflight(test) {
        return;
    }
    let tmp = support::build::scratch_dir("cross-multi-");
    let p = proxy(1);
    let app = case("app", tmp.path());
    let tar = tmp.path().join("gofront.tar");
    let out = build(
        &format!("{test}: gofront"),
        Frontend::gofront(),
        &app,
        "Dockerfile",
        Some("linux/amd64,linux/arm64"),
        &p,
        &tar,
    );
    let images = read_oci_tar(&tar).unwrap_or_else(|e| panic!("{e}"));
    let platforms: Vec<&str> = images.iter().map(|i| i.platform.as_str()).collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"]);
    for (platform, want) in [("linux/amd64", "x86-64"), ("linux/arm64", "aarch64")] {
        let (machine, _) = program(&tar, platform);
        assert_eq!(machine, want, "{test}: the program in the {platform} image");
    }
    // The download step is the same for both platforms: BuildKit runs it once.
    let downloads: Vec<String> = support::progress::rawjson_vertices(&out.log)
        .into_values()
        .filter(|name| name.contains("] RUN ") && name.contains("go mod download"))
        .collect();
    assert_eq!(
        downloads.len(),
        1,
        "{test}: the deps step should be one step for both platforms: {downloads:#?}"
    );
    let builds = support::progress::rawjson_vertices(&out.log)
        .into_values()
        .filter(|name| name.contains("] RUN ") && name.contains("go build"))
        .count();
    assert_eq!(builds, 2, "{test}: one go build per platform");
    // The amd64 program is the stock build's (native: nothing changes).
    let stock_tar = tmp.path().join("stock.tar");
    build(
        &format!("{test}: stock linux/amd64"),
        Frontend::Stock,
        &app,
        "Dockerfile.stock",
        Some("linux/amd64"),
        &p,
        &stock_tar,
    );
    assert_eq!(
        program(&tar, "linux/amd64").1,
        program(&stock_tar, "linux/amd64").1,
        "{test}: the amd64 program differs from the stock build's"
    );
}

#[test]
fn unsafe_stages_stay_on_the_target_platform_and_say_why() {
    let test = "cross_compile::unsafe";
    let _serial = lock();
    if !preflight(test) {
        return;
    }
    let tmp = support::build::scratch_dir("cross-unsafe-");
    let p = proxy(2);
    for (name, why) in [
        (
            "cgo",
            "cross skipped (stage build, line 5): cgo may be on for `go build` on line 5",
        ),
        (
            "selftest",
            "cross skipped (stage build, line 5): line 5 runs `/out/app`, which the stage built",
        ),
    ] {
        let dir = case(name, tmp.path());
        let tar = tmp.path().join(format!("{name}.tar"));
        let out = build(
            &format!("{test}: {name}"),
            Frontend::gofront(),
            &dir,
            "Dockerfile",
            None,
            &p,
            &tar,
        );
        expect_summary(&format!("{test}: {name}"), &out.log, why);
    }
}
