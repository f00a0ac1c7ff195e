//! `.dockerignore` files: turning their text into the exclude patterns BuildKit's
//! `dockerfile.v0` puts on the main context (`local.excludepatterns`), with the rules of
//! moby/patternmatcher's `ignorefile.ReadAll`.
//!
//! Not for: matching paths against the patterns (the daemon does that during the transfer).

/// Parses `.dockerignore` bytes into patterns with [`crate::convert::dockerignore_patterns`]
/// (`#` comment lines and blank lines skipped, whitespace trimmed, `!` exceptions, paths cleaned
/// like Go's `filepath.Clean`, a leading `/` dropped).
pub fn parse(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    crate::convert::dockerignore_patterns(&lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_ignorefile_rules() {
        let input = "\u{feff}# comment\n\
                     node_modules\n\
                     \n\
                     \x20 *.log  \r\n\
                     /abs/path/\n\
                     ! keep.log\n\
                     a/../b/./c//d\n\
                     \x20# not a comment once indented\n\
                     /\n\
                     !\n\
                     ../up\n";
        assert_eq!(
            parse(input.as_bytes()),
            [
                "node_modules",
                "*.log",
                "abs/path",
                "!keep.log",
                "b/c/d",
                "# not a comment once indented",
                "/",
                "!",
                "../up"
            ]
        );
    }

    #[test]
    fn empty_file_has_no_patterns() {
        assert!(parse(b"").is_empty());
        assert!(parse(b"\n\n# only comments\n").is_empty());
    }

    #[test]
    fn clean_matches_go_path_clean() {
        let table = [
            ("", "."),
            (".", "."),
            ("a/b/", "a/b"),
            ("/../a", "/a"),
            ("../../a", "../../a"),
            ("a/../../b", "../b"),
            ("//x//y/", "/x/y"),
            ("/", "/"),
        ];
        for (input, want) in table {
            assert_eq!(crate::gostd::path::clean(input), want, "input {input:?}");
        }
    }
}
