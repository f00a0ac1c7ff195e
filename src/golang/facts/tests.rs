use std::collections::BTreeMap;

use super::*;
use crate::dockerfile::parse;
use crate::golang::analyze::{analyze, AnalyzeInput, BaseImage};

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n";

fn facts(files: &[(&str, &str)]) -> ContextFacts {
    let mut f = ContextFacts::default();
    for (p, c) in files {
        f.insert(p, c.as_bytes().to_vec());
    }
    f
}

fn views(src: &str, f: &ContextFacts) -> (Vec<ModuleView>, Vec<Diagnostic>) {
    let df = match parse(src) {
        Ok(df) => df,
        Err(e) => panic!("test Dockerfile does not parse: {e}"),
    };
    let mut images = BTreeMap::new();
    images.insert(
        "golang:1.22".to_string(),
        BaseImage {
            env: vec![("GOPATH".into(), "/go".into())],
            user: String::new(),
            working_dir: "/go".into(),
        },
    );
    let args = BTreeMap::new();
    let stages = analyze(&AnalyzeInput {
        dockerfile: &df,
        build_args: &args,
        images: &images,
        target: None,
    });
    module_views(&df, &stages, f)
}

fn manifest_pairs(v: &ModuleView) -> Vec<(String, String)> {
    v.manifests
        .iter()
        .map(|m| (m.context_path.clone(), m.container_path.clone()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.code).collect()
}

#[test]
fn naive_layout_sees_the_root_module() {
    let f = facts(&[("go.mod", GO_MOD), ("go.sum", "x")]);
    let (v, d) = views("FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go mod download\nRUN go build -o /bin/app .\n", &f);
    assert_eq!(v.len(), 2);
    let m = v[1]
        .module
        .as_ref()
        .map(|m| (m.container_dir.as_str(), m.context_dir.as_str()));
    assert_eq!(m, Some(("/app", "")));
    assert_eq!(
        manifest_pairs(&v[1]),
        pairs(&[("go.mod", "/app/go.mod"), ("go.sum", "/app/go.sum")])
    );
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn module_in_a_subdirectory_is_diagnosed_with_the_run_line() {
    let f = facts(&[("app/go.mod", GO_MOD), ("app/go.sum", "x")]);
    let (_, d) = views(
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app .\n",
        &f,
    );
    assert_eq!(codes(&d), vec!["go-mod-not-found"]);
    assert_eq!(d[0].severity, Severity::Error);
    assert_eq!(d[0].span.start, 4);
    assert!(
        d[0].message
            .contains("app/go.mod (copied to /src/app/go.mod)"),
        "{}",
        d[0].message
    );
    assert!(
        d[0].message.contains("use `WORKDIR /src/app`"),
        "{}",
        d[0].message
    );
    assert!(
        d[0].message.starts_with("`go build` runs in /src,"),
        "{}",
        d[0].message
    );
}

#[test]
fn go_mod_not_copied_before_the_step_is_named() {
    let f = facts(&[("go.mod", GO_MOD), ("go.sum", "x")]);
    let (_, d) = views(
        "FROM golang:1.22\nWORKDIR /src\nCOPY main.go .\nRUN go build\n",
        &f,
    );
    assert_eq!(codes(&d), vec!["go-mod-not-found"]);
    assert!(
        d[0].message.contains("go.mod at go.mod, not copied"),
        "{}",
        d[0].message
    );
}

#[test]
fn cd_into_the_module_finds_it() {
    let f = facts(&[("app/go.mod", GO_MOD), ("app/go.sum", "x")]);
    let (v, d) = views(
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN cd app && go build -o /bin/app .\n",
        &f,
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        manifest_pairs(&v[0]),
        pairs(&[
            ("app/go.mod", "/src/app/go.mod"),
            ("app/go.sum", "/src/app/go.sum")
        ])
    );
}

#[test]
fn subdirectory_copy_maps_paths() {
    let f = facts(&[
        ("app/go.mod", GO_MOD),
        ("app/go.sum", "x"),
        ("go.mod", "module other\n"),
    ]);
    let (v, d) = views(
        "FROM golang:1.22\nCOPY app/ /src/\nWORKDIR /src/cmd/x\nRUN go build\n",
        &f,
    );
    assert!(d.is_empty(), "{d:?}");
    let m = v[0]
        .module
        .as_ref()
        .map(|m| (m.container_dir.as_str(), m.context_dir.as_str()));
    assert_eq!(m, Some(("/src", "app")));
}

#[test]
fn manifest_only_copy_and_globs() {
    let f = facts(&[("go.mod", GO_MOD), ("go.sum", "x")]);
    for copy in [
        "COPY go.mod go.sum ./",
        "COPY go.* ./",
        "COPY [\"go.mod\", \"go.sum\", \"./\"]",
    ] {
        let src = format!("FROM golang:1.22\nWORKDIR /w\n{copy}\nRUN go mod download\n");
        let (v, d) = views(&src, &f);
        assert!(d.is_empty(), "{copy}: {d:?}");
        assert_eq!(v[0].manifests.len(), 2, "{copy}");
    }
}

#[test]
fn go_work_members_and_replaces_are_manifests() {
    let f = facts(&[
        (
            "go.work",
            "go 1.22\nuse (\n\t./api\n\t./lib\n)\nreplace example.com/x => ./forks/x\n",
        ),
        ("go.work.sum", "x"),
        ("api/go.mod", "module example.com/api\ngo 1.22\n"),
        ("api/go.sum", "x"),
        ("lib/go.mod", "module example.com/lib\ngo 1.22\n"),
        ("forks/x/go.mod", "module example.com/x\n"),
    ]);
    let (v, d) = views(
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/api ./api\n",
        &f,
    );
    assert!(d.is_empty(), "{d:?}");
    assert!(v[0].module.is_none());
    assert_eq!(
        v[0].workspace.as_ref().map(|w| w.container_dir.as_str()),
        Some("/src")
    );
    assert_eq!(
        manifest_pairs(&v[0]),
        pairs(&[
            ("api/go.mod", "/src/api/go.mod"),
            ("api/go.sum", "/src/api/go.sum"),
            ("forks/x/go.mod", "/src/forks/x/go.mod"),
            ("go.work", "/src/go.work"),
            ("go.work.sum", "/src/go.work.sum"),
            ("lib/go.mod", "/src/lib/go.mod"),
        ])
    );
}

#[test]
fn gowork_off_ignores_the_workspace() {
    let f = facts(&[
        ("go.work", "go 1.22\nuse ./api\n"),
        ("api/go.mod", "module a\ngo 1.22\n"),
    ]);
    let (v, _) = views(
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN cd api && GOWORK=off go build\n",
        &f,
    );
    assert!(v[0].workspace.is_none());
    assert_eq!(
        manifest_pairs(&v[0]),
        pairs(&[("api/go.mod", "/src/api/go.mod")])
    );
}

#[test]
fn local_replace_targets_are_manifests_and_outside_ones_are_diagnosed() {
    let f = facts(&[
        ("svc/go.mod", "module example.com/svc\ngo 1.22\nrequire example.com/lib v0.0.0\nreplace example.com/lib => ../lib\nreplace example.com/far => ../../far\n"),
        ("svc/go.sum", "x"),
        ("lib/go.mod", "module example.com/lib\n"),
    ]);
    let (v, d) = views(
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nWORKDIR /src/svc\nRUN go build\n",
        &f,
    );
    assert_eq!(
        manifest_pairs(&v[0]),
        pairs(&[
            ("lib/go.mod", "/src/lib/go.mod"),
            ("svc/go.mod", "/src/svc/go.mod"),
            ("svc/go.sum", "/src/svc/go.sum"),
        ])
    );
    assert_eq!(codes(&d), vec!["replace-outside-context"]);
    assert!(
        d[0].message
            .starts_with("svc/go.mod:5: replace example.com/far"),
        "{}",
        d[0].message
    );
}

#[test]
fn vendor_state_is_reported() {
    let good = "# github.com/google/uuid v1.6.0\n## explicit\ngithub.com/google/uuid\n";
    let f = facts(&[
        ("go.mod", GO_MOD),
        ("go.sum", "x"),
        ("vendor/modules.txt", good),
    ]);
    let (v, d) = views(
        "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -mod=vendor\n",
        &f,
    );
    let vendor = v[0].vendor.as_ref();
    assert!(vendor.is_some_and(|s| s.default_mode && s.consistency.is_ok()));
    let stages_src = "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build\nRUN go build -mod=mod\nENV GOFLAGS=-mod=vendor\nRUN go build\n";
    let df = parse(stages_src).unwrap_or_else(|e| panic!("{e}"));
    let args = BTreeMap::new();
    let images: BTreeMap<String, BaseImage> = BTreeMap::new();
    let stages = analyze(&AnalyzeInput {
        dockerfile: &df,
        build_args: &args,
        images: &images,
        target: None,
    });
    let (vs, _) = module_views(&df, &stages, &f);
    let uses: Vec<bool> = vs
        .iter()
        .map(|v| v.uses_vendor(&stages[0].go_runs[v.run].invocations[v.invocation]))
        .collect();
    assert_eq!(uses, vec![true, false, true]);
    assert!(d.is_empty());
    let f = facts(&[
        ("go.mod", GO_MOD),
        ("go.sum", "x"),
        (
            "vendor/modules.txt",
            "# github.com/google/uuid v1.5.0\n## explicit\ngithub.com/google/uuid\n",
        ),
    ]);
    let (_, d) = views(
        "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build\n",
        &f,
    );
    assert_eq!(codes(&d), vec!["inconsistent-vendoring"]);
}

#[test]
fn missing_go_sum_and_bad_go_mod_are_diagnosed() {
    let f = facts(&[("go.mod", GO_MOD)]);
    let (_, d) = views(
        "FROM golang:1.22\nCOPY . /app\nWORKDIR /app\nRUN go build\n",
        &f,
    );
    assert_eq!(codes(&d), vec!["missing-go-sum"]);
    let f = facts(&[("go.mod", "module m\ngo one\n")]);
    let (_, d) = views(
        "FROM golang:1.22\nCOPY . /app\nWORKDIR /app\nRUN go build\n",
        &f,
    );
    assert_eq!(codes(&d), vec!["go-mod-parse-error"]);
    assert!(d[0].message.starts_with("go.mod:2: "), "{}", d[0].message);
}

#[test]
fn no_diagnosis_when_files_may_come_from_elsewhere() {
    let f = facts(&[("app/go.mod", GO_MOD)]);
    for src in [
        "FROM golang:1.22\nRUN git clone https://example.com/r /src\nWORKDIR /src\nRUN go build\n",
        "FROM golang:1.22\nWORKDIR /src\nRUN go mod init example.com/x\nRUN go build\n",
        "FROM golang:1.22 AS a\nRUN git clone https://example.com/r /src\nFROM golang:1.22\nCOPY --from=a /src /src\nWORKDIR /src\nRUN go build\n",
        "FROM golang:1.22\nWORKDIR /src\nRUN go install golang.org/x/tools/cmd/stringer@latest\n",
        "FROM golang:1.22\nWORKDIR /src\nRUN go version && go env\n",
        "FROM golang:1.22\nENV GO111MODULE=auto\nWORKDIR /go/src/example.com/x\nCOPY . .\nRUN go build\n",
    ] {
        let (_, d) = views(src, &f);
        assert!(d.is_empty(), "{src}: {d:?}");
    }
}

#[test]
fn child_stage_sees_manifests_copied_by_its_parent() {
    let f = facts(&[("go.mod", GO_MOD), ("go.sum", "x")]);
    let (v, d) = views("FROM golang:1.22 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nFROM deps AS build\nCOPY . .\nRUN go build\n", &f);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(v[1].stage, 1);
    assert_eq!(
        v[1].module.as_ref().map(|m| m.container_dir.as_str()),
        Some("/src")
    );
}

#[test]
fn glob_matching_rules() {
    let cases = [
        ("go.*", "go.mod", true),
        ("*.mod", "go.mod", true),
        ("go.[ms]*", "go.sum", true),
        ("go.[!a]*", "go.sum", false),
        ("*", "a/go.mod", false),
        ("*/go.mod", "a/go.mod", true),
        ("a?", "ab", true),
        ("", "x", false),
    ];
    for (p, x, want) in cases {
        assert_eq!(glob_match(p, x), want, "{p} {x}");
    }
}

#[test]
fn include_patterns_cover_every_manifest() {
    let p = ContextFacts::include_patterns(true);
    assert!(p.contains(&"**/go.mod".to_string()));
    assert!(p.contains(&"**/vendor/modules.txt".to_string()));
    assert!(p.contains(&"**/*.go".to_string()));
    assert_eq!(p.len(), 6);
    let manifests_only = ContextFacts::include_patterns(false);
    assert!(!manifests_only.iter().any(|p| p.ends_with(".go")));
    assert_eq!(manifests_only.len(), 5);
}

#[test]
fn go_line_newer_than_the_image_is_diagnosed() {
    let f = facts(&[("go.mod", "module m\n\ngo 1.23.1\n"), ("go.sum", "")]);
    let base = "FROM golang:1.22\nENV GOLANG_VERSION=1.22.5\nWORKDIR /app\nCOPY . .\n";
    let (_, d) = views(&format!("{base}ENV GOTOOLCHAIN=local\nRUN go build\n"), &f);
    assert_eq!(codes(&d), vec!["go-version-newer-than-image"]);
    assert_eq!(d[0].severity, Severity::Error);
    assert_eq!(d[0].span.start, 6);
    assert!(
        d[0].message
            .starts_with("go.mod:3: go 1.23.1 is required but the image has go 1.22.5"),
        "{}",
        d[0].message
    );
    let (_, d) = views(&format!("{base}RUN go build\n"), &f);
    assert_eq!(d[0].severity, Severity::Warning);
    assert!(
        d[0].message.contains("downloads go1.23.1"),
        "{}",
        d[0].message
    );
    let (_, d) = views(&format!("{base}RUN GOTOOLCHAIN=local go build\n"), &f);
    assert_eq!(d[0].severity, Severity::Error);
    let ok = facts(&[("go.mod", "module m\n\ngo 1.22\n"), ("go.sum", "")]);
    let (_, d) = views(&format!("{base}ENV GOTOOLCHAIN=local\nRUN go build\n"), &ok);
    assert!(d.is_empty(), "{d:?}");
}

/// Before Go 1.21 the go line is advisory and GOTOOLCHAIN does not exist: a newer line is never
/// a certain failure (issue 8, item 2), even with GOTOOLCHAIN=local in the environment.
#[test]
fn go_line_newer_than_a_pre_1_21_image_is_only_a_warning() {
    let base = "FROM golang:1.22\nENV GOLANG_VERSION=1.16.15\nWORKDIR /app\nCOPY . .\n";
    let two = facts(&[("go.mod", "module m\n\ngo 1.19\n"), ("go.sum", "")]);
    for run in ["RUN go build\n", "ENV GOTOOLCHAIN=local\nRUN go build\n"] {
        let (_, d) = views(&format!("{base}{run}"), &two);
        assert_eq!(codes(&d), vec!["go-version-newer-than-image"]);
        assert_eq!(d[0].severity, Severity::Warning, "{run}");
        assert!(
            d[0].message.contains("the line is advisory"),
            "{}",
            d[0].message
        );
        assert!(!d[0].message.contains("GOTOOLCHAIN"), "{}", d[0].message);
    }
    let three = facts(&[("go.mod", "module m\n\ngo 1.23.1\n"), ("go.sum", "")]);
    let (_, d) = views(&format!("{base}RUN go build\n"), &three);
    assert_eq!(d[0].severity, Severity::Warning);
    assert!(
        d[0].message.contains("invalid go version '1.23.1'"),
        "{}",
        d[0].message
    );
}

#[test]
fn docker_init_template_bind_mounts_expose_the_module() {
    let f = facts(&[("go.mod", GO_MOD), ("go.sum", "x")]);
    let src = "ARG GO_VERSION=1.22\nFROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build\nWORKDIR /src\nRUN --mount=type=cache,target=/go/pkg/mod/ \\\n    --mount=type=bind,source=go.sum,target=go.sum \\\n    --mount=type=bind,source=go.mod,target=go.mod \\\n    go mod download -x\nARG TARGETARCH\nRUN --mount=type=cache,target=/go/pkg/mod/ \\\n    --mount=type=bind,target=. \\\n    CGO_ENABLED=0 GOARCH=$TARGETARCH go build -o /bin/server .\nFROM alpine:latest AS final\nCOPY --from=build /bin/server /bin/\nENTRYPOINT [ \"/bin/server\" ]\n";
    let (v, d) = views(src, &f);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(v.len(), 2);
    for view in &v {
        assert_eq!(
            view.module.as_ref().map(|m| m.container_dir.as_str()),
            Some("/src")
        );
    }
    assert_eq!(
        manifest_pairs(&v[0]),
        pairs(&[("go.mod", "/src/go.mod"), ("go.sum", "/src/go.sum")])
    );
}

#[test]
fn bind_mount_from_another_stage_makes_the_view_incomplete() {
    let f = facts(&[("app/go.mod", GO_MOD)]);
    let (v, d) = views("FROM golang:1.22 AS src\nFROM golang:1.22\nWORKDIR /w\nRUN --mount=from=src,target=/w go build\n", &f);
    assert!(!v[0].complete);
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn module_outside_the_workspace_members_is_diagnosed() {
    let f = facts(&[
        ("go.work", "go 1.22\nuse ./api\n"),
        ("api/go.mod", "module a\ngo 1.22\n"),
        ("tools/go.mod", "module t\ngo 1.22\n"),
    ]);
    let (_, d) = views(
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN cd tools && go build\n",
        &f,
    );
    assert_eq!(codes(&d), vec!["module-not-in-workspace"]);
    assert!(
        d[0].message.contains("add `use ./tools`"),
        "{}",
        d[0].message
    );
    let (_, d) = views(
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN cd api && go build\n",
        &f,
    );
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn explicit_gowork_path_is_used() {
    let f = facts(&[
        ("ws/dev.work", "go 1.22\nuse ../api\n"),
        ("api/go.mod", "module a\ngo 1.22\n"),
    ]);
    let (v, d) = views("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nENV GOWORK=/src/ws/dev.work\nRUN cd api && go build\n", &f);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        v[0].workspace.as_ref().map(|w| w.container_dir.as_str()),
        Some("/src/ws")
    );
}

#[test]
fn first_source_copy_skips_manifest_copies() {
    let df = parse("FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY vendor/modules.txt vendor/\nCOPY ./config /etc/app\nCOPY . .\nRUN go build\n");
    let df = match df {
        Ok(df) => df,
        Err(e) => panic!("{e}"),
    };
    let args = BTreeMap::new();
    let images: BTreeMap<String, BaseImage> = BTreeMap::new();
    let stages = analyze(&AnalyzeInput {
        dockerfile: &df,
        build_args: &args,
        images: &images,
        target: None,
    });
    let c = first_source_copy(&stages[0], "/src");
    assert_eq!(c.map(|c| c.span.start), Some(6));
}

#[test]
fn command_line_findings() {
    let f = facts(&[("go.mod", "module m\ngo 1.22\n")]);
    let (_, d) = views("FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go env -w GOFLAGS=-buildvcs=false\nRUN go build -a -installsuffix cgo -o /x .\n", &f);
    assert_eq!(codes(&d), vec!["build-flag-a"]);
    assert_eq!(d[0].span.start, 5);
}

#[test]
fn replace_target_missing_from_the_context() {
    let f = facts(&[(
        "go.mod",
        "module m\ngo 1.22\nreplace example.com/lib => ./lib\n",
    )]);
    let (_, d) = views(
        "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build\n",
        &f,
    );
    assert_eq!(codes(&d), vec!["replace-target-missing"]);
    assert!(
        d[0].message
            .starts_with("go.mod:3: replace example.com/lib => ./lib"),
        "{}",
        d[0].message
    );
}

#[test]
fn gather_dedups_findings_of_one_run() {
    let df = parse("FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go mod download && go build -a . && go vet ./...\n").unwrap_or_else(|e| panic!("{e}"));
    let f = facts(&[("go.mod", GO_MOD)]);
    let args = BTreeMap::new();
    let images: BTreeMap<String, BaseImage> = BTreeMap::new();
    let g = gather(
        &AnalyzeInput {
            dockerfile: &df,
            build_args: &args,
            images: &images,
            target: None,
        },
        &f,
    );
    assert_eq!(g.views.len(), 3);
    assert_eq!(
        codes(&g.diagnostics),
        vec!["missing-go-sum", "build-flag-a"]
    );
}

#[test]
fn no_go_mod_anywhere_is_only_a_warning() {
    let (_, d) = views(
        "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build\n",
        &ContextFacts::default(),
    );
    assert_eq!(codes(&d), vec!["go-mod-not-found"]);
    assert_eq!(d[0].severity, Severity::Warning);
    assert!(
        d[0].message.contains("the build context has no go.mod"),
        "{}",
        d[0].message
    );
}

#[test]
fn manifests_copied_between_stages_are_followed() {
    let f = facts(&[("app/go.mod", GO_MOD), ("app/go.sum", "x")]);
    let src = "FROM golang:1.22 AS source\nCOPY . /code\nFROM golang:1.22\nCOPY --from=source /code/app /src\nWORKDIR /src\nRUN go build\nRUN cd / && go build\n";
    let (v, d) = views(src, &f);
    assert_eq!(
        v[0].module
            .as_ref()
            .map(|m| (m.container_dir.as_str(), m.context_dir.as_str())),
        Some(("/src", "app"))
    );
    assert_eq!(
        manifest_pairs(&v[0]),
        pairs(&[("app/go.mod", "/src/go.mod"), ("app/go.sum", "/src/go.sum")])
    );
    assert!(v[1].complete);
    assert_eq!(codes(&d), vec!["go-mod-not-found"]);
    assert_eq!(d[0].span.start, 7);
}

/// module-not-in-workspace is certain only for a package-loading command whose packages, named
/// by directory or file (or `.`), lie in a module go.work does not use (issue 8, item 3).
#[test]
fn workspace_membership_follows_the_packages_named() {
    let f = facts(&[
        ("go.work", "go 1.22\n\nuse ./cmd/app\n"),
        ("go.mod", "module example.com/root\n\ngo 1.22\n"),
        ("cmd/app/go.mod", "module example.com/app\n\ngo 1.22\n"),
    ]);
    let base = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n";
    for ok in [
        "RUN go build -o /x cmd/app/main.go\n",
        "RUN go build -o /x ./cmd/app\n",
        "RUN go build example.com/app\n",
        "RUN go env -w GOFLAGS=-buildvcs=false\n",
        "RUN go version\n",
        "RUN go mod download\n",
    ] {
        let (_, d) = views(&format!("{base}{ok}"), &f);
        assert!(
            !codes(&d).contains(&"module-not-in-workspace"),
            "{ok}: {d:?}"
        );
    }
    for bad in [
        "RUN go build ./...\n",
        "RUN go vet\n",
        "RUN go run main.go\n",
    ] {
        let (_, d) = views(&format!("{base}{bad}"), &f);
        assert_eq!(codes(&d), vec!["module-not-in-workspace"], "{bad}");
        assert_eq!(d[0].severity, Severity::Error);
    }
}
