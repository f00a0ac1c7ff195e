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
    /// The private rewrite's mounts make every fetch RUN long; the tests of the other rewrites
    /// leave it off (it has its own tests), unless they ask for it.
    private: bool,
}

impl<'a> Case<'a> {
    fn new(dockerfile: &'a str, context: ContextFacts) -> Self {
        Case {
            dockerfile,
            context,
            build_args: &[],
            skip: None,
            private: false,
        }
    }
    fn with_private(mut self) -> Self {
        self.private = true;
        self
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
        let skip: Vec<&str> = self
            .skip
            .into_iter()
            .chain((!self.private).then_some("private"))
            .collect();
        if !skip.is_empty() {
            opt_args.insert("GOFRONT_SKIP".into(), skip.join(","));
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
        let found = rewritten.iter().zip(&out.line_map.original).any(|(l, m)| {
            *m == n
                && (*l == line
                    || strip_injected(l).replace(" ", "") == strip_injected(line).replace(" ", ""))
        });
        assert!(
            found,
            "user line {n} {line:?} lost or mis-mapped:\n{}",
            out.text
        );
    }
}

/// A rewritten line without the mount flags gofront adds (`--mount=type=cache,...,sharing=shared`
/// and the private rewrite's ssh, secret and tmpfs mounts).
fn strip_injected(line: &str) -> String {
    let injected = |w: &str| {
        (w.starts_with("--mount=type=cache,target=") && w.contains("sharing=shared"))
            || w.starts_with("--mount=type=ssh")
            || ["netrc", "known_hosts", "ca", "GIT_AUTH_TOKEN"]
                .iter()
                .any(|id| {
                    w.strip_prefix("--mount=type=secret,id=")
                        .is_some_and(|r| r.starts_with(id))
                })
            || w == "--mount=type=tmpfs,target=/run/gofront"
            || w == "--platform=$BUILDPLATFORM"
    };
    line.split(' ')
        .filter(|w| !injected(w))
        .collect::<Vec<_>>()
        .join(" ")
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

/// Appends a runtime stage, so the stage before it is a build stage and not the final image (a
/// final image built on a Go stage keeps its caches, see `final_image_keeps`).
fn then_runtime(df: &str) -> String {
    format!("{df}\nFROM scratch\nCOPY --from=0 /etc/hostname /x\n")
}

const MC: &str = "--mount=type=cache,target=/go/pkg/mod,sharing=shared";
const BC: &str = "--mount=type=cache,target=/root/.cache/go-build,sharing=shared";

#[test]
fn naive_copy_all_then_build_gets_deps_step_and_cache_mounts() {
    let df = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\n";
    let out = Case::new(df, module()).run();
    let want = format!("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum /src/\nRUN {MC} {BC} go mod download\nCOPY . .\nRUN {MC} {BC} go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\n");
    assert_eq!(out.text, want);
    assert_eq!(out.line_map.original, vec![1, 2, 3, 4, 3, 4, 5, 6, 7]);
    assert_eq!(
        applied(&out, RewriteKind::Deps, 0),
        "copies go.mod, go.sum to /src; go mod download in /src (module cache mounted)"
    );
    assert!(applied(&out, RewriteKind::ModCache, 0).contains("/go/pkg/mod on line 4"));
    assert!(applied(&out, RewriteKind::BuildCache, 0).contains("/root/.cache/go-build"));
    assert_eq!(out.decisions.len(), 7, "{:#?}", out.decisions);
    assert!(out.decisions.iter().all(|d| d.stage == 0));
    // Only the seed's settings reach the processes (no build arg was given).
    assert!(out
        .run_env
        .iter()
        .all(|e| e.vars.iter().all(|(k, _)| k.starts_with("GOFRONT_"))));
}

#[test]
fn existing_deps_step_is_left_alone() {
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(&then_runtime(df), module()).run();
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
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(
        skipped(&out, RewriteKind::ModCache, 0).contains("already mounted at /go/pkg/mod (line 4)")
    );
    assert!(skipped(&out, RewriteKind::BuildCache, 0)
        .contains("already mounted at /root/.cache/go-build (line 4)"));
    // The deps step uses the user's own mount, so both see the same cache.
    assert!(
        out.text
            .contains("RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go mod download\nCOPY . .\n"),
        "{}",
        out.text
    );
    assert!(out.text.contains("COPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .\n"));
}

#[test]
fn numeric_non_root_user_gets_uid_and_gid_on_mounts() {
    let df = "FROM golang:1.22\nENV HOME=/home/app\nUSER 1000:1000\nWORKDIR /src\nCOPY --chown=1000:1000 . .\nRUN go build -o /tmp/app .\n";
    let out = Case::new(&then_runtime(df), module()).run();
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
    let out = Case::new(&then_runtime(df), module()).run();
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
    let out = Case::new(&then_runtime(df), module()).run();
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
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(out.text.contains("RUN --mount=type=cache,target=/gopath/pkg/mod,sharing=shared --mount=type=cache,target=/cache/go,sharing=shared go build"), "{}", out.text);
    let df = "FROM golang:1.22\nENV GOMODCACHE=/modcache\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(
        out.text
            .contains("RUN --mount=type=cache,target=/modcache,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared go mod download\n"),
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
    let out = Case::new(&then_runtime(df), c).run();
    assert!(out.text.contains("COPY go.work /src/\nCOPY libs/shared/go.mod /src/libs/shared/\nCOPY services/api/go.mod services/api/go.sum /src/services/api/\nRUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared go mod download\nCOPY . .\n"), "{}", out.text);
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
    let out = Case::new(&then_runtime(df), c).run();
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
    assert!(skipped(&out, RewriteKind::ModCache, 0)
        .contains("kept in the image: line 5 runs go when the image starts"));
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
            .skip("deps,seed,cache,env,private,cross,diagnose")
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
    let out = Case::new(df, module()).with_private().run();
    assert!(out.decisions.iter().all(|d| d.stage == 1));
    assert_eq!(out.decisions.len(), 8);
    let kinds: Vec<RewriteKind> = out.decisions.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, RewriteKind::ALL.to_vec());
}

#[test]
fn env_build_args_reach_go_runs_and_the_deps_step_without_an_arg() {
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, module())
        .args(&[
            ("GOPROXY", "http://127.0.0.1:3131"),
            ("GOSUMDB", "off"),
            ("OTHER", "x"),
        ])
        .run();
    let want = vec![
        ("GOPROXY".to_string(), "http://127.0.0.1:3131".to_string()),
        ("GOSUMDB".to_string(), "off".to_string()),
    ];
    // Deps RUN is rewritten line 4, the user's go RUN rewritten line 6.
    let lines: Vec<usize> = out.run_env.iter().map(|e| e.rewritten_line).collect();
    assert_eq!(lines, vec![4, 6]);
    assert!(out.run_env.iter().all(|e| e.vars == want));
    let text: Vec<&str> = out.text.lines().collect();
    assert!(text[3].ends_with("go mod download") && text[5].ends_with("go build -o /app ."));
    assert_eq!(
        applied(&out, RewriteKind::Env, 0),
        "GOPROXY, GOSUMDB passed to the go commands on line 4"
    );
}

