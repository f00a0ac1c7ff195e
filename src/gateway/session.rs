//! One frontend run, as `dockerfile.v0` does it: Ping → options → read the Dockerfile (and its
//! ignore files) → subrequest or plan (resolving base images on demand) → Solve per platform →
//! Return exactly once. Generic over [`Bridge`] so tests can drive it without a daemon.
//!
//! Not for: transport (see `transport`), conversion (see `crate::frontend`).

use std::collections::BTreeMap;

use prost::Message as _;
use serde_json::{json, Value};

use super::caps::{check_frontend_caps, llb_caps, FrontendCaps};
use super::proto::{gateway_pb as gw, rpc_pb, worker_pb};
use crate::convert::remote::{
    is_archive, RemoteContext, HTTP_CONTEXT_FILENAME, HTTP_CONTEXT_SNIFF_LEN,
};
use crate::convert::{DaemonFacts, ImageRequest, PlatformBuild, ResolvedImage};
use crate::frontend::{self, FrontendError, Plan, Planner, Step, SubrequestResult};
use crate::llb::{pb, pb_platform};
use crate::options::{BuildOptions, ImageResolveMode};
use crate::platform::Platform;

use super::bridge::Bridge;
use super::errors::{self, Code};
use super::{dockerignore, load, summary};
use crate::context::FactsBudget;
use crate::golang::facts::ContextFacts;
use crate::llb::{LineRange, SourceFile};

/// The local name of the main context (`dockerui.DefaultLocalNameContext`).
const CONTEXT_LOCAL: &str = "context";

/// Why a remote context has no context facts.
const REMOTE_NO_FACTS: &str =
    "the build context is remote (git/http): gofront reads go.mod only from a local context";

/// At most this many directory entries are walked (the transfer holds only module files and
/// their directories; at most [`crate::context::MAX_BYTES`] of files are read).
pub const CONTEXT_FACTS_MAX_ENTRIES: usize = 20_000;

/// `os.ModeDir` and `os.ModeSymlink` in fsutil's `Stat.mode`.
const MODE_DIR: u32 = 1 << 31;
const MODE_SYMLINK: u32 = 1 << 27;

/// What BuildKit told the process through its environment.
#[derive(Debug, Clone, Default)]
pub struct GatewayEnv {
    /// `BUILDKIT_FRONTEND_OPT_*` options.
    pub opts: BTreeMap<String, String>,
    /// `BUILDKIT_SESSION_ID`.
    pub session_id: String,
    /// `BUILDKIT_WORKERS` (JSON), if set.
    pub workers: Option<String>,
}

impl GatewayEnv {
    /// Reads this process's environment.
    pub fn from_process() -> GatewayEnv {
        let vars: Vec<(String, String)> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let get = |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        GatewayEnv {
            session_id: get("BUILDKIT_SESSION_ID").unwrap_or_default(),
            workers: get("BUILDKIT_WORKERS"),
            opts: crate::options::opts_from_env_vars(vars.iter().cloned()),
        }
    }
}

/// Runs the whole frontend protocol against `bridge` and calls `Return` exactly once.
/// Returns an error only when the `Return` call itself failed (nothing else can be reported).
pub async fn serve<B: Bridge>(bridge: &mut B, env: GatewayEnv) -> Result<(), tonic::Status> {
    let outcome = match Session::start(bridge, env).await {
        Ok(session) => session.run().await,
        Err(status) => Err(status),
    };
    let request = match outcome {
        Ok(result) => gw::ReturnRequest {
            result: Some(result),
            error: None,
        },
        Err(status) => {
            tracing::warn!(code = status.code, message = %status.message, "build failed");
            gw::ReturnRequest {
                result: None,
                error: Some(status),
            }
        }
    };
    bridge.finish(request).await
}

struct Session<'b, B: Bridge> {
    bridge: &'b mut B,
    env: GatewayEnv,
    facts: DaemonFacts,
    gw_caps: FrontendCaps,
}

impl<'b, B: Bridge> Session<'b, B> {
    async fn start(bridge: &'b mut B, env: GatewayEnv) -> Result<Self, rpc_pb::Status> {
        let pong = bridge
            .ping()
            .await
            .map_err(|s| from_tonic("failed to ping BuildKit", &s))?;
        let gw_caps = if pong.frontend_api_caps.is_empty() {
            FrontendCaps::v0_13_defaults()
        } else {
            FrontendCaps::from_api_caps(&pong.frontend_api_caps)
        };
        let llb_caps = llb_caps(&pong.llb_caps);
        let build_platform = worker_platform(&pong.workers)
            .or_else(|| env.workers.as_deref().and_then(platform_from_workers_json))
            .unwrap_or_else(Platform::host);
        let facts = DaemonFacts {
            llb_caps,
            build_platform,
            session_id: env.session_id.clone(),
        };
        Ok(Session {
            bridge,
            env,
            facts,
            gw_caps,
        })
    }

    async fn run(mut self) -> Result<gw::Result, rpc_pb::Status> {
        if !self.facts.llb_caps.has("file.base") {
            return Err(errors::status(
                Code::Unimplemented,
                "needs BuildKit 0.5 or later: the daemon does not support file operations (file.base)",
            ));
        }
        let mut options = BuildOptions::from_opts(&self.env.opts)
            .map_err(|e| errors::status(Code::InvalidArgument, e.to_string()))?;
        check_frontend_caps(&options.frontend_caps)?;
        let remote = RemoteContext::detect(&options);

        let loaded = match &remote {
            Some(remote) if !options.force_local_dockerfile() => {
                self.read_remote_dockerfile(remote, &mut options).await?
            }
            _ => self.read_dockerfile(&options, remote.is_none()).await?,
        };
        let source = SourceFile {
            filename: options.filename.clone(),
            data: loaded.data.clone(),
            language: "Dockerfile".into(),
            definition: Some(loaded.definition.clone()),
        };
        let fail = |e: FrontendError| frontend_status(e, &source);

        if let Some(request) = &options.subrequest {
            let answer = frontend::subrequest(request, &loaded.data, &options).map_err(fail)?;
            return Ok(subrequest_result(answer));
        }

        let dockerfile = frontend::parse(&loaded.data).map_err(fail)?;
        // dockerui applies no .dockerignore to a remote context (and never reads one for it).
        let ignore = match (loaded.dockerignore, &remote) {
            (_, Some(_)) => Vec::new(),
            (Some(data), None) => data,
            (None, None) => self.read_context_dockerignore().await?,
        };
        let patterns = dockerignore::parse(&ignore);
        self.read_named_dockerignores(&mut options).await?;
        self.read_named_inputs(&mut options).await?;
        let (context_facts, missing_reason) = match &remote {
            Some(_) => (None, REMOTE_NO_FACTS.to_string()),
            None if frontend::needs_context_facts(&dockerfile, &options) => {
                match self.read_context_facts(&options, &patterns).await {
                    Ok(facts) => (Some(facts), String::new()),
                    Err(reason) => (None, reason),
                }
            }
            None => (None, String::new()),
        };
        let facts = self.facts.clone();
        let mut planner = Planner::new(
            dockerfile,
            &loaded.data,
            &options,
            &facts,
            &patterns,
            Some(loaded.definition.clone()),
        )
        .with_context_facts(context_facts);
        if !missing_reason.is_empty() {
            planner = planner.with_missing_facts_reason(missing_reason);
        }
        let plan = loop {
            match planner.step().map_err(fail)? {
                Step::Done(plan) => break *plan,
                Step::NeedImages(requests) => {
                    for request in requests {
                        let image = self.resolve(&request, &options).await.map_err(fail)?;
                        planner.provide(&request, image);
                    }
                }
            }
        };
        self.show_summary(&plan).await;
        self.send_warnings(&plan, &source, &loaded.definition).await;
        self.solve_plan(plan, &options).await
    }

