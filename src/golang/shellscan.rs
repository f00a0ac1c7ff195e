//! Finds go tool invocations in RUN command text without running a shell.
//!
//! A light POSIX-shell scanner: it splits text into simple commands at `&&`, `||`, `;`, `|`, `&`,
//! newlines and subshell parentheses, removes quotes, skips redirections, comments, leading
//! `NAME=value` assignments and wrappers (`env`, `exec`, `time`, `command`, `nohup`, `sudo`,
//! `if`/`then`/`do`/...), remembers `export`ed variables, follows statically known `cd`/`pushd`
//! targets, and looks inside `sh -c '...'`. Besides the go commands it lists every simple
//! command, for callers that need to know what else a RUN does. A word that contains `$`, a backquote or a command substitution is marked
//! dynamic, so callers never treat a guessed value as known.
//!
//! Not for: expanding variables, evaluating control flow (both branches of an `if` are
//! scanned), or anything beyond locating go commands and the directory they run in.

/// One shell word after quote removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word with quotes removed (expansions left as written).
    pub text: String,
    /// True when it contains a parameter expansion or command substitution.
    pub dynamic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// A command's words and the targets of its redirections.
    Cmd(Vec<Word>, Vec<Word>),
    Open,
    Close,
}

/// One go tool invocation found in shell text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundGo {
    /// The directory it runs in after `cd` (`None` when not statically known).
    pub dir: Option<String>,
    /// `NAME=value` assignments that reach it: `export`ed earlier in the same script, `env`
    /// ones, and those written before it (`CGO_ENABLED=0 go build`), in that order.
    pub env_prefix: Vec<(String, String)>,
    /// Arguments after the `go` word.
    pub args: Vec<Word>,
}

/// One simple command found in shell text (assignments and wrappers such as `env`, `sudo`,
/// `time` removed; `sh -c` scripts are looked into, so their commands appear instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    /// The directory it runs in after `cd` (`None` when not statically known).
    pub dir: Option<String>,
    /// The command name and its arguments (redirections removed).
    pub words: Vec<Word>,
    /// The files its redirections name (`> f`, `>> f`, `< f`; file descriptors such as `2>&1`
    /// excluded), as written.
    pub redirects: Vec<Word>,
}

impl SimpleCommand {
    /// The command name without its directory (`/usr/bin/make` → `make`); empty when dynamic.
    pub fn name(&self) -> &str {
        match self.words.first() {
            Some(w) if !w.dynamic => w.text.rsplit('/').next().unwrap_or(&w.text),
            _ => "",
        }
    }

    /// The arguments after the command name.
    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or(&[])
    }
}

/// Result of scanning one piece of shell text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    /// go invocations in text order.
    pub go: Vec<FoundGo>,
    /// Every simple command in text order (go invocations included).
    pub commands: Vec<SimpleCommand>,
}

const MAX_DEPTH: usize = 4;

/// Scans shell `text` run in directory `cwd` (absolute) with `home` as `$HOME` when known.
pub fn scan(text: &str, cwd: &str, home: Option<&str>) -> Scan {
    let mut out = Scan::default();
    let mut shell = ShellState {
        cwd: Some(cwd.to_string()),
        exported: Vec::new(),
    };
    scan_into(text, &mut shell, home, 0, &mut out);
    out
}

/// Scans an exec-form argument vector.
pub fn scan_exec(argv: &[String], cwd: &str, home: Option<&str>) -> Scan {
    let words: Vec<Word> = argv
        .iter()
        .map(|a| Word {
            text: a.clone(),
            dynamic: false,
        })
        .collect();
    let mut out = Scan::default();
    let mut shell = ShellState {
        cwd: Some(cwd.to_string()),
        exported: Vec::new(),
    };
    visit_command(&words, &[], &mut shell, home, 0, &mut out);
    out
}

/// What the shell carries from one command to the next: the working directory and the
/// variables `export` set.
#[derive(Debug, Clone)]
struct ShellState {
    cwd: Option<String>,
    exported: Vec<(String, String)>,
}

