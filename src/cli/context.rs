//! The file system side of the command line, the only place gofront reads files on disk: the
//! Dockerfile (or stdin), its own `<Dockerfile>.dockerignore`, and the answers to the pipeline's
//! build-context requests from a context directory (`--context`, default the Dockerfile's
//! directory): its `.dockerignore`, and a walk that collects the selected files (the Go module
//! files) `.dockerignore` does not exclude, the same files the gateway transfers from a client.
//!
//! Not for: deciding what to read (the pipeline asks) or `.dockerignore` rules
//! ([`crate::dockerui::dockerignore`]).

use std::path::{Path, PathBuf};

use crate::dockerui::files::{Take, SOURCE_HEAD_BYTES};
use crate::dockerui::sources::DOCKERIGNORE_NAME;
use crate::dockerui::{ContextFiles, Dockerignore, Matcher, ReadBudget};
use crate::frontend::{ContextAnswer, ContextRequest, FilesRequest};

/// At most this many directory entries are visited.
const MAX_ENTRIES: usize = 200_000;

/// Why the context files could not be read (the rewrites that need them are skipped).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    /// A directory or file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        message: String,
    },
    /// Too much to read.
    #[error("{0}")]
    TooLarge(String),
}

/// `-` = stdin.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The Dockerfile's bytes (`-` = stdin).
pub fn read_dockerfile(path: &Path) -> Result<Vec<u8>, String> {
    if is_stdin(path) {
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut data)
            .map_err(|e| format!("cannot read the Dockerfile from stdin: {e}"))?;
        return Ok(data);
    }
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// `<Dockerfile>.dockerignore`, when the Dockerfile is a file and has one.
pub fn own_dockerignore(dockerfile: &Path) -> Option<Dockerignore> {
    if is_stdin(dockerfile) {
        return None;
    }
    let own = PathBuf::from(format!("{}.dockerignore", dockerfile.display()));
    std::fs::read(own)
        .ok()
        .map(|data| Dockerignore::parse(&data))
}

/// The build context directory: `context`, else the Dockerfile's directory (`.` for stdin).
pub fn context_dir(dockerfile: &Path, context: Option<&Path>) -> PathBuf {
    match context {
        Some(dir) => dir.to_path_buf(),
        None if is_stdin(dockerfile) => PathBuf::from("."),
        None => match dockerfile.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    }
}

/// Answers a pipeline request from the context directory `dir` (the CLI has no named
/// contexts and no frontend inputs: those answers are empty).
pub fn answer(dir: &Path, request: &ContextRequest) -> ContextAnswer {
    match request {
        ContextRequest::Dockerignore { .. } => ContextAnswer::Dockerignore(
            std::fs::read(dir.join(DOCKERIGNORE_NAME)).unwrap_or_default(),
        ),
        ContextRequest::NamedDockerignore { key, .. } => ContextAnswer::NamedDockerignore {
            key: key.clone(),
            data: Vec::new(),
        },
        ContextRequest::Inputs => ContextAnswer::Inputs(Default::default()),
        ContextRequest::Files(files) => ContextAnswer::Files(read_files(dir, files)),
    }
}

/// The selected files of `dir`, or why not.
fn read_files(dir: &Path, request: &FilesRequest) -> Result<ContextFiles, String> {
    let ignore = request
        .dockerignore
        .matcher()
        .map_err(|e| format!(".dockerignore: {e}"))?;
    walk(dir, &ignore, request.select).map_err(|e| e.to_string())
}

/// Walks `dir` (not following symlinks) and collects the files `select` wants that
/// `.dockerignore` does not exclude.
fn walk(
    dir: &Path,
    ignore: &Matcher,
    select: fn(&str) -> Take,
) -> Result<ContextFiles, ContextError> {
    let mut walk = Walk {
        ignore,
        select,
        budget: ReadBudget::new(MAX_ENTRIES),
        files: ContextFiles::new(),
    };
    walk.dir(dir, "")?;
    Ok(walk.files)
}

struct Walk<'a> {
    ignore: &'a Matcher,
    select: fn(&str) -> Take,
    budget: ReadBudget,
    files: ContextFiles,
}

