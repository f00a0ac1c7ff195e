//! The pipeline's tests: the context reads it asks for, the image loop, determinism, and the
//! Go rewrites around a stubbed rewrite planner (fallbacks, span mapping).

use super::*;
use crate::checks::Rule;
use crate::llb::{Caps, SourceFile};

fn daemon() -> DaemonInfo {
    DaemonInfo {
        llb_caps: Caps::v0_13_defaults(),
        build_platform: Platform::new("linux", "amd64", ""),
        session_id: String::new(),
    }
}

fn request(source: &[u8], options: &BuildOptions, context: ContextSource) -> Request {
    Request {
        dockerfile: SourceFile {
            filename: "Dockerfile".into(),
            data: source.to_vec(),
            language: "Dockerfile".into(),
            definition: None,
        },
        options: options.clone(),
        daemon: daemon(),
        context,
        builtin_go_images: false,
    }
}

/// A pipeline over a local context whose `.dockerignore` came with the Dockerfile (empty).
fn pipeline(source: &[u8], options: &BuildOptions) -> Pipeline {
    let local = ContextSource::Local {
        dockerignore: Some(Dockerignore::default()),
    };
    Pipeline::new(request(source, options, local))
}

/// Answers every context read with nothing, and the Go module files with `files`.
fn reader(files: Result<ContextFiles, String>) -> impl FnMut(&ContextRequest) -> ContextAnswer {
    move |request| match request {
        ContextRequest::Dockerignore { .. } => ContextAnswer::Dockerignore(Vec::new()),
        ContextRequest::NamedDockerignore { key, .. } => ContextAnswer::NamedDockerignore {
            key: key.clone(),
            data: Vec::new(),
        },
        ContextRequest::Inputs => ContextAnswer::Inputs(BTreeMap::new()),
        ContextRequest::Files(_) => ContextAnswer::Files(files.clone()),
    }
}

fn no_context() -> impl FnMut(&ContextRequest) -> ContextAnswer {
    reader(Err(NO_FACTS.to_string()))
}

fn plan_of(outcome: Result<Outcome, FrontendError>) -> Result<Plan, FrontendError> {
    match outcome? {
        Outcome::Plan(plan) => Ok(*plan),
        Outcome::Answer(_) => panic!("a subrequest answer, not a plan"),
    }
}

mod context {
    use super::*;

    const GO_SOURCE: &[u8] = b"FROM golang:1.22\nRUN go build ./...\n";

    fn steps(
        pipeline: &mut Pipeline,
        answers: &mut dyn FnMut(&ContextRequest) -> ContextAnswer,
    ) -> Vec<String> {
        let mut asked = Vec::new();
        loop {
            match pipeline.step().unwrap() {
                Step::Done(_) => return asked,
                Step::NeedContext(request) => {
                    asked.push(match &request {
                        ContextRequest::Dockerignore { .. } => "dockerignore".to_string(),
                        ContextRequest::NamedDockerignore { key, .. } => format!("named {key}"),
                        ContextRequest::Inputs => "inputs".to_string(),
                        ContextRequest::Files(_) => "files".to_string(),
                    });
                    let answer = answers(&request);
                    pipeline.provide_context(answer);
                }
                Step::NeedImages(requests) => {
                    for r in requests {
                        let image = unresolved_image(&r).unwrap();
                        pipeline.provide_image(&r, image);
                    }
                }
            }
        }
    }

    fn options(opts: &[(&str, &str)]) -> BuildOptions {
        let opts = opts
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        BuildOptions::from_opts(&opts).unwrap()
    }

    #[test]
    fn reads_are_asked_in_dockerfile_v0_order() {
        let opts = options(&[
            ("context:b", "local:bdir"),
            ("context:a", "local:adir"),
            ("context:in", "input:in"),
        ]);
        let local = ContextSource::Local { dockerignore: None };
        let mut p = Pipeline::new(request(GO_SOURCE, &opts, local));
        let asked = steps(&mut p, &mut no_context());
        assert_eq!(
            asked,
            ["dockerignore", "named a", "named b", "inputs", "files"]
        );
    }

