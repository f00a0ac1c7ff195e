//! Version strings of go.mod: semantic versions (canonical form, major-version suffixes of
//! module paths), Go release versions (`1.22`, `1.22.3`, `1.23rc1`) and toolchain names, and
//! how the go command orders them.

pub(super) fn is_num(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

pub(super) fn is_go_version(v: &str) -> bool {
    // ^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$
    let split = v.find(|c: char| c.is_ascii_lowercase()).unwrap_or(v.len());
    let (nums, pre) = v.split_at(split);
    if !pre.is_empty() {
        let letters = pre.trim_start_matches(|c: char| c.is_ascii_lowercase());
        if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    let parts: Vec<&str> = nums.split('.').collect();
    (parts.len() == 2 || parts.len() == 3)
        && parts.iter().all(|p| is_num(p))
        && parts.first().is_some_and(|p| *p != "0")
}

pub(super) fn lax_go_version(v: &str) -> Option<String> {
    // ^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$
    let v = v.strip_prefix('v').unwrap_or(v);
    let (major, rest) = v.split_once('.')?;
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let minor = &rest[..end];
    let tail = &rest[end..];
    (is_num(major) && major != "0" && is_num(minor) && !tail.is_empty())
        .then(|| format!("{major}.{minor}"))
}

pub(super) fn is_toolchain_name(v: &str) -> bool {
    v == "default" || v == "go1" || v.starts_with("go1.")
}

/// Parsed semantic version (Go's `golang.org/x/mod/semver` dialect: leading `v`, shorthand
/// `v1`/`v1.2` allowed without prerelease/build).
pub(super) struct Semver<'a> {
    pub(super) major: &'a str,
    pub(super) minor: &'a str,
    pub(super) patch: &'a str,
    pub(super) pre: &'a str,
    pub(super) build: &'a str,
}

pub(super) fn parse_semver(v: &str) -> Option<Semver<'_>> {
    let rest = v.strip_prefix('v')?;
    let (core, build) = match rest.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (rest, None),
    };
    let (core, pre) = match core.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (core, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || !parts.iter().all(|p| is_num(p)) {
        return None;
    }
    if parts.len() < 3 && (pre.is_some() || build.is_some()) {
        return None;
    }
    let ident_ok = |s: &str, numeric_rule: bool| {
        !s.is_empty()
            && s.split('.').all(|id| {
                !id.is_empty()
                    && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && (!numeric_rule || !id.bytes().all(|b| b.is_ascii_digit()) || is_num(id))
            })
    };
    if pre.is_some_and(|p| !ident_ok(p, true)) || build.is_some_and(|b| !ident_ok(b, false)) {
        return None;
    }
    Some(Semver {
        major: parts.first().copied().unwrap_or("0"),
        minor: parts.get(1).copied().unwrap_or("0"),
        patch: parts.get(2).copied().unwrap_or("0"),
        pre: pre.unwrap_or(""),
        build: build.unwrap_or(""),
    })
}

/// The canonical form of a module version (`v1.2` → `v1.2.0`; build metadata dropped except
/// `+incompatible`), or `None` when it is not a valid semantic version.
pub fn canonical_version(v: &str) -> Option<String> {
    let s = parse_semver(v)?;
    let mut out = format!("v{}.{}.{}", s.major, s.minor, s.patch);
    if !s.pre.is_empty() {
        out.push('-');
        out.push_str(s.pre);
    }
    if s.build == "incompatible" {
        out.push_str("+incompatible");
    }
    Some(out)
}

/// True when `v` is a valid semantic version in Go's dialect.
pub fn is_valid_semver(v: &str) -> bool {
    parse_semver(v).is_some()
}

/// Go's major-version suffix rule: `example.com/m/v2` needs v2.x.y; a path without suffix needs
/// v0/v1 (or `+incompatible`); `gopkg.in/x.vN` needs vN.
pub(super) fn check_path_major(path: &str, version: &str) -> Result<(), String> {
    let Some(s) = parse_semver(version) else {
        return Ok(());
    };
    let major = format!("v{}", s.major);
    let incompatible = version.ends_with("+incompatible");
    if path.starts_with("gopkg.in/") {
        let Some((_, suffix)) = path.rsplit_once(".v") else {
            return Ok(());
        };
        if is_num(suffix) && !(major == format!("v{suffix}") || (suffix == "0" && major == "v1")) {
            return Err(format!(
                "version {version:?} invalid: should be v{suffix}, not {major}"
            ));
        }
        return Ok(());
    }
    let suffix = path.rsplit_once('/').map(|(_, last)| last).filter(|last| {
        last.strip_prefix('v')
            .is_some_and(|n| is_num(n) && n != "0" && n != "1")
    });
    match suffix {
        Some(want) if incompatible => Err(format!(
            "version {version:?} invalid: +incompatible suffix not allowed: major version {want} is compatible"
        )),
        Some(want) if major != want => Err(format!(
            "version {version:?} invalid: should be {want}, not {major}"
        )),
        Some(_) => Ok(()),
        None if incompatible || major == "v0" || major == "v1" => Ok(()),
        None => Err(format!(
            "version {version:?} invalid: should be v0 or v1, not {major}"
        )),
    }
}

/// `1.22`: two numeric parts, a release series rather than a release.
pub fn is_release_series(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The release series of a Go version: `1.23.4` → `1.23`, `1.23rc1` → `1.23`.
pub fn release_series(v: &str) -> String {
    let mut parts = v.split('.');
    let major = parts.next().unwrap_or("");
    let minor: String = parts
        .next()
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    format!("{major}.{minor}")
}

/// Orders Go toolchain versions the way the go command does (`1.21` < `1.21rc1` < `1.21.0` <
/// `1.21.1`; a leading `go` is ignored). Unparseable parts compare as zero.
pub fn compare_go_versions(a: &str, b: &str) -> std::cmp::Ordering {
    go_version_key(a).cmp(&go_version_key(b))
}

pub(super) fn go_version_key(v: &str) -> (u64, u64, u8, u8, u64, u64) {
    let v = v.strip_prefix("go").unwrap_or(v);
    let num = |s: &str| s.parse::<u64>().unwrap_or(0);
    let (major, rest) = v.split_once('.').unwrap_or((v, ""));
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (minor, tail) = rest.split_at(end);
    if let Some(patch) = tail.strip_prefix('.') {
        return (num(major), num(minor), 2, 0, 0, num(patch));
    }
    if tail.is_empty() {
        return (num(major), num(minor), 0, 0, 0, 0);
    }
    let split = tail
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(tail.len());
    let (kind, n) = tail.split_at(split);
    let rank = match kind {
        "alpha" => 1,
        "beta" => 2,
        "rc" => 3,
        _ => 0,
    };
    (num(major), num(minor), 1, rank, num(n), 0)
}