    /// Reads the Go module files of the local main context into [`ContextFacts`]: one
    /// transfer with include patterns (only go.mod, go.sum, go.work, go.work.sum,
    /// vendor/modules.txt; `.dockerignore` excludes applied), then ReadDir/ReadFile on the
    /// result. `Err` = no facts, with the reason the summary shows.
    async fn read_context_facts(
        &mut self,
        options: &BuildOptions,
        excludes: &[String],
    ) -> Result<ContextFacts, String> {
        let local = if options.context_key.is_empty() {
            CONTEXT_LOCAL
        } else {
            options.context_key.as_str()
        };
        let def = load::context_facts_source(
            local,
            &self.facts.session_id,
            &ContextFacts::include_patterns(),
            excludes,
            &Platform::host(),
            &self.facts.llb_caps,
        )
        .map_err(|e| format!("cannot read the build context: {e}"))?;
        let reference = self
            .solve_ref(def, Vec::new())
            .await
            .map_err(|s| format!("cannot read the build context: {}", s.message))?;
        let mut facts = ContextFacts::default();
        if reference.is_empty() {
            return Ok(facts);
        }
        let mut budget = FactsBudget::new(CONTEXT_FACTS_MAX_ENTRIES);
        let mut dirs = vec![String::new()];
        while let Some(dir) = dirs.pop() {
            let entries = self
                .bridge
                .read_dir(gw::ReadDirRequest {
                    r#ref: reference.clone(),
                    dir_path: if dir.is_empty() {
                        "/".into()
                    } else {
                        dir.clone()
                    },
                    include_pattern: String::new(),
                })
                .await
                .map_err(|s| format!("cannot list the build context: {}", s.message()))?;
            for entry in entries {
                let path = if dir.is_empty() {
                    entry.path.clone()
                } else {
                    format!("{dir}/{}", entry.path)
                };
                budget.take_entry()?;
                if entry.mode & MODE_DIR != 0 {
                    dirs.push(path);
                } else if entry.mode & MODE_SYMLINK == 0 && crate::context::is_module_file(&path) {
                    budget.take_bytes(u64::try_from(entry.size).unwrap_or(u64::MAX))?;
                    let data = self.read(&reference, &path).await.map_err(|s| {
                        format!("cannot read {path} from the build context: {}", s.message)
                    })?;
                    facts.insert(&path, data);
                }
            }
        }
        Ok(facts)
    }

