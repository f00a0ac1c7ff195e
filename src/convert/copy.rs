//! COPY and ADD as `dispatchCopy` of the newest Dockerfile frontend (1.26) does them: sources
//! from the main context, another stage, an image or a named context (`--from`), URLs
//! (`https://` sources with `http.filename`, `--checksum`, `--unpack`), git URLs (`git://`
//! sources; `#ref:subdir` and the query form, `--keep-git-dir` and `--checksum` merged with the
//! query), heredoc files (mkfile on scratch), `--chown` (by id or by name), `--chmod` (octal or
//! symbolic, see `chmod`), `--link` (MergeOp in one progress group), `--parents` (include
//! pattern, `required_paths` when the daemon has the cap), `--exclude`, destination rules
//! (trailing slash, `.` as `./`, relative to WORKDIR), and the history entry.
//!
//! Not for: the FileOp action chaining rules (`crate::llb::ops`) or git URL syntax
//! (`crate::dockerui::git`).

use std::collections::{BTreeMap, BTreeSet};

use crate::dockerfile::ast::{Command, CopyLike};
use crate::dockerfile::shell::Lexer;
use crate::llb::{pb, Digest, OpMeta, Output};

use super::chmod::{parse_chmod, Chmod};
use super::names::{normalize_path, normalize_system_path};
use super::stages::{Converter, DF_CMD_KEY};
use super::ConvertError;
use crate::dockerui::git::{git_source_op, parse_git_ref, GitOptions, GitRef};
use crate::gostd::path::{base, clean, join};
use crate::llb::ops::{file_op, merge_op, parse_chown, source_op, Action};

fn is_http_url(src: &str) -> bool {
    src.starts_with("http://") || src.starts_with("https://")
}

/// `isHTTPSource`: an http(s) URL that is not a git repository URL.
fn is_http(src: &str) -> bool {
    is_http_url(src) && !matches!(parse_git_ref(src), Ok(Some(_)))
}

/// `containsWildcards`: `*`, `?` or `[` not escaped by `\`.
fn contains_wildcards(name: &str) -> bool {
    let b = name.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'*' | b'?' | b'[' => return true,
            b'\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    false
}

