//! Build options: what the client asked for (`--target`, `--build-arg`, `--platform`, ...), as one
//! typed value shared by the gateway (which reads `BUILDKIT_FRONTEND_OPT_*`) and the CLI (which
//! builds the same key/value map from its flags). Parsing lives here so both agree.
//!
//! Not for: what the daemon offers (caps, workers, session id): see
//! [`crate::convert::DaemonInfo`].

use std::collections::BTreeMap;

use crate::gostd::csv::read_record;
use crate::gostd::strconv::{parse_bool, parse_int, parse_uint};
use crate::platform::Platform;

/// How `FROM` images are resolved (`image-resolve-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageResolveMode {
    /// Registry or local store, as the daemon prefers.
    #[default]
    Default,
    /// Always ask the registry.
    Pull,
    /// Local store only.
    Local,
}

/// `force-network-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkMode {
    /// The default sandbox network.
    #[default]
    Sandbox,
    /// No network.
    None,
    /// The host's network (needs the `network.host` entitlement).
    Host,
}

/// A `ulimit` option entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ulimit {
    /// Name, e.g. `nofile`.
    pub name: String,
    /// Soft limit.
    pub soft: i64,
    /// Hard limit.
    pub hard: i64,
}

/// `no-cache`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NoCache {
    /// Use the cache.
    #[default]
    Off,
    /// Ignore the cache for every stage.
    All,
    /// Ignore the cache for these stages (lower-cased names).
    Stages(Vec<String>),
}

/// A subrequest asked for with `requestid` (`--call`, `--print`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subrequest {
    /// `frontend.subrequests.describe`.
    Describe,
    /// `frontend.outline`.
    Outline,
    /// `frontend.targets`.
    Targets,
    /// `frontend.lint`.
    Lint,
    /// Something we do not implement (the id as given).
    Unsupported(String),
}

/// Everything the client asked for, parsed and validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildOptions {
    /// Dockerfile name inside the `dockerfile` local (`filename`, default `Dockerfile`).
    pub filename: String,
    /// Name of the local holding the Dockerfile (`dockerfilekey`, default `dockerfile`).
    pub dockerfile_key: String,
    /// Name of the local holding the context (`contextkey`, default `context`).
    pub context_key: String,
    /// `context` when it is a remote (git/http) context, as given.
    pub remote_context: Option<String>,
    /// `contextsubdir`.
    pub context_subdir: Option<String>,
    /// `input-metadata:<input>` values (JSON object of base64 values; `containerimage.config`
    /// gives an `input:` context its image config).
    pub input_metadata: BTreeMap<String, String>,
    /// `target` stage (lower-cased), if any.
    pub target: Option<String>,
    /// `build-arg:NAME=value` entries (includes BUILDKIT_* and GOFRONT* args).
    pub build_args: BTreeMap<String, String>,
    /// `label:KEY=value` entries.
    pub labels: BTreeMap<String, String>,
    /// Target platforms (`platform`); empty = the build platform.
    pub platforms: Vec<Platform>,
    /// `multi-platform` (force the multi-platform result shape).
    pub multi_platform: bool,
    /// `image-resolve-mode`.
    pub image_resolve_mode: ImageResolveMode,
    /// `no-cache`.
    pub no_cache: NoCache,
    /// `force-network-mode`.
    pub network_mode: NetworkMode,
    /// `add-hosts`: (host, ip) in order.
    pub extra_hosts: Vec<(String, String)>,
    /// `hostname` (or `BUILDKIT_SANDBOX_HOSTNAME`).
    pub hostname: Option<String>,
    /// `shm-size` in bytes (0 = unset).
    pub shm_size: u64,
    /// `ulimit`.
    pub ulimits: Vec<Ulimit>,
    /// `cgroup-parent`.
    pub cgroup_parent: Option<String>,
    /// `context:NAME` named contexts (name lower-cased → value); keys may carry `::platform`.
    pub named_contexts: BTreeMap<String, String>,
    /// `cache-imports` / `cache-from` entries as (type, attrs).
    pub cache_imports: Vec<(String, BTreeMap<String, String>)>,
    /// `requestid` subrequest, if any.
    pub subrequest: Option<Subrequest>,
    /// `frontend.caps` requested by the client.
    pub frontend_caps: Vec<String>,
    /// Every option as received, for anything not modelled above.
    /// `local-sessionid:<local>` (Dockerfile 1.10): the session serving that local (buildx
    /// sends it when bake shares sessions); the build's session otherwise.
    pub local_session_ids: BTreeMap<String, String>,
    /// `sharedkey:localdir:<named context>` (1.22): shared-key suffix of a `local:` named
    /// context's source.
    pub shared_keys: BTreeMap<String, String>,
    pub raw: BTreeMap<String, String>,
}

