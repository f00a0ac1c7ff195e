use super::*;
use crate::dockerfile::parse;

fn golang_image() -> BaseImage {
    BaseImage {
        env: vec![
            ("PATH".into(), "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()),
            ("GOLANG_VERSION".into(), "1.22.5".into()),
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
    m.insert("golang:1.22-alpine".to_string(), golang_image());
    m
}

fn run_with(src: &str, args: &[(&str, &str)], target: Option<&str>) -> Vec<StageAnalysis> {
    let df = match parse(src) {
        Ok(df) => df,
        Err(e) => panic!("test Dockerfile does not parse: {e}"),
    };
    let build_args: BTreeMap<String, String> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let imgs = images();
    analyze(&AnalyzeInput {
        dockerfile: &df,
        build_args: &build_args,
        images: &imgs,
        target,
    })
}

fn run(src: &str) -> Vec<StageAnalysis> {
    run_with(src, &[], None)
}

fn subs(run: &GoRun) -> Vec<String> {
    run.invocations
        .iter()
        .map(|i| i.subcommand.clone().unwrap_or_default())
        .collect()
}

#[test]
fn naive_dockerfile_is_a_go_build_stage() {
    let a = run("FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go mod download\nRUN CGO_ENABLED=0 go build -o /bin/app ./cmd/app\nCMD [\"/bin/app\"]\n");
    assert_eq!(a.len(), 1);
    let s = &a[0];
    assert!(s.is_go_build && s.is_final);
    assert_eq!(s.go_runs.len(), 2);
    assert_eq!(subs(&s.go_runs[0]), vec!["mod"]);
    assert_eq!(s.go_runs[0].invocations[0].args, vec!["download"]);
    let build = &s.go_runs[1];
    assert_eq!(build.span.start, 5);
    assert_eq!(build.workdir, "/app");
    assert_eq!(build.copies_before, vec![0]);
    let inv = &build.invocations[0];
    assert_eq!(inv.dir.as_deref(), Some("/app"));
    assert_eq!(inv.flags.output.as_deref(), Some("/bin/app"));
    assert_eq!(
        inv.env.vars.get("CGO_ENABLED").map(String::as_str),
        Some("0")
    );
    assert_eq!(build.env.gomodcache.as_deref(), Some("/go/pkg/mod"));
    assert_eq!(build.env.gocache.as_deref(), Some("/root/.cache/go-build"));
    assert_eq!(
        build.env.vars.get("GOTOOLCHAIN").map(String::as_str),
        Some("local")
    );
    let c = &s.copies[0];
    assert_eq!(
        (c.origin.clone(), c.sources.clone(), c.dest.as_str()),
        (CopyOrigin::Context, vec![String::new()], "/app")
    );
    assert!(s.module_cache_readers.is_empty());
    assert!(!s.runs_go_at_start);
}

#[test]
fn existing_cache_mounts_are_reported() {
    let a = run("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build,id=gobuild \\\n    go build -o /out/app .\nFROM gcr.io/distroless/static\nCOPY --from=build /out/app /app\n");
    let b = &a[0];
    assert_eq!(b.copies[0].sources, vec!["go.mod", "go.sum"]);
    assert_eq!(b.copies[0].dest, "/src");
    assert!(b.copies[0].dest_is_dir);
    let build = &b.go_runs[1];
    assert!(build.has_cache_mount_at("/go/pkg/mod"));
    assert!(build.has_cache_mount_at("/root/.cache/go-build/"));
    assert_eq!(build.cache_mounts[1].cache_id.as_deref(), Some("gobuild"));
    assert_eq!(build.copies_before, vec![0, 1]);
    assert!(b.go_runs[0].has_cache_mount_at("/go/pkg/mod"));
    assert!(!b.go_runs[0].has_cache_mount_at("/root/.cache/go-build"));
    assert!(!a[1].is_go_build);
    assert_eq!(a[1].copies[0].origin, CopyOrigin::Stage(0));
    assert!(
        b.module_cache_readers.is_empty(),
        "copying a binary does not read the module cache"
    );
}

#[test]
fn ldflags_with_args_are_expanded_per_stage() {
    let src = "ARG GO_VERSION=1.22\nARG VERSION=dev\nFROM golang:${GO_VERSION} AS build\nARG VERSION\nARG TARGETOS TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -ldflags \"-s -w -X main.version=${VERSION}\" -o /out/svc ./cmd/svc\nFROM alpine\nCOPY --from=build /out/svc /usr/bin/svc\n";
    let a = run_with(
        src,
        &[
            ("VERSION", "1.2.3"),
            ("TARGETOS", "linux"),
            ("TARGETARCH", "arm64"),
        ],
        None,
    );
    assert_eq!(
        a[0].base,
        StageBase::Image {
            reference: "golang:1.22".into(),
            config_known: true
        }
    );
    let inv = &a[0].go_runs[0].invocations[0];
    assert_eq!(
        inv.flags.ldflags.as_deref(),
        Some("-s -w -X main.version=${VERSION}")
    );
    assert!(inv.dynamic_args);
    assert_eq!(
        inv.env.vars.get("GOOS").map(String::as_str),
        Some("$TARGETOS")
    );
    // the ARG itself is in the stage env (BuildKit passes ARG values to RUN).
    let alpine_notes = &a[1].notes;
    assert!(alpine_notes.iter().any(|n| n.message.contains("alpine")));
}

#[test]
fn go_install_and_go_test_stages() {
    let a = run("FROM golang:1.22 AS tools\nRUN go install github.com/a/tool@v1.0.0\nFROM golang:1.22 AS test\nWORKDIR /w\nCOPY . .\nRUN go test -v ./... && go vet ./...\nFROM debian:bookworm-slim\nRUN apt-get update && echo go build\n");
    assert_eq!(subs(&a[0].go_runs[0]), vec!["install"]);
    assert_eq!(a[0].go_runs[0].workdir, "/go");
    assert_eq!(subs(&a[1].go_runs[0]), vec!["test", "vet"]);
    assert!(a[0].is_go_build && a[1].is_go_build);
    assert!(!a[2].is_go_build && a[2].go_runs.is_empty());
}

#[test]
fn non_go_stages_are_not_go_build_stages() {
    let a = run("FROM node:20 AS web\nRUN npm ci && npm run build\nFROM golang:1.22\nRUN go version\nRUN gofmt -l . ; echo 'go build'\n");
    assert!(!a[0].is_go_build);
    assert!(a[0].go_runs.is_empty());
    assert!(!a[1].is_go_build, "go version alone does not build");
    assert_eq!(a[1].go_runs.len(), 1);
}

#[test]
fn cd_and_chdir_flag_give_the_go_directory() {
    let a = run("FROM golang:1.22\nWORKDIR /repo\nCOPY . .\nRUN cd services/api && go build -o /api .\nRUN go -C tools/gen generate ./...\nRUN cd $SUB && go build\n");
    let dirs: Vec<Option<String>> = a[0]
        .go_runs
        .iter()
        .map(|r| r.invocations[0].dir.clone())
        .collect();
    assert_eq!(
        dirs,
        vec![
            Some("/repo/services/api".into()),
            Some("/repo/tools/gen".into()),
            None
        ]
    );
    assert_eq!(
        a[0].go_runs[1].invocations[0].chdir_flag.as_deref(),
        Some("tools/gen")
    );
    assert_eq!(
        a[0].go_runs[1].invocations[0].subcommand.as_deref(),
        Some("generate")
    );
}

#[test]
fn workdir_follows_buildkit_rules() {
    let a = run("FROM golang:1.22\nWORKDIR src\nWORKDIR ./app/../svc\nENV D=/abs\nWORKDIR $D/x\nRUN go build\nWORKDIR rel\nRUN go vet\n");
    let wds: Vec<&str> = a[0].go_runs.iter().map(|r| r.workdir.as_str()).collect();
    assert_eq!(wds, vec!["/abs/x", "/abs/x/rel"]);
    let b = run("FROM golang:1.22\nWORKDIR src\nWORKDIR ./app/../svc\nRUN go build\n");
    assert_eq!(b[0].go_runs[0].workdir, "/go/src/svc");
}

#[test]
fn custom_gopath_and_gomodcache() {
    let a = run("FROM golang:1.22\nENV GOPATH=/opt/gopath\nRUN go build\nENV GOMODCACHE=/cache/mod GOCACHE=/cache/build\nRUN go build\nENV XDG_CACHE_HOME=/xdg GOCACHE=\nRUN go build\n");
    let r = &a[0].go_runs;
    assert_eq!(r[0].env.gopath.as_deref(), Some("/opt/gopath"));
    assert_eq!(r[0].env.gomodcache.as_deref(), Some("/opt/gopath/pkg/mod"));
    assert_eq!(r[1].env.gomodcache.as_deref(), Some("/cache/mod"));
    assert_eq!(r[1].env.gocache.as_deref(), Some("/cache/build"));
    assert_eq!(r[2].env.gocache.as_deref(), Some("/xdg/go-build"));
}

#[test]
fn non_root_user_changes_home_and_caches() {
    let a = run("FROM golang:1.22\nRUN useradd -m app\nUSER app\nWORKDIR /home/app/src\nRUN go build\nENV HOME=/home/app\nRUN go build\nUSER 0\nRUN go build\n");
    let r = &a[0].go_runs;
    assert_eq!(r[0].user, "app");
    assert_eq!(
        r[0].env.home, None,
        "home of a non-root user comes from /etc/passwd"
    );
    assert_eq!(r[0].env.gocache, None);
    assert_eq!(
        r[0].env.gomodcache.as_deref(),
        Some("/go/pkg/mod"),
        "GOPATH from the image"
    );
    assert_eq!(
        r[1].env.gocache.as_deref(),
        Some("/home/app/.cache/go-build")
    );
    assert_eq!(
        r[2].env.gocache.as_deref(),
        Some("/home/app/.cache/go-build")
    );
    assert_eq!(a[0].final_user, "0");
}

#[test]
fn env_precedence_arg_then_env_then_inline() {
    let a = run_with(
        "FROM golang:1.22\nARG GOFLAGS=-mod=mod\nRUN go build\nENV GOFLAGS=-mod=vendor\nRUN go build\nRUN GOFLAGS=-mod=readonly go build -mod=mod\n",
        &[],
        None,
    );
    let r = &a[0].go_runs;
    assert_eq!(
        r[0].invocations[0].effective_mod_mode().as_deref(),
        Some("mod")
    );
    assert_eq!(
        r[1].invocations[0].effective_mod_mode().as_deref(),
        Some("vendor")
    );
    assert_eq!(
        r[2].invocations[0]
            .env
            .vars
            .get("GOFLAGS")
            .map(String::as_str),
        Some("-mod=readonly")
    );
    assert_eq!(
        r[2].invocations[0].effective_mod_mode().as_deref(),
        Some("mod")
    );
}

#[test]
fn go_flags_of_interest() {
    let a = run(
        "FROM golang:1.22\nRUN go build -a -trimpath -mod vendor -o=/x -modfile=alt.mod ./...\n",
    );
    let f = &a[0].go_runs[0].invocations[0].flags;
    assert!(f.force_rebuild && f.trimpath);
    assert_eq!(f.mod_mode.as_deref(), Some("vendor"));
    assert_eq!(f.output.as_deref(), Some("/x"));
    assert_eq!(f.modfile.as_deref(), Some("alt.mod"));
}

#[test]
fn exec_form_and_heredoc_runs() {
    let a = run("FROM golang:1.22\nRUN [\"go\", \"build\", \"-o\", \"/app\", \".\"]\nRUN <<EOF\nset -e\ncd cmd\ngo build\nEOF\nRUN [\"echo\", \"go\", \"build\"]\n");
    let r = &a[0].go_runs;
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].invocations[0].flags.output.as_deref(), Some("/app"));
    assert_eq!(r[1].invocations[0].dir.as_deref(), Some("/go/cmd"));
}

#[test]
fn later_stage_copying_the_module_cache_is_a_reader() {
    let a = run("FROM golang:1.22 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nFROM golang:1.22 AS build\nCOPY --from=deps /go/pkg/mod /go/pkg/mod\nCOPY . .\nRUN go build\nFROM deps AS dev\nRUN go test ./...\nFROM build AS final\n");
    let kinds: Vec<(usize, CacheReaderKind)> = a[0]
        .module_cache_readers
        .iter()
        .map(|r| (r.stage, r.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (1, CacheReaderKind::CopyFrom),
            (2, CacheReaderKind::Inherits)
        ]
    );
    assert_eq!(a[2].base, StageBase::Stage(0));
    assert_eq!(a[2].go_runs[0].workdir, "/src", "inherits WORKDIR");
    assert!(a[3].is_final);
    assert!(
        a[1].module_cache_readers.is_empty(),
        "final stage does not run go"
    );
}

#[test]
fn copy_of_whole_gopath_and_mount_from_are_readers() {
    let a = run("FROM golang:1.22 AS b\nRUN go mod download\nFROM golang:1.22\nCOPY --from=b /go /go\nRUN --mount=from=b,source=/go/pkg/mod/cache,target=/c go build\n");
    let kinds: Vec<CacheReaderKind> = a[0]
        .module_cache_readers
        .iter()
        .map(|r| r.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        vec![CacheReaderKind::CopyFrom, CacheReaderKind::MountFrom]
    );
}

#[test]
fn go_run_at_start_keeps_the_cache() {
    let a = run("FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go mod download\nCMD [\"go\", \"run\", \".\"]\n");
    assert!(a[0].runs_go_at_start);
    assert_eq!(a[0].module_cache_readers[0].kind, CacheReaderKind::Runtime);
    let b = run_with(
        "FROM golang:1.22 AS dev\nCMD go run .\nFROM alpine\n",
        &[],
        Some("dev"),
    );
    assert!(b[0].is_final && !b[1].is_final);
    assert_eq!(b[0].module_cache_readers.len(), 1);
}

#[test]
fn copy_from_context_and_add_remote() {
    let a = run("FROM golang:1.22\nWORKDIR /src\nCOPY ./api/go.mod ./api/go.sum api/\nCOPY /lib /src/lib\nADD https://example.com/x.tgz /tmp/\nCOPY --from=alpine /etc/ssl /etc/ssl\nRUN go build\n");
    let c = &a[0].copies;
    assert_eq!(c[0].sources, vec!["api/go.mod", "api/go.sum"]);
    assert_eq!(c[0].dest, "/src/api");
    assert_eq!(c[1].sources, vec!["lib"]);
    assert!(!c[1].dest_is_dir);
    assert_eq!(c[2].origin, CopyOrigin::Remote);
    assert_eq!(c[3].origin, CopyOrigin::Image("alpine".into()));
}

/// `go env -w` writes the go env file, which later go commands read below the environment
/// (issue 8, item 8): its names count as the Dockerfile's own settings, and cache paths follow.
#[test]
fn go_env_w_settings_reach_later_go_commands() {
    let a = run("FROM golang:1.22\nRUN go env -w GOPROXY=http://proxy.internal GOMODCACHE=/mc\nRUN go build\nRUN go env -u GOPROXY && go vet\nENV GOMODCACHE=/env-mc\nRUN go test\n");
    let build = &a[0].go_runs[1].invocations[0];
    assert_eq!(
        build.env.vars.get("GOPROXY").map(String::as_str),
        Some("http://proxy.internal")
    );
    assert!(build.env.from_dockerfile.contains("GOPROXY"));
    assert_eq!(build.env.gomodcache.as_deref(), Some("/mc"));
    let vet = &a[0].go_runs[2].invocations[1];
    assert!(!vet.env.vars.contains_key("GOPROXY"));
    assert!(!vet.env.from_dockerfile.contains("GOPROXY"));
    // The environment wins over the file.
    let test = &a[0].go_runs[3].invocations[0];
    assert_eq!(test.env.gomodcache.as_deref(), Some("/env-mc"));
}

#[test]
fn unknown_base_image_is_noted_not_guessed() {
    let a = run("FROM mycorp/go-builder:7\nRUN go build\n");
    let r = &a[0].go_runs[0];
    assert_eq!(r.env.gomodcache.as_deref(), Some("/root/go/pkg/mod"));
    assert!(a[0]
        .notes
        .iter()
        .any(|n| n.message.contains("mycorp/go-builder:7")));
    assert_eq!(
        a[0].base,
        StageBase::Image {
            reference: "mycorp/go-builder:7".into(),
            config_known: false
        }
    );
}

#[test]
fn base_image_config_json_is_read() {
    let img = BaseImage::from_config_json(br#"{"architecture":"amd64","config":{"Env":["PATH=/usr/bin","GOPATH=/go"],"User":"1000:1000","WorkingDir":"/w"}}"#);
    assert_eq!(
        img,
        Some(BaseImage {
            env: vec![
                ("PATH".into(), "/usr/bin".into()),
                ("GOPATH".into(), "/go".into())
            ],
            user: "1000:1000".into(),
            working_dir: "/w".into(),
        })
    );
    assert_eq!(BaseImage::from_config_json(b"not json"), None);
}

#[test]
fn unknown_module_cache_path_counts_every_copy_as_a_reader() {
    let a = run("FROM golang:1.22 AS b\nENV GOPATH=\nUSER app\nRUN go build -o /out/app\nFROM alpine\nCOPY --from=b /out/app /app\n");
    assert_eq!(a[0].final_env.gomodcache, None);
    assert_eq!(a[0].module_cache_readers.len(), 1);
}

#[test]
fn copy_from_sources_are_relative_to_the_source_root() {
    let a = run("FROM golang:1.22 AS b\nRUN go mod download\nFROM golang:1.22\nWORKDIR /x\nCOPY --from=b go/pkg/mod /go/pkg/mod\n");
    assert_eq!(a[1].copies[0].sources, vec!["/go/pkg/mod"]);
    assert_eq!(a[0].module_cache_readers.len(), 1);
}

#[test]
fn user_values_parse_to_ids_where_numeric() {
    let cases = [
        ("", Some(0), Some(0)),
        ("root", Some(0), Some(0)),
        ("0", Some(0), Some(0)),
        ("1000", Some(1000), None),
        ("1000:2000", Some(1000), Some(2000)),
        ("app", None, None),
        ("app:10", None, Some(10)),
        ("nonroot:nonroot", None, None),
    ];
    for (v, uid, gid) in cases {
        let u = UserSpec::parse(v);
        assert_eq!((u.uid, u.gid), (uid, gid), "{v}");
        assert_eq!(u.is_root(), uid == Some(0), "{v}");
    }
}

#[test]
fn closures_provide_base_image_configs() {
    let df = parse("FROM docker.io/library/golang:1.22\nRUN go build\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let args = BTreeMap::new();
    let lookup = |r: &str| (r == "docker.io/library/golang:1.22").then(golang_image);
    let a = analyze(&AnalyzeInput {
        dockerfile: &df,
        build_args: &args,
        images: &lookup,
        target: None,
    });
    assert_eq!(a[0].go_runs[0].workdir, "/go");
    assert_eq!(
        a[0].go_runs[0].env.gomodcache.as_deref(),
        Some("/go/pkg/mod")
    );
}

/// BuildKit copies a file into a directory when the destination ends in `/`, is `.`, names a
/// directory that exists (WORKDIR, the image's own, a `mkdir`), or is used as one later; else
/// the file is written at the destination path (issue 8, item 1).
#[test]
fn copy_destination_is_a_directory_by_buildkit_rules() {
    let a = run("FROM golang:1.22\nWORKDIR /app\nCOPY go.mod .\nCOPY go.sum /app\nCOPY a /go\nRUN mkdir -p /made\nCOPY b /made\nCOPY c /later\nCOPY d /file\nWORKDIR /later/x\n");
    let dirs: Vec<(String, bool)> = a[0]
        .copies
        .iter()
        .map(|c| (c.dest.clone(), c.dest_is_dir))
        .collect();
    assert_eq!(
        dirs,
        vec![
            ("/app".to_string(), true),
            ("/app".to_string(), true),
            ("/go".to_string(), true),
            ("/made".to_string(), true),
            ("/later".to_string(), true),
            ("/file".to_string(), false),
        ]
    );
    let scratch = run("FROM scratch\nCOPY a /go\n");
    assert!(!scratch[0].copies[0].dest_is_dir);
}

/// Stages the final image does not need are never built by BuildKit.
#[test]
fn reachable_stages_follow_from_copy_and_mounts() {
    let a = run("FROM golang:1.22 AS unused\nRUN go version\nFROM golang:1.22 AS base\nFROM golang:1.22 AS gen\nFROM golang:1.22 AS mounted\nFROM base AS build\nCOPY --from=gen /x /x\nRUN --mount=from=mounted,target=/m go build\nFROM scratch\nCOPY --from=build /app /app\n");
    let reachable: Vec<bool> = a.iter().map(|s| s.reachable).collect();
    assert_eq!(reachable, vec![false, true, true, true, true, true]);
    let t = run_with(
        "FROM golang:1.22 AS a\nFROM golang:1.22 AS b\n",
        &[],
        Some("a"),
    );
    assert!(t[0].reachable && !t[1].reachable);
}

/// A Go stage by its base image: RUNs that may run go through build tools are recorded; a stage
/// without Go keeps none.
#[test]
fn indirect_go_runs_only_in_stages_with_go() {
    let a = run("FROM golang:1.22 AS build\nRUN apt-get update\nRUN make build\nFROM debian:bookworm-slim\nRUN make install\n");
    assert_eq!(a[0].indirect_runs.len(), 1);
    assert_eq!(a[0].indirect_runs[0].runner, "make build");
    assert!(a[0].is_go_stage());
    assert!(a[1].indirect_runs.is_empty());
    assert!(!a[1].is_go_stage());
}

#[test]
fn package_arguments_skip_flags_and_program_arguments() {
    let a = run("FROM golang:1.22\nRUN go build -o /x -tags a,b ./cmd/app ./cmd/b && go run main.go util.go -flag x && go run ./cmd/gen arg && go test ./... -run TestX -args -v\n");
    let args: Vec<Vec<&str>> = a[0].go_runs[0]
        .invocations
        .iter()
        .map(GoInvocation::package_args)
        .collect();
    assert_eq!(
        args,
        vec![
            vec!["./cmd/app", "./cmd/b"],
            vec!["main.go", "util.go"],
            vec!["./cmd/gen"],
            vec!["./..."],
        ]
    );
}