impl Walk<'_> {
    fn dir(&mut self, root: &Path, rel: &str) -> Result<(), ContextError> {
        let full = root.join(rel);
        let io = |path: &Path, e: std::io::Error| ContextError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut names: Vec<String> = std::fs::read_dir(&full)
            .map_err(|e| io(&full, e))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            self.budget.take_entry().map_err(ContextError::TooLarge)?;
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let abs = root.join(&path);
            let meta = std::fs::symlink_metadata(&abs).map_err(|e| io(&abs, e))?;
            let excluded = self.ignore.is_excluded(&path);
            if meta.is_dir() {
                if !excluded || self.ignore.has_exclusions() {
                    self.dir(root, &path)?;
                }
            } else if meta.is_file() && !excluded {
                let data = match (self.select)(&path) {
                    Take::Skip => continue,
                    Take::Whole => {
                        self.budget
                            .take_bytes(meta.len())
                            .map_err(ContextError::TooLarge)?;
                        std::fs::read(&abs).map_err(|e| io(&abs, e))?
                    }
                    Take::Head if self.budget.take_head() => {
                        read_head(&abs).map_err(|e| io(&abs, e))?
                    }
                    Take::Head => continue,
                };
                self.files.insert(path, data);
            }
        }
        Ok(())
    }
}

/// The first [`SOURCE_HEAD_BYTES`] of a file.
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut data = Vec::new();
    std::fs::File::open(path)?
        .take(SOURCE_HEAD_BYTES)
        .read_to_end(&mut data)?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerui::files::MAX_BYTES;
    use crate::frontend::context_take;

    fn ignore(lines: &[&str]) -> Matcher {
        Dockerignore::parse(lines.join("\n").as_bytes())
            .matcher()
            .unwrap()
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn context_read_collects_module_files_minus_ignored_ones() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "go.mod", "module m\n");
        write(d, "go.sum", "");
        write(d, "main.go", "package main\n");
        write(d, "vendor/modules.txt", "# x\n");
        write(d, "tools/go.mod", "module tools\n");
        write(d, "tools/go.work.sum", "");
        write(d, "ignored/go.mod", "module ignored\n");
        write(d, "keep/go.mod", "module keep\n");
        write(d, "keep/go.sum", "");
        write(d, "docs/vendor/modules.txt", "");
        let ig = ignore(&["ignored", "keep", "!keep/go.mod"]);
        let files = walk(d, &ig, context_take).unwrap();
        let paths: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "docs/vendor/modules.txt",
                "go.mod",
                "go.sum",
                "keep/go.mod",
                "main.go",
                "tools/go.mod",
                "tools/go.work.sum",
                "vendor/modules.txt"
            ]
        );
        assert_eq!(files["go.mod"], b"module m\n");
    }

    #[test]
    fn excluded_directories_are_not_walked_without_exceptions() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "go.mod", "module m\n");
        write(d, "node_modules/x/go.mod", "module x\n");
        let files = walk(d, &ignore(&["node_modules"]), context_take).unwrap();
        assert_eq!(files.len(), 1);
    }

    /// The `.dockerignore` a walk applies is the one the pipeline parsed once: an indented
    /// `#name` line excludes the file `#name`, as BuildKit excludes it from the transfer.
    #[test]
    fn an_indented_hash_line_excludes_that_file_from_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "#name", "");
        write(dir.path(), "keep", "");
        let ignore = Dockerignore::parse(b"  #name\n").matcher().unwrap();
        let files = walk(dir.path(), &ignore, |_| Take::Whole).unwrap();
        assert_eq!(files.keys().collect::<Vec<_>>(), ["keep"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "go.mod", "module outside\n");
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("go.mod"), dir.path().join("go.mod"))
            .unwrap();
        let files = walk(dir.path(), &Matcher::default(), context_take).unwrap();
        assert!(files.is_empty(), "{:?}", files.keys());
    }

    #[test]
    fn too_many_bytes_is_a_reason_not_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let big = "x".repeat(usize::try_from(MAX_BYTES).unwrap() + 1);
        write(dir.path(), "go.sum", &big);
        let err = walk(dir.path(), &Matcher::default(), context_take).unwrap_err();
        assert!(matches!(err, ContextError::TooLarge(_)), "{err}");
    }
}
