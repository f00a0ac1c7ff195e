//! Remote build contexts, as BuildKit v0.13's `dockerui` detects and loads them: a git URL in
//! the `context` option (or the option named by `contextkey`) becomes a `git://` source (kept
//! `.git` with `BUILDKIT_CONTEXT_KEEP_GIT_DIR`), an `http(s)://` URL an HTTP source saved as
//! `context`, unpacked onto scratch when its first bytes are an archive. The same ops serve the
//! gateway (to read the Dockerfile from the remote context) and the conversion (the build
//! context), so both share digests like `dockerfile.v0`.
//!
//! Not for: local contexts (see `sources`) or fetching anything (the gateway solves).

use std::collections::BTreeMap;

use super::git::{git_source_op, parse_git_ref, GitOptions, GitRef};
use crate::gostd::strconv::parse_bool;
use crate::llb::ops::{file_op, source_op, Action};
use crate::llb::{pb, Graph, LlbError, OpMeta, Output};
use crate::options::BuildOptions;
use crate::platform::Platform;

/// Name of the file an HTTP context is saved as (dockerui's `DetectHTTPContext`); also the
/// Dockerfile name when the download is not an archive.
pub const HTTP_CONTEXT_FILENAME: &str = "context";

/// How many leading bytes of an HTTP context decide whether it is an archive.
pub const HTTP_CONTEXT_SNIFF_LEN: i64 = 1024;

/// A remote build context named by the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteContext {
    reference: String,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Git { git: Box<GitRef>, opts: GitOptions },
    Http,
}

impl RemoteContext {
    /// [`RemoteContext::try_detect`], an invalid git query counting as no remote context (for
    /// callers that already went through `try_detect`).
    #[cfg(test)]
    pub fn detect(options: &BuildOptions) -> Option<RemoteContext> {
        Self::try_detect(options).ok().flatten()
    }

    /// The remote context of `options`, when `context` holds a git or `http(s)://` URL
    /// (anything else names a local and is not remote).
    ///
    /// A git URL's query (`?ref=…&keep-git-dir`) is honoured (1.18); `.git` is kept when the
    /// query or `BUILDKIT_CONTEXT_KEEP_GIT_DIR` asks for it; a `SOURCE_DATE_EPOCH` build arg
    /// makes checkout mtimes the commit time (`git.mtime=commit`, 1.23) unless the query's
    /// `mtime=` says otherwise. An invalid query is an error.
    pub fn try_detect(options: &BuildOptions) -> Result<Option<RemoteContext>, String> {
        let Some(reference) = options.remote_context.as_deref() else {
            return Ok(None);
        };
        let kind = if let Some(git) = parse_git_ref(reference)? {
            let keep_arg = options
                .build_args
                .get("BUILDKIT_CONTEXT_KEEP_GIT_DIR")
                .is_some_and(|v| parse_bool(v) == Ok(true));
            let epoch = options
                .build_args
                .get("SOURCE_DATE_EPOCH")
                .is_some_and(|v| !v.is_empty());
            let mtime = match (git.mtime.as_str(), epoch) {
                ("", true) => "commit".to_string(),
                (m, _) => m.to_string(),
            };
            let opts = GitOptions {
                keep_git_dir: keep_arg || git.keep_git_dir == Some(true),
                checksum: git.checksum.clone(),
                mtime,
            };
            Kind::Git {
                git: Box::new(git),
                opts,
            }
        } else if reference.starts_with("http://") || reference.starts_with("https://") {
            Kind::Http
        } else {
            return Ok(None);
        };
        Ok(Some(RemoteContext {
            reference: reference.to_string(),
            kind,
        }))
    }

    /// Whether this is an HTTP context (whose first bytes must be inspected before use).
    pub fn is_http(&self) -> bool {
        matches!(self.kind, Kind::Http)
    }

    /// Adds the context's ops to `graph`: the git source; or the HTTP source, followed when
    /// `archive` by a copy onto scratch that unpacks `/context`.
    pub fn add_to(&self, graph: &mut Graph, archive: bool) -> Result<Output, LlbError> {
        // Source ops other than images carry no platform, so any platform gives the same op.
        let platform = Platform::default();
        match &self.kind {
            Kind::Git { git, opts } => {
                let op = git_source_op(git, opts, &platform);
                let name = format!("[internal] load git source {}", self.reference);
                add_named(graph, op, Some(name))
            }
            Kind::Http => {
                let mut attrs = BTreeMap::new();
                attrs.insert(
                    "http.filename".to_string(),
                    HTTP_CONTEXT_FILENAME.to_string(),
                );
                let op = source_op(&self.reference, attrs, &platform);
                let name = "[internal] load remote build context".to_string();
                let http = add_named(graph, op, Some(name))?;
                if !archive {
                    return Ok(http);
                }
                let copy = pb::FileActionCopy {
                    src: format!("/{HTTP_CONTEXT_FILENAME}"),
                    dest: "/".to_string(),
                    mode: -1,
                    timestamp: -1,
                    attempt_unpack_docker_compatibility: true,
                    ..pb::FileActionCopy::default()
                };
                let op = file_op(
                    &None,
                    vec![Action::Copy {
                        source: Some(http),
                        copy,
                        owner: None,
                    }],
                );
                add_named(graph, op, None)
            }
        }
    }

