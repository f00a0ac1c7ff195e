//! Command-line mode: `gofront rewrite|llb|outline|targets|print-frontend-caps` without a
//! daemon. The same pipeline as a real build runs here, with the caps of a stock Docker 26.1
//! daemon, unresolved images (base images stay unpinned, their configs empty; the Go analysis
//! falls back to the frontend's built-in table of official Go images) and the build context read
//! from `--context DIR` (default: the Dockerfile's directory) honouring `.dockerignore`. The file
//! system is read in `context` only.
//!
//! Not for: talking to BuildKit (see [`crate::gateway`]).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::dockerui::sources::dockerfile_source;
use crate::frontend::{
    unresolved_image, ContextSource, DaemonInfo, FrontendError, GoReport, Outcome, Pipeline, Plan,
    Request, SubrequestResult, FRONTEND_CAPS,
};
use crate::llb::{self, Caps, SourceFile};
use crate::options::{BuildOptions, Subrequest};
use crate::platform::Platform;

mod context;

/// gofront: a BuildKit frontend for Dockerfiles.
#[derive(Debug, Parser)]
#[command(name = "gofront", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: CliCommand,
}

/// Options shared by the commands that plan a build.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The Dockerfile.
    pub dockerfile: PathBuf,
    /// Target stage.
    #[arg(long)]
    pub target: Option<String>,
    /// Build argument `KEY=VALUE` (repeatable).
    #[arg(long = "build-arg", value_name = "KEY=VALUE")]
    pub build_args: Vec<String>,
    /// Target platform(s), comma separated (default: this machine's).
    #[arg(long)]
    pub platform: Option<String>,
    /// Build context directory (default: the Dockerfile's directory; `.` for `-`).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Print the Dockerfile with the Go rewrites applied (stdout) and the summary (stderr:
    /// `gofront: <decision>` lines, then `warning|error: line N: message`); exit 1 when a
    /// diagnosis is an error. `-` reads the Dockerfile from stdin.
    Rewrite {
        /// Build options.
        #[command(flatten)]
        build: BuildArgs,
    },
    /// Print the LLB Definition a build would solve (protobuf; `--json` for humans).
    Llb {
        /// Build options.
        #[command(flatten)]
        build: BuildArgs,
        /// Print JSON instead of protobuf bytes.
        #[arg(long)]
        json: bool,
    },
    /// Print the build arguments, secrets and ssh ids the target uses (`--call outline`).
    Outline {
        /// Build options.
        #[command(flatten)]
        build: BuildArgs,
        /// Print the JSON answer instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Run the build checks like `docker buildx build --check`: the stock rules and gofront's
    /// Go rules, with the `# check=` configuration; exit 1 when something is reported.
    Check {
        /// Build options.
        #[command(flatten)]
        build: BuildArgs,
        /// Print the JSON answer (`--call=check,format=json`) instead of the text.
        #[arg(long)]
        json: bool,
    },
    /// List the stages (`--call targets`).
    Targets {
        /// The Dockerfile.
        dockerfile: PathBuf,
        /// Print the JSON answer instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Print the value of the image label `moby.buildkit.frontend.caps`.
    PrintFrontendCaps,
}

/// A CLI failure: the message printed to stderr.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CliError(String);

/// What a command prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CliOutput {
    /// Bytes for stdout.
    pub stdout: Vec<u8>,
    /// Text for stderr.
    pub stderr: String,
    /// Exit with status 1 (the output is still printed).
    pub failed: bool,
}

