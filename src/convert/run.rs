//! RUN: shell/exec form, heredocs (inline script files mounted from `/dev/pipes/`), the ExecOp
//! meta (env with ARGs, cwd, user, hostname, proxy env, extra hosts, ulimits, cgroup parent,
//! `/dev/shm`), `--network`, and every `--mount` type with BuildKit v0.13's defaults (cache ids
//! in `BUILDKIT_CACHE_MOUNT_NS`, uid/gid/mode seeding, secret and SSH socket defaults,
//! `SSH_AUTH_SOCK`), plus the `RUN |N K=V ...` history entry.
//!
//! Not for: the op layout rules themselves (`ops`).

use std::collections::BTreeMap;

use crate::dockerfile::ast::{Command, CommandLine, Run};
use crate::dockerfile::instructions::{
    parse_mount, parse_network, parse_security, CacheSharing, Mount, MountType, Security,
};
use crate::llb::{pb, OpMeta, Output};
use crate::options::NetworkMode;

use super::names::summarize_heredoc;
use super::stages::{Converter, DF_CMD_KEY};
use super::{ConvertError, RunProcess};
use crate::gostd::path::{base, clean, join};
use crate::llb::ops::{exec_op, file_op, Action, ExecSpec, MountSpec, Owner, SecretSpec, SshSpec};

const SCRATCH: &str = "scratch";
/// Where a RUN's wrapper script is mounted, and its file name.
const WRAP_DIR: &str = "/run/gofront-fetch";
const WRAP_FILE: &str = "fetch.sh";

fn net_mode(m: NetworkMode) -> i32 {
    match m {
        NetworkMode::Sandbox => pb::NetMode::Unset as i32,
        NetworkMode::Host => pb::NetMode::Host as i32,
        NetworkMode::None => pb::NetMode::None as i32,
    }
}

/// The single-heredoc form `RUN <<EOF` (`reHeredoc` on the whole command).
fn is_single_heredoc(cmd: &str) -> bool {
    let rest = cmd.trim_start_matches(|c: char| c.is_ascii_digit());
    let Some(rest) = rest.strip_prefix("<<") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    !rest.is_empty() && !rest.contains('<') && rest.split_whitespace().count() == 1
}

