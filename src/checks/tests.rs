//! Table tests of the checks module: the rule table, configuration parsing and merging, the
//! parse-time rules (positive and negative rows per rule), the value predicates, and the
//! report. The conversion-time rules are tested through the pipeline
//! (`frontend/checks/tests.rs`).

use std::collections::BTreeMap;

use super::config::{comment_directive_for_tests, CheckConfig, ConfigSource};
use super::report::{Checker, Finding, Report, Scope, Warning};
use super::rules::{kebab, Rule, ALL};
use super::syntax::syntax_checks;
use super::values::{copies_ignored, expose_port, is_legacy_key_value, is_secret_name, suggest};
use crate::dockerfile::ast::Span;
use crate::dockerui::Dockerignore;

#[test]
fn stock_rules_have_buildkits_names_urls_and_flags() {
    let rows: &[(Rule, &str, Option<&str>)] = &[
        (
            Rule::StageNameCasing,
            "StageNameCasing",
            Some("stage-name-casing"),
        ),
        (Rule::FromAsCasing, "FromAsCasing", Some("from-as-casing")),
        (
            Rule::NoEmptyContinuation,
            "NoEmptyContinuation",
            Some("no-empty-continuation"),
        ),
        (
            Rule::ConsistentInstructionCasing,
            "ConsistentInstructionCasing",
            Some("consistent-instruction-casing"),
        ),
        (
            Rule::DuplicateStageName,
            "DuplicateStageName",
            Some("duplicate-stage-name"),
        ),
        (
            Rule::ReservedStageName,
            "ReservedStageName",
            Some("reserved-stage-name"),
        ),
        (
            Rule::JsonArgsRecommended,
            "JSONArgsRecommended",
            Some("json-args-recommended"),
        ),
        (
            Rule::MaintainerDeprecated,
            "MaintainerDeprecated",
            Some("maintainer-deprecated"),
        ),
        (
            Rule::UndefinedArgInFrom,
            "UndefinedArgInFrom",
            Some("undefined-arg-in-from"),
        ),
        (
            Rule::WorkdirRelativePath,
            "WorkdirRelativePath",
            Some("workdir-relative-path"),
        ),
        (Rule::UndefinedVar, "UndefinedVar", Some("undefined-var")),
        (
            Rule::MultipleInstructionsDisallowed,
            "MultipleInstructionsDisallowed",
            Some("multiple-instructions-disallowed"),
        ),
        (
            Rule::LegacyKeyValueFormat,
            "LegacyKeyValueFormat",
            Some("legacy-key-value-format"),
        ),
        (
            Rule::InvalidBaseImagePlatform,
            "InvalidBaseImagePlatform",
            None,
        ),
        (
            Rule::RedundantTargetPlatform,
            "RedundantTargetPlatform",
            Some("redundant-target-platform"),
        ),
        (
            Rule::SecretsUsedInArgOrEnv,
            "SecretsUsedInArgOrEnv",
            Some("secrets-used-in-arg-or-env"),
        ),
        (
            Rule::InvalidDefaultArgInFrom,
            "InvalidDefaultArgInFrom",
            Some("invalid-default-arg-in-from"),
        ),
        (
            Rule::FromPlatformFlagConstDisallowed,
            "FromPlatformFlagConstDisallowed",
            Some("from-platform-flag-const-disallowed"),
        ),
        (
            Rule::CopyIgnoredFile,
            "CopyIgnoredFile",
            Some("copy-ignored-file"),
        ),
        (
            Rule::InvalidDefinitionDescription,
            "InvalidDefinitionDescription",
            Some("invalid-definition-description"),
        ),
        (
            Rule::ExposeProtoCasing,
            "ExposeProtoCasing",
            Some("expose-proto-casing"),
        ),
        (
            Rule::ExposeInvalidFormat,
            "ExposeInvalidFormat",
            Some("expose-invalid-format"),
        ),
    ];
    assert_eq!(rows.len(), 22);
    for (rule, name, slug) in rows {
        assert_eq!(rule.name(), *name);
        let want = slug.map(|s| format!("https://docs.docker.com/go/dockerfile/rule/{s}/"));
        assert_eq!(rule.url(), want, "{name}");
        assert!(!rule.info().gofront, "{name}");
        assert_eq!(
            rule.info().experimental,
            *rule == Rule::InvalidDefinitionDescription,
            "{name}"
        );
    }
}