#[test]
fn env_declared_arg_or_env_wins_and_image_values_are_overridden() {
    // ARG GOPROXY declared: stock semantics; ENV GOFLAGS set: the Dockerfile wins; GOTOOLCHAIN
    // from the image config (local) is overridden by the build arg.
    let df = "FROM golang:1.22\nARG GOPROXY\nENV GOFLAGS=-trimpath\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, module())
        .args(&[
            ("GOPROXY", "http://p"),
            ("GOFLAGS", "-v"),
            ("GOTOOLCHAIN", "go1.22.12"),
        ])
        .run();
    let vars: Vec<&str> = out.run_env[0]
        .vars
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(vars, vec!["GOTOOLCHAIN"]);
    let detail = applied(&out, RewriteKind::Env, 0);
    assert_eq!(
        detail,
        "GOTOOLCHAIN passed to the go commands on line 6; GOPROXY, GOFLAGS left to the Dockerfile's own setting"
    );
    // Only declared/ENV names given: nothing injected, skipped with the names.
    let out = Case::new(df, module())
        .args(&[("GOPROXY", "http://p")])
        .run();
    assert!(out.run_env.is_empty());
    assert!(skipped(&out, RewriteKind::Env, 0).starts_with("GOPROXY set by the Dockerfile"));
    // No Go build args at all.
    let out = Case::new(df, module()).run();
    assert_eq!(
        skipped(&out, RewriteKind::Env, 0),
        "no Go settings among the build args"
    );
}

#[test]
fn env_passthrough_alone_changes_the_build_without_changing_the_text() {
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, module())
        .skip("deps,cache")
        .args(&[("GOPRIVATE", "example.com/private")])
        .run();
    assert_eq!(out.text, df);
    assert!(out.changes_build(df));
    assert_eq!(out.run_env.len(), 1);
    assert_eq!(out.run_env[0].rewritten_line, 4);
}

