//! Build contexts in the graph, like `dockerui`'s `MainContext` and `NamedContext`: the main
//! context (remote, or `local://context` with the paths the build reads and `.dockerignore`
//! excluded), and named contexts (`--build-context name=...`) standing in for a stage or a base
//! image: `docker-image://`, `local:` (with its own `.dockerignore`), git, HTTP(S),
//! `oci-layout://` and `input:`; plus the progress names their image resolutions get.
//!
//! Not for: reading anything (the values come in a [`crate::dockerui::BuildContext`]) or the
//! stage graph (`stages`).

use std::collections::{BTreeMap, BTreeSet};

use crate::dockerfile::ast::Span;
use crate::dockerui::{inputs, remote, MainContext};
use crate::gostd::path::join;
use crate::llb::ops::source_op;
use crate::llb::{go_json_strings, pb, OpMeta, Output};
use crate::options::BuildOptions;
use crate::platform::Platform;

use super::image::{split_kv, Image};
use super::reference::{parse_oci_layout, Reference};
use super::stages::{add_env, Converter, StageState, SCRATCH};
use super::{ConvertError, ImageRequest};

impl Converter<'_> {
    /// The main build context: the remote context (scoped to `contextsubdir`), or the
    /// `local://context` source with the paths the build reads and `.dockerignore` excluded.
    pub(super) fn main_context(
        &mut self,
        paths: Option<&BTreeSet<String>>,
    ) -> Result<Output, ConvertError> {
        let opts = self.input.options;
        let ignore = match &self.input.context.main {
            MainContext::Local(ignore) => ignore,
            MainContext::Remote { remote, archive } => {
                // dockerui `DetectGitContext` / `DetectHTTPContext`: no .dockerignore, no follow
                // paths; the gateway decided whether an HTTP download is an archive.
                let llb = |e: crate::llb::LlbError| ConvertError::at(e.to_string(), None);
                let context = remote.add_to(&mut self.graph, *archive).map_err(llb)?;
                return match opts.context_subdir.as_deref() {
                    Some(sub) => {
                        remote::scope_to_subdir(&mut self.graph, context, sub).map_err(llb)
                    }
                    None => Ok(context),
                };
            }
        };
        let name = if opts.context_key.is_empty() {
            "context".to_string()
        } else {
            opts.context_key.clone()
        };
        let mut attrs = BTreeMap::new();
        let session = opts.session_for(&name, &self.input.daemon.session_id);
        if !session.is_empty() {
            attrs.insert("local.session".into(), session);
        }
        if let Some(follow) = paths.and_then(normalize_context_paths) {
            attrs.insert("local.followpaths".into(), go_json_strings(&follow));
        }
        if !ignore.is_empty() {
            attrs.insert(
                "local.excludepatterns".into(),
                go_json_strings(ignore.patterns()),
            );
        }
        attrs.insert("local.sharedkeyhint".into(), name.clone());
        let op = source_op(&format!("local://{name}"), attrs, &self.target);
        let meta = OpMeta {
            custom_name: Some("[internal] load build context".into()),
            ..OpMeta::default()
        };
        let digest = self.add_op(op, meta, None)?;
        Ok(Output::new(digest, 0))
    }

    /// Followpaths recorded for stage `i` in the first pass.
    fn prior_follow_paths(&self, i: usize) -> Option<Vec<String>> {
        self.prior_paths.get(i).and_then(normalize_context_paths)
    }

    fn named_context_value(&self, name: &str, platform: &Platform) -> Option<(String, String)> {
        let contexts = &self.input.options.named_contexts;
        let with_platform = format!("{name}::{platform}");
        if let Some(v) = contexts.get(&with_platform) {
            return Some((with_platform, v.clone()));
        }
        contexts.get(name).map(|v| (name.to_string(), v.clone()))
    }

    /// A named context replacing a whole stage (`context:<stage name>`).
    pub(super) fn apply_stage_named_context(
        &mut self,
        stage: &mut StageState,
        name: &str,
    ) -> Result<(), ConvertError> {
        if name.eq_ignore_ascii_case(SCRATCH) || name.eq_ignore_ascii_case("context") {
            return Ok(());
        }
        let platform = stage
            .platform
            .clone()
            .unwrap_or_else(|| self.target.clone());
        let Some((key, value)) = self.named_context_value(name, &platform) else {
            return Ok(());
        };
        let span = stage.span;
        let index = self.stages.len();
        let Some(ctx) = self.load_named_context(&key, &value, &platform, span, index)? else {
            return Ok(());
        };
        stage.ready = true;
        stage.fs_platform = ctx.fs.as_ref().map(|_| platform.clone());
        stage.fs = ctx.fs;
        stage.env = ctx.env;
        stage.dir = ctx.dir;
        stage.user = ctx.user;
        stage.named_local = ctx.named_local;
        if let Some(img) = ctx.image {
            if !img.architecture.is_empty() && !img.os.is_empty() {
                stage.platform = Some(Platform {
                    os: img.os.clone(),
                    architecture: img.architecture.clone(),
                    variant: img.variant.clone(),
                    os_version: img.os_version.clone(),
                });
            }
            stage.image = img;
        }
        Ok(())
    }

    /// A named context replacing a base image (`context:alpine`). Returns true when applied.
    pub(super) fn apply_base_named_context(
        &mut self,
        i: usize,
        reference: &Reference,
        platform: &Platform,
    ) -> Result<bool, ConvertError> {
        let familiar = reference.familiar();
        let name = familiar
            .strip_suffix(":latest")
            .unwrap_or(&familiar)
            .to_string();
        if name.eq_ignore_ascii_case(SCRATCH) || name.eq_ignore_ascii_case("context") {
            return Ok(false);
        }
        let Some((key, value)) = self.named_context_value(&name, platform) else {
            return Ok(false);
        };
        let span = self.stages[i].span;
        let Some(ctx) = self.load_named_context(&key, &value, platform, span, i)? else {
            return Ok(false);
        };
        let target = self.target.clone();
        let st = &mut self.stages[i];
        st.image = ctx.image.unwrap_or_else(|| Image::empty(&target));
        st.fs = ctx.fs;
        st.fs_platform = Some(platform.clone());
        st.env = ctx.env;
        st.dir = ctx.dir;
        st.user = ctx.user;
        st.named_local = ctx.named_local;
        st.platform = Some(platform.clone());
        Ok(true)
    }

    fn load_named_context(
        &mut self,
        key: &str,
        value: &str,
        platform: &Platform,
        span: Option<Span>,
        index: usize,
    ) -> Result<Option<NamedContext>, ConvertError> {
        let Some((_, rest)) = value.split_once(':') else {
            return Err(ConvertError::at(
                format!("invalid context specifier {value} for {key}"),
                span,
            ));
        };
        // `git@host:path` without a scheme is a git context too.
        let kind = if value.starts_with("git@") {
            "git"
        } else {
            value.split(':').next().unwrap_or("")
        };
        match kind {
            "docker-image" => {
                let r = rest.trim_start_matches("//");
                if r == SCRATCH {
                    return Ok(Some(NamedContext::default()));
                }
                let reference = Reference::parse_normalized(r)
                    .map_err(|e| ConvertError::at(e, span))?
                    .tag_name_only();
                let Some(resolved) = self.resolver.resolve(&reference.to_string(), platform) else {
                    self.missing.push(ImageRequest {
                        reference: reference.to_string(),
                        platform: platform.clone(),
                        oci_store: None,
                    });
                    return Ok(Some(NamedContext::default()));
                };
                let mut img =
                    Image::from_json(&resolved.config).map_err(|e| ConvertError::at(e, span))?;
                img.created = None;
                // Go: `llb.Image(ref)` with the ref ResolveImageConfig returned: no digest pin,
                // no resolve mode.
                let full = if resolved.reference.is_empty() {
                    reference.to_string()
                } else {
                    resolved.reference.clone()
                };
                let op = source_op(&format!("docker-image://{full}"), BTreeMap::new(), platform);
                let meta = OpMeta {
                    custom_name: Some(format!("[context {key}] {r}")),
                    ..OpMeta::default()
                };
                let digest = self.add_op(op, meta, span)?;
                Ok(Some(NamedContext::from_image(
                    Some(Output::new(digest, 0)),
                    img,
                )))
            }
            "local" => {
                let mut attrs = BTreeMap::new();
                let opts = self.input.options;
                let session = opts.session_for(rest, &self.input.daemon.session_id);
                if !session.is_empty() {
                    attrs.insert("local.session".into(), session);
                }
                // 1.22+: `context:<name>-<sharedkey:localdir:<name>>` (1.19: `context:<name>`).
                let shared = opts.shared_keys.get(key).cloned().unwrap_or_default();
                attrs.insert(
                    "local.sharedkeyhint".into(),
                    format!("context:{key}-{shared}"),
                );
                if let Some(follow) = self.prior_follow_paths(index) {
                    attrs.insert("local.followpaths".into(), go_json_strings(&follow));
                }
                // The named local's own .dockerignore (read before conversion), like dockerui.
                if let Some(ignore) = self.input.context.named_dockerignores.get(key) {
                    if !ignore.is_empty() {
                        attrs.insert(
                            "local.excludepatterns".into(),
                            go_json_strings(ignore.patterns()),
                        );
                    }
                }
                let op = source_op(&format!("local://{rest}"), attrs, platform);
                let meta = OpMeta {
                    custom_name: Some(format!("[context {key}] load from client")),
                    ..OpMeta::default()
                };
                let digest = self.add_op(op, meta, span)?;
                Ok(Some(NamedContext {
                    fs: Some(Output::new(digest, 0)),
                    dir: "/".into(),
                    named_local: Some((rest.to_string(), key.to_string())),
                    ..NamedContext::default()
                }))
            }
            "git" | "http" | "https" => {
                // dockerui: `DetectGitContext(v, keepGit=true)`, else a plain HTTP download.
                // 1.18+: `DetectGitContext(v, nil)`: `.git` kept only when the query asks.
                let git = crate::dockerui::git::parse_git_ref(value)
                    .map_err(|e| ConvertError::at(e, span))?;
                let fs = match git {
                    Some(git) => {
                        let name = format!("[internal] load git source {value}");
                        let opts = crate::dockerui::git::GitOptions {
                            keep_git_dir: git.keep_git_dir == Some(true),
                            checksum: git.checksum.clone(),
                            mtime: git.mtime.clone(),
                        };
                        self.git_source(&git, &opts, &name, None)?
                    }
                    None if kind == "git" => {
                        return Err(ConvertError::at(
                            format!("invalid git context {value}"),
                            span,
                        ))
                    }
                    None => {
                        // 1.24+: saved as `context` (1.19: the URL's base name).
                        let attrs = BTreeMap::from([(
                            "http.filename".to_string(),
                            crate::dockerui::remote::HTTP_CONTEXT_FILENAME.to_string(),
                        )]);
                        let op = source_op(value, attrs, platform);
                        let meta = OpMeta {
                            custom_name: Some(format!("[context {key}] {value}")),
                            ..OpMeta::default()
                        };
                        Output::new(self.add_op(op, meta, span)?, 0)
                    }
                };
                Ok(Some(NamedContext {
                    fs: Some(fs),
                    dir: "/".into(),
                    ..NamedContext::default()
                }))
            }
            "input" => self.input_named_context(key, rest, span).map(Some),
            "oci-layout" => self.oci_layout_named_context(key, rest, platform, span),
            _ => Err(ConvertError::at(
                format!("unsupported context source {kind} for {key}"),
                span,
            )),
        }
    }
}