#[test]
fn every_go_code_maps_to_a_gofront_rule_with_a_docs_page() {
    let codes = [
        ("go-mod-not-found", "GoModNotFound"),
        ("go-version-newer-than-image", "GoVersionNewerThanImage"),
        ("module-not-in-workspace", "ModuleNotInWorkspace"),
        ("go-mod-parse-error", "GoModParseError"),
        ("go-work-parse-error", "GoWorkParseError"),
        ("vendor-missing", "VendorMissing"),
        ("workspace-member-missing", "WorkspaceMemberMissing"),
        ("copy-source-missing", "CopySourceMissing"),
        ("inconsistent-vendoring", "InconsistentVendoring"),
        ("replace-target-missing", "ReplaceTargetMissing"),
        ("replace-outside-context", "ReplaceOutsideContext"),
        ("missing-go-sum", "MissingGoSum"),
        ("build-flag-a", "BuildFlagA"),
        ("rewrite-dropped", "GoRewriteDropped"),
        ("token-in-layer", "TokenInLayer"),
        ("credential-copied", "CredentialCopied"),
    ];
    for (code, name) in codes {
        let rule = Rule::from_go_code(code).unwrap();
        assert_eq!(rule.name(), name);
        assert!(rule.info().gofront && !rule.info().experimental);
        let url = rule.url().unwrap();
        assert!(url.ends_with(&format!("{}.md", kebab(name))), "{url}");
        let page = format!(
            "{}/docs/checks/{}.md",
            env!("CARGO_MANIFEST_DIR"),
            kebab(name)
        );
        assert!(std::path::Path::new(&page).exists(), "missing {page}");
    }
    assert!(Rule::from_go_code("no-such-code").is_none());
    assert_eq!(ALL.iter().filter(|r| r.info().gofront).count(), codes.len());
}

#[test]
fn kebab_case_splits_words_and_acronyms() {
    for (name, want) in [
        ("StageNameCasing", "stage-name-casing"),
        ("JSONArgsRecommended", "json-args-recommended"),
        ("GoModNotFound", "go-mod-not-found"),
        ("BuildFlagA", "build-flag-a"),
        ("MissingGoSum", "missing-go-sum"),
    ] {
        assert_eq!(kebab(name), want);
    }
}

#[test]
fn check_options_parse_like_parse_lint_options() {
    let ok = |s: &str| CheckConfig::parse(s).unwrap();
    assert_eq!(ok(""), CheckConfig::default());
    assert_eq!(ok("  "), CheckConfig::default());
    let c = ok("skip=A, B;error=true");
    assert_eq!(c.skip.iter().collect::<Vec<_>>(), ["A", "B"]);
    assert!(c.error && !c.skip_all);
    let c = ok("skip=all;experimental=all");
    assert!(c.skip_all && c.experimental_all);
    let c = ok(" experimental = InvalidDefinitionDescription ; error = 1 ");
    assert!(c.experimental.contains("InvalidDefinitionDescription") && c.error);
    // The third part keeps further `;`.
    let c = ok("error=false;skip=A;experimental=B;C");
    assert!(c.experimental.contains("B;C"));
    let err = |s: &str| CheckConfig::parse(s).unwrap_err().to_string();
    assert_eq!(err("skip"), "invalid check option \"skip\"");
    assert_eq!(err("foo=bar"), "invalid check option \"foo\"");
    assert_eq!(
        err("error=maybe"),
        "failed to parse check option \"error=maybe\": strconv.ParseBool: parsing \"maybe\": invalid syntax"
    );
    assert_eq!(
        ConfigSource::BuildArg.wrap(&CheckConfig::parse("x").unwrap_err()),
        "failed to parse build-arg:BUILDKIT_DOCKERFILE_CHECK: invalid check option \"x\""
    );
    assert_eq!(
        ConfigSource::Directive.wrap(&CheckConfig::parse("x").unwrap_err()),
        "failed to parse check options: invalid check option \"x\""
    );
}

#[test]
fn the_build_arg_replaces_the_directive() {
    let c = CheckConfig::for_build(Some("skip=A"), Some("error=true")).unwrap();
    assert!(c.skip.contains("A") && !c.error);
    let c = CheckConfig::for_build(Some(""), Some("error=true")).unwrap();
    assert_eq!(c, CheckConfig::default());
    let c = CheckConfig::for_build(None, Some("error=true")).unwrap();
    assert!(c.error);
    let (from, _) = CheckConfig::for_build(None, Some("bad")).unwrap_err();
    assert_eq!(from, ConfigSource::Directive);
}