#[test]
fn line_map_points_inserted_lines_at_the_lines_they_serve() {
    let df = "# syntax=gofront\nFROM golang:1.22 AS build\nWORKDIR /src\n# sources\nCOPY . .\nRUN echo prepare\nRUN CGO_ENABLED=0 \\\n    go build \\\n    -o /app .\nRUN go vet ./...\n";
    let out = Case::new(&then_runtime(df), module()).run();
    // 1-4 unchanged, 5 deps COPY (→5), 6 deps RUN (→ first go RUN, 7), then 5..10.
    assert_eq!(
        out.line_map.original,
        vec![1, 2, 3, 4, 5, 7, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    );
    assert_eq!(out.line_map.line(6), 7);
    assert_eq!(
        out.line_map.span(Span { start: 9, end: 11 }),
        Span { start: 7, end: 9 }
    );
    assert!(out.text.contains(&format!(
        "RUN {MC} {BC} CGO_ENABLED=0 \\\n    go build \\\n    -o /app .\n"
    )));
}

#[test]
fn heredoc_and_exec_form_runs_get_flags_after_the_keyword() {
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\ngo build -o /app .\nEOF\nRUN [\"go\", \"test\", \"./...\"]\n";
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(
        out.text.contains(&format!(
            "RUN {MC} {BC} <<EOF\nset -e\ngo build -o /app .\nEOF\n"
        )),
        "{}",
        out.text
    );
    assert!(out
        .text
        .contains(&format!("RUN {MC} {BC} [\"go\", \"test\", \"./...\"]\n")));
    // The deps RUN maps to the heredoc RUN's first line.
    let i = out
        .text
        .lines()
        .position(|l| l.ends_with("go mod download"))
        .unwrap_or(0);
    assert_eq!(out.line_map.original[i], 4);
}

#[test]
fn lowercase_keywords_comments_and_crlf_are_preserved() {
    let df =
        "from golang:1.22\r\nworkdir /src\r\ncopy . .\r\n  run   go build -o /app . # build\r\nfrom scratch\r\n";
    let out = Case::new(df, module()).run();
    assert_eq!(
        out.text,
        format!("from golang:1.22\r\nworkdir /src\r\nCOPY go.mod go.sum /src/\r\nRUN {MC} {BC} go mod download\r\ncopy . .\r\n  run {MC} {BC}   go build -o /app . # build\r\nfrom scratch\r\n")
    );
}

#[test]
fn onbuild_runs_are_untouched() {
    let df = "FROM golang:1.22\nWORKDIR /src\nONBUILD COPY . .\nONBUILD RUN go build -o /app .\n";
    let out = Case::new(df, module()).run();
    assert_eq!(out.text, df);
    assert!(out.decisions.is_empty());
}

#[test]
fn deps_skip_reasons() {
    let base = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n";
    let cases: &[(&str, &str)] = &[
        (
            "RUN go mod tidy && go build -o /app .\n",
            "runs `go mod tidy`",
        ),
        ("RUN go build -mod=mod -o /app .\n", "-mod=mod"),
        ("RUN GOFLAGS=-mod=mod go build -o /app .\n", "-mod=mod"),
        (
            "RUN export GONOSUMDB=x && go build -o /app .\n",
            "other Go settings (GONOSUMDB)",
        ),
        (
            "RUN update-ca-certificates\nRUN go build -o /app .\n",
            "line 4 runs `update-ca-certificates`",
        ),
        (
            "RUN git config --global url.x.insteadOf y && git --version && go build -o /app .\n",
            "runs `git` before go",
        ),
        (
            "RUN apk add --no-cache git && go build -o /app .\n",
            "runs `git` before go",
        ),
        (
            "RUN mkdir /root/.ssh && ssh-keyscan example.com >> /root/.ssh/known_hosts\nRUN go build -o /app .\n",
            "line 4 runs `ssh-keyscan`",
        ),
        (
            "RUN chmod 600 .netrc && go build -o /app .\n",
            "runs `.netrc` before go",
        ),
        (
            "RUN echo 'machine x' > ./.netrc && go build -o /app .\n",
            "runs `.netrc` before go",
        ),
        (
            "COPY .netrc /root/.netrc\nRUN go build -o /app .\n",
            "line 4 copies into /root/.netrc, which the deps step (before it) would not see",
        ),
        (
            "COPY certs/ /usr/local/share/ca-certificates/\nRUN go build -o /app .\n",
            "line 4 copies into /usr/local/share/ca-certificates",
        ),
        (
            "RUN GOPROXY=off go build -o /app .\n",
            "GOPROXY disables module downloads",
        ),
        (
            "RUN cd $DIR && go build .\n",
            "directory on line 4 is not known",
        ),
        (
            "RUN go install example.com/tool@v1.2.3\n",
            "no go command here uses a module",
        ),
    ];
    for (run, why) in cases {
        let df = format!("{base}{run}");
        let out = Case::new(&df, module()).run();
        let got = skipped(&out, RewriteKind::Deps, 0);
        assert!(got.contains(why), "{run:?}: {got}");
        assert!(!out.text.contains("go mod download\nCOPY"), "{}", out.text);
    }
    let df = "FROM golang:1.22\nWORKDIR /src\nSHELL [\"/bin/bash\", \"-c\"]\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, module()).run();
    assert!(skipped(&out, RewriteKind::Deps, 0).contains("SHELL on line 3"));
    let df =
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nENV GOPROXY=direct\nRUN go build -o /app .\n";
    let out = Case::new(df, module()).run();
    let got = applied(&out, RewriteKind::Deps, 0);
    assert!(
        got.contains("with GOPROXY as the go command has them"),
        "{got}"
    );
    // A build arg that turns on -mod=mod is named without its value.
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, module())
        .args(&[("GOFLAGS", "-mod=mod")])
        .run();
    assert!(skipped(&out, RewriteKind::Deps, 0).contains("(GOFLAGS build arg)"));
    let no_sum = ctx(&[("go.mod", GO_MOD)]);
    let out = Case::new(df, no_sum).run();
    assert!(
        skipped(&out, RewriteKind::Deps, 0).contains("go.mod requires modules but has no go.sum")
    );
}

/// `go build main.go` and `go run main.go` resolve imports through the module of their
/// directory, like a package path (issue 8, item 5): they get the deps step. Outside any module
/// they build from the standard library alone, so nothing is downloaded and no error is given.
#[test]
fn go_file_arguments_use_the_module_of_their_directory() {
    for run in [
        "RUN go build -o /app main.go\n",
        "RUN go run main.go\n",
        "RUN go build -o /app cmd/app/main.go\n",
    ] {
        let df = format!("FROM golang:1.22\nWORKDIR /src\nCOPY . .\n{run}");
        let out = Case::new(&df, module()).run();
        let got = applied(&out, RewriteKind::Deps, 0);
        assert!(got.contains("go mod download in /src"), "{run:?}: {got}");
    }
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY main.go .\nRUN go run main.go\n";
    let out = Case::new(df, ctx(&[])).run();
    assert!(skipped(&out, RewriteKind::Deps, 0).contains("no go command here uses a module"));
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
}

/// The Dockerfile's own Go settings win over build args (issue 8, item 8): `go env -w` (in its
/// own RUN and after it) and an inline `NAME=value` on every go command of a RUN.
#[test]
fn own_settings_keep_the_build_arg_away() {
    let df = "FROM golang:1.22\nRUN go env -w GOPROXY=https://proxy.internal\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nRUN GOPROXY=off go vet ./... && GOPROXY=off go test ./...\nRUN GOPROXY=off go vet ./... && go test ./...\n";
    let out = Case::new(&then_runtime(df), module())
        .args(&[("GOPROXY", "http://127.0.0.1:3131"), ("GOSUMDB", "off")])
        .run();
    // The Go env each user line's RUN receives (a deps RUN inserted for a line counts for it).
    let names = |line: usize| -> Vec<String> {
        let mut names: Vec<String> = out
            .run_env
            .iter()
            .filter(|e| out.line_map.line(e.rewritten_line) == line)
            .flat_map(|e| e.vars.iter().map(|(k, _)| k.clone()))
            .collect();
        names.dedup();
        names
    };
    assert_eq!(names(2), vec!["GOSUMDB"]);
    assert_eq!(names(5), vec!["GOSUMDB"]);
    assert_eq!(names(6), vec!["GOSUMDB"]);
    assert_eq!(names(7), vec!["GOSUMDB"]);
    assert!(applied(&out, RewriteKind::Env, 0).starts_with("GOSUMDB passed"));
}

#[test]
fn module_in_a_subdirectory_gets_cd_when_workdir_differs() {
    let c = ctx(&[("app/go.mod", GO_MOD), ("app/go.sum", GO_SUM)]);
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN cd app && go build -o /out/app .\n";
    let out = Case::new(&then_runtime(df), c).run();
    assert!(out.text.contains(&format!("COPY app/go.mod app/go.sum /src/app/\nRUN {MC} {BC} cd /src/app && go mod download\nCOPY . .\n")), "{}", out.text);
}

#[test]
fn go_mod_not_where_go_runs_is_an_error_naming_the_line_and_the_fix() {
    let c = ctx(&[("app/go.mod", GO_MOD), ("app/go.sum", GO_SUM)]);
    let df = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /out/app .\n";
    let out = Case::new(df, c).run();
    let errors: Vec<&Diagnostic> = out
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && d.code == "go-mod-not-found")
        .collect();
    assert_eq!(errors.len(), 2, "{:#?}", out.diagnostics);
    assert_eq!(errors[0].span.start, 4);
    assert!(
        errors[0]
            .message
            .contains("app/go.mod (copied to /src/app/go.mod)"),
        "{}",
        errors[0].message
    );
    assert!(errors[0].message.contains("WORKDIR /src/app"));
    assert!(skipped(&out, RewriteKind::Deps, 0).contains("no go.mod is visible"));
    assert!(applied(&out, RewriteKind::Diagnose, 0).contains("2 error(s)"));
    // Without a COPY of the context there, the base image may hold a module: only a warning.
    let df = "FROM golang:1.22\nWORKDIR /src\nRUN go build -o /out/app .\n";
    let c = ctx(&[("app/go.mod", GO_MOD)]);
    let out = Case::new(df, c).run();
    assert!(
        out.diagnostics
            .iter()
            .all(|d| d.severity == Severity::Warning),
        "{:#?}",
        out.diagnostics
    );
}