impl Converter<'_> {
    /// `oci-layout://<store>[:tag]@<digest>`: an image from the client's OCI layout store, like
    /// dockerui: resolved under the dummy name `<context name>@<digest>` from that store, loaded
    /// with an `oci-layout://` source carrying the session and store ids.
    fn oci_layout_named_context(
        &mut self,
        key: &str,
        rest: &str,
        platform: &Platform,
        span: Option<Span>,
    ) -> Result<Option<NamedContext>, ConvertError> {
        let spec = rest.strip_prefix("//").unwrap_or(rest);
        let (store, digest) = parse_oci_layout(spec).map_err(|e| ConvertError::at(e, span))?;
        let name = key.split_once("::").map_or(key, |(n, _)| n);
        let dummy = oci_dummy_ref(name, &digest).map_err(|e| ConvertError::at(e, span))?;
        let Some(resolved) = self.resolver.resolve(&dummy, platform) else {
            self.missing.push(ImageRequest {
                reference: dummy,
                platform: platform.clone(),
                oci_store: Some(store),
            });
            return Ok(Some(NamedContext::default()));
        };
        // dockerui keeps `created` here (unlike docker-image contexts).
        let img = Image::from_json(&resolved.config).map_err(|e| {
            ConvertError::at(
                format!("could not parse oci-layout image config: {e}"),
                span,
            )
        })?;
        // Go: `llb.OCILayout(dummyRef, llb.OCIStore(session, store))`.
        let mut attrs = BTreeMap::new();
        if !self.input.daemon.session_id.is_empty() {
            attrs.insert("oci.session".into(), self.input.daemon.session_id.clone());
        }
        if !store.is_empty() {
            attrs.insert("oci.store".into(), store);
        }
        let op = source_op(&format!("oci-layout://{dummy}"), attrs, platform);
        let meta = OpMeta {
            custom_name: Some(format!("[context {key}] OCI load from client")),
            caps: BTreeSet::from(["source.ocilayout".to_string()]),
            ..OpMeta::default()
        };
        let digest = self.add_op(op, meta, span)?;
        Ok(Some(NamedContext::from_image(
            Some(Output::new(digest, 0)),
            img,
        )))
    }
}

