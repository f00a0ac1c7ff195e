//! The cross rewrite: applied shapes and every reason it is skipped.

use super::*;

const RUNTIME: &str = "\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n";

fn build_stage(body: &str) -> String {
    format!("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n{body}{RUNTIME}")
}

fn cross(out: &Rewritten) -> &Decision {
    decision(out, RewriteKind::Cross, 0)
}

#[test]
fn a_pure_go_build_stage_runs_on_the_build_platform() {
    let df = build_stage("RUN go mod download\nRUN CGO_ENABLED=0 go build -o /out/app .\n");
    let out = Case::new(&df, module()).run();
    let d = cross(&out);
    assert!(d.applied, "{d}");
    assert!(
        d.detail.contains("the go commands on line 5 compile"),
        "{d}"
    );
    assert!(
        out.text
            .starts_with("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"),
        "{}",
        out.text
    );
    // Only the build RUN gets the target: the inserted and the user's own download steps are
    // the same for every platform.
    let lines: Vec<&str> = out.text.lines().collect();
    let crossed: Vec<&str> = out
        .run_cross
        .iter()
        .filter_map(|l| lines.get(l - 1).copied())
        .collect();
    assert_eq!(crossed.len(), 1, "{crossed:?}");
    assert!(crossed[0].contains("go build"), "{crossed:?}");
    // The runtime stage is the image: never moved.
    assert!(out
        .text
        .contains("\nFROM gcr.io/distroless/static-debian12\n"));
}

#[test]
fn what_a_runtime_stage_may_copy_from_a_cross_compiled_stage() {
    let copies = [
        "COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/",
        "COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo",
        "COPY --from=build /src/config.yaml /config.yaml",
        "COPY --from=build /go/bin/tool /tool",
    ];
    for copy in copies {
        let df = format!("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app . && CGO_ENABLED=0 go install ./cmd/tool\n\nFROM scratch\nCOPY --from=build /out/app /app\n{copy}\n");
        let out = Case::new(&df, module()).run();
        assert!(cross(&out).applied, "{copy}: {}", cross(&out));
    }
    // `go test -c` only compiles.
    let df = build_stage("RUN CGO_ENABLED=0 go test -c -o /out/app.test ./...\nRUN CGO_ENABLED=0 go build -o /out/app .\n");
    assert!(cross(&Case::new(&df, module()).run()).applied);
}

#[test]
fn every_reason_not_to_cross_compile_is_named() {
    let go = "RUN CGO_ENABLED=0 go build -o /out/app .\n";
    let cases: Vec<(String, &str)> = vec![
        (build_stage("RUN go build -o /out/app .\n"), "cgo may be on for `go build` on line 4"),
        (build_stage("RUN CGO_ENABLED=1 go build -o /out/app .\n"), "line 4 compiles with cgo (CGO_ENABLED=1)"),
        (build_stage(&format!("RUN CGO_ENABLED=0 go test ./...\n{go}")), "line 4 runs `go test`, which executes what it builds"),
        (build_stage(&format!("RUN go generate ./...\n{go}")), "runs `go generate`"),
        (build_stage("RUN CGO_ENABLED=0 GOARCH=amd64 go build -o /out/app .\n"), "line 4 sets GOARCH itself"),
        (build_stage("ENV GOOS=linux\nRUN CGO_ENABLED=0 go build -o /out/app .\n"), "sets GOOS itself"),
        (build_stage(&format!("{go}RUN /out/app --version\n")), "line 5 runs `/out/app`, which the stage built"),
        (build_stage("RUN CGO_ENABLED=0 go build -o app . && ./app selftest && mv app /out/app\n"), "runs `./app`"),
        (build_stage(&format!("RUN curl -fsSL -o /tmp/x https://example.com/x-$(uname -m)\n{go}")), "line 4 depends on the machine it runs on (`uname`)"),
        (build_stage(go).replace("FROM golang:1.22 AS", "FROM golang:1.22@sha256:672b770742bfdc8cd6394fc0d48789d3ab2f6e7b059f7107b4b8eca5d3a95be2 AS"), "pinned by digest"),
        (build_stage(go).replace("FROM golang:1.22 AS", "FROM myorg/go-builder:1 AS"), "its base image myorg/go-builder:1 is not the official golang image"),
        (build_stage("RUN make build\n"), "line 4 runs `make build`, whose go commands gofront cannot see"),
        (format!("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n{go}{RUNTIME}"), "FROM sets --platform=$BUILDPLATFORM itself"),
        (format!("FROM golang:1.22 AS base\nRUN CGO_ENABLED=0 go version\nFROM base AS build\nWORKDIR /src\nCOPY . .\n{go}{RUNTIME}"), "stage build (line 3) is built on it"),
        (format!("FROM golang:1.22\nWORKDIR /src\nCOPY . .\n{go}"), "it is the image being built"),
        (format!("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n{go}\nFROM build AS test\nRUN CGO_ENABLED=0 go vet ./...\n{RUNTIME}"), "stage test (line 6) is built on it"),
        (format!("FROM golang:1.22 AS build\nRUN apt-get update && apt-get install -y libsqlite3-0\nWORKDIR /src\nCOPY . .\n{go}\nFROM debian:bookworm-slim\nCOPY --from=build /out/app /app\nCOPY --from=build /usr/lib/x86_64-linux-gnu/libsqlite3.so.0 /usr/lib/\n"), "line 9 copies /usr/lib/x86_64-linux-gnu/libsqlite3.so.0 from this stage, which may differ between platforms"),
        (format!("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN curl -fsSL -o /src/bin/probe https://example.com/probe\n{go}\nFROM scratch\nCOPY --from=build /out/app /app\nCOPY --from=build /src/bin/probe /probe\n"), "line 9 copies /src/bin/probe from this stage, and line 4 may have written there"),
        (build_stage(&format!("RUN go mod download\n{go}")).replace("FROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/app /app", "FROM scratch\nCOPY --from=build /go/pkg/mod /mod"), "copies /go/pkg/mod from this stage"),
    ];
    // The stage built on another one is not moved either.
    let df = format!("FROM golang:1.22 AS base\nRUN CGO_ENABLED=0 go version\nFROM base AS build\nWORKDIR /src\nCOPY . .\n{go}{RUNTIME}");
    let out = Case::new(&df, module()).run();
    assert!(decision(&out, RewriteKind::Cross, 1)
        .detail
        .contains("it is built on stage base"));
    for (df, why) in &cases {
        let out = Case::new(df, module()).run();
        let d = cross(&out);
        assert!(!d.applied, "{why}: applied\n{df}");
        assert!(
            d.detail.contains(why),
            "{why:?} not in {:?}\n{df}",
            d.detail
        );
        assert!(out.run_cross.is_empty());
        assert!(
            !out.text
                .contains("--platform=$BUILDPLATFORM golang:1.22 AS build")
                || df.contains("--platform")
        );
    }
}

#[test]
fn cross_can_be_turned_off_alone() {
    let df = build_stage("RUN CGO_ENABLED=0 go build -o /out/app .\n");
    let out = Case::new(&df, module()).skip("cross").run();
    assert!(!out.text.contains("--platform"));
    assert!(out.decisions.iter().all(|d| d.kind != RewriteKind::Cross));
    applied(&out, RewriteKind::Deps, 0);
}
