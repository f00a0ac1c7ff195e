//! The rule table: every build check gofront runs, with the name, description, URL and
//! experimental flag the stock frontend (BuildKit's `linter/ruleset.go`, Dockerfile 1.26) gives
//! its rules, plus gofront's own Go rules (documented in `docs/checks/`), and the message each
//! rule formats (the `Format` functions of the rule set, word for word).
//!
//! Not for: deciding when a rule fires (the syntax rules are in `syntax`, the conversion-time
//! ones in `convert`, the Go ones in `golang`), or whether it is reported (`config`).

use std::fmt;

/// Base of the stock rules' documentation URLs.
const DOCKER_DOCS: &str = "https://docs.docker.com/go/dockerfile/rule/";

/// Base of gofront's own rules' documentation: the pages in this repository, named by their
/// repository path (`docs/checks/<kebab-name>.md`), which stays valid wherever the repository is
/// hosted. A build that publishes the pages can point the URLs at them with the compile-time
/// variable `GOFRONT_DOCS_URL` (a base ending in `/`).
pub const GOFRONT_DOCS: &str = match option_env!("GOFRONT_DOCS_URL") {
    Some(base) => base,
    None => "docs/checks/",
};

/// One build check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `FROM x AS Name`: stage names should be lowercase.
    StageNameCasing,
    /// `FROM x as y`: the `AS` keyword should match the case of `FROM`.
    FromAsCasing,
    /// An empty line inside a continued instruction.
    NoEmptyContinuation,
    /// An instruction keyword that is mixed case or against the file's majority case.
    ConsistentInstructionCasing,
    /// Two stages with the same name.
    DuplicateStageName,
    /// A stage named `context` or `scratch`.
    ReservedStageName,
    /// Shell-form CMD/ENTRYPOINT without a SHELL in the image config.
    JsonArgsRecommended,
    /// MAINTAINER.
    MaintainerDeprecated,
    /// A variable in FROM that no global ARG declares.
    UndefinedArgInFrom,
    /// The first WORKDIR of a stage chain is relative.
    WorkdirRelativePath,
    /// A variable used in an instruction that is neither in the env nor a declared ARG.
    UndefinedVar,
    /// A second CMD/ENTRYPOINT/HEALTHCHECK in one stage.
    MultipleInstructionsDisallowed,
    /// `ENV k v` / `LABEL k v`.
    LegacyKeyValueFormat,
    /// A base image resolved for another OS/architecture than the build's.
    InvalidBaseImagePlatform,
    /// `FROM --platform=$TARGETPLATFORM`.
    RedundantTargetPlatform,
    /// An ARG or ENV name that looks like a secret.
    SecretsUsedInArgOrEnv,
    /// A FROM that the global ARG defaults make empty or invalid.
    InvalidDefaultArgInFrom,
    /// `FROM --platform=linux/amd64` (a constant).
    FromPlatformFlagConstDisallowed,
    /// COPY/ADD of a path `.dockerignore` excludes.
    CopyIgnoredFile,
    /// A comment above ARG / FROM AS that does not start with the name (experimental).
    InvalidDefinitionDescription,
    /// `EXPOSE 80/TCP`.
    ExposeProtoCasing,
    /// `EXPOSE 127.0.0.1:80:80`.
    ExposeInvalidFormat,
    /// gofront: the go command runs where no go.mod is.
    GoModNotFound,
    /// gofront: go.mod's `go` line is newer than the image's Go.
    GoVersionNewerThanImage,
    /// gofront: the go command runs in a module that go.work does not list.
    ModuleNotInWorkspace,
    /// gofront: go.mod does not parse.
    GoModParseError,
    /// gofront: go.work does not parse.
    GoWorkParseError,
    /// gofront: `-mod=vendor` without a usable vendor/modules.txt.
    VendorMissing,
    /// gofront: a go.work `use` directory is not in the image.
    WorkspaceMemberMissing,
    /// gofront: COPY of a Go manifest the build context does not have.
    CopySourceMissing,
    /// gofront: vendor/modules.txt disagrees with go.mod.
    InconsistentVendoring,
    /// gofront: a local replace target is missing from the context.
    ReplaceTargetMissing,
    /// gofront: a local replace points outside the build context.
    ReplaceOutsideContext,
    /// gofront: go.mod requires modules but there is no go.sum.
    MissingGoSum,
    /// gofront: `go build -a` defeats the build cache.
    BuildFlagA,
    /// gofront: the Go rewrites were dropped because the rewritten Dockerfile failed.
    GoRewriteDropped,
    /// gofront: a token from an ARG/ENV is written into git's configuration or a .netrc.
    TokenInLayer,
    /// gofront: a private key or .netrc from the context is copied into the image.
    CredentialCopied,
}