    /// Shows the Go rewrite decisions as `[gofront] ...` vertices (a small extra solve).
    /// A failure here never fails the build.
    async fn show_summary(&mut self, plan: &Plan) {
        let Some(report) = &plan.go else {
            return;
        };
        let platform = self.facts.build_platform.clone();
        let def =
            match summary::definition(&report.rewritten.decisions, &platform, &self.facts.llb_caps)
            {
                Ok(Some(def)) => def,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot build the gofront summary");
                    return;
                }
            };
        let request = gw::SolveRequest {
            definition: Some(def),
            evaluate: true,
            ..Default::default()
        };
        if let Err(e) = self.bridge.solve(request).await {
            tracing::warn!(error = %e.message(), "cannot show the gofront summary");
        }
    }

    /// Reads the Dockerfile from a remote context like dockerui's `initContext` +
    /// `ReadEntrypoint`: from the git source itself; for HTTP, the first bytes of the download
    /// decide between an archive (unpacked, the Dockerfile inside it) and a plain Dockerfile
    /// (then named `context`).
    async fn read_remote_dockerfile(
        &mut self,
        remote: &RemoteContext,
        options: &mut BuildOptions,
    ) -> Result<Loaded, rpc_pb::Status> {
        let caps = self.facts.llb_caps.clone();
        let llb_error = |e: crate::llb::LlbError| errors::status(Code::Unknown, e.to_string());
        if remote.is_http() {
            let download = remote.definition(&caps, false).map_err(llb_error)?;
            let reference = self
                .solve_ref(download, Vec::new())
                .await
                .map_err(|s| prefix_status("failed to resolve httpcontext", s))?;
            let header = self
                .bridge
                .read_file(gw::ReadFileRequest {
                    r#ref: reference,
                    file_path: HTTP_CONTEXT_FILENAME.to_string(),
                    range: Some(gw::FileRange {
                        offset: 0,
                        length: HTTP_CONTEXT_SNIFF_LEN,
                    }),
                })
                .await
                .map_err(|s| from_tonic("failed to read downloaded context", &s))?;
            if is_archive(&header) {
                options.remote_context_archive = true;
            } else {
                options.filename = HTTP_CONTEXT_FILENAME.to_string();
            }
        }
        let definition = remote
            .definition(&caps, options.remote_context_archive)
            .map_err(llb_error)?;
        self.read_dockerfile_from(definition, options).await
    }

    async fn read_dockerfile(
        &mut self,
        options: &BuildOptions,
        use_inputs: bool,
    ) -> Result<Loaded, rpc_pb::Status> {
        let input_def = if use_inputs {
            self.dockerfile_input(options).await?
        } else {
            None
        };
        let definition = match input_def {
            Some(def) => def,
            None => load::dockerfile_source(
                &options.dockerfile_key,
                &options.filename,
                &self.facts.session_id,
                &Platform::host(),
                &self.facts.llb_caps,
            )
            .map_err(|e| errors::status(Code::Unknown, e.to_string()))?,
        };
        self.read_dockerfile_from(definition, options).await
    }

    /// Solves `definition` and reads the Dockerfile (or its lower-case spelling) and
    /// `<Dockerfile>.dockerignore` from it.
    async fn read_dockerfile_from(
        &mut self,
        definition: pb::Definition,
        options: &BuildOptions,
    ) -> Result<Loaded, rpc_pb::Status> {
        let reference = self
            .solve_ref(definition.clone(), Vec::new())
            .await
            .map_err(|s| prefix_status("failed to resolve dockerfile", s))?;
        let data = match self.read(&reference, &options.filename).await {
            Ok(data) => data,
            Err(first) => match load::lowercase_variant(&options.filename) {
                Some(lower) => self.read(&reference, &lower).await.map_err(|_| first)?,
                None => return Err(first),
            },
        };
        if data.is_empty() {
            return Err(errors::status(
                Code::Unknown,
                "the Dockerfile cannot be empty",
            ));
        }
        let ignore_name = format!("{}.dockerignore", options.filename);
        let dockerignore = self.read(&reference, &ignore_name).await.ok();
        Ok(Loaded {
            data,
            definition,
            dockerignore,
        })
    }

    /// The `dockerfile` frontend input, when the client passed one (and did not name the
    /// Dockerfile local explicitly). A `context` input is refused: it would change what
    /// `.dockerignore` applies to, and convert reads the context from the session.
    async fn dockerfile_input(
        &mut self,
        options: &BuildOptions,
    ) -> Result<Option<pb::Definition>, rpc_pb::Status> {
        if !self.gw_caps.has("frontend.inputs") {
            return Ok(None);
        }
        let inputs = self
            .bridge
            .inputs()
            .await
            .map_err(|s| from_tonic("failed to get frontend inputs", &s))?
            .definitions;
        if inputs.contains_key(CONTEXT_LOCAL) {
            return Err(errors::status(
                Code::Unimplemented,
                "a build context passed as a frontend input is not supported by gofront yet",
            ));
        }
        if options.force_local_dockerfile() {
            return Ok(None);
        }
        Ok(inputs.get(&options.dockerfile_key).cloned())
    }

    /// Reads the `.dockerignore` of every `local:` named context (dockerui reads it before
    /// loading the local and excludes what it lists). dockerui does so only for the contexts the
    /// Dockerfile uses; this reads them all (an unused one costs one small transfer).
    async fn read_named_dockerignores(
        &mut self,
        options: &mut BuildOptions,
    ) -> Result<(), rpc_pb::Status> {
        let locals: Vec<(String, String)> = options
            .named_contexts
            .iter()
            .filter_map(|(key, value)| Some((key.clone(), value.strip_prefix("local:")?.into())))
            .collect();
        for (key, local_name) in locals {
            let def = load::named_dockerignore_source(
                &local_name,
                &key,
                &self.facts.session_id,
                &Platform::host(),
                &self.facts.llb_caps,
            )
            .map_err(|e| errors::status(Code::Unknown, e.to_string()))?;
            let reference = self.solve_ref(def, Vec::new()).await?;
            let data = self
                .read(&reference, load::DOCKERIGNORE_NAME)
                .await
                .unwrap_or_default();
            options
                .named_context_dockerignore
                .insert(key, dockerignore::parse(&data));
        }
        Ok(())
    }

    /// Fetches the frontend inputs when an `input:` named context needs them (dockerui asks
    /// `Inputs` for such a context); convert imports the named one.
    async fn read_named_inputs(
        &mut self,
        options: &mut BuildOptions,
    ) -> Result<(), rpc_pb::Status> {
        if !options
            .named_contexts
            .values()
            .any(|v| v.starts_with("input:"))
        {
            return Ok(());
        }
        let inputs = self
            .bridge
            .inputs()
            .await
            .map_err(|s| from_tonic("failed to get frontend inputs", &s))?
            .definitions;
        options.inputs = inputs
            .into_iter()
            .map(|(name, def)| (name, def.encode_to_vec()))
            .collect();
        Ok(())
    }

    async fn read_context_dockerignore(&mut self) -> Result<Vec<u8>, rpc_pb::Status> {
        let def = load::dockerignore_source(
            CONTEXT_LOCAL,
            &self.facts.session_id,
            &Platform::host(),
            &self.facts.llb_caps,
        )
        .map_err(|e| errors::status(Code::Unknown, e.to_string()))?;
        let reference = self.solve_ref(def, Vec::new()).await?;
        Ok(self
            .read(&reference, load::DOCKERIGNORE_NAME)
            .await
            .unwrap_or_default())
    }

    async fn read(&mut self, reference: &str, path: &str) -> Result<Vec<u8>, rpc_pb::Status> {
        self.bridge
            .read_file(gw::ReadFileRequest {
                r#ref: reference.to_string(),
                file_path: path.to_string(),
                range: None,
            })
            .await
            .map_err(|s| from_tonic("failed to read dockerfile", &s))
    }

    /// Solves a Definition and returns its ref id ("" = empty filesystem).
    async fn solve_ref(
        &mut self,
        definition: pb::Definition,
        cache_imports: Vec<gw::CacheOptionsEntry>,
    ) -> Result<String, rpc_pb::Status> {
        let response = self
            .bridge
            .solve(gw::SolveRequest {
                definition: Some(definition),
                allow_result_return: true,
                allow_result_array_ref: true,
                cache_imports,
                ..Default::default()
            })
            .await
            .map_err(|s| from_tonic("", &s))?;
        match response.result.and_then(|r| r.result) {
            Some(gw::result::Result::Ref(r)) => Ok(r.id),
            Some(gw::result::Result::RefDeprecated(id)) => Ok(id),
            None => Ok(String::new()),
            Some(_) => Err(errors::status(
                Code::Unknown,
                "BuildKit returned several refs for a single solve",
            )),
        }
    }

    async fn resolve(
        &mut self,
        request: &ImageRequest,
        options: &BuildOptions,
    ) -> Result<ResolvedImage, FrontendError> {
        let platform = pb_platform(&request.platform);
        let log_name = crate::convert::resolve_log_name(options, request);
        let mode = match options.image_resolve_mode {
            ImageResolveMode::Default => String::new(),
            other => other.as_str().to_string(),
        };
        let err = |s: tonic::Status| FrontendError::Resolve {
            reference: request.reference.clone(),
            message: s.message().to_string(),
        };
        // Go's grpcclient: an OCI layout resolves through the client's store, no resolve mode.
        let (scheme, attrs, mode) = match &request.oci_store {
            Some(store) => {
                let attrs = BTreeMap::from([
                    ("oci.session".to_string(), self.facts.session_id.clone()),
                    ("oci.store".to_string(), store.clone()),
                ]);
                ("oci-layout://", attrs, String::new())
            }
            None => ("docker-image://", BTreeMap::new(), mode),
        };
        if self.gw_caps.has("source.metaresolver") {
            let response = self
                .bridge
                .resolve_source_meta(gw::ResolveSourceMetaRequest {
                    source: Some(pb::SourceOp {
                        identifier: format!("{scheme}{}", request.reference),
                        attrs,
                    }),
                    platform: Some(platform),
                    log_name,
                    resolve_mode: mode,
                    ..Default::default()
                })
                .await
                .map_err(err)?;
            let Some(image) = response.image else {
                let updated = response.source.map(|s| s.identifier).unwrap_or_default();
                return Err(FrontendError::Resolve {
                    reference: request.reference.clone(),
                    message: format!("source policy turned the image into {updated:?}, which gofront cannot use as a base image"),
                });
            };
            let reference = response
                .source
                .map(|s| s.identifier)
                .and_then(|id| id.strip_prefix(scheme).map(str::to_string))
                .unwrap_or_else(|| request.reference.clone());
            return Ok(ResolvedImage {
                reference,
                digest: Some(image.digest).filter(|d| !d.is_empty()),
                config: image.config,
            });
        }
        let response = self
            .bridge
            .resolve_image_config(gw::ResolveImageConfigRequest {
                r#ref: request.reference.clone(),
                platform: Some(platform),
                resolve_mode: mode,
                log_name,
                resolver_type: i32::from(request.oci_store.is_some()),
                store_id: request.oci_store.clone().unwrap_or_default(),
                session_id: if request.oci_store.is_some() {
                    self.facts.session_id.clone()
                } else {
                    String::new()
                },
                ..Default::default()
            })
            .await
            .map_err(err)?;
        Ok(ResolvedImage {
            reference: Some(response.r#ref)
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| request.reference.clone()),
            digest: Some(response.digest).filter(|d| !d.is_empty()),
            config: response.config,
        })
    }

    async fn send_warnings(&mut self, plan: &Plan, source: &SourceFile, def: &pb::Definition) {
        if !self.gw_caps.has("gateway.warnings") || plan.converted.warnings.is_empty() {
            return;
        }
        let digest = def
            .def
            .first()
            .map(|op| crate::llb::Digest::of(op).to_string())
            .unwrap_or_default();
        for w in &plan.converted.warnings {
            // BuildKit v0.13 sends the bare message; rule names came with the linter later.
            let short = w.message.clone();
            let request = gw::WarnRequest {
                digest: digest.clone(),
                level: 1,
                short: short.into_bytes(),
                info: Some(pb::SourceInfo {
                    filename: source.filename.clone(),
                    data: source.data.clone(),
                    definition: source.definition.clone(),
                    language: "Dockerfile".into(),
                }),
                ranges: w
                    .span
                    .map(|s| LineRange::from(s).to_pb())
                    .into_iter()
                    .collect(),
                ..Default::default()
            };
            if let Err(e) = self.bridge.warn(request).await {
                tracing::warn!(error = %e, "could not send a build warning");
            }
        }
    }

    async fn solve_plan(
        &mut self,
        plan: Plan,
        options: &BuildOptions,
    ) -> Result<gw::Result, rpc_pb::Status> {
        let cache_imports: Vec<gw::CacheOptionsEntry> = options
            .cache_imports
            .iter()
            .map(|(kind, attrs)| gw::CacheOptionsEntry {
                r#type: kind.clone(),
                attrs: attrs.clone(),
            })
            .collect();
        let multi = plan.converted.multi_platform;
        let refarray = self.gw_caps.has("proto.refarray");
        let mut refs = BTreeMap::new();
        let mut single = None;
        let mut metadata = BTreeMap::new();
        let mut platforms = Vec::new();
        for build in plan.converted.builds {
            let id = self
                .solve_ref(build.definition.clone(), cache_imports.clone())
                .await?;
            let key = build.platform.to_string();
            add_image_metadata(&mut metadata, &build, multi.then_some(key.as_str()));
            platforms.push(build.platform.clone());
            if multi {
                refs.insert(key, id);
            } else {
                single = Some(id);
            }
        }
        metadata.insert(
            "refs.platforms".to_string(),
            refs_platforms_json(&platforms).into_bytes(),
        );
        let result = match (multi, refarray) {
            (true, true) => gw::result::Result::Refs(gw::RefMap {
                refs: refs
                    .into_iter()
                    .map(|(k, id)| (k, gw::Ref { id, def: None }))
                    .collect(),
            }),
            (true, false) => gw::result::Result::RefsDeprecated(gw::RefMapDeprecated { refs }),
            (false, true) => gw::result::Result::Ref(gw::Ref {
                id: single.unwrap_or_default(),
                def: None,
            }),
            (false, false) => gw::result::Result::RefDeprecated(single.unwrap_or_default()),
        };
        Ok(gw::Result {
            result: Some(result),
            metadata,
            ..Default::default()
        })
    }
}

