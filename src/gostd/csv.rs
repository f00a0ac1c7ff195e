//! Go's `encoding/csv`, as BuildKit uses it: one `csv.NewReader(strings.NewReader(v)).Read()`
//! with the default settings (comma `,`, `"` quoting with `""` escapes, strict quotes, no
//! comments, no space trimming) to split `RUN --mount` flags and the `add-hosts` and `ulimit`
//! options. Errors carry Go's texts and 1-based byte positions
//! (`parse error on line 1, column 9: bare " in non-quoted-field`).
//!
//! Not for: reading more than the first record, or writing CSV.

/// Why the first record could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CsvError {
    /// No record at all (empty input or only blank lines): Go's `io.EOF`.
    #[error("EOF")]
    Eof,
    /// A quote in the wrong place (`*csv.ParseError`).
    #[error("{}", parse_error_text(*.start_line, *.line, *.column, *.kind))]
    Parse {
        /// Line where the record starts.
        start_line: usize,
        /// Line of the error.
        line: usize,
        /// 1-based byte column of the error.
        column: usize,
        /// What was wrong.
        kind: QuoteError,
    },
}

/// The quote errors of `encoding/csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuoteError {
    /// `csv.ErrBareQuote`: a `"` inside an unquoted field.
    Bare,
    /// `csv.ErrQuote`: a quoted field not closed, or followed by something other than `,`.
    Quote,
}

fn parse_error_text(start_line: usize, line: usize, column: usize, kind: QuoteError) -> String {
    let what = match kind {
        QuoteError::Bare => "bare \" in non-quoted-field",
        QuoteError::Quote => "extraneous or missing \" in quoted-field",
    };
    if start_line == line {
        format!("parse error on line {line}, column {column}: {what}")
    } else {
        format!("record on line {start_line}; parse error on line {line}, column {column}: {what}")
    }
}

/// Reads input line by line like Go's `Reader.readLine`: each line keeps its `\n`, a final
/// `\r\n` becomes `\n`, and a `\r` ending the input without a newline is dropped.
struct Lines<'a> {
    rest: &'a str,
    number: usize,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> Option<String> {
        if self.rest.is_empty() {
            return None;
        }
        let end = self.rest.find('\n').map_or(self.rest.len(), |i| i + 1);
        let (line, rest) = self.rest.split_at(end);
        self.rest = rest;
        self.number += 1;
        let mut line = line.to_string();
        if !line.ends_with('\n') && line.ends_with('\r') {
            line.pop();
        }
        if line.ends_with("\r\n") {
            line.truncate(line.len() - 2);
            line.push('\n');
        }
        Some(line)
    }
}

/// Whether `line` is nothing but its line ending (Go's `lengthNL(line) == len(line)`).
fn only_newline(line: &str) -> bool {
    line.is_empty() || line == "\n"
}

