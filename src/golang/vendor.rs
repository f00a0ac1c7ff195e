//! vendor/modules.txt: parsing and the consistency check `go build -mod=vendor` performs against
//! the main module's go.mod.
//!
//! A rewrite uses this to decide whether a context's vendor/ directory can be built from without
//! any download (then no deps step runs and vendoring is respected) or whether the go command
//! would stop with "inconsistent vendoring" (then gofront leaves the build as it is and says why).
//! Parsing is lenient exactly like the go command's: lines it does not understand are ignored.
//!
//! Not for: checking that the vendored package files exist, workspace vendoring (`go work
//! vendor`), or reading files.

use std::collections::BTreeMap;

use super::modfile::{is_valid_semver, ModFile, ModVersion, Replace};

/// One `# module version [=> replacement]` entry of modules.txt, with what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendoredModule {
    /// Module path and version (`None` for a wildcard replacement line `# path => dir`).
    pub module: ModVersion,
    /// The replacement recorded on the module line.
    pub replacement: Option<ModVersion>,
    /// `## explicit` seen for this module (the main module's go.mod requires it directly).
    pub explicit: bool,
    /// `## ...; go 1.22` seen for this module.
    pub go_version: Option<String>,
    /// Package lines listed under the module.
    pub packages: Vec<String>,
    /// 1-based line of the module line.
    pub line: usize,
}

/// A parsed vendor/modules.txt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModulesTxt {
    /// Module entries in file order.
    pub modules: Vec<VendoredModule>,
}

/// Merged metadata of one module version (the go command takes the union over repeated lines).
#[derive(Debug, Clone, Default)]
struct Meta {
    explicit: bool,
    replacement: Option<ModVersion>,
    line: usize,
}

impl ModulesTxt {
    /// Parses modules.txt. Never fails: like the go command, unknown lines are skipped.
    pub fn parse(data: &[u8]) -> ModulesTxt {
        let text = String::from_utf8_lossy(data);
        let mut modules: Vec<VendoredModule> = Vec::new();
        let mut current = false;
        for (idx, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if let Some(rest) = line.strip_prefix("# ") {
                current = match parse_module_line(rest, idx + 1) {
                    Some(m) => {
                        modules.push(m);
                        true
                    }
                    None => false,
                };
                continue;
            }
            let Some(m) = modules.last_mut().filter(|_| current) else {
                continue;
            };
            if let Some(meta) = line.strip_prefix("## ") {
                for entry in meta.split(';').map(str::trim) {
                    if entry == "explicit" {
                        m.explicit = true;
                    } else if let Some(v) = entry.strip_prefix("go ") {
                        m.go_version = Some(v.trim().to_string());
                    }
                }
                continue;
            }
            if let [pkg] = line.split_whitespace().collect::<Vec<_>>().as_slice() {
                if is_import_path(pkg) {
                    m.packages.push(pkg.to_string());
                }
            }
        }
        ModulesTxt { modules }
    }

    fn meta(&self) -> BTreeMap<ModVersion, Meta> {
        let mut out: BTreeMap<ModVersion, Meta> = BTreeMap::new();
        for m in &self.modules {
            let e = out.entry(m.module.clone()).or_insert_with(|| Meta {
                line: m.line,
                ..Meta::default()
            });
            e.explicit |= m.explicit;
            if m.replacement.is_some() {
                e.replacement.clone_from(&m.replacement);
            }
        }
        out
    }

    /// Modules that provide packages to the build (the selected version of each path).
    fn build_list(&self) -> Vec<&VendoredModule> {
        let mut out: Vec<&VendoredModule> = Vec::new();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for m in self.modules.iter().filter(|m| !m.packages.is_empty()) {
            match seen.get(m.module.path.as_str()) {
                Some(&i) if !newer(m, out.get(i).copied()) => {}
                _ => {
                    seen.insert(&m.module.path, out.len());
                    out.push(m);
                }
            }
        }
        out
    }
}