struct Loaded {
    data: Vec<u8>,
    definition: pb::Definition,
    dockerignore: Option<Vec<u8>>,
}

fn add_image_metadata(
    metadata: &mut BTreeMap<String, Vec<u8>>,
    build: &PlatformBuild,
    suffix: Option<&str>,
) {
    let key = |base: &str| match suffix {
        Some(p) => format!("{base}/{p}"),
        None => base.to_string(),
    };
    metadata.insert(key("containerimage.config"), build.image_config.clone());
    if let Some(base) = build.base_config.as_ref().filter(|b| !b.is_empty()) {
        metadata.insert(key("containerimage.base.config"), base.clone());
    }
}

/// `refs.platforms`: Go JSON of `exptypes.Platforms` (field names `Platforms`, `ID`,
/// `Platform`; OCI json tags inside, in the struct's field order).
pub fn refs_platforms_json(platforms: &[Platform]) -> String {
    let entries: Vec<Value> = platforms
        .iter()
        .map(|p| {
            let mut oci = serde_json::Map::new();
            oci.insert("architecture".into(), json!(p.architecture));
            oci.insert("os".into(), json!(p.os));
            if !p.os_version.is_empty() {
                oci.insert("os.version".into(), json!(p.os_version));
            }
            if !p.variant.is_empty() {
                oci.insert("variant".into(), json!(p.variant));
            }
            json!({ "ID": p.to_string(), "Platform": Value::Object(oci) })
        })
        .collect();
    json!({ "Platforms": entries }).to_string()
}

fn subrequest_result(answer: SubrequestResult) -> gw::Result {
    gw::Result {
        result: None,
        metadata: BTreeMap::from([
            ("result.json".to_string(), answer.json),
            ("result.txt".to_string(), answer.text),
            ("version".to_string(), answer.version.as_bytes().to_vec()),
        ]),
        ..Default::default()
    }
}

fn worker_platform(workers: &[worker_pb::WorkerRecord]) -> Option<Platform> {
    let p = workers.first()?.platforms.first()?;
    Some(Platform::new(&p.os, &p.architecture, &p.variant))
}

/// `workers[0].platforms[0]` of `BUILDKIT_WORKERS`.
fn platform_from_workers_json(json: &str) -> Option<Platform> {
    let v: Value = serde_json::from_str(json).ok()?;
    let p = v.get(0)?.get("platforms")?.get(0)?;
    let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let (os, arch) = (s("os"), s("architecture"));
    (!os.is_empty() && !arch.is_empty()).then(|| Platform::new(&os, &arch, &s("variant")))
}

