//! Command-line mode: `gofront llb|outline|targets|print-frontend-caps` without a daemon, and the
//! dispatch into gateway mode when BuildKit's environment is present. The same pipeline as a
//! real build runs here, with the caps of a stock Docker 26.1 daemon and unresolved images
//! (base images stay unpinned, their configs empty).
//!
//! Not for: talking to BuildKit (see [`crate::gateway`]).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::convert::DaemonFacts;
use crate::frontend::{self, unresolved_image, FrontendError, Planner};
use crate::gateway::{self, dockerignore, load};
use crate::llb::{self, Caps, FrontendCaps};
use crate::options::{BuildOptions, Subrequest};
use crate::platform::Platform;

/// gofront: a BuildKit frontend for Dockerfiles.
#[derive(Debug, Parser)]
#[command(name = "gofront", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
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
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
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

/// Runs the program; returns the process exit code.
pub fn main() -> ExitCode {
    init_tracing();
    if gateway::is_gateway_env() {
        return gateway::run();
    }
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
        Ok(out) => match std::io::stdout().write_all(&out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write output: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .try_init();
}

/// Runs one command and returns what goes to stdout.
pub fn run(command: Command) -> Result<Vec<u8>, CliError> {
    match command {
        Command::Llb { build, json } => llb_command(&build, json),
        Command::Outline { build, json } => {
            let (source, options) = read_build(&build)?;
            subrequest(
                &Subrequest::Outline,
                &build.dockerfile,
                &source,
                &options,
                json,
            )
        }
        Command::Targets { dockerfile, json } => {
            let source = read(&dockerfile)?;
            let options =
                BuildOptions::from_opts(&BTreeMap::new()).map_err(|e| CliError(e.to_string()))?;
            subrequest(&Subrequest::Targets, &dockerfile, &source, &options, json)
        }
        Command::PrintFrontendCaps => {
            Ok(format!("{}\n", gateway::session::FRONTEND_CAPS.join(",")).into_bytes())
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError(format!("cannot read {}: {e}", path.display())))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Dockerfile".to_string())
}

/// Reads the Dockerfile and turns the flags into the option map BuildKit would send.
fn read_build(build: &BuildArgs) -> Result<(Vec<u8>, BuildOptions), CliError> {
    let source = read(&build.dockerfile)?;
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

fn subrequest(
    request: &Subrequest,
    path: &Path,
    source: &[u8],
    options: &BuildOptions,
    json: bool,
) -> Result<Vec<u8>, CliError> {
    let answer = frontend::subrequest(request, source, options).map_err(|e| located(e, path))?;
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

/// The `.dockerignore` that applies: `<Dockerfile>.dockerignore`, else `.dockerignore` next to
/// the Dockerfile (taken as the context directory).
fn read_dockerignore(dockerfile: &Path) -> Vec<u8> {
    let own = PathBuf::from(format!("{}.dockerignore", dockerfile.display()));
    let dir = dockerfile.parent().unwrap_or(Path::new("."));
    std::fs::read(own)
        .or_else(|_| std::fs::read(dir.join(load::DOCKERIGNORE_NAME)))
        .unwrap_or_default()
}

fn llb_command(build: &BuildArgs, json: bool) -> Result<Vec<u8>, CliError> {
    let (source, options) = read_build(build)?;
    let caps = Caps::v0_13_defaults();
    let facts = DaemonFacts {
        llb_caps: caps.clone(),
        build_platform: Platform::host(),
        session_id: String::new(),
        frontend_caps: FrontendCaps::v0_13_defaults().to_set(),
    };
    let definition = load::dockerfile_source(
        &options.dockerfile_key,
        &options.filename,
        &facts.session_id,
        &Platform::host(),
        &caps,
    )
    .map_err(|e| CliError(e.to_string()))?;
    let patterns = dockerignore::parse(&read_dockerignore(&build.dockerfile));
    let dockerfile = frontend::parse(&source).map_err(|e| located(e, &build.dockerfile))?;
    let plan = Planner::new(
        dockerfile,
        &source,
        &options,
        &facts,
        &patterns,
        Some(definition),
    )
    .run(unresolved_image)
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
            Command::Llb { build, .. } => build,
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
    fn outline_and_targets_print_buildkit_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dockerfile(dir.path(), "FROM scratch AS one\nARG A=1\nFROM one\n");
        let out = run(Command::Targets {
            dockerfile: path.clone(),
            json: false,
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "TARGET    DESCRIPTION\none       \n(default) \n"
        );
        let out = run(Command::Outline {
            build: build(&path, &[]),
            json: true,
        })
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["args"][0]["name"], "A");
    }

    #[test]
    fn frontend_caps_are_the_implemented_ones() {
        let out = String::from_utf8(run(Command::PrintFrontendCaps).unwrap()).unwrap();
        assert_eq!(
            out,
            "moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts\n"
        );
    }
}
