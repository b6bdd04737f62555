//! `/graphql/ws`: subscriptions over graphql-transport-ws. The first message must be
//! `connection_init` with `{"authorization": "Bearer <access token or API key>"}`; a missing
//! or refused token closes the socket with 4403, as the protocol says.
//!
//! A client renews the socket's token without dropping its subscriptions by sending a `ping`
//! whose payload carries `{"authorization": "Bearer <new access token>"}` of the same session
//! (as `refresh` gives): the `pong` answers `{"renewed": true}`, or `{"renewed": false,
//! "message": ...}` and the socket keeps the token it had.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::Data;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Extension;
use chrono::{DateTime, Utc};
use futures::{stream, SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

use super::graphql::Bearer;
use super::router::HttpState;
use super::serve::ReadBudget;
use crate::error::{AppError, ErrorCode};
use crate::services::auth::{Principal, Viewer};

/// What a client may send before its `connection_init` is accepted: a token is well under
/// 1 KiB, so this leaves room for a payload and pings but not for a large frame.
const PRE_AUTH_BYTES: u64 = 16 * 1024;
/// How long a client has to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an open socket's token is checked again, besides when a revocation concerns it.
const RECHECK: Duration = Duration::from_secs(30);
/// Past a token's expiry, when it is surely refused (the verifier allows 5 s of clock skew).
const EXPIRY_SLACK: chrono::TimeDelta = chrono::TimeDelta::seconds(6);

/// What a request whose `Authorization` is not `Bearer <token>` is told.
pub const MALFORMED_BEARER: &str = "the Authorization header must be Bearer <token>";
/// Why an open socket closes when its session, key or role no longer grants it.
const REVOKED: &str = "the session ended or its access changed; sign in again";
/// Why a renewal is refused when its token is valid but not of the socket's session.
const OTHER_SESSION: &str =
    "a socket renews only with a token of the session, key and role it was opened with";

/// The bearer token of an `Authorization` header.
pub fn bearer(headers: &HeaderMap) -> Bearer<'_> {
    match headers.get(header::AUTHORIZATION) {
        None => Bearer::None,
        Some(value) => parse_bearer(value.to_str().unwrap_or_default()),
    }
}

fn parse_bearer(value: &str) -> Bearer<'_> {
    if value.trim().is_empty() {
        return Bearer::None;
    }
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Bearer::Token(token.trim())
        }
        _ => Bearer::Malformed,
    }
}

pub async fn upgrade(
    State(state): State<HttpState>,
    budget: Option<Extension<ReadBudget>>,
    ws: WebSocketUpgrade,
) -> Response {
    // One message may be as large as a GraphQL request over HTTP, and no larger; before
    // `connection_init` is accepted, a client may send PRE_AUTH_BYTES in all.
    let limit = state.settings.body_limit;
    let budget = budget.map(|Extension(b)| b);
    if let Some(budget) = &budget {
        budget.limit(PRE_AUTH_BYTES);
    }
    ws.protocols(["graphql-transport-ws"])
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| serve(socket, state, budget))
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// A `subscribe` over the socket's cap, answered with an `error` for its id: the protocol's
/// way to refuse one operation while the socket and its other subscriptions go on.
fn refusal(id: &str, cap: usize) -> Message {
    let text = serde_json::json!({
        "id": id,
        "type": "error",
        "payload": [{
            "message": format!("this socket already has {cap} subscriptions; complete one first"),
            "extensions": { "code": ErrorCode::RateLimited.as_str() },
        }],
    });
    Message::Text(text.to_string().into())
}

/// The socket's current token (the one of `connection_init`, or of its latest renewal) and
/// when it expires, if it does (an API key does not).
#[derive(Clone)]
struct Credential(Arc<Mutex<(String, Option<DateTime<Utc>>)>>);

