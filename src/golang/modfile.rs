//! go.mod and go.work parsing with the Go command's rules (`golang.org/x/mod/modfile` semantics,
//! written from the Go module reference, not translated).
//!
//! This is what the Go rewrites use to learn, from the bytes of a manifest found in the build
//! context, the module path, the `go`/`toolchain` lines, requirements (with `// indirect`), local
//! `replace` targets and workspace `use` members. Errors carry the 1-based line like the go
//! command's (`go.mod:7: usage: require module/path v1.2.3`), so a diagnosis can show them.
//!
//! Not for: editing or formatting manifests, resolving versions (queries such as `master` are
//! errors here, as for `go build` without `-mod=mod`), reading files, or module graph pruning.

use thiserror::Error;

/// A go.mod / go.work syntax or semantic error at a line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}:{line}: {message}")]
pub struct ModError {
    /// File name used in the message (`go.mod`, `go.work`, or a context-relative path).
    pub file: String,
    /// 1-based line of the offending statement.
    pub line: usize,
    /// What is wrong, in the go command's words.
    pub message: String,
}

/// A module path with an optional version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModVersion {
    /// Module path (or a directory path for a replacement directory).
    pub path: String,
    /// Canonical semantic version; `None` when absent (`replace m => ...` for all versions).
    pub version: Option<String>,
}

/// The `module` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleDecl {
    /// Module path.
    pub path: String,
    /// Text of a `// Deprecated:` comment on the directive, when present.
    pub deprecated: Option<String>,
    /// Line of the directive.
    pub line: usize,
}

/// A `go` or `toolchain` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionLine {
    /// The value (`1.22.3` for go, `go1.22.3` for toolchain).
    pub value: String,
    /// Line of the directive.
    pub line: usize,
}

/// A `godebug key=value` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Godebug {
    /// Setting name.
    pub key: String,
    /// Setting value.
    pub value: String,
    /// Line of the directive.
    pub line: usize,
}

/// A `require` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    /// Module path.
    pub path: String,
    /// Canonical version.
    pub version: String,
    /// Marked `// indirect`.
    pub indirect: bool,
    /// Line of the requirement.
    pub line: usize,
}

/// An `exclude` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclude {
    /// Module path.
    pub path: String,
    /// Canonical version.
    pub version: String,
    /// Line of the directive.
    pub line: usize,
}

/// What a `replace` directive points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplaceTarget {
    /// A local directory (relative to the file's directory, or absolute), as written.
    Dir(String),
    /// Another module at a version.
    Module {
        /// Module path.
        path: String,
        /// Canonical version.
        version: String,
    },
}

/// A `replace` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    /// The replaced module (version `None`: every version).
    pub old: ModVersion,
    /// The replacement.
    pub new: ReplaceTarget,
    /// Line of the directive.
    pub line: usize,
}

impl Replace {
    /// The local directory this replacement points to, if it is a directory replacement.
    pub fn local_dir(&self) -> Option<&str> {
        match &self.new {
            ReplaceTarget::Dir(d) => Some(d),
            ReplaceTarget::Module { .. } => None,
        }
    }

    /// The replacement as a path/version pair (version `None` for directories).
    pub fn new_version(&self) -> ModVersion {
        match &self.new {
            ReplaceTarget::Dir(d) => ModVersion {
                path: d.clone(),
                version: None,
            },
            ReplaceTarget::Module { path, version } => ModVersion {
                path: path.clone(),
                version: Some(version.clone()),
            },
        }
    }
}

/// A `retract` directive (a single version has `low == high`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retract {
    /// Lowest retracted version.
    pub low: String,
    /// Highest retracted version.
    pub high: String,
    /// Comment text on the directive (the rationale).
    pub rationale: String,
    /// Line of the directive.
    pub line: usize,
}

/// A `tool` (Go 1.24) or `ignore` (Go 1.25) directive: one path argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathLine {
    /// The path argument.
    pub path: String,
    /// Line of the directive.
    pub line: usize,
}