impl Converter<'_> {
    pub(super) fn dispatch_run(
        &mut self,
        i: usize,
        cmd: &Command,
        run: &Run,
        sources: &[usize],
    ) -> Result<(), ConvertError> {
        self.mark_path(i, "/".into());
        let mut custom = cmd.code().to_string();
        let mut extra_mounts = Vec::new();
        let mut line = run.command.clone();
        if !run.heredocs.is_empty() {
            let CommandLine::Shell(text) = &run.command else {
                return Err(ConvertError::at(
                    "parsing produced an invalid run command",
                    None,
                ));
            };
            let first = &run.heredocs[0];
            if is_single_heredoc(text) {
                // `<<-` tabs are stripped before the `#!` check since 1.21 (1.19: after).
                if self.stages[i].image.os != "windows" && first.content.starts_with("#!") {
                    let document =
                        self.inline_document(&first.name, &first.content, 0o755, cmd.span)?;
                    extra_mounts.push(MountSpec {
                        dest: "/dev/pipes/".into(),
                        source: Some(document),
                        readonly: true,
                        selector: "/".into(),
                        ..MountSpec::default()
                    });
                    line = CommandLine::Shell(join(&["/dev/pipes/", &first.name]));
                } else {
                    line = CommandLine::Shell(first.content.clone());
                }
                custom.push_str(&format!(" ({})", summarize_heredoc(&first.raw)));
            } else {
                // The shell strips `<<-` tabs itself: it gets the bodies as written.
                let mut full = text.clone();
                for h in &run.heredocs {
                    full.push('\n');
                    full.push_str(&h.raw);
                    full.push_str(&h.name);
                }
                line = CommandLine::Shell(full);
            }
        }
        // History shows the command as written; only the process runs it wrapped.
        let args = self.with_shell(i, &line);
        let process_args = self.wrap_command(args.clone(), &line, cmd.span, &mut extra_mounts)?;
        let env = self.env_of(i);

        let mut spec = ExecSpec {
            root: self.stages[i].fs.clone(),
            platform: self.op_platform(i),
            network: net_mode(self.input.options.network_mode),
            ..ExecSpec::default()
        };
        spec.mounts.extend(extra_mounts);
        self.run_mounts(i, cmd, run, sources, &mut spec)?;
        if let Some(n) = &run.network {
            match parse_network(n).map_err(|e| ConvertError::at(e, None))? {
                NetworkMode::Sandbox => {}
                m => spec.network = net_mode(m),
            }
        }
        // `RUN --security` is mainline since 1.20 (`insecure` needs the entitlement).
        if let Some(s) = &run.security {
            if parse_security(s).map_err(|e| ConvertError::at(e, None))? == Security::Insecure {
                spec.security = pb::SecurityMode::Insecure as i32;
            }
        }
        if !run.devices.is_empty() {
            return Err(ConvertError::at(
                "device feature is only supported in Dockerfile frontend 1.14.0-labs or later",
                None,
            ));
        }
        let caps = self.graph.caps();
        let sets_default_path = caps.has("exec.meta.setsdefaultpath");
        let has_ulimit = caps.has("exec.meta.ulimit");
        let has_cgroup_parent = caps.has("exec.meta.cgroup.parent");
        let has_tmpfs_size = caps.has("exec.mount.tmpfs.size");
        let opts = self.input.options;
        let mut exec_env = env.clone();
        self.add_run_env(&mut exec_env);
        if !spec.ssh.is_empty() {
            for (n, s) in spec.ssh.iter_mut().enumerate() {
                if s.target.is_empty() {
                    s.target = format!("/run/buildkit/ssh_agent.{n}");
                }
            }
            if !exec_env.iter().any(|(k, _)| k == "SSH_AUTH_SOCK") {
                let t = spec.ssh[0].target.clone();
                super::stages::add_env(&mut exec_env, "SSH_AUTH_SOCK", &t);
            }
        }
        if !sets_default_path && !exec_env.iter().any(|(k, _)| k == "PATH") {
            let os = spec.platform.os.clone();
            exec_env.push((
                "PATH".into(),
                super::image::default_path_env(&os).to_string(),
            ));
        }
        let st = &self.stages[i];
        spec.meta = pb::Meta {
            args: process_args,
            env: exec_env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            cwd: if st.dir.is_empty() {
                "/".into()
            } else {
                st.dir.clone()
            },
            user: st.user.clone(),
            proxy_env: self.proxy.clone(),
            extra_hosts: opts
                .extra_hosts
                .iter()
                .map(|(host, ip)| pb::HostIp {
                    host: host.clone(),
                    ip: ip.clone(),
                })
                .collect(),
            hostname: opts.hostname.clone().unwrap_or_default(),
            ulimit: if has_ulimit {
                opts.ulimits
                    .iter()
                    .map(|u| pb::Ulimit {
                        name: u.name.clone(),
                        soft: u.soft,
                        hard: u.hard,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            cgroup_parent: if has_cgroup_parent {
                opts.cgroup_parent.clone().unwrap_or_default()
            } else {
                String::new()
            },
            remove_mount_stubs_recursive: true,
            ..pb::Meta::default()
        };
        if has_tmpfs_size && opts.shm_size > 0 {
            spec.mounts.push(MountSpec {
                dest: "/dev/shm".into(),
                tmpfs: Some(i64::try_from(opts.shm_size).unwrap_or(i64::MAX)),
                ..MountSpec::default()
            });
        }

        // `withSecretEnvMask` (1.11): a secret's env variable shows as `****` in the step name.
        let mut name_env = env.clone();
        for secret in spec.secrets.iter().filter_map(|s| s.env.as_ref()) {
            super::stages::add_env(&mut name_env, secret, "****");
        }
        let text = self.display_with(&name_env, &custom, true);
        let name = self.step_name(i, &text, &env);
        let mut description = BTreeMap::new();
        description.insert(DF_CMD_KEY.to_string(), cmd.code().to_string());
        let meta = OpMeta {
            custom_name: Some(name),
            description,
            ignore_cache: self.stages[i].ignore_cache,
            locations: vec![cmd.span.into()],
            ..OpMeta::default()
        };
        let digest = self.add_op(exec_op(spec), meta, Some(cmd.span))?;
        self.stages[i].fs = Some(Output::new(digest, 0));
        let history = run_command_string(&args, &self.stages[i].build_args, &env);
        self.commit(i, &format!("RUN {history}"), true, true);
        Ok(())
    }

    /// The current RUN's process-only changes, if any.
    fn run_process(&self) -> Option<&RunProcess> {
        self.current.and_then(|c| self.input.run_process.get(&c))
    }

    /// The exec args of the current RUN run through its wrapper script, when it has one and
    /// runs `/bin/sh -c <command>`: the script is mounted read-only at [`WRAP_DIR`] and the
    /// process is `/bin/sh <script> <command>` (so an error names the command, not the script).
    /// Another shell, or the exec form, keeps its args.
    fn wrap_command(
        &mut self,
        args: Vec<String>,
        line: &CommandLine,
        span: crate::dockerfile::ast::Span,
        mounts: &mut Vec<MountSpec>,
    ) -> Result<Vec<String>, ConvertError> {
        let (Some(script), CommandLine::Shell(text)) =
            (self.run_process().and_then(|p| p.wrap.clone()), line)
        else {
            return Ok(args);
        };
        let runs_sh_c =
            matches!(args.as_slice(), [sh, c, cmd] if sh == "/bin/sh" && c == "-c" && cmd == text);
        if !runs_sh_c {
            return Ok(args);
        }
        let file = self.inline_file(WRAP_FILE, &script, 0o755, "[gofront] fetch setup", span)?;
        mounts.push(MountSpec {
            dest: WRAP_DIR.into(),
            source: Some(file),
            readonly: true,
            selector: "/".into(),
            ..MountSpec::default()
        });
        Ok(vec![
            "/bin/sh".to_string(),
            format!("{WRAP_DIR}/{WRAP_FILE}"),
            text.clone(),
        ])
    }

    /// The extra process env the current RUN gets (Go env passthrough, then the target's
    /// GOOS/GOARCH when it cross-compiles): a same-named variable keeps its place with the new
    /// value, others are appended in the given order.
    fn add_run_env(&self, exec_env: &mut Vec<(String, String)>) {
        let Some(process) = self.run_process() else {
            return;
        };
        let mut extra = process.env.clone();
        let build = self.build_platforms.first();
        if process.cross_compile && build.is_some_and(|b| *b != self.target) {
            extra.extend(self.target.go_env());
        }
        for (k, v) in &extra {
            match exec_env.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1 = v.clone(),
                None => exec_env.push((k.clone(), v.clone())),
            }
        }
    }

    fn run_mounts(
        &mut self,
        i: usize,
        cmd: &Command,
        run: &Run,
        sources: &[usize],
        spec: &mut ExecSpec,
    ) -> Result<(), ConvertError> {
        let env = self.env_of(i);
        let lexer = self.lexer;
        for (n, raw) in run.mounts.iter().enumerate() {
            let parsed = {
                let this = &*self;
                let expand = |s: &str| {
                    let (out, _, unmatched) = lexer
                        .process_word_with_matches(s, &env)
                        .map_err(|e| e.to_string())?;
                    this.report_unmatched(i, &env, unmatched);
                    Ok(out)
                };
                parse_mount(raw, &expand)
            };
            let mut m = parsed.map_err(|e| ConvertError::at(e, None))?;
            if m.from.as_deref().unwrap_or("").is_empty() && m.kind == MountType::Cache {
                m.from = Some(SCRATCH.into());
            }
            let from = m.from.clone().filter(|f| !f.is_empty());
            let mut fs = self.context.clone();
            if from.is_some() {
                let src = sources.get(n).copied().ok_or_else(|| {
                    ConvertError::at("internal error: mount source missing", None)
                })?;
                if !self.stages[src].ready {
                    return Err(ConvertError::at(
                        format!(
                            "cannot mount from stage \"{}\" to \"{}\", stage needs to be defined before current command",
                            from.clone().unwrap_or_default(),
                            m.target
                        ),
                        None,
                    ));
                }
                fs = self.stages[src].fs.clone();
            }
            match m.kind {
                MountType::Secret => {
                    spec.secrets.push(secret_spec(&m)?);
                    continue;
                }
                MountType::Ssh => {
                    spec.ssh.push(ssh_spec(&m)?);
                    continue;
                }
                _ => {}
            }
            let mut mount = MountSpec::default();
            if m.kind == MountType::Tmpfs {
                fs = None;
                mount.tmpfs = Some(m.size_limit.unwrap_or(0));
            }
            if m.read_only {
                mount.readonly = true;
            } else if m.kind == MountType::Bind
                && self.graph.caps().has("exec.mount.bind.readwrite-nooutput")
            {
                mount.no_output = true;
            }
            if m.kind == MountType::Cache {
                let sharing = match m.sharing {
                    CacheSharing::Shared => pb::CacheSharingOpt::Shared as i32,
                    CacheSharing::Private => pb::CacheSharingOpt::Private as i32,
                    CacheSharing::Locked => pb::CacheSharingOpt::Locked as i32,
                };
                let id = m
                    .cache_id
                    .clone()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| clean(&m.target));
                mount.cache = Some((format!("{}/{}", self.cache_ns, id), sharing));
            }
            let target = if clean(&m.target).starts_with('/') {
                m.target.clone()
            } else {
                join(&["/", &self.stages[i].dir, &m.target])
            };
            if target == "/" {
                return Err(ConvertError::at(
                    format!("invalid mount target \"{target}\""),
                    None,
                ));
            }
            let source = m.source.clone().unwrap_or_default();
            let src = join(&["/", &source]);
            if src != "/" {
                mount.selector = src.clone();
            } else if m.uid.is_some() || m.gid.is_some() || m.mode.is_some() {
                fs = Some(self.seed_cache_dir(&m, &fs, cmd)?);
                mount.selector = "/cache".into();
            }
            mount.dest = target;
            mount.source = fs;
            spec.mounts.push(mount);
            match from {
                None => {
                    self.ctx_paths.insert(src);
                }
                Some(_) => {
                    if let Some(&s) = sources.get(n) {
                        self.mark_path(s, src);
                    }
                }
            }
        }
        Ok(())
    }

    /// `setCacheUIDGID`: a `/cache` directory with the requested owner and mode.
    fn seed_cache_dir(
        &mut self,
        m: &Mount,
        fs: &Option<Output>,
        cmd: &Command,
    ) -> Result<Output, ConvertError> {
        let mkdir = pb::FileActionMkDir {
            path: "/cache".into(),
            mode: (m.mode.unwrap_or(0o755) & 0o777) as i32,
            make_parents: false,
            owner: None,
            timestamp: -1,
        };
        let owner = (
            Some(Owner::Id(m.uid.unwrap_or(0))),
            Some(Owner::Id(m.gid.unwrap_or(0))),
        );
        let op = file_op(
            fs,
            vec![Action::Mkdir {
                mkdir,
                owner: Some(owner),
            }],
        );
        let meta = OpMeta {
            custom_name: Some("[internal] setting cache mount permissions".into()),
            ..OpMeta::default()
        };
        let d = self.add_op(op, meta, Some(cmd.span))?;
        Ok(Output::new(d, 0))
    }
}

