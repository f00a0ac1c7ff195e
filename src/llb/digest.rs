//! Content digests of LLB ops (`sha256:<hex>`), the keys of a Definition's metadata and source
//! map and the vertex ids BuildKit reports in progress output.
//!
//! Not for: image or blob digests from registries (those stay plain strings).

use std::fmt;

use sha2::{Digest as _, Sha256};

use super::LlbError;

/// An OCI-style content digest, always `sha256:` followed by 64 lowercase hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    /// The sha256 digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    /// Parses a `sha256:<64 lowercase hex>` string (e.g. an input digest read back from an op).
    pub fn parse(s: &str) -> Result<Digest, LlbError> {
        let hex = s
            .strip_prefix("sha256:")
            .ok_or_else(|| LlbError::InvalidDigest(s.to_string()))?;
        let valid = hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(Digest(s.to_string()))
        } else {
            Err(LlbError::InvalidDigest(s.to_string()))
        }
    }

    /// The digest as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_empty_input_is_the_well_known_sha256() {
        assert_eq!(
            Digest::of(b"").as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn parse_accepts_only_lowercase_sha256() {
        let good = Digest::of(b"x");
        assert_eq!(Digest::parse(good.as_str()), Ok(good.clone()));
        for bad in [
            "",
            "sha256:",
            "sha512:00",
            &good.as_str().to_uppercase(),
            &good.as_str()[..70],
        ] {
            assert!(Digest::parse(bad).is_err(), "{bad}");
        }
    }
}
