use super::*;

fn parse(src: &str) -> Result<ModFile, ModError> {
    ModFile::parse("go.mod", src.as_bytes())
}

fn ok(src: &str) -> ModFile {
    match parse(src) {
        Ok(f) => f,
        Err(e) => panic!("unexpected error for {src:?}: {e}"),
    }
}

#[test]
fn parses_a_typical_service_go_mod() {
    let f = ok(r#"module github.com/acme/svc

go 1.22.1

toolchain go1.22.5

require (
	github.com/go-chi/chi/v5 v5.0.12
	golang.org/x/sync v0.7.0 // indirect
)

require github.com/google/uuid v1.6.0
"#);
    assert_eq!(f.module_path(), Some("github.com/acme/svc"));
    assert_eq!(
        f.go.as_ref().map(|g| (g.value.as_str(), g.line)),
        Some(("1.22.1", 3))
    );
    assert_eq!(
        f.toolchain.as_ref().map(|t| t.value.as_str()),
        Some("go1.22.5")
    );
    let reqs: Vec<(&str, &str, bool, usize)> = f
        .require
        .iter()
        .map(|r| (r.path.as_str(), r.version.as_str(), r.indirect, r.line))
        .collect();
    assert_eq!(
        reqs,
        vec![
            ("github.com/go-chi/chi/v5", "v5.0.12", false, 8),
            ("golang.org/x/sync", "v0.7.0", true, 9),
            ("github.com/google/uuid", "v1.6.0", false, 12),
        ]
    );
}

#[test]
fn replace_forms_are_classified() {
    let f = ok(r#"module example.com/app
replace example.com/a => ./a
replace example.com/b v1.2.3 => ../b
replace example.com/c => /abs/c
replace example.com/d => example.com/d2 v1.0.0
replace (
	example.com/e v0.1.0 => example.com/e v0.2.0
	example.com/f => .
	example.com/g => ..
)
"#);
    let got: Vec<(String, Option<String>, ReplaceTarget)> = f
        .replace
        .iter()
        .map(|r| (r.old.path.clone(), r.old.version.clone(), r.new.clone()))
        .collect();
    let dir = |s: &str| ReplaceTarget::Dir(s.to_string());
    let module = |p: &str, v: &str| ReplaceTarget::Module {
        path: p.to_string(),
        version: v.to_string(),
    };
    assert_eq!(
        got,
        vec![
            ("example.com/a".into(), None, dir("./a")),
            ("example.com/b".into(), Some("v1.2.3".into()), dir("../b")),
            ("example.com/c".into(), None, dir("/abs/c")),
            (
                "example.com/d".into(),
                None,
                module("example.com/d2", "v1.0.0")
            ),
            (
                "example.com/e".into(),
                Some("v0.1.0".into()),
                module("example.com/e", "v0.2.0")
            ),
            ("example.com/f".into(), None, dir(".")),
            ("example.com/g".into(), None, dir("..")),
        ]
    );
    let locals: Vec<&str> = f.local_replaces().filter_map(Replace::local_dir).collect();
    assert_eq!(locals, vec!["./a", "../b", "/abs/c", ".", ".."]);
}

#[test]
fn quoted_strings_are_unquoted() {
    let f = ok("module \"example.com/q\"\nrequire \"example.com/x\" \"v1.0.0\"\nreplace example.com/x => \"./with space\"\n");
    assert_eq!(f.module_path(), Some("example.com/q"));
    assert_eq!(f.require[0].path, "example.com/x");
    assert_eq!(f.replace[0].local_dir(), Some("./with space"));
}

#[test]
fn versions_are_canonicalized() {
    let f = ok("module m\nrequire example.com/x v1.2\nrequire example.com/y v2.0.0+incompatible\nrequire example.com/z v0.0.0-20240101000000-abcdefabcdef\n");
    let v: Vec<&str> = f.require.iter().map(|r| r.version.as_str()).collect();
    assert_eq!(
        v,
        vec![
            "v1.2.0",
            "v2.0.0+incompatible",
            "v0.0.0-20240101000000-abcdefabcdef"
        ]
    );
}

#[test]
fn retract_single_and_range_with_rationale() {
    let f = ok("module m\n// broken release\nretract v1.0.1\nretract [v1.1.0, v1.1.9] // security\nretract (\n\tv0.9.0\n)\n");
    let r: Vec<(&str, &str, &str)> = f
        .retract
        .iter()
        .map(|r| (r.low.as_str(), r.high.as_str(), r.rationale.as_str()))
        .collect();
    assert_eq!(
        r,
        vec![
            ("v1.0.1", "v1.0.1", "broken release"),
            ("v1.1.0", "v1.1.9", "security"),
            ("v0.9.0", "v0.9.0", ""),
        ]
    );
}

#[test]
fn godebug_tool_exclude_and_ignore_are_read() {
    let f = ok("module m\ngo 1.24\ngodebug (\n\tdefault=go1.21\n\tpanicnil=1\n)\ntool golang.org/x/tools/cmd/stringer\nexclude example.com/x v1.0.0\nignore ./node_modules\n");
    assert_eq!(f.godebug.len(), 2);
    assert_eq!(
        (f.godebug[1].key.as_str(), f.godebug[1].value.as_str()),
        ("panicnil", "1")
    );
    assert_eq!(f.tool[0].path, "golang.org/x/tools/cmd/stringer");
    assert_eq!(f.exclude[0].version, "v1.0.0");
    assert_eq!(f.ignore[0].path, "./node_modules");
}

#[test]
fn deprecation_comment_is_kept() {
    let f = ok("// Deprecated: use example.com/m2 instead.\nmodule example.com/m\n");
    assert_eq!(
        f.module.and_then(|m| m.deprecated),
        Some("use example.com/m2 instead.".to_string())
    );
}

#[test]
fn comments_blank_lines_crlf_and_bom_are_tolerated() {
    let f = ok("\u{feff}// header\r\n\r\nmodule m // trailing\r\n\r\nrequire (\r\n\t// a comment line\r\n\r\n\texample.com/x v1.0.0 // indirect\r\n)\r\n");
    assert_eq!(f.module_path(), Some("m"));
    assert!(f.require[0].indirect);
    assert_eq!(f.require[0].line, 8);
}

#[test]
fn indirect_marker_forms() {
    let cases = [
        ("// indirect", true),
        ("//indirect", true),
        ("// indirect; for tests", true),
        ("// indirectly", false),
        ("// see indirect", false),
        ("// indirect;", false),
    ];
    for (comment, want) in cases {
        let f = ok(&format!(
            "module m\nrequire example.com/x v1.0.0 {comment}\n"
        ));
        assert_eq!(f.require[0].indirect, want, "{comment}");
    }
}

#[test]
fn lax_mode_ignores_main_module_only_and_unknown_directives() {
    let src = "module dep\ngo 1.21rc1-x\nfrobnicate now\nreplace a => b\ntoolchain whatever\nrequire example.com/x v1.0.0\n";
    assert!(parse(src).is_err());
    let f = ModFile::parse_lax("go.mod", src.as_bytes()).unwrap_or_default();
    assert_eq!(f.module_path(), Some("dep"));
    assert_eq!(f.go.map(|g| g.value), Some("1.21".to_string()));
    assert!(f.replace.is_empty());
    assert!(f.toolchain.is_none());
    assert_eq!(f.require.len(), 1);
}

#[test]
fn go_versions_accepted_and_rejected() {
    for v in ["1.22", "1.22.0", "1.21rc1", "1.23.4", "1.0"] {
        assert!(parse(&format!("module m\ngo {v}\n")).is_ok(), "{v}");
    }
    for v in [
        "1", "v1.22", "1.22.0.1", "01.2", "1.02", "1.22-rc1", "0.1", "1.21rc",
    ] {
        assert!(parse(&format!("module m\ngo {v}\n")).is_err(), "{v}");
    }
}

#[test]
fn toolchain_names_accepted_and_rejected() {
    for v in ["go1.22.5", "default", "go1", "go1.21rc2"] {
        assert!(parse(&format!("module m\ntoolchain {v}\n")).is_ok(), "{v}");
    }
    for v in ["1.22.5", "local", "gccgo-go1.22"] {
        assert!(parse(&format!("module m\ntoolchain {v}\n")).is_err(), "{v}");
    }
}

#[test]
fn semver_canonical_forms() {
    let cases = [
        ("v1", Some("v1.0.0")),
        ("v1.2", Some("v1.2.0")),
        ("v1.2.3", Some("v1.2.3")),
        ("v1.2.3-pre.1", Some("v1.2.3-pre.1")),
        ("v1.2.3+meta", Some("v1.2.3")),
        ("v2.0.0+incompatible", Some("v2.0.0+incompatible")),
        ("1.2.3", None),
        ("v1.2-pre", None),
        ("v01.2.3", None),
        ("v1.2.3-01", None),
        ("v1.2.3-", None),
        ("master", None),
        ("latest", None),
    ];
    for (v, want) in cases {
        assert_eq!(canonical_version(v).as_deref(), want, "{v}");
    }
}

#[test]
fn directory_path_detection() {
    let cases = [
        (".", true),
        ("..", true),
        ("./x", true),
        ("../x", true),
        ("/x", true),
        ("C:\\x", true),
        (".x", false),
        ("..x", false),
        ("example.com/x", false),
        ("x", false),
    ];
    for (p, want) in cases {
        assert_eq!(is_directory_path(p), want, "{p}");
    }
}

/// Error cases: (source, line, message substring).
#[test]
fn errors_carry_line_numbers() {
    let cases: &[(&str, usize, &str)] = &[
        ("module m\nfrob x\n", 2, "unknown directive: frob"),
        ("module m\nmodule n\n", 2, "repeated module statement"),
        ("module\n", 1, "usage: module module/path"),
        ("module m\ngo 1.22\ngo 1.21\n", 3, "repeated go statement"),
        (
            "module m\ngo 1.22 1.23\n",
            2,
            "go directive expects exactly one argument",
        ),
        ("module m\ngo 1.22.x\n", 2, "invalid go version '1.22.x'"),
        (
            "module m\ntoolchain local\n",
            2,
            "invalid toolchain version 'local'",
        ),
        (
            "module m\n\nrequire example.com/x\n",
            3,
            "usage: require module/path v1.2.3",
        ),
        (
            "module m\nrequire example.com/x master\n",
            2,
            "version \"master\" invalid: must be of the form v1.2.3",
        ),
        (
            "module m\nrequire example.com/x v2.0.0\n",
            2,
            "should be v0 or v1, not v2",
        ),
        (
            "module m\nrequire example.com/x/v2 v3.0.0\n",
            2,
            "should be v2, not v3",
        ),
        (
            "module m\nrequire example.com/x/v2 v2.0.0+incompatible\n",
            2,
            "+incompatible suffix not allowed",
        ),
        (
            "module m\nrequire (\n\texample.com/x v1.0.0\n",
            2,
            "unterminated block started at go.mod:2",
        ),
        (
            "module m\nrequire (\n) x\n",
            3,
            "expected newline after closing paren",
        ),
        ("module m\ngo (\n\t1.22\n)\n", 3, "unknown block type: go"),
        (
            "module m\nrequire x (\n\ty v1.0.0\n)\n",
            3,
            "unknown block type: require x",
        ),
        (
            "module m\nreplace a =>\n",
            2,
            "usage: replace module/path [v1.2.3]",
        ),
        (
            "module m\nreplace a => b\n",
            2,
            "replacement module without version must be directory path",
        ),
        ("module m\nreplace a => b@v1.0.0\n", 2, "not 'path@version'"),
        (
            "module m\nreplace a => ./b v1.0.0\n",
            2,
            "cannot have version",
        ),
        (
            "module m\nreplace a => .\\b\n",
            2,
            "appears to be Windows path",
        ),
        (
            "module m\nrequire `x` v1.0.0\n",
            2,
            "unquoted string cannot contain quote",
        ),
        (
            "module m\nrequire 'x' v1.0.0\n",
            2,
            "unquoted string cannot contain quote",
        ),
        (
            "module m\nrequire a\"b v1.0.0\n",
            2,
            "unquoted string cannot contain quote",
        ),
        ("module \"m\n", 1, "unexpected newline in string"),
        (
            "module m\nrequire \"a\\q\" v1.0.0\n",
            2,
            "invalid quoted string",
        ),
        ("module m /* c */\n", 1, "must use // comments"),
        (
            "module m\nretract [v1.0.0 v1.1.0]\n",
            2,
            "expected ',' after version",
        ),
        (
            "module m\nretract [v1.0.0, v1.1.0\n",
            2,
            "expected ']' after version",
        ),
        (
            "module m\nretract v1.0.0 extra\n",
            2,
            "unexpected token after version",
        ),
        ("module m\nretract\n", 2, "expected '[' or version"),
        ("retract v1.0.0\n", 1, "no module directive found"),
        ("module m\ngodebug foo\n", 2, "usage: godebug key=value"),
        (
            "module m\ntool a b\n",
            2,
            "tool directive expects exactly one argument",
        ),
        (
            "module m\nexclude example.com/x\n",
            2,
            "usage: exclude module/path v1.2.3",
        ),
        (
            "module m\nrequire example.com/x v1.0.0\u{1}\n",
            2,
            "unexpected input character",
        ),
    ];
    for (src, line, msg) in cases {
        match parse(src) {
            Ok(f) => panic!("expected error for {src:?}, got {f:?}"),
            Err(e) => {
                assert_eq!(e.line, *line, "line for {src:?}: {e}");
                assert!(e.to_string().contains(msg), "message for {src:?}: {e}");
                assert!(
                    e.to_string().starts_with(&format!("go.mod:{line}: ")),
                    "{e}"
                );
            }
        }
    }
}

#[test]
fn never_panics_on_arbitrary_bytes() {
    let samples: &[&[u8]] = &[
        b"",
        b"(",
        b")",
        b"\"",
        b"`",
        b"module (\n",
        b"require (\n)\n)",
        b"replace => => =>",
        b"retract [",
        b"retract [v1.0.0,",
        b"\xff\xfe\x00module",
        b"module m\nrequire \"\\",
        b"module m\nrequire \"\\u12\" v1.0.0",
    ];
    for s in samples {
        let _ = ModFile::parse("go.mod", s);
        let _ = ModFile::parse_lax("go.mod", s);
        let _ = WorkFile::parse("go.work", s);
    }
}

#[test]
fn parses_go_work() {
    let w = WorkFile::parse(
        "go.work",
        b"go 1.22\n\ntoolchain go1.22.2\n\nuse (\n\t./api\n\t./lib // shared\n\t\"./with space\"\n)\nuse ./tools\n\nreplace example.com/x => ./forks/x\n",
    )
    .unwrap_or_default();
    assert_eq!(w.go.map(|g| g.value), Some("1.22".into()));
    assert_eq!(w.toolchain.map(|t| t.value), Some("go1.22.2".into()));
    let uses: Vec<(&str, usize)> = w.uses.iter().map(|u| (u.path.as_str(), u.line)).collect();
    assert_eq!(
        uses,
        vec![
            ("./api", 6),
            ("./lib", 7),
            ("./with space", 8),
            ("./tools", 10)
        ]
    );
    assert_eq!(w.replace[0].local_dir(), Some("./forks/x"));
}

#[test]
fn go_work_errors_carry_line_numbers() {
    let cases: &[(&str, usize, &str)] = &[
        ("go 1.22\nmodule m\n", 2, "unknown directive: module"),
        ("go 1.22\nuse\n", 2, "usage: use local/dir"),
        ("go 1.22\nuse a b\n", 2, "usage: use local/dir"),
        ("go 1.22\ngo 1.23\n", 2, "repeated go statement"),
        (
            "go 1.22\nrequire (\n\tx v1.0.0\n)\n",
            3,
            "unknown block type: require",
        ),
        ("go 1.22\nuse (\n./a\n", 2, "unterminated block"),
    ];
    for (src, line, msg) in cases {
        match WorkFile::parse("go.work", src.as_bytes()) {
            Ok(w) => panic!("expected error for {src:?}, got {w:?}"),
            Err(e) => {
                assert_eq!(e.line, *line, "{src:?}: {e}");
                assert!(e.to_string().contains(msg), "{src:?}: {e}");
                assert!(e.to_string().starts_with("go.work:"), "{e}");
            }
        }
    }
}

#[test]
fn go_versions_order_like_the_go_command() {
    use std::cmp::Ordering::*;
    let cases = [
        ("1.21", "1.21rc1", Less),
        ("1.21rc1", "1.21.0", Less),
        ("1.21beta1", "1.21rc1", Less),
        ("1.21.0", "1.21.1", Less),
        ("1.22", "1.21.9", Greater),
        ("go1.22.5", "1.22.5", Equal),
        ("1.9", "1.10", Less),
        ("2.0", "1.99", Greater),
    ];
    for (a, b, want) in cases {
        assert_eq!(compare_go_versions(a, b), want, "{a} vs {b}");
    }
}
