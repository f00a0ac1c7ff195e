//! Findings about credentials a Go stage puts where they stay: a token from an ARG or ENV written
//! into git's configuration or a `.netrc` (a layer holds it, and an ARG value is recorded in the
//! image history), or a private key or `.netrc` copied from the build context. Each names the
//! line and the buildx flag that gives the same access without leaving anything behind
//! (`--secret id=GIT_AUTH_TOKEN`, `--secret id=netrc`, `--ssh default`), which gofront then
//! wires into the steps that fetch modules.
//!
//! Never shows a value: only variable names and lines. Not for: deciding rewrites.

use crate::dockerfile::ast::{Dockerfile, Instruction, Span};

use super::analyze::{CopyOrigin, StageAnalysis};
use super::facts::{file_name, run_text, uses_var, Diagnostic, Severity};

/// Context files that are credentials when copied into an image.
const KEY_FILES: [&str; 8] = [
    "id_rsa",
    "id_ed25519",
    "id_ecdsa",
    "id_dsa",
    ".netrc",
    ".git-credentials",
    "_netrc",
    ".ssh",
];

/// The credential findings of the reachable Go stages.
pub(crate) fn credential_diagnostics(df: &Dockerfile, stages: &[StageAnalysis]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in stages.iter().filter(|s| s.is_go_stage() && s.reachable) {
        let Some(stage) = df.stages.get(s.index) else {
            continue;
        };
        let declared = declared_names(df, s.index);
        for cmd in &stage.commands {
            if let Instruction::Run(run) = &cmd.instruction {
                out.extend(token_in_layer(&run_text(run), &declared, cmd.span));
            }
        }
        for c in s.copies.iter().filter(|c| c.origin == CopyOrigin::Context) {
            if let Some(src) = c.sources.iter().find(|p| is_key_file(p)) {
                out.push(Diagnostic {
                    severity: Severity::Warning,
                    code: "credential-copied",
                    span: c.span,
                    message: format!(
                        "{src} is copied into a layer of the image, where anyone with the image can read it; for private modules use --ssh default (an ssh agent) or --secret id=netrc,src=$HOME/.netrc instead: gofront gives them to the steps that fetch modules only"
                    ),
                });
            }
        }
    }
    out
}

fn is_key_file(path: &str) -> bool {
    let name = file_name(path);
    KEY_FILES.contains(&name) || path.split('/').any(|p| p == ".ssh")
}

/// ARG and ENV names declared before or in the stage (global ARGs included): the variables a
/// RUN can use.
fn declared_names(df: &Dockerfile, stage: usize) -> Vec<String> {
    let mut names = Vec::new();
    let cmds = df.meta_args.iter().chain(
        df.stages
            .get(stage)
            .map(|s| s.commands.as_slice())
            .unwrap_or(&[]),
    );
    for cmd in cmds {
        match &cmd.instruction {
            Instruction::Arg(decls) => names.extend(decls.iter().map(|d| d.key.clone())),
            Instruction::Env(pairs) => names.extend(pairs.iter().map(|kv| kv.key.clone())),
            _ => {}
        }
    }
    names
}

/// A RUN that writes a declared variable into a URL of git's configuration (`git config ...
/// url."https://${TOKEN}@github.com/".insteadOf`) or into a `.netrc`.
fn token_in_layer(text: &str, declared: &[String], span: Span) -> Option<Diagnostic> {
    let used: Vec<&String> = declared.iter().filter(|n| uses_var(text, n)).collect();
    if used.is_empty() {
        return None;
    }
    let names: Vec<String> = used.iter().map(|n| format!("${n}")).collect();
    let in_git_url = text.contains("git config")
        && text.contains("insteadOf")
        && used.iter().any(|n| url_userinfo_uses(text, n));
    let in_netrc = text.contains(".netrc") && (text.contains("password") || text.contains("login"));
    let (what, flag) = if in_git_url {
        (
            "git config writes it into ~/.gitconfig in a layer",
            "--secret id=GIT_AUTH_TOKEN,env=<VAR> (gofront gives git the token for the GOPRIVATE hosts while modules are fetched)",
        )
    } else if in_netrc {
        (
            "it is written into a .netrc in a layer",
            "--secret id=netrc,src=$HOME/.netrc (gofront mounts it at ~/.netrc while modules are fetched)",
        )
    } else {
        return None;
    };
    Some(Diagnostic {
        severity: Severity::Warning,
        code: "token-in-layer",
        span,
        message: format!(
            "the value of {} reaches the image: {what} (and an ARG value is also recorded in the image history, an ENV value in its config); pass it as a secret instead: {flag}",
            names.join(", ")
        ),
    })
}

/// The variable appears between `://` and the `@` of a URL (its user or password part).
fn url_userinfo_uses(text: &str, name: &str) -> bool {
    text.match_indices("://").any(|(i, _)| {
        let rest = &text[i + 3..];
        let end = rest.find(['"', '\'', ' ']).unwrap_or(rest.len());
        let url = &rest[..end];
        url.find('@').is_some_and(|at| {
            let user = &url[..at];
            uses_var(user, name)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(df: &str) -> Vec<Diagnostic> {
        let parsed = match crate::dockerfile::parse(df) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let images = std::collections::BTreeMap::<String, super::super::analyze::BaseImage>::new();
        let args = std::collections::BTreeMap::new();
        let stages = super::super::analyze::analyze(&super::super::analyze::AnalyzeInput {
            dockerfile: &parsed,
            build_args: &args,
            images: &images,
            target: None,
        });
        credential_diagnostics(&parsed, &stages)
    }

    #[test]
    fn a_token_in_a_git_url_or_netrc_is_named_with_the_secret_flag() {
        let d = findings("FROM golang:1.22\nARG GH_TOKEN\nRUN git config --global url.\"https://${GH_TOKEN}:x-oauth-basic@github.com/\".insteadOf \"https://github.com/\"\nCOPY . .\nRUN go build\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, "token-in-layer");
        assert_eq!(d[0].span.start, 3);
        assert!(d[0].message.contains("$GH_TOKEN"), "{}", d[0].message);
        assert!(
            d[0].message.contains("--secret id=GIT_AUTH_TOKEN"),
            "{}",
            d[0].message
        );
        let d = findings("FROM golang:1.22\nARG PASS\nRUN echo \"machine git.corp login ci password $PASS\" > ~/.netrc\nRUN go build\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.contains("--secret id=netrc"),
            "{}",
            d[0].message
        );
        // A variable elsewhere in the URL (the host), or no variable: nothing.
        assert!(findings("FROM golang:1.22\nARG HOST\nRUN git config --global url.\"ssh://git@${HOST}/\".insteadOf \"https://${HOST}/\"\nRUN go build\n").is_empty());
        assert!(findings("FROM golang:1.22\nRUN git config --global url.\"git@github.com:\".insteadOf https://github.com/\nRUN go build\n").is_empty());
    }

    #[test]
    fn copied_keys_are_named_and_ordinary_files_are_not() {
        let d = findings("FROM golang:1.22\nCOPY id_ed25519 /root/.ssh/id_ed25519\nCOPY .ssh /root/.ssh\nCOPY . .\nRUN go build\n");
        let lines: Vec<usize> = d.iter().map(|d| d.span.start).collect();
        assert_eq!(lines, vec![2, 3]);
        assert!(d[0].message.contains("--ssh default"));
        assert!(findings("FROM golang:1.22\nCOPY go.mod go.sum ./\nRUN go build\n").is_empty());
    }
}
