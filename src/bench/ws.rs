//! WebSocket clients for the benchmarks: a GraphQL subscription over graphql-transport-ws,
//! and a plain socket for the bare baseline server.

use std::net::SocketAddr;

use anyhow::{bail, Context};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A graphql-transport-ws socket to the server at `addr`, acknowledged, with `query`
/// subscribed as id "1" (the server answers a subscribe with nothing until an event).
pub async fn subscribe(addr: SocketAddr, token: &str, query: &str) -> anyhow::Result<Socket> {
    let mut socket = initialised(addr, token).await?;
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": query } });
    socket.send(Message::text(sub.to_string())).await?;
    Ok(socket)
}

/// A graphql-transport-ws socket after `connection_ack`, with nothing subscribed yet.
pub async fn initialised(addr: SocketAddr, token: &str) -> anyhow::Result<Socket> {
    let mut request = format!("ws://{addr}/graphql/ws").into_client_request()?;
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .context("opening a WebSocket")?;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket.send(Message::text(init.to_string())).await?;
    match socket.next().await {
        Some(Ok(Message::Text(text))) if text.contains("connection_ack") => Ok(socket),
        other => bail!("the WebSocket was not acknowledged: {other:?}"),
    }
}

/// A plain WebSocket to `url`.
pub async fn plain(url: &str) -> anyhow::Result<Socket> {
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .context("opening a WebSocket")?;
    Ok(socket)
}

/// The next JSON text frame, skipping pings and other frames; `None` when the socket ends.
/// The next text frame; `None` once the socket ends.
pub async fn next_text(socket: &mut Socket) -> Option<tokio_tungstenite::tungstenite::Utf8Bytes> {
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Text(text) = message {
            return Some(text);
        }
    }
    None
}

pub async fn next_json(socket: &mut Socket) -> Option<Value> {
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Text(text) = message {
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                return Some(value);
            }
        }
    }
    None
}
