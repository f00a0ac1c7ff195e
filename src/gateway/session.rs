//! One frontend run, as `dockerfile.v0` does it: Ping → options → read the Dockerfile (and its
//! own ignore file) → run the [`Pipeline`], answering what it asks (build-context reads, base
//! images) over the bridge → show the Go summary and warnings → Solve per platform → Return
//! exactly once. Generic over [`Bridge`] so tests drive it without a daemon.
//!
//! Split by concern: this file is the flow; `read` reads the Dockerfile and answers the
//! pipeline's context requests, `resolve` resolves base images, `result` solves the plan and
//! builds the Return value.
//!
//! Not for: transport (see `transport`), planning (see [`crate::frontend`]).

use std::collections::BTreeMap;

use prost::Message as _;
use serde_json::Value;

use crate::dockerui::Dockerignore;
use crate::frontend::{ContextSource, DaemonInfo, FrontendError, Outcome, Pipeline, Request, Step};
use crate::llb::{LineRange, SourceFile};
use crate::options::BuildOptions;
use crate::platform::Platform;

use super::bridge::Bridge;
use super::caps::{check_frontend_caps, llb_caps, FrontendCaps};
use super::errors::{self, Code};
use super::proto::{gateway_pb as gw, rpc_pb, worker_pb};

mod read;
mod resolve;
mod result;

/// What BuildKit told the process through its environment.
#[derive(Debug, Clone, Default)]
pub struct GatewayEnv {
    /// `BUILDKIT_FRONTEND_OPT_*` options.
    pub opts: BTreeMap<String, String>,
    /// `BUILDKIT_SESSION_ID`.
    pub session_id: String,
    /// `BUILDKIT_WORKERS` (JSON), if set.
    pub workers: Option<String>,
    /// `BUILDKIT_EXPORTEDPRODUCT` (`docker` under dockerd): the product named in "please
    /// update ..." cap errors.
    pub exported_product: String,
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
            exported_product: get("BUILDKIT_EXPORTEDPRODUCT").unwrap_or_default(),
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
    daemon: DaemonInfo,
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
        let build_platform = worker_platform(&pong.workers)
            .or_else(|| env.workers.as_deref().and_then(platform_from_workers_json))
            .unwrap_or_else(Platform::host);
        let daemon = DaemonInfo {
            llb_caps: llb_caps(&pong.llb_caps),
            build_platform,
            session_id: env.session_id.clone(),
        };
        Ok(Session {
            bridge,
            env,
            daemon,
            gw_caps,
        })
    }

    async fn run(mut self) -> Result<gw::Result, rpc_pb::Status> {
        if !self.daemon.llb_caps.has("file.base") {
            return Err(errors::status(
                Code::Unimplemented,
                "needs BuildKit 0.5 or later: the daemon does not support file operations (file.base)",
            ));
        }
        let options = BuildOptions::from_opts(&self.env.opts)
            .map_err(|e| errors::status(Code::InvalidArgument, e.to_string()))?;
        check_frontend_caps(&options.frontend_caps)?;
        let loaded = self.read_dockerfile(&options).await?;
        let context = match loaded.remote {
            Some((remote, archive)) => ContextSource::Remote { remote, archive },
            None => ContextSource::Local {
                dockerignore: loaded.dockerignore.as_deref().map(Dockerignore::parse),
            },
        };
        let source = loaded.source;
        let fail = |e: FrontendError| frontend_status(e, &source);
        let mut pipeline = Pipeline::new(Request {
            dockerfile: source.clone(),
            options,
            daemon: self.daemon.clone(),
            context,
            builtin_go_images: false,
        });
        let plan = loop {
            let step = match pipeline.step() {
                Ok(step) => step,
                Err(e) => {
                    // Warnings found before the error are shown with it, as BuildKit does.
                    self.send_warnings(&pipeline.check_report(), &source).await;
                    return Err(fail(e));
                }
            };
            match step {
                Step::Done(Outcome::Answer(answer)) => return Ok(result::subrequest(answer)),
                Step::Done(Outcome::Plan(plan)) => break *plan,
                Step::NeedContext(request) => {
                    let answer = self.answer(&request).await?;
                    pipeline.provide_context(answer);
                }
                Step::NeedImages(requests) => {
                    for request in requests {
                        let options = &pipeline.request().options;
                        let image = match self.resolve(&request, options).await {
                            Ok(image) => image,
                            Err(e) => match pipeline.fail(e) {
                                // `--check` answers with the error as its build error.
                                Ok(Step::Done(Outcome::Answer(a))) => {
                                    return Ok(result::subrequest(a))
                                }
                                Ok(_) => {
                                    return Err(errors::status(
                                        Code::Unknown,
                                        "internal error: a failed plan asked for more",
                                    ))
                                }
                                Err(e) => {
                                    self.send_warnings(&pipeline.check_report(), &source).await;
                                    return Err(fail(e));
                                }
                            },
                        };
                        pipeline.provide_image(&request, image);
                    }
                }
            }
        };
        self.show_summary(&plan).await;
        self.send_warnings(&plan.checks, &source).await;
        self.solve_plan(plan, &pipeline.request().options).await
    }

    /// Solves a Definition and returns its ref id ("" = empty filesystem).
    async fn solve_ref(
        &mut self,
        definition: crate::llb::pb::Definition,
        cache_imports: Vec<gw::CacheOptionsEntry>,
    ) -> Result<String, rpc_pb::Status> {
        crate::llb::check_definition_caps(
            &definition,
            &self.daemon.llb_caps,
            &self.env.exported_product,
        )
        .map_err(|e| errors::status(Code::Unknown, e.to_string()))?;
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
            let ranges: Vec<LineRange> = span
                .iter()
                .map(|s| LineRange::new(s.start, s.end))
                .collect();
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
mod tests;
