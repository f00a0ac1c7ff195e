//! The other `RUN` flag values: `--network` (BuildKit's `commands_runnetwork.go`),
//! `--security` (`commands_runsecurity.go`, mainline since Dockerfile 1.20) and `--device`
//! (`commands_rundevice.go`: parsed by mainline, refused at conversion up to 1.26).
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

/// `ParseDevice`: a CSV record `name[,required[=bool]]` (or `name=<n>`); the parse-time checks.
pub fn parse_device(raw: &str) -> Result<(), String> {
    let fields = crate::gostd::csv::read_record(raw)
        .map_err(|e| format!("failed to parse csv devices: {e}"))?;
    let mut name = String::new();
    for field in &fields {
        let (key, value) = match field.split_once('=') {
            Some((k, v)) => (k.to_lowercase(), Some(v)),
            None => (field.to_lowercase(), None),
        };
        match (key.as_str(), value) {
            ("required", None) => {}
            (_, None) if name.is_empty() => name = field.clone(),
            (_, None) => return Err(format!("invalid field '{field}' must be a key=value pair")),
            ("name", Some(v)) => {
                if !name.is_empty() {
                    return Err(format!("device name already set to {name}"));
                }
                name = v.to_string();
            }
            ("required", Some(v)) => {
                crate::gostd::strconv::parse_bool(v)
                    .map_err(|_| format!("invalid value for {key}: {v}"))?;
            }
            _ if name.is_empty() => name = field.clone(),
            _ => {
                return Err(super::flags::with_suggestion(
                    format!("unexpected key '{key}' in '{field}'"),
                    &key,
                    &["name", "required"],
                    true,
                ))
            }
        }
    }
    Ok(())
}