impl From<Vec<u8>> for CliOutput {
    fn from(stdout: Vec<u8>) -> Self {
        CliOutput {
            stdout,
            ..CliOutput::default()
        }
    }
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli.command) {
        Ok(out) => {
            eprint!("{}", out.stderr);
            match std::io::stdout().write_all(&out.stdout) {
                Ok(()) if out.failed => ExitCode::FAILURE,
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: cannot write output: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command and returns what it prints.
pub fn run(command: CliCommand) -> Result<CliOutput, CliError> {
    match command {
        CliCommand::Rewrite { build } => rewrite_command(&build),
        CliCommand::Llb { build, json } => llb_command(&build, json).map(CliOutput::from),
        CliCommand::Outline { build, json } => {
            let (source, mut options) = read_build(&build)?;
            options.subrequest = Some(Subrequest::Outline);
            subrequest(&build, source, options, json).map(CliOutput::from)
        }
        CliCommand::Check { build, json } => check_command(&build, json),
        CliCommand::Targets { dockerfile, json } => {
            let source = context::read_dockerfile(&dockerfile).map_err(CliError)?;
            let mut options =
                BuildOptions::from_opts(&BTreeMap::new()).map_err(|e| CliError(e.to_string()))?;
            options.subrequest = Some(Subrequest::Targets);
            let build = BuildArgs {
                dockerfile,
                target: None,
                build_args: Vec::new(),
                platform: None,
                context: None,
            };
            subrequest(&build, source, options, json).map(CliOutput::from)
        }
        CliCommand::PrintFrontendCaps => Ok(CliOutput::from(
            format!("{}\n", FRONTEND_CAPS.join(",")).into_bytes(),
        )),
    }
}

fn file_name(path: &Path) -> String {
    if context::is_stdin(path) {
        return "Dockerfile".to_string();
    }
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Dockerfile".to_string())
}

/// Reads the Dockerfile and turns the flags into the option map BuildKit would send.
fn read_build(build: &BuildArgs) -> Result<(Vec<u8>, BuildOptions), CliError> {
    let source = context::read_dockerfile(&build.dockerfile).map_err(CliError)?;
    let mut opts = BTreeMap::from([("filename".to_string(), file_name(&build.dockerfile))]);
    if let Some(t) = &build.target {
        opts.insert("target".into(), t.clone());
    }
    if let Some(p) = &build.platform {
        opts.insert("platform".into(), p.clone());
    }
    for arg in &build.build_args {
        let (k, v) = arg
            .split_once('=')
            .ok_or_else(|| CliError(format!("invalid --build-arg {arg:?}: expected KEY=VALUE")))?;
        opts.insert(format!("build-arg:{k}"), v.to_string());
    }
    let options = BuildOptions::from_opts(&opts).map_err(|e| CliError(e.to_string()))?;
    Ok((source, options))
}

/// `gofront check`: buildx's rendering of the `frontend.lint` answer (a count line, the
/// warnings with excerpts, the build error last).
fn check_command(build: &BuildArgs, json: bool) -> Result<CliOutput, CliError> {
    let (source, mut options) = read_build(build)?;
    options.subrequest = Some(Subrequest::Lint);
    let mut pipeline = pipeline(build, source, options)?;
    let answer = match drive(build, &mut pipeline) {
        Ok(Outcome::Answer(answer)) => answer,
        Ok(Outcome::Plan(_)) => return Err(CliError("not a subrequest".into())),
        Err(e) => return Err(located(e, &build.dockerfile)),
    };
    let failed = answer.status.as_deref() == Some("1");
    if json {
        let mut stdout = answer.json;
        stdout.push(b'\n');
        return Ok(CliOutput {
            stdout,
            failed,
            ..CliOutput::default()
        });
    }
    let v: serde_json::Value =
        serde_json::from_slice(&answer.json).map_err(|e| CliError(e.to_string()))?;
    let count = v["warnings"].as_array().map_or(0, Vec::len);
    let mut stdout = match count {
        0 => String::new(),
        1 => "Check complete, 1 warning has been found!\n".to_string(),
        n => format!("Check complete, {n} warnings have been found!\n"),
    };
    stdout.push_str(&String::from_utf8_lossy(&answer.text));
    let mut stderr = String::new();
    match v["buildError"]["message"].as_str() {
        Some(message) => stderr = format!("ERROR: {message}\n"),
        None if count == 0 => stdout.push_str("Check complete, no warnings found.\n"),
        None => {}
    }
    Ok(CliOutput {
        stdout: stdout.into_bytes(),
        stderr,
        failed,
    })
}

fn subrequest(
    build: &BuildArgs,
    source: Vec<u8>,
    options: BuildOptions,
    json: bool,
) -> Result<Vec<u8>, CliError> {
    let mut pipeline = pipeline(build, source, options)?;
    let answer: SubrequestResult = match drive(build, &mut pipeline) {
        Ok(Outcome::Answer(answer)) => answer,
        Ok(Outcome::Plan(_)) => return Err(CliError("not a subrequest".into())),
        Err(e) => return Err(located(e, &build.dockerfile)),
    };
    Ok(if json {
        let mut out = answer.json;
        out.push(b'\n');
        out
    } else {
        answer.text
    })
}

fn located(e: FrontendError, path: &Path) -> CliError {
    match e.span() {
        Some(span) => CliError(format!("{}:{}: {e}", path.display(), span.start)),
        None => CliError(e.to_string()),
    }
}

/// A planned build and the Go report (kept when planning stopped at an error diagnosis).
struct Planned {
    plan: Result<Plan, FrontendError>,
    report: Option<GoReport>,
}

/// The pipeline of a build as the gateway would run it, without a daemon: the caps of the test
/// bed's Docker 28.5 (BuildKit v0.25), the host as build platform, the Dockerfile's own `.dockerignore` when it has one.
fn pipeline(
    build: &BuildArgs,
    source: Vec<u8>,
    options: BuildOptions,
) -> Result<Pipeline, CliError> {
    let daemon = DaemonInfo {
        llb_caps: Caps::v0_25_defaults(),
        build_platform: Platform::host(),
        session_id: String::new(),
    };
    let definition = dockerfile_source(
        &options.dockerfile_key,
        &options.filename,
        &daemon.session_id,
        &Platform::host(),
        &daemon.llb_caps,
    )
    .map_err(|e| CliError(e.to_string()))?;
    Ok(Pipeline::new(Request {
        dockerfile: SourceFile {
            filename: options.filename.clone(),
            data: source,
            language: "Dockerfile".into(),
            definition: Some(definition),
        },
        options,
        daemon,
        context: ContextSource::Local {
            dockerignore: context::own_dockerignore(&build.dockerfile),
        },
        builtin_go_images: true,
    }))
}

/// Runs a pipeline to the end: the build context read from the context directory, images
/// unresolved.
fn drive(build: &BuildArgs, pipeline: &mut Pipeline) -> Result<Outcome, FrontendError> {
    let dir = context::context_dir(&build.dockerfile, build.context.as_deref());
    pipeline.run(|request| context::answer(&dir, request), unresolved_image)
}

/// Plans the build; the Go report is kept when planning stopped at an error diagnosis.
fn plan_build(
    build: &BuildArgs,
    source: Vec<u8>,
    options: BuildOptions,
) -> Result<Planned, CliError> {
    let mut pipeline = pipeline(build, source, options)?;
    let plan = match drive(build, &mut pipeline) {
        Ok(Outcome::Plan(plan)) => Ok(*plan),
        Ok(Outcome::Answer(_)) => Err(FrontendError::UnsupportedSubrequest(String::new())),
        Err(e) => Err(e),
    };
    Ok(Planned {
        plan,
        report: pipeline.report().cloned(),
    })
}

fn rewrite_command(build: &BuildArgs) -> Result<CliOutput, CliError> {
    let (source, options) = read_build(build)?;
    let planned = plan_build(build, source.clone(), options)?;
    match (planned.plan, planned.report) {
        (Ok(_), None) => Ok(CliOutput::from(source)),
        (Ok(_), Some(report)) => Ok(CliOutput {
            stdout: report.rewritten.text.clone().into_bytes(),
            stderr: report.summary(),
            failed: false,
        }),
        (Err(_), Some(report)) if report.first_error().is_some() => Ok(CliOutput {
            stdout: report.rewritten.text.clone().into_bytes(),
            stderr: report.summary(),
            failed: true,
        }),
        (Err(e), _) => Err(located(e, &build.dockerfile)),
    }
}

fn llb_command(build: &BuildArgs, json: bool) -> Result<Vec<u8>, CliError> {
    let (source, options) = read_build(build)?;
    let plan = plan_build(build, source, options)?
        .plan
        .map_err(|e| located(e, &build.dockerfile))?;
    let builds = &plan.converted.builds;
    if json {
        let value = if plan.converted.multi_platform {
            serde_json::Value::Object(
                builds
                    .iter()
                    .map(|b| {
                        (
                            b.platform.to_string(),
                            llb::definition_to_json(&b.definition),
                        )
                    })
                    .collect(),
            )
        } else {
            builds
                .first()
                .map(|b| llb::definition_to_json(&b.definition))
                .unwrap_or_default()
        };
        let mut out = serde_json::to_vec_pretty(&value).map_err(|e| CliError(e.to_string()))?;
        out.push(b'\n');
        return Ok(out);
    }
    match builds.as_slice() {
        [one] => Ok(llb::encode_definition(&one.definition)),
        _ => Err(CliError(
            "several platforms give several Definitions: use --json, or one --platform".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dockerfile(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("Dockerfile");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn build(path: &Path, extra: &[&str]) -> BuildArgs {
        let mut args = vec!["gofront", "llb"];
        let p = path.to_str().unwrap();
        args.push(p);
        args.extend_from_slice(extra);
        match Cli::try_parse_from(args).unwrap().command {
            CliCommand::Llb { build, .. } => build,
            other => panic!("parsed {other:?}"),
        }
    }

    #[test]
    fn llb_output_is_byte_identical_across_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dockerfile(
            dir.path(),
            "FROM busybox AS b\nARG X=1\nRUN echo $X > /x\nFROM scratch\nCOPY --from=b /x /x\n",
        );
        let b = build(&path, &["--build-arg", "X=2", "--platform", "linux/arm64"]);
        let first = llb_command(&b, false).unwrap();
        assert!(!first.is_empty());
        for _ in 0..10 {
            assert_eq!(llb_command(&b, false).unwrap(), first);
        }
        let json: serde_json::Value =
            serde_json::from_slice(&llb_command(&b, true).unwrap()).unwrap();
        assert!(json.is_object());
    }

    #[test]
    fn several_platforms_need_json() {
        let dir = tempfile::tempdir().unwrap();
        let path = dockerfile(dir.path(), "FROM scratch\nCOPY a /a\n");
        let b = build(&path, &["--platform", "linux/amd64,linux/arm64"]);
        assert!(llb_command(&b, false).is_err());
        let json: serde_json::Value =
            serde_json::from_slice(&llb_command(&b, true).unwrap()).unwrap();
        assert!(json.get("linux/arm64").is_some());
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dockerfile(dir.path(), "FROM scratch\nNOPE x\n");
        let err = llb_command(&build(&path, &[]), false).unwrap_err();
        assert!(
            err.to_string().contains(
                "Dockerfile:2: dockerfile parse error on line 2: unknown instruction: NOPE"
            ),
            "{err}"
        );
        let missing = llb_command(&build(&dir.path().join("nope"), &[]), false).unwrap_err();
        assert!(missing.to_string().starts_with("cannot read "), "{missing}");
        let bad_arg = read_build(&build(&path, &["--build-arg", "NOEQUALS"])).unwrap_err();
        assert!(bad_arg.to_string().contains("expected KEY=VALUE"));
    }

    #[test]
    fn check_prints_like_buildx_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dockerfile(dir.path(), "FROM scratch AS Out\n");
        let out = run(CliCommand::Check {
            build: build(&path, &[]),
            json: false,
        })
        .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with(
                "Check complete, 1 warning has been found!\n\nWARNING: StageNameCasing - "
            ),
            "{text}"
        );
        assert!(out.failed);
        let clean = dockerfile(dir.path(), "FROM scratch AS out\n");
        let out = run(CliCommand::Check {
            build: build(&clean, &[]),
            json: false,
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "Check complete, no warnings found.\n"
        );
        assert!(!out.failed);
        let broken = dockerfile(dir.path(), "FROM scratch\nNOPE x\n");
        let out = run(CliCommand::Check {
            build: build(&broken, &[]),
            json: true,
        })
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let message = v["buildError"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("dockerfile parse error on line 2: unknown instruction: NOPE"),
            "{message}"
        );
        assert!(out.failed);
    }

    #[test]
    fn outline_and_targets_print_buildkit_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dockerfile(dir.path(), "FROM scratch AS one\nARG A=1\nFROM one\n");
        let out = run(CliCommand::Targets {
            dockerfile: path.clone(),
            json: false,
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "TARGET    DESCRIPTION\none       \n(default) \n"
        );
        let out = run(CliCommand::Outline {
            build: build(&path, &[]),
            json: true,
        })
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["args"][0]["name"], "A");
    }

    #[test]
    fn frontend_caps_are_the_implemented_ones() {
        let out = String::from_utf8(run(CliCommand::PrintFrontendCaps).unwrap().stdout).unwrap();
        assert_eq!(
            out,
            "moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,\
             moby.buildkit.frontend.contexts,moby.buildkit.frontend.gitquerystring\n"
        );
    }

    fn rewrite_args(path: &Path, extra: &[&str]) -> BuildArgs {
        let mut args = vec!["gofront", "rewrite", path.to_str().unwrap()];
        args.extend_from_slice(extra);
        match Cli::try_parse_from(args).unwrap().command {
            CliCommand::Rewrite { build } => build,
            other => panic!("parsed {other:?}"),
        }
    }

    const GO: &str = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";

    #[test]
    fn rewrite_prints_the_dockerfile_and_passes_non_go_files_through() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
        let path = dockerfile(dir.path(), GO);
        let out = rewrite_command(&rewrite_args(&path, &[])).unwrap();
        assert!(!out.failed, "{}", out.stderr);
        assert!(out.stdout.starts_with(b"FROM golang:1.22 AS build\n"));
        let plain = dockerfile(dir.path(), "FROM busybox\r\nRUN echo hi\r\n");
        let out = rewrite_command(&rewrite_args(&plain, &[])).unwrap();
        assert_eq!(out.stdout, b"FROM busybox\r\nRUN echo hi\r\n");
        assert_eq!(out.stderr, "");
    }

    #[test]
    fn rewrite_without_a_readable_context_says_why_deps_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dockerfile(dir.path(), GO);
        let missing = dir.path().join("no-such-dir");
        let out = rewrite_command(&rewrite_args(
            &path,
            &["--context", missing.to_str().unwrap()],
        ))
        .unwrap();
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            crate::frontend::RewriteKind::ALL.len(),
            "one decision per kind: {}",
            out.stderr
        );
        assert!(
            lines[0].starts_with("gofront: deps skipped (stage build, line 1): cannot read "),
            "{}",
            out.stderr
        );
        assert!(
            lines
                .last()
                .is_some_and(|l| l.starts_with("gofront: diagnose skipped")),
            "{}",
            out.stderr
        );
    }

    #[test]
    fn rewrite_rejects_unknown_skip_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dockerfile(dir.path(), GO);
        let err = rewrite_command(&rewrite_args(&path, &["--build-arg", "GOFRONT_SKIP=dep"]))
            .unwrap_err();
        assert!(err.to_string().contains("GOFRONT_SKIP"), "{err}");
    }

    #[test]
    fn context_defaults_to_the_dockerfile_directory_and_its_dockerignore() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = dir.path().join("ctx");
        std::fs::create_dir(&ctx).unwrap();
        std::fs::write(ctx.join(".dockerignore"), "secret\n").unwrap();
        std::fs::write(dir.path().join(".dockerignore"), "other\n").unwrap();
        let path = dockerfile(dir.path(), GO);
        let b = rewrite_args(&path, &[]);
        assert_eq!(
            context::context_dir(&b.dockerfile, b.context.as_deref()),
            dir.path()
        );
        assert_eq!(context_excludes(&b).as_deref(), Some(r#"["other"]"#));
        let b = rewrite_args(&path, &["--context", ctx.to_str().unwrap()]);
        assert_eq!(context_excludes(&b).as_deref(), Some(r#"["secret"]"#));
        std::fs::write(format!("{}.dockerignore", path.display()), "own\n").unwrap();
        assert_eq!(context_excludes(&b).as_deref(), Some(r#"["own"]"#));
    }

    /// The `local.excludepatterns` of the main context in the planned build.
    fn context_excludes(b: &BuildArgs) -> Option<String> {
        let (source, options) = read_build(b).unwrap();
        let plan = plan_build(b, source, options).unwrap().plan.unwrap();
        let def = &plan.converted.builds[0].definition;
        llb::definition_vertices(def)
            .unwrap()
            .into_iter()
            .find_map(|v| match &v.op.op {
                Some(llb::pb::op::Op::Source(s)) if s.identifier == "local://context" => {
                    s.attrs.get("local.excludepatterns").cloned()
                }
                _ => None,
            })
    }
}
