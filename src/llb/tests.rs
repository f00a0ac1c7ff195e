//! Behaviour of the graph as a whole: determinism, layout, metadata, caps, source maps, JSON.

use std::collections::BTreeSet;

use proptest::prelude::*;
use prost::Message;

use super::*;

const IMAGE: &str = "docker-image://docker.io/library/busybox:latest";

fn linux_amd64() -> Option<pb::Platform> {
    Some(pb::Platform {
        architecture: "amd64".into(),
        os: "linux".into(),
        ..Default::default()
    })
}

fn image_op() -> pb::Op {
    pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: IMAGE.into(),
            attrs: Default::default(),
        })),
        platform: linux_amd64(),
        ..Default::default()
    }
}

fn exec_op(input: &Digest, args: &[&str]) -> pb::Op {
    pb::Op {
        inputs: vec![Output::new(input.clone(), 0).to_input()],
        op: Some(pb::op::Op::Exec(pb::ExecOp {
            meta: Some(pb::Meta {
                args: args.iter().map(|s| s.to_string()).collect(),
                cwd: "/".into(),
                remove_mount_stubs_recursive: true,
                ..Default::default()
            }),
            mounts: vec![pb::Mount {
                input: 0,
                dest: "/".into(),
                output: 0,
                ..Default::default()
            }],
            ..Default::default()
        })),
        platform: linux_amd64(),
        ..Default::default()
    }
}

fn mkfile_op(input: &Digest, path: &str) -> pb::Op {
    pb::Op {
        inputs: vec![Output::new(input.clone(), 0).to_input()],
        op: Some(pb::op::Op::File(pb::FileOp {
            actions: vec![pb::FileAction {
                input: 0,
                secondary_input: -1,
                output: 0,
                action: Some(pb::file_action::Action::Mkfile(pb::FileActionMkFile {
                    path: path.into(),
                    mode: 0o644,
                    data: b"hello\n".to_vec(),
                    owner: None,
                    timestamp: -1,
                })),
            }],
        })),
        ..Default::default()
    }
}

fn named(name: &str) -> OpMeta {
    OpMeta {
        custom_name: Some(name.into()),
        ..Default::default()
    }
}

/// image → RUN → mkfile; returns the graph, the three digests and the result.
fn sample() -> (Graph, [Digest; 3], Output) {
    let mut g = Graph::new(Caps::v0_13_defaults());
    let image = g.add(image_op(), named("[internal] load busybox")).unwrap();
    let run = g
        .add(
            exec_op(&image, &["/bin/sh", "-c", "true"]),
            OpMeta {
                locations: vec![LineRange::new(2, 3)],
                ..named("[2/3] RUN true")
            },
        )
        .unwrap();
    let file = g
        .add(
            mkfile_op(&run, "/a"),
            OpMeta {
                locations: vec![LineRange::new(4, 4)],
                ..named("[3/3] COPY a")
            },
        )
        .unwrap();
    let out = Output::new(file.clone(), 0);
    (g, [image, run, file], out)
}

fn dockerfile() -> SourceFile {
    SourceFile {
        filename: "Dockerfile".into(),
        data: b"FROM busybox\nRUN \\\n true\nCOPY a /a\n".to_vec(),
        language: "Dockerfile".into(),
        definition: None,
    }
}

#[test]
fn same_op_twice_gives_same_bytes_and_one_node() {
    assert_eq!(encode_op(&image_op()), encode_op(&image_op()));
    let mut g = Graph::new(Caps::v0_13_defaults());
    let a = g.add(image_op(), OpMeta::default()).unwrap();
    let b = g.add(image_op(), OpMeta::default()).unwrap();
    assert_eq!(a, b);
    assert_eq!(g.len(), 1);
}

#[test]
fn definition_built_twice_is_byte_identical() {
    let build = || {
        let (g, _, out) = sample();
        let def = g.definition(Some(&out), Some(&dockerfile())).unwrap();
        (encode_definition(&def), def.encode_to_vec())
    };
    let first = build();
    for _ in 0..5 {
        assert_eq!(build(), first);
    }
}

