//! `.dockerignore` files: turning their text into the exclude patterns BuildKit's
//! `dockerfile.v0` puts on the main context (`local.excludepatterns`), with the rules of
//! moby/patternmatcher's `ignorefile.ReadAll`.
//!
//! Not for: matching paths against the patterns (the daemon does that during the transfer).

/// Parses `.dockerignore` bytes into patterns: `#` comment lines and blank lines are skipped,
/// whitespace is trimmed, `!` marks an exception, paths are cleaned like Go's `filepath.Clean`
/// and a leading `/` is dropped.
pub fn parse(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    text.split('\n')
        .filter_map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.starts_with('#') {
                return None;
            }
            let pattern = line.trim();
            if pattern.is_empty() {
                return None;
            }
            let (invert, pattern) = match pattern.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, pattern),
            };
            let mut pattern = if pattern.is_empty() {
                String::new()
            } else {
                clean(pattern)
            };
            if pattern.len() > 1 && pattern.starts_with('/') {
                pattern.remove(0);
            }
            Some(if invert {
                format!("!{pattern}")
            } else {
                pattern
            })
        })
        .collect()
}

/// Go's `path.Clean`: the shortest equivalent path (`.`/`..` elements resolved lexically,
/// repeated and trailing slashes removed; `""` becomes `.`).
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
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
            assert_eq!(clean(input), want, "input {input:?}");
        }
    }
}
