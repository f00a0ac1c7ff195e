//! Typed-instruction tests: every instruction, flag validation and BuildKit's error texts, plus
//! the `--mount`, `--network` and `--security` value parsers.

use super::mounts::ram_in_bytes;
use super::*;
use crate::dockerfile::ast::Span;
use crate::dockerfile::parse;
use crate::options::NetworkMode;

fn stage_commands(src: &str) -> Vec<Instruction> {
    let df = parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
    df.stages
        .into_iter()
        .flat_map(|s| s.commands.into_iter().map(|c| c.instruction))
        .collect()
}

fn one(src: &str) -> Instruction {
    let mut cmds = stage_commands(&format!("FROM scratch\n{src}\n"));
    assert_eq!(cmds.len(), 1, "{src:?}");
    cmds.remove(0)
}

fn err(src: &str) -> (String, usize) {
    let e = parse(src).expect_err(src);
    (e.message, e.span.map_or(0, |s| s.start))
}

fn s(v: &str) -> String {
    v.to_string()
}

#[test]
fn run_shell_form_keeps_buildkit_joined_text() {
    assert_eq!(
        one("RUN apt-get update && \\\n    apt-get install -y curl"),
        Instruction::Run(Run {
            command: CommandLine::Shell(s("apt-get update &&     apt-get install -y curl")),
            heredocs: vec![],
            mounts: vec![],
            network: None,
            security: None,
            devices: Vec::new(),
        })
    );
}

#[test]
fn run_flags_are_collected_raw() {
    let Instruction::Run(run) = one(
        "RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=tok --network=none [\"go\", \"build\"]",
    ) else {
        panic!()
    };
    assert_eq!(
        run.mounts,
        vec![s("type=cache,target=/root/.cache"), s("type=secret,id=tok")]
    );
    assert_eq!(run.network.as_deref(), Some("none"));
    assert_eq!(run.security, None);
    assert_eq!(run.command, CommandLine::Exec(vec![s("go"), s("build")]));
}

#[test]
fn invalid_json_falls_back_to_shell_form() {
    assert_eq!(
        one("CMD [\"a\",]"),
        Instruction::Cmd(CommandLine::Shell(s("[\"a\",]")))
    );
    assert_eq!(
        one("ENTRYPOINT ['x']"),
        Instruction::Entrypoint(CommandLine::Shell(s("['x']")))
    );
    assert_eq!(
        one("ENTRYPOINT []"),
        Instruction::Entrypoint(CommandLine::Exec(vec![]))
    );
    assert_eq!(one("CMD"), Instruction::Cmd(CommandLine::Shell(s(""))));
}

#[test]
fn run_heredocs_are_attached_and_chomped() {
    let Instruction::Run(run) = one("RUN <<-EOF 3<<'RAW'\n\techo $A\n\tEOF\n$B\nRAW") else {
        panic!()
    };
    assert_eq!(run.command, CommandLine::Shell(s("<<-EOF 3<<'RAW'")));
    assert_eq!(
        run.heredocs,
        vec![
            Heredoc {
                name: s("EOF"),
                content: s("echo $A\n"),
                raw: s("\techo $A\n"),
                expand: true,
                file_descriptor: None
            },
            Heredoc {
                name: s("RAW"),
                content: s("$B\n"),
                raw: s("$B\n"),
                expand: false,
                file_descriptor: Some(3)
            },
        ]
    );
}

#[test]
fn copy_heredoc_sources_are_separated_from_paths() {
    let Instruction::Copy(copy) =
        one("COPY a <<x.conf <<-\"y.conf\" b /etc/\nX\nx.conf\n\tY\n\ty.conf")
    else {
        panic!()
    };
    assert_eq!(copy.sources, vec![s("a"), s("b")]);
    assert_eq!(copy.dest, "/etc/");
    assert_eq!(copy.heredocs.len(), 2);
    assert_eq!(
        (
            copy.heredocs[0].name.as_str(),
            copy.heredocs[0].content.as_str()
        ),
        ("x.conf", "X\n")
    );
    assert!(copy.heredocs[0].expand);
    assert_eq!(
        (
            copy.heredocs[1].name.as_str(),
            copy.heredocs[1].content.as_str()
        ),
        ("y.conf", "Y\n")
    );
    assert!(!copy.heredocs[1].expand);
}

