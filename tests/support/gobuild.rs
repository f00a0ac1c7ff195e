//! Helpers of the Go end-to-end suites (`go_rewrites.rs`, `rewrite_safety.rs`): builds of a Go
//! project through the stock frontend and through gofront with the Go settings given only as
//! build args, equivalence of the two images, `docker run` checks, the steps a build ran or took
//! from the cache, and failing builds that must name a Dockerfile line.

use std::path::Path;

use regex::Regex;

use super::build::{docker, BuildOutcome, BuildRequest, Frontend, Output, Progress};
use super::docker::{image_exists, require_docker, require_images};
use super::progress::{vertex_states, VertexState};

/// A port nothing listens on: GOPROXY for builds that must not download.
pub const CLOSED_PROXY: &str = "http://127.0.0.1:9";
/// The VERSION build arg the examples inject with -ldflags.
pub const VERSION: &str = "1.2.3";

/// One `docker run` check: arguments before the image, arguments after it, the pattern the
/// first output line must match, and whether the whole output is the same on every run (then
/// the stock and gofront images must print exactly the same).
pub struct RunCheck {
    /// `docker run` arguments before the image.
    pub before: &'static [&'static str],
    /// Arguments after the image.
    pub after: &'static [&'static str],
    /// Pattern the first output line must match.
    pub pattern: &'static str,
    /// The whole output is the same on every run.
    pub deterministic: bool,
}

/// A string unique to this run (process id and time).
pub fn nonce() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{:x}{:x}", std::process::id(), t.as_nanos() % 0xffff_ffff)
}

/// Skips (or fails in CI) without Docker; checks the images a test needs. Returns false to skip.
pub fn preflight(test: &str) -> bool {
    if !require_docker(test) {
        return false;
    }
    require_images(test, &["golang:1.22"]);
    if let Frontend::Image(img) = Frontend::gofront() {
        assert!(
            image_exists(&img),
            "{test}: frontend image {img} is not in the local image store: build it with \
             bash scripts/testbed/frontend-image.sh {img} (or set GOFRONT_IMAGE)"
        );
    }
    true
}

/// Copies a directory tree (regular files, directories, symlinks).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry
            .file_type()
            .unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        if kind.is_dir() {
            copy_tree(&src, &dst);
        } else if kind.is_symlink() {
            let target =
                std::fs::read_link(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
            std::os::unix::fs::symlink(target, &dst)
                .unwrap_or_else(|e| panic!("{}: {e}", dst.display()));
        } else {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        }
    }
}

pub fn append(path: &Path, text: &str) {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    f.write_all(text.as_bytes())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Removes the listed image tags when dropped.
pub struct Tags(pub Vec<String>);

impl Drop for Tags {
    fn drop(&mut self) {
        for t in &self.0 {
            let _ = docker(&["image", "rm", "-f", t]);
        }
    }
}

/// A build of `dockerfile` in `context` with the Go settings as build args only.
pub fn request(
    frontend: Frontend,
    context: &Path,
    dockerfile: &str,
    goproxy: &str,
    output: Output,
) -> BuildRequest {
    let mut req = BuildRequest::new(context);
    req.frontend = frontend;
    req.dockerfile = context.join(dockerfile);
    req.build_args = vec![
        ("GOPROXY".into(), goproxy.to_string()),
        ("GOSUMDB".into(), "off".into()),
        ("VERSION".into(), VERSION.into()),
    ];
    req.network_host = true;
    req.progress = Progress::RawJson;
    req.output = output;
    req
}

pub fn run_ok(what: &str, req: &BuildRequest) -> BuildOutcome {
    let outcome = req.run().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        outcome.success,
        "{what}: build failed\n$ {}\n{}",
        outcome.command,
        outcome.tail(60)
    );
    println!("{what}: {:.1}s", outcome.elapsed.as_secs_f64());
    outcome
}

