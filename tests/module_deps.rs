//! The module dependency direction, checked on the source: every `crate::<module>` path (and
//! `super::<module>` from a module's root file) in `src/` must follow an edge of [`ALLOWED`], and
//! the table itself has no cycle. Data flows gateway/cli → frontend → (dockerui, dockerfile, checks,
//! golang, convert) → llb, with gostd, options and platform as shared leaves. It also keeps every
//! source file under 800 lines of code.
//!
//! Not for: dependencies inside a module (its files may use each other freely) or external
//! crates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Which top-level modules each top-level module may use. gateway and cli also read what
/// dockerui describes (the Dockerfile's sources, `.dockerignore`) and speak llb's wire types.
const ALLOWED: &[(&str, &[&str])] = &[
    (
        "gateway",
        &["frontend", "dockerui", "llb", "options", "platform"],
    ),
    (
        "cli",
        &["frontend", "dockerui", "llb", "options", "platform"],
    ),
    (
        "frontend",
        &[
            "checks",
            "dockerui",
            "dockerfile",
            "golang",
            "convert",
            "llb",
            "gostd",
            "options",
            "platform",
        ],
    ),
    (
        "convert",
        &[
            "checks",
            "dockerui",
            "dockerfile",
            "llb",
            "gostd",
            "options",
            "platform",
        ],
    ),
    ("checks", &["dockerfile", "dockerui", "gostd"]),
    ("golang", &["dockerfile", "gostd"]),
    ("dockerui", &["llb", "gostd", "options", "platform"]),
    ("dockerfile", &["gostd", "options"]),
    ("llb", &["gostd", "platform"]),
    ("options", &["gostd", "platform"]),
    ("platform", &[]),
    ("gostd", &[]),
];

/// The top-level module a file under `src/` belongs to (`None` for lib.rs and main.rs).
fn module_of(relative: &str) -> Option<&str> {
    let first = relative.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then_some(name)
}

/// Whether the file is a module's root (`src/x.rs` or `src/x/mod.rs`), where `super::` is the
/// crate root.
fn is_module_root(relative: &str) -> bool {
    let parts: Vec<&str> = relative.split('/').collect();
    matches!(parts.as_slice(), [_] | [_, "mod.rs"])
}

/// The top-level modules a file's code names, with the line of the first mention. Comment
/// lines are skipped (doc links are not dependencies).
fn mentions(text: &str, module_root: bool, modules: &BTreeSet<&str>) -> BTreeMap<String, usize> {
    let mut found = BTreeMap::new();
    let mut note = |name: &str, line: usize| {
        if modules.contains(name) {
            found.entry(name.to_string()).or_insert(line);
        }
    };
    let mut group: Option<usize> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        if line.starts_with("//") {
            continue;
        }
        if let Some(start) = group {
            for name in line.split([',', '{', '}', ' ']) {
                note(name.split("::").next().unwrap_or(""), start);
            }
            if line.contains('}') {
                group = None;
            }
            continue;
        }
        let mut prefixes = vec!["crate::"];
        if module_root {
            prefixes.push("super::");
        }
        for prefix in prefixes {
            for (i, _) in line.match_indices(prefix) {
                let before = line[..i].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let rest = &line[i + prefix.len()..];
                if let Some(inner) = rest.strip_prefix('{') {
                    for name in inner.split([',', '}', ' ']) {
                        note(name.split("::").next().unwrap_or(""), n + 1);
                    }
                    if !inner.contains('}') {
                        group = Some(n + 1);
                    }
                    continue;
                }
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                note(&name, n + 1);
            }
        }
    }
    found
}

/// Every mention that is not an allowed edge, as `file:line: from -> to`.
fn violations(files: &[(String, String)], allowed: &[(&str, &[&str])]) -> Vec<String> {
    let modules: BTreeSet<&str> = allowed.iter().map(|(m, _)| *m).collect();
    let table: BTreeMap<&str, BTreeSet<&str>> = allowed
        .iter()
        .map(|(m, to)| (*m, to.iter().copied().collect()))
        .collect();
    let mut out = Vec::new();
    for (relative, text) in files {
        let Some(from) = module_of(relative) else {
            continue;
        };
        let Some(ok) = table.get(from) else {
            out.push(format!("{relative}: module {from} is not in the table"));
            continue;
        };
        for (to, line) in mentions(text, is_module_root(relative), &modules) {
            if to != from && !ok.contains(to.as_str()) {
                out.push(format!(
                    "src/{relative}:{line}: {from} -> {to} is not allowed"
                ));
            }
        }
    }
    out
}

