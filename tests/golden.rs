//! Golden tests of the Go rewrites: `gofront rewrite` (the built binary) on every case in
//! `tests/golden/<case>/` must print exactly the expected rewritten Dockerfile (stdout), the
//! expected summary (stderr: one `gofront: <decision>` line per decision, then
//! `warning|error: line N: message` per diagnostic) and exit with the expected code.
//!
//! A case directory holds:
//! - `Dockerfile`: the user's Dockerfile;
//! - `context/` (optional): the build context, passed as `--context context`; without it no
//!   `--context` is given and `gofront rewrite` reads the case directory itself (no go.mod
//!   there);
//! - `args` (optional): further arguments, one per line, e.g. `--build-arg GOPROXY=http://...`,
//!   `--target test`, `--platform linux/arm64` (a line is split at its first space; `#` starts a
//!   comment line);
//! - `expected.Dockerfile`, `expected.summary`: stdout and stderr, byte for byte;
//! - `expected.exit` (only when nonzero): the exit code.
//!
//! The command runs in the case directory with relative paths, so the output never depends on
//! where the repository is checked out. `GOFRONT_UPDATE_GOLDEN=1 cargo test --test golden`
//! rewrites the expected files from the current output — review every changed file by hand
//! (`git diff tests/golden`) before committing: an expected file states the CORRECT output, not
//! whatever the binary prints today.
//!
//! No Docker needed. Not for checking that the rewritten Dockerfile builds: that is
//! `tests/go_rewrites.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Env var that turns the suite into an updater of the expected files.
const UPDATE_ENV: &str = "GOFRONT_UPDATE_GOLDEN";

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
}

fn updating() -> bool {
    std::env::var(UPDATE_ENV).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// What one `gofront rewrite` run produced.
#[derive(Debug, PartialEq, Eq)]
struct Output {
    stdout: String,
    stderr: String,
    code: i32,
}

/// The extra command-line arguments of a case (`args` file), in order.
fn case_args(dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join("args")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(' ') {
            Some((flag, value)) => {
                out.push(flag.to_string());
                out.push(value.to_string());
            }
            None => out.push(line.to_string()),
        }
    }
    out
}

/// Runs `gofront rewrite` for the case directory.
fn run_rewrite(dir: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gofront"));
    cmd.current_dir(dir).arg("rewrite").arg("Dockerfile");
    if dir.join("context").is_dir() {
        cmd.args(["--context", "context"]);
    }
    cmd.args(case_args(dir));
    // The summary must not depend on the caller's environment (e.g. a GOPROXY in the shell).
    for var in ["GOPROXY", "GOFLAGS", "GOFRONT", "GOFRONT_SKIP", "RUST_LOG"] {
        cmd.env_remove(var);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run gofront rewrite in {}: {e}", dir.display()));
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        // Killed by a signal: no code; never equal to an expected one.
        code: out.status.code().unwrap_or(-1),
    }
}

/// The expected output of a case, or a message naming the missing file.
fn expected(dir: &Path) -> Result<Output, String> {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).map_err(|e| {
            format!(
                "{}: {e}; generate it with {UPDATE_ENV}=1 cargo test --test golden and review it",
                dir.join(name).display()
            )
        })
    };
    let code = match std::fs::read_to_string(dir.join("expected.exit")) {
        Ok(text) => text
            .trim()
            .parse::<i32>()
            .map_err(|e| format!("{}/expected.exit: {e}", dir.display()))?,
        Err(_) => 0,
    };
    Ok(Output {
        stdout: read("expected.Dockerfile")?,
        stderr: read("expected.summary")?,
        code,
    })
}

fn write_expected(dir: &Path, out: &Output) {
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", dir.join(name).display()));
    };
    write("expected.Dockerfile", &out.stdout);
    write("expected.summary", &out.stderr);
    let exit = dir.join("expected.exit");
    if out.code == 0 {
        let _ = std::fs::remove_file(exit);
    } else {
        write("expected.exit", &format!("{}\n", out.code));
    }
}

/// A line diff (longest common subsequence): `-` expected, `+` actual, with line numbers.
fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(format!("  {:3} {}", i + 1, a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("- {:3} {}", i + 1, a[i]));
            i += 1;
        } else {
            out.push(format!("+ {:3} {}", j + 1, b[j]));
            j += 1;
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        out.push(format!(
            "(final newline: expected {}, actual {})",
            expected.ends_with('\n'),
            actual.ends_with('\n')
        ));
    }
    out.join("\n")
}

