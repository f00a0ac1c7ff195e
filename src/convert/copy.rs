//! COPY and ADD: sources from the main context, another stage, an image or a named context
//! (`--from`), URLs (`https://` sources with `http.filename`), git URLs (`git://` sources),
//! heredoc files (mkfile on scratch), `--chown` (by id or by name), `--chmod` (octal),
//! `--link` (MergeOp in one progress group), `--parents`, `--exclude`, ADD `--checksum` and
//! `--keep-git-dir`, destination rules (trailing slash, relative to WORKDIR), and the history
//! entry. Mirrors `dispatchCopy` of BuildKit v0.13.
//!
//! Not for: the FileOp action chaining rules (`crate::llb::ops`) or git URL syntax
//! (`crate::dockerui::git`).

use std::collections::{BTreeMap, BTreeSet};

use crate::dockerfile::ast::{Command, CopyLike};
use crate::dockerfile::shell::Lexer;
use crate::llb::{pb, Digest, OpMeta, Output};

use super::names::{normalize_path, normalize_system_path};
use super::stages::{Converter, DF_CMD_KEY};
use super::ConvertError;
use crate::dockerui::git::{git_source_op, parse_git_ref, GitRef};
use crate::gostd::path::{base, clean, join};
use crate::llb::ops::{file_op, merge_op, parse_chown, source_op, Action};

fn is_http(src: &str) -> bool {
    src.starts_with("http://") || src.starts_with("https://")
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
        if is_add && !checksum.is_empty() {
            validate_digest(&checksum)?;
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
        let mode = c
            .chmod
            .as_deref()
            .filter(|m| !m.is_empty())
            .and_then(|m| crate::gostd::strconv::parse_uint(m, 8, 32).ok())
            .and_then(|m| i32::try_from(m).ok());
        let chmod = c.chmod.clone().unwrap_or_default();

        if !checksum.is_empty() {
            if srcs.len() != 1 {
                return Err(ConvertError::at(
                    "checksum can't be specified for multiple sources",
                    None,
                ));
            }
            if !is_http(&srcs[0]) {
                return Err(ConvertError::at(
                    "checksum can't be specified for non-HTTP sources",
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
        let excludes = c.excludes.clone();
        let mut actions = Vec::new();
        let mut extra_caps = BTreeSet::new();

        for src in &srcs {
            if (is_add || sources.is_empty()) && parse_git_ref(src).is_none() && !is_http(src) {
                self.lint_copy_sources(std::slice::from_ref(src), is_add);
            }
            msg.push(' ');
            msg.push_str(src);
            let copy_base = pb::FileActionCopy {
                dest: dest_path.clone(),
                mode: mode.unwrap_or(-1),
                create_dest_path: true,
                timestamp: -1,
                exclude_patterns: excludes.clone(),
                ..pb::FileActionCopy::default()
            };
            if let Some(git) = parse_git_ref(src) {
                if !is_add {
                    return Err(ConvertError::at("source can't be a git ref for COPY", None));
                }
                let fs = self.git_source(&git, c.keep_git_dir, &pg_name, Some(cmd))?;
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
                        ..copy_base
                    },
                    owner: owner.clone(),
                });
            } else {
                let mut src_path = src.clone();
                let mut include = Vec::new();
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
                    include.push(pattern.trim_start_matches('/').to_string());
                    include.truncate(1);
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
                        attempt_unpack_docker_compatibility: is_add,
                        allow_wildcard: true,
                        allow_empty_wildcard: true,
                        include_patterns: include,
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
                    mode: mode.unwrap_or(-1),
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
            for s in srcs.iter().filter(|s| !is_http(s)) {
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
        keep_git_dir: bool,
        name: &str,
        cmd: Option<&Command>,
    ) -> Result<Output, ConvertError> {
        let op = git_source_op(git, keep_git_dir, &self.target);
        let meta = OpMeta {
            custom_name: Some(name.to_string()),
            ..OpMeta::default()
        };
        let d = self.add_op(op, meta, cmd.map(|c| c.span))?;
        Ok(Output::new(d, 0))
    }
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
