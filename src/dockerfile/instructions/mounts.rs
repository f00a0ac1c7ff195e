//! `RUN --mount` values as the Dockerfile frontend's `instructions/commands_runmount.go` (1.26) reads them: one
//! CSV record of `key=value` fields (see [`crate::gostd::csv`]), validated key by key with its
//! error texts, into a typed [`Mount`]; and the parse-time check BuildKit runs before expansion.
//!
//! Not for: what a mount does to the build (convert) or other RUN flags (`run_flags`).

use super::flags::with_suggestion;
use crate::gostd::strconv::{parse_bool, parse_uint, quote};

/// `RUN --mount` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountType {
    /// `type=bind` (the default).
    Bind,
    /// `type=cache`.
    Cache,
    /// `type=tmpfs`.
    Tmpfs,
    /// `type=secret`.
    Secret,
    /// `type=ssh`.
    Ssh,
}

impl MountType {
    /// The name as written in Dockerfiles.
    pub fn as_str(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Cache => "cache",
            MountType::Tmpfs => "tmpfs",
            MountType::Secret => "secret",
            MountType::Ssh => "ssh",
        }
    }
}

/// Cache mount `sharing=` mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheSharing {
    /// `shared` (the default).
    #[default]
    Shared,
    /// `private`.
    Private,
    /// `locked`.
    Locked,
}

/// One parsed `RUN --mount` value (after expansion of its option values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Mount type.
    pub kind: MountType,
    /// `from=` (stage, image or context name).
    pub from: Option<String>,
    /// `source=`/`src=`.
    pub source: Option<String>,
    /// `target=`/`dst=`/`destination=`; "" only for ssh/secret defaults, resolved by convert.
    pub target: String,
    /// Read-only (default: true for bind/secret/ssh, false for cache/tmpfs).
    pub read_only: bool,
    /// `id=`.
    pub cache_id: Option<String>,
    /// `sharing=` (cache only; `Shared` when not given).
    pub sharing: CacheSharing,
    /// `mode=` (octal).
    pub mode: Option<u32>,
    /// `uid=`.
    pub uid: Option<u32>,
    /// `gid=`.
    pub gid: Option<u32>,
    /// `size=` of tmpfs mounts, in bytes.
    pub size_limit: Option<i64>,
    /// `required` (secret/ssh).
    pub required: bool,
    /// `env=`: the environment variable a secret is exposed in (Dockerfile 1.10+).
    pub env: Option<String>,
}

const MOUNT_TYPES: [&str; 5] = ["bind", "cache", "tmpfs", "secret", "ssh"];
const SHARE_MODES: [&str; 3] = ["shared", "private", "locked"];
const MOUNT_KEYS: [&str; 19] = [
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
];