/// `dispatchSecret`: the id from `id=`/`source=`/the target's base name; a file mount at
/// `target=` (default `/run/secrets/<id>`) unless only `env=` is given; mode 0400 by default.
fn secret_spec(m: &Mount) -> Result<SecretSpec, ConvertError> {
    let mut id = m.cache_id.clone().unwrap_or_default();
    if let Some(s) = m.source.as_deref().filter(|s| !s.is_empty()) {
        id = s.to_string();
    }
    if id.is_empty() {
        if m.target.is_empty() {
            return Err(ConvertError::at("one of source, target required", None));
        }
        id = base(&m.target);
    }
    let target = match (&m.env, m.target.is_empty()) {
        (Some(_), true) => None,
        (_, false) => Some(m.target.clone()),
        (None, true) => Some(format!("/run/secrets/{}", base(&id))),
    };
    Ok(SecretSpec {
        id,
        target,
        env: m.env.clone(),
        uid: m.uid.unwrap_or(0),
        gid: m.gid.unwrap_or(0),
        mode: m.mode.unwrap_or(0o400),
        optional: !m.required,
    })
}

fn ssh_spec(m: &Mount) -> Result<SshSpec, ConvertError> {
    if m.source.as_deref().is_some_and(|s| !s.is_empty()) {
        return Err(ConvertError::at("ssh does not support source", None));
    }
    Ok(SshSpec {
        id: m.cache_id.clone().unwrap_or_default(),
        target: m.target.clone(),
        uid: m.uid.unwrap_or(0),
        gid: m.gid.unwrap_or(0),
        mode: m.mode.unwrap_or(0o600),
        optional: !m.required,
    })
}

