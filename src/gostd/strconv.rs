//! Go's `strconv`: `Quote` and `QuoteRune` (what the `%q` verb prints, in BuildKit's error
//! messages and image history), and `ParseBool`, `ParseInt`, `ParseUint`, `Atoi` with Go's
//! accepted spellings and `NumError` texts (`strconv.ParseInt: parsing "x": invalid syntax`).
//!
//! Not for: float parsing (nothing in gofront needs it) or `fmt` verbs other than `%q`.

use std::fmt::Write as _;

/// Go `strconv.Quote`: a double-quoted Go string literal; printable runes stay as they are.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_quoted(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go `fmt.Sprintf("%q", v)` of an integer: `strconv.QuoteRune`, a value that is not a valid
/// rune (negative, a surrogate, past U+10FFFF) printed as U+FFFD. (Used by the HEALTHCHECK
/// history of Dockerfile 1.7-1.23; kept, with its Go test table, for that format.)
#[allow(dead_code)]
pub(crate) fn quote_rune(v: i64) -> String {
    let c = u32::try_from(v)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}');
    let mut out = String::from("'");
    push_quoted(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Go `fmt.Sprintf("%q", []string{...})`: `["a" "b"]`.
pub(crate) fn quote_slice(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(" "))
}

fn push_quoted(out: &mut String, c: char, delimiter: char) {
    match c {
        c if c == delimiter || c == '\\' => {
            out.push('\\');
            out.push(c);
        }
        c if is_print(c) => out.push(c),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// Go `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
/// Without Unicode category tables this is the complement of what Go never prints: controls,
/// format characters, separators other than U+0020, private use and noncharacters (code points
/// unassigned in Go's Unicode version are printed as they are; Go would escape them).
fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    const NOT_PRINT: &[(u32, u32)] = &[
        (0x80, 0xa0),        // C1 controls, NO-BREAK SPACE
        (0xad, 0xad),        // SOFT HYPHEN
        (0x600, 0x605),      // Arabic number signs
        (0x61c, 0x61c),      // ARABIC LETTER MARK
        (0x6dd, 0x6dd),      // ARABIC END OF AYAH
        (0x70f, 0x70f),      // SYRIAC ABBREVIATION MARK
        (0x890, 0x891),      // Arabic pound/piastre marks
        (0x8e2, 0x8e2),      // ARABIC DISPUTED END OF AYAH
        (0x1680, 0x1680),    // OGHAM SPACE MARK
        (0x180e, 0x180e),    // MONGOLIAN VOWEL SEPARATOR
        (0x2000, 0x200f),    // spaces, zero-width and direction marks
        (0x2028, 0x202f),    // line/paragraph separators, embeddings, NARROW NO-BREAK SPACE
        (0x205f, 0x2064),    // MEDIUM MATHEMATICAL SPACE, invisible operators
        (0x2066, 0x206f),    // isolates and deprecated format characters
        (0x3000, 0x3000),    // IDEOGRAPHIC SPACE
        (0xd800, 0xf8ff),    // surrogates, private use
        (0xfdd0, 0xfdef),    // noncharacters
        (0xfeff, 0xfeff),    // ZERO WIDTH NO-BREAK SPACE (BOM)
        (0xfff9, 0xfffb),    // interlinear annotation
        (0x110bd, 0x110bd),  // KAITHI NUMBER SIGN
        (0x110cd, 0x110cd),  // KAITHI NUMBER SIGN ABOVE
        (0x13430, 0x1343f),  // Egyptian hieroglyph format controls
        (0x1bca0, 0x1bca3),  // shorthand format controls
        (0x1d173, 0x1d17a),  // musical symbol format controls
        (0xe0001, 0xe0001),  // LANGUAGE TAG
        (0xe0020, 0xe007f),  // tag characters
        (0xf0000, 0x10ffff), // supplementary private use areas
    ];
    if u & 0xfffe == 0xfffe {
        return false; // U+xxFFFE and U+xxFFFF are noncharacters in every plane
    }
    !NOT_PRINT.iter().any(|&(lo, hi)| lo <= u && u <= hi)
}

/// Why a Go number or boolean did not parse (`*strconv.NumError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("strconv.{func}: parsing {}: {kind}", quote(.num))]
pub(crate) struct NumError {
    /// The Go function (`ParseInt`, `ParseUint`, `ParseBool`, `Atoi`).
    pub func: &'static str,
    /// The input.
    pub num: String,
    /// What was wrong.
    pub kind: NumErrorKind,
}

/// The `Err` of a [`NumError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NumErrorKind {
    /// `strconv.ErrSyntax`.
    #[error("invalid syntax")]
    Syntax,
    /// `strconv.ErrRange`.
    #[error("value out of range")]
    Range,
    /// A base other than 0 or 2..=36.
    #[error("invalid base {0}")]
    Base(u32),
    /// A bit size over 64.
    #[error("invalid bit size {0}")]
    BitSize(u32),
}

