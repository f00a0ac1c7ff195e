//! Git URLs as the Dockerfile frontend's `dfgitutil.ParseGitRef` (1.18+) recognises them —
//! `https://host/repo.git`, `git@host:repo`, `ssh://`, `git://`, with the `#ref:subdir`
//! fragment and the query form `?ref=&tag=&branch=&subdir=&checksum=&keep-git-dir&submodules&
//! mtime=&fetch-by-commit` — and the `git://` source op `llb.Git` makes of them (attrs and the
//! caps `client/llb` records for them). Shared by remote build contexts, `git` named contexts
//! and `ADD <git url>`.
//!
//! Not for: fetching anything (the daemon does), or HTTP URLs that are not git repositories.

use std::collections::BTreeMap;

use crate::gostd::path::join;
use crate::gostd::strconv::{parse_bool, quote};
use crate::llb::ops::source_op;
use crate::llb::pb;
use crate::platform::Platform;

/// A git reference (`dfgitutil.GitRef`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GitRef {
    /// The remote URL without fragment and query.
    remote: String,
    /// Scheme (`https`, `http`, `ssh`, `git`).
    scheme: String,
    /// Host.
    host: String,
    /// Path on the host.
    path: String,
    /// Commit, tag or branch (`tag=x` gives `refs/tags/x`, `branch=x` `refs/heads/x`).
    pub reference: String,
    /// Directory inside the repository.
    pub subdir: String,
    /// `checksum=`/`commit=`: the expected commit.
    pub checksum: String,
    /// `keep-git-dir[=bool]` of the query.
    pub keep_git_dir: Option<bool>,
    /// `submodules[=bool]` of the query.
    pub submodules: Option<bool>,
    /// `mtime=checkout|commit` of the query.
    pub mtime: String,
    /// `fetch-by-commit[=bool]` of the query.
    pub fetch_by_commit: bool,
}

/// What [`git_source_op`] should set beyond the reference itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitOptions {
    /// Keep the `.git` directory.
    pub keep_git_dir: bool,
    /// Expected commit (`git.checksum`).
    pub checksum: String,
    /// File mtimes policy (`git.mtime`), `""` = the daemon's default.
    pub mtime: String,
}

/// `ParseGitRef`: `Ok(None)` when `src` is not a git reference (a local path, a plain HTTP
/// URL, an unknown scheme), `Err` when it is one with an invalid query (`isGit && err`).
pub fn parse_git_ref(src: &str) -> Result<Option<GitRef>, String> {
    if src.starts_with("./") || src.starts_with("../") || src.starts_with("github.com/") {
        // `github.com/x/y` is a git ref only for build contexts (deprecated), never for ADD.
        return Ok(None);
    }
    let Some(mut g) = parse_url(src) else {
        return Ok(None);
    };
    if matches!(g.0.scheme.as_str(), "http" | "https") && !g.0.path.ends_with(".git") {
        return Ok(None);
    }
    load_query(&mut g.0, &g.1)?;
    Ok(Some(g.0))
}

/// `key[=value]` pairs of a URL query, in order.
type QueryPairs = Vec<(String, Option<String>)>;

/// `gitutil.ParseURL`: scheme URLs (`http`, `https`, `ssh`, `git`) and scp-style `user@host:path`;
/// the query pairs are returned for `loadQuery`.
fn parse_url(src: &str) -> Option<(GitRef, QueryPairs)> {
    let (rest, fragment) = match src.split_once('#') {
        Some((r, f)) => (r, f),
        None => (src, ""),
    };
    let (without_query, query) = match rest.split_once('?') {
        Some((r, q)) => (r, q),
        None => (rest, ""),
    };
    let mut g = GitRef::default();
    let scheme_end = src
        .find("://")
        .filter(|&i| i > 0 && src[..i].bytes().all(|b| b.is_ascii_alphanumeric()));
    if let Some(i) = scheme_end {
        let scheme = src[..i].to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "ssh" | "git") {
            return None;
        }
        let after = &without_query[i + 3..];
        let (authority, path) = match after.find('/') {
            Some(p) => (&after[..p], &after[p..]),
            None => (after, ""),
        };
        g.scheme = scheme;
        g.host = authority.rsplit('@').next().unwrap_or("").to_string();
        g.path = path.to_string();
        g.remote = without_query.to_string();
    } else {
        // `^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\?(.*?))?(?:#(.*))?$`
        let (user, rest) = without_query.split_once('@')?;
        let (host, path) = rest.split_once(':')?;
        let user_ok = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        let host_ok = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
        if user.is_empty() || !user.bytes().all(user_ok) || host.is_empty() {
            return None;
        }
        if !host.bytes().all(host_ok) {
            return None;
        }
        g.scheme = "ssh".into();
        g.host = host.to_string();
        g.path = path.to_string();
        g.remote = format!("{user}@{host}:{path}");
    }
    if !fragment.is_empty() {
        let (reference, subdir) = fragment.split_once(':').unwrap_or((fragment, ""));
        g.reference = reference.to_string();
        g.subdir = join(&["/", subdir]).trim_start_matches('/').to_string();
    }
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (unescape(k), Some(unescape(v))),
            None => (unescape(p), None),
        })
        .collect();
    Some((g, pairs))
}

