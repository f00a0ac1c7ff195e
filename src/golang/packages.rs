//! The import graph of the build context's own Go packages, from the file headers the context
//! read gives ([`crate::golang::imports`]): which packages outside the context's modules a build
//! of some targets imports, so a dependency step can compile them ahead of the sources.
//!
//! Best effort by design: a file read in part, a build tag or a generated file can make the set
//! larger or smaller than what `go build` compiles. The caller only uses it to fill a build
//! cache, which the go command checks entry by entry, so a wrong set costs time, never
//! correctness.

use std::collections::{BTreeMap, BTreeSet};

use crate::golang::imports::GoFile;

/// One module of the build context: where its go.mod is and its module path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalModule {
    /// Context directory of go.mod (`""` = the context root).
    pub context_dir: String,
    /// The module path.
    pub path: String,
}

/// What a go command builds, relative to the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The package in a context directory (`.`, `./cmd/api`, `main.go`'s directory).
    Dir(String),
    /// Every package under a context directory (`./...`).
    Tree(String),
    /// A package named by import path.
    ImportPath(String),
}

/// A package of the context: its import path and what its files import.
#[derive(Debug, Clone, Default)]
struct Package {
    import_path: String,
    imports: BTreeSet<String>,
}

/// The packages outside `modules` that the packages of `targets` import, directly or through
/// other packages of `modules` (standard library packages included, `C` excluded), sorted.
pub fn external_imports(
    files: &BTreeMap<String, GoFile>,
    modules: &[LocalModule],
    targets: &[Target],
) -> Vec<String> {
    let packages = packages_by_dir(files, modules);
    let by_path: BTreeMap<&str, &Package> = packages
        .values()
        .map(|p| (p.import_path.as_str(), p))
        .collect();
    let mut queue: Vec<&str> = Vec::new();
    for t in targets {
        match t {
            Target::Dir(d) => queue.extend(packages.get(d).map(|p| p.import_path.as_str())),
            Target::Tree(d) => queue.extend(
                packages
                    .iter()
                    .filter(|(dir, _)| within(dir, d))
                    .map(|(_, p)| p.import_path.as_str()),
            ),
            Target::ImportPath(p) => {
                queue.extend(by_path.get(p.as_str()).map(|p| p.import_path.as_str()))
            }
        }
    }
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut external = BTreeSet::new();
    while let Some(path) = queue.pop() {
        if !seen.insert(path) {
            continue;
        }
        let Some(pkg) = by_path.get(path) else {
            continue;
        };
        for imp in &pkg.imports {
            if imp == "C" || imp.starts_with('.') {
                continue;
            }
            if modules.iter().any(|m| within_module(imp, &m.path)) {
                if let Some(p) = by_path.get(imp.as_str()) {
                    queue.push(p.import_path.as_str());
                }
            } else {
                external.insert(imp.clone());
            }
        }
    }
    external.into_iter().collect()
}

/// The context's packages (files that a linux build compiles), by context directory.
fn packages_by_dir(
    files: &BTreeMap<String, GoFile>,
    modules: &[LocalModule],
) -> BTreeMap<String, Package> {
    let mut out: BTreeMap<String, Package> = BTreeMap::new();
    for (path, file) in files {
        let (dir, name) = match path.rsplit_once('/') {
            Some((d, n)) => (d, n),
            None => ("", path.as_str()),
        };
        if file.package.is_empty() || !file.builds_on_linux(name) {
            continue;
        }
        let Some(module) = modules
            .iter()
            .filter(|m| within(dir, &m.context_dir))
            .max_by_key(|m| m.context_dir.len())
        else {
            continue;
        };
        let rel = dir
            .strip_prefix(module.context_dir.as_str())
            .unwrap_or(dir)
            .trim_start_matches('/');
        let pkg = out.entry(dir.to_string()).or_default();
        pkg.import_path = if rel.is_empty() {
            module.path.clone()
        } else {
            format!("{}/{rel}", module.path)
        };
        pkg.imports.extend(file.imports.iter().cloned());
    }
    out
}

/// `dir` is `base` or below it (context-relative, `""` = the root).
fn within(dir: &str, base: &str) -> bool {
    base.is_empty() || dir == base || dir.strip_prefix(base).is_some_and(|r| r.starts_with('/'))
}

/// `path` is the module `module` or a package in it.
fn within_module(path: &str, module: &str) -> bool {
    path == module
        || path
            .strip_prefix(module)
            .is_some_and(|r| r.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::golang::imports::parse_header;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, GoFile> {
        list.iter()
            .map(|(p, src)| (p.to_string(), parse_header(src.as_bytes())))
            .collect()
    }

    fn module(dir: &str, path: &str) -> LocalModule {
        LocalModule {
            context_dir: dir.into(),
            path: path.into(),
        }
    }

    #[test]
    fn external_imports_follow_the_targets_through_local_packages() {
        let f = files(&[
            ("cmd/api/main.go", "package main\nimport (\n\"fmt\"\n\"example.com/app/internal/store\"\n\"github.com/go-chi/chi/v5\"\n)\n"),
            ("cmd/tool/main.go", "package main\nimport \"github.com/spf13/cobra\"\n"),
            ("internal/store/db.go", "package store\nimport (\n\"database/sql\"\n\"example.com/lib/x\"\n)\n"),
            ("internal/store/db_windows.go", "package store\nimport \"golang.org/x/sys/windows\"\n"),
            ("internal/store/db_test.go", "package store\nimport \"github.com/stretchr/testify/assert\"\n"),
            ("lib/x/x.go", "package x\nimport \"github.com/google/uuid\"\n"),
            ("tools.go", "//go:build tools\n\npackage tools\nimport _ \"golang.org/x/tools/cmd/stringer\"\n"),
        ]);
        let modules = [
            module("", "example.com/app"),
            module("lib", "example.com/lib"),
        ];
        let got = external_imports(&f, &modules, &[Target::Dir("cmd/api".into())]);
        assert_eq!(
            got,
            [
                "database/sql",
                "fmt",
                "github.com/go-chi/chi/v5",
                "github.com/google/uuid"
            ]
        );
        let all = external_imports(&f, &modules, &[Target::Tree(String::new())]);
        assert!(all.contains(&"github.com/spf13/cobra".to_string()));
        assert!(!all
            .iter()
            .any(|p| p.contains("windows") || p.contains("testify") || p.contains("stringer")));
        let by_path = external_imports(
            &f,
            &modules,
            &[Target::ImportPath("example.com/app/cmd/tool".into())],
        );
        assert_eq!(by_path, ["github.com/spf13/cobra"]);
        assert!(external_imports(&f, &modules, &[Target::Dir("nope".into())]).is_empty());
    }
}