/// An option value BuildKit's Dockerfile frontend would refuse, with its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// `platform` holds something that is not a platform.
    #[error("failed to parse target platform {value}: {reason}")]
    Platform {
        /// The offending entry.
        value: String,
        /// Why.
        reason: String,
    },
    /// `image-resolve-mode` is not `default`, `pull` or `local`.
    #[error("invalid image-resolve-mode: {0}")]
    ResolveMode(String),
    /// `force-network-mode` is not `sandbox`, `none` or `host`.
    #[error("invalid netmode {0}")]
    NetworkMode(String),
    /// `add-hosts` is malformed.
    #[error("failed to parse additional hosts: {0}")]
    ExtraHosts(String),
    /// `shm-size` is not a byte count.
    #[error("failed to parse shm size: {0}")]
    ShmSize(String),
    /// `ulimit` is malformed.
    #[error("failed to parse ulimit: {0}")]
    Ulimit(String),
    /// `multi-platform` / `BUILDKIT_MULTI_PLATFORM` is not a boolean.
    #[error("invalid boolean value for multi-platform: {0}")]
    MultiPlatform(String),
    /// `multi-platform=false` with several platforms.
    #[error("conflicting config: returning multiple target platforms is not allowed")]
    MultiPlatformConflict,
    /// `cache-imports` is not the JSON list BuildKit expects.
    #[error("failed to unmarshal cache-imports ({value:?}): {reason}")]
    CacheImports {
        /// The value as given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// An option removed from BuildKit that we refuse like it does.
    #[error("{0}")]
    Removed(String),
}

const BUILD_ARG_PREFIX: &str = "build-arg:";
const LABEL_PREFIX: &str = "label:";
const CONTEXT_PREFIX: &str = "context:";
/// Prefix of the environment variables BuildKit passes options in.
pub const ENV_OPT_PREFIX: &str = "BUILDKIT_FRONTEND_OPT_";

impl BuildOptions {
    /// Parses the option map BuildKit hands a frontend (the same keys `dockerfile.v0` reads),
    /// applying its defaults and validation rules.
    pub fn from_opts(opts: &BTreeMap<String, String>) -> Result<BuildOptions, OptionsError> {
        check_removed(opts)?;
        let get = |k: &str| opts.get(k).map(String::as_str);
        let non_empty = |k: &str| get(k).filter(|v| !v.is_empty()).map(str::to_string);

        let context_key = get("contextkey").unwrap_or("context").to_string();
        let platforms = parse_platforms(get("platform").unwrap_or(""))?;
        let multi_platform = parse_multi_platform(opts, platforms.len())?;
        let build_args = with_prefix(opts, BUILD_ARG_PREFIX);
        let hostname = build_args
            .get("BUILDKIT_SANDBOX_HOSTNAME")
            .filter(|v| !v.is_empty())
            .cloned()
            .or_else(|| non_empty("hostname"));

        Ok(BuildOptions {
            filename: get("filename").unwrap_or("Dockerfile").to_string(),
            dockerfile_key: get("dockerfilekey").unwrap_or("dockerfile").to_string(),
            remote_context: non_empty(&context_key),
            context_key,
            context_subdir: get("contextsubdir").map(str::to_string),
            input_metadata: with_prefix(opts, "input-metadata:"),
            target: non_empty("target").map(|t| t.to_lowercase()),
            labels: with_prefix(opts, LABEL_PREFIX),
            build_args,
            platforms,
            multi_platform,
            image_resolve_mode: parse_resolve_mode(get("image-resolve-mode").unwrap_or(""))?,
            no_cache: parse_no_cache(get("no-cache")),
            network_mode: parse_network_mode(get("force-network-mode").unwrap_or(""))?,
            extra_hosts: parse_extra_hosts(get("add-hosts").unwrap_or(""))?,
            hostname,
            shm_size: parse_shm_size(get("shm-size").unwrap_or(""))?,
            ulimits: parse_ulimits(get("ulimit").unwrap_or(""))?,
            cgroup_parent: non_empty("cgroup-parent"),
            named_contexts: parse_named_contexts(opts),
            cache_imports: parse_cache_imports(
                get("cache-imports").unwrap_or(""),
                get("cache-from").unwrap_or(""),
            )?,
            subrequest: get("requestid").map(Subrequest::from_id),
            frontend_caps: split_list(get("frontend.caps").unwrap_or("")),
            local_session_ids: with_prefix(opts, "local-sessionid:"),
            shared_keys: with_prefix(opts, "sharedkey:localdir:"),
            raw: opts.clone(),
        })
    }

