//! Syntactic-layer table: Dockerfiles written for gofront; the expected node lists (keyword,
//! flags, arguments, JSON form, original text, lines, heredocs, comments) were checked against
//! BuildKit v0.13's `parser.Parse` on the same inputs, except that a recognised parser
//! directive is no longer a comment of the first instruction (Dockerfile 1.12 and later strip
//! it; the rows with a directive were updated for that).

use super::*;
use crate::dockerfile::parse;

struct H {
    name: &'static str,
    content: &'static str,
    expand: bool,
    chomp: bool,
    fd: u32,
}

struct N {
    kw: &'static str,
    flags: &'static [&'static str],
    args: &'static [&'static str],
    json: bool,
    original: &'static str,
    lines: (usize, usize),
    heredocs: &'static [H],
    comments: &'static [&'static str],
}

/// (escape, warnings (message, line), nodes) or (error, line).
type Expect =
    Result<(&'static str, &'static [(&'static str, usize)], &'static [N]), (&'static str, usize)>;

#[rustfmt::skip]
const CASES: &[(&str, Expect)] = &[
    (
        "FROM busybox\nRUN echo hi\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["busybox"], json: false, original: "FROM busybox", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["echo hi"], json: false, original: "RUN echo hi", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "# syntax=docker/dockerfile:1\n# escape=`\nFROM busybox\nRUN echo a `\n  b\n",
        Ok(("`", &[], &[
            N { kw: "FROM", flags: &[], args: &["busybox"], json: false, original: "FROM busybox", lines: (3, 3), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["echo a   b"], json: false, original: "RUN echo a   b", lines: (4, 5), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "#escape = ` \nFROM x\nRUN a `\nb\n",
        Ok(("`", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a b"], json: false, original: "RUN a b", lines: (3, 4), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "\n# escape=`\nFROM x\nRUN a `\nb\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (3, 3), heredocs: &[], comments: &["escape=`"] },
            N { kw: "RUN", flags: &[], args: &["a `"], json: false, original: "RUN a `", lines: (4, 4), heredocs: &[], comments: &[] },
            N { kw: "b", flags: &[], args: &[], json: false, original: "b", lines: (5, 5), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "# foo=bar\n# escape=`\nFROM x\nRUN a `\nb\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (3, 3), heredocs: &[], comments: &["foo=bar", "escape=`"] },
            N { kw: "RUN", flags: &[], args: &["a `"], json: false, original: "RUN a `", lines: (4, 4), heredocs: &[], comments: &[] },
            N { kw: "b", flags: &[], args: &[], json: false, original: "b", lines: (5, 5), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "﻿# escape=`\nFROM x\nRUN a `\n b\n",
        Ok(("`", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a  b"], json: false, original: "RUN a  b", lines: (3, 4), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "﻿FROM x\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "  # escape=`\nFROM x\nRUN a `\n b\n",
        Ok(("`", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a  b"], json: false, original: "RUN a  b", lines: (3, 4), heredocs: &[], comments: &[] },
        ])),
    ),
    ("# only comment\n\n", Err(("file with no instructions", 2))),
    ("\n\n\n", Err(("file with no instructions", 3))),
    (
        "FROM x\nRUN apt-get update && \\\n    apt-get install -y foo \\\n    bar\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["apt-get update &&     apt-get install -y foo     bar"], json: false, original: "RUN apt-get update &&     apt-get install -y foo     bar", lines: (2, 4), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN a \\\n# comment\n  b \\\n\n  c\n",
        Ok(("\\", &[("Empty continuation line found in: RUN a   b   c", 6)], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a   b   c"], json: false, original: "RUN a   b   c", lines: (2, 6), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN a \\\n   \n  b\n",
        Ok(("\\", &[("Empty continuation line found in: RUN a   b", 4)], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a   b"], json: false, original: "RUN a   b", lines: (2, 4), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN a \\\\\nRUN b\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a \\\\"], json: false, original: "RUN a \\\\", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["b"], json: false, original: "RUN b", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN a \\ \t\n b\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a  b"], json: false, original: "RUN a  b", lines: (2, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN a\\\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a"], json: false, original: "RUN a", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN a \\",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a"], json: false, original: "RUN a ", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\n\\\nRUN b\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["b"], json: false, original: "RUN b", lines: (2, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\r\nRUN a \\\r\n  b\r\nCMD [\"x\"]\r\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a   b"], json: false, original: "RUN a   b", lines: (2, 3), heredocs: &[], comments: &[] },
            N { kw: "CMD", flags: &[], args: &["x"], json: true, original: "CMD [\"x\"]", lines: (4, 4), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN echo hi   \nRUN  spaced   args  \n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["echo hi"], json: false, original: "RUN echo hi   ", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["spaced   args"], json: false, original: "RUN  spaced   args  ", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\n  RUN indented\n\tRUN tab\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["indented"], json: false, original: "RUN indented", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["tab"], json: false, original: "RUN tab", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN a \\\n  # not comment? \\\n b\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a  b"], json: false, original: "RUN a  b", lines: (2, 4), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN a # trailing comment\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a # trailing comment"], json: false, original: "RUN a # trailing comment", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nrun lower\nFrOm y AS Z\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "run", flags: &[], args: &["lower"], json: false, original: "run lower", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "FrOm", flags: &[], args: &["y", "AS", "Z"], json: false, original: "FrOm y AS Z", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN a \\\n\\\n b\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a  b"], json: false, original: "RUN a  b", lines: (2, 4), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN [\"echo\", \"hi\"]\nCMD [\"a\"] trailing\nENTRYPOINT [\"a\",]\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["echo", "hi"], json: true, original: "RUN [\"echo\", \"hi\"]", lines: (2, 2), heredocs: &[], comments: &[] },
            // Dockerfile 1.9+: trailing text after the array makes it shell form.
            N { kw: "CMD", flags: &[], args: &["[\"a\"] trailing"], json: false, original: "CMD [\"a\"] trailing", lines: (3, 3), heredocs: &[], comments: &[] },
            N { kw: "ENTRYPOINT", flags: &[], args: &["[\"a\",]"], json: false, original: "ENTRYPOINT [\"a\",]", lines: (4, 4), heredocs: &[], comments: &[] },
        ])),
    ),
    ("FROM x\nRUN [1, 2]\n", Err(("when using JSON array syntax, arrays must be comprised of strings only", 2))),
    (
        "FROM x\nCMD [ \"a\" , \"b\\\"c\\u00e9\" ]\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "CMD", flags: &[], args: &["a", "b\"cé"], json: true, original: "CMD [ \"a\" , \"b\\\"c\\u00e9\" ]", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nSHELL [\"/bin/bash\", \"-c\"]\nSHELL /bin/sh -c\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "SHELL", flags: &[], args: &["/bin/bash", "-c"], json: true, original: "SHELL [\"/bin/bash\", \"-c\"]", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "SHELL", flags: &[], args: &["/bin/sh -c"], json: false, original: "SHELL /bin/sh -c", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nCMD []\nENTRYPOINT\nCMD\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "CMD", flags: &[], args: &[], json: true, original: "CMD []", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "ENTRYPOINT", flags: &[], args: &[], json: false, original: "ENTRYPOINT", lines: (3, 3), heredocs: &[], comments: &[] },
            N { kw: "CMD", flags: &[], args: &[], json: false, original: "CMD", lines: (4, 4), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nCMD ['single']\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "CMD", flags: &[], args: &["['single']"], json: false, original: "CMD ['single']", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nCMD [\"unterminated\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "CMD", flags: &[], args: &["[\"unterminated"], json: false, original: "CMD [\"unterminated", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nCOPY [\"a b\", \"c\"]\nADD [\"x\"] y\nVOLUME [\"/a\", \"/b\"]\nVOLUME /c /d\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "COPY", flags: &[], args: &["a b", "c"], json: true, original: "COPY [\"a b\", \"c\"]", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "ADD", flags: &[], args: &["[\"x\"]", "y"], json: false, original: "ADD [\"x\"] y", lines: (3, 3), heredocs: &[], comments: &[] },
            N { kw: "VOLUME", flags: &[], args: &["/a", "/b"], json: true, original: "VOLUME [\"/a\", \"/b\"]", lines: (4, 4), heredocs: &[], comments: &[] },
            N { kw: "VOLUME", flags: &[], args: &["/c", "/d"], json: false, original: "VOLUME /c /d", lines: (5, 5), heredocs: &[], comments: &[] },
        ])),
    ),
    ("FROM x\nENV A=1 B=\"two words\" C='x y' D=a\\ b\nENV LEGACY value with  spaces\nENV E\n", Err(("ENV must have two arguments", 4))),
    ("FROM x\nENV A=1 B\n", Err(("Syntax error - can't find = in \"B\". Must be of the form: name=value", 2))),
    (
        "FROM x\nENV =x\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "ENV", flags: &[], args: &["", "x"], json: false, original: "ENV =x", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nLABEL \"com.x\"=\"y\" a=b\nLABEL a b c\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "LABEL", flags: &[], args: &["\"com.x\"", "\"y\"", "a", "b"], json: false, original: "LABEL \"com.x\"=\"y\" a=b", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "LABEL", flags: &[], args: &["a", "b c"], json: false, original: "LABEL a b c", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "ARG A B=2 C=\"x y\"\nFROM x\nARG\n",
        Ok(("\\", &[], &[
            N { kw: "ARG", flags: &[], args: &["A", "B=2", "C=\"x y\""], json: false, original: "ARG A B=2 C=\"x y\"", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "ARG", flags: &[], args: &[], json: false, original: "ARG", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nENV A=\"unterminated\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "ENV", flags: &[], args: &["A", "\"unterminated"], json: false, original: "ENV A=\"unterminated", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nENV A=a\\\nB=b\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "ENV", flags: &[], args: &["A", "aB=b"], json: false, original: "ENV A=aB=b", lines: (2, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "# escape=`\nFROM x\nENV A=a`\" B=c\\d\n",
        Ok(("`", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "ENV", flags: &[], args: &["A", "a`\"", "B", "c\\d"], json: false, original: "ENV A=a`\" B=c\\d", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nFROM a as b c\nFROM\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &["--platform=$BUILDPLATFORM"], args: &["golang:1.22", "AS", "Build"], json: false, original: "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "FROM", flags: &[], args: &["a", "as", "b", "c"], json: false, original: "FROM a as b c", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "FROM", flags: &[], args: &[], json: false, original: "FROM", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN --mount=type=cache,target=/root/.cache --network=none echo hi\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &["--mount=type=cache,target=/root/.cache", "--network=none"], args: &["echo hi"], json: false, original: "RUN --mount=type=cache,target=/root/.cache --network=none echo hi", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN --mount=\"type=bind,source=a b\" --x='q' -- --notflag\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &["--mount=type=bind,source=a b", "--x=q"], args: &["--notflag"], json: false, original: "RUN --mount=\"type=bind,source=a b\" --x='q' -- --notflag", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN --link\nRUN -- echo\nRUN --=x echo\nRUN --a\\ b=c d\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &["--link"], args: &[], json: false, original: "RUN --link", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["echo"], json: false, original: "RUN -- echo", lines: (3, 3), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &["--=x"], args: &["echo"], json: false, original: "RUN --=x echo", lines: (4, 4), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &["--a b=c"], args: &["d"], json: false, original: "RUN --a\\ b=c d", lines: (5, 5), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nCOPY --from=build --chown=1:1 --chmod=755 --link /a /b\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "COPY", flags: &["--from=build", "--chown=1:1", "--chmod=755", "--link"], args: &["/a", "/b"], json: false, original: "COPY --from=build --chown=1:1 --chmod=755 --link /a /b", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN --mount=target=/é echo\nRUN --mount=target=/à echo\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &["--mount=target=/Ã©"], args: &["echo"], json: false, original: "RUN --mount=target=/é echo", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &["--mount=target=/Ã"], args: &["echo"], json: false, original: "RUN --mount=target=/à echo", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nHEALTHCHECK --interval=5s CMD curl -f http://x || exit 1\nHEALTHCHECK NONE\nHEALTHCHECK CMD [\"a\",\"b\"]\nHEALTHCHECK\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "HEALTHCHECK", flags: &["--interval=5s"], args: &["CMD", "curl -f http://x || exit 1"], json: false, original: "HEALTHCHECK --interval=5s CMD curl -f http://x || exit 1", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "HEALTHCHECK", flags: &[], args: &["NONE"], json: false, original: "HEALTHCHECK NONE", lines: (3, 3), heredocs: &[], comments: &[] },
            N { kw: "HEALTHCHECK", flags: &[], args: &["CMD", "a", "b"], json: true, original: "HEALTHCHECK CMD [\"a\",\"b\"]", lines: (4, 4), heredocs: &[], comments: &[] },
            N { kw: "HEALTHCHECK", flags: &[], args: &[], json: false, original: "HEALTHCHECK", lines: (5, 5), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nONBUILD RUN echo hi\nONBUILD\nONBUILD --x RUN a\nONBUILD ONBUILD RUN x\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "ONBUILD", flags: &[], args: &["RUN", "echo hi"], json: false, original: "ONBUILD RUN echo hi", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "ONBUILD", flags: &[], args: &[], json: false, original: "ONBUILD", lines: (3, 3), heredocs: &[], comments: &[] },
            N { kw: "ONBUILD", flags: &["--x"], args: &["RUN", "a"], json: false, original: "ONBUILD --x RUN a", lines: (4, 4), heredocs: &[], comments: &[] },
            N { kw: "ONBUILD", flags: &[], args: &["ONBUILD", "RUN", "x"], json: false, original: "ONBUILD ONBUILD RUN x", lines: (5, 5), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nEXPOSE 80 443/tcp  8080\nUSER a b\nWORKDIR /a b\nSTOPSIGNAL SIGTERM\nMAINTAINER me <me@x>\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "EXPOSE", flags: &[], args: &["80", "443/tcp", "8080"], json: false, original: "EXPOSE 80 443/tcp  8080", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "USER", flags: &[], args: &["a b"], json: false, original: "USER a b", lines: (3, 3), heredocs: &[], comments: &[] },
            N { kw: "WORKDIR", flags: &[], args: &["/a b"], json: false, original: "WORKDIR /a b", lines: (4, 4), heredocs: &[], comments: &[] },
            N { kw: "STOPSIGNAL", flags: &[], args: &["SIGTERM"], json: false, original: "STOPSIGNAL SIGTERM", lines: (5, 5), heredocs: &[], comments: &[] },
            N { kw: "MAINTAINER", flags: &[], args: &["me <me@x>"], json: false, original: "MAINTAINER me <me@x>", lines: (6, 6), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nFOO bar\nRUNN x\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "FOO", flags: &[], args: &[], json: false, original: "FOO bar", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUNN", flags: &[], args: &[], json: false, original: "RUNN x", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<EOF\necho hi\nEOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<EOF"], json: false, original: "RUN <<EOF", lines: (2, 4), heredocs: &[H { name: "EOF", content: "echo hi\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<-EOF\n\techo hi\n\tEOF\nRUN echo\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<-EOF"], json: false, original: "RUN <<-EOF", lines: (2, 4), heredocs: &[H { name: "EOF", content: "\techo hi\n", expand: true, chomp: true, fd: 0 }], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["echo"], json: false, original: "RUN echo", lines: (5, 5), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<'EOF' bash\necho $HOME\nEOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<'EOF' bash"], json: false, original: "RUN <<'EOF' bash", lines: (2, 4), heredocs: &[H { name: "EOF", content: "echo $HOME\n", expand: false, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<E\"O\"F\nx\nEOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<E\"O\"F"], json: false, original: "RUN <<E\"O\"F", lines: (2, 4), heredocs: &[H { name: "EOF", content: "x\n", expand: false, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nCOPY <<A.txt <<B.txt /dest/\na\nA.txt\nb\nB.txt\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "COPY", flags: &[], args: &["<<A.txt", "<<B.txt", "/dest/"], json: false, original: "COPY <<A.txt <<B.txt /dest/", lines: (2, 6), heredocs: &[H { name: "A.txt", content: "a\n", expand: true, chomp: false, fd: 0 }, H { name: "B.txt", content: "b\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN 3<<EOF cat /dev/fd/3\nx\nEOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["3<<EOF cat /dev/fd/3"], json: false, original: "RUN 3<<EOF cat /dev/fd/3", lines: (2, 4), heredocs: &[H { name: "EOF", content: "x\n", expand: true, chomp: false, fd: 3 }], comments: &[] },
        ])),
    ),
    ("FROM x\nRUN <<EOF\nunterminated\n", Err(("unterminated heredoc", 2))),
    (
        "FROM x\nRUN [\"<<EOF\"]\nRUN x\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<EOF"], json: true, original: "RUN [\"<<EOF\"]", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["x"], json: false, original: "RUN x", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN cat <<EOF\nx\nEOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["cat <<EOF"], json: false, original: "RUN cat <<EOF", lines: (2, 4), heredocs: &[H { name: "EOF", content: "x\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN cat<<EOF\nx\nEOF\nRUN y\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["cat<<EOF"], json: false, original: "RUN cat<<EOF", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "x", flags: &[], args: &[], json: false, original: "x", lines: (3, 3), heredocs: &[], comments: &[] },
            N { kw: "EOF", flags: &[], args: &[], json: false, original: "EOF", lines: (4, 4), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["y"], json: false, original: "RUN y", lines: (5, 5), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<EOF >file\nx\nEOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<EOF >file"], json: false, original: "RUN <<EOF >file", lines: (2, 4), heredocs: &[H { name: "EOF", content: "x\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN echo '<<EOF'\nRUN y\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["echo '<<EOF'"], json: false, original: "RUN echo '<<EOF'", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["y"], json: false, original: "RUN y", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN echo 'unterminated <<EOF\nRUN y\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["echo 'unterminated <<EOF"], json: false, original: "RUN echo 'unterminated <<EOF", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["y"], json: false, original: "RUN y", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<$EOF\nx\n$EOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<$EOF"], json: false, original: "RUN <<$EOF", lines: (2, 4), heredocs: &[H { name: "$EOF", content: "x\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<${EOF:-a}\nx\n${EOF:-a}\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<${EOF:-a}"], json: false, original: "RUN <<${EOF:-a}", lines: (2, 4), heredocs: &[H { name: "${EOF:-a}", content: "x\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nONBUILD RUN <<EOF\nx\nEOF\nRUN y\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "ONBUILD", flags: &[], args: &["RUN", "<<EOF"], json: false, original: "ONBUILD RUN <<EOF", lines: (2, 4), heredocs: &[H { name: "EOF", content: "x\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["y"], json: false, original: "RUN y", lines: (5, 5), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nCOPY <<EOF\r\nx\r\nEOF\r\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "COPY", flags: &[], args: &["<<EOF"], json: false, original: "COPY <<EOF", lines: (2, 4), heredocs: &[H { name: "EOF", content: "x\r\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<EOF \\\n && echo\nbody\nEOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<EOF  && echo"], json: false, original: "RUN <<EOF  && echo", lines: (2, 5), heredocs: &[H { name: "EOF", content: "body\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<\"EOF\"\n$x\nEOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<\"EOF\""], json: false, original: "RUN <<\"EOF\"", lines: (2, 4), heredocs: &[H { name: "EOF", content: "$x\n", expand: false, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<EOF <<EOF2\na\nEOF\nb\nEOF2\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<EOF <<EOF2"], json: false, original: "RUN <<EOF <<EOF2", lines: (2, 6), heredocs: &[H { name: "EOF", content: "a\n", expand: true, chomp: false, fd: 0 }, H { name: "EOF2", content: "b\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    ("FROM x\nRUN <<EOF\n", Err(("unterminated heredoc", 2))),
    (
        "FROM x\nRUN <<\nx\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<"], json: false, original: "RUN <<", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "x", flags: &[], args: &[], json: false, original: "x", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN <<-\"E O F\"\nx\n\t\tE O F\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<-\"E O F\""], json: false, original: "RUN <<-\"E O F\"", lines: (2, 4), heredocs: &[H { name: "E O F", content: "x\n", expand: false, chomp: true, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN \\\n<<EOF\nx\nEOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["<<EOF"], json: false, original: "RUN <<EOF", lines: (2, 5), heredocs: &[H { name: "EOF", content: "x\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    (
        "FROM x\nADD <<EOF /a\n  indented\nEOF\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "ADD", flags: &[], args: &["<<EOF", "/a"], json: false, original: "ADD <<EOF /a", lines: (2, 4), heredocs: &[H { name: "EOF", content: "  indented\n", expand: true, chomp: false, fd: 0 }], comments: &[] },
        ])),
    ),
    ("FROM x\nRUN a <<EOF\\\nb\nbody\nEOF\n", Err(("unterminated heredoc", 2))),
    (
        "FROM x\nRUN \u{0}\u{1} garbage ÿ\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["\u{0}\u{1} garbage ÿ"], json: false, original: "RUN \u{0}\u{1} garbage ÿ", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN echo  nbsp\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["echo  nbsp"], json: false, original: "RUN echo  nbsp", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\n",
        Ok(("\\", &[], &[
            N { kw: "FROM x", flags: &[], args: &[], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\n\tRUN\ta\tb\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a\tb"], json: false, original: "RUN\ta\tb", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    ("FROM x\nENV A \n", Err(("ENV must have two arguments", 2))),
    (
        "FROM x\nENV A\t\tb c\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "ENV", flags: &[], args: &["A", "b c"], json: false, original: "ENV A\t\tb c", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nLABEL a=b\\\n c=d\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "LABEL", flags: &[], args: &["a", "b", "c", "d"], json: false, original: "LABEL a=b c=d", lines: (2, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN a\n# c1\n#\n# c2\nFROM y AS z\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a"], json: false, original: "RUN a", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "FROM", flags: &[], args: &["y", "AS", "z"], json: false, original: "FROM y AS z", lines: (6, 6), heredocs: &[], comments: &["c2"] },
        ])),
    ),
    (
        "# z my stage\nFROM x AS z\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x", "AS", "z"], json: false, original: "FROM x AS z", lines: (2, 2), heredocs: &[], comments: &["z my stage"] },
        ])),
    ),
    (
        "FROM x\nCOPY --chown=\"a b\" src dst\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "COPY", flags: &["--chown=a b"], args: &["src", "dst"], json: false, original: "COPY --chown=\"a b\" src dst", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN --mount=type=secret,id=x\\,y echo\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &["--mount=type=secret,id=x,y"], args: &["echo"], json: false, original: "RUN --mount=type=secret,id=x\\,y echo", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nHEALTHCHECK CMD\nHEALTHCHECK\tCMD  echo\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "HEALTHCHECK", flags: &[], args: &["CMD"], json: false, original: "HEALTHCHECK CMD", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "HEALTHCHECK", flags: &[], args: &["CMD", "echo"], json: false, original: "HEALTHCHECK\tCMD  echo", lines: (3, 3), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nHEALTHCHECK à CMD x\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "HEALTHCHECK", flags: &[], args: &["�", "CMD x"], json: false, original: "HEALTHCHECK à CMD x", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "FROM x\nRUN `\n",
        Ok(("\\", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (1, 1), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["`"], json: false, original: "RUN `", lines: (2, 2), heredocs: &[], comments: &[] },
        ])),
    ),
    (
        "# escape=`\nFROM x\nRUN a ``\nRUN b\nRUN c `\n d\nCOPY c:\\a\\ d\n",
        Ok(("`", &[], &[
            N { kw: "FROM", flags: &[], args: &["x"], json: false, original: "FROM x", lines: (2, 2), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["a ``"], json: false, original: "RUN a ``", lines: (3, 3), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["b"], json: false, original: "RUN b", lines: (4, 4), heredocs: &[], comments: &[] },
            N { kw: "RUN", flags: &[], args: &["c  d"], json: false, original: "RUN c  d", lines: (5, 6), heredocs: &[], comments: &[] },
            N { kw: "COPY", flags: &[], args: &["c:\\a\\", "d"], json: false, original: "COPY c:\\a\\ d", lines: (7, 7), heredocs: &[], comments: &[] },
        ])),
    ),
];

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn check_case(src: &str, expect: &Expect) -> Result<(), String> {
    let got = parse_nodes(src);
    match (expect, got) {
        (Err((msg, line)), Err(e)) => {
            if e.message != *msg || e.span.map(|s| s.start) != Some(*line) {
                return Err(format!(
                    "error {:?} at {:?}, want {msg:?} at {line}",
                    e.message, e.span
                ));
            }
        }
        (Err(_), Ok(p)) => return Err(format!("parsed {} nodes, want an error", p.nodes.len())),
        (Ok(_), Err(e)) => return Err(format!("unexpected error {e}")),
        (Ok((escape, warnings, nodes)), Ok(p)) => {
            if p.directives.escape.to_string() != *escape {
                return Err(format!("escape {:?}", p.directives.escape));
            }
            let got_w: Vec<(String, usize)> = p
                .warnings
                .iter()
                .map(|w| (w.message.clone(), w.span.start))
                .collect();
            let want_w: Vec<(String, usize)> =
                warnings.iter().map(|(m, l)| (m.to_string(), *l)).collect();
            if got_w != want_w {
                return Err(format!("warnings {got_w:?}, want {want_w:?}"));
            }
            if p.nodes.len() != nodes.len() {
                return Err(format!("{} nodes, want {}", p.nodes.len(), nodes.len()));
            }
            for (g, w) in p.nodes.iter().zip(nodes.iter()) {
                let heredocs: Vec<(String, String, bool, bool, u32)> = w
                    .heredocs
                    .iter()
                    .map(|h| (h.name.into(), h.content.into(), h.expand, h.chomp, h.fd))
                    .collect();
                let got_h: Vec<(String, String, bool, bool, u32)> = g
                    .heredocs
                    .iter()
                    .map(|h| {
                        (
                            h.name.clone(),
                            h.content.clone(),
                            h.expand,
                            h.chomp,
                            h.file_descriptor,
                        )
                    })
                    .collect();
                let ok = g.keyword == w.kw
                    && g.flags == strs(w.flags)
                    && g.args == strs(w.args)
                    && g.json == w.json
                    && g.original == w.original
                    && (g.span.start, g.span.end) == w.lines
                    && got_h == heredocs
                    && g.comments == strs(w.comments);
                if !ok {
                    return Err(format!("node {g:?} differs from {:?}", w.original));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn node_table_matches_buildkit() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|(src, expect)| {
            check_case(src, expect)
                .err()
                .map(|e| format!("{src:?}: {e}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn directives_are_read_from_the_leading_comment_block() {
    let df = parse("\u{feff}# syntax=gofront:dev\n#CHECK = skip=all \n# gofront=off\n# escape=`\nFROM x\nRUN a `\n  b\n")
        .unwrap();
    assert_eq!(df.directives.syntax.as_deref(), Some("gofront:dev"));
    assert_eq!(df.directives.check.as_deref(), Some("skip=all"));
    assert_eq!(df.directives.gofront.as_deref(), Some("off"));
    assert_eq!(df.directives.escape, '`');
    let Some(cmd) = df.stages[0].commands.first() else {
        panic!()
    };
    assert_eq!(cmd.original, "RUN a   b");
}

#[test]
fn directives_after_the_first_other_line_are_comments() {
    for src in [
        "FROM x\n# escape=`\nRUN a `\n",
        "\n# escape=`\nFROM x\n",
        "# hello\n# escape=`\nFROM x\n",
        "# unknown=1\n# escape=`\nFROM x\n",
    ] {
        let df = parse(src).unwrap();
        assert_eq!(df.directives.escape, '\\', "{src:?}");
    }
}

#[test]
fn directive_errors_point_at_their_line() {
    let e = parse("# syntax=a\n# escape=\\\n# escape=`\nFROM x\n").unwrap_err();
    assert_eq!(e.message, "only one escape parser directive can be used");
    assert_eq!(e.span, Some(Span { start: 3, end: 3 }));
    assert_eq!(
        e.to_string(),
        "dockerfile parse error on line 3: only one escape parser directive can be used"
    );
}

#[test]
fn empty_continuation_lines_warn() {
    let df = parse("FROM x\nRUN a \\\n\n  b\nRUN c\n").unwrap();
    assert_eq!(df.warnings.len(), 1);
    let w = &df.warnings[0];
    assert_eq!(w.rule, "NoEmptyContinuation");
    assert_eq!(w.message, "Empty continuation line found in: RUN a   b");
    assert_eq!(w.span, Span { start: 4, end: 4 });
}

#[test]
fn directives_are_not_comments_of_the_first_instruction() {
    let parsed = parse_nodes("# syntax=x\n# check=skip=all\n# about\nFROM a AS b\n").unwrap();
    assert_eq!(parsed.nodes[0].comments, vec!["about".to_string()]);
    let parsed = parse_nodes("# syntax=x\nFROM a AS b\n").unwrap();
    assert!(parsed.nodes[0].comments.is_empty());
    // Not in the leading block: an ordinary comment.
    let parsed = parse_nodes("FROM a\n# check=skip=all\nRUN x\n").unwrap();
    assert_eq!(parsed.nodes[1].comments, vec!["check=skip=all".to_string()]);
}

#[test]
fn crlf_is_handled_but_heredoc_bodies_keep_their_bytes() {
    let df = parse("FROM x\r\nRUN a \\\r\n b\r\nCOPY <<EOF /f\r\nline\r\nEOF\r\n").unwrap();
    let cmds = &df.stages[0].commands;
    assert_eq!(cmds[0].original, "RUN a  b");
    let crate::dockerfile::ast::Instruction::Copy(copy) = &cmds[1].instruction else {
        panic!()
    };
    assert_eq!(copy.heredocs[0].content, "line\r\n");
}

#[test]
fn overlong_lines_are_an_error_not_a_panic() {
    let long = format!("FROM x\nRUN echo {}\n", "a".repeat(1 << 20));
    let e = parse(&long).unwrap_err();
    assert_eq!(
        e.message,
        "dockerfile line greater than max allowed size of 65535"
    );
    assert_eq!(e.span.map(|s| s.start), Some(2));
    let ok = format!("FROM x\nRUN {}\n", "b".repeat(MAX_LINE_LEN - 4));
    assert!(parse(&ok).is_ok());
}

#[test]
fn garbage_is_an_error() {
    for src in [
        "\u{0}\u{1}\u{2}",
        "\u{fffd}\u{fffd}",
        "<<EOF",
        "[\"a\"]",
        "--flag",
    ] {
        assert!(parse(src).is_err(), "{src:?}");
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn dockerfile_like() -> impl Strategy<Value = String> {
        let token = prop::sample::select(vec![
            "FROM x",
            "RUN ",
            "COPY ",
            "ADD ",
            "ENV ",
            "ARG ",
            "ONBUILD ",
            "HEALTHCHECK ",
            "CMD ",
            "SHELL ",
            "--mount=",
            "--from=",
            "<<EOF",
            "<<-'E'",
            "EOF",
            "E",
            "\\",
            "`",
            "\n",
            "\r\n",
            " ",
            "\t",
            "#",
            "# escape=`",
            "# syntax=x",
            "[\"a\"]",
            "[",
            "]",
            "\"",
            "'",
            "$A",
            "${",
            "}",
            "=",
            ",",
            "AS",
            "a",
            "é",
            "\u{feff}",
            "\u{a0}",
            "3<<X",
        ]);
        prop::collection::vec(token, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_arbitrary_text(src in ".{0,200}") {
            let _ = parse(&src);
        }

        #[test]
        fn parse_never_panics_on_dockerfile_like_text(src in dockerfile_like()) {
            let _ = parse(&src);
        }

        #[test]
        fn spans_are_ordered_and_within_the_file(src in dockerfile_like()) {
            if let Ok(df) = parse(&src) {
                let lines = src.split_inclusive('\n').count();
                for st in &df.stages {
                    for c in &st.commands {
                        prop_assert!(1 <= c.span.start && c.span.start <= c.span.end && c.span.end <= lines);
                    }
                }
            }
        }
    }
}