fn run_case(name: &str) {
    let dir = golden_dir().join(name);
    assert!(
        dir.join("Dockerfile").is_file(),
        "{}: no Dockerfile",
        dir.display()
    );
    let actual = run_rewrite(&dir);
    if updating() {
        write_expected(&dir, &actual);
        return;
    }
    let want = expected(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut problems = Vec::new();
    if actual.code != want.code {
        problems.push(format!(
            "exit code: expected {}, got {}",
            want.code, actual.code
        ));
    }
    if actual.stdout != want.stdout {
        problems.push(format!(
            "stdout (rewritten Dockerfile) differs from expected.Dockerfile:\n{}",
            line_diff(&want.stdout, &actual.stdout)
        ));
    }
    if actual.stderr != want.stderr {
        problems.push(format!(
            "stderr (summary) differs from expected.summary:\n{}",
            line_diff(&want.stderr, &actual.stderr)
        ));
    }
    assert!(
        problems.is_empty(),
        "golden case {name} ({}):\n{}",
        dir.display(),
        problems.join("\n\n")
    );
}

/// One `#[test]` per case (so `cargo test --test golden vendor_` runs a family) and the list
/// [`CASES`] that [`every_case_directory_is_listed`] checks against `tests/golden/`.
macro_rules! golden_cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_case(stringify!($name));
            }
        )*
        const CASES: &[&str] = &[$(stringify!($name)),*];
    };
}

golden_cases!(
    add_sources_chmod,
    already_cache_mounts_full,
    already_cache_mounts_partial,
    already_optimized,
    build_flag_a,
    cd_into_module,
    copy_dest_dot,
    copy_dest_existing_dir,
    copy_dest_used_as_dir_later,
    copy_from_modcache,
    copy_from_stage_sources,
    copy_gowork_dot,
    copy_missing_go_sum,
    cp_after_go_and_curl_installed,
    cross_cgo_default,
    cross_cgo_on,
    cross_child_stage,
    cross_compile_buildplatform,
    cross_context_written,
    cross_copies_system_lib,
    cross_digest_pinned,
    cross_final_image,
    cross_go_test,
    cross_make,
    cross_other_base_image,
    cross_pure_go,
    cross_runs_own_binary,
    cross_sets_goarch,
    cross_uname,
    custom_gomodcache_gocache,
    custom_gopath,
    directive_off,
    dockerignore_gosum,
    dockerignore_vendor,
    env_passthrough,
    env_passthrough_arg_declared,
    env_passthrough_env_set,
    escape_directive,
    exec_form_run,
    glob_manifest_copy,
    go_build_main_go,
    go_env_w,
    go_env_w_goproxy_wins,
    go_generate,
    go_install,
    go_mod_tidy_edits_modules,
    go_run_cmd,
    go_test_stage,
    go_test_target,
    go_work_member_stage,
    go_work_monorepo,
    go_work_use_not_copied,
    gocache_off,
    gofront_off_buildarg,
    gofront_skip_cache,
    gofront_skip_deps,
    gofront_skip_env,
    gofront_skip_modcache_diagnose,
    gofront_skip_unknown,
    goproxy_off_env,
    heredoc_run,
    inline_goproxy_off,
    ldflags_arg,
    make_after_own_deps_step,
    make_only_go_stage,
    mkdir_gocache,
    mod_vendor_without_vendor,
    multi_module,
    naive_copy_build,
    naive_copy_download_build,
    naive_relative_workdir_copy,
    no_context_given,
    no_requirements_no_gosum,
    non_go_dockerfile,
    non_go_stages_untouched,
    onbuild_untouched,
    replace_local_inside,
    replace_local_outside,
    secret_mount_download,
    setup_before_go,
    setup_token_arg,
    shell_instruction,
    single_stage,
    subdir_fixed,
    subdir_wrong_workdir,
    toolbox_final_image,
    toolchain_newer_image_config,
    toolchain_newer_local,
    toolchain_newer_minor_tag,
    toolchain_pre_121,
    unreachable_stage_not_diagnosed,
    user_named,
    user_numeric,
    user_workdir_after_arg,
    vendor_consistent,
    vendor_inconsistent,
    workspace_file_args,
);

#[test]
fn every_case_directory_is_listed() {
    let mut dirs: Vec<String> = std::fs::read_dir(golden_dir())
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", golden_dir().display()))
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut listed: Vec<String> = CASES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        dirs, listed,
        "tests/golden/ directories and the golden_cases! list in tests/golden.rs differ"
    );
}

#[test]
fn line_diff_marks_changed_lines() {
    let d = line_diff("a\nb\nc\n", "a\nx\nc\n");
    assert_eq!(d, "    1 a\n-   2 b\n+   2 x\n    3 c");
    assert!(line_diff("a\n", "a").contains("final newline"));
}

#[test]
fn args_file_lines_split_at_the_first_space() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("args"),
        "# comment\n--build-arg GOFLAGS=-ldflags=-s -w\n\n--target test\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        case_args(dir.path()),
        ["--build-arg", "GOFLAGS=-ldflags=-s -w", "--target", "test"]
    );
}