#[test]
fn go_line_newer_than_the_image_is_an_error_with_gotoolchain_local() {
    let m = "module example.com/app\n\ngo 1.23.0\n";
    let c = ctx(&[("go.mod", m)]);
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go version && go build -o /app .\n";
    let out = Case::new(df, c.clone()).run();
    let d: Vec<&Diagnostic> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "go-version-newer-than-image")
        .collect();
    assert_eq!(d.len(), 1, "{:#?}", out.diagnostics);
    assert_eq!(d[0].severity, Severity::Error);
    assert_eq!(d[0].span.start, 4);
    assert!(
        d[0].message
            .starts_with("go.mod:3: go 1.23.0 is required but the image has go 1.22.12"),
        "{}",
        d[0].message
    );
    assert!(d[0].message.contains("GOTOOLCHAIN=auto"));
    // A GOTOOLCHAIN build arg that allows downloads turns it into a warning (value not shown).
    let out = Case::new(df, c.clone())
        .args(&[("GOTOOLCHAIN", "auto")])
        .run();
    let d: Vec<&Diagnostic> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "go-version-newer-than-image")
        .collect();
    assert_eq!(d.len(), 1, "{:#?}", out.diagnostics);
    assert_eq!(d[0].severity, Severity::Warning);
    assert!(d[0].message.contains("GOTOOLCHAIN (from --build-arg)"));
    // The Dockerfile's own ENV wins over the build arg.
    let df2 =
        "FROM golang:1.22\nENV GOTOOLCHAIN=local\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df2, c).args(&[("GOTOOLCHAIN", "auto")]).run();
    let error = out
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("an error");
    // ...so the fix cannot be a build arg: it names the Dockerfile's setting.
    assert!(!error.message.contains("--build-arg"), "{}", error.message);
    assert!(
        error.message.contains(
            "change the Dockerfile's ENV GOTOOLCHAIN=local so the go command may download go1.23.0"
        ),
        "{}",
        error.message
    );
}

