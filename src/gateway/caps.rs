//! Capabilities on the gateway side: which gateway API calls the daemon enables
//! ([`FrontendCaps`], from Ping), the LLB caps read from the same Ping, and the check of what a
//! client requires with `frontend.caps` against what gofront implements
//! ([`crate::frontend::FRONTEND_CAPS`]).
//!
//! Not for: which LLB features an op needs (see `crate::llb::required_caps`).

use std::collections::BTreeSet;

use super::errors;
use super::proto::apicaps_pb::ApiCap;
use super::proto::rpc_pb;
use crate::frontend::FRONTEND_CAPS;
use crate::llb::Caps;

/// Gateway API caps a BuildKit v0.13 daemon enables (its `frontend/gateway/pb/caps.go`).
const FRONTEND_CAPS_V0_13: &[&str] = &[
    "solve.base",
    "solve.inlinereturn",
    "resolveimage",
    "resolveimage.resolvemode",
    "readfile",
    "return",
    "returnmap",
    "readdir",
    "statfile",
    "importcaches",
    "proto.refarray",
    "reference.output",
    "frontend.inputs",
    "gateway.solve.metadata",
    "gateway.exec",
    "gateway.exec.extrahosts",
    "gateway.exec.secretenv",
    "gateway.exec.signals",
    "frontend.caps",
    "gateway.solve.evaluate",
    "gateway.evaluate",
    "gateway.warnings",
    "reference.attestations",
    "source.metaresolver",
];

/// Enabled gateway API caps of the daemon (from Ping's `FrontendAPICaps`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontendCaps {
    enabled: BTreeSet<String>,
}

impl FrontendCaps {
    /// Caps from a list of enabled cap ids.
    pub fn from_enabled(ids: impl IntoIterator<Item = String>) -> Self {
        FrontendCaps {
            enabled: ids.into_iter().collect(),
        }
    }

    /// Caps from Ping's `FrontendAPICaps` records, keeping only the enabled ones.
    pub fn from_api_caps(caps: &[ApiCap]) -> Self {
        Self::from_enabled(enabled_ids(caps))
    }

    /// What a stock Docker 26.1 daemon (embedded BuildKit v0.13) enables.
    pub fn v0_13_defaults() -> Self {
        Self::from_enabled(FRONTEND_CAPS_V0_13.iter().map(|s| s.to_string()))
    }

    /// Whether the daemon enables `cap`.
    pub fn has(&self, cap: &str) -> bool {
        self.enabled.contains(cap)
    }
}

fn enabled_ids(caps: &[ApiCap]) -> impl Iterator<Item = String> + '_ {
    caps.iter().filter(|c| c.enabled).map(|c| c.id.clone())
}

/// The LLB caps of Ping's `LLBCaps` records (only the enabled ones); BuildKit v0.13's defaults
/// when the daemon sent none.
pub fn llb_caps(caps: &[ApiCap]) -> Caps {
    if caps.is_empty() {
        Caps::v0_13_defaults()
    } else {
        Caps::from_enabled(enabled_ids(caps))
    }
}

/// Refuses a `frontend.caps` requirement gofront does not implement (`name+version` entries
/// are compared by name).
pub fn check_frontend_caps(requested: &[String]) -> Result<(), rpc_pb::Status> {
    for cap in requested {
        let name = cap.split('+').next().unwrap_or("");
        if !FRONTEND_CAPS.contains(&name) {
            return Err(errors::unsupported_frontend_cap(name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v0_13_defaults_match_the_daemon_ping_count() {
        assert_eq!(FrontendCaps::v0_13_defaults().enabled.len(), 24);
        assert!(FrontendCaps::v0_13_defaults().has("gateway.warnings"));
    }

    #[test]
    fn ping_caps_keep_only_enabled_ones() {
        let caps = [
            ApiCap {
                id: "a".into(),
                enabled: true,
                ..Default::default()
            },
            ApiCap {
                id: "b".into(),
                enabled: false,
                ..Default::default()
            },
        ];
        let c = llb_caps(&caps);
        assert!(c.has("a"));
        assert!(!c.has("b"));
        let f = FrontendCaps::from_api_caps(&caps);
        assert!(f.has("a") && !f.has("b"));
        assert_eq!(llb_caps(&[]), Caps::v0_13_defaults());
    }

    #[test]
    fn unknown_required_frontend_caps_are_refused() {
        assert!(check_frontend_caps(&["moby.buildkit.frontend.inputs+1".into()]).is_ok());
        assert!(
            check_frontend_caps(&["moby.buildkit.frontend.gitquerystring+forward".into()]).is_ok()
        );
        let err =
            check_frontend_caps(&["moby.buildkit.frontend.contexts.zstd".into()]).unwrap_err();
        assert_eq!(err.code, errors::Code::Unimplemented as i32);
    }
}