    /// The Definition of [`RemoteContext::add_to`] alone (what the gateway solves to read the
    /// Dockerfile, or to sniff an HTTP download when `archive` is false).
    pub fn definition(
        &self,
        caps: &crate::llb::Caps,
        archive: bool,
    ) -> Result<pb::Definition, LlbError> {
        let mut graph = Graph::new(caps.clone());
        let out = self.add_to(&mut graph, archive)?;
        graph.definition(Some(&out), None)
    }
}

/// dockerui's `scopeToSubDir` (option `contextsubdir`): the contents of `dir` of `context`
/// copied onto scratch. Only a remote (or input) context is scoped; the Dockerfile is still read
/// from the unscoped one.
pub fn scope_to_subdir(graph: &mut Graph, context: Output, dir: &str) -> Result<Output, LlbError> {
    let copy = pb::FileActionCopy {
        src: crate::gostd::path::join(&["/", dir]),
        dest: "/".to_string(),
        mode: -1,
        timestamp: -1,
        dir_copy_contents: true,
        ..pb::FileActionCopy::default()
    };
    let op = file_op(
        &None,
        vec![Action::Copy {
            source: Some(context),
            copy,
            owner: None,
        }],
    );
    add_named(graph, op, None)
}

fn add_named(graph: &mut Graph, op: pb::Op, name: Option<String>) -> Result<Output, LlbError> {
    let meta = OpMeta {
        custom_name: name,
        ..OpMeta::default()
    };
    Ok(Output::new(graph.add(op, meta)?, 0))
}

/// dockerui's `isArchive`: bzip2, gzip or xz magic, or a readable first tar header.
pub fn is_archive(header: &[u8]) -> bool {
    const MAGICS: [&[u8]; 3] = [
        &[0x42, 0x5A, 0x68],
        &[0x1F, 0x8B, 0x08],
        &[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00],
    ];
    MAGICS.iter().any(|m| header.starts_with(m)) || is_tar_header(header)
}