#[test]
fn add_sets_empty_constraints_written_before_the_op_body() {
    let (g, [image, ..], out) = sample();
    let def = g.definition(Some(&out), None).unwrap();
    let first = &def.def[0];
    assert_eq!(Digest::of(first), image);
    // platform (0x52 ...), then empty constraints (5a 00), then the source body (0x1a ...).
    let at = first.windows(3).position(|w| w == [0x5a, 0x00, 0x1a]);
    assert!(at.is_some(), "{first:02x?}");
}

#[test]
fn definition_is_post_order_with_terminal_last() {
    let (mut g, [image, run, file], out) = sample();
    let unreachable = g
        .add(mkfile_op(&image, "/other"), OpMeta::default())
        .unwrap();
    let def = g.definition(Some(&out), None).unwrap();
    let digests: Vec<Digest> = def.def.iter().map(|b| Digest::of(b)).collect();
    assert_eq!(digests[..3], [image, run, file.clone()]);
    assert!(!digests.contains(&unreachable));
    let terminal = pb::Op::decode(def.def[3].as_slice()).unwrap();
    assert_eq!(
        terminal,
        pb::Op {
            inputs: vec![out.to_input()],
            ..Default::default()
        }
    );
    assert_eq!(def.def.len(), 4);
    assert_eq!(def.metadata.len(), 4);
}

#[test]
fn diamond_graph_lists_each_op_once_inputs_first() {
    let mut g = Graph::new(Caps::v0_13_defaults());
    let a = g.add(image_op(), OpMeta::default()).unwrap();
    let b = g.add(exec_op(&a, &["b"]), OpMeta::default()).unwrap();
    let c = g.add(exec_op(&a, &["c"]), OpMeta::default()).unwrap();
    let merge = pb::Op {
        inputs: vec![
            Output::new(b.clone(), 0).to_input(),
            Output::new(c.clone(), 0).to_input(),
        ],
        op: Some(pb::op::Op::Merge(pb::MergeOp {
            inputs: vec![pb::MergeInput { input: 0 }, pb::MergeInput { input: 1 }],
        })),
        ..Default::default()
    };
    let d = g.add(merge, OpMeta::default()).unwrap();
    let def = g
        .definition(Some(&Output::new(d.clone(), 0)), None)
        .unwrap();
    let digests: Vec<Digest> = def.def.iter().map(|b| Digest::of(b)).collect();
    assert_eq!(digests[..4], [a, b, c, d]);
    assert_eq!(digests.len(), 5);
}

#[test]
fn metadata_carries_names_caps_and_terminal_caps() {
    let (mut g, [image, run, _], out) = sample();
    g.add(
        exec_op(&image, &["/bin/sh", "-c", "true"]),
        OpMeta {
            ignore_cache: true,
            progress_group: Some(("g1".into(), "group".into())),
            description: [(
                "com.docker.dockerfile.v1.command".to_string(),
                "RUN true".to_string(),
            )]
            .into(),
            ..Default::default()
        },
    )
    .unwrap();
    let def = g.definition(Some(&out), None).unwrap();
    let run_meta = &def.metadata[run.as_str()];
    assert_eq!(run_meta.description[CUSTOM_NAME_KEY], "[2/3] RUN true");
    assert_eq!(
        run_meta.description["com.docker.dockerfile.v1.command"],
        "RUN true"
    );
    assert!(run_meta.ignore_cache);
    assert_eq!(
        run_meta.progress_group.as_ref().map(|p| p.id.as_str()),
        Some("g1")
    );
    let run_caps: BTreeSet<&str> = run_meta.caps.keys().map(String::as_str).collect();
    assert!(run_caps.contains("exec.meta.base") && run_caps.contains("exec.mount.bind"));
    let image_caps: Vec<&str> = def.metadata[image.as_str()]
        .caps
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(image_caps, ["source.image"]);
    let terminal = Digest::of(def.def.last().unwrap());
    let term_caps: Vec<&str> = def.metadata[terminal.as_str()]
        .caps
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        term_caps,
        [
            "constraints",
            "meta.description",
            "meta.ignorecache",
            "platform"
        ]
    );
}

