//! `/graphql/ws`: subscriptions over graphql-transport-ws. The first message must be
//! `connection_init` with `{"authorization": "Bearer <access token or API key>"}`; a missing
//! or refused token closes the socket with 4403, as the protocol says.
//!
//! A client renews the socket's token without dropping its subscriptions by sending a `ping`
//! whose payload carries `{"authorization": "Bearer <new access token>"}` of the same session
//! (as `refresh` gives): the `pong` answers `{"renewed": true}`, or `{"renewed": false,
//! "message": ...}` and the socket keeps the token it had.

mod guard;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::Data;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Extension;

use futures::future::FutureExt;
use futures::stream::{AbortHandle, AbortRegistration, Abortable, BoxStream, SelectAll};
use futures::{stream, SinkExt, StreamExt};
use serde_json::Value;

use super::graphql::Bearer;
use super::router::HttpState;
use super::serve::ReadBudget;
use crate::error::{AppError, ErrorCode};
use crate::graphql::shared::{Follower, SharedSubscriptions};
use crate::services::auth::{Auth, Viewer, NO_CREDENTIALS};
use crate::services::presence::Lease;
use guard::Guard;

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

/// Each socket's read buffer, and the most read from the socket at once. A client sends
/// little (`subscribe`, `ping`, `complete`); a larger message still arrives whole, the
/// buffer growing to its length.
const SOCKET_READ_BUFFER: usize = 1024;
/// The writes a socket gathers before sending them.
const SOCKET_WRITE_BUFFER: usize = 4 * 1024;

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
    // Most sockets sit idle for hours with small messages now and then: small buffers (not
    // the 128 KiB default each way) keep an idle subscriber cheap; a larger message still
    // arrives whole, read in several chunks.
    ws.protocols(["graphql-transport-ws"])
        .read_buffer_size(SOCKET_READ_BUFFER)
        .write_buffer_size(SOCKET_WRITE_BUFFER)
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

/// The ids of the socket's running subscriptions, to hold them to the cap, each shared one
/// with the handle that ends it here.
#[derive(Clone, Default)]
struct Active(Arc<Ids>);

impl Active {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<AbortHandle>>> {
        self.0
             .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn insert(&self, id: String, shared: Option<AbortHandle>) {
        if let std::collections::hash_map::Entry::Vacant(entry) = self.lock().entry(id) {
            entry.insert(shared);
            crate::telemetry::metrics::subscriptions_changed(1);
        }
    }