impl Converter<'_> {
    pub(super) fn dispatch_copy(
        &mut self,
        i: usize,
        cmd: &Command,
        c: &CopyLike,
        sources: &[usize],
        is_add: bool,
    ) -> Result<(), ConvertError> {
        let chown = self.expand_checked(i, c.chown.as_deref().unwrap_or(""))?;
        self.check_expansion(i, c.chmod.as_deref().unwrap_or(""));
        let checksum = if is_add {
            self.expand_checked(i, c.checksum.as_deref().unwrap_or(""))?
        } else {
            String::new()
        };
        let mut srcs = Vec::with_capacity(c.sources.len());
        for s in &c.sources {
            srcs.push(self.expand_checked(i, s)?);
        }
        let dest_raw = self.expand_checked(i, &c.dest)?;
        let env = self.env_of(i);
        let raw_lexer = Lexer::new('\\').with_skip_process_quotes(true);
        let mut contents = Vec::with_capacity(c.heredocs.len());
        for h in &c.heredocs {
            let data = if h.expand {
                let (data, _, unmatched) = raw_lexer
                    .process_word_with_matches(&h.content, &env)
                    .map_err(|e| ConvertError::at(e.to_string(), None))?;
                self.report_unmatched(i, &env, unmatched);
                data
            } else {
                h.content.clone()
            };
            contents.push((h.name.clone(), data));
        }

        let source_fs = match (is_add, sources.first()) {
            (false, Some(&s)) => {
                if !self.stages[s].ready {
                    return Err(ConvertError::at(
                        format!(
                            "cannot copy from stage \"{}\", it needs to be defined before current stage \"{}\"",
                            c.from.clone().unwrap_or_default(),
                            self.stages[i].steps.stage_name
                        ),
                        None,
                    ));
                }
                self.stages[s].fs.clone()
            }
            _ => self.context.clone(),
        };

        let st = &self.stages[i];
        let mut dest = normalize_system_path(&st.dir, &dest_raw);
        if dest_raw == "." || dest_raw.is_empty() || dest_raw.ends_with('/') {
            dest.push('/');
        }
        let owner = (!chown.is_empty()).then(|| parse_chown(&chown));
        // `--chmod` is expanded like `--chown` since 1.10.
        let chmod = self.expand(i, c.chmod.as_deref().unwrap_or(""))?;
        let (mode, mode_str) = match (chmod.is_empty(), parse_chmod(&chmod)) {
            (true, _) => (None, String::new()),
            (false, Ok(Chmod::Octal(m))) => (Some(m), String::new()),
            (false, Ok(Chmod::Symbolic(m))) => {
                // `modeStr` needs BuildKit v0.17 (no daemon registers `file.copy.modestring`;
                // `exec.validexitcode` came in the same release). An older daemon would ignore
                // the field and create the files with mode 0000: refuse instead.
                if !self.graph.caps().has("exec.validexitcode") {
                    return Err(ConvertError::at(
                        "requested experimental feature file.copy.modestring  is not supported \
                         by build server, please update docker",
                        None,
                    ));
                }
                (None, m)
            }
            (false, Err(e)) => return Err(ConvertError::at(e, None)),
        };

        if !checksum.is_empty() {
            if !is_add {
                return Err(ConvertError::at(
                    "checksum can't be specified for COPY",
                    None,
                ));
            }
            if srcs.len() != 1 {
                return Err(ConvertError::at(
                    "checksum can't be specified for multiple sources",
                    None,
                ));
            }
            let git = matches!(parse_git_ref(&srcs[0]), Ok(Some(_)));
            if !is_http(&srcs[0]) && !git {
                return Err(ConvertError::at(
                    "checksum requires HTTP(S) or Git sources",
                    None,
                ));
            }
        }

        let mut msg = String::from(if is_add { "ADD" } else { "COPY" });
        if c.parents {
            msg.push_str(" --parents");
        }
        if !chown.is_empty() {
            msg.push_str(&format!(" --chown={chown}"));
        }
        if !chmod.is_empty() {
            msg.push_str(&format!(" --chmod={chmod}"));
        }

        let text = self.display(i, cmd.code(), false);
        let pg_name = self.step_name(i, &text, &env);
        let dest_parent = self.stages[i].dir.clone();
        let dest_path = normalize_path(&dest_parent, &dest, true);
        // Exclude patterns are used as written (never expanded).
        let excludes = c.excludes.clone();
        let mut actions = Vec::new();
        let mut extra_caps = BTreeSet::new();
        let required_paths_cap = self.graph.caps().has("file.copy.requiredpaths");

        for src in &srcs {
            if (is_add || sources.is_empty())
                && !matches!(parse_git_ref(src), Ok(Some(_)))
                && !is_http(src)
            {
                self.lint_copy_sources(std::slice::from_ref(src), is_add);
            }
            msg.push(' ');
            msg.push_str(src);
            let copy_base = pb::FileActionCopy {
                dest: dest_path.clone(),
                // Go writes `mode` 0 (not -1) when a mode string is set.
                mode: mode.unwrap_or(if mode_str.is_empty() { -1 } else { 0 }),
                mode_str: mode_str.clone(),
                create_dest_path: true,
                timestamp: -1,
                exclude_patterns: excludes.clone(),
                ..pb::FileActionCopy::default()
            };
            let git = parse_git_ref(src).map_err(|e| ConvertError::at(e, None))?;
            if let Some(git) = git {
                if !is_add {
                    return Err(ConvertError::at("source can't be a git ref for COPY", None));
                }
                let opts = git_add_options(&git, c.keep_git_dir, &checksum)?;
                let fs = self.git_source(&git, &opts, &pg_name, Some(cmd))?;
                actions.push(Action::Copy {
                    source: Some(fs),
                    copy: pb::FileActionCopy {
                        src: "/".into(),
                        ..copy_base
                    },
                    owner: owner.clone(),
                });
            } else if is_http(src) {
                if !is_add {
                    return Err(ConvertError::at("source can't be a URL for COPY", None));
                }
                let filename = url_filename(src);
                let mut attrs = BTreeMap::new();
                if !checksum.is_empty() {
                    validate_digest(&checksum)?;
                    attrs.insert("http.checksum".to_string(), checksum.clone());
                }
                attrs.insert("http.filename".to_string(), filename.clone());
                let op = source_op(src, attrs, &self.target);
                let mut description = BTreeMap::new();
                description.insert(DF_CMD_KEY.to_string(), String::new());
                let meta = OpMeta {
                    custom_name: Some(pg_name.clone()),
                    description,
                    ..OpMeta::default()
                };
                let d = self.add_op(op, meta, Some(cmd.span))?;
                actions.push(Action::Copy {
                    source: Some(Output::new(d, 0)),
                    copy: pb::FileActionCopy {
                        src: normalize_path("/", &filename, false),
                        // Remote files are unpacked only with `--unpack` (1.17).
                        attempt_unpack_docker_compatibility: c.unpack == Some(true),
                        ..copy_base
                    },
                    owner: owner.clone(),
                });
            } else {
                let mut src_path = src.clone();
                let mut include = Vec::new();
                let mut required = Vec::new();
                if c.parents {
                    let pattern = match src.split_once("/./") {
                        Some((parent, pattern)) => {
                            src_path = parent.to_string();
                            pattern.to_string()
                        }
                        None => {
                            src_path = "/".into();
                            src.clone()
                        }
                    };
                    let pattern = normalize_system_path("/", &pattern);
                    // A literal path must exist (1.20): `required_paths`, which a daemon
                    // without `file.copy.requiredpaths` (before v0.26) ignores; it is only
                    // sent to daemons that have the cap.
                    if required_paths_cap
                        && !contains_wildcards(&src_path)
                        && !contains_wildcards(&pattern)
                    {
                        required.push(normalize_system_path("/", &join(&[&src_path, &pattern])));
                        extra_caps.insert("file.copy.requiredpaths".to_string());
                    }
                    include.push(pattern.trim_start_matches('/').to_string());
                }
                let src_abs = normalize_system_path("/", &src_path);
                if !include.is_empty() || !excludes.is_empty() {
                    extra_caps.insert("file.copy.includeexcludepatterns".to_string());
                }
                actions.push(Action::Copy {
                    source: source_fs.clone(),
                    copy: pb::FileActionCopy {
                        src: normalize_path("/", &src_abs, false),
                        follow_symlink: true,
                        dir_copy_contents: true,
                        attempt_unpack_docker_compatibility: c.unpack.unwrap_or(is_add),
                        allow_wildcard: true,
                        allow_empty_wildcard: true,
                        include_patterns: include,
                        required_paths: required,
                        ..copy_base
                    },
                    owner: owner.clone(),
                });
            }
        }
        for (name, data) in &contents {
            msg.push_str(&format!(" <<{name}"));
            let document = self.inline_document(name, data, 0o644, cmd.span)?;
            actions.push(Action::Copy {
                source: Some(document),
                copy: pb::FileActionCopy {
                    src: normalize_path("/", name, false),
                    dest: dest_path.clone(),
                    mode: mode.unwrap_or(if mode_str.is_empty() { -1 } else { 0 }),
                    mode_str: mode_str.clone(),
                    create_dest_path: true,
                    timestamp: -1,
                    exclude_patterns: excludes.clone(),
                    ..pb::FileActionCopy::default()
                },
                owner: owner.clone(),
            });
        }
        msg.push(' ');
        msg.push_str(&dest_raw);

        if actions.is_empty() {
            return Err(ConvertError::at(
                "COPY/ADD requires at least one source",
                None,
            ));
        }
        let ignore_cache = self.stages[i].ignore_cache;
        let link = c.link && chmod.is_empty() && self.graph.caps().has("mergeop");
        let cur = self.stages[i].fs.clone();
        if link {
            let pg_id = progress_group_id(&pg_name, cmd);
            self.stages[i].steps.index = self.stages[i].steps.index.saturating_sub(1);
            let group_name = self.step_name(i, &text, &env);
            self.stages[i].steps.index = self.stages[i].steps.index.saturating_sub(1);
            let link_name = self.step_name(i, &format!("LINK {text}"), &env);
            let copy_meta = OpMeta {
                custom_name: Some(group_name.clone()),
                caps: extra_caps,
                ignore_cache,
                progress_group: Some((pg_id.clone(), group_name.clone())),
                locations: vec![cmd.span.into()],
                ..OpMeta::default()
            };
            let d = self.add_op(file_op(&None, actions), copy_meta, Some(cmd.span))?;
            let layer = Output::new(d, 0);
            let merged = match cur {
                Some(cur) => {
                    let meta = OpMeta {
                        custom_name: Some(link_name),
                        ignore_cache,
                        progress_group: Some((pg_id, group_name)),
                        locations: vec![cmd.span.into()],
                        ..OpMeta::default()
                    };
                    let d = self.add_op(merge_op(&[cur, layer]), meta, Some(cmd.span))?;
                    Output::new(d, 0)
                }
                None => layer,
            };
            self.stages[i].fs = Some(merged);
        } else {
            let meta = OpMeta {
                custom_name: Some(pg_name),
                caps: extra_caps,
                ignore_cache,
                locations: vec![cmd.span.into()],
                ..OpMeta::default()
            };
            let d = self.add_op(file_op(&cur, actions), meta, Some(cmd.span))?;
            self.stages[i].fs = Some(Output::new(d, 0));
        }
        self.commit(i, &msg, true, true);

        // Record the context paths the instruction used.
        if is_add {
            for s in srcs.iter().filter(|s| !is_http_url(s)) {
                self.ctx_paths.insert(join(&["/", s]));
            }
        } else if let Some(&s) = sources.first() {
            for p in &srcs {
                self.mark_path(s, join(&["/", p]));
            }
        } else {
            for p in &srcs {
                self.ctx_paths.insert(join(&["/", p]));
            }
        }
        Ok(())
    }

    pub(super) fn git_source(
        &mut self,
        git: &GitRef,
        opts: &GitOptions,
        name: &str,
        cmd: Option<&Command>,
    ) -> Result<Output, ConvertError> {
        let op = git_source_op(git, opts, &self.target);
        let meta = OpMeta {
            custom_name: Some(name.to_string()),
            ..OpMeta::default()
        };
        let d = self.add_op(op, meta, cmd.map(|c| c.span))?;
        Ok(Output::new(d, 0))
    }
}