/// A 512-byte tar header block whose checksum is right (an all-zero block is the end marker,
/// not a header).
fn is_tar_header(header: &[u8]) -> bool {
    let Some(block) = header.get(..512) else {
        return false;
    };
    if block.iter().all(|&b| b == 0) {
        return false;
    }
    let Some(field) = block.get(148..156) else {
        return false;
    };
    let digits: String = field
        .iter()
        .map(|&b| b as char)
        .filter(|c| !matches!(c, ' ' | '\0'))
        .collect();
    let Ok(expected) = i64::from_str_radix(&digits, 8) else {
        return false;
    };
    let (mut unsigned, mut signed) = (0i64, 0i64);
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += i64::from(b);
        signed += i64::from(b as i8);
    }
    expected == unsigned || expected == signed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llb::Caps;
    use prost::Message as _;

    fn options(context: &str, keep: Option<&str>) -> BuildOptions {
        let mut o = BuildOptions {
            remote_context: Some(context.to_string()),
            ..BuildOptions::default()
        };
        if let Some(v) = keep {
            o.build_args
                .insert("BUILDKIT_CONTEXT_KEEP_GIT_DIR".into(), v.into());
        }
        o
    }

    fn ops(def: &pb::Definition) -> Vec<pb::Op> {
        def.def
            .iter()
            .map(|b| pb::Op::decode(b.as_slice()).unwrap())
            .collect()
    }

    #[test]
    fn only_git_and_http_urls_are_remote() {
        let table = [
            ("https://example.com/r.git#main", Some(false)),
            ("git@example.com:r.git", Some(false)),
            ("http://127.0.0.1:8080/ctx.tar.gz", Some(true)),
            ("https://example.com/Dockerfile", Some(true)),
            ("context", None),
            ("./dir", None),
        ];
        for (context, http) in table {
            let got = RemoteContext::detect(&options(context, None)).map(|r| r.is_http());
            assert_eq!(got, http, "{context}");
        }
        assert_eq!(RemoteContext::detect(&BuildOptions::default()), None);
    }

    #[test]
    fn git_context_is_a_named_git_source_keeping_git_dir_on_request() {
        for (keep, want) in [
            (None, None),
            (Some("true"), Some("true")),
            (Some("0"), None),
        ] {
            let remote =
                RemoteContext::detect(&options("http://127.0.0.1:1/r.git#v1:sub", keep)).unwrap();
            let def = remote.definition(&Caps::v0_13_defaults(), false).unwrap();
            let ops = ops(&def);
            let Some(pb::op::Op::Source(src)) = &ops[0].op else {
                panic!("not a source");
            };
            assert_eq!(src.identifier, "git://127.0.0.1:1/r.git#v1:sub");
            assert_eq!(src.attrs["git.fullurl"], "http://127.0.0.1:1/r.git");
            assert_eq!(src.attrs.get("git.keepgitdir").map(String::as_str), want);
            let md = &def.metadata[&crate::llb::Digest::of(&def.def[0]).to_string()];
            assert_eq!(
                md.description["llb.customname"],
                "[internal] load git source http://127.0.0.1:1/r.git#v1:sub"
            );
        }
    }

    #[test]
    fn http_context_is_saved_as_context_and_unpacked_only_when_an_archive() {
        let remote = RemoteContext::detect(&options("http://h/c.tgz", None)).unwrap();
        let plain = ops(&remote.definition(&Caps::v0_13_defaults(), false).unwrap());
        assert_eq!(plain.len(), 2, "source + terminal");
        let Some(pb::op::Op::Source(src)) = &plain[0].op else {
            panic!("not a source");
        };
        assert_eq!(src.identifier, "http://h/c.tgz");
        assert_eq!(src.attrs["http.filename"], "context");
        assert!(plain[0].platform.is_none());

        let unpacked = ops(&remote.definition(&Caps::v0_13_defaults(), true).unwrap());
        assert_eq!(unpacked.len(), 3);
        let Some(pb::op::Op::File(f)) = &unpacked[1].op else {
            panic!("not a file op");
        };
        let Some(pb::file_action::Action::Copy(c)) = &f.actions[0].action else {
            panic!("not a copy");
        };
        assert_eq!((c.src.as_str(), c.dest.as_str()), ("/context", "/"));
        assert!(c.attempt_unpack_docker_compatibility && !c.follow_symlink);
        assert_eq!((c.mode, c.timestamp, f.actions[0].input), (-1, -1, -1));
    }

    #[test]
    fn context_subdir_copies_the_directory_contents_onto_scratch() {
        let remote = RemoteContext::detect(&options("http://h/r.git", None)).unwrap();
        let mut graph = Graph::new(Caps::v0_13_defaults());
        let ctx = remote.add_to(&mut graph, false).unwrap();
        let scoped = scope_to_subdir(&mut graph, ctx, "app/./").unwrap();
        let def = graph.definition(Some(&scoped), None).unwrap();
        let ops = ops(&def);
        let Some(pb::op::Op::File(f)) = &ops[1].op else {
            panic!("not a file op");
        };
        let Some(pb::file_action::Action::Copy(c)) = &f.actions[0].action else {
            panic!("not a copy");
        };
        assert_eq!((c.src.as_str(), c.dest.as_str()), ("/app", "/"));
        assert!(c.dir_copy_contents && !c.attempt_unpack_docker_compatibility);
        assert_eq!((c.mode, c.timestamp, f.actions[0].input), (-1, -1, -1));
    }

    fn tar_block(name: &str) -> Vec<u8> {
        let mut b = vec![0u8; 512];
        b[..name.len()].copy_from_slice(name.as_bytes());
        b[100..107].copy_from_slice(b"0000644");
        b[156] = b'0';
        b[257..263].copy_from_slice(b"ustar\0");
        b[148..156].copy_from_slice(b"        ");
        let sum: u32 = b.iter().map(|&x| u32::from(x)).sum();
        let field = format!("{sum:06o}\0 ");
        b[148..156].copy_from_slice(field.as_bytes());
        b
    }

    #[test]
    fn archives_are_recognised_by_magic_or_tar_header() {
        let mut corrupt = tar_block("Dockerfile");
        corrupt[0] = b'X';
        let table: [(&[u8], bool); 8] = [
            (&[0x1F, 0x8B, 0x08, 0], true),
            (b"BZh91AY", true),
            (&[0xFD, b'7', b'z', b'X', b'Z', 0, 1], true),
            (&tar_block("Dockerfile"), true),
            (&corrupt, false),
            (&[0u8; 1024], false),
            (b"FROM busybox\nRUN true\n", false),
            (b"", false),
        ];
        for (bytes, want) in table {
            assert_eq!(is_archive(bytes), want, "{:?}", bytes.get(..8));
        }
    }
}
