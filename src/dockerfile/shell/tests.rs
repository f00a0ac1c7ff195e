//! Word-expansion table: inputs written for gofront, expected outputs checked against BuildKit
//! v0.13's `shell.Lex` (ProcessWord / ProcessWords) with the same environment.

use super::*;

type Expect = Result<(&'static str, &'static [&'static str]), &'static str>;

fn env() -> BTreeMap<String, String> {
    [
        ("A", "a"),
        ("B", "hello world"),
        ("E", ""),
        ("P", "foo/bar/baz.tar.gz"),
        ("S", "a b  c"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

const CASES: &[(&str, char, Expect)] = &[
    ("$A", '\\', Ok(("a", &["a"]))),
    ("${A}", '\\', Ok(("a", &["a"]))),
    ("$A$A", '\\', Ok(("aa", &["aa"]))),
    ("${A}b", '\\', Ok(("ab", &["ab"]))),
    ("${A:-x}", '\\', Ok(("a", &["a"]))),
    ("${Z:-x}", '\\', Ok(("x", &["x"]))),
    ("${E:-x}", '\\', Ok(("x", &["x"]))),
    ("${E-x}", '\\', Ok(("", &[]))),
    ("${Z-x}", '\\', Ok(("x", &["x"]))),
    ("${A-x}", '\\', Ok(("a", &["a"]))),
    ("${A:+x}", '\\', Ok(("x", &["x"]))),
    ("${Z:+x}", '\\', Ok(("", &[]))),
    ("${E:+x}", '\\', Ok(("", &[]))),
    ("${E+x}", '\\', Ok(("x", &["x"]))),
    ("${Z+x}", '\\', Ok(("", &[]))),
    ("${A+x}", '\\', Ok(("x", &["x"]))),
    ("${A:?x}", '\\', Ok(("a", &["a"]))),
    ("${Z:?x}", '\\', Err("failed to process \"${Z:?x}\": Z: x")),
    ("${Z:?}", '\\', Err("failed to process \"${Z:?}\": Z: is not allowed to be unset")),
    ("${E:?}", '\\', Err("failed to process \"${E:?}\": E: is not allowed to be empty")),
    ("${E?x}", '\\', Ok(("", &[]))),
    ("${Z?}", '\\', Err("failed to process \"${Z?}\": Z: is not allowed to be unset")),
    ("${P#*/}", '\\', Ok(("bar/baz.tar.gz", &["bar/baz.tar.gz"]))),
    ("${P##*/}", '\\', Ok(("baz.tar.gz", &["baz.tar.gz"]))),
    ("${P%.*}", '\\', Ok(("foo/bar/baz.tar", &["foo/bar/baz.tar"]))),
    ("${P%%.*}", '\\', Ok(("foo/bar/baz", &["foo/bar/baz"]))),
    ("${P/bar/qux}", '\\', Ok(("foo/qux/baz.tar.gz", &["foo/qux/baz.tar.gz"]))),
    ("${P//a/X}", '\\', Ok(("foo/bXr/bXz.tXr.gz", &["foo/bXr/bXz.tXr.gz"]))),
    ("${P/#foo/X}", '\\', Ok(("foo/bar/baz.tar.gz", &["foo/bar/baz.tar.gz"]))),
    ("${P//}", '\\', Err("failed to process \"${P//}\": syntax error: missing '/' in ${}")),
    ("${P/?/_}", '\\', Ok(("_oo/bar/baz.tar.gz", &["_oo/bar/baz.tar.gz"]))),
    ("${P//?/_}", '\\', Ok(("__________________", &["__________________"]))),
    ("${P#foo\\/}", '\\', Ok(("bar/baz.tar.gz", &["bar/baz.tar.gz"]))),
    ("${P//\\//-}", '\\', Ok(("foo-bar-baz.tar.gz", &["foo-bar-baz.tar.gz"]))),
    ("${P/*/x}", '\\', Ok(("x", &["x"]))),
    ("${P//*/x}", '\\', Ok(("x", &["x"]))),
    ("${P/b*z/Q}", '\\', Ok(("foo/Q", &["foo/Q"]))),
    ("${P#f?o}", '\\', Ok(("/bar/baz.tar.gz", &["/bar/baz.tar.gz"]))),
    ("${P%\\*}", '\\', Ok(("foo/bar/baz.tar.gz", &["foo/bar/baz.tar.gz"]))),
    ("${P#\\q}", '\\', Err("failed to process \"${P#\\\\q}\": invalid pattern (\\q) in substitution: invalid escape '\\q'")),
    ("'$A'", '\\', Ok(("$A", &["$A"]))),
    ("\"$A\"", '\\', Ok(("a", &["a"]))),
    ("\"$B\"", '\\', Ok(("hello world", &["hello world"]))),
    ("$B", '\\', Ok(("hello world", &["hello", "world"]))),
    ("'a b'", '\\', Ok(("a b", &["a b"]))),
    ("a\\ b", '\\', Ok(("a b", &["a b"]))),
    ("\\$A", '\\', Ok(("$A", &["$A"]))),
    ("\"\\$A\"", '\\', Ok(("$A", &["$A"]))),
    ("\"a\\\"b\"", '\\', Ok(("a\"b", &["a\"b"]))),
    ("'a\\'", '\\', Ok(("a\\", &["a\\"]))),
    ("\"a\\b\"", '\\', Ok(("a\\b", &["a\\b"]))),
    ("\\", '\\', Ok(("", &[]))),
    ("a\\", '\\', Ok(("a", &["a"]))),
    ("\"\\\"", '\\', Err("failed to process \"\\\"\\\\\\\"\": unexpected end of statement while looking for matching double-quote")),
    ("\"unterminated", '\\', Err("failed to process \"\\\"unterminated\": unexpected end of statement while looking for matching double-quote")),
    ("'unterminated", '\\', Err("failed to process \"'unterminated\": unexpected end of statement while looking for matching single-quote")),
    ("${", '\\', Err("failed to process \"${\": syntax error: missing '}'")),
    ("${A", '\\', Err("failed to process \"${A\": unsupported modifier (�) in substitution")),
    ("${}", '\\', Err("failed to process \"${}\": syntax error: bad substitution")),
    ("${:}", '\\', Err("failed to process \"${:}\": syntax error: bad substitution")),
    ("${{A}}", '\\', Err("failed to process \"${{A}}\": syntax error: bad substitution")),
    ("${A:x}", '\\', Err("failed to process \"${A:x}\": unsupported modifier (:x) in substitution")),
    ("${A:", '\\', Err("failed to process \"${A:\": syntax error: missing '}'")),
    ("${A/x", '\\', Err("failed to process \"${A/x\": syntax error: missing '/' in ${}")),
    ("${A/x/y", '\\', Err("failed to process \"${A/x/y\": syntax error: missing '}'")),
    ("${A!x}", '\\', Err("failed to process \"${A!x}\": unsupported modifier (!) in substitution")),
    ("$", '\\', Ok(("$", &["$"]))),
    ("$ ", '\\', Ok(("$ ", &["$"]))),
    ("$1", '\\', Ok(("", &[]))),
    ("${1}", '\\', Ok(("", &[]))),
    ("$10", '\\', Ok(("", &[]))),
    ("$@", '\\', Ok(("", &[]))),
    ("$*", '\\', Ok(("", &[]))),
    ("$#", '\\', Ok(("", &[]))),
    ("$?", '\\', Ok(("", &[]))),
    ("$$", '\\', Ok(("", &[]))),
    ("$!", '\\', Ok(("", &[]))),
    ("$-", '\\', Ok(("", &[]))),
    ("$0x", '\\', Ok(("x", &["x"]))),
    ("${#}", '\\', Ok(("", &[]))),
    ("${A:-${B}}", '\\', Ok(("a", &["a"]))),
    ("${Z:-${A:-q}}", '\\', Ok(("a", &["a"]))),
    ("${Z:-'a b'}", '\\', Ok(("a b", &["a", "b"]))),
    ("${Z:-\"a b\"}", '\\', Ok(("a b", &["a", "b"]))),
    ("${Z:-a b}", '\\', Ok(("a b", &["a", "b"]))),
    ("$S", '\\', Ok(("a b  c", &["a", "b", "c"]))),
    ("\"$S\"", '\\', Ok(("a b  c", &["a b  c"]))),
    ("x${S}y", '\\', Ok(("xa b  cy", &["xa", "b", "cy"]))),
    ("${S:+$S}", '\\', Ok(("a b  c", &["a", "b", "c"]))),
    ("${A//a/$$}", '\\', Ok(("", &[]))),
    ("${P//a/[$0]}", '\\', Ok(("foo/b[]r/b[]z.t[]r.gz", &["foo/b[]r/b[]z.t[]r.gz"]))),
    ("${P/a/$0}", '\\', Ok(("foo/br/baz.tar.gz", &["foo/br/baz.tar.gz"]))),
    ("${A:-x}}", '\\', Ok(("a}", &["a}"]))),
    ("{$A}", '\\', Ok(("{a}", &["{a}"]))),
    ("$A_B", '\\', Ok(("", &[]))),
    ("${A_B:-d}", '\\', Ok(("d", &["d"]))),
    ("é$A", '\\', Ok(("éa", &["éa"]))),
    ("$é", '\\', Ok(("", &[]))),
    ("${P//[/x}", '\\', Ok(("foo/bar/baz.tar.gz", &["foo/bar/baz.tar.gz"]))),
    ("${P/./x}", '\\', Ok(("foo/bar/bazxtar.gz", &["foo/bar/bazxtar.gz"]))),
    ("${P//.*/x}", '\\', Ok(("foo/bar/bazx", &["foo/bar/bazx"]))),
    ("${B// /_}", '\\', Ok(("hello_world", &["hello_world"]))),
    ("${B%% *}", '\\', Ok(("hello", &["hello"]))),
    ("${B## *}", '\\', Ok(("hello world", &["hello", "world"]))),
    ("${B#* }", '\\', Ok(("world", &["world"]))),
    ("${S//  /|}", '\\', Ok(("a b|c", &["a", "b|c"]))),
    ("a  b   c", '\\', Ok(("a  b   c", &["a", "b", "c"]))),
    ("  lead trail  ", '\\', Ok(("  lead trail  ", &["lead", "trail"]))),
    ("\"\"", '\\', Ok(("", &[]))),
    ("a \"\" b", '\\', Ok(("a  b", &["a", "b"]))),
    ("''", '\\', Ok(("", &[]))),
    ("${Z}x", '\\', Ok(("x", &["x"]))),
    ("${Z:-}", '\\', Ok(("", &[]))),
    ("${P%/*}", '\\', Ok(("foo/bar", &["foo/bar"]))),
    ("${P%%/*}", '\\', Ok(("foo", &["foo"]))),
    ("${P##*.}", '\\', Ok(("gz", &["gz"]))),
    ("${P#*.}", '\\', Ok(("tar.gz", &["tar.gz"]))),
    ("${A:?$B}", '\\', Ok(("a", &["a"]))),
    ("${Z:?$B}", '\\', Err("failed to process \"${Z:?$B}\": Z: hello world")),
    ("${P/b\\}/x}", '\\', Ok(("foo/bar/baz.tar.gz", &["foo/bar/baz.tar.gz"]))),
    ("${A/\\x/y}", '\\', Err("failed to process \"${A/\\\\x/y}\": invalid pattern (\\x) in substitution: invalid escape '\\x'")),
    ("${P:#foo}", '\\', Ok(("/bar/baz.tar.gz", &["/bar/baz.tar.gz"]))),
    ("${P:%gz}", '\\', Ok(("foo/bar/baz.tar.", &["foo/bar/baz.tar."]))),
    ("${P:/a/b}", '\\', Err("failed to process \"${P:/a/b}\": unsupported modifier (:/) in substitution")),
    ("${Z//a/b}", '\\', Ok(("", &[]))),
    ("${Z#a}", '\\', Ok(("", &[]))),
    ("\\\"", '\\', Ok(("\"", &["\""]))),
    ("a\\\"b", '\\', Ok(("a\"b", &["a\"b"]))),
    ("\"'$A'\"", '\\', Ok(("'a'", &["'a'"]))),
    ("'\"$A\"'", '\\', Ok(("\"$A\"", &["\"$A\""]))),
    ("`$A", '`', Ok(("$A", &["$A"]))),
    ("a`` b", '`', Ok(("a` b", &["a`", "b"]))),
    ("\"`\"\"", '`', Ok(("\"", &["\""]))),
    ("\\$A", '`', Ok(("\\a", &["\\a"]))),
    ("${A:-`}}", '`', Ok(("a", &["a"]))),
    ("$A\\b", '`', Ok(("a\\b", &["a\\b"]))),
    ("c:\\path\\$A", '`', Ok(("c:\\path\\a", &["c:\\path\\a"]))),
];

#[test]
fn expansion_table_matches_buildkit() {
    let env = env();
    let mut failures = Vec::new();
    for (word, escape, expect) in CASES {
        let lexer = Lexer::new(*escape);
        let got = lexer.process_word(word, &env);
        match expect {
            Ok((w, words)) => {
                if got.as_deref() != Ok(*w) {
                    failures.push(format!("{word:?}: word {got:?}, want {w:?}"));
                }
                let got_words = lexer.process_words(word, &env);
                let want: Vec<String> = words.iter().map(|s| s.to_string()).collect();
                if got_words.as_ref() != Ok(&want) {
                    failures.push(format!("{word:?}: words {got_words:?}, want {want:?}"));
                }
            }
            Err(msg) => {
                if got != Err(ShellError(msg.to_string())) {
                    failures.push(format!("{word:?}: {got:?}, want error {msg:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(CASES.len() >= 60);
}

#[test]
fn empty_trim_pattern_leaves_value_unchanged_instead_of_panicking() {
    // BuildKit v0.13 panics (index out of range) on `${P#}`; we return the value.
    let env = env();
    let lexer = Lexer::new('\\');
    assert_eq!(
        lexer.process_word("${P#}", &env).unwrap(),
        "foo/bar/baz.tar.gz"
    );
    assert_eq!(
        lexer.process_word("${P%}", &env).unwrap(),
        "foo/bar/baz.tar.gz"
    );
}

#[test]
fn matches_report_set_and_unset_names() {
    let env = env();
    let (word, matched, unset) = Lexer::new('\\')
        .process_word_with_matches("$A-${Z:-$B}", &env)
        .unwrap();
    assert_eq!(word, "a-hello world");
    assert_eq!(matched.into_iter().collect::<Vec<_>>(), ["A", "B"]);
    assert_eq!(unset.into_iter().collect::<Vec<_>>(), ["Z"]);
}

#[test]
fn slice_env_last_assignment_wins() {
    let env: Vec<(String, String)> = vec![("X".into(), "1".into()), ("X".into(), "2".into())];
    assert_eq!(Lexer::new('\\').process_word("$X", &env).unwrap(), "2");
}

#[test]
fn skip_unset_env_keeps_references_as_written() {
    let env: BTreeMap<String, String> = BTreeMap::new();
    let lexer = Lexer::new('\\').with_skip_unset_env(true);
    for word in ["$X", "${X}", "${X:-d}", "${X/a/b}"] {
        assert_eq!(lexer.process_word(word, &env).unwrap(), word);
    }
}

#[test]
fn skip_process_quotes_keeps_quotes_literal() {
    let lexer = Lexer::new('\\').with_skip_process_quotes(true);
    assert_eq!(
        lexer.process_word("echo '$A' \"$A\"", &env()).unwrap(),
        "echo 'a' \"a\""
    );
}

#[test]
fn raw_quotes_and_escapes_are_kept_when_asked() {
    let lexer = Lexer::new('\\')
        .with_raw_quotes(true)
        .with_raw_escapes(true);
    assert_eq!(
        lexer.process_word(r#"'a' "b" c\ d"#, &env()).unwrap(),
        r#"'a' "b" c\ d"#
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn lexer_never_panics(word in "[ -~\\n\\t]{0,40}", esc in prop::sample::select(vec!['\\', '`'])) {
            let env = env();
            let lexer = Lexer::new(esc);
            let _ = lexer.process_word(&word, &env);
            let _ = lexer.process_words(&word, &env);
        }

        #[test]
        fn plain_words_expand_to_themselves(word in "[a-zA-Z0-9_./:-]{0,30}") {
            prop_assert_eq!(Lexer::new('\\').process_word(&word, &env()).unwrap(), word);
        }
    }
}