#[test]
fn experimental_rules_need_enabling_and_ignore_skip() {
    let exp = Rule::InvalidDefinitionDescription;
    assert!(!CheckConfig::default().runs(exp));
    assert!(CheckConfig::parse("experimental=all").unwrap().runs(exp));
    assert!(
        CheckConfig::parse("experimental=InvalidDefinitionDescription;skip=all")
            .unwrap()
            .runs(exp)
    );
    assert!(CheckConfig::default().runs(Rule::UndefinedVar));
    assert!(!CheckConfig::parse("skip=UndefinedVar")
        .unwrap()
        .runs(Rule::UndefinedVar));
    assert!(!CheckConfig::parse("skip=all")
        .unwrap()
        .runs(Rule::GoModNotFound));
}

#[test]
fn comment_directives_merge_for_one_instruction() {
    assert_eq!(
        comment_directive_for_tests("check=skip=A // why"),
        Some(("check".into(), "skip=A // why".into()))
    );
    assert_eq!(
        comment_directive_for_tests(" CHECK = skip=A"),
        Some(("check".into(), "skip=A".into()))
    );
    assert_eq!(comment_directive_for_tests("gofront=off"), None);
    assert_eq!(comment_directive_for_tests("just words"), None);
    let base = CheckConfig::parse("skip=A;error=true").unwrap();
    let c = base.with_comments(&["a comment".into(), "check=skip=B // because".into()]);
    assert!(c.skip.contains("A") && c.skip.contains("B") && c.error);
    // Only the first check= line counts; error= does not merge; a bad value changes nothing.
    let c = base.with_comments(&["check=error=false".into(), "check=skip=C".into()]);
    assert!(c.error && !c.skip.contains("C"));
    assert_eq!(base.with_comments(&["check=nonsense".into()]), base);
}

/// Expected findings: rule, first line, message.
type Expected = &'static [(Rule, usize, &'static str)];

fn findings(src: &str) -> Vec<(Rule, usize, String)> {
    let err_line = crate::dockerfile::parse(src)
        .err()
        .and_then(|e| e.span)
        .map(|s| s.start);
    syntax_checks(src, err_line)
        .findings
        .into_iter()
        .map(|f| (f.rule, f.location.map_or(0, |s| s.start), f.message))
        .collect()
}

#[test]
fn parse_time_rules_fire_like_buildkit() {
    use Rule::*;
    let rows: &[(&str, Expected)] = &[
        ("FROM a AS b\nRUN x\n", &[]),
        (
            "FROM a AS Build\n",
            &[(StageNameCasing, 1, "Stage name 'Build' should be lowercase")],
        ),
        (
            "FROM a as b\n",
            &[(
                FromAsCasing,
                1,
                "'as' and 'FROM' keywords' casing do not match",
            )],
        ),
        (
            "from a AS b\n",
            &[(
                FromAsCasing,
                1,
                "'AS' and 'from' keywords' casing do not match",
            )],
        ),
        // A mixed-case FROM is ConsistentInstructionCasing's business only.
        (
            "From a as b\n",
            &[(
                ConsistentInstructionCasing,
                1,
                "Command 'From' should match the case of the command majority (uppercase)",
            )],
        ),
        (
            "FROM a\nMAINTAINER me\n",
            &[(
                MaintainerDeprecated,
                2,
                "Maintainer instruction is deprecated in favor of using label",
            )],
        ),
        (
            "FROM a\nRUN a \\\n\n b\n",
            &[(NoEmptyContinuation, 4, "Empty continuation line")],
        ),
        ("FROM a\nRUN a \\\n# c\n b\n", &[]),
        (
            "FROM a AS context\n",
            &[(
                ReservedStageName,
                1,
                "Stage name should not use the same name as reserved stage \"context\"",
            )],
        ),
        (
            "FROM a AS scratch\n",
            &[(
                ReservedStageName,
                1,
                "Stage name should not use the same name as reserved stage \"scratch\"",
            )],
        ),
        (
            "FROM a AS x\nFROM b AS X\n",
            &[
                (StageNameCasing, 2, "Stage name 'X' should be lowercase"),
                (
                    DuplicateStageName,
                    2,
                    "Duplicate stage name \"x\", stage names should be unique",
                ),
            ],
        ),
        (
            "FROM a\nrun x\nrun y\n",
            &[(
                ConsistentInstructionCasing,
                1,
                "Command 'FROM' should match the case of the command majority (lowercase)",
            )],
        ),
        // A tie counts as upper case; global ARGs do not count.
        (
            "arg A\nFROM a\nrun x\n",
            &[(
                ConsistentInstructionCasing,
                3,
                "Command 'run' should match the case of the command majority (uppercase)",
            )],
        ),
        // Rules of instructions before a parse error still fire, later ones do not.
        (
            "FROM a\nMAINTAINER me\nFOO x\nMAINTAINER you\n",
            &[(
                MaintainerDeprecated,
                2,
                "Maintainer instruction is deprecated in favor of using label",
            )],
        ),
        // FROM's casing rules run before its own validation fails.
        (
            "FROM a AS Bad!\n",
            &[(StageNameCasing, 1, "Stage name 'Bad!' should be lowercase")],
        ),
    ];
    for (src, want) in rows {
        let want: Vec<(Rule, usize, String)> = want
            .iter()
            .map(|(r, l, m)| (*r, *l, m.to_string()))
            .collect();
        assert_eq!(findings(src), want, "{src:?}");
    }
}