/// dockerui's dummy reference for an `oci-layout://` context: the context name normalised, with
/// the layout digest (`docker.io/library/base@sha256:…`).
fn oci_dummy_ref(name: &str, digest: &str) -> Result<String, String> {
    Reference::parse_normalized(name)
        .map(|r| r.with_digest(digest).to_string())
        .map_err(|e| format!("could not parse oci-layout reference {name:?}: {e}"))
}

impl Converter<'_> {
    /// `input:<name>`: the frontend input `name` (its ops imported into this graph), with the
    /// image config of `input-metadata:<name>` when the client gave one.
    fn input_named_context(
        &mut self,
        key: &str,
        input: &str,
        span: Option<Span>,
    ) -> Result<NamedContext, ConvertError> {
        let options = self.input.options;
        let Some(bytes) = self.input.context.inputs.get(input) else {
            return Err(ConvertError::at(
                format!("invalid input {input} for {key}"),
                span,
            ));
        };
        let def = <pb::Definition as prost::Message>::decode(bytes.as_slice())
            .map_err(|e| ConvertError::at(format!("invalid input {input} for {key}: {e}"), span))?;
        let fs = inputs::import_definition(&mut self.graph, &def)
            .map_err(|e| ConvertError::at(e, span))?;
        let config = match options.input_metadata.get(input) {
            Some(md) => inputs::input_image_config(md).map_err(|e| ConvertError::at(e, span))?,
            None => None,
        };
        let Some(config) = config else {
            return Ok(NamedContext {
                fs,
                dir: "/".into(),
                ..NamedContext::default()
            });
        };
        let img = Image::from_json(&config).map_err(|e| {
            ConvertError::at(format!("failed to parse image config for {key}: {e}"), span)
        })?;
        Ok(NamedContext::from_image(fs, img))
    }
}

