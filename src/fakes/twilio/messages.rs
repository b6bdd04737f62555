//! The 2010-04-01 message resource: creates validated like Twilio (PROVIDERS.md §5) and
//! reconciliation fetches (the list lives in `message_list`). Accepted sends schedule their status callbacks.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::api::{authenticate, error, ApiError};
use super::state::{new_sid, rfc2822, rfc2822_now, FakeMessage};
use super::{webhooks, Shared};
use crate::domain::PhoneNumber;

/// Recipient numbers with scripted outcomes (documented on `FakeTwilio`).
pub const MAGIC_NOT_ON_WHATSAPP: &str = "+15005550001";
pub const MAGIC_INVALID_RECIPIENT: &str = "+15005550002";

pub(crate) fn first<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn whatsapp_number(address: &str) -> Option<String> {
    let number = address.strip_prefix("whatsapp:")?;
    PhoneNumber::parse(number).ok().map(|p| p.to_string())
}

pub(crate) async fn create_message(
    State(shared): State<Arc<Shared>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let account_sid = match authenticate(&shared, &headers, Some(&account)) {
        Ok(sid) => sid,
        Err(response) => return response.into_response(),
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    match validate_and_store(&shared, &account_sid, &form) {
        Ok((message, async_error)) => {
            let response = message_json(&message);
            webhooks::schedule_status_callbacks(shared.clone(), message, async_error);
            (StatusCode::CREATED, Json(response)).into_response()
        }
        Err(response) => response.into_response(),
    }
}

/// Validates a create like Twilio and stores the message; answers it with the error code it
/// will fail with later, if any.
fn validate_and_store(
    shared: &Shared,
    account_sid: &str,
    form: &[(String, String)],
) -> Result<(FakeMessage, Option<u32>), ApiError> {
    let raw_to = first(form, "To").unwrap_or_default();
    let to = whatsapp_number(raw_to).ok_or_else(|| {
        ApiError::new(
            400,
            21211,
            &format!("The 'To' number {raw_to} is not a valid phone number."),
        )
    })?;
    let mut state = shared.lock();
    let account = state
        .accounts
        .get(account_sid)
        .ok_or_else(|| ApiError::new(404, 20404, "The requested resource was not found"))?;
    let service = first(form, "MessagingServiceSid").map(str::to_owned);
    let from = match first(form, "From") {
        Some(raw) => whatsapp_number(raw)
            .filter(|n| account.senders.contains(n))
            .ok_or_else(|| {
                ApiError::new(
                    400,
                    63007,
                    "Twilio could not find a Channel with the specified From address",
                )
            })?,
        None if service.is_some() => account.senders.first().cloned().ok_or_else(|| {
            ApiError::new(
                400,
                63007,
                "Twilio could not find a Channel with the specified From address",
            )
        })?,
        None => {
            return Err(ApiError::new(
                400,
                21603,
                "A 'From' phone number is required.",
            ))
        }
    };
    let body = first(form, "Body").unwrap_or_default().to_owned();
    let media: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "MediaUrl")
        .map(|(_, v)| v.as_str())
        .collect();
    let content_sid = first(form, "ContentSid").map(str::to_owned);
    if body.is_empty() && media.is_empty() && content_sid.is_none() {
        return Err(ApiError::new(
            400,
            21619,
            "A text message body or media URL must be specified.",
        ));
    }
    if body.chars().count() > 1600 {
        return Err(ApiError::new(
            400,
            21617,
            "The concatenated message body exceeds the 1600 character limit.",
        ));
    }
    if media.iter().any(|u| !is_http_url(u)) {
        return Err(ApiError::new(400, 21620, "Invalid media URL(s)."));
    }
    if let Some(sid) = &content_sid {
        let known = state
            .contents
            .get(sid)
            .is_some_and(|c| c.account_sid == account_sid);
        if !known {
            return Err(ApiError::new(400, 21656, "The ContentSid is Invalid."));
        }
        if let Some(vars) = first(form, "ContentVariables") {
            if !serde_json::from_str::<Value>(vars).is_ok_and(|v| v.is_object()) {
                return Err(ApiError::new(
                    400,
                    21656,
                    "The ContentVariables Parameter is invalid.",
                ));
            }
        }
    }
    let callback = first(form, "StatusCallback").map(str::to_owned);
    if callback
        .as_deref()
        .is_some_and(|u| !is_http_url(u) || u.len() > 4000)
    {
        return Err(ApiError::new(
            400,
            21609,
            "The StatusCallback URL is not a valid URL.",
        ));
    }
    let async_error = state
        .async_faults
        .pop_front()
        .or_else(|| state.recipient_failures.get(&to).copied())
        .or_else(|| match to.as_str() {
            MAGIC_NOT_ON_WHATSAPP => Some(63003),
            MAGIC_INVALID_RECIPIENT => Some(63024),
            // Outside the window only a WhatsApp-approved content goes out.
            _ if !state
                .windows
                .contains(&(account_sid.to_owned(), to.clone()))
                && content_sid
                    .as_ref()
                    .and_then(|sid| state.contents.get(sid))
                    .is_none_or(|c| c.approval.as_ref().is_none_or(|a| a.status != "approved")) =>
            {
                Some(63016)
            }
            _ => None,
        });
    let now = chrono::Utc::now();
    let message = FakeMessage {
        sid: new_sid(if media.is_empty() { "SM" } else { "MM" }),
        account_sid: account_sid.to_owned(),
        messaging_service_sid: service,
        from,
        to,
        body,
        status: "queued".into(),
        num_media: media.len(),
        content_sid,
        status_callback: callback,
        error_code: None,
        date_created: rfc2822(now),
        created_at: now,
        date_sent: Some(now),
    };
    state.messages.insert(message.sid.clone(), message.clone());
    Ok((message, async_error))
}

fn is_http_url(raw: &str) -> bool {
    reqwest::Url::parse(raw).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.contains('_'))
    })
}

pub(crate) fn message_json(m: &FakeMessage) -> Value {
    let uri = format!(
        "/2010-04-01/Accounts/{}/Messages/{}.json",
        m.account_sid, m.sid
    );
    json!({
        "sid": m.sid,
        "account_sid": m.account_sid,
        "messaging_service_sid": m.messaging_service_sid,
        "from": format!("whatsapp:{}", m.from),
        "to": format!("whatsapp:{}", m.to),
        "body": m.body,
        "status": m.status,
        "direction": "outbound-api",
        "num_segments": "1",
        "num_media": m.num_media.to_string(),
        "error_code": m.error_code,
        "error_message": Value::Null,
        "price": Value::Null,
        "price_unit": "USD",
        "api_version": "2010-04-01",
        "date_created": m.date_created,
        "date_updated": rfc2822_now(),
        "date_sent": m.date_sent.map(rfc2822),
        "uri": uri,
        "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
    })
}

pub(crate) async fn get_message(
    State(shared): State<Arc<Shared>>,
    Path((account, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(response) = authenticate(&shared, &headers, Some(&account)) {
        return response.into_response();
    }
    let sid = file.strip_suffix(".json").unwrap_or(&file);
    let state = shared.lock();
    match state.messages.get(sid).filter(|m| m.account_sid == account) {
        Some(message) => Json(message_json(message)).into_response(),
        None => error(404, 20404, "The requested resource was not found"),
    }
}
