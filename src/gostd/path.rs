//! Go's `path` package (slash-separated paths, the same on every OS): `Clean`, `Join`, `Dir`,
//! `Base`. BuildKit cleans every path it puts into LLB with these, so digests depend on them.
//!
//! Not for: BuildKit's own path rules (`normalizePath` with its trailing-slash cases lives in
//! `convert::names`) or OS paths on disk.

/// Go `path.Clean`: the shortest equivalent path (`.` and `..` resolved lexically, repeated and
/// trailing slashes removed; `..` above the root of a rooted path dropped; "" gives `.`).
pub(crate) fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let body = out.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Go `path.Join`: the non-empty elements joined with `/` and cleaned; "" when all are empty.
pub(crate) fn join(parts: &[&str]) -> String {
    let nonempty: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    if nonempty.is_empty() {
        return String::new();
    }
    clean(&nonempty.join("/"))
}

/// Go `path.Dir`: everything before the last `/`, cleaned (`.` for a path without a slash).
pub(crate) fn dir(p: &str) -> String {
    let cut = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// Go `path.Base`: the last element, trailing slashes ignored (`.` for "", `/` for only
/// slashes).
pub(crate) fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's `cleantests` (path/path_test.go); cleaning a clean path changes nothing.
    #[test]
    fn clean_matches_go_cleantests() {
        let table = [
            ("", "."),
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            ("a/b/c", "a/b/c"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            ("abc/", "abc"),
            ("abc/def/", "abc/def"),
            ("a/b/c/", "a/b/c"),
            ("./", "."),
            ("../", ".."),
            ("../../", "../.."),
            ("/abc/", "/abc"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("//abc", "/abc"),
            ("///abc", "/abc"),
            ("//abc//", "/abc"),
            ("abc//", "abc"),
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/.", "abc"),
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/def/..", "abc"),
            ("abc/def/../..", "."),
            ("/abc/def/../..", "/"),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
            ("abc/./../def", "def"),
            ("abc//./../def", "def"),
            ("abc/../../././../def", "../../def"),
        ];
        for (input, want) in table {
            assert_eq!(clean(input), want, "Clean({input:?})");
            assert_eq!(clean(want), want, "Clean({want:?})");
        }
    }

    /// Go's `jointests`.
    #[test]
    fn join_matches_go_jointests() {
        let table: [(&[&str], &str); 11] = [
            (&[], ""),
            (&[""], ""),
            (&["a"], "a"),
            (&["a", "b"], "a/b"),
            (&["a", ""], "a"),
            (&["", "b"], "b"),
            (&["/", "a"], "/a"),
            (&["/", ""], "/"),
            (&["a/", "b"], "a/b"),
            (&["a/", ""], "a"),
            (&["", ""], ""),
        ];
        for (elems, want) in table {
            assert_eq!(join(elems), want, "Join({elems:?})");
        }
    }

    /// Go's `basetests`.
    #[test]
    fn base_matches_go_basetests() {
        let table = [
            ("", "."),
            (".", "."),
            ("/.", "."),
            ("/", "/"),
            ("////", "/"),
            ("x/", "x"),
            ("abc", "abc"),
            ("abc/def", "def"),
            ("a/b/.x", ".x"),
            ("a/b/c.", "c."),
            ("a/b/c.x", "c.x"),
        ];
        for (input, want) in table {
            assert_eq!(base(input), want, "Base({input:?})");
        }
    }

    /// Go's `dirtests`: a path without a slash is in `.`.
    #[test]
    fn dir_matches_go_dirtests() {
        let table = [
            ("", "."),
            (".", "."),
            ("/.", "/"),
            ("/", "/"),
            ("////", "/"),
            ("/foo", "/"),
            ("x/", "x"),
            ("abc", "."),
            ("abc/def", "abc"),
            ("abc////def", "abc"),
            ("a/b/.x", "a/b"),
            ("a/b/c.", "a/b"),
            ("a/b/c.x", "a/b"),
        ];
        for (input, want) in table {
            assert_eq!(dir(input), want, "Dir({input:?})");
        }
    }
}