#[test]
fn an_image_version_of_a_release_series_is_compared_at_series_precision() {
    let series = |go_line: &str| {
        let m = format!("module example.com/app\n\ngo {go_line}\n");
        let c = ctx(&[("go.mod", m.as_str())]);
        let df = "FROM golang:1.22\nENV GOLANG_VERSION=1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
        Case::new(df, c)
            .run()
            .diagnostics
            .iter()
            .filter(|d| d.code == "go-version-newer-than-image")
            .count()
    };
    assert_eq!(series("1.23"), 1, "a newer series is certain");
    assert_eq!(series("1.22.3"), 0, "some 1.22.x may be new enough");
    assert_eq!(series("1.21"), 0);
}

#[test]
fn diagnostics_only_when_diagnose_is_on() {
    let c = ctx(&[("app/go.mod", GO_MOD), ("app/go.sum", GO_SUM)]);
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -a -o /app .\n";
    let out = Case::new(df, c.clone()).skip("diagnose").run();
    assert!(out.diagnostics.is_empty());
    assert!(out
        .decisions
        .iter()
        .all(|d| d.kind != RewriteKind::Diagnose));
    let out = Case::new(df, c).run();
    assert!(out.diagnostics.iter().any(|d| d.code == "build-flag-a"));
}

/// The example projects of the repository, read like the gateway reads a context.
fn example(dir: &str) -> (String, ContextFacts) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(dir);
    let mut facts = ContextFacts::default();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(&root)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let name = rel.rsplit('/').next().unwrap_or("");
            if ["go.mod", "go.sum", "go.work", "go.work.sum"].contains(&name)
                || rel.ends_with("vendor/modules.txt")
            {
                facts.insert(&rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    let df = std::fs::read_to_string(root.join("Dockerfile")).unwrap_or_default();
    (df, facts)
}

#[test]
fn repository_examples_get_the_expected_decisions() {
    let (df, c) = example("service");
    let out = Case::new(&df, c)
        .args(&[("GOPROXY", "http://127.0.0.1:3131"), ("GOSUMDB", "off")])
        .run();
    assert_eq!(
        applied(&out, RewriteKind::Deps, 0),
        "copies go.mod, go.sum to /src; go mod download in /src (module cache mounted)"
    );
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert_eq!(out.run_env.len(), 3);
    assert!(out.decisions.iter().all(|d| d.stage == 0));

    let (df, c) = example("workspace");
    let out = Case::new(&df, c).run();
    assert_eq!(
        applied(&out, RewriteKind::Deps, 0),
        "copies go.work, go.work.sum to /src; go.mod, go.sum to /src/libs/shared; go.mod, go.sum to /src/services/api; go.mod, go.sum to /src/services/worker; go mod download in /src (module cache mounted)"
    );

    let (df, c) = example("replace");
    let out = Case::new(&df, c).run();
    assert_eq!(
        applied(&out, RewriteKind::Deps, 0),
        "copies go.mod, go.sum to /src; go.mod, go.sum to /src/lib; go mod download in /src (module cache mounted)"
    );

    let (df, c) = example("vendored");
    let out = Case::new(&df, c).run();
    assert_eq!(
        skipped(&out, RewriteKind::Deps, 0),
        "vendor/modules.txt is consistent: builds use -mod=vendor, nothing to download"
    );

    let (df, c) = example("subdir");
    let out = Case::new(&df, c).run();
    let first = out.diagnostics.first().map(|d| (d.severity, d.span.start));
    assert_eq!(first, Some((Severity::Error, 9)), "{:#?}", out.diagnostics);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    const TEMPLATES: [&str; 6] = [
        "FROM golang:1.22\nARG DIR\nWORKDIR $DIR\nCOPY . .\nRUN go build -o /app .\n",
        "FROM golang:1.22\nARG GOPATH\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
        "FROM golang:1.22\nARG GOMODCACHE\nARG GOCACHE\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
        "FROM golang:1.22\nARG DIR\nWORKDIR /src\nCOPY . $DIR/\nRUN cd $DIR && go build -o /app .\n",
        "FROM golang:1.22\nARG HOME\nUSER 1000\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build -o /app .\n",
    ];

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9]{5,10}",
            "/[a-z]{4,8}(/[a-z]{4,8})?",
            "https?://[a-z]{4,8}\\.example",
            "-[a-z]{4,8}=[a-z]{4,8}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn no_build_arg_value_in_any_decision_or_diagnostic(
            t in 0..TEMPLATES.len(),
            values in prop::collection::vec(value(), 8),
            sub in prop::bool::ANY,
        ) {
            let names = ["DIR", "GOPATH", "GOMODCACHE", "GOCACHE", "HOME", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN"];
            let args: Vec<(&str, &str)> = names
                .iter()
                .zip(&values)
                .map(|(n, v)| (*n, v.as_str()))
                .collect();
            let c = if sub {
                ctx(&[("app/go.mod", "module m\n\ngo 1.30\n\nrequire x.y/z v1.0.0\n")])
            } else {
                module()
            };
            let out = Case::new(TEMPLATES[t], c).args(&args).run();
            for d in &out.decisions {
                for v in &values {
                    prop_assert!(!d.detail.contains(v.as_str()), "{v:?} in {d}");
                }
            }
            for d in &out.diagnostics {
                for v in &values {
                    prop_assert!(!d.message.contains(v.as_str()), "{v:?} in {}", d.message);
                }
            }
        }
    }
}