fn newer(m: &VendoredModule, than: Option<&VendoredModule>) -> bool {
    let (Some(a), Some(b)) = (
        m.module.version.as_deref(),
        than.and_then(|t| t.module.version.as_deref()),
    ) else {
        return false;
    };
    compare_semver(a, b) == std::cmp::Ordering::Greater
}

/// Orders two valid versions by major.minor.patch, then prerelease (prerelease < release).
fn compare_semver(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |v: &str| {
        let v = v.trim_start_matches('v');
        let v = v.split('+').next().unwrap_or("");
        let (core, pre) = v.split_once('-').unwrap_or((v, ""));
        let nums: Vec<u64> = core.split('.').map(|n| n.parse().unwrap_or(0)).collect();
        (nums, pre.is_empty(), pre.to_string())
    };
    key(a).cmp(&key(b))
}

fn parse_module_line(rest: &str, line: usize) -> Option<VendoredModule> {
    let f: Vec<&str> = rest.split_whitespace().collect();
    let (module, tail) = match f.as_slice() {
        [path, v, tail @ ..] if is_valid_semver(v) => (
            ModVersion {
                path: path.to_string(),
                version: Some(v.to_string()),
            },
            tail,
        ),
        [path, tail @ ..] if tail.first() == Some(&"=>") => (
            ModVersion {
                path: path.to_string(),
                version: None,
            },
            tail,
        ),
        _ => return None,
    };
    let replacement = match tail {
        ["=>", dir] => Some(ModVersion {
            path: dir.to_string(),
            version: None,
        }),
        ["=>", p, v] if is_valid_semver(v) => Some(ModVersion {
            path: p.to_string(),
            version: Some(v.to_string()),
        }),
        _ => None,
    };
    Some(VendoredModule {
        module,
        replacement,
        explicit: false,
        go_version: None,
        packages: Vec::new(),
        line,
    })
}

fn is_import_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('#')
        && !p.starts_with('/')
        && !p.ends_with('/')
        && !p.contains("//")
        && p.split('/').all(|e| !e.is_empty() && e != "." && e != "..")
}

/// One disagreement between go.mod and vendor/modules.txt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorProblem {
    /// `path@version` (or `path` for wildcard replacements).
    pub module: String,
    /// The go command's explanation.
    pub detail: String,
    /// The go.mod line involved, if any.
    pub go_mod_line: Option<usize>,
    /// The modules.txt line involved, if any.
    pub modules_txt_line: Option<usize>,
}

/// The check failed: `go build -mod=vendor` would stop with "inconsistent vendoring".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("inconsistent vendoring:{}\n\nrun 'go mod vendor' to sync, or use -mod=mod or -mod=readonly to ignore the vendor directory", render(.problems))]
pub struct InconsistentVendoring {
    /// Every problem found, in the go command's order.
    pub problems: Vec<VendorProblem>,
}

fn render(problems: &[VendorProblem]) -> String {
    problems
        .iter()
        .map(|p| {
            let at = match (p.go_mod_line, p.modules_txt_line) {
                (Some(l), _) => format!(" (go.mod:{l})"),
                (None, Some(l)) => format!(" (vendor/modules.txt:{l})"),
                (None, None) => String::new(),
            };
            format!("\n\t{}: {}{at}", p.module, p.detail)
        })
        .collect()
}

fn describe(m: &ModVersion) -> String {
    match &m.version {
        Some(v) => format!("{}@{v}", m.path),
        None => m.path.clone(),
    }
}

/// True when the go command defaults to `-mod=vendor` for this go.mod when a vendor directory
/// exists (the `go` line is 1.14 or newer).
pub fn vendor_is_default(go_mod: &ModFile) -> bool {
    go_mod
        .go
        .as_ref()
        .is_some_and(|g| !go_version_before(&g.value, 1, 14))
}

fn go_version_before(v: &str, major: u64, minor: u64) -> bool {
    let mut it = v
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u64>().unwrap_or(0));
    let (ma, mi) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    (ma, mi) < (major, minor)
}

