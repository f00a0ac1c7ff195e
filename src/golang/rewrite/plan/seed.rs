//! Seeded caches for ephemeral builders. Cache mounts are never part of exported build cache
//! (`--cache-to`), so on a fresh CI runner a build with mounts downloads and compiles every
//! dependency again, even when its layers come from `--cache-from`. The deps step therefore
//! keeps, in its own layer, what the next fresh builder needs, and the go RUNs after it copy
//! that into their (empty) cache mounts before they run:
//!
//! - the deps RUN (`GOFRONT_SEED=save`) also mounts the build cache; when no gofront build has
//!   used that mount yet (a fresh builder), it compiles the dependency packages the sources
//!   import (computed from the context's Go file headers, so an ordinary source edit leaves the
//!   step CACHED) into [`SEED_DIR`] and copies the module downloads there;
//! - each go RUN with both cache mounts (`GOFRONT_SEED=load`) copies the seed into its mounts
//!   once per seed, without replacing anything.
//!
//! On a builder that keeps its mounts nothing is copied and nothing extra is compiled. The work
//! happens in the step script (`fetch_script::seed_functions`); this module decides whether a
//! stage can be seeded and with what. Nothing here changes what the go command builds: the
//! copied entries are the go command's own cache files, checked by it as usual.

use super::*;
use crate::golang::packages::{external_imports, LocalModule, Target};
use crate::golang::rewrite::fetch_script::SEED_DIR;

/// Build flags that change how a package compiles: the precompile must use the same ones for
/// the build to find its results.
const COMPILE_FLAGS: [&str; 10] = [
    "-trimpath",
    "-race",
    "-msan",
    "-asan",
    "-tags",
    "-gcflags",
    "-asmflags",
    "-installsuffix",
    "-buildmode",
    "-mod",
];

/// Settings that change how a package compiles but not what a download fetches.
const COMPILE_ENV: [&str; 6] = [
    "CGO_ENABLED",
    "GOAMD64",
    "GOARM",
    "GO386",
    "GOEXPERIMENT",
    "GOARM64",
];

/// What seeding adds to a stage.
#[derive(Debug, Clone)]
pub(super) struct SeedPlan {
    /// The build cache mount flag the deps RUN gets.
    pub build_cache_flag: String,
    /// Process env of the deps RUN.
    pub save_env: Vec<(String, String)>,
    /// The go RUNs (user lines) that load the seed, with their process env.
    pub loads: Vec<(usize, Vec<(String, String)>)>,
    /// How many packages the deps step precompiles on a fresh builder.
    pub packages: usize,
}

