//! Base images and stage initialisation, like `dockerfile2llb`'s dispatch setup: each stage's
//! base resolved (an earlier stage, a named context, scratch, or an image the resolver is asked
//! for, pinned by digest, its platform auto-detected), the image source op, and the state a
//! stage starts from (base config env, PATH default, WORKDIR, USER).
//!
//! Not for: the stage graph (`stages`) or named contexts themselves (`contexts`).

use std::collections::{BTreeMap, BTreeSet};

use crate::llb::ops::source_op;
use crate::llb::{LineRange, OpMeta, Output};
use crate::options::ImageResolveMode;
use crate::platform::Platform;

use super::image::{split_kv, Image};
use super::reference::Reference;
use super::stages::{add_env, with_span, Converter, DF_CMD_KEY, SCRATCH};
use super::{ConvertError, ImageRequest};

impl Converter<'_> {
    /// Resolves every stage's base (image, named context or scratch), asking the resolver for
    /// the images it does not know yet.
    pub(super) fn resolve_bases(&mut self) -> Result<(), ConvertError> {
        let dispatched = self.dispatched_stages();
        for i in 0..self.stages.len() {
            let reachable = dispatched.get(i).copied().unwrap_or(false);
            let st = &self.stages[i];
            if st.base.is_some() || st.ready || st.resolved {
                continue;
            }
            if st.base_name == SCRATCH {
                let img = Image::empty(&self.target);
                let st = &mut self.stages[i];
                st.fs = None;
                st.image = img;
                st.platform = Some(self.target.clone());
                if st.unregistered {
                    st.ready = true;
                }
                continue;
            }
            let span = st.span;
            // `d.resolved = reachable`: a stage found unreachable is resolved again on the next
            // pass (after ONBUILD triggers added dependencies), like `resolveReachableStages`.
            self.stages[i].resolved = reachable;
            let result = self.resolve_base(i, reachable);
            if self.stages[i].unregistered {
                self.stages[i].ready = true;
            }
            result.map_err(|e| with_span(e, span.unwrap_or_default()))?;
        }
        Ok(())
    }

    fn resolve_base(&mut self, i: usize, reachable: bool) -> Result<(), ConvertError> {
        let st = &self.stages[i];
        let orig = st.base_name.clone();
        let reference = Reference::parse_normalized(&orig).map_err(|e| {
            ConvertError::at(format!("failed to parse stage name \"{orig}\": {e}"), None)
        })?;
        let platform = st.platform.clone().unwrap_or_else(|| self.target.clone());
        let reference = reference.tag_name_only();
        let base_name = reference.to_string();
        self.stages[i].base_name = base_name.clone();
        if self.apply_base_named_context(i, &reference, &platform)? {
            return Ok(());
        }
        if !reachable {
            // Go names the image op (`prefixCommand`) even for a stage it does not build, so
            // the stage's step counter advances; visible when a later pass builds it.
            let pp = self.multi.then_some(&platform);
            self.stages[i]
                .steps
                .prefix(&format!("FROM {base_name}"), pp, &[]);
            self.stages[i].platform = Some(platform);
            return Ok(());
        }
        let Some(resolved) = self.resolver.resolve(&base_name, &platform) else {
            self.missing.push(ImageRequest {
                reference: base_name,
                platform,
                oci_store: None,
            });
            return Ok(());
        };
        let mut reference = reference;
        if !resolved.reference.is_empty() && resolved.reference != base_name {
            reference = Reference::parse_normalized(&resolved.reference).map_err(|e| {
                ConvertError::at(
                    format!("failed to parse ref \"{}\": {e}", resolved.reference),
                    None,
                )
            })?;
        }
        let mut img = Image::from_json(&resolved.config).map_err(|e| ConvertError::at(e, None))?;
        self.stages[i].base_img = Some(img.clone());
        img.created = None;
        let mut platform = platform;
        if self.stages[i].platform.is_none() && self.implicit_target {
            platform = self.auto_detect_platform(&img, platform);
        }
        if let Some(d) = resolved.digest.as_deref().filter(|d| !d.is_empty()) {
            reference = reference.with_digest(d);
        }
        let base_name = reference.to_string();
        self.stages[i].base_name = base_name.clone();
        let scratch = img.is_layerless();
        if !scratch {
            let actual = Platform::new(&img.os, &img.architecture, &img.variant);
            let span = self.stages[i].span.unwrap_or_default();
            self.lint_base_platform(&orig, &platform, &actual, span);
        }
        self.stages[i].image = img;
        if scratch {
            self.stages[i].fs = None;
        } else {
            let name = {
                let pp = self.multi.then_some(&platform);
                let st = &mut self.stages[i];
                st.steps.prefix(&format!("FROM {base_name}"), pp, &[])
            };
            let fs = self.image_source(&base_name, &platform, name, i)?;
            self.stages[i].fs = Some(fs);
            self.stages[i].fs_platform = Some(platform.clone());
        }
        self.stages[i].platform = Some(platform);
        Ok(())
    }

    fn auto_detect_platform(&self, img: &Image, target: Platform) -> Platform {
        if target.os == img.os && target.architecture == img.architecture {
            return target;
        }
        self.build_platforms
            .iter()
            .find(|p| p.os == img.os && p.architecture == img.architecture)
            .cloned()
            .unwrap_or(target)
    }

    fn image_source(
        &mut self,
        reference: &str,
        platform: &Platform,
        custom_name: String,
        stage: usize,
    ) -> Result<Output, ConvertError> {
        let mut attrs = BTreeMap::new();
        let mut caps = BTreeSet::new();
        match self.input.options.image_resolve_mode {
            ImageResolveMode::Default => {}
            ImageResolveMode::Pull => {
                attrs.insert("image.resolvemode".into(), "pull".into());
                caps.insert("source.image.resolvemode".to_string());
            }
            ImageResolveMode::Local => {
                attrs.insert("image.resolvemode".into(), "local".into());
            }
        }
        let op = source_op(&format!("docker-image://{reference}"), attrs, platform);
        let st = &self.stages[stage];
        let mut description = BTreeMap::new();
        description.insert(DF_CMD_KEY.to_string(), st.original.clone());
        let locations: Vec<LineRange> = st.span.into_iter().map(LineRange::from).collect();
        let meta = OpMeta {
            custom_name: Some(custom_name),
            description,
            caps,
            locations,
            ..OpMeta::default()
        };
        let span = st.span;
        let digest = self.add_op(op, meta, span)?;
        Ok(Output::new(digest, 0))
    }

    /// Base inheritance, PATH default, env/workdir/user from the base config, ONBUILD.
    pub(super) fn init_stage_state(&mut self, i: usize) -> Result<(), ConvertError> {
        if let Some(b) = self.stages[i].base {
            let base = self.stages[b].clone();
            let st = &mut self.stages[i];
            st.fs = base.fs;
            st.fs_platform = base.fs_platform;
            st.env = base.env;
            st.dir = base.dir;
            st.user = base.user;
            st.platform = base.platform;
            // A child stage inherits its base stage's ARGs for the RUN history (1.9).
            st.build_args = base.build_args;
            st.image = base.image;
            // Triggers do not carry over from the base stage (they became commands).
            st.image.config.on_build = Vec::new();
            st.base_img = base.base_img;
            st.paths_owner = Some(b);
            self.lint_inherit(i, b);
        }
        let target = self.target.clone();
        let st = &mut self.stages[i];
        let platform = st.platform.get_or_insert(target).clone();
        if !st.image.config.env.iter().any(|e| split_kv(e).0 == "PATH") {
            st.image.config.env.push(format!(
                "PATH={}",
                super::image::default_path_env(&platform.os)
            ));
        }
        for e in st.image.config.env.clone() {
            let (k, v) = split_kv(&e);
            add_env(&mut st.env, k, v);
        }
        if !st.image.config.working_dir.is_empty() {
            let wd = st.image.config.working_dir.clone();
            self.apply_workdir(i, &wd);
        }
        let st = &mut self.stages[i];
        if !st.image.config.user.is_empty() {
            st.user = st.image.config.user.clone();
        }
        Ok(())
    }
}
