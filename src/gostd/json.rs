//! Go's `encoding/json` output escaping: with `SetEscapeHTML(true)` (the default, which
//! BuildKit uses) `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026`, and U+2028 and
//! U+2029 always as `\u2028`/`\u2029`. serde_json writes them as they are.
//!
//! Not for: serialising (serde_json does that); field order and names are the caller's.

/// Applies Go's extra escapes to already-serialised JSON text. Only string contents can hold
/// these characters, so a plain replace is exact.
pub(crate) fn escape_like_go(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's `json.Marshal("<a>&b\u2028")` is `"\u003ca\u003e\u0026b\u2028"`.
    #[test]
    fn escapes_like_go_marshal() {
        assert_eq!(
            escape_like_go("\"<a>&b\u{2028}\u{2029}é\""),
            "\"\\u003ca\\u003e\\u0026b\\u2028\\u2029é\""
        );
        assert_eq!(escape_like_go("{\"k\":1}"), "{\"k\":1}");
    }
}