impl<'a> Planner<'a> {
    /// Whether the stage's deps step can seed ephemeral builders, and how; `Err` = why not.
    pub(super) fn seed_plan(
        &self,
        s: &StageAnalysis,
        copy: &CopyFact,
        served: &GoRun,
        users: &[(&GoRun, &GoInvocation, &ModuleView)],
        caches: (&CacheOutcome, &CacheOutcome),
        root: &str,
    ) -> Result<SeedPlan, String> {
        let (modcache, buildcache) = caches;
        if !UserSpec::parse(&copy.user).is_root() {
            return Err("USER is not root".into());
        }
        let (Some(gocache), Some(gomodcache)) = (
            served.env.gocache.as_deref(),
            served.env.gomodcache.as_deref(),
        ) else {
            return Err("the cache directories are not known".into());
        };
        if !(safe_path(gocache) && safe_path(gomodcache) && safe_path(root)) {
            return Err("a cache directory cannot be written safely in a shell command".into());
        }
        let build_cache_flag = match buildcache.runs.get(&served.command_index) {
            Some(RunCache::Added(flag)) => flag.clone(),
            Some(RunCache::Already(raw)) if !raw.contains('$') => format!("--mount={raw}"),
            _ => {
                return Err(format!(
                    "line {} gets no build cache mount",
                    served.span.start
                ))
            }
        };
        let mounted = |ci: usize| {
            let both = |o: &CacheOutcome| {
                matches!(
                    o.runs.get(&ci),
                    Some(RunCache::Added(_)) | Some(RunCache::Already(_))
                )
            };
            both(modcache) && both(buildcache)
        };
        let (packages, flags, env) = self.precompile(users);
        let manifests: Vec<&[u8]> = users
            .iter()
            .flat_map(|(_, _, v)| v.manifests.iter())
            .filter_map(|m| self.facts.context.get(&m.context_path))
            .collect();
        let id = seed_id(
            &[root, gocache, gomodcache, &packages.join(" ")],
            &manifests,
        );
        let load_env = vec![
            ("GOFRONT_GOCACHE".to_string(), gocache.to_string()),
            ("GOFRONT_GOMODCACHE".to_string(), gomodcache.to_string()),
            ("GOFRONT_SEED".to_string(), "load".to_string()),
            ("GOFRONT_SEED_ID".to_string(), id),
        ];
        let loads: Vec<(usize, Vec<(String, String)>)> = steps(s)
            .into_iter()
            .filter(|st| st.command_index() > copy.command_index && mounted(st.command_index()))
            .filter(|st| self.step_fetch(s, *st, &[], false).wrap)
            .map(|st| (st.span().start, load_env.clone()))
            .collect();
        if !loads.iter().any(|(l, _)| *l == served.span.start) {
            return Err(format!(
                "line {} cannot run the step script (another shell, the exec form or a heredoc)",
                served.span.start
            ));
        }
        let mut save_env = vec![
            ("GOFRONT_GOCACHE".to_string(), gocache.to_string()),
            ("GOFRONT_GOMODCACHE".to_string(), gomodcache.to_string()),
            ("GOFRONT_SEED".to_string(), "save".to_string()),
        ];
        if !packages.is_empty() {
            save_env.extend([
                ("GOFRONT_PRECOMPILE".to_string(), packages.join(" ")),
                ("GOFRONT_PRECOMPILE_DIR".to_string(), root.to_string()),
                ("GOFRONT_PRECOMPILE_FLAGS".to_string(), flags.join(" ")),
                ("GOFRONT_PRECOMPILE_ENV".to_string(), env.join(" ")),
            ]);
        }
        Ok(SeedPlan {
            build_cache_flag,
            save_env,
            loads,
            packages: packages.len(),
        })
    }

    /// The packages to precompile (imported by what the go commands build), with the build
    /// flags and settings of those commands; nothing when they disagree or cannot be written
    /// as plain words.
    fn precompile(
        &self,
        users: &[(&GoRun, &GoInvocation, &ModuleView)],
    ) -> (Vec<String>, Vec<String>, Vec<String>) {
        let none = (Vec::new(), Vec::new(), Vec::new());
        let builds: Vec<&(&GoRun, &GoInvocation, &ModuleView)> = users
            .iter()
            .filter(|(_, i, _)| matches!(i.subcommand.as_deref(), Some("build" | "install")))
            .collect();
        let Some((_, first, _)) = builds.first() else {
            return none;
        };
        let flags = compile_flags(first);
        let env = compile_env(first);
        let (Some(flags), Some(env)) = (flags, env) else {
            return none;
        };
        if builds.iter().any(|(_, i, _)| {
            compile_flags(i).as_ref() != Some(&flags) || compile_env(i).as_ref() != Some(&env)
        }) {
            return none;
        }
        let modules = self.local_modules();
        let mut targets = Vec::new();
        for (_, inv, view) in &builds {
            targets.extend(targets_of(inv, view));
        }
        let packages = external_imports(&self.facts.context.go_files, &modules, &targets);
        if packages.iter().any(|p| !safe_path(p)) {
            return none;
        }
        (packages, flags, env)
    }

    /// Every module of the build context (go.mod files that parse).
    fn local_modules(&self) -> Vec<LocalModule> {
        self.facts
            .context
            .go_mods()
            .into_iter()
            .filter_map(|p| {
                let bytes = self.facts.context.get(p)?;
                let parsed = ModFile::parse(p, bytes).ok()?;
                Some(LocalModule {
                    context_dir: parent_dir_rel(p),
                    path: parsed.module_path()?.to_string(),
                })
            })
            .collect()
    }
}