    /// The session id serving the local `name` (`local-sessionid:<name>`, else `default`).
    pub fn session_for(&self, name: &str, default: &str) -> String {
        self.local_session_ids
            .get(name)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }

    /// True when `no-cache` covers the stage named `name` (unnamed stages only with `All`).
    pub fn is_no_cache(&self, name: &str) -> bool {
        match &self.no_cache {
            NoCache::Off => false,
            NoCache::All => true,
            NoCache::Stages(stages) => stages.iter().any(|s| s.eq_ignore_ascii_case(name)),
        }
    }

    /// True when the client named the Dockerfile local explicitly (`dockerfilekey`), which makes
    /// `dockerfile.v0` read the Dockerfile from that local even when inputs are given.
    pub fn force_local_dockerfile(&self) -> bool {
        self.raw.contains_key("dockerfilekey")
    }
}

/// Collects `BUILDKIT_FRONTEND_OPT_<n>=<key>=<value>` variables into an option map (the value
/// is split on its first `=`; entries without one are ignored).
pub fn opts_from_env_vars(
    vars: impl IntoIterator<Item = (String, String)>,
) -> BTreeMap<String, String> {
    vars.into_iter()
        .filter(|(k, _)| k.starts_with(ENV_OPT_PREFIX))
        .filter_map(|(_, v)| {
            let (key, value) = v.split_once('=')?;
            Some((key.to_string(), value.to_string()))
        })
        .collect()
}

impl Subrequest {
    /// Maps a `requestid` value to the subrequest it names.
    pub fn from_id(id: &str) -> Subrequest {
        match id {
            "frontend.subrequests.describe" => Subrequest::Describe,
            "frontend.outline" => Subrequest::Outline,
            "frontend.targets" => Subrequest::Targets,
            "frontend.lint" => Subrequest::Lint,
            other => Subrequest::Unsupported(other.to_string()),
        }
    }

    /// The `requestid` spelling of this subrequest.
    pub fn id(&self) -> &str {
        match self {
            Subrequest::Describe => "frontend.subrequests.describe",
            Subrequest::Outline => "frontend.outline",
            Subrequest::Targets => "frontend.targets",
            Subrequest::Lint => "frontend.lint",
            Subrequest::Unsupported(id) => id,
        }
    }
}

impl ImageResolveMode {
    /// The attribute spelling (`default`, `pull`, `local`) used by `ResolveImageConfig` and
    /// `image.resolvemode`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageResolveMode::Default => "default",
            ImageResolveMode::Pull => "pull",
            ImageResolveMode::Local => "local",
        }
    }
}

