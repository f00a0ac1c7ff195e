//! One go command of a RUN: its subcommand, arguments, directory, flags and Go environment
//! ([`GoInvocation`]), read from what the shell scan found.
//!
//! Not for: finding go commands in shell text (`shellscan`), or the stage state they run in.

use std::collections::{BTreeMap, BTreeSet};

use super::{GoEnv, GO_ENV_NAMES};
use crate::golang::shellscan::{self, join_path, Word};

/// Flags of a go invocation the rewrites care about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoFlags {
    /// `-mod=` value from the arguments.
    pub mod_mode: Option<String>,
    /// `-a` (force rebuilding, defeats the build cache).
    pub force_rebuild: bool,
    /// `-o` value.
    pub output: Option<String>,
    /// `-ldflags` value.
    pub ldflags: Option<String>,
    /// `-trimpath`.
    pub trimpath: bool,
    /// `-modfile` value.
    pub modfile: Option<String>,
}

/// One go command in a RUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoInvocation {
    /// The subcommand (`build`, `mod`, ...), `None` for a bare `go` or a dynamic word.
    pub subcommand: Option<String>,
    /// Arguments after the subcommand, quotes removed (expansions left as written).
    pub args: Vec<String>,
    /// True when any argument contains a shell expansion.
    pub dynamic_args: bool,
    /// The directory the go command works in (WORKDIR, then `cd`, then `-C`); `None` when a
    /// `cd`/`-C` target is not statically known.
    pub dir: Option<String>,
    /// `-C` value as written, if given.
    pub chdir_flag: Option<String>,
    /// Flags of interest.
    pub flags: GoFlags,
    /// The effective Go environment of this command.
    pub env: GoEnv,
}

/// Subcommands that load the packages named on their command line (or the one in `.`).
pub const PACKAGE_LOADING: [&str; 7] =
    ["build", "install", "test", "vet", "run", "list", "generate"];

/// Subcommands that make a stage a Go build stage.
pub const BUILD_SUBCOMMANDS: [&str; 10] = [
    "build", "install", "test", "generate", "mod", "run", "vet", "get", "list", "work",
];

impl GoInvocation {
    /// True when this command builds, fetches or inspects modules (see [`BUILD_SUBCOMMANDS`]).
    pub fn is_build_like(&self) -> bool {
        self.subcommand
            .as_deref()
            .is_some_and(|s| BUILD_SUBCOMMANDS.contains(&s))
    }

    /// The `-mod` mode in effect: the flag, else `-mod=` in GOFLAGS.
    pub fn effective_mod_mode(&self) -> Option<String> {
        self.flags.mod_mode.clone().or_else(|| {
            let goflags = self.env.vars.get("GOFLAGS")?;
            goflags
                .split_whitespace()
                .find_map(|f| f.trim_start_matches('-').strip_prefix("mod="))
                .map(str::to_string)
        })
    }

    /// True for the subcommands that load packages named on the command line (or `.`).
    pub fn loads_packages(&self) -> bool {
        self.subcommand
            .as_deref()
            .is_some_and(|s| PACKAGE_LOADING.contains(&s))
    }

    /// The package arguments of a package-loading command: import paths, patterns, directories
    /// or `.go` files, without flags and flag values. For `go run` only the package (or the
    /// leading `.go` files) counts, the rest are the program's arguments; `-args` ends `go test`'s.
    pub fn package_args(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(a) = self.args.get(i) {
            i += 1;
            if a == "-args" || a == "--" {
                break;
            }
            if let Some(body) = a.strip_prefix("--").or(a.strip_prefix('-')) {
                if !body.contains('=') && VALUE_FLAGS.contains(&body) {
                    i += 1;
                }
                continue;
            }
            if self.subcommand.as_deref() == Some("run") {
                // `go run pkg args...` or `go run a.go b.go args...`: the package, or the
                // leading files; the rest belongs to the program.
                let is_file = a.ends_with(".go");
                let only_files_so_far = out.iter().all(|p: &&str| p.ends_with(".go"));
                if out.is_empty() || (is_file && only_files_so_far) {
                    out.push(a.as_str());
                    if is_file {
                        continue;
                    }
                }
                break;
            }
            out.push(a.as_str());
        }
        out
    }

