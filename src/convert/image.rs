//! The OCI/Docker image config that `dockerfile.v0` returns as `containerimage.config`: the
//! model (field names, order and `omitempty` rules of Go's `dockerspec.DockerOCIImage`), the
//! history entries each instruction commits (formatted with [`crate::gostd`]), and the signal and
//! port parsing STOPSIGNAL and EXPOSE need.
//!
//! Not for: LLB, expansion or deciding *when* an instruction commits history (the dispatcher
//! does that).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::gostd::strconv::atoi;
use crate::gostd::time::format_duration;
use crate::platform::Platform;

/// History comment BuildKit's Dockerfile frontend puts on every entry it creates.
pub const HISTORY_COMMENT: &str = "buildkit.dockerfile.v0";

/// `config.Healthcheck` (durations are nanoseconds, like Go's `time.Duration`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HealthConfig {
    /// `["NONE"]`, `["CMD", ...]` or `["CMD-SHELL", cmd]`.
    #[serde(rename = "Test", default, skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    /// `--interval`.
    #[serde(rename = "Interval", default, skip_serializing_if = "is_zero")]
    pub interval: i64,
    /// `--timeout`.
    #[serde(rename = "Timeout", default, skip_serializing_if = "is_zero")]
    pub timeout: i64,
    /// `--start-period`.
    #[serde(rename = "StartPeriod", default, skip_serializing_if = "is_zero")]
    pub start_period: i64,
    /// `--start-interval`.
    #[serde(rename = "StartInterval", default, skip_serializing_if = "is_zero")]
    pub start_interval: i64,
    /// `--retries`.
    #[serde(rename = "Retries", default, skip_serializing_if = "is_zero")]
    pub retries: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

/// Go's `omitempty` on a map: nil and empty maps are both left out.
fn no_entries<V>(m: &Option<BTreeMap<String, V>>) -> bool {
    m.as_ref().map_or(true, BTreeMap::is_empty)
}

/// An empty JSON object (Go's `struct{}`), the value type of `ExposedPorts` and `Volumes`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Empty {}

/// `config` of the image.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImageConfig {
    /// `USER`.
    #[serde(rename = "User", default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// `EXPOSE` keys (`80/tcp`).
    #[serde(rename = "ExposedPorts", default, skip_serializing_if = "no_entries")]
    pub exposed_ports: Option<BTreeMap<String, Empty>>,
    /// Environment in config order (replaced in place).
    #[serde(rename = "Env", default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// `ENTRYPOINT`.
    #[serde(rename = "Entrypoint", default, skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    /// `CMD`.
    #[serde(rename = "Cmd", default, skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    /// `VOLUME`.
    #[serde(rename = "Volumes", default, skip_serializing_if = "no_entries")]
    pub volumes: Option<BTreeMap<String, Empty>>,
    /// `WORKDIR`.
    #[serde(
        rename = "WorkingDir",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub working_dir: String,
    /// `LABEL`.
    #[serde(rename = "Labels", default, skip_serializing_if = "no_entries")]
    pub labels: Option<BTreeMap<String, String>>,
    /// `STOPSIGNAL`.
    #[serde(
        rename = "StopSignal",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub stop_signal: String,
    /// Set by `CMD`.
    #[serde(rename = "ArgsEscaped", default, skip_serializing_if = "is_false")]
    pub args_escaped: bool,
    /// `HEALTHCHECK`.
    #[serde(
        rename = "Healthcheck",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub healthcheck: Option<HealthConfig>,
    /// `ONBUILD` triggers.
    #[serde(rename = "OnBuild", default, skip_serializing_if = "Vec::is_empty")]
    pub on_build: Vec<String>,
    /// `SHELL`.
    #[serde(rename = "Shell", default, skip_serializing_if = "Vec::is_empty")]
    pub shell: Vec<String>,
}

/// `rootfs` (always written, `diff_ids` may be `null`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RootFs {
    /// Always `layers`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Layer diff ids of the base image.
    #[serde(rename = "diff_ids", default)]
    pub diff_ids: Option<Vec<String>>,
}

/// One `history` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct History {
    /// Creation time (RFC 3339), kept as text.
    #[serde(rename = "created", default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The instruction.
    #[serde(
        rename = "created_by",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub created_by: String,
    /// Author.
    #[serde(rename = "author", default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    /// `buildkit.dockerfile.v0` for our entries.
    #[serde(rename = "comment", default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// True for metadata-only steps.
    #[serde(rename = "empty_layer", default, skip_serializing_if = "is_false")]
    pub empty_layer: bool,
}