    #[test]
    fn the_dockerfiles_own_ignore_file_and_non_go_builds_need_fewer_reads() {
        let own = ContextSource::Local {
            dockerignore: Some(Dockerignore::default()),
        };
        let mut p = Pipeline::new(request(b"FROM busybox\n", &options(&[]), own));
        assert!(steps(&mut p, &mut no_context()).is_empty());
        let off = options(&[("build-arg:GOFRONT", "off")]);
        let local = ContextSource::Local { dockerignore: None };
        let mut p = Pipeline::new(request(GO_SOURCE, &off, local));
        assert_eq!(steps(&mut p, &mut no_context()), ["dockerignore"]);
    }

    #[test]
    fn a_remote_context_reads_nothing_and_says_why() {
        let opts = options(&[("context", "https://example.com/r.git")]);
        let remote = crate::dockerui::RemoteContext::detect(&opts).unwrap();
        let source = ContextSource::Remote {
            remote,
            archive: false,
        };
        let mut p = Pipeline::new(request(GO_SOURCE, &opts, source));
        assert!(steps(&mut p, &mut no_context()).is_empty());
        let decisions = &p.report().unwrap().rewritten.decisions;
        assert!(
            decisions.iter().any(|d| d.detail == REMOTE_NO_FACTS),
            "{decisions:?}"
        );
    }

    #[test]
    fn subrequests_are_answered_before_anything_is_read() {
        let mut opts = options(&[]);
        opts.subrequest = Some(crate::options::Subrequest::Targets);
        let local = ContextSource::Local { dockerignore: None };
        let mut p = Pipeline::new(request(GO_SOURCE, &opts, local));
        assert!(matches!(p.step().unwrap(), Step::Done(Outcome::Answer(_))));
    }