#[test]
fn copy_flags() {
    let Instruction::Copy(copy) =
        one("COPY --from=build --chown=1000:1000 --chmod=755 --link /a /b")
    else {
        panic!()
    };
    assert_eq!(copy.from.as_deref(), Some("build"));
    assert_eq!(copy.chown.as_deref(), Some("1000:1000"));
    assert_eq!(copy.chmod.as_deref(), Some("755"));
    assert!(copy.link && !copy.parents);
    assert!(copy.excludes.is_empty());
    let Instruction::Copy(copy) = one("COPY --link=false [\"a b\", \"/dst dir/\"]") else {
        panic!()
    };
    assert!(!copy.link && copy.json_form);
    assert_eq!((copy.sources, copy.dest), (vec![s("a b")], s("/dst dir/")));
}

#[test]
fn add_flags() {
    let Instruction::Add(add) = one(
        "ADD --checksum=sha256:abc --keep-git-dir=true --chown=a --chmod=600 --link https://x/y.tgz /z",
    ) else {
        panic!()
    };
    assert_eq!(add.checksum.as_deref(), Some("sha256:abc"));
    assert!(add.keep_git_dir == Some(true) && add.link);
    assert_eq!(add.unpack, None);
    assert_eq!(add.sources, vec![s("https://x/y.tgz")]);
}

#[test]
fn env_label_arg_pairs() {
    assert_eq!(
        one("ENV A=1 B=\"two words\" C=x\\ y"),
        Instruction::Env(vec![
            KeyValue {
                key: s("A"),
                value: s("1")
            },
            KeyValue {
                key: s("B"),
                value: s("\"two words\"")
            },
            KeyValue {
                key: s("C"),
                value: s("x\\ y")
            },
        ])
    );
    assert_eq!(
        one("ENV LEGACY value with  spaces"),
        Instruction::Env(vec![KeyValue {
            key: s("LEGACY"),
            value: s("value with  spaces")
        }])
    );
    assert_eq!(
        one("LABEL \"com.example\"=\"v\" b=c"),
        Instruction::Label(vec![
            KeyValue {
                key: s("\"com.example\""),
                value: s("\"v\"")
            },
            KeyValue {
                key: s("b"),
                value: s("c")
            },
        ])
    );
    assert_eq!(
        one("ARG A B=2 C="),
        Instruction::Arg(vec![
            ArgDecl {
                key: s("A"),
                value: None
            },
            ArgDecl {
                key: s("B"),
                value: Some(s("2"))
            },
            ArgDecl {
                key: s("C"),
                value: Some(s(""))
            },
        ])
    );
}

#[test]
fn simple_instructions() {
    assert_eq!(
        one("EXPOSE 8080 80/tcp 443"),
        Instruction::Expose(vec![s("443"), s("80/tcp"), s("8080")])
    );
    assert_eq!(
        one("VOLUME /a /b"),
        Instruction::Volume(vec![s("/a"), s("/b")])
    );
    assert_eq!(one("VOLUME [\"/c\"]"), Instruction::Volume(vec![s("/c")]));
    assert_eq!(one("USER app:app"), Instruction::User(s("app:app")));
    assert_eq!(one("WORKDIR /src dir"), Instruction::Workdir(s("/src dir")));
    assert_eq!(
        one("STOPSIGNAL SIGKILL"),
        Instruction::StopSignal(s("SIGKILL"))
    );
    assert_eq!(
        one("MAINTAINER me <me@x>"),
        Instruction::Maintainer(s("me <me@x>"))
    );
    assert_eq!(
        one("SHELL [\"bash\", \"-c\"]"),
        Instruction::Shell(vec![s("bash"), s("-c")])
    );
    assert_eq!(
        one("onbuild run echo hi  "),
        Instruction::OnBuild(s("run echo hi  "))
    );
    assert_eq!(
        one("ONBUILD RUN <<EOF\nx\nEOF"),
        Instruction::OnBuild(s("RUN <<EOF\nx\nEOF"))
    );
}

#[test]
fn healthcheck_forms() {
    assert_eq!(
        one("HEALTHCHECK none"),
        Instruction::Healthcheck(Healthcheck::None)
    );
    assert_eq!(
        one("HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=0s --start-interval=2s --retries=3 CMD curl -f x"),
        Instruction::Healthcheck(Healthcheck::Check {
            command: CommandLine::Shell(s("curl -f x")),
            interval: Some(Duration::from_secs(90)),
            timeout: Some(Duration::from_millis(500)),
            start_period: None,
            start_interval: Some(Duration::from_secs(2)),
            retries: Some(3),
        })
    );
    assert_eq!(
        one("HEALTHCHECK CMD [\"a\"]"),
        Instruction::Healthcheck(Healthcheck::Check {
            command: CommandLine::Exec(vec![s("a")]),
            interval: None,
            timeout: None,
            start_period: None,
            start_interval: None,
            retries: None,
        })
    );
}

