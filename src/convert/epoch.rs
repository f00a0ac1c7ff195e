//! `SOURCE_DATE_EPOCH` the way the Dockerfile frontend resolves it since 1.23: the build arg,
//! else the default of a global `ARG SOURCE_DATE_EPOCH=<seconds>` (1.23); the resolved value is
//! written back into the global args. It then dates the history entries, the directories
//! WORKDIR creates (1.16), and goes back to the exporter as the `source.date.epoch` result
//! metadata (1.23), so the image `created` time follows a Dockerfile default too.
//!
//! Not for: the special values `context` and `<stage or named context>` of 1.24 (they need the
//! daemon to resolve a source's metadata; gofront treats them as no epoch, and BuildKit v0.25
//! already refuses a non-integer build arg), or the exporter's own handling (daemon side).

use std::collections::BTreeMap;

/// A resolved `SOURCE_DATE_EPOCH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Epoch {
    /// Seconds since the Unix epoch.
    pub seconds: i64,
}

impl Epoch {
    /// RFC 3339 in UTC, as history `created` gets it (`2023-11-14T22:13:20Z`).
    pub(crate) fn rfc3339(&self) -> String {
        format_rfc3339(self.seconds)
    }

    /// `FileActionMkDir.timestamp` (`marshalTime`: Unix nanoseconds).
    pub(crate) fn nanos(&self) -> i64 {
        self.seconds.saturating_mul(1_000_000_000)
    }
}

/// `getBuildArgValue` + `resolveSourceDateEpochValue` for integer values; the normalised value
/// replaces the global arg (`setBuildArgValue`).
pub(super) fn resolve(
    build_args: &BTreeMap<String, String>,
    meta_args: &mut [(String, Option<String>)],
) -> Option<Epoch> {
    const KEY: &str = "SOURCE_DATE_EPOCH";
    let raw = match build_args.get(KEY) {
        Some(v) => v.clone(),
        None => meta_args
            .iter()
            .rev()
            .find(|(k, v)| k == KEY && v.is_some())
            .and_then(|(_, v)| v.clone())?,
    };
    let seconds = crate::gostd::strconv::parse_int(&raw, 10, 64).ok()?;
    for (_, v) in meta_args
        .iter_mut()
        .filter(|(k, v)| k == KEY && v.is_some())
    {
        *v = Some(seconds.to_string());
    }
    Some(Epoch { seconds })
}

fn format_rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // civil-from-days (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if mo <= 2 { y + 1 } else { y };
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_formats_as_rfc3339() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn a_build_arg_wins_over_a_global_default_and_non_integers_are_ignored() {
        let mut meta = vec![(
            "SOURCE_DATE_EPOCH".to_string(),
            Some("1700000000".to_string()),
        )];
        let none = BTreeMap::new();
        assert_eq!(
            resolve(&none, &mut meta).map(|e| e.seconds),
            Some(1_700_000_000)
        );
        let args = BTreeMap::from([("SOURCE_DATE_EPOCH".to_string(), "5".to_string())]);
        assert_eq!(resolve(&args, &mut meta).map(|e| e.seconds), Some(5));
        let ctx = BTreeMap::from([("SOURCE_DATE_EPOCH".to_string(), "context".to_string())]);
        assert_eq!(resolve(&ctx, &mut meta), None);
        assert_eq!(resolve(&none, &mut []), None);
    }
}