    /// The regression of issue 9: `.dockerignore` used to be parsed twice (once when read,
    /// once more by convert), so an indented `#name` line, which BuildKit keeps as the
    /// pattern `#name`, was dropped the second time and `#name` entered the context. Read
    /// once, the pattern reaches `local.excludepatterns`.
    #[test]
    fn an_indented_hash_line_stays_an_exclude_pattern() {
        let local = ContextSource::Local { dockerignore: None };
        let src = b"FROM scratch\nCOPY . /\n";
        let mut p = Pipeline::new(request(src, &options(&[]), local));
        let mut answers = |request: &ContextRequest| match request {
            ContextRequest::Dockerignore { .. } => {
                ContextAnswer::Dockerignore(b"# comment\n  #name\n*.log\n".to_vec())
            }
            other => no_context()(other),
        };
        let plan = plan_of(p.run(&mut answers, unresolved_image)).unwrap();
        let def = &plan.converted.builds[0].definition;
        let excludes: Vec<String> = crate::llb::definition_vertices(def)
            .unwrap()
            .into_iter()
            .filter_map(|v| match &v.op.op {
                Some(crate::llb::pb::op::Op::Source(s)) if s.identifier == "local://context" => {
                    s.attrs.get("local.excludepatterns").cloned()
                }
                _ => None,
            })
            .collect();
        assert_eq!(excludes, [r##"["#name","*.log"]"##]);
    }

    #[test]
    fn module_file_names() {
        for p in [
            "go.mod",
            "a/go.sum",
            "go.work",
            "x/go.work.sum",
            "vendor/modules.txt",
        ] {
            assert!(is_module_file(p), "{p}");
        }
        for p in [
            "main.go",
            "go.mod.bak",
            "modules.txt",
            "notvendor/modules.txt",
        ] {
            assert!(!is_module_file(p), "{p}");
        }
    }
}

mod plain {
    use super::*;

    fn options() -> BuildOptions {
        BuildOptions::from_opts(&BTreeMap::new()).unwrap()
    }

    const SOURCE: &[u8] = b"FROM busybox AS a\nRUN true\nFROM golang:1.22\nCOPY --from=a /x /x\n";

    #[test]
    fn pipeline_asks_for_images_then_finishes() {
        let mut pipeline = pipeline(SOURCE, &options());
        let mut asked = Vec::new();
        let plan = loop {
            match pipeline.step().unwrap() {
                Step::Done(Outcome::Plan(plan)) => break plan,
                Step::Done(Outcome::Answer(_)) | Step::NeedContext(_) => panic!("unexpected"),
                Step::NeedImages(reqs) => {
                    for r in reqs {
                        asked.push(r.reference.clone());
                        let image = unresolved_image(&r).unwrap();
                        pipeline.provide_image(&r, image);
                    }
                }
            }
        };
        asked.sort();
        assert_eq!(
            asked,
            [
                "docker.io/library/busybox:latest",
                "docker.io/library/golang:1.22"
            ]
        );
        assert_eq!(plan.converted.builds.len(), 1);
    }

    #[test]
    fn run_reports_resolver_errors_with_the_image() {
        let err = pipeline(SOURCE, &options())
            .run(no_context(), |_| Err("no such image".to_string()))
            .unwrap_err();
        assert!(matches!(err, FrontendError::Resolve { .. }));
        assert!(err.to_string().ends_with(": no such image"), "{err}");
    }

    #[test]
    fn planning_is_deterministic() {
        let options = options();
        let plan =
            || plan_of(pipeline(SOURCE, &options).run(no_context(), unresolved_image)).unwrap();
        let first = crate::llb::encode_definition(&plan().converted.builds[0].definition);
        for _ in 0..10 {
            let again = crate::llb::encode_definition(&plan().converted.builds[0].definition);
            assert_eq!(first, again);
        }
    }
}

mod go {
    use super::*;
    use crate::golang::rewrite::{LineMap, RunEnv};
    use crate::llb::{definition_vertices, pb};

    const GO_SOURCE: &str = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n\
                             RUN go build -o /app .\n";
    const REWRITTEN: &str = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod ./\n\
                             RUN go mod download\nCOPY . .\nRUN go build -o /app .\n";
    const GOLANG_CONFIG: &str = r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/go/bin:/usr/local/go/bin:/bin","GOLANG_VERSION=1.22.5","GOTOOLCHAIN=local","GOPATH=/gopath-from-config"],"WorkingDir":"/go"},"rootfs":{"type":"layers","diff_ids":["sha256:bbbb"]}}"#;

    fn options(args: &[(&str, &str)]) -> BuildOptions {
        let opts = args
            .iter()
            .map(|(k, v)| (format!("build-arg:{k}"), v.to_string()))
            .collect();
        BuildOptions::from_opts(&opts).unwrap()
    }

    fn golang(request: &ImageRequest) -> Result<ResolvedImage, String> {
        Ok(ResolvedImage {
            reference: request.reference.clone(),
            digest: Some(format!("sha256:{}", "1".repeat(64))),
            config: GOLANG_CONFIG.as_bytes().to_vec(),
        })
    }

    fn decision(detail: String) -> Decision {
        Decision {
            kind: RewriteKind::Deps,
            stage: 0,
            stage_label: "build".into(),
            span: Span { start: 3, end: 3 },
            applied: true,
            detail,
        }
    }

    /// Inserts a deps step before line 3 and gives the go build RUN a GOPROXY.
    fn inserting(_: &str, _: &Dockerfile, facts: &GoFacts, options: &RewriteOptions) -> Rewritten {
        let gopath = facts.stages[0].go_runs[0].env.gopath.clone();
        let enabled: Vec<&str> = options.enabled.iter().map(|k| k.name()).collect();
        Rewritten {
            text: REWRITTEN.into(),
            line_map: LineMap {
                original: vec![1, 2, 3, 3, 3, 4],
            },
            run_env: vec![RunEnv {
                rewritten_line: 6,
                vars: vec![("GOPROXY".into(), "http://secret-proxy".into())],
            }],
            run_wraps: Vec::new(),
            fetch_script: None,
            run_cross: Vec::new(),
            decisions: vec![decision(format!(
                "gopath {gopath:?}, on: {}",
                enabled.join(",")
            ))],
            diagnostics: vec![Diagnostic {
                severity: Severity::Warning,
                code: "build-flag-a",
                span: Span { start: 4, end: 4 },
                message: "-a defeats the build cache".into(),
            }],
        }
    }

    /// Changes nothing but reports a decision.
    fn deciding(text: &str, _: &Dockerfile, _: &GoFacts, _: &RewriteOptions) -> Rewritten {
        let mut r = Rewritten::unchanged(text);
        r.decisions.push(decision("nothing to do".into()));
        r
    }

    /// Reports an error diagnostic.
    fn failing(text: &str, _: &Dockerfile, _: &GoFacts, _: &RewriteOptions) -> Rewritten {
        let mut r = Rewritten::unchanged(text);
        r.diagnostics.push(Diagnostic {
            severity: Severity::Error,
            code: "go-mod-not-found",
            span: Span { start: 4, end: 4 },
            message: "go.mod is in app/, not /src".into(),
        });
        r
    }

    /// Names a RUN line that does not exist.
    fn broken(text: &str, _: &Dockerfile, _: &GoFacts, _: &RewriteOptions) -> Rewritten {
        let mut r = Rewritten::unchanged(text);
        r.run_env.push(RunEnv {
            rewritten_line: 2,
            vars: vec![("GOFLAGS".into(), "-x".into())],
        });
        r
    }

    fn plan_with(
        rewriter: Rewriter,
        options: &BuildOptions,
        context: Option<ContextFacts>,
    ) -> Result<Plan, FrontendError> {
        let files = context.map(|c| c.files).ok_or_else(|| NO_FACTS.to_string());
        plan_of(
            pipeline(GO_SOURCE.as_bytes(), options)
                .with_rewriter(rewriter)
                .run(reader(files), golang),
        )
    }

    fn bytes(plan: &Plan) -> Vec<u8> {
        crate::llb::encode_definition(&plan.converted.builds[0].definition)
    }

    fn context() -> Option<ContextFacts> {
        let mut c = ContextFacts::default();
        c.insert("go.mod", b"module example.com/m\n\ngo 1.22\n".to_vec());
        Some(c)
    }

    #[test]
    fn unchanged_build_is_byte_identical_to_rewriting_off() {
        let off = plan_with(deciding, &options(&[("GOFRONT", "off")]), context()).unwrap();
        assert!(off.go.is_none());
        let on = plan_with(deciding, &options(&[]), context()).unwrap();
        assert_eq!(bytes(&off), bytes(&on));
        let report = on.go.expect("a Go stage gets a report");
        assert_eq!(report.rewritten.decisions[0].detail, "nothing to do");
        let directive = "# gofront=off\n".to_string() + GO_SOURCE;
        let opts = options(&[]);
        let plan = plan_of(
            pipeline(directive.as_bytes(), &opts)
                .with_rewriter(inserting)
                .run(no_context(), golang),
        )
        .unwrap();
        assert!(plan.go.is_none(), "the directive turns every rewrite off");
    }

    #[test]
    fn rewritten_dockerfile_is_converted_with_user_lines_and_run_env() {
        let plan = plan_with(inserting, &options(&[]), context()).unwrap();
        let build = &plan.converted.builds[0];
        let vertices = definition_vertices(&build.definition).unwrap();
        let exec = |needle: &str| {
            vertices
                .iter()
                .find_map(|v| match &v.op.op {
                    Some(pb::op::Op::Exec(e))
                        if e.meta.as_ref().unwrap().args.join(" ").contains(needle) =>
                    {
                        Some((v.digest.to_string(), v.name.clone().unwrap(), e.clone()))
                    }
                    _ => None,
                })
                .unwrap_or_else(|| panic!("no exec running {needle}"))
        };
        let (download, name, _) = exec("go mod download");
        assert!(name.contains("RUN go mod download"), "{name}");
        let (_, build_name, go_build) = exec("go build");
        let env = &go_build.meta.as_ref().unwrap().env;
        assert!(
            env.contains(&"GOPROXY=http://secret-proxy".to_string()),
            "{env:?}"
        );
        assert!(!build_name.contains("secret"), "{build_name}");
        let config = String::from_utf8(build.image_config.clone()).unwrap();
        assert!(!config.contains("secret"), "{config}");
        // The inserted step points at the user's COPY line; the source is the user's file.
        let source = build.definition.source.as_ref().unwrap();
        assert_eq!(source.infos[0].data, GO_SOURCE.as_bytes());
        let ranges = &source.locations[&download].locations[0].ranges;
        assert_eq!(ranges[0].start.as_ref().unwrap().line, 3);
        // The analysis saw the resolved image config; deps was on with facts.
        let report = plan.go.unwrap();
        let detail = &report.rewritten.decisions[0].detail;
        assert!(detail.contains("/gopath-from-config"), "{detail}");
        assert!(
            detail.contains("deps") && detail.contains("diagnose"),
            "{detail}"
        );
        // Diagnostic warnings are reported as checks of gofront's rules.
        let w = plan.checks.warnings.last().unwrap();
        assert_eq!(
            (w.rule, w.location),
            (Rule::BuildFlagA, Some(Span { start: 4, end: 4 }))
        );
        assert_eq!(w.short(), "BuildFlagA: -a defeats the build cache (line 4)");
    }

    #[test]
    fn error_diagnostics_fail_with_the_users_span_and_keep_the_report() {
        let opts = options(&[]);
        let files = context().map(|c| c.files).ok_or_else(String::new);
        let mut pipeline = pipeline(GO_SOURCE.as_bytes(), &opts).with_rewriter(failing);
        let err = pipeline.run(reader(files), golang).unwrap_err();
        assert_eq!(err.span(), Some(Span { start: 4, end: 4 }));
        assert_eq!(err.to_string(), "go.mod is in app/, not /src");
        assert!(pipeline.report().is_some());
        // With diagnose skipped, the finding is not reported at all.
        let skip = options(&[("GOFRONT_SKIP", "diagnose")]);
        assert!(plan_with(failing, &skip, context()).is_ok());
    }

    #[test]
    fn a_skipped_error_diagnosis_lets_the_build_go_on() {
        let files = || context().map(|c| c.files).ok_or_else(String::new);
        let run = |source: &str, opts: &BuildOptions| {
            plan_of(
                pipeline(source.as_bytes(), opts)
                    .with_rewriter(failing)
                    .run(reader(files()), golang),
            )
        };
        let skip_all = format!("# check=skip=GoModNotFound\n{GO_SOURCE}");
        let plan = run(&skip_all, &options(&[])).unwrap();
        assert!(plan.go.unwrap().rewritten.diagnostics.is_empty());
        assert!(plan.checks.warnings.is_empty());
        // The same through the build argument, and through a comment above the RUN (line 4).
        let arg = options(&[("BUILDKIT_DOCKERFILE_CHECK", "skip=GoModNotFound")]);
        assert!(run(GO_SOURCE, &arg).is_ok());
        // A comment right above the diagnosed RUN skips it there only.
        fn failing_at_run(
            text: &str,
            _: &Dockerfile,
            _: &GoFacts,
            _: &RewriteOptions,
        ) -> Rewritten {
            let line = text
                .lines()
                .position(|l| l.starts_with("RUN go build"))
                .unwrap_or(0)
                + 1;
            let mut r = Rewritten::unchanged(text);
            r.diagnostics.push(Diagnostic {
                severity: Severity::Error,
                code: "go-mod-not-found",
                span: Span {
                    start: line,
                    end: line,
                },
                message: "go.mod is in app/, not /src".into(),
            });
            r
        }
        let commented =
            GO_SOURCE.replace("RUN go build", "# check=skip=GoModNotFound\nRUN go build");
        let with = |source: &str| {
            pipeline(source.as_bytes(), &options(&[]))
                .with_rewriter(failing_at_run)
                .run(reader(files()), golang)
        };
        assert!(with(&commented).is_ok());
        assert!(with(GO_SOURCE).is_err());
        let elsewhere = GO_SOURCE.replace("COPY", "# check=skip=GoModNotFound\nCOPY");
        assert!(with(&elsewhere).is_err());
        // Skipping another rule changes nothing.
        let other = format!("# check=skip=BuildFlagA\n{GO_SOURCE}");
        assert!(run(&other, &options(&[])).is_err());
    }

    #[test]
    fn go_diagnoses_are_check_findings_for_lint() {
        let opts = options(&[]);
        let mut lint = opts.clone();
        lint.subrequest = Some(crate::options::Subrequest::Lint);
        let files = context().map(|c| c.files).ok_or_else(String::new);
        let answer = pipeline(GO_SOURCE.as_bytes(), &lint)
            .with_rewriter(failing)
            .run(reader(files), golang)
            .unwrap();
        let Outcome::Answer(answer) = answer else {
            panic!("not an answer")
        };
        let v: serde_json::Value = serde_json::from_slice(&answer.json).unwrap();
        assert_eq!(v["warnings"][0]["ruleName"], "GoModNotFound");
        assert_eq!(v["warnings"][0]["url"], "docs/checks/go-mod-not-found.md");
        assert_eq!(v["warnings"][0]["detail"], "go.mod is in app/, not /src");
        assert!(v.get("buildError").is_none(), "{v}");
    }

    #[test]
    fn unknown_skip_names_are_an_options_error() {
        let err =
            plan_with(deciding, &options(&[("GOFRONT_SKIP", "deps,cahce")]), None).unwrap_err();
        assert!(matches!(err, FrontendError::Options(_)), "{err:?}");
        assert!(err.to_string().contains("cahce"), "{err}");
    }

    #[test]
    fn without_context_facts_deps_and_diagnose_are_skipped_with_a_reason() {
        let opts = options(&[]);
        let plan = plan_of(
            pipeline(GO_SOURCE.as_bytes(), &opts)
                .with_rewriter(inserting)
                .run(reader(Err("remote context".into())), golang),
        )
        .unwrap();
        let decisions = plan.go.unwrap().rewritten.decisions;
        let skipped: Vec<(RewriteKind, bool, &str)> = decisions
            .iter()
            .filter(|d| !d.applied)
            .map(|d| (d.kind, d.applied, d.detail.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                (RewriteKind::Deps, false, "remote context"),
                (RewriteKind::Diagnose, false, "remote context")
            ]
        );
    }

    #[test]
    fn builtin_go_images_stand_in_only_without_a_resolved_config() {
        let opts = options(&[]);
        let local = ContextSource::Local {
            dockerignore: Some(Dockerignore::default()),
        };
        let mut builtin = request(GO_SOURCE.as_bytes(), &opts, local);
        builtin.builtin_go_images = true;
        let plan = plan_of(
            Pipeline::new(builtin)
                .with_rewriter(inserting)
                .run(no_context(), unresolved_image),
        )
        .unwrap();
        let detail = &plan.go.unwrap().rewritten.decisions[0].detail;
        assert!(detail.contains("Some(\"/go\")"), "{detail}");
        let plan = plan_of(
            pipeline(GO_SOURCE.as_bytes(), &opts)
                .with_rewriter(inserting)
                .run(no_context(), unresolved_image),
        )
        .unwrap();
        let detail = &plan.go.unwrap().rewritten.decisions[0].detail;
        assert!(!detail.contains("Some(\"/go\")"), "{detail}");
    }

    /// Rewrites into a Dockerfile that parses but does not convert (a stage copying from
    /// itself: a circular dependency).
    fn unconvertible(text: &str, df: &Dockerfile, f: &GoFacts, o: &RewriteOptions) -> Rewritten {
        let mut r = inserting(text, df, f, o);
        r.text = r
            .text
            .replace("COPY go.mod ./", "COPY --from=build go.mod ./");
        r
    }

    fn passthrough_bytes() -> Vec<u8> {
        bytes(&plan_with(deciding, &options(&[("GOFRONT", "off")]), context()).unwrap())
    }

    #[test]
    fn a_run_env_without_its_run_falls_back_to_the_dockerfile_as_written() {
        let plan = plan_with(broken, &options(&[]), context()).unwrap();
        assert_eq!(bytes(&plan), passthrough_bytes());
        let warning = plan
            .checks
            .warnings
            .iter()
            .find(|w| w.rule == Rule::GoRewriteDropped)
            .expect("a rewrite-dropped warning");
        assert!(
            warning.message.contains("no RUN starts at line 2"),
            "{}",
            warning.message
        );
    }

    #[test]
    fn a_rewritten_dockerfile_that_does_not_convert_falls_back_to_the_original() {
        let plan = plan_with(unconvertible, &options(&[]), context()).unwrap();
        assert_eq!(bytes(&plan), passthrough_bytes());
        let report = plan.go.unwrap();
        assert_eq!(report.rewritten.text, GO_SOURCE);
        assert!(report.rewritten.run_env.is_empty());
        let d = &report.rewritten.decisions[0];
        assert!(!d.applied);
        assert!(
            d.detail
                .starts_with("not applied: the rewritten Dockerfile does not convert"),
            "{}",
            d.detail
        );
        assert!(plan
            .checks
            .warnings
            .iter()
            .any(|w| w.rule == Rule::GoRewriteDropped));
    }

    #[test]
    fn phase2_maps_spans_and_keys_env_by_command() {
        let r = inserting(
            "",
            &crate::frontend::parse(b"FROM x\n").unwrap(),
            &go_facts(),
            &RewriteOptions::default(),
        );
        let p = phase2(&r).unwrap();
        let spans: Vec<usize> = p.dockerfile.stages[0]
            .commands
            .iter()
            .map(|c| c.span.start)
            .collect();
        assert_eq!(spans, [2, 3, 3, 3, 4]);
        assert_eq!(
            p.run_process.keys().collect::<Vec<_>>(),
            [&CommandRef {
                stage: 0,
                command: 4
            }]
        );
    }

    fn go_facts() -> GoFacts {
        let df = crate::frontend::parse(GO_SOURCE.as_bytes()).unwrap();
        let images = BTreeMap::<String, BaseImage>::new();
        let args = BTreeMap::new();
        gather(
            &AnalyzeInput {
                dockerfile: &df,
                build_args: &args,
                images: &images,
                target: None,
            },
            &ContextFacts::default(),
        )
    }

    #[test]
    fn needs_context_facts_only_for_go_stages_with_rewriting_on() {
        let df = crate::frontend::parse(GO_SOURCE.as_bytes()).unwrap();
        assert!(needs_context_facts(&df, &options(&[])));
        assert!(!needs_context_facts(&df, &options(&[("GOFRONT", "off")])));
        assert!(!needs_context_facts(
            &df,
            &options(&[("GOFRONT_SKIP", "nope")])
        ));
        let plain = crate::frontend::parse(b"FROM busybox\nRUN echo go build\n").unwrap();
        assert!(!needs_context_facts(&plain, &options(&[])));
    }

    #[test]
    fn go_sources_are_read_only_for_the_seed_rewrite() {
        let df = crate::frontend::parse(GO_SOURCE.as_bytes()).unwrap();
        assert!(reads_go_sources(&df, &options(&[])));
        assert!(!reads_go_sources(
            &df,
            &options(&[("GOFRONT_SKIP", "seed")])
        ));
        assert!(!reads_go_sources(
            &df,
            &options(&[("GOFRONT_SKIP", "deps")])
        ));
        assert!(!reads_go_sources(&df, &options(&[("GOFRONT", "off")])));
        assert_eq!(module_files_take("cmd/app/main.go"), Take::Skip);
        assert_eq!(module_files_take("go.mod"), Take::Whole);
        assert_eq!(module_files_take("vendor/modules.txt"), Take::Whole);
        assert_eq!(context_take("cmd/app/main.go"), Take::Head);
    }

    #[test]
    fn summary_lists_decisions_then_diagnostics() {
        let mut rewritten = Rewritten::unchanged("FROM x\n");
        rewritten.decisions.push(Decision {
            kind: RewriteKind::ModCache,
            stage: 0,
            stage_label: "build".into(),
            span: Span { start: 4, end: 4 },
            applied: true,
            detail: "mounted at /go/pkg/mod".into(),
        });
        for (severity, line) in [(Severity::Warning, 5), (Severity::Error, 7)] {
            rewritten.diagnostics.push(Diagnostic {
                severity,
                code: "x",
                span: Span {
                    start: line,
                    end: line,
                },
                message: format!("finding {line}"),
            });
        }
        let options = RewriteOptions::for_build(&BTreeMap::new(), None).unwrap();
        let report = GoReport {
            rewritten: rewritten.clone(),
            options,
        };
        assert_eq!(
            report.summary(),
            "gofront: modcache applied (stage build, line 4): mounted at /go/pkg/mod\n\
             warning: line 5: finding 5\nerror: line 7: finding 7\n"
        );
        let skip = BTreeMap::from([("GOFRONT_SKIP".to_string(), "diagnose".to_string())]);
        let report = GoReport {
            rewritten,
            options: RewriteOptions::for_build(&skip, None).unwrap(),
        };
        assert!(!report.summary().contains("finding"));
    }
}
