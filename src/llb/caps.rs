//! Capabilities: which LLB features (`Caps`) the BuildKit daemon enables, the caps a given op needs (`required_caps`, mirroring BuildKit's Go `client/llb`),
//! and a human description of each cap for error messages.
//!
//! Not for: talking to the daemon (the gateway fills these from Ping) or deciding what a
//! Dockerfile instruction means (convert decides, then declares extra caps in `OpMeta::caps`).

use std::collections::BTreeSet;

use super::caplists::{cap_status, CapStatus, LLB_CAPS_V0_13, LLB_CAPS_V0_25};
use super::{pb, LlbError};

/// Enabled LLB caps of the daemon (from Ping's `LLBCaps`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caps {
    enabled: BTreeSet<String>,
}

impl Caps {
    /// Caps from a list of enabled cap ids.
    pub fn from_enabled(ids: impl IntoIterator<Item = String>) -> Self {
        Caps {
            enabled: ids.into_iter().collect(),
        }
    }

    /// What a stock Docker 26.1 daemon (embedded BuildKit v0.13) enables.
    pub fn v0_13_defaults() -> Self {
        Self::from_enabled(LLB_CAPS_V0_13.iter().map(|s| s.to_string()))
    }

    /// What a stock Docker 28.5 daemon (embedded BuildKit v0.25) enables; used when there is no
    /// daemon to ask (CLI, tests): the test bed's engine.
    pub fn v0_25_defaults() -> Self {
        Self::from_enabled(LLB_CAPS_V0_25.iter().map(|s| s.to_string()))
    }

    /// These caps and `cap` (a newer daemon, in tests).
    #[cfg(test)]
    pub fn with(mut self, cap: &str) -> Self {
        self.enabled.insert(cap.to_string());
        self
    }

    /// The enabled cap ids (to fake a Ping in tests).
    #[cfg(test)]
    pub fn ids(&self) -> Vec<String> {
        self.enabled.iter().cloned().collect()
    }

    /// Whether the daemon enables `cap`.
    pub fn has(&self, cap: &str) -> bool {
        self.enabled.contains(cap)
    }
}

/// The check BuildKit's gateway client runs before every Solve (`grpcclient.Solve`): every cap
/// recorded in the Definition's op metadata must be enabled by the daemon, else the build fails
/// with `apicaps.CapError`'s text, e.g. `requested experimental feature source.git.checksum  is
/// not supported by build server, please update docker` (`product` is the daemon's
/// `BUILDKIT_EXPORTEDPRODUCT`). Like the stock frontend's, the error names no Dockerfile line.
pub fn check_definition_caps(
    def: &pb::Definition,
    daemon: &Caps,
    product: &str,
) -> Result<(), LlbError> {
    for meta in def.metadata.values() {
        if let Some(cap) = meta.caps.keys().find(|c| !daemon.has(c)) {
            return Err(LlbError::MissingCap {
                cap: cap.clone(),
                message: cap_error(cap, product),
            });
        }
    }
    Ok(())
}

/// `apicaps.CapError.Error()` for a cap the daemon does not list.
fn cap_error(cap: &str, product: &str) -> String {
    let Some(def) = cap_status(cap) else {
        return format!("unknown API capability {cap}");
    };
    let typ = match def.status {
        CapStatus::Experimental => "experimental ",
        CapStatus::Prerelease => "prerelease ",
    };
    let name = def.name.map(|n| format!("({n})")).unwrap_or_default();
    let mut msg = format!("requested {typ}feature {cap} {name} is not supported by build server");
    if let Some((_, hint)) = def.hints.iter().find(|(p, _)| *p == product) {
        msg.push_str(&format!(" (added in {hint})"));
    }
    msg.push_str(&format!(", please update {product}"));
    msg
}

