//! Values inside ops that must be spelled exactly as BuildKit's Go client spells them, because
//! they are hashed: JSON-valued source attrs (`local.followpaths`, `local.includepattern`,
//! `local.excludepatterns`) and op platforms.
//!
//! Not for: choosing attrs (convert and gateway do) or the op encoding itself (`encode`).

use std::fmt::Write as _;

use super::pb;
use crate::platform::Platform;

/// Go `encoding/json` of a `[]string`: `["a","b"]`, no spaces, strings as [`go_json_string`].
pub fn go_json_strings(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| go_json_string(s)).collect();
    format!("[{}]", parts.join(","))
}

/// Go `encoding/json` of a string (Go 1.21, the toolchain of Docker 26.1's BuildKit): `"` and `\`
/// backslash-escaped, `\n` `\r` `\t` by name, other control characters and the HTML-sensitive
/// `<` `>` `&` plus U+2028 / U+2029 as `\u00XX` (lowercase hex). serde_json differs on the last
/// group, which would change the op digest.
pub fn go_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The op platform Go's client writes for `p` (`OSFeatures` unused by Dockerfiles).
pub fn pb_platform(p: &Platform) -> pb::Platform {
    pb::Platform {
        architecture: p.architecture.clone(),
        os: p.os.clone(),
        variant: p.variant.clone(),
        os_version: p.os_version.clone(),
        os_features: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_json_escapes_like_go_encoding_json() {
        let table = [
            ("plain/path", r#""plain/path""#),
            ("a<b>&c", r#""a\u003cb\u003e\u0026c""#),
            ("q\"b\\", r#""q\"b\\""#),
            ("\n\r\t", r#""\n\r\t""#),
            ("\u{1}\u{8}\u{c}\u{1f}", r#""\u0001\u0008\u000c\u001f""#),
            ("\u{2028}\u{2029}", r#""\u2028\u2029""#),
            ("ü€😀", "\"ü€😀\""),
        ];
        for (input, want) in table {
            assert_eq!(go_json_string(input), want, "{input:?}");
        }
        assert_eq!(go_json_strings(&[]), "[]");
        assert_eq!(
            go_json_strings(&["Dockerfile".into(), "x<y".into()]),
            r#"["Dockerfile","x\u003cy"]"#
        );
    }

    #[test]
    fn pb_platform_copies_every_part() {
        let p = Platform::new("linux", "arm", "v7");
        let pb = pb_platform(&p);
        assert_eq!(
            (
                pb.os.as_str(),
                pb.architecture.as_str(),
                pb.variant.as_str()
            ),
            ("linux", "arm", "v7")
        );
    }
}
