//! `COPY/ADD --chmod` values as `dispatchCopy` reads them since Dockerfile 1.14: an octal mode
//! up to `07777` goes to `FileActionCopy.mode`; anything else must be a chmod(1) symbolic mode
//! (`u+x`, `u=rwX,go=rX`, `g=u`; checked with `dchapes-mode`'s grammar) and goes to
//! `FileActionCopy.modeStr` for the daemon to apply. A value that looks numeric but is not a
//! valid mode keeps the old "should be octal" error.
//!
//! Not for: applying a mode (the daemon does) or where the value came from (expanded by copy).

use crate::gostd::strconv::parse_uint;

/// A parsed `--chmod`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Chmod {
    /// Octal permission bits.
    Octal(i32),
    /// A symbolic mode, passed on as written.
    Symbolic(String),
}

/// Parses `--chmod=<value>` with `dispatchCopy`'s rules and error texts.
pub(super) fn parse_chmod(value: &str) -> Result<Chmod, String> {
    let non_octal = || {
        format!(
            "invalid chmod parameter: '{value}'. it should be octal string and between 0 and 07777"
        )
    };
    if let Ok(p) = parse_uint(value, 8, 32) {
        if p > 0o7777 {
            return Err(non_octal());
        }
        return i32::try_from(p).map(Chmod::Octal).map_err(|_| non_octal());
    }
    // `mode.Parse`: a leading digit means an octal number (`strconv.ParseInt(s, 8, 16)`); its
    // NumError is reported as the octal error, for compatibility.
    if value.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return Err(non_octal());
    }
    if symbolic_is_valid(value) {
        Ok(Chmod::Symbolic(value.to_string()))
    } else {
        Err("invalid syntax".into())
    }
}

/// The clause grammar of `mode.ParseWithUmask`: `[augo]*` then one or more `op perms`, where
/// op is `+`, `-` or `=` and perms are `[rwxXst]*` or one of `u`, `g`, `o` mixed in; clauses
/// separated by `,`.
fn symbolic_is_valid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    let mut i = 0;
    loop {
        while i < b.len() && matches!(b[i], b'a' | b'u' | b'g' | b'o') {
            i += 1;
        }
        if i >= b.len() {
            return false;
        }
        loop {
            // getop
            if i >= b.len() || !matches!(b[i], b'+' | b'-' | b'=') {
                return false;
            }
            i += 1;
            while i < b.len()
                && matches!(
                    b[i],
                    b'r' | b's' | b't' | b'w' | b'X' | b'x' | b'u' | b'g' | b'o'
                )
            {
                i += 1;
            }
            if i >= b.len() {
                return true;
            }
            if b[i] == b',' {
                i += 1;
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_and_symbolic_modes_like_dispatch_copy() {
        assert_eq!(parse_chmod("755"), Ok(Chmod::Octal(0o755)));
        assert_eq!(parse_chmod("0"), Ok(Chmod::Octal(0)));
        for ok in [
            "u+x",
            "u=rwX,go=rX",
            "g=u",
            "a-w",
            "+x",
            "u+x-w",
            "o=",
            "ug+s,o+t",
        ] {
            assert_eq!(parse_chmod(ok), Ok(Chmod::Symbolic(ok.into())), "{ok}");
        }
        let octal_err =
            "invalid chmod parameter: '9'. it should be octal string and between 0 and 07777";
        assert_eq!(parse_chmod("9").unwrap_err(), octal_err);
        assert!(parse_chmod("17777")
            .unwrap_err()
            .contains("between 0 and 07777"));
        assert!(parse_chmod("7x").unwrap_err().contains("octal string"));
        for bad in ["u+z", "u", "x", "u+x,", ",u+x", "u!x"] {
            assert_eq!(parse_chmod(bad).unwrap_err(), "invalid syntax", "{bad}");
        }
    }
}
