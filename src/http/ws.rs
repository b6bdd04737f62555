//! `/graphql/ws`: subscriptions over graphql-transport-ws. The first message must be
//! `connection_init` with `{"authorization": "Bearer <access token or API key>"}`; a missing
//! or refused token closes the socket with 4403, as the protocol says.

use std::time::Duration;

use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::Data;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures::{stream, SinkExt, StreamExt};
use serde_json::Value;

use super::graphql::Bearer;
use super::router::HttpState;

/// How long a client has to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The bearer token of an `Authorization` header.
pub fn bearer(headers: &HeaderMap) -> Bearer<'_> {
    match headers.get(header::AUTHORIZATION) {
        None => Bearer::None,
        Some(value) => parse_bearer(value.to_str().unwrap_or_default()),
    }
}

fn parse_bearer(value: &str) -> Bearer<'_> {
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Bearer::Token(token.trim())
        }
        _ => Bearer::Malformed,
    }
}

pub async fn upgrade(State(state): State<HttpState>, ws: WebSocketUpgrade) -> Response {
    ws.protocols(["graphql-transport-ws"])
        .on_upgrade(move |socket| serve(socket, state))
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

async fn serve(socket: WebSocket, state: HttpState) {
    let (mut sink, mut incoming) = socket.split();

    let first = match tokio::time::timeout(INIT_TIMEOUT, next_data(&mut incoming)).await {
        Err(_) => {
            let _ = sink
                .send(close(4408, "Connection initialisation timeout"))
                .await;
            return;
        }
        Ok(None) => return,
        Ok(Some(bytes)) => bytes,
    };
    let message: Value = match serde_json::from_slice(&first) {
        Ok(v) => v,
        Err(_) => {
            let _ = sink.send(close(4400, "Invalid message")).await;
            return;
        }
    };
    match message.get("type").and_then(Value::as_str) {
        Some("connection_init") => {}
        Some("subscribe") => {
            let _ = sink.send(close(4401, "Unauthorized")).await;
            return;
        }
        _ => {
            let _ = sink.send(close(4400, "Invalid message")).await;
            return;
        }
    }
    let authorization = message
        .get("payload")
        .and_then(|p| p.get("authorization").or_else(|| p.get("Authorization")))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let viewer = match parse_bearer(authorization) {
        Bearer::Token(token) => state.app.auth.authenticate(token).await.ok(),
        _ => None,
    };
    let Some(viewer) = viewer else {
        let _ = sink.send(close(4403, "Forbidden")).await;
        return;
    };

    let mut data = Data::default();
    data.insert(viewer);
    let mut data = Some(data);
    let input = stream::once(async move { first }).chain(stream::unfold(
        incoming,
        |mut incoming| async move {
            next_data(&mut incoming)
                .await
                .map(|bytes| (bytes, incoming))
        },
    ));
    let outgoing = async_graphql::http::WebSocket::new(
        state.schema.clone(),
        input,
        WebSocketProtocols::GraphQLWS,
    )
    .on_connection_init(move |_| {
        let data = data.take().unwrap_or_default();
        async move { Ok(data) }
    })
    .map(|msg| match msg {
        WsMessage::Text(text) => Message::Text(text.into()),
        WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })),
    });
    futures::pin_mut!(outgoing);
    while let Some(message) = outgoing.next().await {
        if sink.send(message).await.is_err() {
            break;
        }
    }
}

/// The next text or binary frame's bytes; `None` when the socket closes or fails.
async fn next_data<S>(incoming: &mut S) -> Option<axum::body::Bytes>
where
    S: futures::Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    loop {
        match incoming.next().await? {
            Ok(Message::Text(text)) => {
                return Some(axum::body::Bytes::copy_from_slice(text.as_bytes()))
            }
            Ok(Message::Binary(bytes)) => return Some(bytes),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}
