use std::collections::BTreeMap;

use super::*;
use crate::dockerfile::parse;
use crate::golang::analyze::{AnalyzeInput, BaseImage};
use crate::golang::facts::{gather, ContextFacts, Severity};

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n";
const GO_SUM: &str =
    "github.com/google/uuid v1.6.0 h1:x\ngithub.com/google/uuid v1.6.0/go.mod h1:y\n";

fn golang_image() -> BaseImage {
    BaseImage {
        env: vec![
            (
                "PATH".into(),
                "/go/bin:/usr/local/go/bin:/usr/bin:/bin".into(),
            ),
            ("GOLANG_VERSION".into(), "1.22.12".into()),
            ("GOTOOLCHAIN".into(), "local".into()),
            ("GOPATH".into(), "/go".into()),
        ],
        user: String::new(),
        working_dir: "/go".into(),
    }
}

fn images() -> BTreeMap<String, BaseImage> {
    let mut m = BTreeMap::new();
    m.insert("golang:1.22".to_string(), golang_image());
    m.insert(
        "debian:bookworm-slim".to_string(),
        BaseImage {
            env: vec![("PATH".into(), "/usr/bin:/bin".into())],
            ..BaseImage::default()
        },
    );
    m
}

fn ctx(files: &[(&str, &str)]) -> ContextFacts {
    let mut f = ContextFacts::default();
    for (p, c) in files {
        f.insert(p, c.as_bytes().to_vec());
    }
    f
}

fn module() -> ContextFacts {
    ctx(&[("go.mod", GO_MOD), ("go.sum", GO_SUM)])
}

struct Case<'a> {
    dockerfile: &'a str,
    context: ContextFacts,
    build_args: &'a [(&'a str, &'a str)],
    skip: Option<&'a str>,
}

impl<'a> Case<'a> {
    fn new(dockerfile: &'a str, context: ContextFacts) -> Self {
        Case {
            dockerfile,
            context,
            build_args: &[],
            skip: None,
        }
    }
    fn args(mut self, a: &'a [(&'a str, &'a str)]) -> Self {
        self.build_args = a;
        self
    }
    fn skip(mut self, s: &'a str) -> Self {
        self.skip = Some(s);
        self
    }
    fn run(&self) -> Rewritten {
        let df = match parse(self.dockerfile) {
            Ok(df) => df,
            Err(e) => panic!("test Dockerfile does not parse: {e}"),
        };
        let args: BTreeMap<String, String> = self
            .build_args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut opt_args = args.clone();
        if let Some(s) = self.skip {
            opt_args.insert("GOFRONT_SKIP".into(), s.into());
        }
        let options = match RewriteOptions::for_build(&opt_args, df.directives.gofront.as_deref()) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        };
        let imgs = images();
        let facts = gather(
            &AnalyzeInput {
                dockerfile: &df,
                build_args: &args,
                images: &imgs,
                target: None,
            },
            &self.context,
        );
        let out = rewrite(self.dockerfile, &df, &facts, &options);
        check_reparse(self.dockerfile, &df, &out);
        out
    }
}

/// The rewritten text parses, has the same stages, and the line map has one entry per line
/// pointing into the user's file.
fn check_reparse(original: &str, df: &Dockerfile, out: &Rewritten) {
    let again = match parse(&out.text) {
        Ok(d) => d,
        Err(e) => panic!("rewritten text does not parse: {e}\n{}", out.text),
    };
    let names = |d: &Dockerfile| -> Vec<(Option<String>, String)> {
        d.stages
            .iter()
            .map(|s| (s.name.clone(), s.base_name.clone()))
            .collect()
    };
    assert_eq!(names(df), names(&again));
    assert_eq!(out.line_map.original.len(), out.text.lines().count());
    let user_lines = original.lines().count();
    assert!(out
        .line_map
        .original
        .iter()
        .all(|l| (1..=user_lines).contains(l)));
    // Every user line is still there, mapped to itself (flags inserted by gofront removed).
    let rewritten: Vec<&str> = out.text.lines().collect();
    for (i, line) in original.lines().enumerate() {
        let n = i + 1;
        let found = rewritten
            .iter()
            .zip(&out.line_map.original)
            .any(|(l, m)| *m == n && (*l == line || strip_injected(l) == strip_injected(line)));
        assert!(
            found,
            "user line {n} {line:?} lost or mis-mapped:\n{}",
            out.text
        );
    }
}

