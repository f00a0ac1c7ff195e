//! Builders of `pb::Op` values laid out exactly like BuildKit's Go LLB client (v0.13) lays them
//! out: ExecOp mounts sorted by destination with deduplicated inputs and sequential output
//! indexes, secrets and SSH sockets appended after them; FileOp action chains with relative
//! input indexes; sources with their attrs; MergeOp.
//!
//! Not for: deciding *what* to build (convert and dockerui do) or encoding and digests
//! (`encode`, `graph`).

use std::collections::BTreeMap;

use super::{pb, pb_platform, Output};
use crate::platform::Platform;

/// A source op (`docker-image://`, `local://`, `https://`, `git://`). Only image sources keep a
/// platform, like Go's client.
pub fn source_op(identifier: &str, attrs: BTreeMap<String, String>, platform: &Platform) -> pb::Op {
    let specific =
        identifier.starts_with("docker-image://") || identifier.starts_with("oci-layout://");
    pb::Op {
        inputs: Vec::new(),
        platform: specific.then(|| pb_platform(platform)),
        constraints: Some(pb::WorkerConstraints::default()),
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: identifier.to_string(),
            attrs,
        })),
    }
}

/// A regular (sorted) exec mount.
#[derive(Debug, Clone, Default)]
pub struct MountSpec {
    /// Destination.
    pub dest: String,
    /// Source filesystem (`None` = scratch).
    pub source: Option<Output>,
    /// Read-only.
    pub readonly: bool,
    /// `selector` (sub-path of the source).
    pub selector: String,
    /// Cache id and sharing (0 shared, 1 private, 2 locked).
    pub cache: Option<(String, i32)>,
    /// Tmpfs with size (0 = unlimited).
    pub tmpfs: Option<i64>,
    /// Writable but without an output (`ForceNoOutput`).
    pub no_output: bool,
}

/// A secret: a file mount (`target`), an environment variable (`env`, ExecOp `secretenv`), or
/// both, like `client/llb`'s `AddSecretWithDest`.
#[derive(Debug, Clone, Default)]
pub struct SecretSpec {
    /// Secret id.
    pub id: String,
    /// Mount path; `None` = no file mount (an `env=` secret without `target=`).
    pub target: Option<String>,
    /// Environment variable the secret value is exposed in (`env=`).
    pub env: Option<String>,
    /// uid, gid, mode.
    pub uid: u32,
    /// gid.
    pub gid: u32,
    /// mode.
    pub mode: u32,
    /// Not `required`.
    pub optional: bool,
}

/// An SSH agent socket mount.
#[derive(Debug, Clone, Default)]
pub struct SshSpec {
    /// Agent id (`""` means the daemon default).
    pub id: String,
    /// Socket path (`""` = `/run/buildkit/ssh_agent.<n>`).
    pub target: String,
    /// uid.
    pub uid: u32,
    /// gid.
    pub gid: u32,
    /// mode.
    pub mode: u32,
    /// Not `required`.
    pub optional: bool,
}

/// Everything of one ExecOp.
#[derive(Debug, Clone, Default)]
pub struct ExecSpec {
    /// The `Meta` (args, env, cwd, user, hostname, proxy, hosts, ulimits, cgroup parent).
    pub meta: pb::Meta,
    /// Root filesystem (`None` = scratch).
    pub root: Option<Output>,
    /// Other mounts, any order.
    pub mounts: Vec<MountSpec>,
    /// Secrets, declaration order.
    pub secrets: Vec<SecretSpec>,
    /// SSH sockets, declaration order.
    pub ssh: Vec<SshSpec>,
    /// `pb.NetMode`.
    pub network: i32,
    /// `pb.SecurityMode`.
    pub security: i32,
    /// Op platform.
    pub platform: Platform,
}

fn input_index(inputs: &mut Vec<pb::Input>, out: &Option<Output>) -> i64 {
    let Some(out) = out else { return -1 };
    let input = out.to_input();
    if let Some(i) = inputs.iter().position(|x| *x == input) {
        return i as i64;
    }
    inputs.push(input);
    inputs.len() as i64 - 1
}