fn check_removed(opts: &BTreeMap<String, String>) -> Result<(), OptionsError> {
    if opts
        .get("override-copy-image")
        .is_some_and(|v| !v.is_empty())
    {
        return Err(OptionsError::Removed(
            "support for \"override-copy-image\" was removed in BuildKit 0.11".into(),
        ));
    }
    if let Some(v) = opts.get("build-arg:BUILDKIT_DISABLE_FILEOP") {
        if parse_bool(v) == Ok(true) {
            return Err(OptionsError::Removed(
                "support for \"BUILDKIT_DISABLE_FILEOP\" build-arg was removed in BuildKit 0.11"
                    .into(),
            ));
        }
    }
    Ok(())
}

fn with_prefix(opts: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    opts.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_string(), v.clone())))
        .collect()
}

fn split_list(v: &str) -> Vec<String> {
    if v.is_empty() {
        return Vec::new();
    }
    v.split(',').map(str::to_string).collect()
}

fn parse_platforms(v: &str) -> Result<Vec<Platform>, OptionsError> {
    if v.is_empty() {
        return Ok(Vec::new());
    }
    v.split(',')
        .map(|p| {
            Platform::parse(p).map_err(|e| OptionsError::Platform {
                value: p.to_string(),
                reason: e.reason,
            })
        })
        .collect()
}

fn parse_multi_platform(
    opts: &BTreeMap<String, String>,
    platform_count: usize,
) -> Result<bool, OptionsError> {
    let mut multi = platform_count > 1;
    let explicit = opts
        .get("build-arg:BUILDKIT_MULTI_PLATFORM")
        .filter(|v| !v.is_empty())
        .or_else(|| opts.get("multi-platform").filter(|v| !v.is_empty()));
    if let Some(v) = explicit {
        let b = parse_bool(v).map_err(|_| OptionsError::MultiPlatform(v.clone()))?;
        if !b && multi {
            return Err(OptionsError::MultiPlatformConflict);
        }
        multi = b;
    }
    Ok(multi)
}

fn parse_resolve_mode(v: &str) -> Result<ImageResolveMode, OptionsError> {
    match v {
        "" | "default" => Ok(ImageResolveMode::Default),
        "pull" => Ok(ImageResolveMode::Pull),
        "local" => Ok(ImageResolveMode::Local),
        other => Err(OptionsError::ResolveMode(other.to_string())),
    }
}

fn parse_network_mode(v: &str) -> Result<NetworkMode, OptionsError> {
    match v {
        "" | "sandbox" => Ok(NetworkMode::Sandbox),
        "none" => Ok(NetworkMode::None),
        "host" => Ok(NetworkMode::Host),
        other => Err(OptionsError::NetworkMode(other.to_string())),
    }
}

fn parse_no_cache(v: Option<&str>) -> NoCache {
    match v {
        None => NoCache::Off,
        Some("") => NoCache::All,
        Some(list) => NoCache::Stages(list.split(',').map(|s| s.to_lowercase()).collect()),
    }
}

fn parse_extra_hosts(v: &str) -> Result<Vec<(String, String)>, OptionsError> {
    if v.is_empty() {
        return Ok(Vec::new());
    }
    read_record(v)
        .map_err(|e| OptionsError::ExtraHosts(e.to_string()))?
        .into_iter()
        .map(|field| {
            let lower = field.to_lowercase();
            let (host, ip) = lower.split_once('=').ok_or_else(|| {
                OptionsError::ExtraHosts(format!("invalid key-value pair {field}"))
            })?;
            let ip = format_go_ip(ip)
                .ok_or_else(|| OptionsError::ExtraHosts(format!("failed to parse IP {ip}")))?;
            Ok((host.to_string(), ip))
        })
        .collect()
}

/// Parses an IP address and prints it like Go's `net.IP.String` (IPv4-mapped IPv6 addresses
/// print as IPv4).
fn format_go_ip(ip: &str) -> Option<String> {
    match ip.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(v4) => Some(v4.to_string()),
        std::net::IpAddr::V6(v6) => Some(match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        }),
    }
}

fn parse_shm_size(v: &str) -> Result<u64, OptionsError> {
    if v.is_empty() {
        return Ok(0);
    }
    parse_uint(v, 10, 64).map_err(|e| OptionsError::ShmSize(e.to_string()))
}

