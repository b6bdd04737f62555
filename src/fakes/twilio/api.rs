//! The fake's HTTP face: routing, request recording, scripted faults, Basic auth, and the
//! 2010-04-01 account and message resources plus the messaging.twilio.com endpoints.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use super::state::{new_sid, rfc2822_now, FakeMessage, RecordedRequest};
use super::{content, media, webhooks, Shared};
use crate::domain::PhoneNumber;

/// Recipient numbers with scripted outcomes (documented on `FakeTwilio`).
pub const MAGIC_NOT_ON_WHATSAPP: &str = "+15005550001";
pub const MAGIC_INVALID_RECIPIENT: &str = "+15005550002";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/2010-04-01/Accounts/{file}", get(get_account))
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            post(create_message),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Messages/{file}",
            get(get_message),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Messages/{message}/Media/{file}",
            get(media::get_media),
        )
        .route("/cdn/{token}", get(media::get_cdn))
        .route("/v1/Content", post(content::create).get(content::list))
        .route(
            "/v1/Content/{sid}",
            get(content::fetch).delete(content::delete),
        )
        .route("/v1/ContentAndApprovals", get(content::list_with_approvals))
        .route(
            "/v1/Content/{sid}/ApprovalRequests/whatsapp",
            post(content::submit),
        )
        .route("/v1/Content/{sid}/ApprovalRequests", get(content::approval))
        .route("/v2/Indicators/Typing.json", post(typing))
        .route("/v2/Channels/Senders", get(senders))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            record_and_script,
        ))
        .with_state(shared)
}

/// Records every request, then applies a scripted delay and fault (never to `/cdn/`, which
/// stands in for another host).
async fn record_and_script(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 32 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let content_type = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: bytes.to_vec(),
        form: if content_type.starts_with("application/x-www-form-urlencoded") {
            form_urlencoded::parse(&bytes).into_owned().collect()
        } else {
            Vec::new()
        },
        json: if content_type.contains("json") {
            serde_json::from_slice(&bytes).ok()
        } else {
            None
        },
    };
    let scripted = !recorded.path.starts_with("/cdn/");
    let (delay, fault) = {
        let mut state = shared.lock();
        state.requests.push(recorded);
        if scripted {
            (state.delays.pop_front(), state.faults.pop_front())
        } else {
            (None, None)
        }
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(fault) = fault {
        let mut response = error(fault.status, fault.code, &fault.message);
        if let Some(secs) = fault.retry_after {
            response.headers_mut().insert(
                "retry-after",
                secs.to_string().parse().expect("digits are a header value"),
            );
        }
        return response;
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Twilio's legacy error body, with `status` repeating the HTTP status.
pub(crate) fn error(status: u16, code: u32, message: &str) -> Response {
    let http = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    });
    (http, Json(body)).into_response()
}

/// A refusal in Twilio's shape, small enough to travel in a `Result`.
pub(crate) struct ApiError {
    status: u16,
    code: u32,
    message: String,
}

impl ApiError {
    pub fn new(status: u16, code: u32, message: &str) -> Self {
        Self {
            status,
            code,
            message: message.to_owned(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.code == 20003 {
            unauthorized()
        } else {
            error(self.status, self.code, &self.message)
        }
    }
}

pub(crate) fn unauthorized() -> Response {
    let body = json!({"code": 20003, "detail": "Your AccountSid or AuthToken was incorrect.",
        "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401});
    (
        StatusCode::UNAUTHORIZED,
        [("www-authenticate", "Basic realm=\"Twilio API\"")],
        Json(body),
    )
        .into_response()
}

pub(crate) fn decode_basic(header: &str) -> Option<(String, String)> {
    let encoded = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Checks Basic auth like Twilio: Account SID + Auth Token, or an API key of that account.
/// `path_account` must match when the URL names one. Answers the account SID.
pub(crate) fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    path_account: Option<&str>,
) -> Result<String, ApiError> {
    let (user, password) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(decode_basic)
        .ok_or_else(|| ApiError::new(401, 20003, "Authenticate"))?;
    let state = shared.lock();
    let account_sid = state
        .accounts
        .iter()
        .find(|(sid, account)| {
            (**sid == user && account.auth_token == password)
                || account
                    .api_keys
                    .get(&user)
                    .is_some_and(|secret| *secret == password)
        })
        .map(|(sid, _)| sid.clone())
        .ok_or_else(|| ApiError::new(401, 20003, "Authenticate"))?;
    if path_account.is_some_and(|p| p != account_sid) {
        return Err(ApiError::new(
            404,
            20404,
            "The requested resource was not found",
        ));
    }
    Ok(account_sid)
}

async fn get_account(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(sid) = file.strip_suffix(".json") else {
        return error(404, 20404, "The requested resource was not found");
    };
    let account_sid = match authenticate(&shared, &headers, Some(sid)) {
        Ok(sid) => sid,
        Err(response) => return response.into_response(),
    };
    let state = shared.lock();
    let Some(account) = state.accounts.get(&account_sid) else {
        return error(404, 20404, "The requested resource was not found");
    };
    let uri = format!("/2010-04-01/Accounts/{account_sid}.json");
    Json(json!({
        "sid": account_sid,
        "friendly_name": account.friendly_name,
        "status": account.status,
        "type": "Full",
        "owner_account_sid": account_sid,
        "auth_token": account.auth_token,
        "date_created": rfc2822_now(),
        "date_updated": rfc2822_now(),
        "uri": uri,
        "subresource_uris": {"messages": format!("/2010-04-01/Accounts/{account_sid}/Messages.json")},
    }))
    .into_response()
}

fn first<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn whatsapp_number(address: &str) -> Option<String> {
    let number = address.strip_prefix("whatsapp:")?;
    PhoneNumber::parse(number).ok().map(|p| p.to_string())
}

async fn create_message(
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
        .or_else(|| match to.as_str() {
            MAGIC_NOT_ON_WHATSAPP => Some(63003),
            MAGIC_INVALID_RECIPIENT => Some(63024),
            _ if content_sid.is_none()
                && !state
                    .windows
                    .contains(&(account_sid.to_owned(), to.clone())) =>
            {
                Some(63016)
            }
            _ => None,
        });
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
        date_created: rfc2822_now(),
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
        "date_sent": Value::Null,
        "uri": uri,
        "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
    })
}

async fn get_message(
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

async fn typing(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(response) = authenticate(&shared, &headers, None) {
        return response.into_response();
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let id_ok =
        first(&form, "messageId").is_some_and(|id| id.starts_with("SM") || id.starts_with("MM"));
    if !id_ok || first(&form, "channel") != Some("whatsapp") {
        return error(400, 20001, "Invalid messageId or channel");
    }
    Json(json!({"success": true})).into_response()
}

async fn senders(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let account_sid = match authenticate(&shared, &headers, None) {
        Ok(sid) => sid,
        Err(response) => return response.into_response(),
    };
    let state = shared.lock();
    let senders: Vec<Value> = state
        .accounts
        .get(&account_sid)
        .map(|a| a.senders.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|n| json!({"sid": new_sid("XE"), "sender_id": format!("whatsapp:{n}"), "status": "ONLINE"}))
        .collect();
    let url = format!(
        "{}/v2/Channels/Senders?Channel=whatsapp&PageSize=50&Page=0",
        shared.base_url
    );
    Json(
        json!({"senders": senders, "meta": {"page": 0, "page_size": 50, "first_page_url": url,
        "previous_page_url": null, "url": url, "next_page_url": null, "key": "senders"}}),
    )
    .into_response()
}