#[test]
fn stages_names_platforms_and_meta_args() {
    let df = parse("ARG V=1\n# build the thing\nFROM --platform=$BUILDPLATFORM golang:${V} AS Build\nRUN x\nfrom build as final\n").unwrap();
    assert_eq!(df.meta_args.len(), 1);
    assert_eq!(df.stages.len(), 2);
    let st = &df.stages[0];
    assert_eq!(st.name.as_deref(), Some("build"));
    assert_eq!(st.base_name, "golang:${V}");
    assert_eq!(st.platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(st.comment.as_deref(), Some("the thing"));
    assert_eq!(st.span, Span { start: 3, end: 3 });
    assert_eq!(
        st.original,
        "FROM --platform=$BUILDPLATFORM golang:${V} AS Build"
    );
    assert_eq!(st.commands.len(), 1);
    assert_eq!(df.stages[1].name.as_deref(), Some("final"));
    assert_eq!(df.stages[1].base_name, "build");
}

#[test]
fn command_spans_include_continuations_and_heredoc_bodies() {
    let df = parse("FROM x\nRUN a \\\n  b\nCOPY <<EOF /f\nbody\nEOF\nCMD c\n").unwrap();
    let spans: Vec<(usize, usize)> = df.stages[0]
        .commands
        .iter()
        .map(|c| (c.span.start, c.span.end))
        .collect();
    assert_eq!(spans, vec![(2, 3), (4, 6), (7, 7)]);
    assert_eq!(df.stages[0].commands[0].original, "RUN a   b");
}

#[test]
fn errors_carry_buildkit_text_and_line() {
    let cases: &[(&str, &str, usize)] = &[
        ("FROM x\nRUNN echo", "unknown instruction: RUNN (did you mean RUN?)", 2),
        ("FROM x\nrunn echo", "unknown instruction: runn (did you mean run?)", 2),
        ("FROM x\nFOO bar", "unknown instruction: FOO (did you mean FROM?)", 2),
        ("FROM x\nXYZZY bar", "unknown instruction: XYZZY", 2),
        ("RUN x", "no build stage in current context", 1),
        ("FROM", "FROM requires either one or three arguments", 1),
        ("FROM a b", "FROM requires either one or three arguments", 1),
        ("FROM a AS 1x", "invalid name for build stage: \"1x\", name can't start with a number or contain symbols", 1),
        ("FROM --platfrm=x a", "unknown flag: --platfrm (did you mean platform?)", 1),
        ("FROM --plat=x a", "unknown flag: --plat", 1),
        ("FROM x\nRUN --foo echo", "unknown flag: --foo", 2),
        ("FROM x\nRUN --mout=a echo", "unknown flag: --mout (did you mean mount?)", 2),
        ("FROM x\nRUN --network echo", "missing a value on flag: --network", 2),
        ("FROM x\nRUN --network=bridge echo", "invalid network mode \"bridge\"", 2),
        ("FROM x\nRUN --security=root echo", "security \"root\" is not valid", 2),
        ("FROM x\nRUN --device=a,b echo", "invalid field 'b' must be a key=value pair", 2),
        ("FROM x\nCOPY --checksum=a a b", "unknown flag: --checksum", 2),
        ("FROM x\nADD --parents a b", "unknown flag: --parents", 2),
        ("FROM x\nRUN --mount=from=$X,target=/a echo", "'from' doesn't support variable expansion, define alias stage instead", 2),
        ("FROM x\nRUN --mount=a\\\"b echo", "failed to parse csv mounts: parse error on line 1, column 2: bare \" in non-quoted-field", 2),
        ("FROM x\nCOPY --link=maybe a b", "expecting boolean value for flag --link, not: maybe", 2),
        ("FROM x\nCOPY --link= a b", "missing a value on flag: --link", 2),
        ("FROM x\nCOPY --from=a --from=b a b", "duplicate flag specified: --from", 2),
        ("FROM x\nCOPY a", "COPY requires at least two arguments, but only one was provided. Destination could not be determined", 2),
        ("FROM x\nADD a", "ADD requires at least two arguments, but only one was provided. Destination could not be determined", 2),
        ("FROM x\nCOPY a <<EOF\nx\nEOF", "COPY cannot accept a heredoc as a destination", 2),
        ("FROM x\nCOPY --keep-git-dir a b", "unknown flag: --keep-git-dir", 2),
        ("FROM x\nENV", "ENV requires at least one argument", 2),
        ("FROM x\nENV A", "ENV must have two arguments", 2),
        ("FROM x\nENV A=1 B", "Syntax error - can't find = in \"B\". Must be of the form: name=value", 2),
        ("FROM x\nENV =1", "ENV names can not be blank", 2),
        ("FROM x\nENV --x=1 A=1", "unknown flag: --x", 2),
        ("FROM x\nLABEL", "LABEL requires at least one argument", 2),
        ("FROM x\nARG", "ARG requires at least one argument", 2),
        ("FROM x\nARG =a", "ARG names can not be blank", 2),
        ("FROM x\nUSER", "USER requires exactly one argument", 2),
        ("FROM x\nWORKDIR", "WORKDIR requires exactly one argument", 2),
        ("FROM x\nSTOPSIGNAL", "STOPSIGNAL requires exactly one argument", 2),
        ("FROM x\nMAINTAINER", "MAINTAINER requires exactly one argument", 2),
        ("FROM x\nEXPOSE", "EXPOSE requires at least one argument", 2),
        ("FROM x\nVOLUME", "VOLUME requires at least one argument", 2),
        ("FROM x\nVOLUME [\"\"]", "VOLUME specified can not be an empty string", 2),
        ("FROM x\nSHELL /bin/sh -c", "SHELL requires the arguments to be in JSON form", 2),
        ("FROM x\nSHELL []", "SHELL requires at least one argument", 2),
        ("FROM x\nRUN [1]", "when using JSON array syntax, arrays must be comprised of strings only", 2),
        ("FROM x\nONBUILD", "ONBUILD requires at least one argument", 2),
        ("FROM x\nONBUILD ONBUILD RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", 2),
        ("FROM x\nONBUILD from y", "FROM isn't allowed as an ONBUILD trigger", 2),
        ("FROM x\nONBUILD MAINTAINER y", "MAINTAINER isn't allowed as an ONBUILD trigger", 2),
        ("FROM x\nHEALTHCHECK", "HEALTHCHECK requires at least one argument", 2),
        ("FROM x\nHEALTHCHECK NONE x", "HEALTHCHECK NONE takes no arguments", 2),
        ("FROM x\nHEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD", 2),
        ("FROM x\nHEALTHCHECK FOO x", "Unknown type \"FOO\" in HEALTHCHECK (try CMD)", 2),
        ("FROM x\nHEALTHCHECK --interval=1us CMD x", "Interval \"interval\" cannot be less than 1ms", 2),
        ("FROM x\nHEALTHCHECK --timeout=5 CMD x", "time: missing unit in duration \"5\"", 2),
        ("FROM x\nHEALTHCHECK --timeout=5x CMD x", "time: unknown unit \"x\" in duration \"5x\"", 2),
        ("FROM x\nHEALTHCHECK --retries=-1 CMD x", "--retries cannot be negative (-1)", 2),
        ("FROM x\nHEALTHCHECK --retries=x CMD x", "strconv.ParseInt: parsing \"x\": invalid syntax", 2),
        ("FROM x\nHEALTHCHECK --foo=1 CMD x", "unknown flag: --foo", 2),
        ("FROM x\nHEALTHCHECK --retries=3000000000 CMD x", "strconv.ParseInt: parsing \"3000000000\": value out of range", 2),
        ("FROM x\nRUN <<EOF\nnever ends", "unterminated heredoc", 2),
        ("# escape=`\n# escape=`\nFROM x", "only one escape parser directive can be used", 2),
        ("# escape=x\nFROM x", "invalid escape token 'x' does not match ` or \\", 1),
        ("# just a comment\n\n", "file with no instructions", 2),
        ("", "the Dockerfile cannot be empty", 0),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(src, msg, line)| {
            let got = err(src);
            (got != (s(msg), *line))
                .then(|| format!("{src:?}: got {got:?}, want ({msg:?}, {line})"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn parse_error_display_names_the_line() {
    let e = parse("FROM x\n\nRUNN a").unwrap_err();
    assert_eq!(
        e.to_string(),
        "dockerfile parse error on line 3: unknown instruction: RUNN (did you mean RUN?)"
    );
}

#[test]
fn ignored_flags_follow_buildkit() {
    // ARG and STOPSIGNAL never validate flags; HEALTHCHECK NONE does not either.
    assert!(parse("FROM x\nARG --whatever A").is_ok());
    assert!(parse("FROM x\nSTOPSIGNAL --x SIGTERM").is_ok());
    assert!(parse("FROM x\nHEALTHCHECK --bogus NONE").is_ok());
}

fn no_expand(v: &str) -> Result<String, String> {
    Ok(v.to_string())
}

fn mount(raw: &str) -> Result<Mount, String> {
    parse_mount(raw, &no_expand)
}

fn base(kind: MountType, read_only: bool) -> Mount {
    Mount {
        kind,
        from: None,
        source: None,
        target: String::new(),
        read_only,
        cache_id: None,
        sharing: CacheSharing::Shared,
        mode: None,
        uid: None,
        gid: None,
        size_limit: None,
        required: false,
        env: None,
    }
}

#[test]
fn mount_defaults_per_type() {
    assert_eq!(
        mount("target=/a").unwrap(),
        Mount {
            target: s("/a"),
            ..base(MountType::Bind, true)
        }
    );
    assert_eq!(
        mount("type=cache,target=/c").unwrap(),
        Mount {
            target: s("/c"),
            ..base(MountType::Cache, false)
        }
    );
    assert_eq!(
        mount("type=tmpfs,target=/t").unwrap(),
        Mount {
            target: s("/t"),
            ..base(MountType::Tmpfs, false)
        }
    );
    assert_eq!(
        mount("type=secret,id=x").unwrap(),
        Mount {
            cache_id: Some(s("x")),
            ..base(MountType::Secret, true)
        }
    );
    assert_eq!(mount("type=ssh").unwrap(), base(MountType::Ssh, true));
}

#[test]
fn mount_every_option() {
    assert_eq!(
        mount("type=bind,from=build,source=/out,dst=/in,rw").unwrap(),
        Mount {
            from: Some(s("build")),
            source: Some(s("/out")),
            target: s("/in"),
            ..base(MountType::Bind, false)
        }
    );
    assert_eq!(
        mount("type=cache,id=gomod,target=/go/pkg/mod,sharing=locked,mode=0700,uid=1000,gid=1001,from=x,src=y,ro").unwrap(),
        Mount {
            cache_id: Some(s("gomod")),
            target: s("/go/pkg/mod"),
            sharing: CacheSharing::Locked,
            mode: Some(0o700),
            uid: Some(1000),
            gid: Some(1001),
            from: Some(s("x")),
            source: Some(s("y")),
            ..base(MountType::Cache, true)
        }
    );
    assert_eq!(
        mount("type=tmpfs,destination=/t,size=64m").unwrap(),
        Mount {
            target: s("/t"),
            size_limit: Some(64 << 20),
            ..base(MountType::Tmpfs, false)
        }
    );
    assert_eq!(
        mount("type=secret,src=tok,target=/run/t,required=true,mode=0440,readonly=false").unwrap(),
        Mount {
            source: Some(s("tok")),
            target: s("/run/t"),
            required: true,
            mode: Some(0o440),
            ..base(MountType::Secret, false)
        }
    );
    assert_eq!(
        mount("TYPE=SSH,id=default,required,readwrite=1").unwrap(),
        Mount {
            cache_id: Some(s("default")),
            required: true,
            ..base(MountType::Ssh, false)
        }
    );
    assert_eq!(
        mount("\"target=/a,b\",ro").unwrap(),
        Mount {
            target: s("/a,b"),
            ..base(MountType::Bind, true)
        }
    );
}

#[test]
fn mount_values_are_expanded() {
    let expand = |v: &str| -> Result<String, String> { Ok(v.replace("$D", "/data")) };
    let m = parse_mount("type=cache,target=$D", &expand).unwrap();
    assert_eq!(m.target, "/data");
    let failing = |_: &str| -> Result<String, String> { Err(s("boom")) };
    assert_eq!(parse_mount("target=$X", &failing).unwrap_err(), "boom");
}

#[test]
fn mount_errors() {
    let cases: &[(&str, &str)] = &[
        ("", "failed to parse csv mounts: EOF"),
        ("type=volume", "unsupported mount type \"volume\""),
        ("type=cachee", "unsupported mount type \"cachee\" (did you mean cache?)"),
        ("type=cache,sharing=lock", "unsupported sharing value \"lock\" (did you mean locked?)"),
        ("target=/a,sharing=shared", "invalid cache sharing set for bind mount"),
        ("xyz=bar", "unexpected key 'xyz' in 'xyz=bar'"),
        ("targt=/a", "unexpected key 'targt' in 'targt=/a' (did you mean target?)"),
        ("target", "invalid field 'target' must be a key=value pair"),
        ("required", "unexpected key 'required' for mount type 'bind'"),
        ("type=cache,size=1m", "unexpected key 'size' for mount type 'cache'"),
        ("type=tmpfs,size=lots", "invalid value for size: lots"),
        ("ro=maybe", "invalid value for ro: maybe"),
        ("type=cache,mode=9", "invalid value 9 for mode"),
        ("type=cache,uid=-1", "invalid value -1 for uid"),
        ("type=cache,gid=x", "invalid value x for gid"),
        ("target=/a,mode=0755", "mode not allowed for \"bind\" type mounts"),
        ("type=tmpfs,uid=1", "uid not allowed for \"tmpfs\" type mounts"),
        ("type=secret", "invalid secret mount. one of source, target required"),
        ("type=secret,id=a,from=b", "secret mount should not have a from"),
        ("type=secret,id=a,sharing=shared", "secret mount should not define sharing"),
        ("type=secret,id=a,source=b", "both source and id can't be set"),
        ("target=a\"b", "failed to parse csv mounts: parse error on line 1, column 9: bare \" in non-quoted-field"),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(raw, want)| {
            let got = mount(raw);
            (got.as_ref().err().map(String::as_str) != Some(*want))
                .then(|| format!("{raw:?}: got {got:?}, want {want:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ram_sizes_follow_go_units() {
    for (v, want) in [
        ("10", Some(10)),
        ("1k", Some(1024)),
        ("1KiB", Some(1024)),
        ("1.5m", Some(1_572_864)),
        ("2 GB", Some(2 << 30)),
        ("1b", Some(1)),
        ("1kx", None),
        ("", None),
        ("-1", None),
        ("1.2.3", None),
    ] {
        assert_eq!(ram_in_bytes(v), want, "{v}");
    }
}

#[test]
fn network_and_security_values() {
    assert_eq!(parse_network("default"), Ok(NetworkMode::Sandbox));
    assert_eq!(parse_network("none"), Ok(NetworkMode::None));
    assert_eq!(parse_network("host"), Ok(NetworkMode::Host));
    assert_eq!(
        parse_network("Host"),
        Err(s("invalid network mode \"Host\""))
    );
    assert_eq!(parse_security("sandbox"), Ok(Security::Sandbox));
    assert_eq!(parse_security("insecure"), Ok(Security::Insecure));
    assert_eq!(parse_security(""), Err(s("security \"\" is not valid")));
}

#[test]
fn go_durations() {
    for (v, want) in [
        ("0", Ok(0)),
        ("1h2m3.5s", Ok(3_723_500_000_000)),
        ("-1.5ms", Ok(-1_500_000)),
        ("300us", Ok(300_000)),
        (".5s", Ok(500_000_000)),
        ("1", Err(s("time: missing unit in duration \"1\""))),
        ("s", Err(s("time: invalid duration \"s\""))),
    ] {
        assert_eq!(crate::gostd::time::parse_duration(v), want, "{v}");
    }
}

#[test]
fn onbuild_triggers_parse_as_single_commands() {
    let cmd = crate::dockerfile::parse_trigger("RUN echo hi").unwrap();
    assert_eq!(cmd.code(), "RUN echo hi");
    assert_eq!(
        cmd.instruction,
        Instruction::Run(Run {
            command: CommandLine::Shell(s("echo hi")),
            heredocs: vec![],
            mounts: vec![],
            network: None,
            security: None,
            devices: Vec::new(),
        })
    );
    let heredoc = crate::dockerfile::parse_trigger("COPY <<EOF /f\nbody\nEOF").unwrap();
    let Instruction::Copy(copy) = heredoc.instruction else {
        panic!()
    };
    assert_eq!(copy.heredocs[0].content, "body\n");
    assert_eq!(
        crate::dockerfile::parse_trigger("RUN a\nRUN b")
            .unwrap_err()
            .message,
        "onbuild trigger should be a single expression"
    );
    assert_eq!(
        crate::dockerfile::parse_trigger("FROM x")
            .unwrap_err()
            .message,
        "*instructions.Stage is not a command type"
    );
}