/// Builds the ExecOp. The root mount's output is output 0 of the op.
pub fn exec_op(spec: ExecSpec) -> pb::Op {
    let mut mounts = vec![MountSpec {
        dest: "/".into(),
        source: spec.root.clone(),
        ..MountSpec::default()
    }];
    mounts.extend(spec.mounts);
    mounts.sort_by(|a, b| a.dest.cmp(&b.dest));
    let mut inputs = Vec::new();
    let mut pb_mounts = Vec::new();
    let mut out_index = 0;
    for m in &mounts {
        let input = input_index(&mut inputs, &m.source);
        let output = if !m.no_output && !m.readonly && m.cache.is_none() && m.tmpfs.is_none() {
            out_index += 1;
            out_index - 1
        } else {
            -1
        };
        let mut pm = pb::Mount {
            input,
            selector: m.selector.clone(),
            dest: m.dest.clone(),
            output,
            readonly: m.readonly,
            ..pb::Mount::default()
        };
        if let Some((id, sharing)) = &m.cache {
            pm.mount_type = pb::MountType::Cache as i32;
            pm.cache_opt = Some(pb::CacheOpt {
                id: id.clone(),
                sharing: *sharing,
            });
        }
        if let Some(size) = m.tmpfs {
            pm.mount_type = pb::MountType::Tmpfs as i32;
            pm.tmpfs_opt = Some(pb::TmpfsOpt { size });
        }
        pb_mounts.push(pm);
    }
    let mut secretenv = Vec::new();
    for s in &spec.secrets {
        if let Some(name) = &s.env {
            secretenv.push(pb::SecretEnv {
                id: s.id.clone(),
                name: name.clone(),
                optional: s.optional,
            });
        }
        let Some(target) = &s.target else { continue };
        // Secret and ssh mounts have no input (`pb.Empty`, -1) since BuildKit v0.16.
        pb_mounts.push(pb::Mount {
            input: -1,
            dest: target.clone(),
            mount_type: pb::MountType::Secret as i32,
            secret_opt: Some(pb::SecretOpt {
                id: s.id.clone(),
                uid: s.uid,
                gid: s.gid,
                mode: s.mode,
                optional: s.optional,
            }),
            ..pb::Mount::default()
        });
    }
    for s in &spec.ssh {
        pb_mounts.push(pb::Mount {
            input: -1,
            dest: s.target.clone(),
            mount_type: pb::MountType::Ssh as i32,
            ssh_opt: Some(pb::SshOpt {
                id: s.id.clone(),
                uid: s.uid,
                gid: s.gid,
                mode: s.mode,
                optional: s.optional,
            }),
            ..pb::Mount::default()
        });
    }
    pb::Op {
        inputs,
        platform: Some(pb_platform(&spec.platform)),
        constraints: Some(pb::WorkerConstraints::default()),
        op: Some(pb::op::Op::Exec(pb::ExecOp {
            meta: Some(spec.meta),
            mounts: pb_mounts,
            network: spec.network,
            security: spec.security,
            secretenv,
        })),
    }
}

/// Owner of a file action (`ChownOpt`): each part by id (numbers, `root`) or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// Numeric id.
    Id(u32),
    /// Name resolved by the daemon in the destination's passwd/group files.
    Name(String),
}

/// `llb.WithUser(chown)`: splits `user[:group]`.
pub fn parse_chown(spec: &str) -> (Option<Owner>, Option<Owner>) {
    let parse = |v: &str| {
        if v == "root" {
            return Owner::Id(0);
        }
        match crate::gostd::strconv::parse_int(v, 10, 32) {
            Ok(n) => Owner::Id(n as u32),
            Err(_) => Owner::Name(v.to_string()),
        }
    };
    match spec.split_once(':') {
        Some((u, g)) => (Some(parse(u)), Some(parse(g))),
        None => (Some(parse(spec)), None),
    }
}

fn user_opt(o: &Option<Owner>, base: i64) -> Option<pb::UserOpt> {
    o.as_ref().map(|o| pb::UserOpt {
        user: Some(match o {
            Owner::Id(id) => pb::user_opt::User::ById(*id),
            Owner::Name(name) => pb::user_opt::User::ByName(pb::NamedUserOpt {
                name: name.clone(),
                input: base,
            }),
        }),
    })
}

/// A `ChownOpt` resolved against the action's base input.
pub fn chown_opt(owner: &(Option<Owner>, Option<Owner>), base: i64) -> pb::ChownOpt {
    pb::ChownOpt {
        user: user_opt(&owner.0, base),
        group: user_opt(&owner.1, base),
    }
}

/// The action kinds the Dockerfile frontend uses.
#[derive(Debug, Clone)]
pub enum Action {
    /// Copy from `source` (None = scratch).
    Copy {
        /// Source filesystem.
        source: Option<Output>,
        /// The copy (owner filled in by the chain).
        copy: pb::FileActionCopy,
        /// Owner spec, if any.
        owner: Option<(Option<Owner>, Option<Owner>)>,
    },
    /// Make a directory.
    Mkdir {
        /// The mkdir (owner filled in by the chain).
        mkdir: pb::FileActionMkDir,
        /// Owner spec, if any.
        owner: Option<(Option<Owner>, Option<Owner>)>,
    },
    /// Make a file.
    Mkfile(pb::FileActionMkFile),
}