impl Credential {
    fn new(token: String, viewer: &Viewer) -> Self {
        Self(Arc::new(Mutex::new((token, expiry(viewer)))))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (String, Option<DateTime<Utc>>)> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn token(&self) -> String {
        self.lock().0.clone()
    }

    fn set(&self, token: String, viewer: &Viewer) {
        *self.lock() = (token, expiry(viewer));
    }

    /// When the watchdog should look next: at `next_check`, or just after the token expires
    /// (past the verifier's leeway) when that comes first.
    fn wake(&self, next_check: tokio::time::Instant) -> tokio::time::Instant {
        let Some(expires_at) = self.lock().1 else {
            return next_check;
        };
        match (expires_at + EXPIRY_SLACK - Utc::now()).to_std() {
            Ok(left) => next_check.min(tokio::time::Instant::now() + left),
            Err(_) => next_check,
        }
    }
}

fn expiry(viewer: &Viewer) -> Option<DateTime<Utc>> {
    match viewer.principal {
        Principal::User { expires_at, .. } => Some(expires_at),
        Principal::ApiKey { .. } => None,
    }
}

/// Whether two viewers are the same session (or key) with the same tenant and role.
fn same_grant(a: &Viewer, b: &Viewer) -> bool {
    let same_principal = match (&a.principal, &b.principal) {
        (
            Principal::User { id, session, .. },
            Principal::User {
                id: i, session: s, ..
            },
        ) => id == i && session == s,
        (Principal::ApiKey { id, .. }, Principal::ApiKey { id: i, .. }) => id == i,
        _ => false,
    };
    same_principal && a.tenant == b.tenant && a.role == b.role
}

fn pong(payload: Value) -> Message {
    let text = serde_json::json!({ "type": "pong", "payload": payload });
    Message::Text(text.to_string().into())
}

/// The new token a `ping` asks the socket to renew with, if it carries one.
fn renewal(bytes: &[u8]) -> Option<String> {
    let message: Value = serde_json::from_slice(bytes).ok()?;
    if message.get("type")?.as_str()? != "ping" {
        return None;
    }
    let payload = message.get("payload")?;
    let value = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"))?
        .as_str()?;
    Some(value.to_owned())
}

/// The `type` and `id` of a graphql-transport-ws message.
fn kind_and_id(bytes: &[u8]) -> Option<(String, Option<String>)> {
    let message: Value = serde_json::from_slice(bytes).ok()?;
    let kind = message.get("type")?.as_str()?.to_owned();
    let id = message.get("id").and_then(Value::as_str).map(str::to_owned);
    Some((kind, id))
}

/// The ids of the socket's running subscriptions, to hold them to the cap.
#[derive(Clone, Default)]
struct Active(Arc<Mutex<HashSet<String>>>);

impl Active {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

async fn serve(socket: WebSocket, state: HttpState, budget: Option<ReadBudget>) {
    let (mut sink, mut incoming) = socket.split();
    // Subscribed before the token is checked, so no revocation falls in between.
    let mut revocations = state.services.events.revocations();

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
        Bearer::None => {
            let _ = sink
                .send(close(4403, crate::services::auth::NO_CREDENTIALS))
                .await;
            return;
        }
        Bearer::Malformed => {
            let _ = sink.send(close(4403, MALFORMED_BEARER)).await;
            return;
        }
    };
    // The close reason says what HTTP would say in `errors[0].message`.
    let viewer = match state.services.auth.authenticate(&token).await {
        Ok(viewer) => viewer,
        Err(AppError::Unauthenticated(reason)) => {
            let _ = sink.send(close(4403, reason)).await;
            return;
        }
        Err(e) => {
            tracing::error!(error = %format!("{:#}", anyhow::Error::from(e)), "authentication failed");
            let _ = sink.send(close(1011, "internal error")).await;
            return;
        }
    };
    if let Some(budget) = &budget {
        budget.lift();
    }

