//! The slice of BuildKit's `LLBBridge` API the frontend uses, as a trait: the real gRPC client
//! implements it, and tests drive the whole gateway flow with an in-memory fake.
//!
//! Not for: deciding what to ask (see `session`).

use tonic::Status;

use super::proto::{fsutil_pb, gateway_pb as gw};

use super::transport::Client;

/// The calls the frontend makes to BuildKit. Every method maps to one RPC.
#[allow(async_fn_in_trait)]
pub trait Bridge {
    /// `Ping`: capabilities and workers.
    async fn ping(&mut self) -> Result<gw::PongResponse, Status>;
    /// `Solve`.
    async fn solve(&mut self, req: gw::SolveRequest) -> Result<gw::SolveResponse, Status>;
    /// `ReadFile`: the file's bytes.
    async fn read_file(&mut self, req: gw::ReadFileRequest) -> Result<Vec<u8>, Status>;
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
    /// `Return`: the final result or error (called exactly once).
    async fn finish(&mut self, req: gw::ReturnRequest) -> Result<(), Status>;
}

impl Bridge for Client {
    async fn ping(&mut self) -> Result<gw::PongResponse, Status> {
        let mut req = tonic::Request::new(gw::PingRequest {});
        req.set_timeout(std::time::Duration::from_secs(15));
        Ok(Client::ping(self, req).await?.into_inner())
    }

    async fn solve(&mut self, req: gw::SolveRequest) -> Result<gw::SolveResponse, Status> {
        Ok(Client::solve(self, req).await?.into_inner())
    }

    async fn read_file(&mut self, req: gw::ReadFileRequest) -> Result<Vec<u8>, Status> {
        Ok(Client::read_file(self, req).await?.into_inner().data)
    }

    async fn read_dir(&mut self, req: gw::ReadDirRequest) -> Result<Vec<fsutil_pb::Stat>, Status> {
        Ok(Client::read_dir(self, req).await?.into_inner().entries)
    }

    async fn resolve_image_config(
        &mut self,
        req: gw::ResolveImageConfigRequest,
    ) -> Result<gw::ResolveImageConfigResponse, Status> {
        Ok(Client::resolve_image_config(self, req).await?.into_inner())
    }

    async fn resolve_source_meta(
        &mut self,
        req: gw::ResolveSourceMetaRequest,
    ) -> Result<gw::ResolveSourceMetaResponse, Status> {
        Ok(Client::resolve_source_meta(self, req).await?.into_inner())
    }

    async fn inputs(&mut self) -> Result<gw::InputsResponse, Status> {
        Ok(Client::inputs(self, gw::InputsRequest {})
            .await?
            .into_inner())
    }

    async fn warn(&mut self, req: gw::WarnRequest) -> Result<(), Status> {
        Client::warn(self, req).await.map(|_| ())
    }

    async fn finish(&mut self, req: gw::ReturnRequest) -> Result<(), Status> {
        Client::r#return(self, req).await.map(|_| ())
    }
}
