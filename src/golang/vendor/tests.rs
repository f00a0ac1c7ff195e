use super::*;

fn go_mod(src: &str) -> ModFile {
    match ModFile::parse("go.mod", src.as_bytes()) {
        Ok(f) => f,
        Err(e) => panic!("bad test go.mod: {e}"),
    }
}

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/a v1.2.0\n\tgithub.com/b/b v0.3.0 // indirect\n)\n\nreplace github.com/b/b => ./forks/b\n";

const MODULES_TXT: &str = "# github.com/a/a v1.2.0\n## explicit; go 1.20\ngithub.com/a/a\ngithub.com/a/a/sub\n# github.com/b/b v0.3.0 => ./forks/b\n## explicit; go 1.21\ngithub.com/b/b\n# github.com/c/c v1.0.0\n## go 1.18\ngithub.com/c/c\n# github.com/b/b => ./forks/b\n";

#[test]
fn parses_module_lines_metadata_and_packages() {
    let txt = ModulesTxt::parse(MODULES_TXT.as_bytes());
    assert_eq!(txt.modules.len(), 4);
    let a = &txt.modules[0];
    assert_eq!(a.module.path, "github.com/a/a");
    assert_eq!(a.module.version.as_deref(), Some("v1.2.0"));
    assert!(a.explicit);
    assert_eq!(a.go_version.as_deref(), Some("1.20"));
    assert_eq!(a.packages, vec!["github.com/a/a", "github.com/a/a/sub"]);
    let b = &txt.modules[1];
    assert_eq!(
        b.replacement,
        Some(ModVersion {
            path: "./forks/b".into(),
            version: None
        })
    );
    assert!(!txt.modules[2].explicit);
    let wildcard = &txt.modules[3];
    assert_eq!(wildcard.module.version, None);
    assert_eq!(wildcard.line, 11);
}

#[test]
fn consistent_vendor_passes() {
    let txt = ModulesTxt::parse(MODULES_TXT.as_bytes());
    assert_eq!(check_consistency(&go_mod(GO_MOD), &txt), Ok(()));
}

#[test]
fn unknown_lines_are_ignored() {
    let txt = ModulesTxt::parse(b"garbage\n# onlypath\n## explicit\npkg\n# m notaversion\n\n# m v1.0.0 => weird v x\n## explicit\nm\n");
    assert_eq!(txt.modules.len(), 1);
    assert_eq!(txt.modules[0].replacement, None);
    assert!(txt.modules[0].explicit);
}

/// (go.mod, modules.txt, expected problem detail substrings in order).
#[test]
fn inconsistencies_are_reported_like_the_go_command() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "module m\ngo 1.22\nrequire x.com/a v1.0.0\n",
            "",
            &["x.com/a@v1.0.0: is explicitly required in go.mod, but not marked as explicit"],
        ),
        (
            "module m\ngo 1.22\nrequire x.com/a v1.1.0\n",
            "# x.com/a v1.0.0\n## explicit\nx.com/a\n",
            &[
                "x.com/a@v1.1.0: is explicitly required in go.mod, but not marked as explicit",
                "x.com/a@v1.0.0: is marked as explicit in vendor/modules.txt, but not explicitly required",
            ],
        ),
        (
            "module m\ngo 1.22\nrequire x.com/a v1.0.0\nreplace x.com/a => ./a\n",
            "# x.com/a v1.0.0\n## explicit\nx.com/a\n",
            &["x.com/a: is replaced in go.mod, but not marked as replaced"],
        ),
        (
            "module m\ngo 1.22\nrequire x.com/a v1.0.0\nreplace x.com/a => ./a\n",
            "# x.com/a v1.0.0 => ./b\n## explicit\nx.com/a\n# x.com/a => ./b\n",
            &[
                "x.com/a: is replaced by ./a in go.mod, but marked as replaced by ./b",
                "x.com/a: is marked as replaced by ./b in vendor/modules.txt, but replaced by ./a in go.mod",
                "x.com/a@v1.0.0: is marked as replaced by ./b in vendor/modules.txt, but replaced by ./a in go.mod",
            ],
        ),
        (
            "module m\ngo 1.22\nrequire x.com/a v1.0.0\n",
            "# x.com/a v1.0.0 => y.com/a v1.0.1\n## explicit\nx.com/a\n",
            &["x.com/a@v1.0.0: is marked as replaced in vendor/modules.txt, but not replaced in go.mod"],
        ),
    ];
    for (gm, txt, want) in cases {
        let err = match check_consistency(&go_mod(gm), &ModulesTxt::parse(txt.as_bytes())) {
            Ok(()) => panic!("expected inconsistency for {gm:?} / {txt:?}"),
            Err(e) => e,
        };
        let got: Vec<String> = err
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.module, p.detail))
            .collect();
        assert_eq!(got.len(), want.len(), "{got:?}");
        for (g, w) in got.iter().zip(want.iter()) {
            assert!(g.starts_with(w), "got {g:?}, want prefix {w:?}");
        }
        assert!(err.to_string().starts_with("inconsistent vendoring:"));
    }
}

#[test]
fn problems_point_at_go_mod_lines() {
    let err = check_consistency(
        &go_mod("module m\ngo 1.22\n\nrequire x.com/a v1.0.0\n"),
        &ModulesTxt::default(),
    );
    let lines: Vec<Option<usize>> = err
        .map(|_| Vec::new())
        .unwrap_or_else(|e| e.problems.iter().map(|p| p.go_mod_line).collect());
    assert_eq!(lines, vec![Some(4)]);
}

#[test]
fn pre_go_1_14_check_is_relaxed() {
    // No `## explicit` markers before 1.14: only a version contradiction is an error.
    let gm = go_mod("module m\ngo 1.13\nrequire x.com/a v1.0.0\nreplace x.com/b => ./b\n");
    assert_eq!(
        check_consistency(&gm, &ModulesTxt::parse(b"# x.com/a v1.0.0\nx.com/a\n")),
        Ok(())
    );
    let err = check_consistency(&gm, &ModulesTxt::parse(b"# x.com/a v0.9.0\nx.com/a\n"));
    assert!(err.is_err_and(|e| e.problems[0].detail.contains("indicates x.com/a@v0.9.0")));
}

#[test]
fn vendor_mode_defaults_from_go_line() {
    assert!(vendor_is_default(&go_mod("module m\ngo 1.14\n")));
    assert!(vendor_is_default(&go_mod("module m\ngo 1.22.3\n")));
    assert!(!vendor_is_default(&go_mod("module m\ngo 1.13\n")));
    assert!(!vendor_is_default(&go_mod("module m\n")));
}

#[test]
fn highest_version_providing_packages_is_selected() {
    let txt = ModulesTxt::parse(
        b"# x.com/a v1.0.0\nx.com/a\n# x.com/a v1.2.0\n## explicit\nx.com/a/sub\n",
    );
    assert_eq!(
        check_consistency(&go_mod("module m\ngo 1.22\nrequire x.com/a v1.2.0\n"), &txt),
        Ok(())
    );
}