    // The token is checked again at every `subscribe`, whenever a revocation concerns this
    // socket (logout, a role or password change, deactivation, a revoked key) and every
    // RECHECK as a backstop, and just after the token expires: when it no longer grants what
    // it did, the socket closes with 4403 (a renewal through `ping` keeps it open).
    let (revoked_tx, mut revoked) = tokio::sync::watch::channel(false);
    let credential = Credential::new(token, &viewer);
    let still_valid = {
        let auth = state.services.auth.clone();
        let (tenant, role) = (viewer.tenant, viewer.role);
        let credential = credential.clone();
        move || {
            let (auth, token) = (auth.clone(), credential.token());
            async move {
                auth.authenticate(&token)
                    .await
                    .is_ok_and(|v| v.tenant == tenant && v.role == role)
            }
        }
    };
    let watchdog = {
        let (still_valid, revoked_tx) = (still_valid.clone(), revoked_tx.clone());
        let (viewer, credential) = (viewer.clone(), credential.clone());
        tokio::spawn(async move {
            let mut next_check = tokio::time::Instant::now() + RECHECK;
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(credential.wake(next_check)) => {
                        next_check = tokio::time::Instant::now() + RECHECK;
                    }
                    received = revocations.recv() => match received {
                        Ok(revocation) if revocation.concerns(&viewer) => {}
                        Ok(_) => continue,
                        // Missed some: any of them may have been about this socket.
                        Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => {
                            tokio::time::sleep_until(next_check).await;
                            next_check = tokio::time::Instant::now() + RECHECK;
                        }
                    },
                }
                if !still_valid().await {
                    let _ = revoked_tx.send(true);
                    return;
                }
            }
        })
    };
    let renew = {
        let auth = state.services.auth.clone();
        let (viewer, credential) = (viewer.clone(), credential.clone());
        move |authorization: String| {
            let (auth, viewer, credential) = (auth.clone(), viewer.clone(), credential.clone());
            async move {
                let token = match parse_bearer(&authorization) {
                    Bearer::Token(token) => token.to_owned(),
                    Bearer::None => return Err(crate::services::auth::NO_CREDENTIALS),
                    Bearer::Malformed => return Err(MALFORMED_BEARER),
                };
                match auth.authenticate(&token).await {
                    Ok(renewed) if same_grant(&viewer, &renewed) => {
                        credential.set(token, &renewed);
                        Ok(())
                    }
                    Ok(_) => Err(OTHER_SESSION),
                    Err(AppError::Unauthenticated(reason)) => Err(reason),
                    Err(_) => Err("the token could not be checked; try again"),
                }
            }
        }
    };

    let cap = state.settings.ws_max_subscriptions;
    let active = Active::default();
    // Answers the socket gives itself (refusals, renewal pongs), besides the protocol's.
    let (refusals_tx, mut refusals) = tokio::sync::mpsc::unbounded_channel::<Message>();
    let mut data = Data::default();
    data.insert(viewer);
    let mut data = Some(data);
    let input = stream::once(async move { first }).chain(stream::unfold(
        (incoming, still_valid, renew, revoked_tx, active.clone()),
        move |(mut incoming, still_valid, renew, revoked_tx, active)| {
            let refusals_tx = refusals_tx.clone();
            async move {
                loop {
                    let bytes = next_data(&mut incoming).await?;
                    if let Some(authorization) = renewal(&bytes) {
                        let answer = match renew(authorization).await {
                            Ok(()) => serde_json::json!({ "renewed": true }),
                            Err(message) => {
                                serde_json::json!({ "renewed": false, "message": message })
                            }
                        };
                        // Never blocks: the receiver lives as long as the socket.
                        let _ = refusals_tx.send(pong(answer));
                        continue;
                    }
                    match kind_and_id(&bytes) {
                        Some((kind, Some(id))) if kind == "subscribe" => {
                            if !still_valid().await {
                                let _ = revoked_tx.send(true);
                                return None;
                            }
                            let mut ids = active.lock();
                            // A repeated id goes through: the protocol closes the socket
                            // (4409) for it.
                            if !ids.contains(&id) && ids.len() >= cap {
                                // Never blocks: the receiver lives as long as the socket.
                                let _ = refusals_tx.send(refusal(&id, cap));
                                continue;
                            }
                            ids.insert(id);
                        }
                        Some((kind, Some(id))) if kind == "complete" => {
                            active.lock().remove(&id);
                        }
                        _ => {}
                    }
                    return Some((bytes, (incoming, still_valid, renew, revoked_tx, active)));
                }
            }
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
    .map(move |msg| match msg {
        WsMessage::Text(text) => {
            // A subscription the server ended frees its place.
            if text.contains("\"complete\"") || text.contains("\"error\"") {
                if let Some((kind, Some(id))) = kind_and_id(text.as_bytes()) {
                    if kind == "complete" || kind == "error" {
                        active.lock().remove(&id);
                    }
                }
            }
            Message::Text(text.into())
        }
        WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })),
    });
    futures::pin_mut!(outgoing);
    loop {
        // Refusals first: one queued while reading a later message goes out before that
        // message's answer.
        tokio::select! {
            biased;
            Some(message) = refusals.recv() => {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
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
        let _ = sink.send(close(4403, REVOKED)).await;
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
