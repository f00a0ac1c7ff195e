//! Recorded facts about BuildKit's LLB caps: the lists Ping returns from the daemons gofront
//! is tested against (BuildKit v0.13 of Docker 26.1, v0.25 of Docker 28.5), and each cap's
//! status, name and support hints from `solver/pb/caps.go` (dockerfile/1.26.0), which the
//! "not supported by build server" message is made of.
//!
//! Not for: deciding which caps an op needs (`caps::required_caps`) or what the daemon of a
//! running build enables (the gateway reads that from Ping).

/// LLB caps a BuildKit v0.13 daemon (Docker 26.1) enables, in the order of its `solver/pb/caps.go`.
/// (`soruce.http.uidgid` is upstream's spelling.) `exec.meta.removemountstubs.recursive` is not in
/// the list: v0.13 declares the name but never registers it, and its Go client sets the field
/// without a cap.
pub(super) const LLB_CAPS_V0_13: &[&str] = &[
    "source.image",
    "source.image.resolvemode",
    "source.image.layerlimit",
    "source.local",
    "source.local.unique",
    "source.local.sessionid",
    "source.local.includepatterns",
    "source.local.followpaths",
    "source.local.excludepatterns",
    "source.local.sharedkeyhint",
    "source.local.differ",
    "source.git",
    "source.git.keepgitdir",
    "source.git.fullurl",
    "source.git.httpauth",
    "source.git.knownsshhosts",
    "source.git.mountsshsock",
    "source.git.subdir",
    "source.http",
    "source.http.checksum",
    "source.http.perm",
    "source.ocilayout",
    "soruce.http.uidgid",
    "source.buildop.llbfilename",
    "exec.meta.base",
    "exec.meta.cgroup.parent",
    "exec.meta.proxyenv",
    "exec.meta.network",
    "exec.meta.setsdefaultpath",
    "exec.meta.security",
    "exec.meta.security.devices.v1",
    "exec.meta.ulimit",
    "exec.mount.bind",
    "exec.mount.bind.readwrite-nooutput",
    "exec.mount.cache",
    "exec.mount.cache.sharing",
    "exec.mount.selector",
    "exec.mount.tmpfs",
    "exec.mount.tmpfs.size",
    "exec.mount.secret",
    "exec.mount.ssh",
    "exec.mount.cache.content",
    "exec.cgroup",
    "exec.secretenv",
    "file.base",
    "file.rm.wildcard",
    "file.rm.nofollowsymlink",
    "file.copy.includeexcludepatterns",
    "constraints",
    "platform",
    "meta.ignorecache",
    "meta.description",
    "meta.exportcache",
    "cache.gha",
    "cache.s3",
    "cache.azblob",
    "mergeop",
    "diffop",
    "exporter.image.annotations",
    "exporter.image.attestations",
    "exporter.sourcedateepoch",
    "exporter.multiple",
    "source.policy",
];