/// The whole image config (`dockerspec.DockerOCIImage`), fields in Go's order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Image {
    /// Creation time; dropped from the base image like BuildKit does.
    #[serde(rename = "created", default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// `MAINTAINER`.
    #[serde(rename = "author", default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    /// Architecture.
    #[serde(rename = "architecture", default)]
    pub architecture: String,
    /// Operating system.
    #[serde(rename = "os", default)]
    pub os: String,
    /// OS version.
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub os_version: String,
    /// OS features.
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    /// CPU variant.
    #[serde(rename = "variant", default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
    /// Runtime config.
    #[serde(rename = "config", default)]
    pub config: ImageConfig,
    /// Layers (the exporter rewrites them).
    #[serde(rename = "rootfs", default)]
    pub rootfs: RootFs,
    /// History.
    #[serde(rename = "history", default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<History>,
}

/// Default `PATH` BuildKit adds when an image has none (`system.DefaultPathEnv`).
pub fn default_path_env(os: &str) -> &'static str {
    if os == "windows" {
        ""
    } else {
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    }
}

impl Image {
    /// Parses a base image config; empty input is an empty config.
    pub fn from_json(data: &[u8]) -> Result<Image, String> {
        if data.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Image::default());
        }
        serde_json::from_slice(data).map_err(|e| format!("failed to parse image config: {e}"))
    }

    /// The config of `scratch` (and of stages without a base image) for a platform.
    pub fn empty(platform: &Platform) -> Image {
        let mut img = Image {
            architecture: platform.architecture.clone(),
            os: platform.os.clone(),
            os_version: platform.os_version.clone(),
            variant: platform.variant.clone(),
            ..Image::default()
        };
        img.rootfs.kind = "layers".into();
        img.config.working_dir = "/".into();
        img.config.env = vec![format!("PATH={}", default_path_env(&platform.os))];
        img
    }

    /// Serialises like Go's `json.Marshal`.
    pub fn to_json(&self) -> Vec<u8> {
        go_json_bytes(&serde_json::to_value(self).unwrap_or(serde_json::Value::Null))
    }

    /// Appends a history entry the way `commitToHistory` does.
    pub fn commit(
        &mut self,
        msg: &str,
        with_layer: bool,
        buildkit_suffix: bool,
        epoch: Option<&str>,
    ) {
        let mut created_by = msg.to_string();
        if buildkit_suffix {
            created_by.push_str(" # buildkit");
        }
        self.history.push(History {
            created: epoch.map(str::to_string),
            created_by,
            author: String::new(),
            comment: HISTORY_COMMENT.into(),
            empty_layer: !with_layer,
        });
    }

    /// Whether the image has no layers (BuildKit then uses scratch instead of the image).
    pub fn is_layerless(&self) -> bool {
        let no_diffs = self.rootfs.diff_ids.as_ref().map_or(true, |d| d.is_empty());
        no_diffs && self.history.iter().all(|h| h.empty_layer)
    }
}

/// `addEnv` of the image config: replace in place, else append.
pub fn add_config_env(env: &mut Vec<String>, key: &str, value: &str) {
    let entry = format!("{key}={value}");
    for e in env.iter_mut() {
        let k = e.split_once('=').map_or(e.as_str(), |(k, _)| k);
        if k == key {
            *e = entry;
            return;
        }
    }
    env.push(entry);
}

/// Splits `k=v` (value empty when there is no `=`).
pub fn split_kv(s: &str) -> (&str, &str) {
    s.split_once('=').unwrap_or((s, ""))
}

/// Go `encoding/json` output for a JSON value: compact, with `<`, `>`, `&`, U+2028 and U+2029
/// escaped like Go does.
pub fn go_json_bytes(v: &serde_json::Value) -> Vec<u8> {
    crate::gostd::json::escape_like_go(&v.to_string()).into_bytes()
}