fn num_error(func: &'static str, num: &str, kind: NumErrorKind) -> NumError {
    NumError {
        func,
        num: num.to_string(),
        kind,
    }
}

/// Go `strconv.ParseBool`: `1 t T TRUE true True` and `0 f F FALSE false False`.
pub(crate) fn parse_bool(s: &str) -> Result<bool, NumError> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(num_error("ParseBool", s, NumErrorKind::Syntax)),
    }
}

/// Go `strconv.ParseUint(s, base, bit_size)`: no sign; base 0 reads a `0x`, `0o`, `0b` or `0`
/// prefix and allows `_` between digits; bit size 0 means 64.
pub(crate) fn parse_uint(s: &str, base: u32, bit_size: u32) -> Result<u64, NumError> {
    parse_uint_as("ParseUint", s, base, bit_size)
}

fn parse_uint_as(func: &'static str, s: &str, base: u32, bit_size: u32) -> Result<u64, NumError> {
    let err = |kind| num_error(func, s, kind);
    if s.is_empty() {
        return Err(err(NumErrorKind::Syntax));
    }
    let base0 = base == 0;
    let (base, digits) = match base {
        0 => {
            let b = s.as_bytes();
            match (b[0], b.get(1).map(u8::to_ascii_lowercase)) {
                (b'0', Some(b'x')) if s.len() >= 3 => (16, &s[2..]),
                (b'0', Some(b'o')) if s.len() >= 3 => (8, &s[2..]),
                (b'0', Some(b'b')) if s.len() >= 3 => (2, &s[2..]),
                (b'0', _) => (8, &s[1..]),
                _ => (10, s),
            }
        }
        2..=36 => (base, s),
        other => return Err(err(NumErrorKind::Base(other))),
    };
    let bits = match bit_size {
        0 => 64,
        1..=64 => bit_size,
        other => return Err(err(NumErrorKind::BitSize(other))),
    };
    let max: u64 = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let mut value: u64 = 0;
    let mut underscores = false;
    for c in digits.bytes() {
        if c == b'_' && base0 {
            underscores = true;
            continue;
        }
        let d = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'z' => u32::from(c - b'a') + 10,
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return Err(err(NumErrorKind::Syntax)),
        };
        if d >= base {
            return Err(err(NumErrorKind::Syntax));
        }
        // Like Go, an overflow ends the scan: later characters are not checked.
        value = value
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(d)))
            .filter(|v| *v <= max)
            .ok_or_else(|| err(NumErrorKind::Range))?;
    }
    if underscores && !underscores_ok(s) {
        return Err(err(NumErrorKind::Syntax));
    }
    Ok(value)
}

/// Go's `underscoreOK`: underscores only between digits, or between a base prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    // `saw` is '^' at the start, '0' after a digit or prefix, '_' after an underscore.
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        hex = b[1].eq_ignore_ascii_case(&b'x');
        i = 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go `strconv.ParseInt(s, base, bit_size)`: an optional `+` or `-`, then as [`parse_uint`].
pub(crate) fn parse_int(s: &str, base: u32, bit_size: u32) -> Result<i64, NumError> {
    parse_int_as("ParseInt", s, base, bit_size)
}

