//! Expected differences from the stock frontend, for conformance cases where gofront follows a
//! newer Dockerfile frontend than the daemon's built-in one (`case.json` key `newer`). The suite
//! builds each case with the daemon's stock frontend (Docker 28.5: Dockerfile 1.19) and with
//! gofront; where 1.20-1.28 changed the result, the case states what the newest frontend gives
//! instead (measured by hand with an upstream frontend image, see `docs/dockerfile-versions.md`)
//! and the comparison applies it to the stock side first, so the suite stays exact: every other
//! field must still equal stock, and the changed ones must equal the newer value.
//!
//! Not for: known gaps (cases gofront does not pass yet: `KNOWN_GAPS`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::image::{Entry, Kind, PlatformImage};

/// `case.json` → `newer`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NewerSpec {
    /// The Dockerfile frontend version that changed the result (e.g. `1.24`).
    pub since: String,
    /// Why the result differs (the upstream commit or behaviour).
    pub reason: String,
    /// How the newer result was measured (e.g. `dockerfile-upstream:1.26.0 on Docker 28.5.2`).
    pub measured: String,
    /// The newest frontend builds the case although the daemon's fails (`fail` describes the
    /// built-in frontend): gofront must succeed, and `created_by`/`files` describe its image.
    pub succeeds: bool,
    /// The newest frontend fails with this text (no Dockerfile line), where the built-in one
    /// succeeds or fails otherwise.
    pub fails: Option<String>,
    /// `history[i].created_by` of the newer frontend, by index.
    pub history: BTreeMap<usize, String>,
    /// The `created_by` history of the Dockerfile's instructions, after the base image's (for
    /// `succeeds` cases).
    pub created_by: Vec<String>,
    /// Config summary fields (`config.Labels`, ...) of the newer frontend (`null` = unset).
    pub config: BTreeMap<String, Value>,
    /// Files of the newer result: path → content, `"<dir>"` for a directory, `null` for absent
    /// (with everything below it).
    pub files: BTreeMap<String, Option<String>>,
    /// The image `created` time of the newer frontend.
    pub created: Option<String>,
}

/// Rewrites the stock images into what the newer frontend gives, field by field.
pub fn apply_to_stock(spec: &NewerSpec, images: &mut [PlatformImage]) -> Result<(), String> {
    for img in images.iter_mut() {
        if !spec.history.is_empty() {
            let history = img
                .config
                .get_mut("history")
                .and_then(Value::as_array_mut)
                .ok_or("stock image has no history")?;
            for (i, created_by) in &spec.history {
                let entry = history
                    .get_mut(*i)
                    .ok_or_else(|| format!("stock history has no entry {i}"))?;
                entry["created_by"] = Value::String(created_by.clone());
            }
        }
        for (key, value) in &spec.config {
            match value {
                Value::Null => img.config.remove(key),
                v => img.config.insert(key.clone(), v.clone()),
            };
        }
        apply_files(&spec.files, img);
        if let Some(created) = &spec.created {
            img.created = Some(created.clone());
        }
    }
    Ok(())
}

fn apply_files(files: &BTreeMap<String, Option<String>>, img: &mut PlatformImage) {
    for (path, content) in files {
        let key = path.trim_start_matches('/').to_string();
        match content {
            None => {
                let below = format!("{key}/");
                img.fs.retain(|p, _| *p != key && !p.starts_with(&below));
            }
            Some(dir) if dir == "<dir>" => {
                let e = img.fs.entry(key).or_insert_with(|| entry(Kind::Dir, 0o755));
                e.kind = Kind::Dir;
            }
            Some(text) => {
                let e = img
                    .fs
                    .entry(key)
                    .or_insert_with(|| entry(Kind::File, 0o644));
                e.size = text.len() as u64;
                e.sha256 = Some(hex::encode(Sha256::digest(text.as_bytes())));
            }
        }
    }
}

fn entry(kind: Kind, mode: u32) -> Entry {
    Entry {
        kind,
        mode,
        uid: 0,
        gid: 0,
        size: 0,
        sha256: None,
        link: None,
    }
}