fn scan_into(text: &str, shell: &mut ShellState, home: Option<&str>, depth: usize, out: &mut Scan) {
    let mut stack: Vec<ShellState> = Vec::new();
    let segments = split(text);
    // Inside `case WORD in ... esac`, a word list closed by `)` is a pattern, not a command.
    let mut in_case = 0usize;
    let mut i = 0;
    while let Some(seg) = segments.get(i) {
        i += 1;
        match seg {
            Segment::Open => stack.push(shell.clone()),
            Segment::Close => {
                if let Some(saved) = stack.pop() {
                    *shell = saved;
                }
            }
            Segment::Cmd(words, redirects) => {
                match words.first().map(|w| w.text.as_str()) {
                    Some("case") => {
                        in_case += 1;
                        continue;
                    }
                    Some("esac") => {
                        in_case = in_case.saturating_sub(1);
                        continue;
                    }
                    _ => {}
                }
                if in_case > 0 && matches!(segments.get(i), Some(Segment::Close)) {
                    i += 1;
                    continue;
                }
                visit_command(words, redirects, shell, home, depth, out)
            }
        }
    }
}

const RESERVED: [&str; 12] = [
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "fi", "done",
];
const WRAPPERS: [&str; 6] = ["exec", "time", "command", "nohup", "sudo", "nice"];
const SHELLS: [&str; 5] = ["sh", "bash", "ash", "dash", "zsh"];

fn is_assignment(w: &Word) -> Option<(String, String)> {
    let (name, value) = w.text.split_once('=')?;
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| (name.to_string(), value.to_string()))
}

fn visit_command(
    words: &[Word],
    redirects: &[Word],
    shell: &mut ShellState,
    home: Option<&str>,
    depth: usize,
    out: &mut Scan,
) {
    let mut env_prefix = Vec::new();
    let mut rest = words;
    let mut wrapper_seen = false;
    loop {
        let Some((first, tail)) = rest.split_first() else {
            return;
        };
        if let Some(kv) = is_assignment(first) {
            env_prefix.push(kv);
        } else if RESERVED.contains(&first.text.as_str()) {
            // control-flow words
        } else if WRAPPERS.contains(&first.text.as_str()) || first.text == "env" {
            wrapper_seen = true;
        } else if wrapper_seen && first.text.starts_with('-') {
            // a wrapper's flags (`env -i`, `nice -n`)
        } else {
            break;
        }
        rest = tail;
    }
    let Some((cmd, args)) = rest.split_first() else {
        return;
    };
    if cmd.dynamic {
        out.commands.push(SimpleCommand {
            dir: shell.cwd.clone(),
            words: rest.to_vec(),
            redirects: redirects.to_vec(),
        });
        return;
    }
    let name = cmd.text.as_str();
    let base = name.rsplit('/').next().unwrap_or(name);
    if SHELLS.contains(&base) && depth < MAX_DEPTH {
        if let Some(script) = shell_c_arg(args) {
            let mut inner = shell.clone();
            scan_into(&script.text, &mut inner, home, depth + 1, out);
            return;
        }
    }
    out.commands.push(SimpleCommand {
        dir: shell.cwd.clone(),
        words: rest.to_vec(),
        redirects: redirects.to_vec(),
    });
    match name {
        "cd" | "pushd" => shell.cwd = cd_target(shell.cwd.as_deref(), args.first(), home),
        "popd" => shell.cwd = None,
        "export" => {
            for kv in args.iter().filter_map(is_assignment) {
                shell.exported.retain(|(k, _)| k != &kv.0);
                shell.exported.push(kv);
            }
        }
        _ if name == "go" || name.ends_with("/go") => {
            let mut env = shell.exported.clone();
            env.extend(env_prefix);
            out.go.push(FoundGo {
                dir: shell.cwd.clone(),
                env_prefix: env,
                args: args.to_vec(),
            });
        }
        _ => {}
    }
}

/// The script of `sh -c script` / `sh -ec script`, when present.
fn shell_c_arg(args: &[Word]) -> Option<&Word> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if !a.text.starts_with('-') {
            return None;
        }
        if a.text.len() > 1 && !a.text.starts_with("--") && a.text.contains('c') {
            return it.next();
        }
    }
    None
}

fn cd_target(cwd: Option<&str>, target: Option<&Word>, home: Option<&str>) -> Option<String> {
    match target {
        None => home.map(str::to_string),
        Some(t) if t.dynamic || t.text == "-" || t.text.starts_with('~') => None,
        Some(t) if t.text.starts_with('/') => Some(clean_path(&t.text)),
        Some(t) => cwd.map(|c| clean_path(&format!("{c}/{}", t.text))),
    }
}