#[test]
fn definition_descriptions_need_the_name_first() {
    let rule = Rule::InvalidDefinitionDescription;
    let rows: &[(&str, Option<(usize, &str)>)] = &[
        ("# base the base\nFROM a AS base\n", None),
        (
            "# the base\nFROM a AS base\n",
            Some((
                2,
                "Comment for FROM should follow the format: `# base <description>`",
            )),
        ),
        ("FROM a\n# VERSION the version\nARG VERSION=1\n", None),
        (
            "FROM a\n# the version\nARG VERSION=1\n",
            Some((
                3,
                "Comment for ARG should follow the format: `# VERSION <description>`",
            )),
        ),
        (
            "FROM a\n# two args\nARG A B\n",
            Some((
                3,
                "Comment for ARG should follow the format: `# <arg_key> <description>`",
            )),
        ),
        // Only the last comment line counts; a bare `#` resets; an unnamed FROM has none.
        ("# not it\n# base here\nFROM a AS base\n", None),
        ("# words\n#\nFROM a AS base\n", None),
        ("# words\nFROM a\n", None),
        // A directive is not a comment of the first instruction.
        ("# check=experimental=all\nFROM a AS base\n", None),
    ];
    for (src, want) in rows {
        let got: Vec<(usize, String)> = findings(src)
            .into_iter()
            .filter(|(r, _, _)| *r == rule)
            .map(|(_, l, m)| (l, m))
            .collect();
        let want: Vec<(usize, String)> = want.iter().map(|(l, m)| (*l, m.to_string())).collect();
        assert_eq!(got, want, "{src:?}");
    }
}

#[test]
fn the_check_directive_is_read_like_parse_directive() {
    use super::config::check_directive;
    let rows: &[(&str, Option<&str>)] = &[
        ("# check=skip=A\nFROM a\n", Some("skip=A")),
        (
            "# syntax=x\n#check = skip=A // why\nFROM a\n",
            Some("skip=A"),
        ),
        (
            "\u{feff}#!/usr/bin/env x\n# check=error=true\nFROM a\n",
            Some("error=true"),
        ),
        ("FROM a\n# check=skip=A\n", None),
        ("  # check=skip=A\nFROM a\n", None),
        ("# other=1\n# check=skip=A\nFROM a\n", None),
        ("# syntax=x\n# syntax=y\n# check=skip=A\nFROM a\n", None),
    ];
    for (src, want) in rows {
        assert_eq!(check_directive(src).as_deref(), *want, "{src:?}");
    }
}

#[test]
fn syntax_checks_keep_comments() {
    let s = syntax_checks("# check=skip=A\nFROM a\n# check=skip=B\nRUN x\n", None);
    assert_eq!(s.comments[&2], Vec::<String>::new());
    assert_eq!(s.comments[&4], vec!["check=skip=B".to_string()]);
    // A file the parser layer rejects has no findings (BuildKit lints after parsing).
    assert_eq!(
        syntax_checks("from a\nRUN <<EOF\nx\n", None).findings,
        vec![]
    );
}

#[test]
fn secret_names_match_buildkits_patterns() {
    for yes in [
        "PASSWORD",
        "api_key",
        "GITHUB_TOKEN",
        "secret_MESSAGE",
        "AUTH",
        "db_password_x",
        "apikey",
        "AWS_CREDENTIALS",
    ] {
        assert!(is_secret_name(yes), "{yes}");
    }
    for no in [
        "MYKEY",
        "KEYS",
        "TOKENIZER",
        "PUBLIC_KEY",
        "key_public",
        "GPG_KEY_FILE",
        "TOKEN_VERSION",
        "PATH",
        "FILE",
    ] {
        assert!(!is_secret_name(no), "{no}");
    }
}