/// `runCommandString`: `|N K=V ... args` when the stage (or its base stages) declared ARGs;
/// each key once, at its first position, with its last value (1.12), the value from the env
/// when set there.
fn run_command_string(
    args: &[String],
    build_args: &[(String, Option<String>)],
    env: &[(String, String)],
) -> String {
    let map: BTreeMap<&str, &str> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut parts: Vec<String> = Vec::with_capacity(build_args.len() + args.len() + 1);
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, v) in build_args {
        let value = map
            .get(k.as_str())
            .map(|s| s.to_string())
            .unwrap_or_else(|| v.clone().unwrap_or_default());
        let entry = format!("{k}={value}");
        match index.get(k.as_str()) {
            Some(&at) => parts[at] = entry,
            None => {
                index.insert(k.as_str(), parts.len());
                parts.push(entry);
            }
        }
    }
    if !parts.is_empty() {
        parts.insert(0, format!("|{}", parts.len()));
    }
    parts.extend(args.iter().cloned());
    parts.join(" ")
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn single_heredoc_detection() {
        assert!(is_single_heredoc("<<EOF"));
        assert!(is_single_heredoc("<<-EOT"));
        assert!(is_single_heredoc("3<<\"EOF\""));
        assert!(!is_single_heredoc("python3 <<EOF"));
        assert!(!is_single_heredoc("<<EOF cat"));
    }

    #[test]
    fn history_lists_stage_args() {
        let args = vec!["/bin/sh".to_string(), "-c".to_string(), "make".to_string()];
        let build_args = vec![
            ("A".to_string(), Some("1".to_string())),
            ("B".to_string(), None),
        ];
        let env = vec![("A".to_string(), "2".to_string())];
        assert_eq!(
            run_command_string(&args, &build_args, &env),
            "|2 A=2 B= /bin/sh -c make"
        );
        assert_eq!(run_command_string(&args, &[], &env), "/bin/sh -c make");
        let repeated = vec![
            ("A".to_string(), Some("1".to_string())),
            ("B".to_string(), Some("2".to_string())),
            ("A".to_string(), Some("3".to_string())),
        ];
        assert_eq!(
            run_command_string(&args, &repeated, &[]),
            "|2 A=3 B=2 /bin/sh -c make"
        );
    }
}