/// A parsed go.mod.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModFile {
    /// `module` directive.
    pub module: Option<ModuleDecl>,
    /// `go` directive.
    pub go: Option<VersionLine>,
    /// `toolchain` directive.
    pub toolchain: Option<VersionLine>,
    /// `godebug` directives.
    pub godebug: Vec<Godebug>,
    /// `require` directives.
    pub require: Vec<Require>,
    /// `exclude` directives.
    pub exclude: Vec<Exclude>,
    /// `replace` directives.
    pub replace: Vec<Replace>,
    /// `retract` directives.
    pub retract: Vec<Retract>,
    /// `tool` directives.
    pub tool: Vec<PathLine>,
    /// `ignore` directives.
    pub ignore: Vec<PathLine>,
}

impl ModFile {
    /// Parses a main-module go.mod strictly, as `go build` does (unknown directives are errors).
    /// `file` names the file in error messages.
    pub fn parse(file: &str, data: &[u8]) -> Result<ModFile, ModError> {
        parse_mod(file, data, true)
    }

    /// Parses a dependency's go.mod leniently, as the go command does: only `module`, `go`,
    /// `require`, `retract` and `ignore` are read, everything else is ignored. Only the tests
    /// use it today (the rewrites read main modules), to pin the go command's lax mode.
    #[cfg(test)]
    pub fn parse_lax(file: &str, data: &[u8]) -> Result<ModFile, ModError> {
        parse_mod(file, data, false)
    }

    /// The module path, if declared.
    pub fn module_path(&self) -> Option<&str> {
        self.module.as_ref().map(|m| m.path.as_str())
    }

    /// Replacements that point to local directories, in file order.
    pub fn local_replaces(&self) -> impl Iterator<Item = &Replace> {
        self.replace.iter().filter(|r| r.local_dir().is_some())
    }
}

/// A `use` directive of go.work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The directory, as written (relative to go.work's directory, or absolute).
    pub path: String,
    /// Line of the directive.
    pub line: usize,
}

/// A parsed go.work.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkFile {
    /// `go` directive.
    pub go: Option<VersionLine>,
    /// `toolchain` directive.
    pub toolchain: Option<VersionLine>,
    /// `godebug` directives.
    pub godebug: Vec<Godebug>,
    /// `use` directives.
    pub uses: Vec<Use>,
    /// `replace` directives.
    pub replace: Vec<Replace>,
}

impl WorkFile {
    /// Parses a go.work file. `file` names the file in error messages.
    pub fn parse(file: &str, data: &[u8]) -> Result<WorkFile, ModError> {
        let stmts = parse_statements(file, data)?;
        let mut w = WorkFile::default();
        let cx = Cx { file };
        for st in &stmts {
            cx.work_directive(&mut w, st)?;
        }
        Ok(w)
    }
}

/// True when `p` is a directory path in a replace/use directive (rooted, or starting with
/// `./`, `../`, or exactly `.`/`..`; Windows forms included, as the go command checks them all).
pub fn is_directory_path(p: &str) -> bool {
    let b = p.as_bytes();
    p == "."
        || p == ".."
        || p.starts_with("./")
        || p.starts_with("../")
        || p.starts_with('/')
        || p.starts_with(".\\")
        || p.starts_with("..\\")
        || p.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

// ---------------------------------------------------------------------------------------------
// Directives.

const MOD_BLOCK_VERBS: [&str; 8] = [
    "module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore",
];
const WORK_BLOCK_VERBS: [&str; 3] = ["use", "replace", "godebug"];

struct Cx<'a> {
    file: &'a str,
}

