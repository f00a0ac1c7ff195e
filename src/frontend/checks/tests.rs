//! The build checks through the whole pipeline, table-driven: every conversion-time rule
//! (positive and negative rows), the configuration (directive, build arg, per-instruction
//! comments, `error=true`), `--check` answers (JSON shape, text, status, build error), and the
//! Go rules (skipping an error diagnosis lets the build go on).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::checks::Rule;
use crate::convert::{DaemonInfo, ImageRequest, ResolvedImage};
use crate::dockerui::Dockerignore;
use crate::frontend::{ContextAnswer, ContextRequest, ContextSource, Outcome, Pipeline, Request};
use crate::llb::{Caps, SourceFile};
use crate::options::BuildOptions;
use crate::platform::Platform;

const BUSYBOX: &str = r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/bin:/usr/bin:/bin","HOME=/root"]},"rootfs":{"type":"layers","diff_ids":["sha256:aaaa"]}}"#;

fn options(opts: &[(&str, &str)]) -> BuildOptions {
    let opts: BTreeMap<String, String> = opts
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    BuildOptions::from_opts(&opts).unwrap()
}

fn request(dockerfile: &str, dockerignore: &str, opts: &[(&str, &str)]) -> Request {
    Request {
        dockerfile: SourceFile {
            filename: "Dockerfile".into(),
            data: dockerfile.as_bytes().to_vec(),
            language: "Dockerfile".into(),
            definition: None,
        },
        options: options(opts),
        daemon: DaemonInfo {
            llb_caps: Caps::v0_13_defaults(),
            build_platform: Platform::new("linux", "amd64", ""),
            session_id: String::new(),
        },
        context: ContextSource::Local {
            dockerignore: Some(Dockerignore::parse(dockerignore.as_bytes())),
        },
        builtin_go_images: false,
    }
}

fn read(_: &ContextRequest) -> ContextAnswer {
    ContextAnswer::Files(Err("no Go files in these tests".into()))
}

/// Every image resolves to `config` (the busybox-like one unless the image name says
/// otherwise: `arm64img` is an arm64 image, `shellimg` has a SHELL).
fn resolve(request: &ImageRequest) -> Result<ResolvedImage, String> {
    let config = if request.reference.contains("arm64img") {
        BUSYBOX.replace("amd64", "arm64")
    } else if request.reference.contains("shellimg") {
        BUSYBOX.replace(
            r#""HOME=/root"]"#,
            r#""HOME=/root"],"Shell":["/bin/bash","-c"]"#,
        )
    } else {
        BUSYBOX.to_string()
    };
    Ok(ResolvedImage {
        reference: request.reference.clone(),
        digest: None,
        config: config.into_bytes(),
    })
}

/// `--check` on `dockerfile`: the answer's JSON and text.
fn lint(dockerfile: &str, dockerignore: &str, opts: &[(&str, &str)]) -> (Value, String, String) {
    let mut opts = opts.to_vec();
    opts.push(("requestid", "frontend.lint"));
    let mut p = Pipeline::new(request(dockerfile, dockerignore, &opts));
    match p.run(read, resolve) {
        Ok(Outcome::Answer(a)) => (
            serde_json::from_slice(&a.json).unwrap(),
            String::from_utf8(a.text).unwrap(),
            a.status.unwrap_or_default(),
        ),
        other => panic!("not a lint answer: {other:?}"),
    }
}

