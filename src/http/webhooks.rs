//! Provider webhooks. A request is answered 200 only after what it carries is committed;
//! a bad or missing signature answers 403 and stores nothing; an unknown key 404; a body
//! over 1 MiB, or with more messages and statuses than `SWITCHBOARD_WEBHOOK_MAX_EVENTS`,
//! 413; a body that does not parse 400; a storage failure 503, so the provider delivers it
//! again.
//!
//! A delivery is stored in transactions of at most [`INGEST_CHUNK`] events, so one tenant's
//! large batch never holds SQLite's single write lock for long while another's webhook
//! waits. A failure after some chunks answers 503; the provider's retry replays the whole
//! batch, and the chunks already stored are no-ops then (messages are unique per provider
//! id, statuses per id and status).

use std::collections::HashMap;

use axum::body::{to_bytes, Body};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::router::HttpState;
use crate::domain::PublicUrls;
use crate::providers::{Credentials, ProviderKind, WebhookEvent, WebhookRequest};
use crate::store::channels::{ChannelRecord, ProviderConfig};

/// The largest webhook body accepted.
pub const BODY_LIMIT: usize = 1 << 20;

/// Events stored per transaction.
pub const INGEST_CHUNK: usize = 50;

/// Why a webhook was refused; each maps to one status code.
#[derive(Debug)]
enum Refusal {
    UnknownKey,
    TooLarge,
    BadSignature,
    Malformed,
    Unavailable,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::UnknownKey => StatusCode::NOT_FOUND.into_response(),
            Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE.into_response(),
            Refusal::BadSignature => StatusCode::FORBIDDEN.into_response(),
            Refusal::Malformed => StatusCode::BAD_REQUEST.into_response(),
            Refusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    }
}

/// The channel a webhook key names, if it is of `kind`.
async fn channel_for(
    state: &HttpState,
    key: &str,
    kind: ProviderKind,
) -> Result<ChannelRecord, Refusal> {
    match state
        .app
        .store
        .system()
        .find_channel_by_webhook_key(key)
        .await
    {
        Ok(Some(channel)) if channel.provider() == kind => Ok(channel),
        Ok(_) => {
            // The key itself is a routing secret: not logged.
            tracing::warn!(
                provider = kind.as_str(),
                "webhook refused: no channel of this provider has this webhook key"
            );
            Err(Refusal::UnknownKey)
        }
        Err(e) => {
            tracing::error!(error = %e, "webhook channel lookup failed");
            Err(Refusal::Unavailable)
        }
    }
}