fn parse_int_as(func: &'static str, s: &str, base: u32, bit_size: u32) -> Result<i64, NumError> {
    let err = |kind| num_error(func, s, kind);
    if s.is_empty() {
        return Err(err(NumErrorKind::Syntax));
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = parse_uint_as(func, body, base, bit_size).map_err(|e| NumError {
        num: s.to_string(),
        ..e
    })?;
    let bits = if bit_size == 0 { 64 } else { bit_size };
    let cutoff = 1u64 << (bits - 1);
    match negative {
        false if magnitude >= cutoff => Err(err(NumErrorKind::Range)),
        true if magnitude > cutoff => Err(err(NumErrorKind::Range)),
        false => Ok(magnitude as i64),
        true => Ok((magnitude as i64).wrapping_neg()),
    }
}

/// Go `strconv.Atoi` on a 64-bit platform: `ParseInt(s, 10, 0)` reported as `Atoi`.
pub(crate) fn atoi(s: &str) -> Result<i64, NumError> {
    parse_int_as("Atoi", s, 10, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use NumErrorKind::{Range, Syntax};

    /// Go's `quotetests` (strconv/quote_test.go), the rows a Rust string can hold (the
    /// `abc\xffdef` row is invalid UTF-8).
    #[test]
    fn quote_matches_go_quotetests() {
        let table = [
            ("\u{7}\u{8}\u{c}\r\n\t\u{b}", r#""\a\b\f\r\n\t\v""#),
            ("\\", r#""\\""#),
            ("\u{263a}", "\"\u{263a}\""),
            ("\u{10ffff}", r#""\U0010ffff""#),
            ("\u{4}", r#""\x04""#),
            ("!\u{a0}!\u{2000}!\u{3000}!", r#""!\u00a0!\u2000!\u3000!""#),
        ];
        for (input, want) in table {
            assert_eq!(quote(input), want, "{input:?}");
        }
        assert_eq!(quote("say \"hi\""), r#""say \"hi\"""#);
        assert_eq!(quote("\u{7f}\u{feff}\u{2028}"), r#""\x7f\ufeff\u2028""#);
    }

    /// Go's `quoterunetests`.
    #[test]
    fn quote_rune_matches_go_quoterunetests() {
        let table: [(i64, &str); 12] = [
            ('a' as i64, "'a'"),
            (7, r"'\a'"),
            ('\\' as i64, r"'\\'"),
            (0xff, "'\u{ff}'"),
            (0x263a, "'\u{263a}'"),
            (0xfffd, "'\u{fffd}'"),
            (0x10ffff, r"'\U0010ffff'"),
            (0x10ffff + 1, "'\u{fffd}'"),
            (0x04, r"'\x04'"),
            (0xa0, r"'\u00a0'"),
            (0x2000, r"'\u2000'"),
            (0x3000, r"'\u3000'"),
        ];
        for (input, want) in table {
            assert_eq!(quote_rune(input), want, "{input:#x}");
        }
        assert_eq!(quote_rune(-1), "'\u{fffd}'");
        assert_eq!(quote_rune(3), r"'\x03'");
    }

    #[test]
    fn quote_slice_is_percent_q_of_a_string_slice() {
        assert_eq!(
            quote_slice(&["/bin/sh".into(), "-c".into(), "echo \"hi\"\n".into()]),
            r#"["/bin/sh" "-c" "echo \"hi\"\n"]"#
        );
        assert_eq!(quote_slice(&[]), "[]");
    }

    /// Go's `atobtests` (strconv/atob_test.go).
    #[test]
    fn parse_bool_matches_go_atobtests() {
        let table = [
            ("", None),
            ("asdf", None),
            ("0", Some(false)),
            ("f", Some(false)),
            ("F", Some(false)),
            ("FALSE", Some(false)),
            ("false", Some(false)),
            ("False", Some(false)),
            ("1", Some(true)),
            ("t", Some(true)),
            ("T", Some(true)),
            ("TRUE", Some(true)),
            ("true", Some(true)),
            ("True", Some(true)),
        ];
        for (input, want) in table {
            assert_eq!(parse_bool(input).ok(), want, "{input:?}");
        }
        assert_eq!(
            parse_bool("yes").unwrap_err().to_string(),
            r#"strconv.ParseBool: parsing "yes": invalid syntax"#
        );
    }

    fn kind<T>(r: Result<T, NumError>) -> Result<T, NumErrorKind> {
        r.map_err(|e| e.kind)
    }

    /// Go's `parseUint64Tests`, `parseUint64BaseTests` and `parseUint32Tests`.
    #[test]
    fn parse_uint_matches_go_tables() {
        let base10: [(&str, Result<u64, NumErrorKind>); 10] = [
            ("", Err(Syntax)),
            ("0", Ok(0)),
            ("1", Ok(1)),
            ("12345", Ok(12345)),
            ("012345", Ok(12345)),
            ("12345x", Err(Syntax)),
            ("98765432100", Ok(98765432100)),
            ("18446744073709551615", Ok(u64::MAX)),
            ("18446744073709551616", Err(Range)),
            ("18446744073709551620", Err(Range)),
        ];
        for (input, want) in base10 {
            assert_eq!(kind(parse_uint(input, 10, 64)), want, "{input:?}");
        }
        let base0: [(&str, Result<u64, NumErrorKind>); 22] = [
            ("", Err(Syntax)),
            ("0", Ok(0)),
            ("0x", Err(Syntax)),
            ("0X", Err(Syntax)),
            ("1", Ok(1)),
            ("12345", Ok(12345)),
            ("012345", Ok(0o12345)),
            ("0x12345", Ok(0x12345)),
            ("0X12345", Ok(0x12345)),
            ("12345x", Err(Syntax)),
            ("0xabcdefg123", Err(Syntax)),
            ("123456789abc", Err(Syntax)),
            ("98765432100", Ok(98765432100)),
            ("18446744073709551615", Ok(u64::MAX)),
            ("18446744073709551616", Err(Range)),
            ("18446744073709551620", Err(Range)),
            ("0xFFFFFFFFFFFFFFFF", Ok(u64::MAX)),
            ("0x10000000000000000", Err(Range)),
            ("01777777777777777777777", Ok(u64::MAX)),
            ("01777777777777777777778", Err(Syntax)),
            ("02000000000000000000000", Err(Range)),
            ("0200000000000000000000", Ok(1 << 61)),
        ];
        for (input, want) in base0 {
            assert_eq!(kind(parse_uint(input, 0, 64)), want, "{input:?}");
        }
        let bits32: [(&str, Result<u64, NumErrorKind>); 9] = [
            ("", Err(Syntax)),
            ("0", Ok(0)),
            ("1", Ok(1)),
            ("12345", Ok(12345)),
            ("012345", Ok(12345)),
            ("12345x", Err(Syntax)),
            ("987654321", Ok(987654321)),
            ("4294967295", Ok(u64::from(u32::MAX))),
            ("4294967296", Err(Range)),
        ];
        for (input, want) in bits32 {
            assert_eq!(kind(parse_uint(input, 10, 32)), want, "{input:?}");
        }
        assert_eq!(kind(parse_uint("+1", 10, 64)), Err(Syntax));
        assert_eq!(kind(parse_uint("755", 8, 32)), Ok(0o755));
        assert_eq!(kind(parse_uint("1_000", 0, 64)), Ok(1000));
        assert_eq!(kind(parse_uint("1__0", 0, 64)), Err(Syntax));
        assert_eq!(kind(parse_uint("1_000", 10, 64)), Err(Syntax));
    }

    /// Go's `parseInt64Tests`, `parseInt64BaseTests` and `parseInt32Tests`.
    #[test]
    fn parse_int_matches_go_tables() {
        let base10: [(&str, Result<i64, NumErrorKind>); 17] = [
            ("", Err(Syntax)),
            ("0", Ok(0)),
            ("-0", Ok(0)),
            ("1", Ok(1)),
            ("-1", Ok(-1)),
            ("12345", Ok(12345)),
            ("-12345", Ok(-12345)),
            ("012345", Ok(12345)),
            ("-012345", Ok(-12345)),
            ("98765432100", Ok(98765432100)),
            ("-98765432100", Ok(-98765432100)),
            ("9223372036854775807", Ok(i64::MAX)),
            ("-9223372036854775807", Ok(-i64::MAX)),
            ("9223372036854775808", Err(Range)),
            ("-9223372036854775808", Ok(i64::MIN)),
            ("9223372036854775809", Err(Range)),
            ("-9223372036854775809", Err(Range)),
        ];
        for (input, want) in base10 {
            assert_eq!(kind(parse_int(input, 10, 64)), want, "{input:?}");
            assert_eq!(kind(atoi(input)), want, "Atoi {input:?}");
        }
        let holycow35 = (((((17 * 35 + 24) * 35 + 21) * 35 + 34) * 35 + 12) * 35 + 24) * 35 + 32;
        let holycow36 = (((((17 * 36 + 24) * 36 + 21) * 36 + 34) * 36 + 12) * 36 + 24) * 36 + 32;
        let bases: [(&str, u32, Result<i64, NumErrorKind>); 36] = [
            ("", 0, Err(Syntax)),
            ("0", 0, Ok(0)),
            ("-0", 0, Ok(0)),
            ("1", 0, Ok(1)),
            ("-1", 0, Ok(-1)),
            ("12345", 0, Ok(12345)),
            ("-12345", 0, Ok(-12345)),
            ("012345", 0, Ok(0o12345)),
            ("-012345", 0, Ok(-0o12345)),
            ("0x12345", 0, Ok(0x12345)),
            ("-0X12345", 0, Ok(-0x12345)),
            ("12345x", 0, Err(Syntax)),
            ("-12345x", 0, Err(Syntax)),
            ("98765432100", 0, Ok(98765432100)),
            ("-98765432100", 0, Ok(-98765432100)),
            ("9223372036854775807", 0, Ok(i64::MAX)),
            ("-9223372036854775807", 0, Ok(-i64::MAX)),
            ("9223372036854775808", 0, Err(Range)),
            ("-9223372036854775808", 0, Ok(i64::MIN)),
            ("9223372036854775809", 0, Err(Range)),
            ("-9223372036854775809", 0, Err(Range)),
            ("g", 17, Ok(16)),
            ("10", 25, Ok(25)),
            ("holycow", 35, Ok(holycow35)),
            ("holycow", 36, Ok(holycow36)),
            ("0", 2, Ok(0)),
            ("-1", 2, Ok(-1)),
            ("1010", 2, Ok(10)),
            ("1000000000000000", 2, Ok(1 << 15)),
            (
                "111111111111111111111111111111111111111111111111111111111111111",
                2,
                Ok(i64::MAX),
            ),
            (
                "1000000000000000000000000000000000000000000000000000000000000000",
                2,
                Err(Range),
            ),
            (
                "-1000000000000000000000000000000000000000000000000000000000000000",
                2,
                Ok(i64::MIN),
            ),
            (
                "-1000000000000000000000000000000000000000000000000000000000000001",
                2,
                Err(Range),
            ),
            ("-10", 8, Ok(-8)),
            ("57635436545", 8, Ok(0o57635436545)),
            ("100000000", 8, Ok(1 << 24)),
        ];
        for (input, base, want) in bases {
            assert_eq!(
                kind(parse_int(input, base, 64)),
                want,
                "{input:?} base {base}"
            );
        }
        assert_eq!(kind(parse_int("10", 16, 64)), Ok(16));
        assert_eq!(
            kind(parse_int("-123456789abcdef", 16, 64)),
            Ok(-0x123456789abcdef)
        );
        assert_eq!(kind(parse_int("7fffffffffffffff", 16, 64)), Ok(i64::MAX));
        let bits32: [(&str, Result<i64, NumErrorKind>); 19] = [
            ("", Err(Syntax)),
            ("0", Ok(0)),
            ("-0", Ok(0)),
            ("1", Ok(1)),
            ("-1", Ok(-1)),
            ("12345", Ok(12345)),
            ("-12345", Ok(-12345)),
            ("012345", Ok(12345)),
            ("-012345", Ok(-12345)),
            ("12345x", Err(Syntax)),
            ("-12345x", Err(Syntax)),
            ("987654321", Ok(987654321)),
            ("-987654321", Ok(-987654321)),
            ("2147483647", Ok(i64::from(i32::MAX))),
            ("-2147483647", Ok(-i64::from(i32::MAX))),
            ("2147483648", Err(Range)),
            ("-2147483648", Ok(i64::from(i32::MIN))),
            ("2147483649", Err(Range)),
            ("-2147483649", Err(Range)),
        ];
        for (input, want) in bits32 {
            assert_eq!(kind(parse_int(input, 10, 32)), want, "{input:?}");
        }
    }

    /// Go's `parseBitSizeTests` and `parseBaseTests`, and the `NumError` text.
    #[test]
    fn bad_bases_and_bit_sizes_and_error_texts() {
        assert_eq!(kind(parse_int("0", 0, 65)), Err(NumErrorKind::BitSize(65)));
        assert_eq!(kind(parse_uint("0", 0, 64)), Ok(0));
        assert_eq!(kind(parse_int("0", 1, 0)), Err(NumErrorKind::Base(1)));
        assert_eq!(kind(parse_int("0", 37, 0)), Err(NumErrorKind::Base(37)));
        assert_eq!(kind(parse_int("0", 36, 0)), Ok(0));
        assert_eq!(
            parse_int("x1", 10, 32).unwrap_err().to_string(),
            r#"strconv.ParseInt: parsing "x1": invalid syntax"#
        );
        assert_eq!(
            parse_uint("99999999999", 10, 32).unwrap_err().to_string(),
            r#"strconv.ParseUint: parsing "99999999999": value out of range"#
        );
        assert_eq!(
            atoi("").unwrap_err().to_string(),
            r#"strconv.Atoi: parsing "": invalid syntax"#
        );
    }
}