/// The progress name dockerfile.v0 gives the resolution of `request`: `[context <name>] load
/// metadata for <ref>` when a `docker-image://` named context asked for it, else `[internal]
/// load metadata for <ref>` (`[<platform> internal] ...` in multi-platform builds).
pub fn resolve_log_name(options: &BuildOptions, request: &ImageRequest) -> String {
    for (key, value) in &options.named_contexts {
        if let Some(name) = oci_layout_log_ref(key, value, request) {
            return format!("[context {key}] load metadata for {name}");
        }
        let Some(r) = value.strip_prefix("docker-image:") else {
            continue;
        };
        let r = r.trim_start_matches("//");
        let normalized = Reference::parse_normalized(r).map(|x| x.tag_name_only().to_string());
        let platform_ok = key
            .split_once("::")
            .map_or(true, |(_, p)| p == request.platform.to_string());
        if normalized.as_deref() == Ok(request.reference.as_str()) && platform_ok {
            return format!("[context {key}] load metadata for {r}");
        }
    }
    let multi = options.multi_platform || options.platforms.len() > 1;
    let prefix = if multi {
        format!("[{} internal]", request.platform)
    } else {
        "[internal]".to_string()
    };
    format!("{prefix} load metadata for {}", request.reference)
}

/// The dummy reference of the `oci-layout://` named context `key` when `request` resolves it.
fn oci_layout_log_ref(key: &str, value: &str, request: &ImageRequest) -> Option<String> {
    let store = request.oci_store.as_deref()?;
    let rest = value.strip_prefix("oci-layout:")?;
    let (s, digest) = parse_oci_layout(rest.strip_prefix("//").unwrap_or(rest)).ok()?;
    let (name, platform) = match key.split_once("::") {
        Some((n, p)) => (n, Some(p)),
        None => (key, None),
    };
    let dummy = oci_dummy_ref(name, &digest).ok()?;
    let platform_ok = platform.map_or(true, |p| p == request.platform.to_string());
    (s == store && dummy == request.reference && platform_ok).then_some(dummy)
}

