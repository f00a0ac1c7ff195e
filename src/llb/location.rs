//! Source-map locations: the Dockerfile lines an op came from, as BuildKit records them
//! (`pb.Range`, 1-based lines, character 0) in a Definition's source map, in error details and
//! in build warnings.
//!
//! Not for: parser spans (`crate::dockerfile::ast::Span` converts into this at the convert
//! boundary; `llb` knows nothing of the parser).

use serde_json::{json, Value};

use super::pb;

/// 1-based, inclusive range of Dockerfile lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LineRange {
    /// First line (1-based).
    pub start: usize,
    /// Last line (1-based, inclusive).
    pub end: usize,
}

impl LineRange {
    /// Lines `start..=end`.
    pub fn new(start: usize, end: usize) -> Self {
        LineRange { start, end }
    }

    /// One single-line range per line, the way BuildKit turns a node's lines into source
    /// ranges (`parser.toRanges`: a 3-line RUN is 3 ranges; `end <= start` gives just `start`).
    pub fn lines(self) -> impl Iterator<Item = LineRange> {
        let end = self.end.max(self.start);
        (self.start..=end).map(|line| LineRange::new(line, line))
    }

    /// The `pb.Range` (character 0).
    pub fn to_pb(self) -> pb::Range {
        let pos = |line: usize| pb::Position {
            line: i32::try_from(line).unwrap_or(i32::MAX),
            character: 0,
        };
        pb::Range {
            start: Some(pos(self.start)),
            end: Some(pos(self.end)),
        }
    }

    /// Go `encoding/json` of the `pb.Range` (`line` omitted when 0, `character` always 0 and
    /// omitted), as subrequest answers and error details carry it.
    pub fn to_json(self) -> Value {
        let position = |line: usize| {
            if line == 0 {
                json!({})
            } else {
                json!({ "line": line })
            }
        };
        json!({ "start": position(self.start), "end": position(self.end) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_ranges_split_per_line() {
        let lines: Vec<LineRange> = LineRange::new(3, 5).lines().collect();
        assert_eq!(
            lines,
            [
                LineRange::new(3, 3),
                LineRange::new(4, 4),
                LineRange::new(5, 5)
            ]
        );
        assert_eq!(LineRange::new(4, 2).lines().count(), 1);
    }

    #[test]
    fn json_and_pb_forms() {
        assert_eq!(
            LineRange::new(2, 2).to_json(),
            json!({"start": {"line": 2}, "end": {"line": 2}})
        );
        assert_eq!(
            LineRange::new(0, 0).to_json(),
            json!({"start": {}, "end": {}})
        );
        let r = LineRange::new(1, 7).to_pb();
        assert_eq!(r.start.unwrap().line, 1);
        assert_eq!(r.end.unwrap().line, 7);
    }
}