/// A cycle in the table, if any (as the modules along it).
fn cycle(allowed: &[(&str, &[&str])]) -> Option<Vec<String>> {
    let table: BTreeMap<&str, &[&str]> = allowed.iter().copied().collect();
    fn visit<'a>(
        m: &'a str,
        table: &BTreeMap<&'a str, &'a [&'a str]>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| *p == m) {
            let mut c: Vec<String> = path[i..].iter().map(|s| s.to_string()).collect();
            c.push(m.to_string());
            return Some(c);
        }
        if !done.insert(m) {
            return None;
        }
        path.push(m);
        for next in table.get(m).copied().unwrap_or(&[]) {
            if let Some(c) = visit(next, table, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    table
        .keys()
        .find_map(|m| visit(m, &table, &mut Vec::new(), &mut done))
}

fn source_files(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            source_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path
                .strip_prefix(root)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            out.push((relative, text));
        }
    }
}

#[test]
fn modules_only_use_the_modules_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &src, &mut files);
    assert!(files.len() > 20, "found only {} source files", files.len());
    let problems = violations(&files, ALLOWED);
    assert!(
        problems.is_empty(),
        "module dependencies against the direction (see tests/module_deps.rs):\n{}",
        problems.join("\n")
    );
}

/// Most lines of code (not blank, not a comment) a source file may have before its tests
/// (issue 9: a file a newcomer can hold in their head; tests sit in a sibling `tests.rs`).
const MAX_CODE_LINES: usize = 800;

/// The lines of code of a source file before its `#[cfg(test)]` part.
fn code_lines(text: &str) -> usize {
    text.lines()
        .take_while(|l| l.trim() != "#[cfg(test)]")
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count()
}

#[test]
fn no_source_file_is_over_800_lines_of_code() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &src, &mut files);
    let big: Vec<String> = files
        .iter()
        .filter(|(path, _)| !path.ends_with("tests.rs"))
        .map(|(path, text)| (path, code_lines(text)))
        .filter(|(_, n)| *n > MAX_CODE_LINES)
        .map(|(path, n)| format!("{path}: {n} lines of code"))
        .collect();
    assert!(
        big.is_empty(),
        "split these by concern (tests may move to a sibling tests.rs):\n{}",
        big.join("\n")
    );
}

#[test]
fn code_lines_skip_comments_blank_lines_and_tests() {
    let text = "//! doc\n\nfn a() {}\n    // note\nfn b() {}\n#[cfg(test)]\nmod tests {}\n";
    assert_eq!(code_lines(text), 2);
}

#[test]
fn the_allowed_edges_have_no_cycle() {
    assert_eq!(cycle(ALLOWED), None);
}

#[test]
fn a_forbidden_edge_is_reported() {
    let files = vec![
        (
            "llb/graph.rs".to_string(),
            "use crate::dockerfile::ast::Span;\n// see crate::gateway\nuse super::pb;\n"
                .to_string(),
        ),
        (
            "gateway/mod.rs".to_string(),
            "use crate::{\n    frontend::Plan,\n    convert::Converted,\n};\nfn f() { super::golang::x(); }\n"
                .to_string(),
        ),
        ("dockerui/mod.rs".to_string(), "let x = crate::llb::Caps::default();\n".to_string()),
    ];
    assert_eq!(
        violations(&files, ALLOWED),
        [
            "src/llb/graph.rs:1: llb -> dockerfile is not allowed",
            "src/gateway/mod.rs:1: gateway -> convert is not allowed",
            "src/gateway/mod.rs:5: gateway -> golang is not allowed",
        ]
    );
}

#[test]
fn a_cycle_in_the_table_is_reported() {
    let table: &[(&str, &[&str])] = &[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &[])];
    assert_eq!(
        cycle(table),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