/// Checks a `succeeds` case's image against the spec (no stock image to compare with).
pub fn check_success(spec: &NewerSpec, images: &[PlatformImage]) -> Vec<String> {
    let mut out = Vec::new();
    for img in images {
        if !spec.created_by.is_empty() {
            let got: Vec<String> = img
                .config
                .get("history")
                .and_then(Value::as_array)
                .map(|h| {
                    h.iter()
                        .filter(|e| e["comment"] == "buildkit.dockerfile.v0")
                        .map(|e| e["created_by"].as_str().unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default();
            // The base image's own history comes first (busybox is built by BuildKit too).
            let tail = got.len().saturating_sub(spec.created_by.len());
            if got[tail..] != spec.created_by[..] {
                out.push(format!(
                    "history created_by: newer {:?} vs gofront {got:?}",
                    spec.created_by
                ));
            }
        }
        let mut want = img.clone();
        apply_files(&spec.files, &mut want);
        for path in spec.files.keys() {
            let key = path.trim_start_matches('/');
            if want.fs.get(key) != img.fs.get(key) {
                out.push(format!(
                    "{path}: newer {:?} vs gofront {:?}",
                    spec.files[path],
                    img.fs.get(key).map(ToString::to_string)
                ));
            }
        }
        if let (Some(want), got) = (&spec.created, &img.created) {
            if Some(want) != got.as_ref() {
                out.push(format!("created: newer {want} vs gofront {got:?}"));
            }
        }
    }
    out
}

/// The Go suites build a naive Dockerfile through gofront and its hand-written `Dockerfile.stock`
/// through the daemon's built-in frontend (1.19 on Docker 28.5) and compare the images. The one
/// newer-than-1.19 difference such images can show is the HEALTHCHECK history text (1.24):
/// this rewrites the stock side's 1.19 form into the 1.24 form, leaving everything else as is.
pub fn stock_as_newest(images: &mut [PlatformImage]) {
    for img in images.iter_mut() {
        let Some(history) = img.config.get_mut("history").and_then(Value::as_array_mut) else {
            continue;
        };
        for entry in history.iter_mut() {
            let newer = entry["created_by"]
                .as_str()
                .and_then(healthcheck_history_1_24);
            if let Some(text) = newer {
                entry["created_by"] = Value::String(text);
            }
        }
    }
}

/// `HEALTHCHECK &{["CMD" "x"] "30s" "5s" "0s" "0s" '\x04'}` (1.7-1.23) →
/// `HEALTHCHECK {Test:[CMD x] Interval:30s Timeout:5s StartPeriod:0s StartInterval:0s Retries:4}`.
pub fn healthcheck_history_1_24(text: &str) -> Option<String> {
    let body = text.strip_prefix("HEALTHCHECK &{[")?.strip_suffix('}')?;
    let mut rest = body;
    let mut test = Vec::new();
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix(']') {
            rest = r;
            break;
        }
        let (s, r) = go_unquote(rest, '"')?;
        test.push(s);
        rest = r;
    }
    let mut durations = Vec::new();
    for _ in 0..4 {
        let (s, r) = go_unquote(rest.trim_start(), '"')?;
        durations.push(s);
        rest = r;
    }
    let (rune, r) = go_unquote(rest.trim_start(), '\'')?;
    if !r.trim().is_empty() {
        return None;
    }
    let retries = u32::from(rune.chars().next().unwrap_or('\0'));
    Some(format!(
        "HEALTHCHECK {{Test:[{}] Interval:{} Timeout:{} StartPeriod:{} StartInterval:{} Retries:{retries}}}",
        test.join(" "),
        durations[0],
        durations[1],
        durations[2],
        durations[3]
    ))
}

/// One Go-quoted string or rune at the start of `s` (escapes `\"`, `\\`, `\n`, `\t`, `\xNN`);
/// the unquoted text and the rest.
fn go_unquote(s: &str, quote: char) -> Option<(String, &str)> {
    let mut chars = s.strip_prefix(quote)?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Some((out, &s[i + 2..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'x' => {
                    let hi = chars.next()?.1.to_digit(16)?;
                    let lo = chars.next()?.1.to_digit(16)?;
                    out.push(char::from_u32(hi * 16 + lo)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthcheck_history_moves_to_the_1_24_form() {
        assert_eq!(
            healthcheck_history_1_24(
                r#"HEALTHCHECK &{["CMD" "wget" "-q" "-O" "-" "http://127.0.0.1/"] "30s" "5s" "10s" "0s" '\x04'}"#
            )
            .as_deref(),
            Some(
                "HEALTHCHECK {Test:[CMD wget -q -O - http://127.0.0.1/] Interval:30s Timeout:5s \
                 StartPeriod:10s StartInterval:0s Retries:4}"
            )
        );
        assert_eq!(
            healthcheck_history_1_24(
                r#"HEALTHCHECK &{["CMD-SHELL" "test -f /h || exit 1"] "1m0s" "0s" "0s" "0s" '\x00'}"#
            )
            .as_deref(),
            Some(
                "HEALTHCHECK {Test:[CMD-SHELL test -f /h || exit 1] Interval:1m0s Timeout:0s \
                 StartPeriod:0s StartInterval:0s Retries:0}"
            )
        );
        assert_eq!(healthcheck_history_1_24("RUN true"), None);
    }
}