/// `ADD --keep-git-dir` and `--checksum` merged with the git URL's query (1.18).
fn git_add_options(
    git: &GitRef,
    keep_flag: Option<bool>,
    checksum_flag: &str,
) -> Result<GitOptions, ConvertError> {
    if let (Some(flag), Some(query)) = (keep_flag, git.keep_git_dir) {
        if flag != query {
            return Err(ConvertError::at(
                "inconsistent keep-git-dir configuration",
                None,
            ));
        }
    }
    if !checksum_flag.is_empty() && !git.checksum.is_empty() && checksum_flag != git.checksum {
        return Err(ConvertError::at(
            format!(
                "checksum mismatch {} != {}",
                crate::gostd::strconv::quote(checksum_flag),
                crate::gostd::strconv::quote(&git.checksum)
            ),
            None,
        ));
    }
    Ok(GitOptions {
        keep_git_dir: git.keep_git_dir.or(keep_flag) == Some(true),
        checksum: if git.checksum.is_empty() {
            checksum_flag.to_string()
        } else {
            git.checksum.clone()
        },
        mtime: String::new(),
    })
}

/// `http.filename` of an ADD URL: the last path element, or `__unnamed__`.
fn url_filename(src: &str) -> String {
    let after_scheme = src.split_once("://").map_or(src, |(_, r)| r);
    let no_frag = after_scheme.split('#').next().unwrap_or("");
    let no_query = no_frag.split('?').next().unwrap_or("");
    let path = no_query.find('/').map_or("", |i| &no_query[i..]);
    let b = base(&clean(if path.is_empty() { "." } else { path }));
    if b == "." || b == "/" {
        "__unnamed__".into()
    } else {
        b
    }
}