#[test]
fn deps_stage_pattern_keeps_modules_in_the_parent_layer() {
    let df = "FROM golang:1.22 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n\nFROM deps AS build\nCOPY . .\nRUN go build -o /app .\n\nFROM scratch\nCOPY --from=build /app /app\n";
    let out = Case::new(df, module()).run();
    assert_eq!(
        skipped(&out, RewriteKind::ModCache, 0),
        "kept in the image: line 6 builds on this stage and runs go"
    );
    assert!(skipped(&out, RewriteKind::ModCache, 1)
        .contains("the stage it builds on (line 1) keeps downloaded modules"));
    assert!(skipped(&out, RewriteKind::Deps, 0)
        .contains("no COPY/ADD of the build context brings the sources"));
    assert!(skipped(&out, RewriteKind::Deps, 1)
        .contains("the stage it builds on (line 1) already runs go"));
    assert!(
        out.text
            .contains(&format!("COPY . .\nRUN {BC} go build -o /app .\n")),
        "{}",
        out.text
    );
}

#[test]
fn installing_git_before_the_copy_does_not_block_the_deps_step() {
    let df = "FROM golang:1.22\nRUN apt-get update && apt-get install -y git\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let out = Case::new(df, module()).run();
    applied(&out, RewriteKind::Deps, 0);
    // ... but after the COPY it does: the deps step would not have git.
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN apt-get update && apt-get install -y git\nRUN go build -o /app .\n";
    let out = Case::new(df, module()).run();
    assert!(skipped(&out, RewriteKind::Deps, 0).contains("line 4 runs `git`"));
}

#[test]
fn secret_ssh_and_network_of_the_go_run_are_copied_to_the_deps_step() {
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN --network=host --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=ssh go build -o /app .\n";
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(out.text.contains(&format!("RUN {MC} {BC} --network=host --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=ssh go mod download\nCOPY . .\n")), "{}", out.text);
}

#[test]
fn go_output_inside_the_cache_skips_that_mount() {
    let df =
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /root/.cache/go-build/app .\n";
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(skipped(&out, RewriteKind::BuildCache, 0)
        .contains("-o writes inside /root/.cache/go-build"));
    applied(&out, RewriteKind::ModCache, 0);
}