/// The reported warnings of `--check` as (rule, first line, message).
fn warnings(
    dockerfile: &str,
    dockerignore: &str,
    opts: &[(&str, &str)],
) -> Vec<(String, u64, String)> {
    let (v, _, _) = lint(dockerfile, dockerignore, opts);
    v["warnings"]
        .as_array()
        .map(|ws| {
            ws.iter()
                .map(|w| {
                    (
                        w["ruleName"].as_str().unwrap().to_string(),
                        w.pointer("/location/ranges/0/start/line")
                            .and_then(Value::as_u64)
                            .unwrap_or(0),
                        w["detail"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

type Row = (&'static str, &'static [(u64, &'static str)]);

/// Runs rows of (Dockerfile, expected (line, message)) for one rule.
fn rule_rows(rule: Rule, dockerignore: &str, opts: &[(&str, &str)], rows: &[Row]) {
    for (src, want) in rows {
        let got: Vec<(u64, String)> = warnings(src, dockerignore, opts)
            .into_iter()
            .filter(|(r, _, _)| r == rule.name())
            .map(|(_, l, m)| (l, m))
            .collect();
        let want: Vec<(u64, String)> = want.iter().map(|(l, m)| (*l, m.to_string())).collect();
        assert_eq!(got, want, "{rule}: {src:?}");
    }
}

#[test]
fn undefined_var() {
    rule_rows(
        Rule::UndefinedVar,
        "",
        &[],
        &[
            (
                "FROM b\nENV A=$UNSET_THING\n",
                &[(2, "Usage of undefined variable '$UNSET_THING'")],
            ),
            (
                "FROM b\nENV A=$PTH\n",
                &[(
                    2,
                    "Usage of undefined variable '$PTH' (did you mean $PATH?)",
                )],
            ),
            ("FROM b\nENV A=$PATH:$HOME\n", &[]),
            ("FROM b\nARG X\nENV A=$X\n", &[]),
            ("FROM b AS base\nARG X\nFROM base\nENV A=$X\n", &[]),
            (
                "FROM b\nENV A=${UNSET_THING:-x}\n",
                &[(2, "Usage of undefined variable '$UNSET_THING'")],
            ),
            (
                "FROM b\nARG D=$UNSET_THING\n",
                &[(2, "Usage of undefined variable '$UNSET_THING'")],
            ),
            (
                "FROM b\nCOPY $UNSET_THING /x\n",
                &[(2, "Usage of undefined variable '$UNSET_THING'")],
            ),
            (
                "FROM b\nWORKDIR /$UNSET_THING\n",
                &[(2, "Usage of undefined variable '$UNSET_THING'")],
            ),
            (
                "FROM b\nRUN --mount=type=cache,target=/$UNSET_THING true\n",
                &[(2, "Usage of undefined variable '$UNSET_THING'")],
            ),
            // The shell expands RUN and CMD, not the frontend; SBOM args are never reported.
            (
                "FROM b\nRUN echo $UNSET_THING\nCMD [\"$UNSET_THING\"]\n",
                &[],
            ),
            ("FROM b\nENV A=$BUILDKIT_SBOM_SCAN_STAGE\n", &[]),
        ],
    );
    // A build arg overrides an ARG default, which is then not expanded.
    rule_rows(
        Rule::UndefinedVar,
        "",
        &[("build-arg:D", "v")],
        &[
            ("FROM b\nARG D=$UNSET_THING\n", &[]),
            ("FROM b\nARG A B=$A\n", &[]),
        ],
    );
}

#[test]
fn legacy_key_value_format() {
    rule_rows(
        Rule::LegacyKeyValueFormat,
        "",
        &[],
        &[
            ("FROM b\nENV A b\n", &[(2, "\"ENV key=value\" should be used instead of legacy \"ENV key value\" format")]),
            ("FROM b\nlabel a b c\n", &[(2, "\"label key=value\" should be used instead of legacy \"label key value\" format")]),
            ("FROM b\nENV A=b C=d\nLABEL x=y\n", &[]),
        ],
    );
}

#[test]
fn secrets_used_in_arg_or_env() {
    rule_rows(
        Rule::SecretsUsedInArgOrEnv,
        "",
        &[],
        &[
            (
                "FROM b\nARG API_TOKEN\n",
                &[(
                    2,
                    "Do not use ARG or ENV instructions for sensitive data (ARG \"API_TOKEN\")",
                )],
            ),
            (
                "FROM b\nENV PASSWORD=x\n",
                &[(
                    2,
                    "Do not use ARG or ENV instructions for sensitive data (ENV \"PASSWORD\")",
                )],
            ),
            (
                "FROM b\nARG PUBLIC_KEY\nENV KEY_FILE=/k\nARG GO_VERSION\nENV MYKEY=1\n",
                &[],
            ),
            // Global ARGs are not dispatched.
            ("ARG TOKEN\nFROM b\n", &[]),
        ],
    );
}

#[test]
fn workdir_relative_path() {
    rule_rows(
        Rule::WorkdirRelativePath,
        "",
        &[],
        &[
            ("FROM b\nWORKDIR app\nWORKDIR sub\n", &[(2, "Relative workdir \"app\" can have unexpected results if the base image changes")]),
            ("FROM b\nWORKDIR /app\nWORKDIR sub\n", &[]),
            ("FROM b AS one\nWORKDIR /app\nFROM one\nWORKDIR sub\n", &[]),
            ("FROM b\nARG D=rel\nWORKDIR $D\n", &[(3, "Relative workdir \"rel\" can have unexpected results if the base image changes")]),
        ],
    );
}

#[test]
fn json_args_and_multiple_instructions() {
    rule_rows(
        Rule::JsonArgsRecommended,
        "",
        &[],
        &[
            ("FROM b\nCMD echo\nentrypoint echo\n", &[
                (2, "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals"),
                (3, "JSON arguments recommended for entrypoint to prevent unintended behavior related to OS signals"),
            ]),
            ("FROM b\nCMD [\"echo\"]\n", &[]),
            ("FROM b\nSHELL [\"/bin/sh\", \"-c\"]\nCMD echo\n", &[]),
            ("FROM shellimg\nCMD echo\n", &[]),
        ],
    );
    rule_rows(
        Rule::MultipleInstructionsDisallowed,
        "",
        &[],
        &[
            ("FROM b\nCMD [\"a\"]\nCMD [\"b\"]\nCMD [\"c\"]\n", &[
                (2, "Multiple CMD instructions should not be used in the same stage because only the last one will be used"),
                (3, "Multiple CMD instructions should not be used in the same stage because only the last one will be used"),
            ]),
            ("FROM b\nHEALTHCHECK NONE\nhealthcheck NONE\n", &[(2, "Multiple healthcheck instructions should not be used in the same stage because only the last one will be used")]),
            ("FROM b AS one\nCMD [\"a\"]\nFROM one\nCMD [\"b\"]\nENTRYPOINT [\"c\"]\n", &[]),
        ],
    );
}

#[test]
fn expose_rules() {
    rule_rows(
        Rule::ExposeProtoCasing,
        "",
        &[],
        &[
            (
                "FROM b\nEXPOSE 80/TCP\n",
                &[(
                    2,
                    "Defined protocol '80/TCP' in EXPOSE instruction should be lowercase",
                )],
            ),
            ("FROM b\nEXPOSE 80/tcp 53/udp 8080\n", &[]),
        ],
    );
    rule_rows(
        Rule::ExposeInvalidFormat,
        "",
        &[],
        &[
            ("FROM b\nEXPOSE 127.0.0.1:80:80\n", &[(2, "EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:80:80'")]),
            ("FROM b\nARG P=8080:80\nEXPOSE $P\n", &[(3, "EXPOSE instruction should not define an IP address or host-port mapping, found '8080:80'")]),
            ("FROM b\nEXPOSE 80\n", &[]),
        ],
    );
}

#[test]
fn from_rules() {
    rule_rows(
        Rule::UndefinedArgInFrom,
        "",
        &[],
        &[
            (
                "FROM ${UNSET_THING:-b}\n",
                &[(1, "FROM argument 'UNSET_THING' is not declared")],
            ),
            (
                "ARG BASE=b\nFROM ${BAS:-b}\n",
                &[(
                    2,
                    "FROM argument 'BAS' is not declared (did you mean BASE?)",
                )],
            ),
            ("ARG BASE\nFROM ${BASE:-b}\n", &[]),
            (
                "FROM --platform=$UNSET_THING b\n",
                &[(1, "FROM argument 'UNSET_THING' is not declared")],
            ),
            ("FROM --platform=$BUILDPLATFORM b\n", &[]),
        ],
    );
    rule_rows(
        Rule::RedundantTargetPlatform,
        "",
        &[],
        &[
            ("FROM --platform=$TARGETPLATFORM b\n", &[(1, "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior")]),
            ("FROM --platform=${TARGETPLATFORM} b\n", &[(1, "Setting platform to predefined ${TARGETPLATFORM} in FROM is redundant as this is the default behavior")]),
            ("FROM --platform=$BUILDPLATFORM b\n", &[]),
        ],
    );
    rule_rows(
        Rule::FromPlatformFlagConstDisallowed,
        "",
        &[],
        &[
            (
                "FROM --platform=linux/amd64 b AS build\n",
                &[(
                    1,
                    "FROM --platform flag should not use constant value \"linux/amd64\"",
                )],
            ),
            ("FROM --platform=linux/amd64 b AS build-amd64\n", &[]),
            ("FROM --platform=linux/amd64 b AS linux-build\n", &[]),
            ("FROM --platform=$BUILDPLATFORM b AS build\n", &[]),
        ],
    );
    rule_rows(
        Rule::InvalidDefaultArgInFrom,
        "",
        &[("build-arg:IMG", "b")],
        &[
            (
                "ARG IMG\nFROM $IMG\n",
                &[(
                    2,
                    "Default value for ARG $IMG results in empty or invalid base image name",
                )],
            ),
            ("ARG IMG=b\nFROM $IMG\n", &[]),
            ("ARG TAG=latest\nFROM b:${TAG}\n", &[]),
        ],
    );
    rule_rows(
        Rule::InvalidBaseImagePlatform,
        "",
        &[],
        &[
            ("FROM arm64img\n", &[(1, "Base image arm64img was pulled with platform \"linux/arm64\", expected \"linux/amd64\" for current build")]),
            ("FROM b\n", &[]),
            ("FROM scratch\n", &[]),
        ],
    );
}

#[test]
fn copy_ignored_file() {
    rule_rows(
        Rule::CopyIgnoredFile,
        "*.log\nbuild\n",
        &[],
        &[
            ("FROM b\nCOPY a.log ./x.log /d/\n", &[
                (2, "Attempting to Copy file \"a.log\" that is excluded by .dockerignore"),
                (2, "Attempting to Copy file \"x.log\" that is excluded by .dockerignore"),
            ]),
            ("FROM b\nADD build/out /o\n", &[(2, "Attempting to Add file \"build/out\" that is excluded by .dockerignore")]),
            ("FROM b AS s\nFROM b\nCOPY --from=s a.log /a\nADD https://example.com/a.log /a\nCOPY keep.txt . /d/\n", &[]),
        ],
    );
    rule_rows(
        Rule::CopyIgnoredFile,
        "*.log\n!k.log\n",
        &[],
        &[("FROM b\nCOPY a.log /a\n", &[])],
    );
    rule_rows(
        Rule::CopyIgnoredFile,
        "**\n",
        &[],
        &[(
            "FROM b\nCOPY . /d\n",
            &[(
                2,
                "Attempting to Copy file \".\" that is excluded by .dockerignore",
            )],
        )],
    );
}

#[test]
fn onbuild_triggers_are_checked_at_the_from_line() {
    // An ONBUILD of a stage runs in the stage built on it, located at that FROM.
    rule_rows(
        Rule::LegacyKeyValueFormat,
        "",
        &[],
        &[(
            "FROM b AS base\nONBUILD ENV A b\nFROM base\n",
            &[(
                3,
                "\"ENV key=value\" should be used instead of legacy \"ENV key value\" format",
            )],
        )],
    );
}

#[test]
fn lint_checks_all_stages_and_build_only_the_target_path() {
    let src = "FROM b AS unused\nENV A b\nFROM b AS used\nENV C d\nFROM used\n";
    let lines =
        |w: Vec<(String, u64, String)>| w.into_iter().map(|(_, l, _)| l).collect::<Vec<_>>();
    assert_eq!(lines(warnings(src, "", &[])), [2, 4]);
    assert_eq!(lines(warnings(src, "", &[("target", "used")])), [4]);
    let mut p = Pipeline::new(request(src, "", &[]));
    let Ok(Outcome::Plan(plan)) = p.run(read, resolve) else {
        panic!("not a plan")
    };
    let got: Vec<usize> = plan
        .checks
        .warnings
        .iter()
        .map(|w| w.location.unwrap().start)
        .collect();
    assert_eq!(got, [4]);
}

#[test]
fn multi_platform_builds_warn_once() {
    let src = "FROM scratch\nENV A b\n";
    let mut p = Pipeline::new(request(src, "", &[("platform", "linux/amd64,linux/arm64")]));
    let Ok(Outcome::Plan(plan)) = p.run(read, resolve) else {
        panic!("not a plan")
    };
    assert_eq!(plan.converted.builds.len(), 2);
    assert_eq!(plan.checks.warnings.len(), 1);
}

#[test]
fn configuration_decides_what_is_reported() {
    let src = "FROM b AS X\nMAINTAINER me\n";
    let rules =
        |w: Vec<(String, u64, String)>| w.into_iter().map(|(r, _, _)| r).collect::<Vec<_>>();
    assert_eq!(
        rules(warnings(src, "", &[])),
        ["StageNameCasing", "MaintainerDeprecated"]
    );
    let with_directive = format!("# check=skip=StageNameCasing\n{src}");
    assert_eq!(
        rules(warnings(&with_directive, "", &[])),
        ["MaintainerDeprecated"]
    );
    // The build arg replaces the directive.
    let arg = [(
        "build-arg:BUILDKIT_DOCKERFILE_CHECK",
        "skip=MaintainerDeprecated",
    )];
    assert_eq!(
        rules(warnings(&with_directive, "", &arg)),
        ["StageNameCasing"]
    );
    // A comment above the instruction configures it alone.
    let per = "FROM b AS X\n# check=skip=MaintainerDeprecated\nMAINTAINER me\nMAINTAINER you\n";
    let got: Vec<u64> = warnings(per, "", &[])
        .into_iter()
        .map(|(_, l, _)| l)
        .collect();
    assert_eq!(got, [1, 4]);
}

#[test]
fn invalid_configuration_fails_like_stock() {
    let mut p = Pipeline::new(request(
        "FROM b\n",
        "",
        &[("build-arg:BUILDKIT_DOCKERFILE_CHECK", "nope")],
    ));
    let err = p.run(read, resolve).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to parse build-arg:BUILDKIT_DOCKERFILE_CHECK: invalid check option \"nope\""
    );
    let mut p = Pipeline::new(request("# check=error=maybe\nFROM b\n", "", &[]));
    let err = p.run(read, resolve).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "failed to parse check options: failed to parse check option \"error=maybe\""
        ),
        "{err}"
    );
    let (v, _, status) = lint("# check=bogus\nFROM b\n", "", &[]);
    assert_eq!(
        v["buildError"]["message"],
        "failed to parse check options: invalid check option \"bogus\""
    );
    assert_eq!(v["buildError"]["location"], serde_json::json!({}));
    assert_eq!(status, "1");
}

#[test]
fn error_true_fails_the_build_after_reporting() {
    let src = "# check=error=true\nFROM b AS X\nENV A b\n";
    let mut p = Pipeline::new(request(src, "", &[]));
    let err = p.run(read, resolve).unwrap_err();
    assert_eq!(
        err.to_string(),
        "lint violation found for rules: StageNameCasing, LegacyKeyValueFormat"
    );
    assert_eq!(p.check_report().warnings.len(), 2);
    let (v, _, _) = lint(src, "", &[]);
    assert_eq!(v["buildError"]["message"], err.to_string());
    // Nothing reported, nothing fails.
    let mut p = Pipeline::new(request("# check=error=true\nFROM b\n", "", &[]));
    assert!(p.run(read, resolve).is_ok());
}

#[test]
fn lint_answers_have_buildkits_shape() {
    let src = "FROM b AS X\nENV A=$UNSET_THING\n";
    let (v, text, status) = lint(src, "", &[]);
    assert_eq!(status, "1");
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["warnings", "sources"]);
    let w = &v["warnings"][0];
    let keys: Vec<&String> = w.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["ruleName", "description", "url", "detail", "location"]
    );
    assert_eq!(
        w["location"],
        serde_json::json!({"ranges": [{"start": {"line": 1}, "end": {"line": 1}}]})
    );
    assert_eq!(v["sources"][0]["filename"], "Dockerfile");
    assert_eq!(v["sources"][0]["language"], "Dockerfile");
    assert_eq!(
        v["sources"][0]["data"],
        "RlJPTSBiIEFTIFgKRU5WIEE9JFVOU0VUX1RISU5HCg=="
    );
    assert_eq!(
        text,
        "\nWARNING: StageNameCasing - https://docs.docker.com/go/dockerfile/rule/stage-name-casing/\n\
         Stage name 'X' should be lowercase\nDockerfile:1\n--------------------\n   1 | >>> FROM b AS X\n\
         \x20  2 |     ENV A=$UNSET_THING\n   3 |     \n--------------------\n\
         \nWARNING: UndefinedVar - https://docs.docker.com/go/dockerfile/rule/undefined-var/\n\
         Usage of undefined variable '$UNSET_THING'\nDockerfile:2\n--------------------\n   1 |     FROM b AS X\n\
         \x20  2 | >>> ENV A=$UNSET_THING\n   3 |     \n--------------------\n"
    );
    let (v, text, status) = lint("FROM b\n", "", &[]);
    assert_eq!(
        (v["warnings"].clone(), text.as_str(), status.as_str()),
        (Value::Null, "", "0")
    );
    // Go's HTML-safe escaping of `<` and `>`.
    let (_, _, _) = lint("FROM b\n", "", &[]);
    let json = crate::frontend::lint::go_json(&serde_json::json!({"d": "# x <description>"}));
    assert_eq!(
        String::from_utf8(json).unwrap(),
        "{\n  \"d\": \"# x \\u003cdescription\\u003e\"\n}"
    );
}

#[test]
fn unresolvable_images_become_the_build_error_of_a_lint() {
    let mut opts = options(&[("requestid", "frontend.lint")]);
    opts.subrequest = Some(crate::options::Subrequest::Lint);
    let mut req = request("FROM nope AS X\n", "", &[]);
    req.options = opts;
    let fails = |_: &ImageRequest| -> Result<ResolvedImage, String> { Err("not found".into()) };
    let Ok(Outcome::Answer(a)) = Pipeline::new(req).run(read, fails) else {
        panic!("not an answer")
    };
    let v: Value = serde_json::from_slice(&a.json).unwrap();
    assert_eq!(v["warnings"][0]["ruleName"], "StageNameCasing");
    assert_eq!(
        v["buildError"]["message"],
        "docker.io/library/nope:latest: not found"
    );
    // A build fails with it.
    let mut p = Pipeline::new(request("FROM nope\n", "", &[]));
    assert!(p.run(read, fails).is_err());
}

#[test]
fn conversion_errors_become_the_build_error_with_earlier_warnings() {
    let (v, _, status) = lint("ARG IMG\nFROM ${IMG}\n", "", &[]);
    assert_eq!(status, "1");
    assert_eq!(v["warnings"][0]["ruleName"], "InvalidDefaultArgInFrom");
    assert_eq!(
        v["buildError"]["message"],
        "base name (${IMG}) should not be blank"
    );
    assert_eq!(
        v["buildError"]["location"],
        serde_json::json!({"ranges": [{"start": {"line": 2}, "end": {"line": 2}}]})
    );
    let (v, _, _) = lint("FROM b\nMAINTAINER x\nBOGUS y\n", "", &[]);
    assert_eq!(v["warnings"][0]["ruleName"], "MaintainerDeprecated");
    assert_eq!(
        v["buildError"]["message"],
        "dockerfile parse error on line 3: unknown instruction: BOGUS"
    );
}