/// LLB caps a BuildKit v0.25.2 daemon (Docker 28.5.2) enables: every `Caps.Init` of its
/// `solver/pb/caps.go`, in that order. `file.copy.modestring` is declared there (and in every
/// later version up to 1.26's v0.32) but never registered, so no daemon advertises it; the
/// daemon has applied `FileActionCopy.modeStr` since v0.17 all the same.
pub(super) const LLB_CAPS_V0_25: &[&str] = &[
    "source.image",
    "source.image.resolvemode",
    "source.image.layerlimit",
    "source.image.checksum",
    "source.local",
    "source.local.unique",
    "source.local.sessionid",
    "source.local.includepatterns",
    "source.local.followpaths",
    "source.local.excludepatterns",
    "source.local.sharedkeyhint",
    "source.local.differ",
    "source.local.metadatatransfer",
    "source.git",
    "source.git.keepgitdir",
    "source.git.fullurl",
    "source.git.httpauth",
    "source.git.knownsshhosts",
    "source.git.mountsshsock",
    "source.git.subdir",
    "source.git.checksum",
    "source.git.skipsubmodules",
    "source.http",
    "source.http.checksum",
    "source.http.perm",
    "source.http.auth",
    "soruce.http.uidgid",
    "source.http.header",
    "source.ocilayout",
    "source.buildop.llbfilename",
    "exec.meta.base",
    "exec.meta.cgroup.parent",
    "exec.meta.proxyenv",
    "exec.meta.network",
    "exec.meta.setsdefaultpath",
    "exec.meta.security",
    "exec.meta.security.devices.v1",
    "exec.meta.ulimit",
    "exec.meta.cdi",
    "exec.mount.bind",
    "exec.mount.bind.readwrite-nooutput",
    "exec.mount.cache",
    "exec.mount.cache.sharing",
    "exec.mount.selector",
    "exec.mount.tmpfs",
    "exec.mount.tmpfs.size",
    "exec.mount.secret",
    "exec.mount.ssh",
    "exec.mount.cache.content",
    "exec.cgroup",
    "exec.secretenv",
    "exec.validexitcode",
    "file.base",
    "file.rm.wildcard",
    "file.rm.nofollowsymlink",
    "file.copy.includeexcludepatterns",
    "file.copy.alwaysreplaceexistingdestpaths",
    "file.symlink.create",
    "constraints",
    "platform",
    "meta.ignorecache",
    "meta.description",
    "meta.exportcache",
    "cache.gha",
    "cache.s3",
    "cache.azblob",
    "mergeop",
    "diffop",
    "exporter.image.annotations",
    "exporter.image.attestations",
    "exporter.sourcedateepoch",
    "exporter.multiple",
    "exporter.session",
    "source.policy",
    "gc.freespacefilter",
    "history.filter",
];

/// `apicaps.CapStatus` (no LLB cap is `CapStatusStable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CapStatus {
    /// `CapStatusExperimental` (every LLB cap but `file.base`).
    Experimental,
    /// `CapStatusPrerelease`.
    Prerelease,
}

/// What `solver/pb/caps.go` says about one cap.
#[derive(Debug, Clone, Copy)]
pub(super) struct CapDefinition {
    /// Status.
    pub status: CapStatus,
    /// `Name`, when it has one.
    pub name: Option<&'static str>,
    /// `SupportedHint`: (product, first version).
    pub hints: &'static [(&'static str, &'static str)],
}

/// LLB caps newer than v0.25 that gofront can record (dockerfile/1.26.0's `solver/pb/caps.go`).
const NEWER_CAPS: &[&str] = &[
    "file.copy.requiredpaths",
    "file.copy.modestring",
    "source.git.signatureverify",
    "source.git.mtime",
    "source.git.fetchbycommit",
    "source.git.bundle",
    "source.git.checkoutbundle",
    "source.http.signatureverify",
    "source.imageblob",
    "exec.meta.linux.resources",
    "exec.meta.network.proxy",
    "passthroughop",
    "source.policy.session",
];

/// The definition of a cap BuildKit (as of dockerfile/1.26.0) knows, `None` for any other id.
pub(super) fn cap_status(cap: &str) -> Option<CapDefinition> {
    let known = LLB_CAPS_V0_25.contains(&cap)
        || NEWER_CAPS.contains(&cap)
        || cap == "exec.meta.removemountstubs.recursive";
    if !known {
        return None;
    }
    Some(match cap {
        "file.base" => CapDefinition {
            status: CapStatus::Prerelease,
            name: None,
            hints: &[("docker", "Docker v19.03"), ("buildkit", "BuildKit v0.5.0")],
        },
        "exporter.sourcedateepoch" => CapDefinition {
            status: CapStatus::Experimental,
            name: Some("source date epoch"),
            hints: &[],
        },
        _ => CapDefinition {
            status: CapStatus::Experimental,
            name: None,
            hints: &[],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_lists_have_the_daemon_ping_counts() {
        assert_eq!(LLB_CAPS_V0_13.len(), 63);
        assert_eq!(LLB_CAPS_V0_25.len(), 76);
        for cap in LLB_CAPS_V0_13 {
            assert!(LLB_CAPS_V0_25.contains(cap), "{cap} vanished");
        }
        assert!(!LLB_CAPS_V0_25.contains(&"file.copy.modestring"));
    }
}
