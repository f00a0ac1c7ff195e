//! The other `RUN` flag values: `--network` (BuildKit's `commands_runnetwork.go`) and
//! `--security` (`commands_runsecurity.go`, labs only in v0.13).
//!
//! Not for: `--mount` (see `mounts`).

use crate::gostd::strconv::quote;
use crate::options::NetworkMode;

/// `RUN --security` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// `sandbox` (the default).
    #[default]
    Sandbox,
    /// `insecure` (needs the `security.insecure` entitlement).
    Insecure,
}

/// `RUN --network` value (`default` → [`NetworkMode::Sandbox`]).
pub fn parse_network(raw: &str) -> Result<NetworkMode, String> {
    match raw {
        "default" => Ok(NetworkMode::Sandbox),
        "none" => Ok(NetworkMode::None),
        "host" => Ok(NetworkMode::Host),
        _ => Err(format!("invalid network mode {}", quote(raw))),
    }
}

/// `RUN --security` value.
pub fn parse_security(raw: &str) -> Result<Security, String> {
    match raw {
        "sandbox" => Ok(Security::Sandbox),
        "insecure" => Ok(Security::Insecure),
        _ => Err(format!("security {} is not valid", quote(raw))),
    }
}
