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
/// How often an open socket's token is checked again.
const RECHECK: Duration = Duration::from_secs(30);

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
    let token = match parse_bearer(authorization) {
        Bearer::Token(token) => token.to_owned(),
        _ => String::new(),
    };
    let Ok(viewer) = state.app.auth.authenticate(&token).await else {
        let _ = sink.send(close(4403, "Forbidden")).await;
        return;
    };

    // The token is checked again at every `subscribe` and every RECHECK: a session ended,
    // a key revoked or a role changed closes the socket with 4403.
    let (revoked_tx, mut revoked) = tokio::sync::watch::channel(false);
    let still_valid = {
        let auth = state.app.auth.clone();
        let (tenant, role) = (viewer.tenant, viewer.role);
        move |token: String| {
            let auth = auth.clone();
            async move {
                auth.authenticate(&token)
                    .await
                    .is_ok_and(|v| v.tenant == tenant && v.role == role)
            }
        }
    };
    let watchdog = {
        let (still_valid, token, revoked_tx) =
            (still_valid.clone(), token.clone(), revoked_tx.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(RECHECK).await;
                if !still_valid(token.clone()).await {
                    let _ = revoked_tx.send(true);
                    return;
                }
            }
        })
    };

    let mut data = Data::default();
    data.insert(viewer);
    let mut data = Some(data);
    let input = stream::once(async move { first }).chain(stream::unfold(
        (incoming, still_valid, token, revoked_tx),
        |(mut incoming, still_valid, token, revoked_tx)| async move {
            let bytes = next_data(&mut incoming).await?;
            let subscribing = serde_json::from_slice::<Value>(&bytes)
                .is_ok_and(|m| m.get("type").and_then(Value::as_str) == Some("subscribe"));
            if subscribing && !still_valid(token.clone()).await {
                let _ = revoked_tx.send(true);
                return None;
            }
            Some((bytes, (incoming, still_valid, token, revoked_tx)))
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
    loop {
        tokio::select! {
            message = outgoing.next() => match message {
                Some(message) => {
                    if sink.send(message).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            _ = revoked.changed() => break,
        }
    }
    watchdog.abort();
    if *revoked.borrow() {
        let _ = sink.send(close(4403, "Forbidden")).await;
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