    /// Forgets `id`; answers its handle when it was shared.
    fn remove(&self, id: &str) -> Option<AbortHandle> {
        let removed = self.lock().remove(id)?;
        crate::telemetry::metrics::subscriptions_changed(-1);
        removed
    }
}

/// The ids themselves; when the socket's last handle goes, its subscriptions end with it.
#[derive(Default)]
struct Ids(Mutex<HashMap<String, Option<AbortHandle>>>);

impl Drop for Ids {
    fn drop(&mut self) {
        let ended = match self.0.get_mut() {
            Ok(ids) => ids.len(),
            Err(poisoned) => poisoned.into_inner().len(),
        };
        crate::telemetry::metrics::subscriptions_changed(-(ended as i64));
    }
}

async fn serve(socket: WebSocket, state: HttpState, budget: Option<ReadBudget>) {
    let _open = crate::telemetry::metrics::WebSocketOpen::new();
    let (mut sink, mut incoming) = socket.split();
    // Subscribed before the token is checked, so no revocation falls in between.
    let revocations = state.services.events.revocations();
    let auth = &state.services.auth;
    // The steps before and after the socket's life are boxed: inline, their futures would
    // size the socket's task for as long as it lives, and most sockets sit idle for hours.
    let (first, token, viewer) = match Box::pin(accept(&mut incoming, auth)).await {
        Ok(accepted) => accepted,
        Err(refused) => {
            if let Some(close) = refused {
                let _ = sink.send(close).await;
            }
            return;
        }
    };
    if let Some(budget) = &budget {
        budget.lift();
    }
    let lease = Box::pin(presence_lease(&state, &viewer)).await;
    let (guard, revoked) = Guard::new(auth.clone(), token, viewer.clone());
    let watchdog = tokio::spawn(guard.clone().watch(revocations));
    let active = Active::default();
    // Answers the socket gives itself (refusals, renewal pongs), besides the protocol's.
    // A channel that allocates per message, not a block of slots up front: most sockets
    // never send an answer of their own.
    let (answers_tx, answers) = futures::channel::mpsc::unbounded::<Message>();
    let (followers_tx, followers) = futures::channel::mpsc::unbounded();
    let input = ClientInput {
        incoming,
        guard,
        active: active.clone(),
        answers: answers_tx,
        cap: state.settings.ws_max_subscriptions,
        shared: state.shared.clone(),
        followers: followers_tx,
    };
    let input = stream::once(async move { first })
        .chain(stream::unfold(input, |mut input| async move {
            input.next().await.map(|bytes| (bytes, input))
        }));
    let mut data = Data::default();
    data.insert(viewer);
    let mut data = Some(data);
    let outgoing = async_graphql::http::WebSocket::new(
        state.schema.clone(),
        input,
        WebSocketProtocols::GraphQLWS,
    )
    .on_connection_init(move |_| {
        let data = data.take().unwrap_or_default();
        async move { Ok(data) }
    })
    .map(move |message| frame(message, &active));
    futures::pin_mut!(outgoing);
    let sources = Sources {
        answers,
        followers,
        shared: None,
        outgoing,
        revoked,
    };
    pump(&mut sink, sources).await;
    watchdog.abort();
    if let Some(lease) = lease {
        Box::pin(lease.release()).await;
    }
}

/// A signed-in member's socket counts towards their presence while it lives. Without the
/// lease the socket still serves; the member may then lapse to OFFLINE sooner.
async fn presence_lease(state: &HttpState, viewer: &Viewer) -> Option<Lease> {
    let (Some(tenant), Some(user)) = (viewer.tenant, viewer.user_id()) else {
        return None;
    };
    match state.services.presence.connect(tenant, user).await {
        Ok(lease) => Some(lease),
        Err(e) => {
            tracing::warn!(tenant.id = %tenant, error = %format!("{:#}", anyhow::Error::from(e)), "could not record a live socket for presence");
            None
        }
    }
}

/// Reads `connection_init` and authenticates its token: the first message's bytes, the
/// token and who it is, or the close frame to answer with (none when the client left).
async fn accept<S>(
    incoming: &mut S,
    auth: &Auth,
) -> Result<(axum::body::Bytes, String, Viewer), Option<Message>>
where
    S: futures::Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let first = match tokio::time::timeout(INIT_TIMEOUT, next_data(incoming)).await {
        Err(_) => return Err(Some(close(4408, "Connection initialisation timeout"))),
        Ok(None) => return Err(None),
        Ok(Some(bytes)) => bytes,
    };
    let message: Value =
        serde_json::from_slice(&first).map_err(|_| Some(close(4400, "Invalid message")))?;
    match message.get("type").and_then(Value::as_str) {
        Some("connection_init") => {}
        Some("subscribe") => return Err(Some(close(4401, "Unauthorized"))),
        _ => return Err(Some(close(4400, "Invalid message"))),
    }
    let authorization = message
        .get("payload")
        .and_then(|p| p.get("authorization").or_else(|| p.get("Authorization")))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let token = match parse_bearer(authorization) {
        Bearer::Token(token) => token.to_owned(),
        Bearer::None => return Err(Some(close(4403, NO_CREDENTIALS))),
        Bearer::Malformed => return Err(Some(close(4403, MALFORMED_BEARER))),
    };
    // The close reason says what HTTP would say in `errors[0].message`.
    match auth.authenticate(&token).await {
        Ok(viewer) => Ok((first, token, viewer)),
        Err(AppError::Unauthenticated(reason)) => Err(Some(close(4403, reason))),
        Err(e) => {
            tracing::error!(error = %format!("{:#}", anyhow::Error::from(e)), "authentication failed");
            Err(Some(close(1011, "internal error")))
        }
    }
}

/// What the client sends after `connection_init`, as the protocol handler reads it: renewal
/// pings are answered here, and a `subscribe` is let through only while the token still
/// grants it and the socket is under its cap. A subscription that can share its rendering
/// with other sockets' is joined to theirs here instead, its frames going straight to the
/// socket.
struct ClientInput<S> {
    incoming: S,
    guard: Guard,
    active: Active,
    answers: futures::channel::mpsc::UnboundedSender<Message>,
    cap: usize,
    shared: SharedSubscriptions,
    followers: futures::channel::mpsc::UnboundedSender<BoxStream<'static, Message>>,
}

impl<S> ClientInput<S>
where
    S: futures::Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    async fn next(&mut self) -> Option<axum::body::Bytes> {
        loop {
            let bytes = next_data(&mut self.incoming).await?;
            if let Some(authorization) = renewal(&bytes) {
                let answer = match self.guard.renew(&authorization).await {
                    Ok(()) => serde_json::json!({ "renewed": true }),
                    Err(message) => serde_json::json!({ "renewed": false, "message": message }),
                };
                // Never blocks: the receiver lives as long as the socket.
                let _ = self.answers.unbounded_send(pong(answer));
                continue;
            }
            match kind_and_id(&bytes) {
                Some((kind, Some(id))) if kind == "subscribe" => {
                    if !self.guard.still_valid().await {
                        self.guard.revoke();
                        return None;
                    }
                    {
                        let ids = self.active.lock();
                        // A repeated id goes to the protocol handler, as it always did.
                        if ids.contains_key(&id) {
                            return Some(bytes);
                        }
                        if ids.len() >= self.cap {
                            drop(ids);
                            let _ = self.answers.unbounded_send(refusal(&id, self.cap));
                            continue;
                        }
                    }
                    if let Some(follower) = self.join(&bytes) {
                        let (handle, registration) = AbortHandle::new_pair();
                        self.active.insert(id.clone(), Some(handle));
                        let frames = frames(id, follower, registration, self.active.clone());
                        // Never blocks: the receiver lives as long as the socket.
                        let _ = self.followers.unbounded_send(frames);
                        continue;
                    }
                    self.active.insert(id, None);
                }
                Some((kind, Some(id))) if kind == "complete" => {
                    if let Some(shared) = self.active.remove(&id) {
                        shared.abort();
                        let _ = self.answers.unbounded_send(completed(&id));
                        continue;
                    }
                }
                _ => {}
            }
            return Some(bytes);
        }
    }
}

