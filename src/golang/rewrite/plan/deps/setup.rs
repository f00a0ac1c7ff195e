//! Setup between the source COPY and the go command (`git config`, `go env -w`, ...) that the
//! deps RUN repeats before its download, and which commands count as repeatable.

use super::*;

/// Setup the deps RUN repeats before its download (see `setup_between`).
#[derive(Debug, Clone, Default)]
pub(super) struct Setup {
    /// Shell commands, in order.
    pub commands: Vec<String>,
    /// The Dockerfile line of each command.
    pub lines: Vec<usize>,
    /// Process environment they need, and the Go settings declared after the insertion point.
    pub env: Vec<(String, String)>,
}

impl Setup {
    /// What the summary says about the repeated setup and its variables ("" when none).
    pub(super) fn describe(&self) -> String {
        let mut out = String::new();
        if !self.lines.is_empty() {
            let lines: Vec<String> = self.lines.iter().map(usize::to_string).collect();
            out.push_str(&format!(
                "; repeats the setup of line {} first",
                lines.join(", ")
            ));
        }
        if !self.env.is_empty() {
            let names: Vec<&str> = self.env.iter().map(|(k, _)| k.as_str()).collect();
            out.push_str(&format!(
                "; with {} as the go command has them",
                names.join(", ")
            ));
        }
        out
    }

    /// The Go settings the repeated setup gives the download: its environment, then what its
    /// `go env -w`/`-u` commands write (set or unset).
    pub(super) fn go_settings(&self) -> Vec<(String, Option<String>)> {
        let mut out: Vec<(String, Option<String>)> = self
            .env
            .iter()
            .filter(|(k, _)| GO_ENV_NAMES.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect();
        for c in &self.commands {
            let scan = crate::golang::shellscan::scan(c, "/", None);
            for g in scan.go {
                let words: Vec<&str> = g.args.iter().map(|w| w.text.as_str()).collect();
                if words.first() != Some(&"env") {
                    continue;
                }
                let mut set = None;
                for w in words.iter().skip(1) {
                    match *w {
                        "-w" => set = Some(true),
                        "-u" => set = Some(false),
                        _ => match (set, w.split_once('=')) {
                            (Some(true), Some((k, v))) => {
                                out.push((k.to_string(), Some(v.to_string())))
                            }
                            (Some(false), None) => out.push((w.to_string(), None)),
                            _ => {}
                        },
                    }
                }
            }
        }
        out
    }
}

/// Commands that only prepare what fetching modules needs and give the same result when run
/// again after the download step: `git config`, `go env -w`/`-u`, `ssh-keyscan`, `mkdir -p`,
/// `chmod`/`chown`/`touch` and `echo`/`printf` redirected into files the source COPY does not
/// bring. Package installs are not among them (they would run twice on a cold build), nor
/// `update-ca-certificates` or `cat` (they read files a later COPY may bring).
pub(super) const REPEATABLE: [&str; 11] = [
    "git",
    "go",
    "ssh-keyscan",
    "mkdir",
    "chmod",
    "chown",
    "touch",
    "echo",
    "printf",
    "export",
    "true",
];

/// Where repeated setup runs: the directory, `$HOME`, and the destination of the source COPY
/// (files there do not exist yet when the deps step runs).
pub(super) struct SetupPlace<'a> {
    pub(super) cwd: &'a str,
    pub(super) home: Option<&'a str>,
    pub(super) copy_dest: &'a str,
}

impl SetupPlace<'_> {
    /// True when `word` names a file that exists (or not) the same way before and after the
    /// source COPY: a known path outside its destination.
    pub(super) fn outside_copy(&self, word: &Word) -> bool {
        let text = word.text.as_str();
        let home_rel = ["~/", "$HOME/", "${HOME}/"]
            .iter()
            .find_map(|p| text.strip_prefix(p));
        let path = match (home_rel, self.home) {
            (Some(rest), Some(home)) => format!("{home}/{rest}"),
            (Some(_), None) => return false,
            (None, _) if word.dynamic || text.starts_with('~') => return false,
            (None, _) if text.starts_with('/') => text.to_string(),
            (None, _) => format!("{}/{text}", self.cwd),
        };
        if path.contains('$') {
            return false;
        }
        let path = crate::gostd::path::clean(&path);
        let dest = self.copy_dest.trim_end_matches('/');
        !(dest.is_empty() || path == dest || path.starts_with(&format!("{dest}/")))
    }

    /// The setup text when every command in it can be repeated (see [`REPEATABLE`]): one line,
    /// without a trailing `&&` or `;`.
    pub(super) fn repeatable(&self, text: &str) -> Option<String> {
        let line = text
            .trim()
            .trim_end_matches(|c: char| c == '&' || c == ';' || c.is_whitespace())
            .trim();
        if line.is_empty() || line.contains('\n') || line.contains('#') {
            return None;
        }
        let scan = crate::golang::shellscan::scan(line, self.cwd, self.home);
        let ok = !scan.commands.is_empty()
            && scan.commands.iter().all(|c| {
                self.repeatable_command(c) && c.redirects.iter().all(|r| self.outside_copy(r))
            });
        ok.then(|| line.to_string())
    }

    pub(super) fn repeatable_command(&self, c: &SimpleCommand) -> bool {
        let name = c.name();
        let args = c.args();
        let first = args.first().map(|w| w.text.as_str());
        let operands = || args.iter().filter(|w| !w.text.starts_with('-'));
        REPEATABLE.contains(&name)
            && match name {
                "git" => {
                    first == Some("config")
                        && !args
                            .iter()
                            .any(|w| w.text == "-f" || w.text.starts_with("--file"))
                }
                "go" => first == Some("env"),
                "mkdir" => args.iter().any(|w| w.text == "-p" || w.text == "--parents"),
                // The mode or owner, then files that must not come from the source COPY.
                "chmod" | "chown" => operands().skip(1).all(|w| self.outside_copy(w)),
                "touch" => operands().all(|w| self.outside_copy(w)),
                _ => true,
            }
    }
}