const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

fn parse_ulimits(v: &str) -> Result<Vec<Ulimit>, OptionsError> {
    if v.is_empty() {
        return Ok(Vec::new());
    }
    read_record(v)
        .map_err(|e| OptionsError::Ulimit(e.to_string()))?
        .iter()
        .map(|f| parse_ulimit(f).map_err(OptionsError::Ulimit))
        .collect()
}

/// docker/go-units `ParseUlimit`: `name=soft[:hard]`.
fn parse_ulimit(field: &str) -> Result<Ulimit, String> {
    let (name, limits) = field
        .split_once('=')
        .ok_or_else(|| format!("invalid ulimit argument: {field}"))?;
    if !ULIMIT_NAMES.contains(&name) {
        return Err(format!("invalid ulimit type: {name}"));
    }
    let parts: Vec<&str> = limits.split(':').collect();
    let number = |s: &str| {
        parse_int(s, 10, 64).map_err(|_| format!("invalid ulimit value {s:?} in {field}"))
    };
    let (soft, hard) = match parts.as_slice() {
        [soft] => {
            let s = number(soft)?;
            (s, s)
        }
        [soft, hard] => (number(soft)?, number(hard)?),
        _ => {
            return Err(format!(
                "too many limit value arguments - {limits}, can only have up to two, `soft[:hard]`"
            ))
        }
    };
    if soft > hard {
        return Err(format!(
            "ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}"
        ));
    }
    Ok(Ulimit {
        name: name.to_string(),
        soft,
        hard,
    })
}

fn parse_named_contexts(opts: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    opts.iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix(CONTEXT_PREFIX)?;
            let (name, platform) = match name.split_once("::") {
                Some((n, p)) => (n, Some(p)),
                None => (name, None),
            };
            let mut key = name.to_lowercase();
            if let Some(p) = platform {
                key.push_str("::");
                key.push_str(p);
            }
            Some((key, v.clone()))
        })
        .collect()
}

/// Looks a key up the way Go's `encoding/json` matches struct fields (case-insensitively).
fn json_field<'a>(
    obj: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<&'a serde_json::Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

type CacheImport = (String, BTreeMap<String, String>);

