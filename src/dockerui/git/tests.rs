use super::*;

fn git(src: &str) -> GitRef {
    parse_git_ref(src).unwrap().unwrap()
}

#[test]
fn git_refs_are_recognised_like_dfgitutil() {
    let g = git("https://github.com/moby/buildkit.git#v0.13.2:docs");
    assert_eq!(g.host, "github.com");
    assert_eq!(g.path, "/moby/buildkit.git");
    assert_eq!(
        (g.reference.as_str(), g.subdir.as_str()),
        ("v0.13.2", "docs")
    );
    assert_eq!(g.remote, "https://github.com/moby/buildkit.git");
    assert!(parse_git_ref("git@github.com:moby/buildkit.git")
        .unwrap()
        .is_some());
    for local in [
        "https://example.com/file.tar",
        "foo.txt",
        "./x.git",
        "github.com/a/b.git",
        "example.com/a/b.git",
        "ftp://x/y.git",
    ] {
        assert_eq!(parse_git_ref(local).unwrap(), None, "{local}");
    }
}

#[test]
fn query_form_sets_ref_subdir_checksum_and_flags() {
    let g = git("https://h/r.git?tag=v1&subdir=a/b&checksum=abc&keep-git-dir&submodules=false");
    assert_eq!(g.reference, "refs/tags/v1");
    assert_eq!(g.subdir, "a/b");
    assert_eq!(g.checksum, "abc");
    assert_eq!(g.keep_git_dir, Some(true));
    assert_eq!(g.submodules, Some(false));
    assert_eq!(g.remote, "https://h/r.git");
    assert_eq!(git("git@h:r.git?branch=main").reference, "refs/heads/main");
    assert_eq!(git("https://h/r.git?commit=c0ffee").checksum, "c0ffee");
    let op = git_source_op(
        &git("https://h/r.git?ref=main&submodules=false"),
        &GitOptions {
            checksum: "c0ffee".into(),
            ..GitOptions::default()
        },
        &Platform::default(),
    );
    let Some(pb::op::Op::Source(src)) = op.op else {
        panic!("not a source")
    };
    assert_eq!(src.identifier, "git://h/r.git#main");
    assert_eq!(src.attrs["git.checksum"], "c0ffee");
    assert_eq!(src.attrs["git.skipsubmodules"], "true");
}

#[test]
fn query_errors_use_dfgitutil_wording() {
    let table = [
        ("https://h/r.git?foo=1", "unexpected query \"foo\""),
        ("https://h/r.git?ref=", "query \"ref\" has no value"),
        (
            "https://h/r.git?ref=a&ref=b",
            "query \"ref\" has multiple values",
        ),
        ("https://h/r.git?ref=b#a", "ref conflicts: \"a\" vs \"b\""),
        (
            "https://h/r.git?tag=a&branch=b",
            "branch conflicts with tag",
        ),
        (
            "https://h/r.git?keep-git-dir=x",
            "invalid keep-git-dir value: \"x\"",
        ),
        (
            "https://h/r.git?mtime=now",
            "invalid mtime value: \"now\" (must be \"checkout\" or \"commit\")",
        ),
    ];
    for (src, want) in table {
        assert_eq!(parse_git_ref(src).unwrap_err(), want, "{src}");
    }
}