/// Go `csv.NewReader(strings.NewReader(input)).Read()`: the fields of the first record.
pub(crate) fn read_record(input: &str) -> Result<Vec<String>, CsvError> {
    let mut lines = Lines {
        rest: input,
        number: 0,
    };
    let mut line = loop {
        match lines.next_line() {
            None => return Err(CsvError::Eof),
            Some(l) if only_newline(&l) => continue,
            Some(l) => break l,
        }
    };
    let start_line = lines.number;
    let (mut at_line, mut col) = (start_line, 1usize);
    let error = |line: usize, column: usize, kind: QuoteError| CsvError::Parse {
        start_line,
        line,
        column,
        kind,
    };
    let mut fields = Vec::new();
    loop {
        if !line.starts_with('"') {
            let comma = line.find(',');
            let end = comma.unwrap_or(line.len() - usize::from(line.ends_with('\n')));
            let field = &line[..end];
            if let Some(j) = field.find('"') {
                return Err(error(lines.number, col + j, QuoteError::Bare));
            }
            fields.push(field.to_string());
            match comma {
                Some(i) => {
                    line = line[i + 1..].to_string();
                    col += i + 1;
                    continue;
                }
                None => return Ok(fields),
            }
        }
        // A quoted field, possibly over several lines.
        line = line[1..].to_string();
        col += 1;
        let mut field = String::new();
        loop {
            if let Some(i) = line.find('"') {
                field.push_str(&line[..i]);
                line = line[i + 1..].to_string();
                col += i + 1;
                if line.starts_with('"') {
                    field.push('"');
                    line = line[1..].to_string();
                    col += 1;
                } else if line.starts_with(',') {
                    line = line[1..].to_string();
                    col += 1;
                    fields.push(field);
                    break;
                } else if only_newline(&line) {
                    fields.push(field);
                    return Ok(fields);
                } else {
                    return Err(error(lines.number, col - 1, QuoteError::Quote));
                }
            } else if !line.is_empty() {
                field.push_str(&line);
                col += line.len();
                line = lines.next_line().unwrap_or_default();
                if !line.is_empty() {
                    at_line += 1;
                    col = 1;
                }
            } else {
                return Err(error(at_line, col, QuoteError::Quote));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's test inputs mark error positions with `∑` and field starts with `§` (record
    /// boundaries with `¶`): strips the markers and returns the `∑` position as (line, column).
    fn unmark(marked: &str) -> (String, Option<(usize, usize)>) {
        let (mut out, mut at) = (String::new(), None);
        let (mut line, mut col) = (1, 1);
        for c in marked.chars() {
            match c {
                '§' | '¶' => {}
                '∑' => at = Some((line, col)),
                '\n' => {
                    out.push(c);
                    line += 1;
                    col = 1;
                }
                c => {
                    out.push(c);
                    col += c.len_utf8();
                }
            }
        }
        (out, at)
    }

    /// The rows of Go's `readTests` (encoding/csv/reader_test.go) that use the default reader
    /// settings, checked on their first record: (name, marked input, first record or error).
    #[test]
    fn first_record_matches_go_read_tests() {
        use QuoteError::{Bare, Quote};
        type Want = Result<&'static [&'static str], QuoteError>;
        let table: &[(&str, &str, Want)] = &[
            ("Simple", "§a,§b,§c\n", Ok(&["a", "b", "c"])),
            ("CRLF", "§a,§b\r\n¶§c,§d\r\n", Ok(&["a", "b"])),
            ("BareCR", "§a,§b\rc,§d\r\n", Ok(&["a", "b\rc", "d"])),
            (
                "RFC4180test",
                "§#field1,§field2,§field3\n¶§\"aaa\",§\"bb\nb\",§\"ccc\"\n",
                Ok(&["#field1", "field2", "field3"]),
            ),
            ("NoEOLTest", "§a,§b,§c", Ok(&["a", "b", "c"])),
            (
                "MultiLine",
                "§\"two\nline\",§\"one line\",§\"three\nline\nfield\"",
                Ok(&["two\nline", "one line", "three\nline\nfield"]),
            ),
            (
                "BlankLine",
                "§a,§b,§c\n\n¶§d,§e,§f\n\n",
                Ok(&["a", "b", "c"]),
            ),
            (
                "LeadingSpace",
                "§ a,§  b,§   c\n",
                Ok(&[" a", "  b", "   c"]),
            ),
            ("NoComment", "§#1,§2,§3\n¶§a,§b,§c", Ok(&["#1", "2", "3"])),
            ("BadDoubleQuotes", "§a∑\"\"b,c", Err(Bare)),
            ("BadBareQuote", "§a ∑\"word\",\"b\"", Err(Bare)),
            ("BadTrailingQuote", "§\"a word\",b∑\"", Err(Bare)),
            ("ExtraneousQuote", "§\"a ∑\"word\",\"b\"", Err(Quote)),
            ("FieldCount", "§a,§b,§c\n¶§d,§e", Ok(&["a", "b", "c"])),
            ("TrailingCommaEOF", "§a,§b,§c,§", Ok(&["a", "b", "c", ""])),
            ("TrailingCommaEOL", "§a,§b,§c,§\n", Ok(&["a", "b", "c", ""])),
            (
                "NotTrailingComma3",
                "§a,§b,§c,§ \n",
                Ok(&["a", "b", "c", " "]),
            ),
            (
                "CommaFieldTest",
                "§x,§y,§z,§w\n¶§x,§y,§z,§\n",
                Ok(&["x", "y", "z", "w"]),
            ),
            ("StartLine1", "§a,\"b\nc∑\"d,e", Err(Quote)),
            ("StartLine2", "§a,§b\n¶§\"d\n\n,e∑", Ok(&["a", "b"])),
            (
                "CRLFInQuotedField",
                "§A,§\"Hello\r\nHi\",§B\r\n",
                Ok(&["A", "Hello\nHi", "B"]),
            ),
            ("TrailingCR", "§field1,§field2\r", Ok(&["field1", "field2"])),
            ("QuotedTrailingCR", "§\"field\"\r", Ok(&["field"])),
            ("QuotedTrailingCRCR", "§\"field∑\"\r\r", Err(Quote)),
            ("FieldCR", "§field\rfield\r", Ok(&["field\rfield"])),
            (
                "FieldCRCR",
                "§field\r\rfield\r\r",
                Ok(&["field\r\rfield\r"]),
            ),
            ("FieldCRCRLF", "§field\r\r\n¶§field\r\r\n", Ok(&["field\r"])),
            (
                "MultiFieldCRCRLFCRCR",
                "§field1,§field2\r\r\n¶§\r\rfield1,§field2\r\r\n",
                Ok(&["field1", "field2\r"]),
            ),
            ("QuotedFieldMultipleLF", "§\"\n\n\n\n\"", Ok(&["\n\n\n\n"])),
            ("QuoteWithTrailingCRLF", "§\"foo∑\"bar\"\r\n", Err(Quote)),
            (
                "DoubleQuoteWithTrailingCRLF",
                "§\"foo\"\"bar\"\r\n",
                Ok(&["foo\"bar"]),
            ),
            ("EvenQuotes", "§\"\"\"\"\"\"\"\"", Ok(&["\"\"\""])),
            ("OddQuotes", "§\"\"\"\"\"\"\"∑", Err(Quote)),
        ];
        for (name, marked, want) in table {
            let (input, at) = unmark(marked);
            let got = read_record(&input);
            match want {
                Ok(fields) => assert_eq!(
                    got,
                    Ok(fields.iter().map(|f| f.to_string()).collect()),
                    "{name}"
                ),
                Err(kind) => {
                    let Err(CsvError::Parse {
                        line,
                        column,
                        kind: got_kind,
                        ..
                    }) = got
                    else {
                        panic!("{name}: {got:?}");
                    };
                    assert_eq!((Some((line, column)), got_kind), (at, *kind), "{name}");
                }
            }
        }
    }

    #[test]
    fn no_record_is_eof_and_errors_print_like_go() {
        assert_eq!(read_record(""), Err(CsvError::Eof));
        assert_eq!(read_record("\r\n\r\n\r\n\r\n"), Err(CsvError::Eof));
        assert_eq!(read_record("\nx"), Ok(vec!["x".to_string()]));
        assert_eq!(
            read_record("target=a\"b").unwrap_err().to_string(),
            "parse error on line 1, column 9: bare \" in non-quoted-field"
        );
        assert_eq!(
            read_record("a,\"b\nc\"d,e").unwrap_err().to_string(),
            "record on line 1; parse error on line 2, column 2: extraneous or missing \" in quoted-field"
        );
    }
}
