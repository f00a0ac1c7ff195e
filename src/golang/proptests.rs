//! Property tests: the Go-awareness layer never panics on arbitrary input.

use proptest::prelude::*;

use super::analyze::{analyze, AnalyzeInput, BaseImage};
use super::facts::{module_views, ContextFacts};
use super::modfile::{ModFile, WorkFile};
use super::shellscan;
use super::vendor::{check_consistency, ModulesTxt};

/// Text built from the characters that matter to the parsers, so cases hit real code paths.
fn soup() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "module ",
        "go ",
        "require ",
        "replace ",
        "retract ",
        "use ",
        "tool ",
        "godebug ",
        "(",
        ")",
        "[",
        "]",
        ",",
        "=>",
        "\"",
        "`",
        "\\",
        "//",
        "/*",
        "\n",
        " ",
        "\t",
        "v1.2.3",
        "1.22",
        "./a",
        "../b",
        "example.com/m",
        "@",
        "# ",
        "## explicit",
        ";",
        "&&",
        "|",
        "cd ",
        "$X",
        "'",
        "go",
        "build",
        "-C",
        "-o",
        "<<",
        ">",
        "=",
    ]);
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn manifest_parsers_never_panic(text in soup(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = ModFile::parse("go.mod", text.as_bytes());
        let _ = ModFile::parse_lax("go.mod", text.as_bytes());
        let _ = WorkFile::parse("go.work", text.as_bytes());
        let _ = ModFile::parse("go.mod", &bytes);
        let txt = ModulesTxt::parse(text.as_bytes());
        if let Ok(m) = ModFile::parse("go.mod", b"module m\ngo 1.22\nrequire a.b/c v1.0.0\n") {
            let _ = check_consistency(&m, &txt);
        }
    }

    #[test]
    fn shell_scanner_never_panics(text in soup()) {
        let _ = shellscan::scan(&text, "/w", Some("/root"));
        let _ = shellscan::scan(&text, "/", None);
    }

    #[test]
    fn analysis_never_panics(run in soup(), dir in "[a-z./]{0,8}", gomod in soup()) {
        let src = format!("FROM golang:1.22 AS b\nWORKDIR {dir}\nCOPY . .\nRUN {run}\nFROM b\nCOPY --from=b /go /go\nRUN go build\n");
        if let Ok(df) = crate::dockerfile::parse(&src) {
            let args = std::collections::BTreeMap::new();
            let images: std::collections::BTreeMap<String, BaseImage> = std::collections::BTreeMap::new();
            let stages = analyze(&AnalyzeInput { dockerfile: &df, build_args: &args, images: &images, target: None });
            let mut facts = ContextFacts::default();
            facts.insert("go.mod", gomod.into_bytes());
            facts.insert("sub/go.work", b"go 1.22\nuse ../x\n".to_vec());
            let _ = module_views(&df, &stages, &facts);
        }
    }
}
