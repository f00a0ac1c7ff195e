//! The gRPC channel to BuildKit's `LLBBridge`: one HTTP/2 (h2c, prior knowledge) connection over
//! a byte stream, normally this process's stdin/stdout opened as non-blocking pipes
//! (`tokio::io::stdin` would block the runtime's shutdown forever, because BuildKit keeps our
//! stdin open until we exit). The connector hands out its stream exactly once, so the channel can
//! never reconnect onto the same pipes.
//!
//! Not for: anything above the wire (see `bridge`).

use std::os::fd::AsFd as _;
use std::sync::{Arc, Mutex};

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::transport::{Channel, Endpoint, Uri};

use super::proto::gateway_pb::llb_bridge_client::LlbBridgeClient;

/// BuildKit's message size limit in both directions (containerd's `DefaultMaxRecvMsgSize`).
pub const MAX_MESSAGE_SIZE: usize = 16 << 20;

/// The bridge client type the gateway uses.
pub type Client = LlbBridgeClient<Channel>;

/// Opens stdin/stdout as non-blocking pipes and connects the bridge client over them.
pub async fn connect_stdio() -> Result<Client, TransportError> {
    let rx = tokio::net::unix::pipe::Receiver::from_owned_fd(
        std::io::stdin().as_fd().try_clone_to_owned()?,
    )?;
    let tx = tokio::net::unix::pipe::Sender::from_owned_fd(
        std::io::stdout().as_fd().try_clone_to_owned()?,
    )?;
    connect(tokio::io::join(rx, tx)).await
}

/// Connects the bridge client over any byte stream (stdio pipes in production, an in-memory
/// duplex in tests). The stream is used for exactly one connection.
pub async fn connect<IO>(io: IO) -> Result<Client, TransportError>
where
    IO: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let slot = Arc::new(Mutex::new(Some(io)));
    let channel = Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let io = slot.lock().ok().and_then(|mut s| s.take());
            async move {
                io.map(TokioIo::new).ok_or_else(|| {
                    std::io::Error::other("the BuildKit connection was already used once")
                })
            }
        }))
        .await?;
    Ok(LlbBridgeClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE))
}

/// Why the connection could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// stdin/stdout are not usable pipes.
    #[error("cannot open stdio as pipes (is this running under BuildKit?): {0}")]
    Io(#[from] std::io::Error),
    /// The HTTP/2 handshake failed.
    #[error("cannot connect to BuildKit over stdio: {0}")]
    Connect(#[from] tonic::transport::Error),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::proto::gateway_pb as gw;
    use prost::Message as _;

    /// A one-RPC gRPC server written against h2 directly: answers `Ping` with a pong that has a
    /// 5 MiB cap id, so the client's raised decode limit is exercised too.
    async fn serve_ping(io: tokio::io::DuplexStream) {
        let mut conn = h2::server::handshake(io).await.unwrap();
        if let Some(Ok((req, mut respond))) = conn.accept().await {
            assert_eq!(
                req.uri().path(),
                "/moby.buildkit.v1.frontend.LLBBridge/Ping"
            );
            let pong = gw::PongResponse {
                frontend_api_caps: vec![crate::gateway::proto::apicaps_pb::ApiCap {
                    id: "x".repeat(5 << 20),
                    enabled: true,
                    ..Default::default()
                }],
                ..Default::default()
            };
            let body = pong.encode_to_vec();
            let mut frame = vec![0u8];
            frame.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes());
            frame.extend_from_slice(&body);
            let response = http::Response::builder()
                .header("content-type", "application/grpc")
                .body(())
                .unwrap();
            let mut send = respond.send_response(response, false).unwrap();
            send.send_data(bytes::Bytes::from(frame), false).unwrap();
            let mut trailers = http::HeaderMap::new();
            trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
            send.send_trailers(trailers).unwrap();
        }
        // Keep driving the connection until the client goes away.
        while let Some(Ok(_)) = conn.accept().await {}
    }

    #[test]
    fn client_talks_grpc_over_any_byte_stream() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client_io, server_io) = tokio::io::duplex(1 << 16);
            let server = tokio::spawn(serve_ping(server_io));
            let mut client = connect(client_io).await.unwrap();
            let pong = client.ping(gw::PingRequest {}).await.unwrap().into_inner();
            assert_eq!(pong.frontend_api_caps[0].id.len(), 5 << 20);
            drop(client);
            server.abort();
        });
    }
}