#[derive(Debug, Default)]
struct NamedContext {
    fs: Option<Output>,
    env: Vec<(String, String)>,
    dir: String,
    user: String,
    image: Option<super::image::Image>,
    named_local: Option<(String, String)>,
}

impl NamedContext {
    /// A context backed by an image: its filesystem plus the env, working dir and user of its
    /// config, which a stage built `FROM` it starts with.
    fn from_image(fs: Option<Output>, img: super::image::Image) -> Self {
        let mut env = Vec::new();
        for e in &img.config.env {
            let (k, v) = split_kv(e);
            add_env(&mut env, k, v);
        }
        let dir = if img.config.working_dir.is_empty() {
            "/".to_string()
        } else {
            img.config.working_dir.clone()
        };
        NamedContext {
            fs,
            env,
            dir,
            user: img.config.user.clone(),
            image: Some(img),
            named_local: None,
        }
    }
}

/// `normalizeContextPaths`: `None` when the whole context is used.
fn normalize_context_paths(paths: &BTreeSet<String>) -> Option<Vec<String>> {
    if paths.is_empty() || paths.contains("/") {
        return None;
    }
    let mut out: Vec<String> = paths.iter().map(|p| join(&[".", p])).collect();
    out.sort();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_paths_are_relative_sorted_or_whole() {
        let set: BTreeSet<String> = ["/b", "/a/x", "/c.txt"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            normalize_context_paths(&set).unwrap(),
            vec!["a/x", "b", "c.txt"]
        );
        let whole: BTreeSet<String> = ["/b", "/"].iter().map(|s| s.to_string()).collect();
        assert!(normalize_context_paths(&whole).is_none());
    }
}