/// Lexically cleans a path as an absolute one (`/a/./b/../c/` → `/a/c`, `a/b` → `/a/b`): Go's
/// `path.Clean` of the path taken from the root (`gostd::path::clean`), with a shortcut for
/// the common already-clean path.
pub fn clean_path(p: &str) -> String {
    if is_clean_absolute(p) {
        return p.to_owned();
    }
    crate::gostd::path::clean(&format!("/{p}"))
}

/// `rel` resolved against the absolute directory `dir` (an absolute `rel` stands alone),
/// cleaned: how WORKDIR, `cd`, `-C` and COPY destinations resolve in a container.
pub fn join_path(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        clean_path(rel)
    } else {
        clean_path(&format!("{dir}/{rel}"))
    }
}

/// A build-context path (a COPY source) cleaned and relative to the context root: no leading
/// `/` or `./`, `..` never above the root; `""` is the root.
pub fn clean_context_path(p: &str) -> String {
    clean_path(&format!("/{p}"))
        .trim_start_matches('/')
        .to_string()
}

/// An absolute path that `clean_path` would return unchanged (the common case, checked
/// without building the parts).
fn is_clean_absolute(p: &str) -> bool {
    p == "/"
        || (p.starts_with('/')
            && !p.ends_with('/')
            && p[1..]
                .split('/')
                .all(|part| !matches!(part, "" | "." | "..")))
}

/// Splits shell text into simple commands and subshell markers.
fn split(text: &str) -> Vec<Segment> {
    let mut lx = Splitter {
        chars: text.chars().collect(),
        pos: 0,
        segs: Vec::new(),
        words: Vec::new(),
        redirects: Vec::new(),
        cur: String::new(),
        in_word: false,
        dynamic: false,
        skip_next_word: false,
    };
    lx.run();
    lx.segs
}

struct Splitter {
    chars: Vec<char>,
    pos: usize,
    segs: Vec<Segment>,
    words: Vec<Word>,
    redirects: Vec<Word>,
    cur: String,
    in_word: bool,
    dynamic: bool,
    skip_next_word: bool,
}

impl Splitter {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn end_word(&mut self) {
        if self.in_word {
            let w = Word {
                text: std::mem::take(&mut self.cur),
                dynamic: self.dynamic,
            };
            if self.skip_next_word {
                self.skip_next_word = false;
                // `>&2`, `2>&1`: a file descriptor, not a file.
                if !w.text.starts_with('&') && !w.text.chars().all(|c| c.is_ascii_digit()) {
                    self.redirects.push(w);
                }
            } else {
                self.words.push(w);
            }
        }
        self.in_word = false;
        self.dynamic = false;
    }