#[test]
fn a_later_run_reading_the_module_cache_keeps_it() {
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nRUN cp -r /go/pkg/mod/github.com/x/proto /proto\n";
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(skipped(&out, RewriteKind::ModCache, 0).contains("line 5 uses the module cache"));
}
#[test]
fn deps_step_goes_above_unrelated_args_so_version_args_do_not_rerun_it() {
    let df = "FROM golang:1.22 AS build\nARG GOPROXY\nARG VERSION=dev\nLABEL a=b\nWORKDIR /src\nCOPY . .\nRUN go build -ldflags \"-X main.version=${VERSION}\" -o /app .\n";
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(out.text.starts_with(&format!("FROM golang:1.22 AS build\nARG GOPROXY\nCOPY go.mod go.sum /src/\nRUN {MC} {BC} cd /src && go mod download\nARG VERSION=dev\n")), "{}", out.text);
    assert_eq!(&out.line_map.original[..5], &[1, 2, 6, 7, 3]);
    // With --chown the WORKDIR is not passed (it would make /src owned by that user).
    let df = "FROM golang:1.22 AS build\nARG VERSION=dev\nWORKDIR /src\nCOPY --chown=1000 . .\nRUN go build -o /app .\n";
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(
        out.text
            .contains("WORKDIR /src\nCOPY --chown=1000 go.mod go.sum /src/\nRUN"),
        "{}",
        out.text
    );
    // Nor for a non-root USER: its WORKDIR creates the directory owned by that user.
    let df = "FROM golang:1.22 AS build\nUSER 10001:10001\nENV HOME=/tmp/home\nARG VERSION=dev\nWORKDIR /tmp/src\nCOPY . .\nRUN go build -o app .\n";
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(
        out.text
            .contains("WORKDIR /tmp/src\nCOPY go.mod go.sum /tmp/src/\nRUN"),
        "{}",
        out.text
    );
}

#[test]
fn escape_directive_and_keyword_followed_by_escape_are_handled() {
    let df = "# escape=`\nFROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN`\n  go build -o /app .\n";
    let out = Case::new(&then_runtime(df), module()).run();
    assert!(
        out.text.contains(&format!(
            "COPY . .\nRUN {MC} {BC} `\n  go build -o /app .\n"
        )),
        "{}",
        out.text
    );
}

// ------------------------------------------------------------------------------ private (issue 11)

const SSH: &str = "--mount=type=ssh";
const PRIVATE_TAIL: &str = "--mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca";
const TMPFS: &str = "--mount=type=tmpfs,target=/run/gofront";

#[test]
fn fetch_steps_get_optional_ssh_and_secret_mounts_and_the_wrapper() {
    let df = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nRUN go vet ./...\nRUN ./scripts/gen.sh\nFROM scratch\nCOPY --from=build /app /app\n";
    let out = Case::new(df, module()).with_private().run();
    let fetch = format!("{SSH} {PRIVATE_TAIL} {TMPFS}");
    // The deps RUN and both go RUNs and the script that may run go: the same optional mounts.
    assert!(
        out.text
            .contains(&format!("RUN {MC} {BC} {fetch} go mod download\n")),
        "{}",
        out.text
    );
    assert!(
        out.text
            .contains(&format!("RUN {MC} {BC} {fetch} go build -o /app .\n")),
        "{}",
        out.text
    );
    assert!(
        out.text
            .contains(&format!("RUN {MC} {BC} {fetch} ./scripts/gen.sh\n")),
        "{}",
        out.text
    );
    // No private host: no token mounts.
    assert!(!out.text.contains("GIT_AUTH_TOKEN"));
    // Every fetch RUN (deps 4, build 6, vet 7, script 8 in the rewritten text) is wrapped once.
    assert_eq!(out.run_wraps, vec![4, 6, 7, 8]);
    let script = out.fetch_script.clone().unwrap_or_default();
    assert!(script.contains("/bin/sh -c \"$1\""), "{script}");
    let d = applied(&out, RewriteKind::Private, 0);
    assert!(d.contains("on lines 4, 5, 6 (`./scripts/gen.sh`); fetch setup and explained failures on lines 4, 5, 6"), "{d}");
}

#[test]
fn private_hosts_come_from_goprivate_and_gonoproxy() {
    let df = "FROM golang:1.22 AS build\nENV GONOPROXY=git.corp.example/*\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n";
    let out = Case::new(df, module())
        .args(&[("GOPRIVATE", "github.com/acme/*,*.internal.example/x")])
        .with_private()
        .run();
    for id in [
        "GIT_AUTH_TOKEN",
        "GIT_AUTH_TOKEN.git.corp.example",
        "GIT_AUTH_TOKEN.github.com",
    ] {
        assert!(
            out.text.contains(&format!("--mount=type=secret,id={id} ")),
            "{id}\n{}",
            out.text
        );
    }
    let d = applied(&out, RewriteKind::Private, 0);
    assert!(
        d.contains("with --ssh, git uses ssh for git.corp.example, github.com"),
        "{d}"
    );
    assert!(d.contains("*.internal.example/x is not a host name"), "{d}");
    let script = out.fetch_script.clone().unwrap_or_default();
    assert!(
        script.contains("for h in git.corp.example github.com;"),
        "{script}"
    );
    // Build-arg values never reach the text beyond the host names the mounts need.
    assert!(!out.text.contains("acme"));
}

