//! The slice of BuildKit's `LLBBridge` API the frontend uses, as a trait: [`GrpcBridge`] (the
//! gRPC client, with concurrent file reads and side solves) implements it, and tests drive the
//! whole gateway flow with an in-memory fake.
//!
//! Not for: deciding what to ask (see `session`).

use tonic::Status;

use super::proto::{fsutil_pb, gateway_pb as gw};

use super::transport::Client;

/// How many `ReadFile` requests the gateway client keeps in flight at once (HTTP/2 streams on
/// the one connection to the daemon).
pub const READ_CONCURRENCY: usize = 16;

/// The calls the frontend makes to BuildKit. Every method maps to one RPC.
#[allow(async_fn_in_trait)]
pub trait Bridge {
    /// `Ping`: capabilities and workers.
    async fn ping(&mut self) -> Result<gw::PongResponse, Status>;
    /// `Solve`.
    async fn solve(&mut self, req: gw::SolveRequest) -> Result<gw::SolveResponse, Status>;
    /// `Solve` of something the build does not wait for (the Go summary): the real bridge sends
    /// it on its own stream and goes on, and `finish` waits for it before `Return`. A failure is
    /// logged, never the build's. This default solves in place.
    async fn solve_aside(&mut self, req: gw::SolveRequest) {
        if let Err(e) = self.solve(req).await {
            tracing::warn!(error = %e.message(), "a side solve failed");
        }
    }
    /// `ReadFile`: the file's bytes.
    async fn read_file(&mut self, req: gw::ReadFileRequest) -> Result<Vec<u8>, Status>;
    /// `ReadFile` of several files, results in request order. The real client keeps up to
    /// [`READ_CONCURRENCY`] requests in flight (each is a round trip to the daemon); this default
    /// reads one after the other.
    async fn read_files(&mut self, reqs: Vec<gw::ReadFileRequest>) -> Vec<Result<Vec<u8>, Status>> {
        let mut out = Vec::with_capacity(reqs.len());
        for req in reqs {
            out.push(self.read_file(req).await);
        }
        out
    }
    /// `ReadDir`: the entries of one directory of a ref (not recursive).
    async fn read_dir(&mut self, req: gw::ReadDirRequest) -> Result<Vec<fsutil_pb::Stat>, Status>;
    /// `ResolveImageConfig`.
    async fn resolve_image_config(
        &mut self,
        req: gw::ResolveImageConfigRequest,
    ) -> Result<gw::ResolveImageConfigResponse, Status>;
    /// `ResolveSourceMeta` (BuildKit v0.13+).
    async fn resolve_source_meta(
        &mut self,
        req: gw::ResolveSourceMetaRequest,
    ) -> Result<gw::ResolveSourceMetaResponse, Status>;
    /// `Inputs`: the frontend inputs passed by the client.
    async fn inputs(&mut self) -> Result<gw::InputsResponse, Status>;
    /// `Warn`: a build warning shown to the user.
    async fn warn(&mut self, req: gw::WarnRequest) -> Result<(), Status>;
    /// `Return`: the final result or error (called exactly once, after every side solve).
    async fn finish(&mut self, req: gw::ReturnRequest) -> Result<(), Status>;
}

/// The bridge to the daemon: the gRPC client, and the solves sent aside that `Return` waits for.
pub struct GrpcBridge {
    client: Client,
    aside: tokio::task::JoinSet<()>,
}

impl GrpcBridge {
    /// A bridge over a connected client.
    pub fn new(client: Client) -> Self {
        GrpcBridge {
            client,
            aside: tokio::task::JoinSet::new(),
        }
    }
}

impl Bridge for GrpcBridge {
    async fn ping(&mut self) -> Result<gw::PongResponse, Status> {
        let mut req = tonic::Request::new(gw::PingRequest {});
        req.set_timeout(std::time::Duration::from_secs(15));
        Ok(Client::ping(&mut self.client, req).await?.into_inner())
    }

    async fn solve(&mut self, req: gw::SolveRequest) -> Result<gw::SolveResponse, Status> {
        Ok(Client::solve(&mut self.client, req).await?.into_inner())
    }

    async fn read_file(&mut self, req: gw::ReadFileRequest) -> Result<Vec<u8>, Status> {
        Ok(Client::read_file(&mut self.client, req)
            .await?
            .into_inner()
            .data)
    }

    async fn read_files(&mut self, reqs: Vec<gw::ReadFileRequest>) -> Vec<Result<Vec<u8>, Status>> {
        let mut results: Vec<Option<Result<Vec<u8>, Status>>> = Vec::new();
        results.resize_with(reqs.len(), || None);
        let mut pending = reqs.into_iter().enumerate();
        let mut running = tokio::task::JoinSet::new();
        loop {
            while running.len() < READ_CONCURRENCY {
                let Some((index, req)) = pending.next() else {
                    break;
                };
                let mut client = self.client.clone();
                running.spawn(async move {
                    let data = Client::read_file(&mut client, req)
                        .await
                        .map(|r| r.into_inner().data);
                    (index, data)
                });
            }
            match running.join_next().await {
                Some(Ok((index, data))) => {
                    if let Some(slot) = results.get_mut(index) {
                        *slot = Some(data);
                    }
                }
                // A read task cannot panic (panic = "abort"); a cancelled one leaves its slot
                // empty and is reported below.
                Some(Err(_)) => {}
                None => break,
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Status::internal("ReadFile did not complete"))))
            .collect()
    }

    async fn read_dir(&mut self, req: gw::ReadDirRequest) -> Result<Vec<fsutil_pb::Stat>, Status> {
        Ok(Client::read_dir(&mut self.client, req)
            .await?
            .into_inner()
            .entries)
    }

    async fn resolve_image_config(
        &mut self,
        req: gw::ResolveImageConfigRequest,
    ) -> Result<gw::ResolveImageConfigResponse, Status> {
        Ok(Client::resolve_image_config(&mut self.client, req)
            .await?
            .into_inner())
    }

    async fn resolve_source_meta(
        &mut self,
        req: gw::ResolveSourceMetaRequest,
    ) -> Result<gw::ResolveSourceMetaResponse, Status> {
        Ok(Client::resolve_source_meta(&mut self.client, req)
            .await?
            .into_inner())
    }

    async fn inputs(&mut self) -> Result<gw::InputsResponse, Status> {
        Ok(Client::inputs(&mut self.client, gw::InputsRequest {})
            .await?
            .into_inner())
    }

    async fn warn(&mut self, req: gw::WarnRequest) -> Result<(), Status> {
        Client::warn(&mut self.client, req).await.map(|_| ())
    }

    async fn solve_aside(&mut self, req: gw::SolveRequest) {
        let mut client = self.client.clone();
        self.aside.spawn(async move {
            if let Err(e) = Client::solve(&mut client, req).await {
                tracing::warn!(error = %e.message(), "a side solve failed");
            }
        });
    }

    async fn finish(&mut self, req: gw::ReturnRequest) -> Result<(), Status> {
        // BuildKit cancels what is still running once the frontend returns.
        while self.aside.join_next().await.is_some() {}
        Client::r#return(&mut self.client, req).await.map(|_| ())
    }
}