    /// What `go env -w NAME=value` / `go env -u NAME` writes to the go env file: `Some(value)`
    /// to set, `None` to unset. Empty for any other command.
    pub fn go_env_writes(&self) -> Vec<(String, Option<String>)> {
        if self.subcommand.as_deref() != Some("env") {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut mode = None;
        for a in &self.args {
            match a.as_str() {
                "-w" => mode = Some(true),
                "-u" => mode = Some(false),
                _ if a.starts_with('-') => {}
                _ => match (mode, a.split_once('=')) {
                    (Some(true), Some((k, v))) => out.push((k.to_string(), Some(v.to_string()))),
                    (Some(false), None) => out.push((a.clone(), None)),
                    _ => {}
                },
            }
        }
        out
    }
}

const VALUE_FLAGS: [&str; 22] = [
    "o",
    "ldflags",
    "gcflags",
    "asmflags",
    "tags",
    "mod",
    "modfile",
    "p",
    "pkgdir",
    "buildmode",
    "compiler",
    "gccgoflags",
    "installsuffix",
    "overlay",
    "pgo",
    "toolexec",
    "coverpkg",
    "covermode",
    "exec",
    "run",
    "timeout",
    "C",
];

pub(super) fn invocation(
    f: shellscan::FoundGo,
    stage_vars: &BTreeMap<String, String>,
    stage_from_dockerfile: &BTreeSet<String>,
    user: &str,
) -> GoInvocation {
    let mut vars = stage_vars.clone();
    let mut from_dockerfile = stage_from_dockerfile.clone();
    for (k, v) in &f.env_prefix {
        if GO_ENV_NAMES.contains(&k.as_str()) {
            vars.insert(k.clone(), v.clone());
            from_dockerfile.insert(k.clone());
        }
    }
    let mut env = GoEnv::compute(vars, user);
    env.from_dockerfile = from_dockerfile;
    let mut args: &[Word] = &f.args;
    let mut dir = f.dir.clone();
    let mut chdir_flag = None;
    // `go -C dir sub ...`
    if let Some(first) = args.first() {
        let value = if first.text == "-C" || first.text == "--C" {
            let v = args.get(1).cloned();
            args = args.get(2..).unwrap_or(&[]);
            v
        } else if let Some(v) = first
            .text
            .strip_prefix("-C=")
            .or(first.text.strip_prefix("--C="))
        {
            let v = Word {
                text: v.to_string(),
                dynamic: first.dynamic,
            };
            args = args.get(1..).unwrap_or(&[]);
            Some(v)
        } else {
            None
        };
        if let Some(v) = value {
            chdir_flag = Some(v.text.clone());
            dir = match (&dir, v.dynamic) {
                (Some(d), false) => Some(join_path(d, &v.text)),
                _ => None,
            };
        }
    }
    let (subcommand, rest) = match args.split_first() {
        Some((w, rest)) if !w.dynamic => (Some(w.text.clone()), rest),
        Some((_, rest)) => (None, rest),
        None => (None, args),
    };
    GoInvocation {
        subcommand,
        dynamic_args: rest.iter().any(|w| w.dynamic),
        args: rest.iter().map(|w| w.text.clone()).collect(),
        flags: go_flags(rest),
        dir,
        chdir_flag,
        env,
    }
}

fn go_flags(args: &[Word]) -> GoFlags {
    let mut flags = GoFlags::default();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let Some(body) = w.text.strip_prefix("--").or(w.text.strip_prefix('-')) else {
            continue;
        };
        if body.is_empty() {
            break;
        }
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let value = if inline.is_none() && VALUE_FLAGS.contains(&name) {
            i += 1;
            args.get(i - 1).map(|w| w.text.clone())
        } else {
            inline.clone()
        };
        match name {
            "mod" => flags.mod_mode = value,
            "o" => flags.output = value,
            "ldflags" => flags.ldflags = value,
            "modfile" => flags.modfile = value,
            "a" => flags.force_rebuild = inline.as_deref().map_or(true, |v| v == "true"),
            "trimpath" => flags.trimpath = inline.as_deref().map_or(true, |v| v == "true"),
            _ => {}
        }
    }
    flags
}