/// A rewritten line without the `--mount=type=cache,...,sharing=shared[...]` flags gofront adds.
fn strip_injected(line: &str) -> String {
    let mut out = line.to_string();
    while let Some(i) = out.find(" --mount=type=cache,target=") {
        let rest = &out[i + 1..];
        let end = rest.find(' ').map_or(out.len(), |e| i + 1 + e);
        if !out[i..end].contains("sharing=shared") {
            break;
        }
        out.replace_range(i..end, "");
    }
    out
}

fn decision(out: &Rewritten, kind: RewriteKind, stage: usize) -> &Decision {
    match out
        .decisions
        .iter()
        .find(|d| d.kind == kind && d.stage == stage)
    {
        Some(d) => d,
        None => panic!("no {kind} decision for stage {stage}: {:#?}", out.decisions),
    }
}

fn applied(out: &Rewritten, kind: RewriteKind, stage: usize) -> String {
    let d = decision(out, kind, stage);
    assert!(d.applied, "{kind} not applied: {d}\n{}", out.text);
    d.detail.clone()
}

fn skipped(out: &Rewritten, kind: RewriteKind, stage: usize) -> String {
    let d = decision(out, kind, stage);
    assert!(!d.applied, "{kind} applied: {d}\n{}", out.text);
    d.detail.clone()
}

const MC: &str = "--mount=type=cache,target=/go/pkg/mod,sharing=shared";
const BC: &str = "--mount=type=cache,target=/root/.cache/go-build,sharing=shared";

#[test]
fn naive_copy_all_then_build_gets_deps_step_and_cache_mounts() {
    let df = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\n";
    let out = Case::new(df, module()).run();
    let want = format!("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum /src/\nRUN {MC} go mod download\nCOPY . .\nRUN {MC} {BC} go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\n");
    assert_eq!(out.text, want);
    assert_eq!(out.line_map.original, vec![1, 2, 3, 4, 3, 4, 5, 6, 7]);
    assert_eq!(
        applied(&out, RewriteKind::Deps, 0),
        "copies go.mod, go.sum to /src; go mod download in /src (module cache mounted)"
    );
    assert!(applied(&out, RewriteKind::ModCache, 0).contains("/go/pkg/mod on line 4"));
    assert!(applied(&out, RewriteKind::BuildCache, 0).contains("/root/.cache/go-build"));
    assert_eq!(out.decisions.len(), 5, "{:#?}", out.decisions);
    assert!(out.decisions.iter().all(|d| d.stage == 0));
    assert!(out.run_env.is_empty());
}

#[test]
fn existing_deps_step_is_left_alone() {
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, module()).run();
    let why = skipped(&out, RewriteKind::Deps, 0);
    assert!(why.contains("line 4 already runs go"), "{why}");
    assert!(!out.text.contains("COPY go.mod go.sum /src/"));
    // The existing steps still get the cache mounts.
    assert!(out
        .text
        .contains(&format!("RUN {MC} {BC} go mod download\n")));
}

#[test]
fn existing_cache_mounts_are_not_duplicated_and_feed_the_deps_step() {
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .\n";
    let out = Case::new(df, module()).run();
    assert!(
        skipped(&out, RewriteKind::ModCache, 0).contains("already mounted at /go/pkg/mod (line 4)")
    );
    assert!(skipped(&out, RewriteKind::BuildCache, 0)
        .contains("already mounted at /root/.cache/go-build (line 4)"));
    // The deps step uses the user's own mount, so both see the same cache.
    assert!(
        out.text
            .contains("RUN --mount=type=cache,target=/go/pkg/mod go mod download\nCOPY . .\n"),
        "{}",
        out.text
    );
    assert!(out.text.ends_with("COPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .\n"));
}