impl<S> ClientInput<S> {
    /// The shared rendering a `subscribe` message joins, when it can share one.
    fn join(&self, bytes: &[u8]) -> Option<Follower> {
        #[derive(serde::Deserialize)]
        struct Subscribe<'a> {
            #[serde(borrow)]
            payload: &'a serde_json::value::RawValue,
        }
        let message: Subscribe<'_> = serde_json::from_slice(bytes).ok()?;
        self.shared.join(self.guard.viewer(), message.payload.get())
    }
}

/// A JSON string's text, quoted and escaped.
fn quoted(text: &str) -> String {
    Value::from(text).to_string()
}

/// The protocol's `complete` for `id`, as the protocol handler words it.
fn completed(id: &str) -> Message {
    Message::Text(format!(r#"{{"type":"complete","id":{}}}"#, quoted(id)).into())
}

/// A shared subscription's frames for this socket: a `next` for each response, then its
/// `complete`; nothing more once the client completed it (`registration` aborted).
fn frames(
    id: String,
    follower: Follower,
    registration: AbortRegistration,
    active: Active,
) -> BoxStream<'static, Message> {
    let quoted_id = quoted(&id);
    let next = follower.map(move |payload| {
        Message::Text(format!(r#"{{"type":"next","id":{quoted_id},"payload":{payload}}}"#).into())
    });
    let end = stream::once(async move {
        active.remove(&id);
        completed(&id)
    });
    Abortable::new(next.chain(end), registration).boxed()
}

/// A message of the protocol handler as a frame; a subscription the server ended frees its
/// place.
fn frame(message: WsMessage, active: &Active) -> Message {
    match message {
        WsMessage::Text(text) => {
            if text.contains("\"complete\"") || text.contains("\"error\"") {
                if let Some((kind, Some(id))) = kind_and_id(text.as_bytes()) {
                    if kind == "complete" || kind == "error" {
                        let _ = active.remove(&id);
                    }
                }
            }
            Message::Text(text.into())
        }
        WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })),
    }
}

/// Everything a socket sends: its own answers, its shared subscriptions' frames and the
/// protocol handler's, until the handler ends or the access is revoked.
struct Sources<O> {
    answers: futures::channel::mpsc::UnboundedReceiver<Message>,
    /// Shared subscriptions joined since the last message.
    followers: futures::channel::mpsc::UnboundedReceiver<BoxStream<'static, Message>>,
    /// Made when the first is joined: most sockets share nothing.
    shared: Option<SelectAll<BoxStream<'static, Message>>>,
    outgoing: O,
    revoked: tokio::sync::watch::Receiver<bool>,
}

impl<O: futures::Stream<Item = Message> + Unpin> Sources<O> {
    /// The next message to send; `None` once the socket is done.
    async fn next(&mut self) -> Option<Message> {
        loop {
            // The socket's own answers first: one queued while reading a later message goes
            // out before that message's answer.
            tokio::select! {
                biased;
                Some(message) = self.answers.next() => return Some(message),
                Some(frames) = self.followers.next() => {
                    self.shared.get_or_insert_with(SelectAll::new).push(frames)
                }
                Some(message) = next_shared(&mut self.shared) => return Some(message),
                message = self.outgoing.next() => return message,
                _ = self.revoked.changed() => return None,
            }
        }
    }
}

/// The next frame of the socket's shared subscriptions; pending while there are none.
async fn next_shared(
    shared: &mut Option<SelectAll<BoxStream<'static, Message>>>,
) -> Option<Message> {
    match shared {
        Some(shared) if !shared.is_empty() => shared.next().await,
        _ => std::future::pending().await,
    }
}

/// Messages written together at most before they are flushed.
const WRITE_BATCH: usize = 64;

/// Sends the socket's messages until either side ends or the access is revoked, then closes
/// with 4403 if it was. Messages ready together are written together, with one flush.
async fn pump<K, O>(sink: &mut K, mut sources: Sources<O>)
where
    K: futures::Sink<Message> + Unpin,
    O: futures::Stream<Item = Message> + Unpin,
{
    let mut done = false;
    while !done {
        let Some(message) = sources.next().await else {
            break;
        };
        if sink.feed(message).await.is_err() {
            break;
        }
        for _ in 1..WRITE_BATCH {
            match sources.next().now_or_never() {
                Some(Some(message)) => {
                    if sink.feed(message).await.is_err() {
                        done = true;
                        break;
                    }
                }
                Some(None) => {
                    done = true;
                    break;
                }
                None => break,
            }
        }
        if sink.flush().await.is_err() {
            break;
        }
    }
    if *sources.revoked.borrow() {
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