/// Reads the body, finds the channel and checks the signature over the public URL the
/// provider called.
async fn verified(
    state: &HttpState,
    key: &str,
    kind: ProviderKind,
    request: Request,
) -> Result<(ChannelRecord, WebhookRequest, Vec<WebhookEvent>), Refusal> {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        tracing::warn!(
            provider = kind.as_str(),
            limit = BODY_LIMIT,
            "webhook refused: body too large or cut off"
        );
        Refusal::TooLarge
    })?;
    let channel = channel_for(state, key, kind).await?;
    let signature_header = match kind {
        ProviderKind::Twilio => "x-twilio-signature",
        ProviderKind::Meta => "x-hub-signature-256",
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let webhook = WebhookRequest {
        url: PublicUrls::new(&state.app.config.public_url).of(path_and_query),
        content_type: header_text(&parts.headers, header::CONTENT_TYPE.as_str()),
        signature: header_text(&parts.headers, signature_header),
        body: body.to_vec(),
    };
    let provider = state.app.channels.provider(&channel).map_err(|e| {
        tracing::error!(channel.id = %channel.id, error = %e, "cannot open the channel's credentials");
        Refusal::Unavailable
    })?;
    if !provider.verify_signature(&webhook) {
        tracing::warn!(channel.id = %channel.id, provider = kind.as_str(), "webhook refused: bad or missing signature");
        return Err(Refusal::BadSignature);
    }
    let events = provider.parse_webhook(&webhook).map_err(|e| {
        // The parser's reason may quote the body (texts, numbers): its size only.
        tracing::warn!(
            channel.id = %channel.id,
            provider = kind.as_str(),
            reason_chars = e.to_string().len(),
            "webhook refused: malformed body"
        );
        Refusal::Malformed
    })?;
    if events.len() > state.app.config.webhook_max_events {
        tracing::warn!(channel.id = %channel.id, events = events.len(), max = state.app.config.webhook_max_events, "webhook refused: too many events in one delivery");
        return Err(Refusal::TooLarge);
    }
    Ok((channel, webhook, events))
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Stores the events and publishes them after the commit.
async fn store(
    state: &HttpState,
    channel: &ChannelRecord,
    events: &[WebhookEvent],
) -> Result<(), Refusal> {
    for chunk in events.chunks(INGEST_CHUNK) {
        match state.app.ingest.ingest(channel, chunk).await {
            Ok(published) => {
                state.app.bus.publish(published);
                state.app.media.wake();
            }
            Err(e) => {
                tracing::error!(tenant.id = %channel.tenant, channel.id = %channel.id, error = %e, "webhook not stored");
                return Err(Refusal::Unavailable);
            }
        }
    }
    Ok(())
}

/// `POST /webhooks/twilio/{key}`: inbound messages and status callbacks.
pub async fn twilio(
    State(state): State<HttpState>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    let result = async {
        let (channel, _, events) = verified(&state, &key, ProviderKind::Twilio, request).await?;
        store(&state, &channel, &events).await
    }
    .await;
    match result {
        // Twilio waits for TwiML; an empty Response sends no reply.
        Ok(()) => (
            [(header::CONTENT_TYPE, "text/xml")],
            Body::from(r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#),
        )
            .into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

/// `GET /webhooks/meta/{key}`: the subscription handshake.
pub async fn meta_handshake(
    State(state): State<HttpState>,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let channel = match channel_for(&state, &key, ProviderKind::Meta).await {
        Ok(channel) => channel,
        Err(refusal) => return refusal.into_response(),
    };
    let mode_ok = query.get("hub.mode").is_some_and(|m| m == "subscribe");
    let token_ok = match (
        query.get("hub.verify_token"),
        channel.verify_token.as_deref(),
    ) {
        (Some(given), Some(expected)) => bool::from(given.as_bytes().ct_eq(expected.as_bytes())),
        _ => false,
    };
    match query.get("hub.challenge") {
        Some(challenge) if mode_ok && token_ok => {
            ([(header::CONTENT_TYPE, "text/plain")], challenge.clone()).into_response()
        }
        _ => StatusCode::FORBIDDEN.into_response(),
    }
}

/// `POST /webhooks/meta/{key}`: notifications, possibly for several numbers of one app.
pub async fn meta(
    State(state): State<HttpState>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    let result = async {
        let (channel, _, events) = verified(&state, &key, ProviderKind::Meta, request).await?;
        for (target, events) in route_meta(&state, &channel, events).await? {
            store(&state, &target, &events).await?;
        }
        Ok::<_, Refusal>(())
    }
    .await;
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

fn event_address(event: &WebhookEvent) -> Option<&str> {
    match event {
        WebhookEvent::MessageReceived(m) => Some(&m.channel_address),
        WebhookEvent::StatusChanged(s) => Some(&s.channel_address),
        WebhookEvent::TemplateStatusChanged { .. } => None,
    }
}

/// Groups a Meta notification's events by the channel of their `phone_number_id`: the
/// channel the URL names, or another of the same tenant signed by the same app secret.
/// Changes for any other number are logged and dropped.
async fn route_meta(
    state: &HttpState,
    channel: &ChannelRecord,
    events: Vec<WebhookEvent>,
) -> Result<Vec<(ChannelRecord, Vec<WebhookEvent>)>, Refusal> {
    let own = match &channel.config {
        ProviderConfig::Meta {
            phone_number_id, ..
        } => phone_number_id.clone(),
        ProviderConfig::Twilio { .. } => return Err(Refusal::UnknownKey),
    };
    let mut groups: Vec<(ChannelRecord, Vec<WebhookEvent>)> = vec![(channel.clone(), Vec::new())];
    // Numbers already found to be no sibling's: one lookup each, however many events name them.
    let mut strangers: std::collections::HashSet<String> = std::collections::HashSet::new();
    for event in events {
        let address = event_address(&event).unwrap_or(&own).to_owned();
        if address == own {
            groups[0].1.push(event);
            continue;
        }
        if let Some(group) = groups
            .iter_mut()
            .find(|(c, _)| meta_phone(c) == Some(address.as_str()))
        {
            group.1.push(event);
            continue;
        }
        if strangers.contains(&address) {
            continue;
        }
        match sibling(state, channel, &address).await? {
            Some(other) => groups.push((other, vec![event])),
            None => {
                tracing::warn!(channel.id = %channel.id, "webhook change for a number no channel of this app owns; acknowledged and dropped");
                strangers.insert(address);
            }
        }
    }
    Ok(groups)
}

fn meta_phone(channel: &ChannelRecord) -> Option<&str> {
    match &channel.config {
        ProviderConfig::Meta {
            phone_number_id, ..
        } => Some(phone_number_id),
        ProviderConfig::Twilio { .. } => None,
    }
}

async fn sibling(
    state: &HttpState,
    channel: &ChannelRecord,
    phone_number_id: &str,
) -> Result<Option<ChannelRecord>, Refusal> {
    // Looked up within the tenant, by the key every channel holds from its creation: a
    // sibling that is not verified yet (and so holds no deployment-wide claim) still gets
    // its changes, and another tenant's channel is never found.
    let other = match state
        .app
        .store
        .tenant(channel.tenant)
        .channels()
        .find_by_phone_number_id(phone_number_id)
        .await
    {
        Ok(Some(other)) => other,
        Ok(None) => return Ok(None),
        Err(e) => {
            tracing::error!(error = %e, "webhook routing lookup failed");
            return Err(Refusal::Unavailable);
        }
    };
    // A secret that cannot be opened is a fault of ours: 503, so Meta delivers it again.
    let secret = |c: &ChannelRecord| match state.app.channels.credentials(c) {
        Ok(Credentials::Meta(m)) => Ok(Some(m.app_secret)),
        Ok(_) => Ok(None),
        Err(e) => {
            tracing::error!(channel.id = %c.id, error = %e, "cannot open a channel's credentials for routing");
            Err(Refusal::Unavailable)
        }
    };
    match (secret(channel)?, secret(&other)?) {
        (Some(a), Some(b)) if bool::from(a.expose().as_bytes().ct_eq(b.expose().as_bytes())) => {
            Ok(Some(other))
        }
        _ => Ok(None),
    }
}