/// Every rule, stock rules first, in the stock rule set's order.
#[cfg(test)]
pub const ALL: [Rule; 38] = [
    Rule::StageNameCasing,
    Rule::FromAsCasing,
    Rule::NoEmptyContinuation,
    Rule::ConsistentInstructionCasing,
    Rule::DuplicateStageName,
    Rule::ReservedStageName,
    Rule::JsonArgsRecommended,
    Rule::MaintainerDeprecated,
    Rule::UndefinedArgInFrom,
    Rule::WorkdirRelativePath,
    Rule::UndefinedVar,
    Rule::MultipleInstructionsDisallowed,
    Rule::LegacyKeyValueFormat,
    Rule::InvalidBaseImagePlatform,
    Rule::RedundantTargetPlatform,
    Rule::SecretsUsedInArgOrEnv,
    Rule::InvalidDefaultArgInFrom,
    Rule::FromPlatformFlagConstDisallowed,
    Rule::CopyIgnoredFile,
    Rule::InvalidDefinitionDescription,
    Rule::ExposeProtoCasing,
    Rule::ExposeInvalidFormat,
    Rule::GoModNotFound,
    Rule::GoVersionNewerThanImage,
    Rule::ModuleNotInWorkspace,
    Rule::GoModParseError,
    Rule::GoWorkParseError,
    Rule::VendorMissing,
    Rule::WorkspaceMemberMissing,
    Rule::CopySourceMissing,
    Rule::InconsistentVendoring,
    Rule::ReplaceTargetMissing,
    Rule::ReplaceOutsideContext,
    Rule::MissingGoSum,
    Rule::BuildFlagA,
    Rule::GoRewriteDropped,
    Rule::TokenInLayer,
    Rule::CredentialCopied,
];

/// What a rule is: the fields of BuildKit's `LinterRule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// Rule name (`StageNameCasing`).
    pub name: &'static str,
    /// One-line description (the `detail` of a build warning).
    pub description: &'static str,
    /// Only runs when enabled with `experimental=`.
    pub experimental: bool,
    /// A gofront rule (its page is in `docs/checks/`) rather than a stock one.
    pub gofront: bool,
}

impl Rule {
    /// The rule's table entry.
    pub fn info(self) -> RuleInfo {
        let (name, description) = self.name_and_description();
        RuleInfo {
            name,
            description,
            experimental: self == Rule::InvalidDefinitionDescription,
            gofront: self >= Rule::GoModNotFound,
        }
    }

    /// The rule name as users write it in `# check=skip=...`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The documentation URL: docs.docker.com for stock rules (none for
    /// InvalidBaseImagePlatform, like stock), the repository's `docs/checks/` page for gofront's.
    pub fn url(self) -> Option<String> {
        let info = self.info();
        if self == Rule::InvalidBaseImagePlatform {
            return None;
        }
        let base = if info.gofront {
            GOFRONT_DOCS
        } else {
            DOCKER_DOCS
        };
        let suffix = if info.gofront { ".md" } else { "/" };
        Some(format!("{base}{}{suffix}", kebab(info.name)))
    }