impl Cx<'_> {
    fn err(&self, line: usize, message: impl Into<String>) -> ModError {
        ModError {
            file: self.file.to_string(),
            line,
            message: message.into(),
        }
    }

    fn string(&self, st: &Stmt, tok: &str) -> Result<String, ModError> {
        parse_string(tok).map_err(|e| self.err(st.line, format!("invalid quoted string: {e}")))
    }

    fn version(&self, st: &Stmt, path: &str, tok: &str) -> Result<String, ModError> {
        let prefix = if path.is_empty() {
            format!("{}: ", st.verb)
        } else {
            format!("{} {path}: ", st.verb)
        };
        let raw = parse_string(tok)
            .map_err(|e| self.err(st.line, format!("{prefix}version {tok:?} invalid: {e}")))?;
        canonical_version(&raw).ok_or_else(|| {
            self.err(
                st.line,
                format!("{prefix}version {raw:?} invalid: must be of the form v1.2.3"),
            )
        })
    }

    fn check_major(&self, st: &Stmt, path: &str, version: &str) -> Result<(), ModError> {
        check_path_major(path, version)
            .map_err(|e| self.err(st.line, format!("{} {path}: {e}", st.verb)))
    }

    /// `Ok(true)` when the statement may be applied; `Ok(false)` to ignore it (lax mode);
    /// an error for a block the go command does not accept (`go (`, `require x (`).
    fn block_ok(&self, st: &Stmt, verbs: &[&str], strict: bool) -> Result<bool, ModError> {
        let Some(head) = &st.block else {
            return Ok(true);
        };
        if head.len() == 1 && verbs.contains(&st.verb.as_str()) {
            return Ok(true);
        }
        if strict {
            return Err(self.err(st.line, format!("unknown block type: {}", head.join(" "))));
        }
        Ok(false)
    }

    fn go_line(&self, st: &Stmt, strict: bool) -> Result<VersionLine, ModError> {
        let [v] = st.args.as_slice() else {
            return Err(self.err(st.line, "go directive expects exactly one argument"));
        };
        if is_go_version(v) {
            return Ok(VersionLine {
                value: v.clone(),
                line: st.line,
            });
        }
        if !strict {
            if let Some(fixed) = lax_go_version(v) {
                return Ok(VersionLine {
                    value: fixed,
                    line: st.line,
                });
            }
        }
        Err(self.err(
            st.line,
            format!("invalid go version '{v}': must match format 1.23.0"),
        ))
    }

    fn toolchain_line(&self, st: &Stmt, strict: bool) -> Result<VersionLine, ModError> {
        let [v] = st.args.as_slice() else {
            return Err(self.err(st.line, "toolchain directive expects exactly one argument"));
        };
        if strict && !is_toolchain_name(v) {
            return Err(self.err(
                st.line,
                format!("invalid toolchain version '{v}': must match format go1.23.0 or default"),
            ));
        }
        Ok(VersionLine {
            value: v.clone(),
            line: st.line,
        })
    }

    fn godebug(&self, st: &Stmt) -> Result<Godebug, ModError> {
        let usage = || self.err(st.line, "usage: godebug key=value");
        let [arg] = st.args.as_slice() else {
            return Err(usage());
        };
        if arg.contains(['"', '`', '\'', ',']) {
            return Err(usage());
        }
        let (key, value) = arg.split_once('=').ok_or_else(usage)?;
        Ok(Godebug {
            key: key.to_string(),
            value: value.to_string(),
            line: st.line,
        })
    }

    fn replace(&self, st: &Stmt) -> Result<Replace, ModError> {
        let args = &st.args;
        let arrow = if args.get(1).map(String::as_str) == Some("=>") {
            1
        } else {
            2
        };
        if args.len() < arrow + 2
            || args.len() > arrow + 3
            || args.get(arrow).map(String::as_str) != Some("=>")
        {
            return Err(self.err(
                st.line,
                format!(
                    "usage: {v} module/path [v1.2.3] => other/module v1.4\n\t or {v} module/path [v1.2.3] => ../local/directory",
                    v = st.verb
                ),
            ));
        }
        let old_path = self.string(st, &args[0])?;
        let old_version = if arrow == 2 {
            let v = self.version(st, &old_path, &args[1])?;
            self.check_major(st, &old_path, &v)?;
            Some(v)
        } else {
            None
        };
        let new_path = self.string(st, &args[arrow + 1])?;
        let new = match args.get(arrow + 2) {
            None => {
                if !is_directory_path(&new_path) {
                    let msg = if new_path.contains('@') {
                        "replacement module must match format 'path version', not 'path@version'"
                    } else {
                        "replacement module without version must be directory path (rooted or starting with . or ..)"
                    };
                    return Err(self.err(st.line, msg));
                }
                if new_path.contains('\\') {
                    return Err(self.err(
                        st.line,
                        "replacement directory appears to be Windows path (on a non-windows system)",
                    ));
                }
                ReplaceTarget::Dir(new_path)
            }
            Some(tok) => {
                let v = self.version(st, &new_path, tok)?;
                if is_directory_path(&new_path) {
                    return Err(self.err(
                        st.line,
                        format!(
                            "replacement module directory path {new_path:?} cannot have version"
                        ),
                    ));
                }
                ReplaceTarget::Module {
                    path: new_path,
                    version: v,
                }
            }
        };
        Ok(Replace {
            old: ModVersion {
                path: old_path,
                version: old_version,
            },
            new,
            line: st.line,
        })
    }

    fn retract(&self, st: &Stmt, strict: bool) -> Result<Option<Retract>, ModError> {
        let mut toks: &[String] = &st.args;
        let (low, high) = match self.version_interval(st, &mut toks) {
            Ok(v) => v,
            Err(e) if strict => return Err(e),
            Err(_) => return Ok(None),
        };
        if let (Some(t), true) = (toks.first(), strict) {
            return Err(self.err(st.line, format!("unexpected token after version: {t:?}")));
        }
        let mut lines: Vec<&str> = st.before.iter().map(String::as_str).collect();
        lines.extend(st.suffix.as_deref());
        Ok(Some(Retract {
            low,
            high,
            rationale: lines.join("\n"),
            line: st.line,
        }))
    }

    fn version_interval(
        &self,
        st: &Stmt,
        toks: &mut &[String],
    ) -> Result<(String, String), ModError> {
        let e = |m: &str| self.err(st.line, format!("{}: {m}", st.verb));
        let first = toks.first().ok_or_else(|| e("expected '[' or version"))?;
        if first != "[" {
            let v = self.version(st, "", first)?;
            *toks = &toks[1..];
            return Ok((v.clone(), v));
        }
        let low_tok = toks.get(1).ok_or_else(|| e("expected version after '['"))?;
        let low = self.version(st, "", low_tok)?;
        if toks.get(2).map(String::as_str) != Some(",") {
            return Err(e("expected ',' after version"));
        }
        let high_tok = toks.get(3).ok_or_else(|| e("expected version after ','"))?;
        let high = self.version(st, "", high_tok)?;
        if toks.get(4).map(String::as_str) != Some("]") {
            return Err(e("expected ']' after version"));
        }
        *toks = &toks[5..];
        Ok((low, high))
    }

    fn one_path(&self, st: &Stmt, usage: &str) -> Result<PathLine, ModError> {
        let [arg] = st.args.as_slice() else {
            return Err(self.err(st.line, usage));
        };
        Ok(PathLine {
            path: self.string(st, arg)?,
            line: st.line,
        })
    }

    fn mod_directive(&self, f: &mut ModFile, st: &Stmt, strict: bool) -> Result<(), ModError> {
        if !self.block_ok(st, &MOD_BLOCK_VERBS, strict)? {
            return Ok(());
        }
        if !strict
            && !matches!(
                st.verb.as_str(),
                "go" | "module" | "retract" | "require" | "ignore"
            )
        {
            return Ok(());
        }
        match st.verb.as_str() {
            "go" => {
                if f.go.is_some() {
                    return Err(self.err(st.line, "repeated go statement"));
                }
                f.go = Some(self.go_line(st, strict)?);
            }
            "toolchain" => {
                if f.toolchain.is_some() {
                    return Err(self.err(st.line, "repeated toolchain statement"));
                }
                f.toolchain = Some(self.toolchain_line(st, strict)?);
            }
            "module" => {
                if f.module.is_some() {
                    return Err(self.err(st.line, "repeated module statement"));
                }
                let [arg] = st.args.as_slice() else {
                    return Err(self.err(st.line, "usage: module module/path"));
                };
                f.module = Some(ModuleDecl {
                    path: self.string(st, arg)?,
                    deprecated: deprecation(st),
                    line: st.line,
                });
            }
            "godebug" => f.godebug.push(self.godebug(st)?),
            "require" | "exclude" => {
                let [p, v] = st.args.as_slice() else {
                    return Err(self.err(st.line, format!("usage: {} module/path v1.2.3", st.verb)));
                };
                let path = self.string(st, p)?;
                let version = self.version(st, &path, v)?;
                self.check_major(st, &path, &version)?;
                if st.verb == "require" {
                    f.require.push(Require {
                        path,
                        version,
                        indirect: is_indirect(st.suffix.as_deref()),
                        line: st.line,
                    });
                } else {
                    f.exclude.push(Exclude {
                        path,
                        version,
                        line: st.line,
                    });
                }
            }
            "replace" => f.replace.push(self.replace(st)?),
            "retract" => f.retract.extend(self.retract(st, strict)?),
            "tool" => f
                .tool
                .push(self.one_path(st, "tool directive expects exactly one argument")?),
            "ignore" => f
                .ignore
                .push(self.one_path(st, "ignore directive expects exactly one argument")?),
            other => return Err(self.err(st.line, format!("unknown directive: {other}"))),
        }
        Ok(())
    }

    fn work_directive(&self, w: &mut WorkFile, st: &Stmt) -> Result<(), ModError> {
        self.block_ok(st, &WORK_BLOCK_VERBS, true)?;
        match st.verb.as_str() {
            "go" => {
                if w.go.is_some() {
                    return Err(self.err(st.line, "repeated go statement"));
                }
                w.go = Some(self.go_line(st, true)?);
            }
            "toolchain" => {
                if w.toolchain.is_some() {
                    return Err(self.err(st.line, "repeated toolchain statement"));
                }
                w.toolchain = Some(self.toolchain_line(st, true)?);
            }
            "godebug" => w.godebug.push(self.godebug(st)?),
            "use" => {
                let [arg] = st.args.as_slice() else {
                    return Err(self.err(st.line, "usage: use local/dir"));
                };
                w.uses.push(Use {
                    path: self.string(st, arg)?,
                    line: st.line,
                });
            }
            "replace" => w.replace.push(self.replace(st)?),
            other => return Err(self.err(st.line, format!("unknown directive: {other}"))),
        }
        Ok(())
    }
}