    fn end_command(&mut self) {
        self.end_word();
        self.skip_next_word = false;
        let redirects = std::mem::take(&mut self.redirects);
        if !self.words.is_empty() {
            self.segs
                .push(Segment::Cmd(std::mem::take(&mut self.words), redirects));
        }
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                ' ' | '\t' | '\r' => self.end_word(),
                '\n' | ';' | '&' | '|' => self.end_command(),
                '#' if !self.in_word => self.skip_comment(),
                '\\' => self.escape(),
                '\'' => self.single_quoted(),
                '"' => self.double_quoted(),
                '$' => self.dollar(),
                '`' => self.backquoted(),
                '(' if !self.in_word => {
                    self.end_command();
                    self.segs.push(Segment::Open);
                }
                ')' => {
                    self.end_command();
                    self.segs.push(Segment::Close);
                }
                '<' | '>' => self.redirect(),
                other => {
                    self.in_word = true;
                    self.cur.push(other);
                }
            }
        }
        self.end_command();
    }

    fn skip_comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            self.pos += 1;
        }
    }

    fn escape(&mut self) {
        match self.peek() {
            Some('\n') => self.pos += 1,
            Some(c) => {
                self.pos += 1;
                self.in_word = true;
                self.cur.push(c);
            }
            None => {}
        }
    }

    fn single_quoted(&mut self) {
        self.in_word = true;
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == '\'' {
                return;
            }
            self.cur.push(c);
        }
    }

    fn double_quoted(&mut self) {
        self.in_word = true;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '"' => return,
                '\\' => match self.peek() {
                    Some(n @ ('"' | '\\' | '$' | '`')) => {
                        self.pos += 1;
                        self.cur.push(n);
                    }
                    Some('\n') => self.pos += 1,
                    _ => self.cur.push('\\'),
                },
                '$' => self.dollar(),
                '`' => self.backquoted(),
                other => self.cur.push(other),
            }
        }
    }

    fn dollar(&mut self) {
        self.in_word = true;
        self.dynamic = true;
        self.cur.push('$');
        match self.peek() {
            Some('(') => self.balanced('(', ')'),
            Some('{') => self.balanced('{', '}'),
            _ => {}
        }
    }

    fn balanced(&mut self, open: char, close: char) {
        let mut level = 0usize;
        while let Some(c) = self.peek() {
            self.pos += 1;
            self.cur.push(c);
            if c == open {
                level += 1;
            } else if c == close {
                level = level.saturating_sub(1);
                if level == 0 {
                    return;
                }
            }
        }
    }

    fn backquoted(&mut self) {
        self.in_word = true;
        self.dynamic = true;
        self.cur.push('`');
        while let Some(c) = self.peek() {
            self.pos += 1;
            self.cur.push(c);
            if c == '`' {
                return;
            }
        }
    }

    fn redirect(&mut self) {
        // An all-digit word right before the operator is a file descriptor (`2>`).
        if self.in_word && !self.dynamic && self.cur.chars().all(|c| c.is_ascii_digit()) {
            self.cur.clear();
            self.in_word = false;
        }
        self.end_word();
        while let Some(c @ ('<' | '>' | '&' | '-')) = self.peek() {
            let _ = c;
            self.pos += 1;
        }
        self.skip_next_word = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Found = (Option<String>, Vec<String>, Vec<(String, String)>);
    type Case = (&'static str, Vec<(Option<String>, String)>);

    fn found(text: &str) -> Vec<Found> {
        scan(text, "/src", Some("/root"))
            .go
            .into_iter()
            .map(|g| {
                (
                    g.dir,
                    g.args.into_iter().map(|w| w.text).collect(),
                    g.env_prefix,
                )
            })
            .collect()
    }

    fn dirs_and_first_arg(text: &str) -> Vec<(Option<String>, String)> {
        found(text)
            .into_iter()
            .map(|(d, a, _)| (d, a.first().cloned().unwrap_or_default()))
            .collect()
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn go_commands_are_found_in_lists_and_pipelines() {
        let cases: &[Case] = &[
            ("go build ./...", vec![(s("/src"), "build".into())]),
            (
                "go mod download && go build -o /app .",
                vec![(s("/src"), "mod".into()), (s("/src"), "build".into())],
            ),
            (
                "apk add git; go test ./...",
                vec![(s("/src"), "test".into())],
            ),
            ("go list -m all | sort", vec![(s("/src"), "list".into())]),
            ("true || go vet ./...", vec![(s("/src"), "vet".into())]),
            (
                "/usr/local/go/bin/go install .",
                vec![(s("/src"), "install".into())],
            ),
            ("echo go build", vec![]),
            ("gofmt -l .", vec![]),
            ("# go build\nls", vec![]),
            ("echo 'go build' && printf \"go test\"", vec![]),
            (
                "if [ -f go.mod ]; then go build .; fi",
                vec![(s("/src"), "build".into())],
            ),
            (
                "set -e\ngo generate ./...\n",
                vec![(s("/src"), "generate".into())],
            ),
            (
                "go build . > /tmp/log 2>&1",
                vec![(s("/src"), "build".into())],
            ),
            ("$GO build", vec![]),
            ("env GOOS=linux go build", vec![(s("/src"), "build".into())]),
            ("time go test ./...", vec![(s("/src"), "test".into())]),
            ("echo x >\ngo vet", vec![(s("/src"), "vet".into())]),
            ("go run gen.go <<EOF", vec![(s("/src"), "run".into())]),
        ];
        for (text, want) in cases {
            assert_eq!(&dirs_and_first_arg(text), want, "{text}");
        }
    }

    #[test]
    fn cd_targets_are_followed_when_static() {
        let cases: &[Case] = &[
            (
                "cd cmd/api && go build .",
                vec![(s("/src/cmd/api"), "build".into())],
            ),
            ("cd /work; go build", vec![(s("/work"), "build".into())]),
            ("cd .. && go build", vec![(s("/"), "build".into())]),
            ("cd $DIR && go build", vec![(None, "build".into())]),
            ("cd && go build", vec![(s("/root"), "build".into())]),
            (
                "(cd sub && go build) && go vet",
                vec![(s("/src/sub"), "build".into()), (s("/src"), "vet".into())],
            ),
            (
                "sh -c 'cd x && go build'",
                vec![(s("/src/x"), "build".into())],
            ),
            (
                "cd a && \\\n  go build",
                vec![(s("/src/a"), "build".into())],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(&dirs_and_first_arg(text), want, "{text}");
        }
    }

    #[test]
    fn env_prefix_and_quoted_args_are_kept() {
        let got = found(
            "CGO_ENABLED=0 GOOS=linux go build -ldflags=\"-s -w -X main.v=$V\" -o /out/app .",
        );
        assert_eq!(got.len(), 1);
        let (_, args, env) = &got[0];
        assert_eq!(
            env,
            &vec![
                ("CGO_ENABLED".to_string(), "0".to_string()),
                ("GOOS".to_string(), "linux".to_string())
            ]
        );
        assert_eq!(args[1], "-ldflags=-s -w -X main.v=$V");
        let dynamic = scan("go build -ldflags \"$X\"", "/", None).go[0].args[2].dynamic;
        assert!(dynamic);
    }

    #[test]
    fn exec_form_is_scanned() {
        let argv = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            scan_exec(&argv(&["go", "build", "."]), "/w", None).go.len(),
            1
        );
        assert_eq!(
            scan_exec(&argv(&["/bin/sh", "-c", "cd x && go test"]), "/w", None).go[0].dir,
            s("/w/x")
        );
        assert!(scan_exec(&argv(&["echo", "go", "build"]), "/w", None)
            .go
            .is_empty());
    }

    #[test]
    fn case_patterns_are_not_commands() {
        let text = "case ${TARGETPLATFORM} in \"linux/amd64\") GOARCH=amd64 ;; linux/arm*) GOARCH=arm64 ;; esac && GOARCH=$GOARCH go build -o /app .";
        let scan = scan(text, "/src", None);
        let names: Vec<&str> = scan.commands.iter().map(SimpleCommand::name).collect();
        assert_eq!(names, vec!["go"]);
        assert_eq!(scan.go.len(), 1);
    }

    #[test]
    fn clean_path_normalizes() {
        assert_eq!(clean_path("/a/./b/../c/"), "/a/c");
        assert_eq!(clean_path("/../.."), "/");
        assert_eq!(clean_path("//x//y"), "/x/y");
        assert_eq!(clean_path("/x/y"), "/x/y");
        assert_eq!(clean_path("/"), "/");
        assert_eq!(clean_path("/x/.."), "/");
        assert_eq!(clean_path("/x/."), "/x");
        assert_eq!(clean_path("x/y"), "/x/y");
        assert_eq!(join_path("/src", "a/../b"), "/src/b");
        assert_eq!(join_path("/src", "/etc/"), "/etc");
        assert_eq!(clean_context_path("./a//b/"), "a/b");
        assert_eq!(clean_context_path("../.."), "");
    }

    #[test]
    fn redirect_targets_are_kept_apart_from_the_words() {
        let scan = scan(
            "echo 'machine x' >> ~/.netrc 2>&1 && ssh-keyscan h > /root/.ssh/known_hosts <in >&2",
            "/src",
            Some("/root"),
        );
        let got: Vec<(Vec<&str>, Vec<&str>)> = scan
            .commands
            .iter()
            .map(|c| {
                (
                    c.words.iter().map(|w| w.text.as_str()).collect(),
                    c.redirects.iter().map(|w| w.text.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (vec!["echo", "machine x"], vec!["~/.netrc"]),
                (
                    vec!["ssh-keyscan", "h"],
                    vec!["/root/.ssh/known_hosts", "in"]
                ),
            ]
        );
    }
}
