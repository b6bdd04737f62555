//! `POST /{v}/{PHONE_NUMBER_ID}/messages`: validates sends and read receipts the way the
//! Cloud API does (PROVIDERS.md §2.2, §2.3, §2.10) and schedules status webhooks.
//!
//! Async outcomes mirror Meta: the send is accepted (200 + wamid) and failures arrive later
//! as `failed` statuses — 131047 when the fake's own 24 h window with that user is closed
//! and the message is not a template (the window opens when the fake delivers an inbound
//! from the user, or via `FakeMeta::open_window`), and 131026 for the magic undeliverable
//! number [`UNDELIVERABLE`], and 131050 for templates to [`STOPPED_MARKETING`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::server::{token, GraphErr};
use super::state::FakeSentMessage;
use super::validate::{invalid, str_at, validate, value_error};
use super::webhooks::StatusSpec;
use super::Shared;

/// Sends to this wa_id are accepted, then fail with 131026 (undeliverable).
pub const UNDELIVERABLE: &str = "15005550001";
/// This wa_id stopped marketing messages: templates to it are accepted, then fail with 131050.
pub const STOPPED_MARKETING: &str = "15005550050";

pub(super) async fn post(
    State(shared): State<Arc<Shared>>,
    Path((_version, pnid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = token(&headers, None).unwrap_or_default();
    let allowed = {
        let state = shared.lock();
        state.number(&pnid).is_some() && state.token_owns(&token, &pnid)
    };
    if !allowed {
        return GraphErr::unknown_object(&pnid).into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return invalid("The request body is not valid JSON").into_response();
    };
    match handle(&shared, &pnid, body) {
        Ok(answer) => Json(answer).into_response(),
        Err(error) => error.into_response(),
    }
}

fn handle(shared: &Arc<Shared>, pnid: &str, body: Value) -> Result<Value, GraphErr> {
    if body.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return Err(invalid("The parameter messaging_product is required."));
    }
    if body.get("status").and_then(Value::as_str) == Some("read") {
        let id = str_at(&body, "message_id")
            .ok_or_else(|| invalid("The parameter message_id is required."))?;
        if !id.starts_with("wamid.") {
            return Err(invalid("Invalid message_id").details(format!("{id} is not a wamid")));
        }
        return Ok(json!({ "success": true }));
    }
    let to_input = str_at(&body, "to").ok_or_else(|| invalid("The parameter to is required."))?;
    let to: String = to_input.trim_start_matches('+').to_owned();
    if !(8..=15).contains(&to.len()) || !to.chars().all(|c| c.is_ascii_digit()) {
        return Err(value_error("Invalid 'to' parameter")
            .details(format!("{to_input} is not a phone number")));
    }
    if let Some(kind) = body.get("recipient_type").and_then(Value::as_str) {
        if kind != "individual" && kind != "group" {
            return Err(invalid("Invalid recipient_type"));
        }
    }
    let kind = str_at(&body, "type").unwrap_or("text").to_owned();
    let object = body
        .get(&kind)
        .ok_or_else(|| invalid(&format!("The parameter {kind} is required.")))?;
    validate(shared, pnid, &kind, object)?;
    if let Some(data) = body.get("biz_opaque_callback_data").and_then(Value::as_str) {
        if data.chars().count() > 512 {
            return Err(value_error(
                "biz_opaque_callback_data must be at most 512 characters",
            ));
        }
    }
    let correlation = str_at(&body, "biz_opaque_callback_data").map(str::to_owned);
    let wamid = format!("wamid.HBgL{}", uuid::Uuid::new_v4().simple())
        .to_ascii_uppercase()
        .replacen("WAMID.", "wamid.", 1);
    let window_open = shared.lock().window_open(pnid, &to);
    shared.lock().sent.push(FakeSentMessage {
        wamid: wamid.clone(),
        phone_number_id: pnid.to_owned(),
        to: to.clone(),
        kind: kind.clone(),
        body: body.clone(),
        correlation: correlation.clone(),
        sent_at: chrono::Utc::now().timestamp_millis(),
        status: String::new(),
    });
    schedule_statuses(shared, pnid, &wamid, &to, &kind, window_open, correlation);
    let mut answer = json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to_input, "wa_id": to }],
        "messages": [{ "id": wamid }],
    });
    if kind == "template" {
        answer["messages"][0]["message_status"] = json!("accepted");
    }
    Ok(answer)
}

fn schedule_statuses(
    shared: &Arc<Shared>,
    pnid: &str,
    wamid: &str,
    to: &str,
    kind: &str,
    window_open: bool,
    correlation: Option<String>,
) {
    let (url, knobs, scripted) = {
        let state = shared.lock();
        (
            state.webhook_url.clone(),
            state.status_knobs.clone(),
            state.recipient_failures.get(to).copied(),
        )
    };
    let Some(url) = url.filter(|_| knobs.auto) else {
        return;
    };
    let spec = |status: &str| {
        let mut spec = StatusSpec::new(wamid, status, to);
        spec.correlation = correlation.clone();
        spec.category = if kind == "template" {
            "utility".into()
        } else {
            "service".into()
        };
        spec
    };
    let mut statuses = if to == UNDELIVERABLE || scripted == Some(131026) {
        let mut failed = spec("failed");
        failed.error = Some((131026, "Message undeliverable".into()));
        vec![failed]
    } else if (to == STOPPED_MARKETING || scripted == Some(131050)) && kind == "template" {
        let mut failed = spec("failed");
        failed.error = Some((
            131050,
            "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business".into(),
        ));
        vec![failed]
    } else if !window_open && kind != "template" {
        let mut failed = spec("failed");
        failed.error = Some((131047, "Re-engagement message".into()));
        vec![failed]
    } else {
        let mut list = vec![spec("sent"), spec("delivered")];
        if knobs.read {
            list.push(spec("read"));
        }
        list
    };
    if knobs.reorder {
        statuses.reverse();
    }
    if knobs.duplicate {
        statuses = statuses.into_iter().flat_map(|s| [s.clone(), s]).collect();
    }
    let shared = shared.clone();
    let pnid = pnid.to_owned();
    tokio::spawn(async move {
        if let Err(error) = shared
            .post_statuses(&url, &pnid, &statuses, knobs.batch)
            .await
        {
            tracing::debug!(%error, "fake meta could not deliver a status webhook");
        }
    });
}