/// Output of `docker run --rm --network none <before> <image> <after>` (stdout+stderr, trimmed).
pub fn docker_run(image: &str, check: &RunCheck) -> String {
    let mut args = vec!["run", "--rm", "--network", "none"];
    args.extend_from_slice(check.before);
    args.push(image);
    args.extend_from_slice(check.after);
    let out = std::process::Command::new("docker")
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run docker: {e}"));
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text.trim().to_string()
}

/// Runs every check against `image`; returns the outputs of the deterministic checks, in order.
pub fn run_checks(what: &str, image: &str, checks: &[RunCheck]) -> Vec<String> {
    let mut same = Vec::new();
    for c in checks {
        let out = docker_run(image, c);
        let first = out.lines().next().unwrap_or_default();
        let re = Regex::new(c.pattern).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            re.is_match(first),
            "{what}: `docker run {} {image} {}` printed {out:?}; its first line should match /{}/",
            c.before.join(" "),
            c.after.join(" "),
            c.pattern
        );
        if c.deterministic {
            same.push(out);
        }
    }
    same
}

/// `[stage i/n] ...` → (stage, i).
pub fn step_position(name: &str) -> Option<(String, usize)> {
    let inner = name.strip_prefix('[')?.split_once(']')?.0;
    let (stage, pos) = inner.rsplit_once(' ')?;
    let index = pos.split_once('/')?.0.parse().ok()?;
    Some((stage.to_string(), index))
}

/// The Dockerfile steps (not `[gofront]` summary vertices) whose name contains `needle`, in
/// step order.
pub fn steps_containing<'a>(
    states: &'a std::collections::BTreeMap<String, VertexState>,
    needle: &str,
) -> Vec<&'a VertexState> {
    let mut found: Vec<(&VertexState, (String, usize))> = states
        .values()
        .filter(|v| v.name.contains(needle) && !v.name.starts_with("[gofront]"))
        .filter_map(|v| step_position(&v.name).map(|p| (v, p)))
        .collect();
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found.into_iter().map(|(v, _)| v).collect()
}

/// The `[gofront] ...` summary vertex names of a rawjson log.
pub fn summary_vertices(log: &str) -> Vec<String> {
    let mut names: Vec<String> = vertex_states(log)
        .into_values()
        .map(|v| v.name)
        .filter(|n| n.starts_with("[gofront]"))
        .collect();
    names.sort();
    names.dedup();
    names
}

