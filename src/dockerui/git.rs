//! Git URLs as BuildKit's `gitutil.ParseGitRef` recognises them (`https://host/repo.git#ref:dir`,
//! `git@host:repo`, `ssh://`, `git://`), and the `git://` source op of `llb.Git` they become.
//! Shared by remote build contexts, `git` named contexts and `ADD <git url>`.
//!
//! Not for: fetching anything (the daemon does), or HTTP URLs that are not git repositories.

use std::collections::BTreeMap;

use crate::gostd::path::join;
use crate::llb::ops::source_op;
use crate::llb::pb;
use crate::platform::Platform;

/// A git source recognised by `gitutil.ParseGitRef` (only what ADD needs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRef {
    /// Full remote URL.
    remote: String,
    /// Scheme (`https`, `http`, `ssh`, `git`).
    scheme: String,
    /// Host.
    host: String,
    /// Path on the host.
    path: String,
    /// `#ref[:subdir]` fragment.
    fragment: String,
}

pub fn parse_git_ref(src: &str) -> Option<GitRef> {
    if src.starts_with("./") || src.starts_with("../") || src.starts_with("github.com/") {
        return None;
    }
    let (url, fragment) = match src.split_once('#') {
        Some((u, f)) => (u.to_string(), f.to_string()),
        None => (src.to_string(), String::new()),
    };
    // scp-like ssh: user@host:path
    if let Some((userhost, path)) = url.split_once(':') {
        if let Some((user, host)) = userhost.split_once('@') {
            let valid_user = !user.is_empty()
                && user
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
            if valid_user && !host.is_empty() && !host.contains('/') && !path.starts_with("//") {
                return Some(GitRef {
                    remote: url.clone(),
                    scheme: "ssh".into(),
                    host: host.to_string(),
                    path: path.to_string(),
                    fragment,
                });
            }
        }
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) if matches!(s, "http" | "https" | "ssh" | "git") => {
            (s.to_string(), r.to_string())
        }
        Some(_) => return None,
        None => ("https".to_string(), url.clone()),
    };
    let (hostpart, path) = match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.clone(), String::new()),
    };
    let host = hostpart.rsplit('@').next().unwrap_or("").to_string();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    if (scheme == "http" || scheme == "https") && !path.ends_with(".git") {
        return None;
    }
    let remote = if url.contains("://") {
        url.clone()
    } else {
        format!("https://{url}")
    };
    Some(GitRef {
        remote,
        scheme,
        host,
        path,
        fragment,
    })
}

/// The `git://` source op of `llb.Git(remote, ref)` (ADD git URLs and git build contexts).
pub fn git_source_op(git: &GitRef, keep_git_dir: bool, platform: &Platform) -> pb::Op {
    let mut id = format!("{}{}", git.host, join(&["/", &git.path]));
    if !git.fragment.is_empty() {
        id.push('#');
        id.push_str(&git.fragment);
    }
    let mut attrs = BTreeMap::new();
    if keep_git_dir {
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
    source_op(&format!("git://{id}"), attrs, platform)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_refs_are_recognised_like_gitutil() {
        let g = parse_git_ref("https://github.com/moby/buildkit.git#v0.13.2:docs").unwrap();
        assert_eq!(g.host, "github.com");
        assert_eq!(g.path, "/moby/buildkit.git");
        assert_eq!(g.fragment, "v0.13.2:docs");
        assert!(parse_git_ref("git@github.com:moby/buildkit.git").is_some());
        assert!(parse_git_ref("https://example.com/file.tar").is_none());
        assert!(parse_git_ref("foo.txt").is_none());
        assert!(parse_git_ref("./x.git").is_none());
    }
}