#[test]
fn existing_mounts_are_kept_and_named_users_get_none() {
    let df = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n";
    let out = Case::new(df, module()).with_private().run();
    let build = out
        .text
        .lines()
        .find(|l| l.contains("go build"))
        .unwrap_or_default();
    assert_eq!(build.matches("type=ssh").count(), 1, "{build}");
    assert_eq!(build.matches("id=netrc").count(), 1, "{build}");
    assert!(
        build.contains("--mount=type=secret,id=known_hosts"),
        "{build}"
    );
    // The deps RUN takes the user's own ssh and netrc mounts, and ours for the rest.
    let deps = out
        .text
        .lines()
        .find(|l| l.contains("go mod download"))
        .unwrap_or_default();
    assert_eq!(deps.matches("type=ssh").count(), 1, "{deps}");
    assert_eq!(deps.matches("id=netrc").count(), 1, "{deps}");
    let named = "FROM golang:1.22 AS build\nENV HOME=/home/app\nUSER app\nWORKDIR /src\nCOPY . .\nRUN go build -o /tmp/app .\nFROM scratch\nCOPY --from=build /tmp/app /app\n";
    let out = Case::new(named, module()).with_private().run();
    assert!(!out.text.contains("type=secret"), "{}", out.text);
    assert!(!out.text.contains("type=ssh"), "{}", out.text);
    let numeric = "FROM golang:1.22 AS build\nENV HOME=/home/app\nUSER 1000:1000\nWORKDIR /src\nCOPY . .\nRUN go build -o /tmp/app .\nFROM scratch\nCOPY --from=build /tmp/app /app\n";
    let out = Case::new(numeric, module()).with_private().run();
    assert!(out.text.contains("--mount=type=ssh,uid=1000,gid=1000 --mount=type=secret,id=netrc,target=/home/app/.netrc,uid=1000,gid=1000"), "{}", out.text);
}

#[test]
fn only_default_shell_commands_without_heredocs_are_wrapped() {
    for (df, wrapped) in [
        ("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN [\"go\", \"build\", \"-o\", \"/app\", \".\"]\n", false),
        ("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN <<EOF\ngo build -o /app .\nEOF\n", false),
        ("FROM golang:1.22 AS build\nSHELL [\"/bin/bash\", \"-c\"]\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n", false),
        ("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n", true),
    ] {
        let df = then_runtime(df);
        let out = Case::new(&df, module()).with_private().run();
        let build_line = out
            .text
            .lines()
            .position(|l| l.contains("go build") || l.starts_with("RUN [") || l.starts_with("RUN <<"))
            .map_or(0, |i| i + 1);
        assert_eq!(out.run_wraps.contains(&build_line), wrapped, "{df}\n{}", out.text);
        let shell = df.contains("SHELL");
        assert_eq!(out.text.contains(TMPFS), !shell, "the deps RUN is wrapped unless a SHELL is set: {}", out.text);
        assert!(out.text.contains(SSH), "mounts are added either way: {}", out.text);
    }
}

#[test]
fn private_can_be_turned_off_alone() {
    let df =
        then_runtime("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n");
    let out = Case::new(&df, module())
        .with_private()
        .skip("private,seed")
        .run();
    assert!(!out.text.contains(SSH), "{}", out.text);
    assert!(out.run_wraps.is_empty());
    assert!(out.fetch_script.is_none());
    // With the seed on, the step script runs without the fetch setup.
    let out = Case::new(&df, module())
        .with_private()
        .skip("private")
        .run();
    assert!(!out.text.contains(SSH), "{}", out.text);
    assert!(!out.run_wraps.is_empty());
    let script = out.fetch_script.unwrap_or_default();
    assert!(script.contains("gofront_setup() { :; }"), "{script}");
    assert!(!script.contains("known_hosts"), "{script}");
    assert!(out.decisions.iter().all(|d| d.kind != RewriteKind::Private));
}

#[test]
fn repeatable_setup_after_the_copy_is_repeated_in_the_deps_step() {
    let df = "FROM golang:1.22\nARG VERSION\nARG TOKEN\nWORKDIR /src\nCOPY . .\nRUN mkdir -p /root/.ssh && ssh-keyscan example.com >> /root/.ssh/known_hosts\nRUN git config --global url.\"https://${TOKEN}@example.com/\".insteadOf \"https://example.com/\" && go build -o /app .\n";
    let out = Case::new(&then_runtime(df), module()).run();
    let got = applied(&out, RewriteKind::Deps, 0);
    assert!(
        got.contains("repeats the setup of line 6, 7 first"),
        "{got}"
    );
    // Below the ARG the setup uses (not hopped above it like VERSION would be).
    let deps = out
        .text
        .lines()
        .position(|l| l.starts_with("COPY go.mod"))
        .unwrap_or(0);
    let token = out
        .text
        .lines()
        .position(|l| l == "ARG TOKEN")
        .unwrap_or(usize::MAX);
    assert!(token < deps, "{}", out.text);
    assert!(out.text.contains("mkdir -p /root/.ssh && ssh-keyscan example.com >> /root/.ssh/known_hosts && git config --global url.\"https://${TOKEN}@example.com/\".insteadOf \"https://example.com/\" && cd /src && go mod download\nCOPY . .\n"), "{}", out.text);
}

mod cross;