fn parse_mod(file: &str, data: &[u8], strict: bool) -> Result<ModFile, ModError> {
    let stmts = parse_statements(file, data)?;
    let mut f = ModFile::default();
    let cx = Cx { file };
    for st in &stmts {
        cx.mod_directive(&mut f, st, strict)?;
    }
    if !strict {
        return Ok(f);
    }
    if let (Some(r), None) = (f.retract.first(), &f.module) {
        return Err(cx.err(
            r.line,
            "no module directive found, so retract cannot be used",
        ));
    }
    Ok(f)
}

fn is_indirect(suffix: Option<&str>) -> bool {
    let Some(s) = suffix else { return false };
    let fields: Vec<&str> = s.split_whitespace().collect();
    matches!(fields.as_slice(), ["indirect"])
        || fields.first() == Some(&"indirect;") && fields.len() > 1
}

fn deprecation(st: &Stmt) -> Option<String> {
    let mut lines: Vec<&str> = st.before.iter().map(String::as_str).collect();
    lines.extend(st.suffix.as_deref());
    let text = lines.join("\n");
    for para in text.split("\n\n") {
        if let Some(rest) = para.strip_prefix("Deprecated:") {
            return Some(rest.trim_start_matches(' ').to_string());
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Strings and versions.

/// Unquotes a go.mod token: `"..."` is a Go string literal; bare words must not contain quotes
/// (backquoted and single-quoted words are reserved, as in the go command).
fn parse_string(tok: &str) -> Result<String, String> {
    if tok.starts_with('"') {
        return unquote_go(tok).ok_or_else(|| "invalid syntax".to_string());
    }
    if tok.contains(['"', '\'', '`']) {
        return Err("unquoted string cannot contain quote".into());
    }
    Ok(tok.to_string())
}

fn unquote_go(tok: &str) -> Option<String> {
    let inner = tok.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let simple = match e {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            '\\' => Some('\\'),
            '"' => Some('"'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        let (radix, n) = match e {
            'x' => (16, 2),
            'u' => (16, 4),
            'U' => (16, 8),
            '0'..='7' => (8, 2),
            _ => return None,
        };
        let mut digits = String::new();
        if radix == 8 {
            digits.push(e);
        }
        for _ in 0..n {
            digits.push(chars.next()?);
        }
        let v = u32::from_str_radix(&digits, radix).ok()?;
        if e == 'x' || radix == 8 {
            if v > 255 {
                return None;
            }
            // Byte escapes: only ASCII keeps the string valid UTF-8 for our purposes.
            out.push(char::from_u32(v).filter(char::is_ascii)?);
        } else {
            out.push(char::from_u32(v)?);
        }
    }
    Some(out)
}

mod syntax;
#[cfg(test)]
mod tests;
mod versions;

use syntax::*;
use versions::*;
pub use versions::{
    canonical_version, compare_go_versions, is_release_series, is_valid_semver, release_series,
};