/// Go `fmt.Sprintf("%v", []string{...})`: `[a b]`.
pub fn go_slice(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// `fmt.Sprintf("HEALTHCHECK %+v", cfg)` of a `HealthcheckConfig` (Dockerfile 1.24+; 1.19
/// printed `HEALTHCHECK &{["CMD" "x"] "1s" "0s" "0s" "0s" '\x03'}` with `%q` of a pointer).
pub fn healthcheck_history(h: &HealthConfig) -> String {
    format!(
        "HEALTHCHECK {{Test:{} Interval:{} Timeout:{} StartPeriod:{} StartInterval:{} Retries:{}}}",
        go_slice(&h.test),
        format_duration(h.interval),
        format_duration(h.timeout),
        format_duration(h.start_period),
        format_duration(h.start_interval),
        h.retries
    )
}

/// Validates a `STOPSIGNAL` value like moby's `signal.ParseSignal` (Linux table).
pub fn validate_signal(raw: &str) -> Result<(), String> {
    if let Ok(n) = atoi(raw) {
        return if n == 0 {
            Err(format!("Invalid signal: {raw}"))
        } else {
            Ok(())
        };
    }
    let upper = raw.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    const NAMES: &[&str] = &[
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
        "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
        "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
        "RTMIN", "RTMAX",
    ];
    let rt_ok = |prefix: &str, sign: char| {
        name.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix(sign))
            .and_then(|n| atoi(n).ok())
            .is_some_and(|n| (1..=15).contains(&n) && !(prefix == "RTMAX" && n > 14))
    };
    if NAMES.contains(&name) || rt_ok("RTMIN", '+') || rt_ok("RTMAX", '-') {
        Ok(())
    } else {
        Err(format!("Invalid signal: {raw}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_config_matches_buildkit_empty_image() {
        let img = Image::empty(&Platform::new("linux", "amd64", ""));
        let json = String::from_utf8(img.to_json()).unwrap();
        assert_eq!(
            json,
            r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":null}}"#
        );
    }

    #[test]
    fn base_config_round_trips_known_fields_and_drops_unknown() {
        let src = br#"{"architecture":"arm64","os":"linux","variant":"v8","container":"x","config":{"Hostname":"h","Env":["A=1"],"Cmd":["sh"],"ExposedPorts":{"80/tcp":{}}},"rootfs":{"type":"layers","diff_ids":["sha256:aa"]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"x","empty_layer":true}]}"#;
        let img = Image::from_json(src).unwrap();
        assert_eq!(img.config.env, vec!["A=1"]);
        assert!(!img.is_layerless());
        let out = String::from_utf8(img.to_json()).unwrap();
        assert!(!out.contains("Hostname"));
        assert!(out.contains(
            r#""history":[{"created":"2024-01-01T00:00:00Z","created_by":"x","empty_layer":true}]"#
        ));
    }

    #[test]
    fn empty_maps_are_omitted_like_go_omitempty() {
        let img = Image::from_json(br#"{"config":{"Labels":{},"Volumes":null}}"#).unwrap();
        let out = String::from_utf8(img.to_json()).unwrap();
        assert!(!out.contains("Labels") && !out.contains("Volumes"), "{out}");
    }

    #[test]
    fn healthcheck_history_is_go_percent_q_of_the_struct() {
        let h = HealthConfig {
            test: vec!["CMD-SHELL".into(), "curl -f http://x/".into()],
            interval: 5_000_000_000,
            retries: 3,
            ..HealthConfig::default()
        };
        assert_eq!(
            healthcheck_history(&h),
            "HEALTHCHECK {Test:[CMD-SHELL curl -f http://x/] Interval:5s Timeout:0s \
             StartPeriod:0s StartInterval:0s Retries:3}"
        );
    }

    #[test]
    fn signals_are_validated() {
        for ok in ["SIGTERM", "term", "9", "SIGRTMIN+3", "RTMAX-1"] {
            assert!(validate_signal(ok).is_ok(), "{ok}");
        }
        for bad in ["0", "SIGFOO", "RTMIN+16"] {
            assert!(validate_signal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn image_config_json_escapes_html_characters_like_go() {
        assert_eq!(
            go_json_bytes(&serde_json::json!({"Labels": {"a": "<b>&c"}})),
            br#"{"Labels":{"a":"\u003cb\u003e\u0026c"}}"#.to_vec()
        );
    }

    #[test]
    fn config_env_is_replaced_in_place() {
        let mut env = vec!["A=1".to_string(), "B=2".to_string()];
        add_config_env(&mut env, "A", "3");
        add_config_env(&mut env, "C", "4");
        assert_eq!(env, vec!["A=3", "B=2", "C=4"]);
    }
}