    /// The rule of a Go diagnostic code (`go-mod-not-found` → GoModNotFound).
    pub fn from_go_code(code: &str) -> Option<Rule> {
        Some(match code {
            "go-mod-not-found" => Rule::GoModNotFound,
            "go-version-newer-than-image" => Rule::GoVersionNewerThanImage,
            "module-not-in-workspace" => Rule::ModuleNotInWorkspace,
            "go-mod-parse-error" => Rule::GoModParseError,
            "go-work-parse-error" => Rule::GoWorkParseError,
            "vendor-missing" => Rule::VendorMissing,
            "workspace-member-missing" => Rule::WorkspaceMemberMissing,
            "copy-source-missing" => Rule::CopySourceMissing,
            "inconsistent-vendoring" => Rule::InconsistentVendoring,
            "replace-target-missing" => Rule::ReplaceTargetMissing,
            "replace-outside-context" => Rule::ReplaceOutsideContext,
            "missing-go-sum" => Rule::MissingGoSum,
            "build-flag-a" => Rule::BuildFlagA,
            "rewrite-dropped" => Rule::GoRewriteDropped,
            "token-in-layer" => Rule::TokenInLayer,
            "credential-copied" => Rule::CredentialCopied,
            _ => return None,
        })
    }

    fn name_and_description(self) -> (&'static str, &'static str) {
        match self {
            Rule::StageNameCasing => ("StageNameCasing", "Stage names should be lowercase"),
            Rule::FromAsCasing => (
                "FromAsCasing",
                "The 'as' keyword should match the case of the 'from' keyword",
            ),
            Rule::NoEmptyContinuation => (
                "NoEmptyContinuation",
                "Empty continuation lines will become errors in a future release",
            ),
            Rule::ConsistentInstructionCasing => (
                "ConsistentInstructionCasing",
                "All commands within the Dockerfile should use the same casing (either upper or lower)",
            ),
            Rule::DuplicateStageName => ("DuplicateStageName", "Stage names should be unique"),
            Rule::ReservedStageName => (
                "ReservedStageName",
                "Reserved words should not be used as stage names",
            ),
            Rule::JsonArgsRecommended => (
                "JSONArgsRecommended",
                "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
            ),
            Rule::MaintainerDeprecated => (
                "MaintainerDeprecated",
                "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
            ),
            Rule::UndefinedArgInFrom => ("UndefinedArgInFrom", "FROM command must use declared ARGs"),
            Rule::WorkdirRelativePath => (
                "WorkdirRelativePath",
                "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes",
            ),
            Rule::UndefinedVar => ("UndefinedVar", "Variables should be defined before their use"),
            Rule::MultipleInstructionsDisallowed => (
                "MultipleInstructionsDisallowed",
                "Multiple instructions of the same type should not be used in the same stage",
            ),
            Rule::LegacyKeyValueFormat => (
                "LegacyKeyValueFormat",
                "Legacy key/value format with whitespace separator should not be used",
            ),
            Rule::InvalidBaseImagePlatform => (
                "InvalidBaseImagePlatform",
                "Base image platform does not match expected target platform",
            ),
            Rule::RedundantTargetPlatform => (
                "RedundantTargetPlatform",
                "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
            ),
            Rule::SecretsUsedInArgOrEnv => (
                "SecretsUsedInArgOrEnv",
                "Sensitive data should not be used in the ARG or ENV commands",
            ),
            Rule::InvalidDefaultArgInFrom => (
                "InvalidDefaultArgInFrom",
                "Default value for global ARG results in an empty or invalid base image name",
            ),
            Rule::FromPlatformFlagConstDisallowed => (
                "FromPlatformFlagConstDisallowed",
                "FROM --platform flag should not use a constant value",
            ),
            Rule::CopyIgnoredFile => (
                "CopyIgnoredFile",
                "Attempting to Copy file that is excluded by .dockerignore",
            ),
            Rule::InvalidDefinitionDescription => (
                "InvalidDefinitionDescription",
                "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.",
            ),
            Rule::ExposeProtoCasing => (
                "ExposeProtoCasing",
                "Protocol in EXPOSE instruction should be lowercase",
            ),
            Rule::ExposeInvalidFormat => (
                "ExposeInvalidFormat",
                "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release",
            ),
            Rule::GoModNotFound => (
                "GoModNotFound",
                "The go command must find go.mod where it runs",
            ),
            Rule::GoVersionNewerThanImage => (
                "GoVersionNewerThanImage",
                "The go line of go.mod should not be newer than the Go of the image",
            ),
            Rule::ModuleNotInWorkspace => (
                "ModuleNotInWorkspace",
                "A module the go command builds in must be listed in go.work",
            ),
            Rule::GoModParseError => ("GoModParseError", "go.mod must parse"),
            Rule::GoWorkParseError => ("GoWorkParseError", "go.work must parse"),
            Rule::VendorMissing => (
                "VendorMissing",
                "Building with -mod=vendor needs vendor/modules.txt in the image",
            ),
            Rule::WorkspaceMemberMissing => (
                "WorkspaceMemberMissing",
                "Every go.work use directory must be in the image when the go command runs",
            ),
            Rule::CopySourceMissing => (
                "CopySourceMissing",
                "A Go manifest copied by name must exist in the build context",
            ),
            Rule::InconsistentVendoring => (
                "InconsistentVendoring",
                "vendor/modules.txt should agree with go.mod",
            ),
            Rule::ReplaceTargetMissing => (
                "ReplaceTargetMissing",
                "A local replace target should be in the build context",
            ),
            Rule::ReplaceOutsideContext => (
                "ReplaceOutsideContext",
                "A local replace should not point outside the build context",
            ),
            Rule::MissingGoSum => (
                "MissingGoSum",
                "A module with requirements should have a go.sum in the build context",
            ),
            Rule::BuildFlagA => (
                "BuildFlagA",
                "go build -a rebuilds everything and defeats the Go build cache",
            ),
            Rule::GoRewriteDropped => (
                "GoRewriteDropped",
                "gofront built the Dockerfile as written because its Go rewrites did not convert",
            ),
            Rule::TokenInLayer => (
                "TokenInLayer",
                "A token for private modules should be a build secret, not written into a layer",
            ),
            Rule::CredentialCopied => (
                "CredentialCopied",
                "Keys and credentials should not be copied into an image",
            ),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `StageNameCasing` → `stage-name-casing`; `JSONArgsRecommended` → `json-args-recommended`
/// (an upper-case run is one word; its last letter starts the next word when a lower-case
/// letter follows).
pub fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev_lower = chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit();
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = chars[i - 1].is_ascii_uppercase();
            if prev_lower || (prev_upper && next_lower) {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The messages (`Format` functions of BuildKit's rule set), one per rule that has arguments.
pub mod message {
    use crate::gostd::strconv::quote;

    /// StageNameCasing.
    pub fn stage_name_casing(name: &str) -> String {
        format!("Stage name '{name}' should be lowercase")
    }

    /// FromAsCasing (`as` as written, then `from` as written).
    pub fn from_as_casing(from: &str, as_kw: &str) -> String {
        format!("'{as_kw}' and '{from}' keywords' casing do not match")
    }

    /// NoEmptyContinuation.
    pub fn no_empty_continuation() -> String {
        "Empty continuation line".to_string()
    }

    /// ConsistentInstructionCasing.
    pub fn consistent_instruction_casing(command: &str, casing: &str) -> String {
        format!("Command '{command}' should match the case of the command majority ({casing})")
    }

    /// DuplicateStageName.
    pub fn duplicate_stage_name(name: &str) -> String {
        format!(
            "Duplicate stage name {}, stage names should be unique",
            quote(name)
        )
    }

    /// ReservedStageName.
    pub fn reserved_stage_name(name: &str) -> String {
        format!(
            "Stage name should not use the same name as reserved stage {}",
            quote(name)
        )
    }

    /// JSONArgsRecommended (`CMD` / `ENTRYPOINT` as written).
    pub fn json_args_recommended(instruction: &str) -> String {
        format!("JSON arguments recommended for {instruction} to prevent unintended behavior related to OS signals")
    }

    /// MaintainerDeprecated.
    pub fn maintainer_deprecated() -> String {
        "Maintainer instruction is deprecated in favor of using label".to_string()
    }

    /// UndefinedArgInFrom.
    pub fn undefined_arg_in_from(arg: &str, suggestion: Option<&str>) -> String {
        let mut out = format!("FROM argument '{arg}' is not declared");
        if let Some(s) = suggestion {
            out.push_str(&format!(" (did you mean {s}?)"));
        }
        out
    }

    /// WorkdirRelativePath.
    pub fn workdir_relative_path(workdir: &str) -> String {
        format!(
            "Relative workdir {} can have unexpected results if the base image changes",
            quote(workdir)
        )
    }

    /// UndefinedVar.
    pub fn undefined_var(name: &str, suggestion: Option<&str>) -> String {
        let mut out = format!("Usage of undefined variable '${name}'");
        if let Some(s) = suggestion {
            out.push_str(&format!(" (did you mean ${s}?)"));
        }
        out
    }

    /// MultipleInstructionsDisallowed (instruction as written).
    pub fn multiple_instructions_disallowed(instruction: &str) -> String {
        format!("Multiple {instruction} instructions should not be used in the same stage because only the last one will be used")
    }

    /// LegacyKeyValueFormat (instruction as written).
    pub fn legacy_key_value_format(instruction: &str) -> String {
        format!("\"{instruction} key=value\" should be used instead of legacy \"{instruction} key value\" format")
    }

    /// InvalidBaseImagePlatform.
    pub fn invalid_base_image_platform(image: &str, expected: &str, actual: &str) -> String {
        format!(
            "Base image {image} was pulled with platform {}, expected {} for current build",
            quote(actual),
            quote(expected)
        )
    }

    /// RedundantTargetPlatform (the `--platform` value as written).
    pub fn redundant_target_platform(platform: &str) -> String {
        format!("Setting platform to predefined {platform} in FROM is redundant as this is the default behavior")
    }

    /// SecretsUsedInArgOrEnv.
    pub fn secrets_used_in_arg_or_env(instruction: &str, key: &str) -> String {
        format!(
            "Do not use ARG or ENV instructions for sensitive data ({instruction} {})",
            quote(key)
        )
    }

    /// InvalidDefaultArgInFrom (the base name as written).
    pub fn invalid_default_arg_in_from(base: &str) -> String {
        format!("Default value for ARG {base} results in empty or invalid base image name")
    }

    /// FromPlatformFlagConstDisallowed.
    pub fn from_platform_flag_const_disallowed(platform: &str) -> String {
        format!(
            "FROM --platform flag should not use constant value {}",
            quote(platform)
        )
    }

    /// CopyIgnoredFile (`Copy` or `Add`).
    pub fn copy_ignored_file(command: &str, file: &str) -> String {
        format!(
            "Attempting to {command} file {} that is excluded by .dockerignore",
            quote(file)
        )
    }

    /// InvalidDefinitionDescription (`ARG`/`FROM`, the name or `<arg_key>`).
    pub fn invalid_definition_description(instruction: &str, name: &str) -> String {
        format!("Comment for {instruction} should follow the format: `# {name} <description>`")
    }

    /// ExposeProtoCasing.
    pub fn expose_proto_casing(port: &str) -> String {
        format!("Defined protocol '{port}' in EXPOSE instruction should be lowercase")
    }

    /// ExposeInvalidFormat.
    pub fn expose_invalid_format(port: &str) -> String {
        format!("EXPOSE instruction should not define an IP address or host-port mapping, found '{port}'")
    }
}