#[test]
fn numeric_non_root_user_gets_uid_and_gid_on_mounts() {
    let df = "FROM golang:1.22\nENV HOME=/home/app\nUSER 1000:1000\nWORKDIR /src\nCOPY --chown=1000:1000 . .\nRUN go build -o /tmp/app .\n";
    let out = Case::new(df, module()).run();
    assert!(
        out.text
            .contains("COPY --chown=1000:1000 go.mod go.sum /src/\n"),
        "{}",
        out.text
    );
    assert!(out.text.contains("RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared,uid=1000,gid=1000 go mod download\n"));
    assert!(out.text.contains("RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared,uid=1000,gid=1000 --mount=type=cache,target=/home/app/.cache/go-build,sharing=shared,uid=1000,gid=1000 go build"));
}

#[test]
fn named_user_skips_cache_mounts_and_keeps_modules_in_the_deps_layer() {
    let df = "FROM golang:1.22\nENV HOME=/home/app\nUSER app\nWORKDIR /src\nCOPY . .\nRUN go build -o /tmp/app .\n";
    let out = Case::new(df, module()).run();
    assert!(skipped(&out, RewriteKind::ModCache, 0).contains("USER is a name"));
    assert!(skipped(&out, RewriteKind::BuildCache, 0).contains("USER is a name"));
    assert!(applied(&out, RewriteKind::Deps, 0).contains("modules kept in the image"));
    assert!(
        out.text
            .contains("COPY go.mod go.sum /src/\nRUN go mod download\nCOPY . .\n"),
        "{}",
        out.text
    );
}

#[test]
fn non_root_user_without_home_skips_the_build_cache() {
    let df = "FROM golang:1.22\nUSER 1000\nWORKDIR /src\nCOPY . .\nRUN go build -o /tmp/app .\n";
    let out = Case::new(df, module()).run();
    assert!(skipped(&out, RewriteKind::BuildCache, 0).contains("build cache unknown"));
    // GOPATH=/go from the image: the module cache path is known; uid only (no group given).
    assert!(
        out.text
            .contains("--mount=type=cache,target=/go/pkg/mod,sharing=shared,uid=1000 go build"),
        "{}",
        out.text
    );
}

#[test]
fn custom_gopath_and_gomodcache_from_env_move_the_mounts() {
    let df = "FROM golang:1.22\nENV GOPATH=/gopath GOCACHE=/cache/go\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, module()).run();
    assert!(out.text.contains("RUN --mount=type=cache,target=/gopath/pkg/mod,sharing=shared --mount=type=cache,target=/cache/go,sharing=shared go build"), "{}", out.text);
    let df = "FROM golang:1.22\nENV GOMODCACHE=/modcache\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, module()).run();
    assert!(
        out.text
            .contains("RUN --mount=type=cache,target=/modcache,sharing=shared go mod download\n"),
        "{}",
        out.text
    );
}

#[test]
fn go_work_copies_every_member_manifest() {
    let work = "go 1.22\n\nuse (\n\t./libs/shared\n\t./services/api\n)\n";
    let c = ctx(&[
        ("go.work", work),
        (
            "libs/shared/go.mod",
            "module example.com/shared\n\ngo 1.22\n",
        ),
        ("services/api/go.mod", GO_MOD),
        ("services/api/go.sum", GO_SUM),
    ]);
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api ./services/api\n";
    let out = Case::new(df, c).run();
    assert!(out.text.contains("COPY go.work /src/\nCOPY libs/shared/go.mod /src/libs/shared/\nCOPY services/api/go.mod services/api/go.sum /src/services/api/\nRUN --mount=type=cache,target=/go/pkg/mod,sharing=shared go mod download\nCOPY . .\n"), "{}", out.text);
    assert_eq!(
        applied(&out, RewriteKind::Deps, 0),
        "copies go.work to /src; go.mod to /src/libs/shared; go.mod, go.sum to /src/services/api; go mod download in /src (module cache mounted)"
    );
}

#[test]
fn workspace_member_without_go_sum_skips_deps() {
    let work = "go 1.22\n\nuse ./api\n";
    let c = ctx(&[("go.work", work), ("api/go.mod", GO_MOD)]);
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api ./api\n";
    let out = Case::new(df, c).run();
    assert!(skipped(&out, RewriteKind::Deps, 0)
        .contains("api/go.mod requires modules but has no go.sum"));
}