pub fn describe_steps(log: &str) -> String {
    vertex_states(log)
        .into_values()
        .map(|v| {
            format!(
                "  {} {}",
                if v.cached { "CACHED" } else { "ran   " },
                v.name
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Images built by stock (`Dockerfile.stock`) and gofront (`Dockerfile`) from `dir` must be
/// identical (OCI export, flattened), and print the same for every run check. Returns the
/// gofront build (for its log).
pub fn check_equivalence(
    what: &str,
    dir: &Path,
    goproxy: &str,
    extra_args: &[(&str, &str)],
    runs: &[RunCheck],
    tmp: &Path,
    tags: &mut Tags,
) -> BuildOutcome {
    let request = |frontend: Frontend, dir: &Path, file: &str, goproxy: &str, output: Output| {
        let mut req = request(frontend, dir, file, goproxy, output);
        req.build_args.extend(
            extra_args
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        req
    };
    let stock_tar = tmp.join("stock.tar");
    let gofront_tar = tmp.join("gofront.tar");
    run_ok(
        &format!("{what}: stock Dockerfile.stock (OCI)"),
        &request(
            Frontend::Stock,
            dir,
            "Dockerfile.stock",
            goproxy,
            Output::OciTar(stock_tar.clone()),
        ),
    );
    let gofront = run_ok(
        &format!("{what}: gofront Dockerfile (OCI)"),
        &request(
            Frontend::gofront(),
            dir,
            "Dockerfile",
            goproxy,
            Output::OciTar(gofront_tar.clone()),
        ),
    );
    let mut stock_img = super::image::read_oci_tar(&stock_tar).unwrap_or_else(|e| panic!("{e}"));
    // gofront follows the newest Dockerfile frontend where it differs from the daemon's 1.19.
    super::newer::stock_as_newest(&mut stock_img);
    let gofront_img = super::image::read_oci_tar(&gofront_tar).unwrap_or_else(|e| panic!("{e}"));
    let diff = super::diff::diff_images(&stock_img, &gofront_img, ("stock", "gofront"));
    assert!(
        diff.is_empty(),
        "{what}: the image built through gofront differs from the stock one (the rewrite \
         changed the program):\n{}",
        diff.join("\n")
    );

    let id = nonce();
    let stock_tag = format!("gofront-e2e-{what}:stock-{id}");
    let gofront_tag = format!("gofront-e2e-{what}:gofront-{id}");
    tags.0.push(stock_tag.clone());
    tags.0.push(gofront_tag.clone());
    run_ok(
        &format!("{what}: stock Dockerfile.stock (load)"),
        &request(
            Frontend::Stock,
            dir,
            "Dockerfile.stock",
            goproxy,
            Output::Load(stock_tag.clone()),
        ),
    );
    run_ok(
        &format!("{what}: gofront Dockerfile (load)"),
        &request(
            Frontend::gofront(),
            dir,
            "Dockerfile",
            goproxy,
            Output::Load(gofront_tag.clone()),
        ),
    );
    let stock_out = run_checks(&format!("{what} (stock)"), &stock_tag, runs);
    let gofront_out = run_checks(&format!("{what} (gofront)"), &gofront_tag, runs);
    assert_eq!(
        stock_out, gofront_out,
        "{what}: stock and gofront images print different things"
    );
    gofront
}

/// Builds `dir`/`Dockerfile` through gofront (plain progress) and checks it fails naming
/// `line` (the `>>>` excerpt `excerpt`) with every text of `needles` in the output, before any
/// go command ran (`not` must not appear). An error diagnosis is a proof that the build fails
/// anyway: the same Dockerfile through the stock frontend must fail on the same line.
pub fn check_diagnosis(
    test: &str,
    dir: &Path,
    line: u32,
    excerpt: &str,
    needles: &[&str],
    not: &str,
) {
    if !preflight(test) {
        return;
    }
    // The Dockerfile itself (a Dockerfile.stock adds ARG lines, which would shift the line):
    // the Go settings do not matter to a build that must fail.
    let mut stock = request(
        Frontend::Stock,
        dir,
        "Dockerfile",
        CLOSED_PROXY,
        Output::None,
    );
    stock.progress = Progress::Plain;
    let stock = stock.run().unwrap_or_else(|e| panic!("{test}: {e}"));
    assert!(
        !stock.success && stock.error_dockerfile_lines().contains(&line),
        "{test}: gofront's error diagnosis must be a certain failure, but the stock build {} \
         (error lines {:?})\n{}",
        if stock.success {
            "succeeded"
        } else {
            "failed elsewhere"
        },
        stock.error_dockerfile_lines(),
        stock.tail(40)
    );
    let mut req = request(
        Frontend::gofront(),
        dir,
        "Dockerfile",
        CLOSED_PROXY,
        Output::None,
    );
    req.progress = Progress::Plain;
    let outcome = req.run().unwrap_or_else(|e| panic!("{test}: {e}"));
    let tail = outcome.tail(40);
    assert!(
        !outcome.success,
        "{test}: the build succeeded but must fail with gofront's diagnosis\n{tail}"
    );
    assert!(
        outcome.error_dockerfile_lines().contains(&line),
        "{test}: the error does not point at Dockerfile line {line} (points at {:?})\n{tail}",
        outcome.error_dockerfile_lines()
    );
    let marked = format!(">>> {excerpt}");
    assert!(
        outcome.log.contains(&marked),
        "{test}: the error excerpt lacks `{marked}`\n{tail}"
    );
    for needle in needles {
        assert!(
            outcome.log.contains(needle),
            "{test}: the error output lacks {needle:?}\n{tail}"
        );
    }
    assert!(
        !outcome.log.contains(not),
        "{test}: the go command ran and failed ({not:?}) instead of gofront's diagnosis \
         stopping the build\n{tail}"
    );
}
