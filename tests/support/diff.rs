//! Readable differences between two built images (filesystem listings and config summaries).
//! An empty result means "identical for everything the suites compare".

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::image::{Filesystem, PlatformImage};

/// Maximum number of filesystem lines reported per image (the rest is counted).
const MAX_FS_LINES: usize = 40;

/// Differences between two sets of platform images (`left`/`right` name the two sides).
pub fn diff_images(
    left: &[PlatformImage],
    right: &[PlatformImage],
    names: (&str, &str),
) -> Vec<String> {
    let mut out = Vec::new();
    let lp: Vec<&str> = left.iter().map(|i| i.platform.as_str()).collect();
    let rp: Vec<&str> = right.iter().map(|i| i.platform.as_str()).collect();
    if lp != rp {
        out.push(format!(
            "platforms differ: {} {lp:?} vs {} {rp:?}",
            names.0, names.1
        ));
        return out;
    }
    for (l, r) in left.iter().zip(right) {
        let prefix = if left.len() > 1 {
            format!("[{}] ", l.platform)
        } else {
            String::new()
        };
        if l.layers != r.layers {
            out.push(format!(
                "{prefix}layer count: {} {} vs {} {}",
                names.0, l.layers, names.1, r.layers
            ));
        }
        for line in diff_config(&l.config, &r.config, names) {
            out.push(format!("{prefix}{line}"));
        }
        for line in diff_fs(&l.fs, &r.fs, names) {
            out.push(format!("{prefix}{line}"));
        }
    }
    out
}

/// Config fields that differ, one line each with both values.
pub fn diff_config(
    left: &BTreeMap<String, Value>,
    right: &BTreeMap<String, Value>,
    names: (&str, &str),
) -> Vec<String> {
    let keys: BTreeSet<&String> = left.keys().chain(right.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let (l, r) = (left.get(key), right.get(key));
        if l == r {
            continue;
        }
        if key == "history" {
            out.extend(diff_history(l, r, names));
            continue;
        }
        out.push(format!(
            "config {key}: {} {} vs {} {}",
            names.0,
            show(l),
            names.1,
            show(r)
        ));
    }
    out
}

fn diff_history(l: Option<&Value>, r: Option<&Value>, names: (&str, &str)) -> Vec<String> {
    let empty = Vec::new();
    let la = l.and_then(Value::as_array).unwrap_or(&empty);
    let ra = r.and_then(Value::as_array).unwrap_or(&empty);
    let mut out = Vec::new();
    if la.len() != ra.len() {
        out.push(format!(
            "history length: {} {} vs {} {}",
            names.0,
            la.len(),
            names.1,
            ra.len()
        ));
    }
    for i in 0..la.len().max(ra.len()) {
        let (a, b) = (la.get(i), ra.get(i));
        if a != b {
            out.push(format!(
                "history[{i}]: {} {} vs {} {}",
                names.0,
                show(a),
                names.1,
                show(b)
            ));
        }
    }
    out
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "<unset>".into(),
        Some(v) => v.to_string(),
    }
}

/// Filesystem entries only on one side or with different attributes.
pub fn diff_fs(left: &Filesystem, right: &Filesystem, names: (&str, &str)) -> Vec<String> {
    let mut out = Vec::new();
    let mut count = 0usize;
    let paths: BTreeSet<&String> = left.keys().chain(right.keys()).collect();
    for path in paths {
        let line = match (left.get(path), right.get(path)) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), Some(b)) => format!("/{path}: {} {a} vs {} {b}", names.0, names.1),
            (Some(a), None) => format!("/{path}: only in {}: {a}", names.0),
            (None, Some(b)) => format!("/{path}: only in {}: {b}", names.1),
            (None, None) => continue,
        };
        count += 1;
        if count <= MAX_FS_LINES {
            out.push(line);
        }
    }
    if count > MAX_FS_LINES {
        out.push(format!(
            "... and {} more filesystem differences",
            count - MAX_FS_LINES
        ));
    }
    out
}