/// The caps BuildKit's Go LLB client (up to 1.26) records in an op's metadata for this op's content
/// (for file ops also the copy caps its `addCaps` declares, which upstream never gets to record):
/// the base cap of its kind plus one per optional feature visible in the op. Caps that depend on
/// facts not visible in the op (git http auth, a required local differ, bind rw without output,
/// file.copy.* of later versions) must be declared by the caller in `OpMeta::caps`.
/// `exec.meta.setsdefaultpath` is added to exec ops when the daemon enables it (Go does the same
/// and then leaves PATH to the daemon).
pub fn required_caps(op: &pb::Op, daemon: &Caps) -> BTreeSet<String> {
    let mut caps = BTreeSet::new();
    let mut add = |c: &str| {
        caps.insert(c.to_string());
    };
    match &op.op {
        Some(pb::op::Op::Exec(exec)) => exec_caps(exec, daemon, &mut add),
        Some(pb::op::Op::Source(src)) => source_caps(src, &mut add),
        Some(pb::op::Op::File(file)) => file_caps(file, &mut add),
        Some(pb::op::Op::Merge(_)) => add("mergeop"),
        Some(pb::op::Op::Diff(_)) => add("diffop"),
        Some(pb::op::Op::Build(_)) | None => {}
    }
    caps
}

fn exec_caps(exec: &pb::ExecOp, daemon: &Caps, add: &mut impl FnMut(&str)) {
    if daemon.has("exec.meta.setsdefaultpath") {
        add("exec.meta.setsdefaultpath");
    }
    if let Some(meta) = &exec.meta {
        if !meta.ulimit.is_empty() {
            add("exec.meta.ulimit");
        }
        if meta.proxy_env.is_some() {
            add("exec.meta.proxyenv");
        }
    }
    if exec.network != pb::NetMode::Unset as i32 {
        add("exec.meta.network");
    }
    if exec.security != pb::SecurityMode::Sandbox as i32 {
        add("exec.meta.security");
    }
    add("exec.meta.base");
    let mut secrets = !exec.secretenv.is_empty();
    for mount in &exec.mounts {
        mount_caps(mount, add);
        secrets |= mount.mount_type == pb::MountType::Secret as i32;
    }
    if secrets {
        add("exec.mount.secret");
    }
    if !exec.secretenv.is_empty() {
        add("exec.secretenv");
    }
    if exec
        .mounts
        .iter()
        .any(|m| m.mount_type == pb::MountType::Ssh as i32)
    {
        add("exec.mount.ssh");
    }
}

fn mount_caps(mount: &pb::Mount, add: &mut impl FnMut(&str)) {
    let kind = pb::MountType::try_from(mount.mount_type).unwrap_or(pb::MountType::Bind);
    if matches!(kind, pb::MountType::Secret | pb::MountType::Ssh) {
        return;
    }
    if !mount.selector.is_empty() {
        add("exec.mount.selector");
    }
    match kind {
        pb::MountType::Cache => {
            add("exec.mount.cache");
            add("exec.mount.cache.sharing");
        }
        pb::MountType::Tmpfs => {
            add("exec.mount.tmpfs");
            if mount.tmpfs_opt.as_ref().is_some_and(|t| t.size > 0) {
                add("exec.mount.tmpfs.size");
            }
        }
        _ if mount.input >= 0 => add("exec.mount.bind"),
        _ => {}
    }
    if mount.content_cache != pb::MountContentCache::Default as i32 {
        add("exec.mount.cache.content");
    }
}

fn source_caps(src: &pb::SourceOp, add: &mut impl FnMut(&str)) {
    let has = |k: &str| src.attrs.contains_key(k);
    let id = src.identifier.as_str();
    if id.starts_with("docker-image://") {
        add("source.image");
        if src.attrs.get("image.resolvemode").map(String::as_str) == Some("pull") {
            add("source.image.resolvemode");
        }
        if has("image.layerlimit") {
            add("source.image.layerlimit");
        }
    } else if id.starts_with("local://") {
        for (attr, cap) in [
            ("local.unique", "source.local.unique"),
            ("local.session", "source.local.sessionid"),
            ("local.includepattern", "source.local.includepatterns"),
            ("local.followpaths", "source.local.followpaths"),
            ("local.excludepatterns", "source.local.excludepatterns"),
            ("local.sharedkeyhint", "source.local.sharedkeyhint"),
        ] {
            if has(attr) {
                add(cap);
            }
        }
        add("source.local");
    } else if id.starts_with("git://") {
        if has("git.keepgitdir") {
            add("source.git.keepgitdir");
        }
        if has("git.fullurl") {
            add("source.git.fullurl");
        }
        if has("git.mountsshsock") || has("git.knownsshhosts") {
            add("source.git.knownsshhosts");
            add("source.git.mountsshsock");
        }
        for (attr, cap) in [
            ("git.checksum", "source.git.checksum"),
            ("git.skipsubmodules", "source.git.skipsubmodules"),
            ("git.mtime", "source.git.mtime"),
            ("git.fetchbycommit", "source.git.fetchbycommit"),
        ] {
            if has(attr) {
                add(cap);
            }
        }
        add("source.git");
    } else if id.starts_with("https://") || id.starts_with("http://") {
        if has("http.checksum") {
            add("source.http.checksum");
        }
        if has("http.perm") {
            add("source.http.perm");
        }
        if has("http.uid") || has("http.gid") {
            add("soruce.http.uidgid");
        }
        add("source.http");
    } else if id.starts_with("oci-layout://") {
        add("source.ocilayout");
    }
}