#[test]
fn expose_ports_are_split_like_parse_port() {
    assert_eq!(expose_port("80"), Some((false, false)));
    assert_eq!(expose_port("80/tcp"), Some((false, false)));
    assert_eq!(expose_port("80/TCP"), Some((true, false)));
    assert_eq!(expose_port("8080:80"), Some((false, true)));
    assert_eq!(expose_port("127.0.0.1:8080:80/Udp"), Some((true, true)));
    assert_eq!(expose_port("::1:80:80"), Some((false, true)));
    assert_eq!(expose_port("80/foo"), None);
    assert_eq!(expose_port("/tcp"), None);
}

#[test]
fn legacy_key_value_is_a_first_word_without_equals() {
    assert!(is_legacy_key_value("ENV A b", '\\'));
    assert!(is_legacy_key_value("LABEL maintainer me you", '\\'));
    assert!(!is_legacy_key_value("ENV A=b", '\\'));
    assert!(!is_legacy_key_value("ENV A=b C=d", '\\'));
    assert!(!is_legacy_key_value("ENV \"A\"=b", '\\'));
}

#[test]
fn suggestions_are_within_two_edits() {
    let opts: Vec<String> = ["PATH", "VERSION", "HOME"].map(String::from).to_vec();
    assert_eq!(suggest("VERSON", &opts, true).as_deref(), Some("VERSION"));
    assert_eq!(suggest("PTH", &opts, true).as_deref(), Some("PATH"));
    assert_eq!(suggest("FOO", &opts, true), None);
    assert_eq!(suggest("version", &opts, true), None);
    assert_eq!(suggest("verson", &opts, false).as_deref(), Some("version"));
    // An exact match means nothing to suggest.
    assert_eq!(suggest("PATH", &opts, true), None);
}

#[test]
fn copy_of_ignored_files() {
    let ignore = |s: &str| Dockerignore::parse(s.as_bytes());
    let rows: &[(&str, &str, Option<&str>)] = &[
        ("*.log\n", "a.log", Some("a.log")),
        ("*.log\n", "./a.log", Some("a.log")),
        ("*.log\n", "a.txt", None),
        ("build\n", "build/out/x", Some("build/out/x")),
        // Negations make it undecidable: never reported.
        ("*.log\n!keep.log\n", "a.log", None),
        // The context root only with a pattern that excludes everything.
        ("*.log\n", ".", None),
        ("*\n", ".", Some(".")),
        ("**\n", "/", Some("/")),
        ("*.log\n", "/a.log", None),
        ("", "a.log", None),
    ];
    for (patterns, src, want) in rows {
        assert_eq!(
            copies_ignored(&ignore(patterns), src).as_deref(),
            *want,
            "{patterns:?} {src:?}"
        );
    }
}

#[test]
fn reports_keep_what_the_configuration_runs() {
    let finding = |rule, line| {
        Finding::new(
            rule,
            "m".into(),
            Some(Span {
                start: line,
                end: line,
            }),
            Scope::Node(line),
        )
    };
    let comments = BTreeMap::from([(2, vec!["check=skip=UndefinedVar".to_string()])]);
    let checker = Checker::new(CheckConfig::parse("error=true").unwrap(), comments);
    let all = [
        finding(Rule::UndefinedVar, 1),
        finding(Rule::UndefinedVar, 2),
        finding(Rule::InvalidDefinitionDescription, 1),
        finding(Rule::BuildFlagA, 3),
    ];
    let report = checker.report(&all);
    let got: Vec<(Rule, usize)> = report
        .warnings
        .iter()
        .map(|w| (w.rule, w.location.unwrap().start))
        .collect();
    assert_eq!(got, [(Rule::UndefinedVar, 1), (Rule::BuildFlagA, 3)]);
    assert_eq!(
        report.violation_error().as_deref(),
        Some("lint violation found for rules: UndefinedVar, BuildFlagA")
    );
    assert_eq!(Report::default().violation_error(), None);
}

#[test]
fn warnings_render_like_lint_format_short() {
    let w = Warning {
        rule: Rule::JsonArgsRecommended,
        message: "msg".into(),
        location: Some(Span { start: 3, end: 5 }),
    };
    assert_eq!(w.short(), "JSONArgsRecommended: msg (line 3)");
    assert_eq!(w.ranges().len(), 3);
    let w = Warning {
        location: None,
        ..w
    };
    assert_eq!(w.short(), "JSONArgsRecommended: msg");
    assert!(w.ranges().is_empty());
}
