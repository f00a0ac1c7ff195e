//! The frontend's own cost (issue 13): parse → plan the Go rewrites → convert to LLB, as
//! `gofront llb` runs it (including reading the Go files of the build context from disk), for
//! a generated 300-line multi-stage Dockerfile and for `examples/service`. Target: under 5 ms
//! for the 300-line Dockerfile. `cargo bench --bench pipeline`.

use std::fmt::Write as _;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};

/// Service names of the generated Dockerfile (one build and one runtime stage each).
const SERVICES: [&str; 10] = [
    "api",
    "worker",
    "scheduler",
    "gateway",
    "billing",
    "notifier",
    "search",
    "admin",
    "ledger",
    "audit",
];

/// A multi-stage Dockerfile of about 300 lines: a shared base, per service a build stage
/// (settings, manifests, download, sources, build, tests) and a runtime stage.
fn big_dockerfile() -> String {
    let mut d = String::from(
        "# syntax=docker/dockerfile:1\n# A monorepo of Go services (generated for the benchmark).\nARG GO_VERSION=1.22\nARG ALPINE=3.19\n\nFROM golang:${GO_VERSION} AS base\nENV CGO_ENABLED=0 GOFLAGS=-trimpath\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates git make \\\n    && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\n\n",
    );
    for s in SERVICES {
        let _ = write!(
            d,
            "# ---- {s} ----\nFROM golang:${{GO_VERSION}} AS build-{s}\nARG VERSION=dev\nARG COMMIT=none\nARG TARGETOS\nARG TARGETARCH\nENV CGO_ENABLED=0\nLABEL org.opencontainers.image.source=https://example.com/{s}\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY cmd/{s} cmd/{s}\nCOPY internal internal\nCOPY pkg pkg\nRUN go vet ./cmd/{s}/...\nRUN go build -ldflags \"-s -w -X main.version=${{VERSION}} -X main.commit=${{COMMIT}}\" \\\n      -o /out/{s} ./cmd/{s}\nRUN mkdir -p /out/etc && echo \"{s}\" > /out/etc/name\n\nFROM gcr.io/distroless/static-debian12:nonroot AS {s}\nCOPY --from=build-{s} /out/{s} /usr/local/bin/{s}\nCOPY --from=build-{s} /out/etc /etc/{s}\nCOPY --from=build-{s} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nUSER 65532:65532\nEXPOSE 8080\nHEALTHCHECK --interval=30s --timeout=3s CMD [\"/usr/local/bin/{s}\", \"health\"]\nENTRYPOINT [\"/usr/local/bin/{s}\"]\nCMD [\"serve\"]\n\n"
        );
    }
    d.push_str("FROM api AS default\nLABEL org.opencontainers.image.title=api\n");
    d
}

/// A build context for it: go.mod, go.sum and a few Go files per service.
fn write_context(dir: &Path) {
    let write = |p: &str, text: &str| {
        let path = dir.join(p);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    };
    write(
        "go.mod",
        "module example.com/mono\n\ngo 1.22\n\nrequire (\n\tgithub.com/go-chi/chi/v5 v5.0.7\n\tgithub.com/google/uuid v1.3.0\n)\n",
    );
    write(
        "go.sum",
        "github.com/go-chi/chi/v5 v5.0.7 h1:rDTPXLDHGATaeHvVlLcR4Qe0zftYethFucbjVQ1PxU8=\ngithub.com/go-chi/chi/v5 v5.0.7/go.mod h1:DslCQbL2OYiznFReuXYUmQ2hGd1aDpCnlMNITLSKoi8=\ngithub.com/google/uuid v1.3.0 h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=\ngithub.com/google/uuid v1.3.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\n",
    );
    for s in SERVICES {
        write(
            &format!("cmd/{s}/main.go"),
            "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/mono/internal/core\"\n\t\"github.com/go-chi/chi/v5\"\n)\n\nfunc main() { fmt.Println(core.Name(), chi.NewRouter() != nil) }\n",
        );
    }
    write(
        "internal/core/core.go",
        "package core\n\nimport \"github.com/google/uuid\"\n\n// Name is a fresh id.\nfunc Name() string { return uuid.NewString() }\n",
    );
    write("pkg/util/util.go", "package util\n\nimport \"strings\"\n\n// Up upper-cases.\nfunc Up(s string) string { return strings.ToUpper(s) }\n");
}

fn bench_pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let dockerfile = dir.path().join("Dockerfile");
    let text = big_dockerfile();
    std::fs::write(&dockerfile, &text).expect("write Dockerfile");
    write_context(dir.path());
    let lines = text.lines().count();
    assert!((280..=340).contains(&lines), "{lines} lines");
    let llb = gofront::bench_llb(&dockerfile, dir.path()).expect("gofront llb");
    assert!(!llb.is_empty());
    c.bench_function(&format!("llb_{lines}_line_multistage"), |b| {
        b.iter(|| gofront::bench_llb(&dockerfile, dir.path()).expect("gofront llb"))
    });

    let service = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/service");
    let service_dockerfile = service.join("Dockerfile");
    gofront::bench_llb(&service_dockerfile, &service).expect("gofront llb of examples/service");
    c.bench_function("llb_examples_service", |b| {
        b.iter(|| gofront::bench_llb(&service_dockerfile, &service).expect("gofront llb"))
    });
}

criterion_group!(benches, bench_pipeline);
criterion_main!(benches);