/// Parses one raw `--mount` value; each field value is passed through `expand` first (BuildKit expands
/// mount option values with the current env). Errors are plain messages (convert adds the line).
pub fn parse_mount(
    raw: &str,
    expand: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Mount, String> {
    let fields = crate::gostd::csv::read_record(raw)
        .map_err(|e| format!("failed to parse csv mounts: {e}"))?;
    let mut m = Mount {
        kind: MountType::Bind,
        from: None,
        source: None,
        target: String::new(),
        read_only: false,
        cache_id: None,
        sharing: CacheSharing::Shared,
        mode: None,
        uid: None,
        gid: None,
        size_limit: None,
        required: false,
        env: None,
    };
    let mut ro_auto = true;
    let mut sharing_set = false;

    for field in &fields {
        let (key, value) = match field.split_once('=') {
            Some((k, v)) => (k.to_lowercase(), Some(v)),
            None => (field.to_lowercase(), None),
        };
        let Some(value) = value else {
            match key.as_str() {
                "readonly" | "ro" => {
                    m.read_only = true;
                    ro_auto = false;
                }
                "readwrite" | "rw" => {
                    m.read_only = false;
                    ro_auto = false;
                }
                "required" if matches!(m.kind, MountType::Secret | MountType::Ssh) => {
                    m.required = true;
                }
                "required" => {
                    return Err(format!(
                        "unexpected key '{key}' for mount type '{}'",
                        m.kind.as_str()
                    ))
                }
                _ => return Err(format!("invalid field '{field}' must be a key=value pair")),
            }
            continue;
        };
        let value = expand(value)?;
        let unexpected = |m: &Mount| {
            format!(
                "unexpected key '{key}' for mount type '{}'",
                m.kind.as_str()
            )
        };
        match key.as_str() {
            "type" => {
                m.kind = match value.to_lowercase().as_str() {
                    "bind" => MountType::Bind,
                    "cache" => MountType::Cache,
                    "tmpfs" => MountType::Tmpfs,
                    "secret" => MountType::Secret,
                    "ssh" => MountType::Ssh,
                    _ => {
                        return Err(with_suggestion(
                            format!("unsupported mount type {}", quote(&value)),
                            &value,
                            &MOUNT_TYPES,
                            true,
                        ))
                    }
                }
            }
            "from" => m.from = Some(value),
            "source" | "src" => m.source = Some(value),
            "target" | "dst" | "destination" => m.target = value,
            "readonly" | "ro" => {
                m.read_only = parse_bool(&value)
                    .ok()
                    .ok_or_else(|| format!("invalid value for {key}: {value}"))?;
                ro_auto = false;
            }
            "readwrite" | "rw" => {
                let rw = parse_bool(&value)
                    .ok()
                    .ok_or_else(|| format!("invalid value for {key}: {value}"))?;
                m.read_only = !rw;
                ro_auto = false;
            }
            "required" => {
                if !matches!(m.kind, MountType::Secret | MountType::Ssh) {
                    return Err(unexpected(&m));
                }
                m.required = parse_bool(&value)
                    .ok()
                    .ok_or_else(|| format!("invalid value for {key}: {value}"))?;
            }
            "size" => {
                if m.kind != MountType::Tmpfs {
                    return Err(unexpected(&m));
                }
                m.size_limit = Some(
                    ram_in_bytes(&value)
                        .ok_or_else(|| format!("invalid value for {key}: {value}"))?,
                );
            }
            "id" => m.cache_id = Some(value),
            "sharing" => {
                m.sharing = match value.to_lowercase().as_str() {
                    "shared" => CacheSharing::Shared,
                    "private" => CacheSharing::Private,
                    "locked" => CacheSharing::Locked,
                    _ => {
                        return Err(with_suggestion(
                            format!("unsupported sharing value {}", quote(&value)),
                            &value,
                            &SHARE_MODES,
                            true,
                        ))
                    }
                };
                sharing_set = true;
            }
            "mode" => {
                m.mode = Some(
                    parse_uint(&value, 8, 32)
                        .ok()
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| format!("invalid value {value} for mode"))?,
                )
            }
            "uid" => {
                m.uid = Some(
                    parse_uint(&value, 10, 32)
                        .ok()
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| format!("invalid value {value} for uid"))?,
                )
            }
            "gid" => {
                m.gid = Some(
                    parse_uint(&value, 10, 32)
                        .ok()
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| format!("invalid value {value} for gid"))?,
                )
            }
            // Any mount type accepts `env=` (only secrets use it), Dockerfile 1.10+.
            "env" => m.env = Some(value),
            _ => {
                return Err(with_suggestion(
                    format!("unexpected key '{key}' in '{field}'"),
                    &key,
                    &MOUNT_KEYS,
                    true,
                ))
            }
        }
    }

    let file_info_allowed = matches!(
        m.kind,
        MountType::Secret | MountType::Ssh | MountType::Cache
    );
    if !file_info_allowed {
        let kind = quote(m.kind.as_str());
        if m.mode.is_some() {
            return Err(format!("mode not allowed for {kind} type mounts"));
        }
        if m.uid.is_some() {
            return Err(format!("uid not allowed for {kind} type mounts"));
        }
        if m.gid.is_some() {
            return Err(format!("gid not allowed for {kind} type mounts"));
        }
    }
    if ro_auto {
        m.read_only = !matches!(m.kind, MountType::Cache | MountType::Tmpfs);
    }
    if m.kind == MountType::Secret {
        if m.from.as_deref().is_some_and(|f| !f.is_empty()) {
            return Err("secret mount should not have a from".into());
        }
        if sharing_set {
            return Err("secret mount should not define sharing".into());
        }
        let empty = |v: &Option<String>| v.as_deref().unwrap_or("").is_empty();
        if empty(&m.source) && m.target.is_empty() && empty(&m.cache_id) {
            return Err("invalid secret mount. one of source, target required".into());
        }
        if !empty(&m.source) && !empty(&m.cache_id) {
            return Err("both source and id can't be set".into());
        }
    }
    if sharing_set && m.kind != MountType::Cache {
        return Err(format!(
            "invalid cache sharing set for {} mount",
            m.kind.as_str()
        ));
    }
    Ok(m)
}

/// The parse-time check BuildKit runs on `--mount` values before expansion: valid CSV, and no
/// variable in `from=`.
pub(super) fn precheck_mount(raw: &str) -> Result<(), String> {
    let fields = crate::gostd::csv::read_record(raw)
        .map_err(|e| format!("failed to parse csv mounts: {e}"))?;
    for field in fields {
        if let Some((key, value)) = field.split_once('=') {
            let has_var = value
                .char_indices()
                .any(|(i, c)| c == '$' && value[i + 1..].chars().next().is_some_and(|n| n != '\n'));
            if key.eq_ignore_ascii_case("from") && has_var {
                return Err(format!(
                    "'{}' doesn't support variable expansion, define alias stage instead",
                    key.to_lowercase()
                ));
            }
        }
    }
    Ok(())
}

/// go-units `RAMInBytes` (`^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$`, binary multiples).
pub(super) fn ram_in_bytes(s: &str) -> Option<i64> {
    let num_len = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(s.len(), |(i, _)| i);
    let (num, mut rest) = s.split_at(num_len);
    // \d+(\.\d+)*
    if num.is_empty() || num.split('.').any(str::is_empty) {
        return None;
    }
    rest = rest.strip_prefix(' ').unwrap_or(rest);
    let mut chars = rest.chars().peekable();
    let mut mul: f64 = 1.0;
    if let Some(c) = chars.peek().copied() {
        let pow = match c.to_ascii_lowercase() {
            'k' => Some(1),
            'm' => Some(2),
            'g' => Some(3),
            't' => Some(4),
            'p' => Some(5),
            _ => None,
        };
        if let Some(p) = pow {
            mul = 1024f64.powi(p);
            chars.next();
        }
    }
    if chars.peek().is_some_and(|c| c.eq_ignore_ascii_case(&'i')) {
        chars.next();
    }
    if chars.peek().is_some_and(|c| c.eq_ignore_ascii_case(&'b')) {
        chars.next();
    }
    if chars.next().is_some() {
        return None;
    }
    let size: f64 = num.parse().ok()?;
    Some((size * mul) as i64)
}