fn file_caps(file: &pb::FileOp, add: &mut impl FnMut(&str)) {
    for action in &file.actions {
        if let Some(pb::file_action::Action::Copy(copy)) = &action.action {
            if !copy.include_patterns.is_empty() || !copy.exclude_patterns.is_empty() {
                add("file.copy.includeexcludepatterns");
            }
        }
    }
    add("file.base");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec_with(mounts: Vec<pb::Mount>) -> pb::Op {
        pb::Op {
            op: Some(pb::op::Op::Exec(pb::ExecOp {
                meta: Some(pb::Meta::default()),
                mounts,
                ..Default::default()
            })),
            ..Default::default()
        }
    }

    #[test]
    fn v0_13_defaults_match_the_daemon_ping_count() {
        assert_eq!(LLB_CAPS_V0_13.len(), 63);
        assert_eq!(
            Caps::v0_13_defaults(),
            Caps::from_enabled(LLB_CAPS_V0_13.iter().map(|c| c.to_string()))
        );
        assert!(Caps::v0_13_defaults().has("file.base"));
        assert!(!Caps::v0_13_defaults().has("exec.validexitcode"));
    }

    #[test]
    fn exec_caps_follow_mount_kinds() {
        let root = pb::Mount {
            input: 0,
            dest: "/".into(),
            ..Default::default()
        };
        let cache = pb::Mount {
            input: -1,
            dest: "/c".into(),
            output: -1,
            mount_type: pb::MountType::Cache as i32,
            cache_opt: Some(pb::CacheOpt {
                id: "x".into(),
                sharing: 0,
            }),
            ..Default::default()
        };
        let secret = pb::Mount {
            input: -1,
            dest: "/s".into(),
            mount_type: pb::MountType::Secret as i32,
            ..Default::default()
        };
        let caps = required_caps(
            &exec_with(vec![root, cache, secret]),
            &Caps::v0_13_defaults(),
        );
        let want = [
            "exec.meta.base",
            "exec.meta.setsdefaultpath",
            "exec.mount.bind",
            "exec.mount.cache",
            "exec.mount.cache.sharing",
            "exec.mount.secret",
        ];
        assert_eq!(
            caps.iter().map(String::as_str).collect::<Vec<_>>(),
            want.to_vec()
        );
    }

    #[test]
    fn scratch_root_mount_needs_no_bind_cap_and_old_daemons_get_no_default_path_cap() {
        let root = pb::Mount {
            input: -1,
            dest: "/".into(),
            ..Default::default()
        };
        let caps = required_caps(&exec_with(vec![root]), &Caps::default());
        assert_eq!(caps.into_iter().collect::<Vec<_>>(), vec!["exec.meta.base"]);
    }

    #[test]
    fn source_caps_follow_identifier_and_attrs() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);
        let table: &[Case] = &[
            (
                "docker-image://docker.io/library/busybox:latest",
                &[],
                &["source.image"],
            ),
            (
                "local://context",
                &[("local.session", "s"), ("local.sharedkeyhint", "context")],
                &[
                    "source.local",
                    "source.local.sessionid",
                    "source.local.sharedkeyhint",
                ],
            ),
            (
                "https://example.com/a",
                &[("http.checksum", "sha256:00")],
                &["source.http", "source.http.checksum"],
            ),
            (
                "git://github.com/a/b",
                &[("git.fullurl", "https://github.com/a/b")],
                &["source.git", "source.git.fullurl"],
            ),
        ];
        for (id, attrs, want) in table {
            let op = pb::Op {
                op: Some(pb::op::Op::Source(pb::SourceOp {
                    identifier: id.to_string(),
                    attrs: attrs
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                })),
                ..Default::default()
            };
            let got = required_caps(&op, &Caps::v0_13_defaults());
            let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
            assert_eq!(got, want, "{id}");
        }
    }
}