#[test]
fn local_replace_inside_the_context_copies_the_target_manifests() {
    let m =
        format!("{GO_MOD}\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ./lib\n");
    let c = ctx(&[
        ("go.mod", &m),
        ("go.sum", GO_SUM),
        ("lib/go.mod", "module example.com/lib\n\ngo 1.22\n"),
    ]);
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./cmd/app\n";
    let out = Case::new(df, c).run();
    assert!(
        out.text
            .contains("COPY go.mod go.sum /src/\nCOPY lib/go.mod /src/lib/\nRUN"),
        "{}",
        out.text
    );
}

#[test]
fn local_replace_outside_the_context_skips_deps_and_is_diagnosed() {
    let m = format!("{GO_MOD}\nreplace example.com/lib => ../lib\n");
    let c = ctx(&[("go.mod", &m), ("go.sum", GO_SUM)]);
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, c).run();
    assert!(skipped(&out, RewriteKind::Deps, 0).contains("points outside the build context"));
    assert!(out
        .diagnostics
        .iter()
        .any(|d| d.code == "replace-outside-context"
            && d.severity == Severity::Warning
            && d.span.start == 4));
    // The cache mounts still apply.
    assert!(applied(&out, RewriteKind::ModCache, 0).contains("line 4"));
}

#[test]
fn consistent_vendor_needs_no_download() {
    let m = "module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n";
    let txt = "# github.com/google/uuid v1.6.0\n## explicit\ngithub.com/google/uuid\n";
    let c = ctx(&[
        ("go.mod", m),
        ("go.sum", GO_SUM),
        ("vendor/modules.txt", txt),
    ]);
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, c).run();
    assert_eq!(
        skipped(&out, RewriteKind::Deps, 0),
        "vendor/modules.txt is consistent: builds use -mod=vendor, nothing to download"
    );
    assert!(!out.text.contains("go mod download"));
}

#[test]
fn module_cache_read_by_a_later_stage_stays_in_the_image() {
    let df = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n\nFROM debian:bookworm-slim\nCOPY --from=build /go/pkg/mod /go/pkg/mod\n";
    let out = Case::new(df, module()).run();
    assert_eq!(
        skipped(&out, RewriteKind::ModCache, 0),
        "kept in the image: line 7 copies it"
    );
    assert!(applied(&out, RewriteKind::Deps, 0).contains("modules kept in the image"));
    assert!(out
        .text
        .contains("COPY go.mod go.sum /src/\nRUN go mod download\n"));
    assert!(out.text.contains(&format!("RUN {BC} go build")));
}

#[test]
fn go_run_at_start_keeps_the_module_cache() {
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build ./...\nCMD [\"go\", \"run\", \".\"]\n";
    let out = Case::new(df, module()).run();
    assert!(skipped(&out, RewriteKind::ModCache, 0).contains("runs go when the image starts"));
}

#[test]
fn all_off_is_byte_identical_with_no_decisions() {
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    for out in [
        Case::new(df, module())
            .args(&[("GOFRONT", "off"), ("GOPROXY", "http://x")])
            .run(),
        Case::new(&format!("# gofront=off\n{df}"), module()).run(),
        Case::new(df, module())
            .skip("deps,cache,env,diagnose")
            .run(),
    ] {
        assert!(out.decisions.is_empty(), "{:#?}", out.decisions);
        assert!(out.run_env.is_empty());
        assert!(out.diagnostics.is_empty());
        assert_eq!(out.line_map, LineMap::identity(out.text.lines().count()));
    }
    let out = Case::new(df, module()).args(&[("GOFRONT", "off")]).run();
    assert_eq!(out.text, df);
}

#[test]
fn non_go_stages_get_no_decisions() {
    let df = "FROM debian:bookworm-slim AS base\nRUN echo hi\n\nFROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, module()).run();
    assert!(out.decisions.iter().all(|d| d.stage == 1));
    assert_eq!(out.decisions.len(), 5);
    let kinds: Vec<RewriteKind> = out.decisions.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, RewriteKind::ALL.to_vec());
}