/// The replacement go.mod applies to `m`: an exact `path version` replace wins over a
/// wildcard `path` replace.
fn replacement_for<'a>(go_mod: &'a ModFile, m: &ModVersion) -> Option<&'a Replace> {
    go_mod
        .replace
        .iter()
        .find(|r| r.old.path == m.path && r.old.version.is_some() && r.old.version == m.version)
        .or_else(|| {
            go_mod
                .replace
                .iter()
                .find(|r| r.old.path == m.path && r.old.version.is_none())
        })
}

/// Checks vendor/modules.txt against go.mod the way the go command does before building with
/// `-mod=vendor` (relaxed for go.mod files older than go 1.14, as the go command does).
pub fn check_consistency(go_mod: &ModFile, txt: &ModulesTxt) -> Result<(), InconsistentVendoring> {
    let pre114 = !vendor_is_default(go_mod);
    let meta = txt.meta();
    let build_list = txt.build_list();
    let vendor_version = |path: &str| {
        build_list
            .iter()
            .find(|m| m.module.path == path)
            .and_then(|m| m.module.version.clone())
    };
    let mut problems = Vec::new();
    let mut problem = |m: &ModVersion, detail: String, go_line, txt_line| {
        problems.push(VendorProblem {
            module: describe(m),
            detail,
            go_mod_line: go_line,
            modules_txt_line: txt_line,
        });
    };

    for r in &go_mod.require {
        let key = ModVersion {
            path: r.path.clone(),
            version: Some(r.version.clone()),
        };
        if meta.get(&key).is_some_and(|m| m.explicit) {
            continue;
        }
        if !pre114 {
            problem(
                &key,
                "is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt"
                    .into(),
                Some(r.line),
                None,
            );
        } else if let Some(vv) = vendor_version(&r.path).filter(|vv| *vv != r.version) {
            problem(
                &key,
                format!(
                    "is explicitly required in go.mod, but vendor/modules.txt indicates {}@{vv}",
                    r.path
                ),
                Some(r.line),
                None,
            );
        }
    }

    for r in &go_mod.replace {
        let recorded = meta.get(&r.old).and_then(|m| m.replacement.clone());
        match recorded {
            None => {
                let skip = pre114
                    && (r.old.version.is_none() || vendor_version(&r.old.path) != r.old.version);
                if !skip {
                    problem(
                        &r.old,
                        "is replaced in go.mod, but not marked as replaced in vendor/modules.txt"
                            .into(),
                        Some(r.line),
                        None,
                    );
                }
            }
            Some(vr) if vr != r.new_version() => problem(
                &r.old,
                format!(
                    "is replaced by {} in go.mod, but marked as replaced by {} in vendor/modules.txt",
                    describe(&r.new_version()),
                    describe(&vr)
                ),
                Some(r.line),
                meta.get(&r.old).map(|m| m.line),
            ),
            Some(_) => {}
        }
    }

    for m in &build_list {
        let explicit = meta.get(&m.module).is_some_and(|x| x.explicit);
        let required = go_mod
            .require
            .iter()
            .any(|r| r.path == m.module.path && Some(&r.version) == m.module.version.as_ref());
        if explicit && !required {
            problem(
                &m.module,
                "is marked as explicit in vendor/modules.txt, but not explicitly required in go.mod"
                    .into(),
                None,
                Some(m.line),
            );
        }
    }

    for (m, x) in meta.iter().filter(|(_, x)| x.replacement.is_some()) {
        let recorded = x.replacement.clone().unwrap_or(ModVersion {
            path: String::new(),
            version: None,
        });
        match replacement_for(go_mod, m) {
            None => problem(
                m,
                "is marked as replaced in vendor/modules.txt, but not replaced in go.mod".into(),
                None,
                Some(x.line),
            ),
            Some(r) if r.new_version() != recorded => problem(
                m,
                format!(
                    "is marked as replaced by {} in vendor/modules.txt, but replaced by {} in go.mod",
                    describe(&recorded),
                    describe(&r.new_version())
                ),
                Some(r.line),
                Some(x.line),
            ),
            Some(_) => {}
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(InconsistentVendoring { problems })
    }
}

#[cfg(test)]
mod tests;