/// `url.QueryUnescape`, leniently (`+` is a space, bad escapes are kept).
fn unescape(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(v).unwrap_or(b'?'));
                i += 2;
            }
            (b, _, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `loadQuery`, with its error texts. Keys are checked in sorted order (Go ranges over a map).
fn load_query(g: &mut GitRef, pairs: &QueryPairs) -> Result<(), String> {
    let mut values: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, v) in pairs {
        values
            .entry(k.as_str())
            .or_default()
            .push(v.as_deref().unwrap_or(""));
    }
    let (mut tag, mut branch) = (String::new(), String::new());
    for (k, v) in &values {
        let value: Option<&str> = match v.as_slice() {
            [one] if !one.is_empty() => Some(one),
            [_] => match *k {
                "submodules" | "keep-git-dir" | "fetch-by-commit" => None,
                _ => return Err(format!("query {} has no value", quote(k))),
            },
            _ => return Err(format!("query {} has multiple values", quote(k))),
        };
        let flag = |name: &str| -> Result<bool, String> {
            match value {
                None => Ok(true),
                Some(v) => parse_bool(v).map_err(|_| format!("invalid {name} value: {}", quote(v))),
            }
        };
        let text = value.unwrap_or("").to_string();
        match *k {
            "ref" => {
                if !g.reference.is_empty() && g.reference != text {
                    return Err(format!(
                        "ref conflicts: {} vs {}",
                        quote(&g.reference),
                        quote(&text)
                    ));
                }
                g.reference = text;
            }
            "tag" => tag = text,
            "branch" => branch = text,
            "subdir" => {
                if !g.subdir.is_empty() && g.subdir != text {
                    return Err(format!(
                        "subdir conflicts: {} vs {}",
                        quote(&g.subdir),
                        quote(&text)
                    ));
                }
                g.subdir = text;
            }
            "checksum" | "commit" => g.checksum = text,
            "keep-git-dir" => g.keep_git_dir = Some(flag("keep-git-dir")?),
            "submodules" => g.submodules = Some(flag("submodules")?),
            "mtime" => match text.as_str() {
                "checkout" | "commit" => g.mtime = text,
                _ => {
                    return Err(format!(
                        "invalid mtime value: {} (must be \"checkout\" or \"commit\")",
                        quote(&text)
                    ))
                }
            },
            "fetch-by-commit" => g.fetch_by_commit = flag("fetch-by-commit")?,
            _ => return Err(format!("unexpected query {}", quote(k))),
        }
    }
    let mut set_ref = |prefix: &str, value: &str| -> Result<(), String> {
        let full = if value.starts_with(prefix) {
            value.to_string()
        } else {
            format!("{prefix}{value}")
        };
        if !g.reference.is_empty() && g.reference != full {
            return Err(format!(
                "ref conflicts: {} vs {}",
                quote(&g.reference),
                quote(&full)
            ));
        }
        g.reference = full;
        Ok(())
    };
    if !tag.is_empty() {
        set_ref("refs/tags/", &tag)?;
    }
    if !branch.is_empty() {
        if !tag.is_empty() {
            return Err("branch conflicts with tag".into());
        }
        set_ref("refs/heads/", &branch)?;
    }
    Ok(())
}

/// The `git://` source op of `llb.Git(remote, "", GitRef(ref), GitSubDir(subdir), ...)` (the
/// caps of its attrs are recorded by `llb::required_caps`).
pub fn git_source_op(git: &GitRef, opts: &GitOptions, platform: &Platform) -> pb::Op {
    let mut id = format!("{}{}", git.host, join(&["/", &git.path]));
    if !git.reference.is_empty() || !git.subdir.is_empty() {
        id.push('#');
        id.push_str(&git.reference);
        if !git.subdir.is_empty() {
            id.push(':');
            id.push_str(&git.subdir);
        }
    }
    let mut attrs = BTreeMap::new();
    if opts.keep_git_dir {
        attrs.insert("git.keepgitdir".to_string(), "true".to_string());
    }
    attrs.insert("git.fullurl".to_string(), git.remote.clone());
    attrs.insert(
        "git.authtokensecret".to_string(),
        "GIT_AUTH_TOKEN".to_string(),
    );
    attrs.insert(
        "git.authheadersecret".to_string(),
        "GIT_AUTH_HEADER".to_string(),
    );
    if git.scheme == "ssh" {
        attrs.insert("git.mountsshsock".to_string(), "default".to_string());
    }
    let mut set = |attr: &str, value: &str| {
        attrs.insert(attr.to_string(), value.to_string());
    };
    if !opts.checksum.is_empty() {
        set("git.checksum", &opts.checksum);
    }
    if git.submodules == Some(false) {
        set("git.skipsubmodules", "true");
    }
    if !opts.mtime.is_empty() {
        set("git.mtime", &opts.mtime);
    }
    if git.fetch_by_commit {
        set("git.fetchbycommit", "true");
    }
    source_op(&format!("git://{id}"), attrs, platform)
}

#[cfg(test)]
mod tests;
