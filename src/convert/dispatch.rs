//! Per-instruction dispatch and the config-only instructions: ENV, ARG, LABEL, EXPOSE, VOLUME,
//! USER, WORKDIR (its mkdir layer included), CMD/ENTRYPOINT, SHELL, HEALTHCHECK, STOPSIGNAL,
//! ONBUILD and MAINTAINER, each with the image config change and the history entry
//! `dockerfile.v0` records. Variables are expanded with the stage env from *before* the
//! instruction, like BuildKit's `Expand` step.
//!
//! Not for: RUN (`run`) and COPY/ADD (`copy`).

use std::collections::BTreeMap;

use crate::dockerfile::ast::{ArgDecl, Command, CommandLine, Healthcheck, Instruction, KeyValue};
use crate::llb::{pb, OpMeta, Output};

use super::expose::{expose_history, parse_ports};
use super::image::{go_slice, healthcheck_history, validate_signal, Empty, HealthConfig};
use super::names::{normalize_system_path, uppercase_cmd};
use super::stages::{add_env, Converter};
use super::ConvertError;
use crate::llb::ops::{file_op, parse_chown, Action};

const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

impl Converter<'_> {
    /// `ProcessWord` with the stage env.
    pub(super) fn expand(&self, i: usize, word: &str) -> Result<String, ConvertError> {
        let env = self.env_of(i);
        self.lexer
            .process_word(word, &env)
            .map_err(|e| ConvertError::at(e.to_string(), None))
    }

    /// The display text of an instruction (`processCmdEnv` + `uppercaseCmd`); never fails.
    pub(super) fn display(&self, i: usize, text: &str, raw: bool) -> String {
        self.display_with(&self.env_of(i), text, raw)
    }

    /// [`Converter::display`] with a given env (RUN masks secret env values).
    pub(super) fn display_with(&self, env: &[(String, String)], text: &str, raw: bool) -> String {
        let lexer = if raw {
            self.lexer.with_raw_quotes(true).with_skip_unset_env(true)
        } else {
            self.lexer
        };
        let out = lexer
            .process_word(text, &env.to_vec())
            .unwrap_or_else(|_| text.to_string());
        uppercase_cmd(&out)
    }

    pub(super) fn commit(&mut self, i: usize, msg: &str, layer: bool, buildkit: bool) {
        let epoch = self.epoch.as_ref().map(|e| e.rfc3339());
        self.stages[i]
            .image
            .commit(msg, layer, buildkit, epoch.as_deref());
    }

    /// Dispatches one instruction of stage `i`.
    pub(super) fn dispatch(
        &mut self,
        i: usize,
        cmd: &Command,
        sources: &[usize],
    ) -> Result<(), ConvertError> {
        match &cmd.instruction {
            Instruction::Maintainer(m) => {
                self.stages[i].image.author = m.clone();
                self.commit(i, &format!("MAINTAINER {m}"), false, false);
                Ok(())
            }
            Instruction::Env(kvs) => self.dispatch_env(i, kvs, cmd),
            Instruction::Label(kvs) => self.dispatch_label(i, kvs, cmd),
            Instruction::Arg(decls) => self.dispatch_arg(i, decls),
            Instruction::User(u) => {
                let u = self.expand_checked(i, u)?;
                self.stages[i].user = u.clone();
                self.stages[i].image.config.user = u.clone();
                self.commit(i, &format!("USER {u}"), false, false);
                Ok(())
            }
            Instruction::Workdir(w) => {
                let w = self.expand_checked(i, w)?;
                self.lint_workdir(i, &w);
                self.dispatch_workdir(i, &w, cmd)
            }
            Instruction::Volume(vols) => {
                let mut out = Vec::with_capacity(vols.len());
                for v in vols {
                    out.push(self.expand_checked(i, v)?);
                }
                let map = self.stages[i]
                    .image
                    .config
                    .volumes
                    .get_or_insert_with(BTreeMap::new);
                for v in &out {
                    if v.is_empty() {
                        return Err(ConvertError::at(
                            "VOLUME specified can not be an empty string",
                            None,
                        ));
                    }
                    map.insert(v.clone(), Empty {});
                }
                self.commit(i, &format!("VOLUME {}", go_slice(&out)), false, false);
                Ok(())
            }
            Instruction::StopSignal(s) => {
                let s = self.expand_checked(i, s)?;
                validate_signal(&s).map_err(|e| ConvertError::at(e, None))?;
                self.stages[i].image.config.stop_signal = s.clone();
                self.commit(i, &format!("STOPSIGNAL {s}"), false, false);
                Ok(())
            }
            Instruction::Expose(ports) => self.dispatch_expose(i, ports),
            Instruction::Shell(sh) => {
                self.stages[i].image.config.shell = sh.clone();
                self.commit(i, &format!("SHELL {}", go_slice(sh)), false, false);
                Ok(())
            }
            Instruction::Cmd(line) => {
                self.lint_once(i, cmd, "cmd", matches!(line, CommandLine::Shell(_)));
                let args = self.with_shell(i, line);
                let img = &mut self.stages[i].image;
                img.config.cmd = args.clone();
                img.config.args_escaped = true;
                self.stages[i].cmd_set = true;
                self.commit(
                    i,
                    &format!("CMD {}", crate::gostd::strconv::quote_slice(&args)),
                    false,
                    false,
                );
                Ok(())
            }
            Instruction::Entrypoint(line) => {
                self.lint_once(i, cmd, "entrypoint", matches!(line, CommandLine::Shell(_)));
                let args = self.with_shell(i, line);
                let st = &mut self.stages[i];
                st.image.config.entrypoint = args.clone();
                if !st.cmd_set {
                    st.image.config.cmd = Vec::new();
                }
                self.commit(
                    i,
                    &format!("ENTRYPOINT {}", crate::gostd::strconv::quote_slice(&args)),
                    false,
                    false,
                );
                Ok(())
            }
            Instruction::Healthcheck(h) => {
                self.lint_once(i, cmd, "healthcheck", false);
                let cfg = health_config(h);
                let msg = healthcheck_history(&cfg);
                self.stages[i].image.config.healthcheck = Some(cfg);
                self.commit(i, &msg, false, false);
                Ok(())
            }
            Instruction::OnBuild(expr) => {
                self.stages[i].image.config.on_build.push(expr.clone());
                Ok(())
            }
            Instruction::Run(run) => self.dispatch_run(i, cmd, run, sources),
            Instruction::Copy(c) => self.dispatch_copy(i, cmd, c, sources, false),
            Instruction::Add(c) => self.dispatch_copy(i, cmd, c, sources, true),
        }
    }

    /// `withShell`: SHELL (or the OS default) plus the joined command text.
    pub(super) fn with_shell(&self, i: usize, line: &CommandLine) -> Vec<String> {
        match line {
            CommandLine::Exec(args) => args.clone(),
            CommandLine::Shell(text) => {
                let img = &self.stages[i].image;
                let mut shell = if img.config.shell.is_empty() {
                    default_shell(&img.os)
                } else {
                    img.config.shell.clone()
                };
                shell.push(text.clone());
                shell
            }
        }
    }

    fn expand_kvs(
        &self,
        i: usize,
        kvs: &[KeyValue],
    ) -> Result<Vec<(String, String)>, ConvertError> {
        kvs.iter()
            .map(|kv| {
                Ok((
                    self.expand_checked(i, &kv.key)?,
                    self.expand_checked(i, &kv.value)?,
                ))
            })
            .collect()
    }

    fn dispatch_env(
        &mut self,
        i: usize,
        kvs: &[KeyValue],
        cmd: &Command,
    ) -> Result<(), ConvertError> {
        let pairs = self.expand_kvs(i, kvs)?;
        let keys: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
        self.lint_key_values(cmd, &keys, true);
        let mut msg = String::from("ENV");
        let st = &mut self.stages[i];
        for (k, v) in &pairs {
            msg.push_str(&format!(" {k}={v}"));
            add_env(&mut st.env, k, v);
            super::image::add_config_env(&mut st.image.config.env, k, v);
        }
        self.commit(i, &msg, false, false);
        Ok(())
    }

    fn dispatch_label(
        &mut self,
        i: usize,
        kvs: &[KeyValue],
        cmd: &Command,
    ) -> Result<(), ConvertError> {
        let pairs = self.expand_kvs(i, kvs)?;
        let keys: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
        self.lint_key_values(cmd, &keys, false);
        let mut msg = String::from("LABEL");
        let labels = self.stages[i]
            .image
            .config
            .labels
            .get_or_insert_with(BTreeMap::new);
        for (k, v) in &pairs {
            labels.insert(k.clone(), v.clone());
            msg.push_str(&format!(" {k}={v}"));
        }
        self.commit(i, &msg, false, false);
        Ok(())
    }

    /// `dispatchArg` (1.8+): a build arg wins and its default is never expanded; else the
    /// default is expanded; else a global ARG's value is inherited. The history records the
    /// effective value (`ARG K=V`), bare `ARG K` only when there is none. Keys are not expanded.
    fn dispatch_arg(&mut self, i: usize, decls: &[ArgDecl]) -> Result<(), ConvertError> {
        let mut commits = Vec::with_capacity(decls.len());
        for (n, d) in decls.iter().enumerate() {
            // Dockerfile 1.26 checks the name as written and expands a default only when no
            // build arg overrides it; the instruction's earlier names count as declared.
            self.lint_secret("ARG", &d.key);
            let overridden = self.input.options.build_args.contains_key(&d.key);
            if let (Some(v), false) = (&d.value, overridden) {
                let earlier: Vec<&str> = decls[..n].iter().map(|e| e.key.as_str()).collect();
                self.check_arg_default(i, v, &earlier);
            }
            let key = d.key.clone();
            let value = match (self.input.options.build_args.get(&key), &d.value) {
                (Some(v), _) => Some(v.clone()),
                (None, Some(raw)) => Some(self.expand(i, raw)?),
                (None, None) => self
                    .meta_args
                    .iter()
                    .rev()
                    .find(|(k, v)| *k == key && v.is_some())
                    .and_then(|(_, v)| v.clone()),
            };
            commits.push(match &value {
                Some(v) => format!("{key}={v}"),
                None => key.clone(),
            });
            let st = &mut self.stages[i];
            if let Some(v) = &value {
                if !NON_ENV_ARGS.contains(&key.as_str()) {
                    add_env(&mut st.env, &key, v);
                }
            }
            st.build_args.push((key, value));
        }
        self.commit(i, &format!("ARG {}", commits.join(" ")), false, false);
        Ok(())
    }

    fn dispatch_expose(&mut self, i: usize, raw: &[String]) -> Result<(), ConvertError> {
        let env = self.env_of(i);
        let mut words = Vec::new();
        for p in raw {
            let ws = self
                .lexer
                .process_words(p, &env)
                .map_err(|e| ConvertError::at(e.to_string(), None))?;
            words.extend(ws);
        }
        self.lint_expose(&words);
        let ports = parse_ports(&words).map_err(|e| ConvertError::at(e, None))?;
        let map = self.stages[i]
            .image
            .config
            .exposed_ports
            .get_or_insert_with(BTreeMap::new);
        for p in &ports {
            map.insert(p.clone(), Empty {});
        }
        self.commit(i, &expose_history(&ports), false, false);
        Ok(())
    }

    /// Sets the working directory (no layer, no history): base config and named contexts.
    pub(super) fn apply_workdir(&mut self, i: usize, requested: &str) -> String {
        let st = &mut self.stages[i];
        let wd = normalize_system_path(&st.image.config.working_dir, requested);
        st.image.config.working_dir = wd.clone();
        st.dir = if wd.starts_with('/') {
            wd.clone()
        } else {
            let prev = if st.dir.is_empty() {
                "/"
            } else {
                st.dir.as_str()
            };
            crate::gostd::path::join(&[prev, &wd])
        };
        wd
    }

    fn dispatch_workdir(
        &mut self,
        i: usize,
        requested: &str,
        cmd: &Command,
    ) -> Result<(), ConvertError> {
        let wd = self.apply_workdir(i, requested);
        if wd == "/" {
            self.commit(i, &format!("WORKDIR {wd}"), false, false);
            return Ok(());
        }
        let env = self.env_of(i);
        let text = self.display(i, cmd.code(), false);
        let name = self.step_name(i, &text, &env);
        let st = &self.stages[i];
        let owner = (!st.image.config.user.is_empty()).then(|| parse_chown(&st.image.config.user));
        let mkdir = pb::FileActionMkDir {
            path: super::names::normalize_path(&st.dir, &wd, false),
            mode: 0o755,
            make_parents: true,
            owner: None,
            // The directories get the epoch as mtime (1.16).
            timestamp: self.epoch.as_ref().map_or(-1, |e| e.nanos()),
        };
        let op = file_op(&st.fs, vec![Action::Mkdir { mkdir, owner }]);
        let meta = OpMeta {
            custom_name: Some(name),
            ignore_cache: false,
            locations: vec![cmd.span.into()],
            ..OpMeta::default()
        };
        let digest = self.add_op(op, meta, Some(cmd.span))?;
        self.stages[i].fs = Some(Output::new(digest, 0));
        self.commit(i, &format!("WORKDIR {wd}"), true, false);
        Ok(())
    }
}

/// `defaultShell`.
pub(super) fn default_shell(os: &str) -> Vec<String> {
    if os == "windows" {
        vec!["cmd".into(), "/S".into(), "/C".into()]
    } else {
        vec!["/bin/sh".into(), "-c".into()]
    }
}

/// The `Healthcheck` config of a HEALTHCHECK instruction.
fn health_config(h: &Healthcheck) -> HealthConfig {
    let nanos = |d: &Option<std::time::Duration>| {
        d.map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    };
    match h {
        Healthcheck::None => HealthConfig {
            test: vec!["NONE".into()],
            ..HealthConfig::default()
        },
        Healthcheck::Check {
            command,
            interval,
            timeout,
            start_period,
            start_interval,
            retries,
        } => {
            let test = match command {
                CommandLine::Exec(args) => {
                    let mut t = vec!["CMD".to_string()];
                    t.extend(args.iter().cloned());
                    t
                }
                CommandLine::Shell(text) => vec!["CMD-SHELL".into(), text.clone()],
            };
            HealthConfig {
                test,
                interval: nanos(interval),
                timeout: nanos(timeout),
                start_period: nanos(start_period),
                start_interval: nanos(start_interval),
                retries: retries.unwrap_or(0),
            }
        }
    }
}
