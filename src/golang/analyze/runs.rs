//! What a RUN does besides the go commands gofront can see: whether it may run the go tool
//! indirectly (`make build`, `./build.sh`, `task`, `mage`, `xx-go`, `golangci-lint`), which
//! directories it creates (`mkdir`), and what `go env -w` writes to the go env file.
//!
//! A RUN is "certainly not go" only when every simple command in it is one of a fixed list of
//! tools that never start the go tool (package managers, file utilities, `git`, `curl`, ...).
//! Anything else in a Go stage may run go through a build tool or a script, and is treated as a
//! possible go step: it sees the same Go settings and caches as the visible ones, so the modules
//! a download step put in the module cache are still there for it.
//!
//! Not for: finding the go commands themselves (`shellscan`) or deciding rewrites.

use crate::dockerfile::ast::{CommandLine, Run};

use super::super::shellscan::{self, clean_path, Scan, SimpleCommand};

/// Commands that never run the go tool themselves. Shells are not here: `sh -c '...'` is looked
/// into by the scanner, and `sh script.sh` runs a script gofront cannot see.
const NOT_GO: [&str; 106] = [
    // package managers
    "apt-get",
    "apt",
    "apt-cache",
    "apk",
    "yum",
    "dnf",
    "microdnf",
    "zypper",
    "dpkg",
    "rpm",
    "pip",
    "pip3",
    "npm",
    "yarn",
    "pnpm",
    "gem",
    "update-ca-certificates",
    "ldconfig",
    "locale-gen",
    // files and directories
    "mkdir",
    "rm",
    "rmdir",
    "chmod",
    "chown",
    "chgrp",
    "ln",
    "cp",
    "mv",
    "touch",
    "install",
    "tar",
    "gzip",
    "gunzip",
    "unzip",
    "xz",
    "zstd",
    "rsync",
    "find",
    "stat",
    "du",
    "df",
    "upx",
    "strip",
    "file",
    "sha256sum",
    "md5sum",
    // text
    "echo",
    "printf",
    "cat",
    "ls",
    "sed",
    "awk",
    "grep",
    "head",
    "tail",
    "sort",
    "uniq",
    "wc",
    "tr",
    "cut",
    "tee",
    "xargs",
    "envsubst",
    // network and version control
    "curl",
    "wget",
    "git",
    "ssh-keyscan",
    "ssh-keygen",
    "ssh-add",
    // users and system
    "useradd",
    "adduser",
    "addgroup",
    "groupadd",
    "usermod",
    "id",
    "whoami",
    "uname",
    "date",
    "sleep",
    // shell built-ins
    "cd",
    "pushd",
    "popd",
    "export",
    "set",
    "unset",
    "true",
    "false",
    "test",
    "[",
    "exit",
    ":",
    "wait",
    "trap",
    "umask",
    "ulimit",
    "shift",
    "read",
    "setcap",
    // tonistiigi/xx helpers that install packages or inspect files (xx-go does run go)
    "xx-apk",
    "xx-apt",
    "xx-apt-get",
    "xx-verify",
    "xx-info",
    "xx-clang",
    "xx-cc",
    "xx-c++",
];

/// Scans a RUN: its shell text (and the heredocs it runs as scripts) or its exec form.
pub(crate) fn scan_run(run: &Run, workdir: &str, home: Option<&str>) -> Scan {
    match &run.command {
        CommandLine::Exec(argv) => shellscan::scan_exec(argv, workdir, home),
        CommandLine::Shell(text) => {
            let mut scan = shellscan::scan(text, workdir, home);
            if runs_heredoc_as_script(text) {
                for h in &run.heredocs {
                    let more = shellscan::scan(&h.content, workdir, home);
                    scan.go.extend(more.go);
                    scan.commands.extend(more.commands);
                }
            }
            scan
        }
    }
}

/// `RUN <<EOF` (the heredoc is the script) or `RUN sh <<EOF` / `bash <<EOF`.
pub(crate) fn runs_heredoc_as_script(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    first.starts_with("<<")
        || ["sh", "bash", "ash", "dash", "/bin/sh", "/bin/bash"].contains(&first)
}

/// The first command of a RUN without a visible go command that may still run the go tool
/// (`make build`, `./build.sh`, `task build`, ...): its first two words as written, for
/// summaries; `None` when every command is one that never does.
pub(crate) fn indirect_runner(scan: &Scan) -> Option<String> {
    scan.commands.iter().find(|c| !never_runs_go(c)).map(|c| {
        c.words
            .iter()
            .take(2)
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

fn never_runs_go(c: &SimpleCommand) -> bool {
    let name = c.name();
    !name.is_empty() && NOT_GO.contains(&name)
}

/// Absolute directories the RUN's `mkdir` commands create (statically known ones only).
pub(crate) fn made_dirs(scan: &Scan) -> Vec<String> {
    let mut out = Vec::new();
    for c in scan.commands.iter().filter(|c| c.name() == "mkdir") {
        let Some(cwd) = c.dir.as_deref() else {
            continue;
        };
        for w in c.args() {
            if w.dynamic || w.text.starts_with('-') {
                continue;
            }
            out.push(if w.text.starts_with('/') {
                clean_path(&w.text)
            } else {
                clean_path(&format!("{cwd}/{}", w.text))
            });
        }
    }
    out
}

/// True when the command only creates a directory or sets its owner or mode: naming a cache
/// directory in it (`mkdir -p /go/pkg/mod`, `chown app /gocache`) reads nothing from it.
pub(crate) fn only_prepares_dirs(c: &SimpleCommand) -> bool {
    matches!(c.name(), "mkdir" | "chmod" | "chown" | "chgrp")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::parse;

    fn scan_of(dockerfile_run: &str) -> Scan {
        let df = match parse(&format!("FROM golang\n{dockerfile_run}\n")) {
            Ok(df) => df,
            Err(e) => panic!("{e}"),
        };
        let Some(crate::dockerfile::ast::Instruction::Run(run)) = df
            .stages
            .first()
            .and_then(|s| s.commands.first())
            .map(|c| c.instruction.clone())
        else {
            panic!("no RUN");
        };
        scan_run(&run, "/src", Some("/root"))
    }

    #[test]
    fn build_tools_and_scripts_may_run_go_package_installs_do_not() {
        let cases = [
            ("RUN make build", Some("make build")),
            ("RUN ./scripts/build.sh", Some("./scripts/build.sh")),
            ("RUN sh build.sh", Some("sh build.sh")),
            (
                "RUN CGO_ENABLED=0 xx-go build -o /app .",
                Some("xx-go build"),
            ),
            ("RUN task build", Some("task build")),
            ("RUN apk add --no-cache git make && mkdir -p /out", None),
            (
                "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
                None,
            ),
            ("RUN sh -c 'mkdir -p /out && cp a b'", None),
            ("RUN [\"make\", \"build\"]", Some("make build")),
            ("RUN echo ok > /tmp/x && $TOOL run", Some("$TOOL run")),
            ("RUN <<EOF\nset -e\nmake all\nEOF", Some("make all")),
        ];
        for (run, want) in cases {
            assert_eq!(indirect_runner(&scan_of(run)).as_deref(), want, "{run}");
        }
    }

    #[test]
    fn mkdir_arguments_are_known_directories() {
        let s = scan_of("RUN mkdir -p /go/cache out && cd /x && mkdir y $Z");
        assert_eq!(made_dirs(&s), vec!["/go/cache", "/src/out", "/x/y"]);
    }
}