/// The Return status for a pipeline error.
fn frontend_status(e: FrontendError, source: &SourceFile) -> rpc_pb::Status {
    match &e {
        FrontendError::UnsupportedSubrequest(id) => errors::unsupported_subrequest(id),
        FrontendError::Options(message) => errors::status(Code::InvalidArgument, message.clone()),
        FrontendError::Dockerfile { span, .. } => {
            let ranges: Vec<LineRange> = span.iter().map(|s| LineRange::from(*s)).collect();
            errors::dockerfile_status(e.to_string(), source, &ranges)
        }
        _ => errors::status(Code::Unknown, e.to_string()),
    }
}

/// A daemon error passed on: its code and typed details are kept, the message prefixed.
fn from_tonic(prefix: &str, s: &tonic::Status) -> rpc_pb::Status {
    let details = rpc_pb::Status::decode(s.details())
        .map(|st| st.details)
        .unwrap_or_default();
    let message = if prefix.is_empty() {
        s.message().to_string()
    } else {
        format!("{prefix}: {}", s.message())
    };
    rpc_pb::Status {
        code: s.code() as i32,
        message,
        details,
    }
}

fn prefix_status(prefix: &str, mut s: rpc_pb::Status) -> rpc_pb::Status {
    s.message = format!("{prefix}: {}", s.message);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::proto::apicaps_pb::ApiCap;
    use crate::gateway::proto::fsutil_pb;
    use tonic::Status;

    /// An in-memory BuildKit: solves return numbered refs, ReadFile serves `files` for any ref.
    #[derive(Default)]
    struct FakeBridge {
        files: BTreeMap<String, Vec<u8>>,
        frontend_caps: Vec<&'static str>,
        solves: Vec<gw::SolveRequest>,
        reads: Vec<String>,
        dirs_read: Vec<String>,
        resolved: Vec<String>,
        resolved_sources: Vec<pb::SourceOp>,
        warns: Vec<gw::WarnRequest>,
        returned: Vec<gw::ReturnRequest>,
        inputs: BTreeMap<String, pb::Definition>,
    }

    fn cap(id: &str) -> ApiCap {
        ApiCap {
            id: id.to_string(),
            enabled: true,
            ..Default::default()
        }
    }

    impl Bridge for FakeBridge {
        async fn ping(&mut self) -> Result<gw::PongResponse, Status> {
            Ok(gw::PongResponse {
                frontend_api_caps: self.frontend_caps.iter().map(|c| cap(c)).collect(),
                llb_caps: Vec::new(),
                workers: Vec::new(),
            })
        }
        async fn solve(&mut self, req: gw::SolveRequest) -> Result<gw::SolveResponse, Status> {
            self.solves.push(req);
            Ok(gw::SolveResponse {
                result: Some(gw::Result {
                    result: Some(gw::result::Result::Ref(gw::Ref {
                        id: format!("ref-{}", self.solves.len()),
                        def: None,
                    })),
                    ..Default::default()
                }),
                ..Default::default()
            })
        }
        async fn read_file(&mut self, req: gw::ReadFileRequest) -> Result<Vec<u8>, Status> {
            self.reads.push(req.file_path.clone());
            self.files
                .get(&req.file_path)
                .cloned()
                .ok_or_else(|| Status::not_found(format!("open {}: no such file", req.file_path)))
        }
        async fn read_dir(
            &mut self,
            req: gw::ReadDirRequest,
        ) -> Result<Vec<fsutil_pb::Stat>, Status> {
            self.dirs_read.push(req.dir_path.clone());
            let dir = req.dir_path.trim_matches('/');
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let mut entries: BTreeMap<String, fsutil_pb::Stat> = BTreeMap::new();
            for (path, data) in &self.files {
                let Some(rest) = path.strip_prefix(&prefix) else {
                    continue;
                };
                let (name, mode, size) = match rest.split_once('/') {
                    Some((d, _)) => (d, MODE_DIR | 0o755, 0),
                    None => (rest, 0o644, data.len() as i64),
                };
                entries.insert(
                    name.to_string(),
                    fsutil_pb::Stat {
                        path: name.to_string(),
                        mode,
                        size,
                        ..Default::default()
                    },
                );
            }
            Ok(entries.into_values().collect())
        }
        async fn resolve_image_config(
            &mut self,
            _: gw::ResolveImageConfigRequest,
        ) -> Result<gw::ResolveImageConfigResponse, Status> {
            Err(Status::unimplemented("no registry"))
        }
        async fn resolve_source_meta(
            &mut self,
            req: gw::ResolveSourceMetaRequest,
        ) -> Result<gw::ResolveSourceMetaResponse, Status> {
            self.resolved.push(req.log_name.clone());
            let source = req.source.unwrap_or_default();
            self.resolved_sources.push(source.clone());
            if !source.identifier.contains("busybox") && !source.identifier.contains("golang") {
                return Err(Status::not_found("pull access denied"));
            }
            Ok(gw::ResolveSourceMetaResponse {
                source: Some(source),
                image: Some(gw::ResolveSourceImageResponse {
                    digest: format!("sha256:{}", "a".repeat(64)),
                    config: br#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]}}"#.to_vec(),
                }),
            })
        }
        async fn inputs(&mut self) -> Result<gw::InputsResponse, Status> {
            Ok(gw::InputsResponse {
                definitions: self.inputs.clone(),
            })
        }
        async fn warn(&mut self, req: gw::WarnRequest) -> Result<(), Status> {
            self.warns.push(req);
            Ok(())
        }
        async fn finish(&mut self, req: gw::ReturnRequest) -> Result<(), Status> {
            self.returned.push(req);
            Ok(())
        }
    }

    fn env(opts: &[(&str, &str)]) -> GatewayEnv {
        GatewayEnv {
            opts: opts
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            session_id: "session-1".into(),
            workers: None,
        }
    }

    fn bridge_with(files: &[(&str, &str)]) -> FakeBridge {
        FakeBridge {
            files: files
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
            frontend_caps: vec!["solve.base", "return", "readfile", "proto.refarray"],
            ..Default::default()
        }
    }

    fn run(bridge: &mut FakeBridge, opts: &[(&str, &str)]) -> gw::ReturnRequest {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(serve(bridge, env(opts))).unwrap();
        assert_eq!(
            bridge.returned.len(),
            1,
            "Return must be called exactly once"
        );
        bridge.returned[0].clone()
    }

    const DOCKERFILE: &str = "FROM scratch AS base\nCOPY a /a\n\nFROM base\n";

    #[test]
    fn targets_subrequest_returns_metadata_without_ref() {
        let mut b = bridge_with(&[("Dockerfile", DOCKERFILE)]);
        let ret = run(&mut b, &[("requestid", "frontend.targets")]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        let result = ret.result.unwrap();
        assert!(result.result.is_none());
        let text = String::from_utf8(result.metadata["result.txt"].clone()).unwrap();
        assert_eq!(text, "TARGET    DESCRIPTION\nbase      \n(default) \n");
        assert_eq!(result.metadata["version"], b"1.0.0");
        assert!(result.metadata.contains_key("result.json"));
    }

    #[test]
    fn dockerfile_is_loaded_like_dockerfile_v0() {
        let mut b = bridge_with(&[("Dockerfile", DOCKERFILE)]);
        run(&mut b, &[("requestid", "frontend.targets")]);
        let def = b.solves[0].definition.clone().unwrap();
        let op = crate::llb::pb::Op::decode(def.def[0].as_slice()).unwrap();
        let Some(pb::op::Op::Source(src)) = op.op else {
            panic!("first solve is not a source");
        };
        assert_eq!(src.identifier, "local://dockerfile");
        assert_eq!(src.attrs["local.session"], "session-1");
        assert!(b.solves[0].allow_result_return && b.solves[0].allow_result_array_ref);
        assert_eq!(b.reads, ["Dockerfile", "Dockerfile.dockerignore"]);
    }

    #[test]
    fn lowercase_dockerfile_is_a_fallback() {
        let mut b = bridge_with(&[("dockerfile", DOCKERFILE)]);
        let ret = run(&mut b, &[("requestid", "frontend.targets")]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        assert_eq!(b.reads[..2], ["Dockerfile", "dockerfile"]);
    }

    #[test]
    fn missing_dockerfile_is_reported() {
        let mut b = bridge_with(&[]);
        let ret = run(&mut b, &[("filename", "Dockerfile.dev")]);
        let err = ret.error.unwrap();
        assert!(
            err.message
                .starts_with("failed to read dockerfile: open Dockerfile.dev"),
            "{}",
            err.message
        );
        assert!(ret.result.is_none());
    }

    #[test]
    fn parse_errors_point_at_the_line() {
        let mut b = bridge_with(&[("Dockerfile", "FROM scratch\nRUNN x\n")]);
        let ret = run(&mut b, &[]);
        let err = ret.error.unwrap();
        assert!(
            err.message.starts_with("dockerfile parse error on line 2"),
            "{}",
            err.message
        );
        assert_eq!(err.details.len(), 1);
        assert_eq!(err.details[0].type_url, errors::SOURCE_TYPE_URL);
        let v: Value = serde_json::from_slice(&err.details[0].value).unwrap();
        assert_eq!(v["ranges"][0]["start"]["line"], 2);
        assert_eq!(v["info"]["filename"], "Dockerfile");
        assert!(v["info"]["definition"]["def"].is_array());
    }

    #[test]
    fn unsupported_subrequests_and_caps_are_refused() {
        let mut b = bridge_with(&[("Dockerfile", DOCKERFILE)]);
        let ret = run(&mut b, &[("requestid", "frontend.lint")]);
        assert_eq!(
            ret.error.unwrap().message,
            "unsupported request frontend.lint"
        );

        let mut b = bridge_with(&[("Dockerfile", DOCKERFILE)]);
        let ret = run(
            &mut b,
            &[("frontend.caps", "moby.buildkit.frontend.gitquerystring")],
        );
        let err = ret.error.unwrap();
        assert_eq!(err.code, Code::Unimplemented as i32);
        assert!(b.solves.is_empty(), "nothing is solved after a cap error");
    }

    #[test]
    fn bad_options_fail_before_anything_is_solved() {
        let mut b = bridge_with(&[("Dockerfile", DOCKERFILE)]);
        let ret = run(&mut b, &[("image-resolve-mode", "sometimes")]);
        assert_eq!(
            ret.error.unwrap().message,
            "invalid image-resolve-mode: sometimes"
        );
        assert!(b.solves.is_empty());
    }

    #[test]
    fn refs_platforms_uses_go_field_names() {
        assert_eq!(
            refs_platforms_json(&[
                Platform::new("linux", "amd64", ""),
                Platform::new("linux", "arm", "v7")
            ]),
            r#"{"Platforms":[{"ID":"linux/amd64","Platform":{"architecture":"amd64","os":"linux"}},{"ID":"linux/arm/v7","Platform":{"architecture":"arm","os":"linux","variant":"v7"}}]}"#
        );
    }

    #[test]
    fn build_platform_falls_back_to_buildkit_workers_env() {
        let json = r#"[{"id":"w","platforms":[{"architecture":"arm64","os":"linux"}]}]"#;
        assert_eq!(
            platform_from_workers_json(json),
            Some(Platform::new("linux", "arm64", ""))
        );
        assert_eq!(platform_from_workers_json("garbage"), None);
    }

    fn build_bridge(dockerfile: &str) -> FakeBridge {
        let mut b = bridge_with(&[("Dockerfile", dockerfile), (".dockerignore", "*.log\n")]);
        b.frontend_caps.push("source.metaresolver");
        b
    }

    #[test]
    fn single_platform_build_returns_one_ref_with_image_metadata() {
        let mut b = build_bridge("FROM busybox\nRUN echo hi\n");
        let ret = run(&mut b, &[("platform", "linux/amd64")]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        let result = ret.result.unwrap();
        // solves: Dockerfile, .dockerignore, the build.
        assert_eq!(b.solves.len(), 3);
        assert_eq!(
            result.result,
            Some(gw::result::Result::Ref(gw::Ref {
                id: "ref-3".into(),
                def: None
            }))
        );
        let config: Value =
            serde_json::from_slice(&result.metadata["containerimage.config"]).unwrap();
        assert_eq!(config["os"], "linux");
        assert!(result.metadata.contains_key("containerimage.base.config"));
        assert_eq!(
            String::from_utf8(result.metadata["refs.platforms"].clone()).unwrap(),
            refs_platforms_json(&[Platform::new("linux", "amd64", "")])
        );
        assert_eq!(
            b.resolved,
            ["[internal] load metadata for docker.io/library/busybox:latest"]
        );
        assert_eq!(b.reads.last().map(String::as_str), Some(".dockerignore"));
        let build = b.solves[2].definition.as_ref().unwrap();
        assert!(build.def.len() >= 3, "image, exec and terminal ops");
    }

    #[test]
    fn oci_layout_context_resolves_from_the_client_store() {
        let mut b = build_bridge("FROM busybox\nRUN echo hi\n");
        let dgst = format!("sha256:{}", "d".repeat(64));
        let value = format!("oci-layout://store1:latest@{dgst}");
        let ret = run(
            &mut b,
            &[("platform", "linux/amd64"), ("context:busybox", &value)],
        );
        assert!(ret.error.is_none(), "{:?}", ret.error);
        let dummy = format!("docker.io/library/busybox@{dgst}");
        assert_eq!(
            b.resolved,
            [format!("[context busybox] load metadata for {dummy}")]
        );
        let source = &b.resolved_sources[0];
        assert_eq!(source.identifier, format!("oci-layout://{dummy}"));
        let attrs: Vec<(&str, &str)> = source
            .attrs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            attrs,
            [("oci.session", "session-1"), ("oci.store", "store1")]
        );
    }

    #[test]
    fn multi_platform_build_returns_refs_keyed_by_platform() {
        let mut b = build_bridge("FROM scratch\nCOPY a.txt /\n");
        let ret = run(&mut b, &[("platform", "linux/amd64,linux/arm64")]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        let result = ret.result.unwrap();
        let Some(gw::result::Result::Refs(refs)) = result.result else {
            panic!("expected a ref map");
        };
        assert_eq!(
            refs.refs.keys().collect::<Vec<_>>(),
            ["linux/amd64", "linux/arm64"]
        );
        for p in ["linux/amd64", "linux/arm64"] {
            assert!(result
                .metadata
                .contains_key(&format!("containerimage.config/{p}")));
        }
        assert!(!result.metadata.contains_key("containerimage.config"));
    }

    #[test]
    fn unresolvable_images_fail_the_build_with_their_name() {
        let mut b = build_bridge("FROM nosuchimage:1\n");
        let ret = run(&mut b, &[]);
        let err = ret.error.unwrap();
        assert!(
            err.message.contains("docker.io/library/nosuchimage:1"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("pull access denied"),
            "{}",
            err.message
        );
    }

    #[test]
    fn conversion_errors_carry_the_dockerfile_source() {
        let mut b = build_bridge("FROM scratch\nCOPY --from=nope /a /a\n");
        let ret = run(&mut b, &[("target", "missing")]);
        let err = ret.error.unwrap();
        assert_eq!(err.message, "target stage \"missing\" could not be found");
    }

    #[test]
    fn conversion_warnings_go_to_the_dockerfile_vertex() {
        let mut b = build_bridge("FROM scratch\nCOPY a.txt \\\n\n  /c.txt\n");
        b.frontend_caps.push("gateway.warnings");
        let ret = run(&mut b, &[]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        assert_eq!(b.warns.len(), 1);
        let w = &b.warns[0];
        let short = String::from_utf8(w.short.clone()).unwrap();
        assert!(short.starts_with("Empty continuation line"), "{short}");
        let load = b.solves[0].definition.as_ref().unwrap();
        assert_eq!(w.digest, crate::llb::Digest::of(&load.def[0]).to_string());
        assert_eq!(w.level, 1);
        assert_eq!(w.info.as_ref().unwrap().filename, "Dockerfile");
    }

    fn source_ids(req: &gw::SolveRequest) -> Vec<String> {
        let def = req.definition.as_ref().unwrap();
        def.def
            .iter()
            .filter_map(|b| match pb::Op::decode(b.as_slice()).unwrap().op {
                Some(pb::op::Op::Source(s)) => Some(s.identifier),
                Some(pb::op::Op::File(_)) => Some("file".to_string()),
                _ => None,
            })
            .collect()
    }

    const REMOTE_DOCKERFILE: &str = "FROM scratch\nCOPY a /a\n";

    #[test]
    fn git_context_reads_the_dockerfile_from_the_git_source_without_dockerignore() {
        let mut b = bridge_with(&[
            ("sub/Dockerfile", REMOTE_DOCKERFILE),
            ("sub/Dockerfile.dockerignore", "a\n"),
        ]);
        let url = "http://127.0.0.1:1/repo.git#main";
        let ret = run(&mut b, &[("context", url), ("filename", "sub/Dockerfile")]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        // solves: the git source (Dockerfile), the build; no local .dockerignore load.
        assert_eq!(b.solves.len(), 2);
        assert_eq!(
            source_ids(&b.solves[0]),
            ["git://127.0.0.1:1/repo.git#main"]
        );
        assert_eq!(b.reads, ["sub/Dockerfile", "sub/Dockerfile.dockerignore"]);
        let build = source_ids(&b.solves[1]);
        assert!(build.contains(&"git://127.0.0.1:1/repo.git#main".to_string()));
        assert!(
            !build.iter().any(|id| id.starts_with("local://")),
            "{build:?}"
        );
    }

    #[test]
    fn http_context_that_is_not_an_archive_is_the_dockerfile_named_context() {
        let mut b = bridge_with(&[("context", REMOTE_DOCKERFILE)]);
        let ret = run(&mut b, &[("context", "http://127.0.0.1:1/Dockerfile")]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        assert_eq!(b.reads, ["context", "context", "context.dockerignore"]);
        assert_eq!(source_ids(&b.solves[1]), ["http://127.0.0.1:1/Dockerfile"]);
        let build = source_ids(&b.solves[2]);
        assert!(build.contains(&"http://127.0.0.1:1/Dockerfile".to_string()));
        let file_ops = build.iter().filter(|id| *id == "file").count();
        assert_eq!(file_ops, 1, "only the COPY: {build:?}");
    }

    #[test]
    fn http_context_archive_is_unpacked_and_holds_the_dockerfile() {
        let mut b = bridge_with(&[("Dockerfile", REMOTE_DOCKERFILE)]);
        b.files.insert("context".into(), vec![0x1F, 0x8B, 0x08, 0]);
        let ret = run(&mut b, &[("context", "https://127.0.0.1:1/ctx.tar.gz")]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        assert_eq!(
            b.reads,
            ["context", "Dockerfile", "Dockerfile.dockerignore"]
        );
        assert_eq!(
            source_ids(&b.solves[1]),
            ["https://127.0.0.1:1/ctx.tar.gz", "file"]
        );
        let build = source_ids(&b.solves[2]);
        let file_ops = build.iter().filter(|id| *id == "file").count();
        assert_eq!(file_ops, 2, "the unpack and the COPY: {build:?}");
    }

    #[test]
    fn non_url_context_option_stays_a_local_context() {
        let mut b = bridge_with(&[("Dockerfile", REMOTE_DOCKERFILE)]);
        let ret = run(&mut b, &[("context", "mydir")]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        assert_eq!(b.reads.last().map(String::as_str), Some(".dockerignore"));
    }

    #[test]
    fn local_named_contexts_get_their_own_dockerignore_read_first() {
        let mut b = bridge_with(&[
            ("Dockerfile", "FROM scratch\nCOPY --from=extra . /x\n"),
            (".dockerignore", "drop\n"),
        ]);
        let ret = run(&mut b, &[("context:extra", "local:extra")]);
        assert!(ret.error.is_none(), "{:?}", ret.error);
        // solves: Dockerfile, main .dockerignore, extra's .dockerignore, the build.
        assert_eq!(b.solves.len(), 4);
        assert_eq!(source_ids(&b.solves[2]), ["local://extra"]);
        let build = b.solves[3].definition.as_ref().unwrap();
        let extra = build
            .def
            .iter()
            .find_map(|bytes| match pb::Op::decode(bytes.as_slice()).unwrap().op {
                Some(pb::op::Op::Source(s)) if s.identifier == "local://extra" => Some(s),
                _ => None,
            })
            .expect("named local in the build");
        assert_eq!(extra.attrs["local.excludepatterns"], r#"["drop"]"#);
    }

    #[test]
    fn input_named_context_imports_the_frontend_input_with_its_image_config() {
        use base64::Engine as _;
        let mut b = bridge_with(&[("Dockerfile", "FROM base\nRUN echo hi\n")]);
        let remote = crate::convert::remote::RemoteContext::detect(&BuildOptions {
            remote_context: Some("http://127.0.0.1:1/base.tar".into()),
            ..BuildOptions::default()
        })
        .unwrap();
        let def = remote
            .definition(&crate::llb::Caps::v0_13_defaults(), true)
            .unwrap();
        b.inputs.insert("base".into(), def);
        let config = r#"{"architecture":"amd64","os":"linux","config":{"Env":["FROM_INPUT=1"],"WorkingDir":"/w"}}"#;
        let md = json!({
            "containerimage.config":
                base64::engine::general_purpose::STANDARD.encode(config)
        })
        .to_string();
        let ret = run(
            &mut b,
            &[
                ("context:base", "input:base"),
                ("input-metadata:base", md.as_str()),
                ("platform", "linux/amd64"),
            ],
        );
        assert!(ret.error.is_none(), "{:?}", ret.error);
        let build = source_ids(b.solves.last().unwrap());
        assert!(
            build.contains(&"http://127.0.0.1:1/base.tar".to_string()),
            "{build:?}"
        );
        let result = ret.result.unwrap();
        let image: Value =
            serde_json::from_slice(&result.metadata["containerimage.config"]).unwrap();
        // dockerfile.v0 adds the default PATH to a base without one.
        assert_eq!(image["config"]["Env"][0], "FROM_INPUT=1");
        assert_eq!(image["config"]["WorkingDir"], "/w");

        let mut missing = bridge_with(&[("Dockerfile", "FROM base\n")]);
        let ret = run(&mut missing, &[("context:base", "input:base")]);
        let error = ret.error.expect("an unknown input fails");
        assert!(
            error.message.contains("invalid input base for base"),
            "{}",
            error.message
        );
    }

    mod go {
        //! The gateway side of the Go rewrites: context facts, the summary solve, opt-outs.
        use super::*;

        const GO_DOCKERFILE: &str =
            "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";

        fn go_bridge() -> FakeBridge {
            let mut b = bridge_with(&[
                ("Dockerfile", GO_DOCKERFILE),
                (".dockerignore", "secret\n"),
                ("go.mod", "module example.com/m\n\ngo 1.22\n"),
                ("go.sum", ""),
                ("main.go", "package main\n"),
                ("sub/go.mod", "module example.com/sub\n"),
            ]);
            b.frontend_caps.push("source.metaresolver");
            b
        }

        fn facts_source(b: &FakeBridge) -> Option<pb::SourceOp> {
            b.solves.iter().find_map(|req| {
                let def = req.definition.as_ref()?;
                def.def
                    .iter()
                    .find_map(|bytes| match pb::Op::decode(bytes.as_slice()).ok()?.op {
                        Some(pb::op::Op::Source(s))
                            if s.attrs.contains_key("local.includepattern") =>
                        {
                            Some(s)
                        }
                        _ => None,
                    })
            })
        }

        #[test]
        fn go_builds_read_only_module_files_from_the_local_context() {
            let mut b = go_bridge();
            let ret = run(&mut b, &[]);
            assert!(ret.error.is_none(), "{:?}", ret.error);
            let source = facts_source(&b).expect("a context facts transfer");
            assert_eq!(source.identifier, "local://context");
            assert_eq!(source.attrs["local.excludepatterns"], r#"["secret"]"#);
            assert_eq!(source.attrs["local.session"], "session-1");
            assert_eq!(b.dirs_read, ["/", "sub"]);
            let module_reads: Vec<&String> = b
                .reads
                .iter()
                .filter(|r| r.ends_with("go.mod") || r.ends_with("go.sum"))
                .collect();
            assert_eq!(module_reads, ["go.mod", "go.sum", "sub/go.mod"]);
            assert!(!b.reads.iter().any(|r| r == "main.go"));
        }

        #[test]
        fn non_go_and_opted_out_builds_read_no_facts() {
            let mut b = bridge_with(&[("Dockerfile", "FROM busybox\nRUN echo go build\n")]);
            b.frontend_caps.push("source.metaresolver");
            let ret = run(&mut b, &[]);
            assert!(ret.error.is_none(), "{:?}", ret.error);
            assert!(facts_source(&b).is_none());
            assert!(b.dirs_read.is_empty());

            let mut b = go_bridge();
            let ret = run(&mut b, &[("build-arg:GOFRONT", "off")]);
            assert!(ret.error.is_none(), "{:?}", ret.error);
            assert!(facts_source(&b).is_none());
            // solves: Dockerfile, .dockerignore, the build: no summary.
            assert_eq!(b.solves.len(), 3);
        }

        #[test]
        fn a_bad_skip_list_is_an_invalid_argument_error() {
            let mut b = go_bridge();
            let ret = run(&mut b, &[("build-arg:GOFRONT_SKIP", "deps,nope")]);
            let err = ret.error.expect("an unknown rewrite name fails the build");
            assert_eq!(err.code, Code::InvalidArgument as i32);
            assert!(err.message.contains("GOFRONT_SKIP"), "{}", err.message);
        }

        #[test]
        fn remote_contexts_get_no_facts_and_the_summary_says_why() {
            let mut b = go_bridge();
            let url = "http://127.0.0.1:1/repo.git#main";
            let ret = run(&mut b, &[("context", url)]);
            assert!(ret.error.is_none(), "{:?}", ret.error);
            assert!(facts_source(&b).is_none());
            let summary = b
                .solves
                .iter()
                .find(|s| s.evaluate)
                .expect("an evaluated summary solve");
            let def = summary.definition.as_ref().unwrap();
            let names: Vec<String> = crate::llb::definition_vertices(def)
                .unwrap()
                .into_iter()
                .filter_map(|v| v.name)
                .collect();
            assert_eq!(names.len(), 5, "one decision per kind: {names:?}");
            assert!(
                names[0].starts_with(
                    "[gofront] deps skipped (stage build, line 1): the build context is remote"
                ),
                "{names:?}"
            );
            // The summary is solved before the build, which comes last.
            let last = b.solves.last().unwrap();
            assert!(!last.evaluate);
        }

        #[test]
        fn too_many_module_bytes_skip_the_facts() {
            let mut budget = FactsBudget::new(CONTEXT_FACTS_MAX_ENTRIES);
            assert!(budget.take_bytes(crate::context::MAX_BYTES).is_ok());
            let err = budget.take_bytes(1).unwrap_err();
            assert!(err.contains("exceed 8 MiB"), "{err}");
        }
    }
}
