//! Docker image references the way `distribution/reference` normalises them for BuildKit:
//! `golang:1.22` → `docker.io/library/golang:1.22`, a missing tag becomes `:latest`, digests are
//! kept, and the familiar form (`golang:1.22`) is recovered for named-context lookups.
//!
//! Not for: resolving references (the gateway asks the daemon) or anything about registries.

/// A parsed, normalised reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Registry host, e.g. `docker.io`.
    pub domain: String,
    /// Repository path, e.g. `library/golang`.
    pub path: String,
    /// Tag, if any.
    pub tag: Option<String>,
    /// Digest (`sha256:…`), if any.
    pub digest: Option<String>,
}

const DEFAULT_DOMAIN: &str = "docker.io";
const LEGACY_DOMAIN: &str = "index.docker.io";

impl Reference {
    /// `reference.ParseNormalizedNamed`.
    pub fn parse_normalized(s: &str) -> Result<Reference, String> {
        if s.is_empty() {
            return Err("repository name must have at least one component".into());
        }
        if s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(format!(
                "invalid repository name ({s}), cannot specify 64-byte hexadecimal strings"
            ));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (s, None),
        };
        let (name, tag) = split_tag(rest);
        let (domain, mut path) = split_domain(name);
        if domain == DEFAULT_DOMAIN && !path.contains('/') {
            path = format!("library/{path}");
        }
        validate_path(&path, s)?;
        validate_domain(&domain)?;
        if let Some(t) = &tag {
            validate_tag(t)?;
        }
        if let Some(d) = &digest {
            validate_digest(d)?;
        }
        if domain.len() + 1 + path.len() > 255 {
            return Err("repository name must not be more than 255 characters".into());
        }
        Ok(Reference {
            domain,
            path,
            tag,
            digest,
        })
    }

    /// `reference.TagNameOnly`: adds `:latest` when there is neither tag nor digest.
    pub fn tag_name_only(mut self) -> Reference {
        if self.tag.is_none() && self.digest.is_none() {
            self.tag = Some("latest".into());
        }
        self
    }

    /// `reference.WithDigest` (keeps the tag).
    pub fn with_digest(mut self, digest: &str) -> Reference {
        self.digest = Some(digest.to_string());
        self
    }

    /// Repository name without tag or digest (`docker.io/library/golang`).
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// `reference.FamiliarString`: `golang:1.22`, `me/app`, `ghcr.io/x/y:1`.
    pub fn familiar(&self) -> String {
        let mut out = if self.domain == DEFAULT_DOMAIN {
            self.path
                .strip_prefix("library/")
                .filter(|p| !p.contains('/'))
                .unwrap_or(&self.path)
                .to_string()
        } else {
            self.name()
        };
        if let Some(t) = &self.tag {
            out.push(':');
            out.push_str(t);
        }
        if let Some(d) = &self.digest {
            out.push('@');
            out.push_str(d);
        }
        out
    }
}

/// An `oci-layout://` context value after the scheme (`<store>[:tag]@<digest>`), parsed like
/// dockerui does with `reference.Parse`: the store id is the name exactly as written (not
/// normalised) and the digest is required. Returns `(store, digest)`.
pub fn parse_oci_layout(spec: &str) -> Result<(String, String), String> {
    let wrap = |e: String| format!("could not parse oci-layout reference {spec:?}: {e}");
    // Validate the whole reference with the normalising parser (same grammar for names).
    let parsed = Reference::parse_normalized(spec).map_err(wrap)?;
    let rest = spec.split_once('@').map_or(spec, |(r, _)| r);
    let (name, _) = split_tag(rest);
    let Some(digest) = parsed.digest else {
        return Err(format!("oci-layout reference {name:?} has no digest"));
    };
    Ok((name.to_string(), digest))
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

fn split_tag(s: &str) -> (&str, Option<String>) {
    let last_slash = s.rfind('/').map_or(0, |i| i + 1);
    match s[last_slash..].rfind(':') {
        Some(i) => {
            let at = last_slash + i;
            (&s[..at], Some(s[at + 1..].to_string()))
        }
        None => (s, None),
    }
}

fn split_domain(name: &str) -> (String, String) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            let domain = if first == LEGACY_DOMAIN {
                DEFAULT_DOMAIN.to_string()
            } else {
                first.to_string()
            };
            (domain, rest.to_string())
        }
        _ => (DEFAULT_DOMAIN.to_string(), name.to_string()),
    }
}

fn invalid() -> String {
    "invalid reference format".into()
}

fn validate_path(path: &str, original: &str) -> Result<(), String> {
    for comp in path.split('/') {
        if comp.is_empty() {
            return Err(invalid());
        }
        if comp.bytes().any(|b| b.is_ascii_uppercase()) {
            let lower = original.to_ascii_lowercase();
            if Reference::parse_normalized(&lower).is_ok() {
                return Err("invalid reference format: repository name must be lowercase".into());
            }
            return Err(invalid());
        }
        if !valid_component(comp) {
            return Err(invalid());
        }
    }
    Ok(())
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if !b.first().copied().is_some_and(alnum) || !b.last().copied().is_some_and(alnum) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn validate_domain(domain: &str) -> Result<(), String> {
    let host = match domain.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(']') || domain.starts_with('[') => {
            if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else if domain.starts_with('[') && domain.ends_with(']') {
                domain
            } else {
                return Err(invalid());
            }
        }
        _ => domain,
    };
    let ok = if host.starts_with('[') {
        host.ends_with(']')
    } else {
        host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
    };
    if ok {
        Ok(())
    } else {
        Err(invalid())
    }
}

fn validate_tag(tag: &str) -> Result<(), String> {
    let b = tag.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    let ok = !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b.iter().all(|&x| word(x) || x == b'.' || x == b'-');
    if ok {
        Ok(())
    } else {
        Err(invalid())
    }
}

fn validate_digest(d: &str) -> Result<(), String> {
    let Some((algo, hex)) = d.split_once(':') else {
        return Err(invalid());
    };
    let algo_ok = !algo.is_empty()
        && algo
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b));
    let hex_ok = hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    if algo_ok && hex_ok {
        Ok(())
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_distribution_reference() {
        let table = [
            ("golang:1.22", "docker.io/library/golang:1.22"),
            ("busybox", "docker.io/library/busybox:latest"),
            ("me/app", "docker.io/me/app:latest"),
            ("index.docker.io/library/alpine:3", "docker.io/library/alpine:3"),
            ("localhost:5000/x/y:t", "localhost:5000/x/y:t"),
            ("ghcr.io/a/b", "ghcr.io/a/b:latest"),
            (
                "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "docker.io/library/alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            ),
        ];
        for (input, want) in table {
            let r = Reference::parse_normalized(input).unwrap().tag_name_only();
            assert_eq!(r.to_string(), want, "{input}");
        }
    }

    #[test]
    fn familiar_form_drops_default_domain() {
        let r = Reference::parse_normalized("docker.io/library/golang:1.22").unwrap();
        assert_eq!(r.familiar(), "golang:1.22");
        let r = Reference::parse_normalized("ghcr.io/a/b:1").unwrap();
        assert_eq!(r.familiar(), "ghcr.io/a/b:1");
    }

    #[test]
    fn rejects_bad_references() {
        assert_eq!(
            Reference::parse_normalized("Golang").unwrap_err(),
            "invalid reference format: repository name must be lowercase"
        );
        for bad in ["a b", "x:", "-x", "a//b", "foo@sha256:zz"] {
            assert!(Reference::parse_normalized(bad).is_err(), "{bad}");
        }
    }
}