fn parse_cache_imports(json: &str, legacy: &str) -> Result<Vec<CacheImport>, OptionsError> {
    let mut out = Vec::new();
    if !json.is_empty() {
        let err = |reason: String| OptionsError::CacheImports {
            value: json.to_string(),
            reason,
        };
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| err(e.to_string()))?;
        let entries = match value {
            serde_json::Value::Array(a) => a,
            serde_json::Value::Null => Vec::new(),
            _ => return Err(err("expected a JSON array".into())),
        };
        for entry in entries {
            let obj = entry
                .as_object()
                .ok_or_else(|| err("expected an object".into()))?;
            let kind = match json_field(obj, "Type") {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(_) => return Err(err("Type must be a string".into())),
            };
            let mut attrs = BTreeMap::new();
            match json_field(obj, "Attrs") {
                None | Some(serde_json::Value::Null) => {}
                Some(serde_json::Value::Object(m)) => {
                    for (k, v) in m {
                        let v = v
                            .as_str()
                            .ok_or_else(|| err(format!("attribute {k} must be a string")))?;
                        attrs.insert(k.clone(), v.to_string());
                    }
                }
                Some(_) => return Err(err("Attrs must be an object".into())),
            }
            out.push((kind, attrs));
        }
    }
    if !legacy.is_empty() {
        for r in legacy.split(',') {
            out.push((
                "registry".to_string(),
                BTreeMap::from([("ref".to_string(), r.to_string())]),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::type_complexity)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parse(pairs: &[(&str, &str)]) -> Result<BuildOptions, OptionsError> {
        BuildOptions::from_opts(&opts(pairs))
    }

    #[test]
    fn defaults_match_dockerfile_v0() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.filename, "Dockerfile");
        assert_eq!(o.dockerfile_key, "dockerfile");
        assert_eq!(o.context_key, "context");
        assert_eq!(o.remote_context, None);
        assert_eq!(o.target, None);
        assert!(o.platforms.is_empty());
        assert!(!o.multi_platform);
        assert_eq!(o.no_cache, NoCache::Off);
        assert_eq!(o.network_mode, NetworkMode::Sandbox);
        assert_eq!(o.image_resolve_mode, ImageResolveMode::Default);
        assert_eq!(o.subrequest, None);
        assert!(!o.force_local_dockerfile());
    }

    #[test]
    fn local_session_ids_and_shared_keys_like_dockerui() {
        let o = parse(&[
            ("local-sessionid:context", "s2"),
            ("sharedkey:localdir:assets", "k1"),
        ])
        .unwrap();
        assert_eq!(o.session_for("context", "s1"), "s2");
        assert_eq!(o.session_for("dockerfile", "s1"), "s1");
        assert_eq!(o.shared_keys.get("assets").map(String::as_str), Some("k1"));
    }

    #[test]
    fn prefixed_keys_are_split_into_maps() {
        let o = parse(&[
            ("build-arg:FOO", "bar"),
            ("build-arg:EMPTY", ""),
            ("label:org.example", "x=y"),
            ("context:Base", "docker-image://busybox"),
            ("context:base::linux/arm64", "local:other"),
            ("filename", "sub/Dockerfile.dev"),
            ("target", "Build"),
        ])
        .unwrap();
        assert_eq!(o.build_args.get("FOO").map(String::as_str), Some("bar"));
        assert_eq!(o.build_args.get("EMPTY").map(String::as_str), Some(""));
        assert_eq!(o.labels.get("org.example").map(String::as_str), Some("x=y"));
        assert_eq!(
            o.named_contexts.keys().collect::<Vec<_>>(),
            ["base", "base::linux/arm64"]
        );
        assert_eq!(o.filename, "sub/Dockerfile.dev");
        assert_eq!(o.target.as_deref(), Some("build"));
    }

    #[test]
    fn platforms_are_normalised_and_imply_multi_platform() {
        let table: &[(&[(&str, &str)], Result<(Vec<&str>, bool), ()>)] = &[
            (
                &[("platform", "linux/x86_64")],
                Ok((vec!["linux/amd64"], false)),
            ),
            (
                &[("platform", "linux/amd64,linux/arm")],
                Ok((vec!["linux/amd64", "linux/arm/v7"], true)),
            ),
            (
                &[("platform", "linux/amd64"), ("multi-platform", "true")],
                Ok((vec!["linux/amd64"], true)),
            ),
            (
                &[
                    ("platform", "linux/amd64"),
                    ("build-arg:BUILDKIT_MULTI_PLATFORM", "1"),
                ],
                Ok((vec!["linux/amd64"], true)),
            ),
            (
                &[
                    ("platform", "linux/amd64,linux/arm64"),
                    ("multi-platform", "false"),
                ],
                Err(()),
            ),
            (&[("multi-platform", "maybe")], Err(())),
            (&[("platform", "linux//amd64")], Err(())),
        ];
        for (input, want) in table {
            let got = parse(input)
                .map(|o| {
                    (
                        o.platforms
                            .iter()
                            .map(|p| p.to_string())
                            .collect::<Vec<_>>(),
                        o.multi_platform,
                    )
                })
                .map_err(|_| ());
            let want = want
                .clone()
                .map(|(p, m)| (p.into_iter().map(String::from).collect::<Vec<_>>(), m));
            assert_eq!(got, want, "input {input:?}");
        }
    }

    #[test]
    fn enumerated_options_accept_only_known_values() {
        assert_eq!(
            parse(&[("image-resolve-mode", "pull")])
                .unwrap()
                .image_resolve_mode,
            ImageResolveMode::Pull
        );
        assert_eq!(
            parse(&[("image-resolve-mode", "local")])
                .unwrap()
                .image_resolve_mode,
            ImageResolveMode::Local
        );
        assert_eq!(
            parse(&[("image-resolve-mode", "always")]),
            Err(OptionsError::ResolveMode("always".into()))
        );
        assert_eq!(
            parse(&[("force-network-mode", "none")])
                .unwrap()
                .network_mode,
            NetworkMode::None
        );
        assert_eq!(
            parse(&[("force-network-mode", "host")])
                .unwrap()
                .network_mode,
            NetworkMode::Host
        );
        assert_eq!(
            parse(&[("force-network-mode", "bridge")])
                .unwrap_err()
                .to_string(),
            "invalid netmode bridge"
        );
    }

    #[test]
    fn no_cache_empty_means_all_stages() {
        let all = parse(&[("no-cache", "")]).unwrap();
        assert_eq!(all.no_cache, NoCache::All);
        assert!(all.is_no_cache("anything"));
        let some = parse(&[("no-cache", "Build,test")]).unwrap();
        assert_eq!(
            some.no_cache,
            NoCache::Stages(vec!["build".into(), "test".into()])
        );
        assert!(some.is_no_cache("BUILD"));
        assert!(!some.is_no_cache("final"));
        assert!(!parse(&[]).unwrap().is_no_cache("build"));
    }

    #[test]
    fn extra_hosts_are_csv_lowercased_and_validated() {
        let table: &[(&str, Result<Vec<(&str, &str)>, ()>)] = &[
            ("", Ok(vec![])),
            (
                "Example.com=10.0.0.1,other=::1",
                Ok(vec![("example.com", "10.0.0.1"), ("other", "::1")]),
            ),
            (
                "\"a=1.2.3.4\",b=::ffff:1.2.3.4",
                Ok(vec![("a", "1.2.3.4"), ("b", "1.2.3.4")]),
            ),
            ("nohost", Err(())),
            ("a=not-an-ip", Err(())),
            ("\"a=1.2.3.4", Err(())),
        ];
        for (input, want) in table {
            let got = parse(&[("add-hosts", input)])
                .map(|o| o.extra_hosts)
                .map_err(|_| ());
            let want = want.clone().map(|v| {
                v.into_iter()
                    .map(|(h, i)| (h.to_string(), i.to_string()))
                    .collect::<Vec<_>>()
            });
            assert_eq!(got, want, "input {input:?}");
        }
    }

    #[test]
    fn ulimits_follow_go_units_rules() {
        let table: &[(&str, Result<Vec<(&str, i64, i64)>, ()>)] = &[
            ("nofile=1024", Ok(vec![("nofile", 1024, 1024)])),
            (
                "nofile=1024:2048,nproc=10:20",
                Ok(vec![("nofile", 1024, 2048), ("nproc", 10, 20)]),
            ),
            ("nofile=2048:1024", Err(())),
            ("bogus=1", Err(())),
            ("nofile", Err(())),
            ("nofile=1:2:3", Err(())),
            ("nofile=x", Err(())),
        ];
        for (input, want) in table {
            let got = parse(&[("ulimit", input)])
                .map(|o| o.ulimits)
                .map_err(|_| ());
            let want = want.clone().map(|v| {
                v.into_iter()
                    .map(|(n, s, h)| Ulimit {
                        name: n.into(),
                        soft: s,
                        hard: h,
                    })
                    .collect::<Vec<_>>()
            });
            assert_eq!(got, want, "input {input:?}");
        }
    }

    #[test]
    fn scalar_options_are_parsed() {
        let o = parse(&[
            ("shm-size", "67108864"),
            ("cgroup-parent", "/custom"),
            ("hostname", "box"),
            ("contextkey", "ctx"),
            ("ctx", "https://example.com/repo.git"),
            ("dockerfilekey", "df"),
            ("contextsubdir", "sub"),
        ])
        .unwrap();
        assert_eq!(o.shm_size, 64 << 20);
        assert_eq!(o.cgroup_parent.as_deref(), Some("/custom"));
        assert_eq!(o.hostname.as_deref(), Some("box"));
        assert_eq!(o.context_key, "ctx");
        assert_eq!(
            o.remote_context.as_deref(),
            Some("https://example.com/repo.git")
        );
        assert_eq!(o.dockerfile_key, "df");
        assert!(o.force_local_dockerfile());
        assert_eq!(o.context_subdir.as_deref(), Some("sub"));
        assert!(parse(&[("shm-size", "lots")]).is_err());
    }

    #[test]
    fn sandbox_hostname_build_arg_wins_over_hostname() {
        let o = parse(&[
            ("hostname", "a"),
            ("build-arg:BUILDKIT_SANDBOX_HOSTNAME", "b"),
        ])
        .unwrap();
        assert_eq!(o.hostname.as_deref(), Some("b"));
        let o = parse(&[
            ("hostname", "a"),
            ("build-arg:BUILDKIT_SANDBOX_HOSTNAME", ""),
        ])
        .unwrap();
        assert_eq!(o.hostname.as_deref(), Some("a"));
    }

    #[test]
    fn cache_imports_accept_json_and_legacy_cache_from() {
        let o = parse(&[
            (
                "cache-imports",
                r#"[{"Type":"registry","Attrs":{"ref":"r1"}},{"type":"local","attrs":{"src":"/c"}}]"#,
            ),
            ("cache-from", "r2,r3"),
        ])
        .unwrap();
        let got: Vec<(String, Vec<(String, String)>)> = o
            .cache_imports
            .into_iter()
            .map(|(t, a)| (t, a.into_iter().collect()))
            .collect();
        let kv = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(
            got,
            vec![
                ("registry".into(), kv("ref", "r1")),
                ("local".into(), kv("src", "/c")),
                ("registry".into(), kv("ref", "r2")),
                ("registry".into(), kv("ref", "r3")),
            ]
        );
        assert!(parse(&[("cache-imports", "{not json")]).is_err());
        assert!(parse(&[("cache-imports", r#"{"Type":"x"}"#)]).is_err());
    }

    #[test]
    fn requestid_maps_to_subrequests() {
        let table = [
            ("frontend.subrequests.describe", Subrequest::Describe),
            ("frontend.outline", Subrequest::Outline),
            ("frontend.targets", Subrequest::Targets),
            ("frontend.lint", Subrequest::Lint),
            (
                "frontend.other",
                Subrequest::Unsupported("frontend.other".into()),
            ),
        ];
        for (id, want) in table {
            let got = parse(&[("requestid", id)]).unwrap().subrequest;
            assert_eq!(got.as_ref(), Some(&want));
            assert_eq!(want.id(), id);
        }
    }

    #[test]
    fn frontend_caps_are_a_comma_list() {
        let o = parse(&[(
            "frontend.caps",
            "moby.buildkit.frontend.contexts+forward,moby.buildkit.frontend.subrequests",
        )])
        .unwrap();
        assert_eq!(
            o.frontend_caps,
            [
                "moby.buildkit.frontend.contexts+forward",
                "moby.buildkit.frontend.subrequests"
            ]
        );
    }

    #[test]
    fn removed_options_are_refused_like_buildkit() {
        assert!(parse(&[("override-copy-image", "x")]).is_err());
        assert!(parse(&[("build-arg:BUILDKIT_DISABLE_FILEOP", "true")]).is_err());
        assert!(parse(&[("build-arg:BUILDKIT_DISABLE_FILEOP", "false")]).is_ok());
    }

    #[test]
    fn env_vars_split_on_first_equals() {
        let vars = [
            ("BUILDKIT_FRONTEND_OPT_0", "filename=Dockerfile.x"),
            ("BUILDKIT_FRONTEND_OPT_7", "build-arg:A=b=c"),
            ("BUILDKIT_FRONTEND_OPT_3", "no-cache="),
            ("BUILDKIT_FRONTEND_OPT_4", "novalue"),
            ("BUILDKIT_SESSION_ID", "abc"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let map = opts_from_env_vars(vars);
        assert_eq!(
            map,
            opts(&[
                ("filename", "Dockerfile.x"),
                ("build-arg:A", "b=c"),
                ("no-cache", "")
            ])
        );
    }
}