#[test]
fn definitions_recording_caps_the_daemon_lacks_fail_with_buildkits_message() {
    let caps = Caps::from_enabled(
        [
            "source.image",
            "exec.meta.base",
            "exec.mount.bind",
            "file.base",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let mut g = Graph::new(caps.clone());
    let image = g.add(image_op(), OpMeta::default()).unwrap();
    let mut run = exec_op(&image, &["true"]);
    if let Some(pb::op::Op::Exec(exec)) = &mut run.op {
        exec.mounts.push(pb::Mount {
            input: -1,
            dest: "/root/.cache".into(),
            output: -1,
            mount_type: pb::MountType::Cache as i32,
            cache_opt: Some(pb::CacheOpt {
                id: "go".into(),
                sharing: 0,
            }),
            ..Default::default()
        });
    }
    let run = g.add(run, OpMeta::default()).unwrap();
    let def = g.definition(Some(&Output::new(run, 0)), None).unwrap();
    let err = check_definition_caps(&def, &caps, "docker").unwrap_err();
    assert_eq!(
        err.to_string(),
        "requested experimental feature exec.mount.cache  is not supported by build server, \
         please update docker"
    );
    assert!(check_definition_caps(&def, &Caps::v0_13_defaults(), "docker").is_ok());

    let meta = OpMeta {
        caps: ["source.git.checksum".to_string()].into(),
        ..Default::default()
    };
    let file = g.add(mkfile_op(&image, "/a"), meta).unwrap();
    let def = g.definition(Some(&Output::new(file, 0)), None).unwrap();
    assert!(check_definition_caps(&def, &Caps::v0_25_defaults(), "docker").is_ok());
    let err = check_definition_caps(&def, &Caps::v0_13_defaults(), "buildkit").unwrap_err();
    assert_eq!(
        err.to_string(),
        "requested experimental feature source.git.checksum  is not supported by build server, \
         please update buildkit"
    );
    let no_file = Caps::from_enabled(
        [
            "source.image",
            "source.git.checksum",
            "constraints",
            "platform",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let err = check_definition_caps(&def, &no_file, "docker").unwrap_err();
    assert!(
        err.to_string().ends_with(
            "is not supported by build server (added in Docker v19.03), please update docker"
        ),
        "{err}"
    );
}

#[test]
fn add_refuses_unknown_inputs_and_empty_ops() {
    let mut g = Graph::new(Caps::v0_13_defaults());
    let missing = Digest::of(b"nothing");
    assert_eq!(
        g.add(mkfile_op(&missing, "/a"), OpMeta::default()),
        Err(LlbError::UnknownInput {
            digest: missing.to_string()
        })
    );
    assert_eq!(
        g.add(pb::Op::default(), OpMeta::default()),
        Err(LlbError::EmptyOp)
    );
    let mut bad = mkfile_op(&missing, "/a");
    bad.inputs[0].digest = "not-a-digest".into();
    assert!(matches!(
        g.add(bad, OpMeta::default()),
        Err(LlbError::InvalidDigest(_))
    ));
    assert!(g.definition(Some(&Output::new(missing, 0)), None).is_err());
}

#[test]
fn scratch_result_gives_an_empty_definition() {
    let (g, _, _) = sample();
    assert_eq!(g.definition(None, None).unwrap(), pb::Definition::default());
}

#[test]
fn source_map_has_the_dockerfile_and_one_based_line_ranges() {
    let (g, [image, run, file], out) = sample();
    let def = g.definition(Some(&out), Some(&dockerfile())).unwrap();
    let source = def.source.unwrap();
    assert_eq!(source.infos.len(), 1);
    assert_eq!(source.infos[0].filename, "Dockerfile");
    assert_eq!(source.infos[0].language, "Dockerfile");
    assert_eq!(source.infos[0].data, dockerfile().data);
    assert!(!source.locations.contains_key(image.as_str()));
    let range = |start, end| pb::Range {
        start: Some(pb::Position {
            line: start,
            character: 0,
        }),
        end: Some(pb::Position {
            line: end,
            character: 0,
        }),
    };
    assert_eq!(
        source.locations[run.as_str()].locations,
        // BuildKit's parser.toRanges: one range per physical line of the instruction.
        vec![pb::Location {
            source_index: 0,
            ranges: vec![range(2, 2), range(3, 3)]
        }]
    );
    assert_eq!(
        source.locations[file.as_str()].locations[0].ranges,
        vec![range(4, 4)]
    );
}

#[test]
fn source_map_is_empty_without_a_source_file_and_keeps_one_location_per_add() {
    let (mut g, [image, ..], out) = sample();
    let def = g.definition(Some(&out), None).unwrap();
    assert_eq!(def.source, Some(pb::Source::default()));
    let meta = |line| OpMeta {
        locations: vec![LineRange::new(line, line)],
        ..Default::default()
    };
    let a = g.add(mkfile_op(&image, "/x"), meta(7)).unwrap();
    g.add(mkfile_op(&image, "/x"), meta(9)).unwrap();
    let def = g
        .definition(Some(&Output::new(a.clone(), 0)), Some(&dockerfile()))
        .unwrap();
    let locs = &def.source.unwrap().locations[a.as_str()].locations;
    assert_eq!(locs.len(), 2);
}

#[test]
fn go_compatible_definition_bytes_decode_back_to_the_same_definition() {
    let (g, _, out) = sample();
    let def = g.definition(Some(&out), Some(&dockerfile())).unwrap();
    let bytes = encode_definition(&def);
    assert_eq!(pb::Definition::decode(bytes.as_slice()).unwrap(), def);
}

#[test]
fn vertices_exclude_the_terminal_and_carry_names() {
    let (g, [image, run, file], out) = sample();
    let def = g.definition(Some(&out), None).unwrap();
    let vertices = definition_vertices(&def).unwrap();
    let got: Vec<(Digest, Option<String>)> = vertices
        .iter()
        .map(|v| (v.digest.clone(), v.name.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (image, Some("[internal] load busybox".into())),
            (run, Some("[2/3] RUN true".into())),
            (file, Some("[3/3] COPY a".into())),
        ]
    );
    assert_eq!(vertices[0].op.platform, linux_amd64());
}

#[test]
fn json_dump_is_stable_keyed_by_digest_in_definition_order() {
    let (g, [image, run, file], out) = sample();
    let def = g.definition(Some(&out), Some(&dockerfile())).unwrap();
    let json = definition_to_json(&def);
    assert_eq!(json.to_string(), definition_to_json(&def).to_string());
    let ops = json["ops"].as_object().unwrap();
    let keys: Vec<&str> = ops.keys().map(String::as_str).collect();
    assert_eq!(keys[..3], [image.as_str(), run.as_str(), file.as_str()]);
    assert_eq!(keys.len(), 4);
    assert_eq!(ops[image.as_str()]["op"]["source"]["identifier"], IMAGE);
    assert_eq!(
        ops[image.as_str()]["op"]["constraints"],
        serde_json::json!({})
    );
    assert_eq!(
        ops[run.as_str()]["metadata"]["description"][CUSTOM_NAME_KEY],
        "[2/3] RUN true"
    );
    assert_eq!(
        ops[run.as_str()]["locations"][0]["ranges"][0]["start"]["line"],
        2
    );
    let action = &ops[file.as_str()]["op"]["file"]["actions"][0];
    assert_eq!(action["mkfile"]["data"], "hello\n");
    assert_eq!(action["mkfile"]["mode"], "0644");
    assert_eq!(action["secondaryInput"], -1);
    assert_eq!(json["sources"][0]["filename"], "Dockerfile");
}

#[test]
fn json_dump_reports_undecodable_ops_instead_of_failing() {
    let def = pb::Definition {
        def: vec![vec![0xff, 0xff]],
        ..Default::default()
    };
    let json = definition_to_json(&def);
    let key = Digest::of(&[0xff, 0xff]).to_string();
    assert!(json["ops"][key.as_str()]["error"].is_string());
    assert!(definition_vertices(&pb::Definition {
        def: vec![vec![0xff, 0xff], vec![]],
        ..Default::default()
    })
    .is_err());
}

fn attrs_strategy() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[a-z.]{0,6}", "[ -~]{0,6}"), 0..5)
}

proptest! {
    #[test]
    fn source_ops_round_trip_and_match_prost_when_no_entry_is_empty(
        identifier in "[a-z:/.]{0,20}",
        attrs in attrs_strategy(),
    ) {
        let op = pb::Op {
            op: Some(pb::op::Op::Source(pb::SourceOp {
                identifier,
                attrs: attrs.into_iter().collect(),
            })),
            constraints: Some(pb::WorkerConstraints::default()),
            ..Default::default()
        };
        let ours = encode_op(&op);
        prop_assert_eq!(pb::Op::decode(ours.as_slice()).ok(), Some(op.clone()));
        let any_empty = match &op.op {
            Some(pb::op::Op::Source(s)) => s.attrs.iter().any(|(k, v)| k.is_empty() || v.is_empty()),
            _ => false,
        };
        if !any_empty {
            // prost's bytes with the oneof body moved last, as protobuf-go writes it.
            let mut head = op.clone();
            head.op = None;
            let mut want = head.encode_to_vec();
            if let Some(body) = &op.op {
                body.encode(&mut want);
            }
            prop_assert_eq!(ours, want);
        }
    }
}

/// Vertex digests Docker 28.5.2 (BuildKit v0.25.2, built-in Dockerfile 1.19.0) reported with
/// `docker buildx build --progress=rawjson --platform linux/amd64` for Dockerfiles made of
/// `FROM busybox:1.35` (the offline test bed's, `sha256:276f19da…`) and the lines named below.
/// Since v0.18 the daemon re-marshals every op with protobuf-go and reports the digest of those
/// bytes, so equal digests mean our bytes are Go's. (The digests Docker 26.1 reported were those
/// of gogoproto's bytes, which put the op body before `platform`/`constraints`; see `encode`.)
#[test]
fn digests_equal_those_buildkit_v0_25_reported_for_the_same_ops() {
    let image = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: "docker-image://docker.io/library/busybox:1.35@sha256:\
                         276f19da692558230143e7e54505b90143a87e95b12928488da822dc06afc7ef"
                .into(),
            attrs: [("image.resolvemode".to_string(), "local".to_string())].into(),
        })),
        platform: linux_amd64(),
        ..Default::default()
    };
    let mut g = Graph::new(Caps::v0_13_defaults());
    let image = g.add(image, OpMeta::default()).unwrap();
    assert_eq!(
        image.as_str(),
        "sha256:6f6e6b96a25fb49c14e6b4df7f331da23e49f454651222b5f432c2c837c424e2"
    );

    let mut run = exec_op(&image, &["/bin/sh", "-c", "echo hi > /x"]);
    if let Some(pb::op::Op::Exec(exec)) = &mut run.op {
        exec.meta.get_or_insert_with(Default::default).env =
            vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()];
    }
    assert_eq!(
        g.add(run, OpMeta::default()).unwrap().as_str(),
        "sha256:0a5a5ba95d9f50e9f492cb1dc9493ed75d0a71b03b7f991c7af2f8d2e1a8b3dd"
    );

    let mkdir = pb::Op {
        inputs: vec![Output::new(image.clone(), 0).to_input()],
        op: Some(pb::op::Op::File(pb::FileOp {
            actions: vec![pb::FileAction {
                input: 0,
                secondary_input: -1,
                output: 0,
                action: Some(pb::file_action::Action::Mkdir(pb::FileActionMkDir {
                    path: "/app".into(),
                    mode: 0o755,
                    make_parents: true,
                    owner: None,
                    timestamp: -1,
                })),
            }],
        })),
        ..Default::default()
    };
    assert_eq!(
        g.add(mkdir, OpMeta::default()).unwrap().as_str(),
        "sha256:d4e65ac7ade88863c636197214a50d4d5575b5967cb2614630ed99a47b0feea6"
    );

    // `RUN --mount=type=cache,target=/c true` then
    // `RUN --mount=type=secret,id=s,mode=0440 --network=none true`: the cache id defaults to
    // "<namespace>/<target>" = "//c"; a secret mount has input -1 (since v0.16) and is optional.
    let path_env = vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()];
    let run_with = |input: &Digest, mount: pb::Mount, network: pb::NetMode| {
        let mut run = exec_op(input, &["/bin/sh", "-c", "true"]);
        if let Some(pb::op::Op::Exec(exec)) = &mut run.op {
            exec.meta.get_or_insert_with(Default::default).env = path_env.clone();
            exec.mounts.push(mount);
            exec.network = network as i32;
        }
        run
    };
    let cache = pb::Mount {
        input: -1,
        dest: "/c".into(),
        output: -1,
        mount_type: pb::MountType::Cache as i32,
        cache_opt: Some(pb::CacheOpt {
            id: "//c".into(),
            sharing: pb::CacheSharingOpt::Shared as i32,
        }),
        ..Default::default()
    };
    let cached = g
        .add(
            run_with(&image, cache, pb::NetMode::Unset),
            OpMeta::default(),
        )
        .unwrap();
    assert_eq!(
        cached.as_str(),
        "sha256:aca1e57116ed0a2c671c1728d9ae2575354d218dc791d9a0f30e45517ee1a20d"
    );
    let secret = pb::Mount {
        input: -1,
        dest: "/run/secrets/s".into(),
        mount_type: pb::MountType::Secret as i32,
        secret_opt: Some(pb::SecretOpt {
            id: "s".into(),
            uid: 0,
            gid: 0,
            mode: 0o440,
            optional: true,
        }),
        ..Default::default()
    };
    assert_eq!(
        g.add(
            run_with(&cached, secret, pb::NetMode::None),
            OpMeta::default()
        )
        .unwrap()
        .as_str(),
        "sha256:705a438262b2b5db8e94186baf15d88577dbb07da49312720ecf72d902c25d99"
    );
}

#[test]
fn add_clears_platform_where_go_does_and_keeps_it_on_images_and_execs() {
    let mut g = Graph::new(Caps::v0_13_defaults());
    let local = |platform| pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: "local://context".into(),
            attrs: [("local.session".to_string(), "s".to_string())].into(),
        })),
        platform,
        ..Default::default()
    };
    let with = g.add(local(linux_amd64()), OpMeta::default()).unwrap();
    let without = g.add(local(None), OpMeta::default()).unwrap();
    assert_eq!(with, without);
    let mut file = mkfile_op(&with, "/a");
    file.platform = linux_amd64();
    let file_with = g.add(file, OpMeta::default()).unwrap();
    assert_eq!(
        file_with,
        g.add(mkfile_op(&with, "/a"), OpMeta::default()).unwrap()
    );

    let image = g.add(image_op(), OpMeta::default()).unwrap();
    let def = g.definition(Some(&Output::new(image, 0)), None).unwrap();
    let ops = definition_vertices(&def).unwrap();
    assert_eq!(ops[0].op.platform, linux_amd64());
}