/// Flags of `go build`/`go install` that take a separate value (`-o out`).
const VALUE_FLAGS: [&str; 17] = [
    "-o",
    "-tags",
    "-ldflags",
    "-gcflags",
    "-asmflags",
    "-mod",
    "-modfile",
    "-C",
    "-p",
    "-pkgdir",
    "-overlay",
    "-pgo",
    "-buildmode",
    "-compiler",
    "-installsuffix",
    "-toolexec",
    "-exec",
];

/// The compile-affecting flags of a go command as `-name=value` words; `None` when one cannot
/// be written as a plain word (a variable, a space).
fn compile_flags(inv: &GoInvocation) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut args = inv.args.iter();
    while let Some(a) = args.next() {
        if !a.starts_with('-') {
            continue;
        }
        let flag = format!("-{}", a.trim_start_matches('-'));
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (flag.clone(), None),
        };
        let value = match inline {
            Some(v) => Some(v),
            None if VALUE_FLAGS.contains(&name.as_str()) => Some(args.next()?.clone()),
            None => None,
        };
        if !COMPILE_FLAGS.contains(&name.as_str()) {
            continue;
        }
        match value {
            Some(v)
                if v.chars()
                    .any(|c| c.is_whitespace() || "$'\"\\`".contains(c)) =>
            {
                return None
            }
            Some(v) => out.push(format!("{name}={v}")),
            None => out.push(name),
        }
    }
    Some(out)
}

/// The compile-affecting settings of a go command as `NAME=value` words.
fn compile_env(inv: &GoInvocation) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for name in COMPILE_ENV {
        if let Some(v) = inv.env.vars.get(name) {
            if !v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ",._-".contains(c))
            {
                return None;
            }
            out.push(format!("{name}={v}"));
        }
    }
    Some(out)
}

/// What a go build/install command builds, as context targets.
fn targets_of(inv: &GoInvocation, view: &ModuleView) -> Vec<Target> {
    let (Some(dir), Some(module)) = (inv.dir.as_deref(), view.module.as_ref()) else {
        return Vec::new();
    };
    // The command's directory, as a context directory (through the module's copy).
    let Some(rel) = dir
        .strip_prefix(module.container_dir.as_str())
        .map(|r| r.trim_start_matches('/'))
    else {
        return Vec::new();
    };
    let ctx_dir = join_rel(&module.context_dir, rel);
    let mut args: Vec<&str> = Vec::new();
    let mut it = inv.args.iter();
    while let Some(a) = it.next() {
        if a.starts_with('-') {
            let name = a.split('=').next().unwrap_or(a);
            if !a.contains('=')
                && VALUE_FLAGS.contains(&format!("-{}", name.trim_start_matches('-')).as_str())
            {
                it.next();
            }
            continue;
        }
        args.push(a);
    }
    if args.is_empty() {
        return vec![Target::Dir(ctx_dir)];
    }
    args.into_iter()
        .map(|a| {
            if a.ends_with(".go") {
                Target::Dir(join_rel(&ctx_dir, &parent_dir_rel(a)))
            } else if let Some(base) = a.strip_suffix("/...") {
                if base.starts_with('.') {
                    Target::Tree(join_rel(&ctx_dir, base))
                } else {
                    Target::ImportPath(base.to_string())
                }
            } else if a.starts_with('.') {
                Target::Dir(join_rel(&ctx_dir, a))
            } else {
                Target::ImportPath(a.split('@').next().unwrap_or(a).to_string())
            }
        })
        .collect()
}

/// A context-relative path joined and cleaned (`""` = the root).
fn join_rel(base: &str, rel: &str) -> String {
    let joined = clean_path(&format!("/{base}/{rel}"));
    joined.trim_start_matches('/').to_string()
}

/// The context directory of a context-relative file path.
fn parent_dir_rel(p: &str) -> String {
    p.rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_string())
}

/// Names one seed (FNV-1a of the paths, the package list and the manifests): a builder copies
/// each seed into its mounts once.
fn seed_id(words: &[&str], manifests: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |bytes: &[u8]| {
        for b in bytes.iter().chain(b"\n") {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for w in words {
        add(w.as_bytes());
    }
    for m in manifests {
        add(m);
    }
    add(SEED_DIR.as_bytes());
    format!("{h:016x}")
}
