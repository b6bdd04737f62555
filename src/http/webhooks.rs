//! Provider webhooks: the body is read within [`BODY_LIMIT`] and handed, with the called
//! path and the signature header, to the intake service, whose answer maps to a status. A
//! request is answered 200 only after what it carries is committed; a bad or missing
//! signature answers 403 and stores nothing; an unknown key 404; a body over 1 MiB, or with
//! more messages and statuses than `SWITCHBOARD_WEBHOOK_MAX_EVENTS`, 413; a body that does
//! not parse 400; a storage failure 503, so the provider delivers it again; and 503 with
//! `Retry-After` when the tenant's ingest queue is full.

use std::collections::HashMap;

use axum::body::{to_bytes, Body};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::router::HttpState;
use crate::domain::ProviderKind;
use crate::services::intake::{Delivery, Intake, Refusal, BODY_LIMIT};

fn status(refusal: Refusal) -> StatusCode {
    match refusal {
        Refusal::UnknownKey => StatusCode::NOT_FOUND,
        Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Refusal::BadSignature => StatusCode::FORBIDDEN,
        Refusal::Malformed => StatusCode::BAD_REQUEST,
        Refusal::Unavailable | Refusal::Busy => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// A refusal's answer; a busy tenant's asks the provider to come back in a second.
fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Busy => (status(refusal), [(header::RETRY_AFTER, "1")]).into_response(),
        _ => status(refusal).into_response(),
    }
}

/// The `result` label of a webhook's count.
fn result_label(result: &Result<(), Refusal>) -> &'static str {
    match result {
        Ok(()) => "stored",
        Err(Refusal::UnknownKey) => "unknown_key",
        Err(Refusal::TooLarge) => "too_large",
        Err(Refusal::BadSignature) => "bad_signature",
        Err(Refusal::Malformed) => "malformed",
        Err(Refusal::Unavailable) => "unavailable",
        Err(Refusal::Busy) => "busy",
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Reads the delivery, hands it to the intake and counts the answer.
async fn receive(
    state: &HttpState,
    kind: ProviderKind,
    key: &str,
    request: Request,
) -> Result<(), Refusal> {
    let result = deliver(state, kind, key, request).await;
    crate::telemetry::metrics::webhook_received(kind, result_label(&result));
    result
}

async fn deliver(
    state: &HttpState,
    kind: ProviderKind,
    key: &str,
    request: Request,
) -> Result<(), Refusal> {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        tracing::warn!(
            provider = kind.as_str(),
            limit = BODY_LIMIT,
            "webhook refused: body too large or cut off"
        );
        Refusal::TooLarge
    })?;
    let delivery = Delivery {
        path_and_query: parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned(),
        content_type: header_text(&parts.headers, header::CONTENT_TYPE.as_str()),
        signature: header_text(&parts.headers, Intake::signature_header(kind)),
        body: body.to_vec(),
    };
    state.services.intake.receive(kind, key, delivery).await
}

/// `POST /webhooks/twilio/{key}`: inbound messages and status callbacks.
pub async fn twilio(
    State(state): State<HttpState>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    match receive(&state, ProviderKind::Twilio, &key, request).await {
        // Twilio waits for TwiML; an empty Response sends no reply.
        Ok(()) => (
            [(header::CONTENT_TYPE, "text/xml")],
            Body::from(r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#),
        )
            .into_response(),
        Err(refusal) => refused(refusal),
    }
}

/// `GET /webhooks/meta/{key}`: the subscription handshake.
pub async fn meta_handshake(
    State(state): State<HttpState>,
    Path(key): Path<String>,
    Query(mut query): Query<HashMap<String, String>>,
) -> Response {
    let challenge = query.remove("hub.challenge");
    let answer = state
        .services
        .intake
        .handshake(
            &key,
            query.get("hub.mode").map(String::as_str),
            query.get("hub.verify_token").map(String::as_str),
            challenge,
        )
        .await;
    match answer {
        Ok(challenge) => ([(header::CONTENT_TYPE, "text/plain")], challenge).into_response(),
        Err(refusal) => status(refusal).into_response(),
    }
}

/// `POST /webhooks/meta/{key}`: notifications, possibly for several numbers of one app.
pub async fn meta(
    State(state): State<HttpState>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    match receive(&state, ProviderKind::Meta, &key, request).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(refusal) => refused(refusal),
    }
}