fn validate_digest(d: &str) -> Result<(), ConvertError> {
    let ok = d.split_once(':').is_some_and(|(algo, hex)| {
        let len = match algo {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => return false,
        };
        hex.len() == len
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if ok {
        Ok(())
    } else if !d.contains(':') {
        Err(ConvertError::at("invalid checksum digest format", None))
    } else {
        Err(ConvertError::at("unsupported digest algorithm", None))
    }
}

/// Progress-group ids are random in Go (`identity.NewID`); ours are derived from the step so
/// they are stable across runs (they are metadata, never hashed).
fn progress_group_id(name: &str, cmd: &Command) -> String {
    let d = Digest::of(format!("{}:{}:{name}", cmd.span.start, cmd.span.end).as_bytes());
    d.as_str()
        .trim_start_matches("sha256:")
        .chars()
        .take(25)
        .collect()
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn url_filenames() {
        assert_eq!(url_filename("https://x.io/a/b.tar.gz"), "b.tar.gz");
        assert_eq!(url_filename("https://x.io/"), "__unnamed__");
        assert_eq!(url_filename("https://x.io"), "__unnamed__");
        assert_eq!(url_filename("https://x.io/f?x=1"), "f");
    }

    #[test]
    fn checksums_are_validated() {
        assert!(validate_digest(&format!("sha256:{}", "a".repeat(64))).is_ok());
        assert!(validate_digest("sha256:zz").is_err());
        assert!(validate_digest("md5:00").is_err());
    }
}