/// A FileOp: a chain of actions all bound to the same base state (`None` = scratch).
pub fn file_op(base: &Option<Output>, actions: Vec<Action>) -> pb::Op {
    let mut inputs = Vec::new();
    struct Pending {
        input: Option<i64>,
        secondary: i64,
        action: pb::file_action::Action,
    }
    let mut pending = Vec::new();
    for (i, a) in actions.into_iter().enumerate() {
        let base_idx = input_index(&mut inputs, base);
        let input = (i == 0).then_some(base_idx);
        let (secondary, action) = match a {
            Action::Copy {
                source,
                mut copy,
                owner,
            } => {
                copy.owner = owner.map(|o| chown_opt(&o, base_idx));
                let idx = input_index(&mut inputs, &source);
                (idx, pb::file_action::Action::Copy(copy))
            }
            Action::Mkdir { mut mkdir, owner } => {
                mkdir.owner = owner.map(|o| chown_opt(&o, base_idx));
                (-1, pb::file_action::Action::Mkdir(mkdir))
            }
            Action::Mkfile(f) => (-1, pb::file_action::Action::Mkfile(f)),
        };
        pending.push(Pending {
            input,
            secondary,
            action,
        });
    }
    let n_inputs = inputs.len() as i64;
    let last = pending.len().saturating_sub(1);
    let actions = pending
        .into_iter()
        .enumerate()
        .map(|(i, p)| pb::FileAction {
            input: p.input.unwrap_or(n_inputs + i as i64 - 1),
            secondary_input: p.secondary,
            output: if i == last { 0 } else { -1 },
            action: Some(p.action),
        })
        .collect();
    pb::Op {
        inputs,
        platform: None,
        constraints: Some(pb::WorkerConstraints::default()),
        op: Some(pb::op::Op::File(pb::FileOp { actions })),
    }
}

/// A MergeOp of two or more non-scratch inputs.
pub fn merge_op(inputs: &[Output]) -> pb::Op {
    pb::Op {
        inputs: inputs.iter().map(Output::to_input).collect(),
        platform: None,
        constraints: Some(pb::WorkerConstraints::default()),
        op: Some(pb::op::Op::Merge(pb::MergeOp {
            inputs: (0..inputs.len() as i64)
                .map(|input| pb::MergeInput { input })
                .collect(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llb::Digest;

    fn out(s: &str, i: i64) -> Option<Output> {
        Some(Output::new(Digest::of(s.as_bytes()), i))
    }

    #[test]
    fn exec_mounts_are_sorted_with_outputs_and_deduplicated_inputs() {
        let spec = ExecSpec {
            root: out("root", 0),
            mounts: vec![
                MountSpec {
                    dest: "/src".into(),
                    source: out("ctx", 0),
                    readonly: true,
                    ..MountSpec::default()
                },
                MountSpec {
                    dest: "/cache".into(),
                    cache: Some(("/cache".into(), 0)),
                    ..MountSpec::default()
                },
                MountSpec {
                    dest: "/out".into(),
                    source: out("ctx", 0),
                    ..MountSpec::default()
                },
            ],
            secrets: vec![SecretSpec {
                id: "s".into(),
                target: Some("/run/secrets/s".into()),
                mode: 0o400,
                optional: true,
                ..SecretSpec::default()
            }],
            ..ExecSpec::default()
        };
        let op = exec_op(spec);
        assert_eq!(op.inputs.len(), 2);
        let Some(pb::op::Op::Exec(e)) = op.op else {
            panic!("not exec")
        };
        let dests: Vec<_> = e.mounts.iter().map(|m| m.dest.as_str()).collect();
        assert_eq!(dests, ["/", "/cache", "/out", "/src", "/run/secrets/s"]);
        let io: Vec<_> = e.mounts.iter().map(|m| (m.input, m.output)).collect();
        assert_eq!(io, [(0, 0), (-1, -1), (1, 1), (1, -1), (-1, 0)]);
    }

    #[test]
    fn file_chain_uses_relative_inputs() {
        let copy = || Action::Copy {
            source: out("ctx", 0),
            copy: pb::FileActionCopy::default(),
            owner: Some(parse_chown("app:1000")),
        };
        let op = file_op(&out("base", 0), vec![copy(), copy()]);
        assert_eq!(op.inputs.len(), 2);
        let Some(pb::op::Op::File(f)) = op.op else {
            panic!("not file")
        };
        let io: Vec<_> = f
            .actions
            .iter()
            .map(|a| (a.input, a.secondary_input, a.output))
            .collect();
        assert_eq!(io, [(0, 1, -1), (2, 1, 0)]);
        let Some(pb::file_action::Action::Copy(c)) = &f.actions[0].action else {
            panic!("not copy")
        };
        let owner = c.owner.clone().unwrap();
        assert_eq!(
            owner.user.unwrap().user,
            Some(pb::user_opt::User::ByName(pb::NamedUserOpt {
                name: "app".into(),
                input: 0
            }))
        );
        assert_eq!(
            owner.group.unwrap().user,
            Some(pb::user_opt::User::ById(1000))
        );
    }

    #[test]
    fn scratch_file_op_has_no_inputs() {
        let op = file_op(
            &None,
            vec![Action::Mkfile(pb::FileActionMkFile {
                path: "/f".into(),
                mode: 0o644,
                timestamp: -1,
                ..Default::default()
            })],
        );
        assert!(op.inputs.is_empty());
        assert!(op.platform.is_none());
    }
}
