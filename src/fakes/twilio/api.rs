//! The fake's HTTP face: routing, request recording, scripted faults, Basic auth, and the
//! 2010-04-01 account resource and the messaging.twilio.com endpoints.

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

use super::messages::first;
use super::state::{new_sid, rfc2822_now, RecordedRequest};
use super::{content, media, messages, Shared};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/2010-04-01/Accounts/{file}", get(get_account))
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            post(messages::create_message).get(super::message_list::list_messages),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Messages/{file}",
            get(messages::get_message),
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
        received_at: std::time::Instant::now(),
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
    let _in_flight = scripted.then(|| shared.in_flight.enter());
    let is_send = recorded.method == "POST" && recorded.path.ends_with("/Messages.json");
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
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let answer_delay = shared.lock().settings.answer_delay;
    if is_send && !answer_delay.is_zero() {
        tokio::time::sleep(answer_delay).await;
    }
    response
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

/// The account's WhatsApp senders, in pages of `min(PageSize, senders_page_size)` with
/// Twilio's `meta.next_page_url`.
async fn senders(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let account_sid = match authenticate(&shared, &headers, None) {
        Ok(sid) => sid,
        Err(response) => return response.into_response(),
    };
    let state = shared.lock();
    let size = query
        .get("PageSize")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, state.settings.senders_page_size.max(1));
    let page = query
        .get("Page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let all: Vec<Value> = state
        .accounts
        .get(&account_sid)
        .map(|a| {
            a.senders
                .iter()
                .map(|n| {
                    let status = a.sender_statuses.get(n).map_or("ONLINE", String::as_str);
                    json!({"sid": new_sid("XE"), "sender_id": format!("whatsapp:{n}"), "status": status})
                })
                .collect()
        })
        .unwrap_or_default();
    let senders: Vec<Value> = all.iter().skip(page * size).take(size).cloned().collect();
    let page_url = |base: &str, p: usize| {
        format!("{base}/v2/Channels/Senders?Channel=whatsapp&PageSize={size}&Page={p}")
    };
    let next_base = state
        .settings
        .senders_next_base
        .as_deref()
        .unwrap_or(&shared.base_url);
    let next = ((page + 1) * size < all.len()).then(|| page_url(next_base, page + 1));
    let page_url = |p: usize| page_url(&shared.base_url, p);
    let previous = (page > 0).then(|| page_url(page - 1));
    Json(
        json!({"senders": senders, "meta": {"page": page, "page_size": size,
        "first_page_url": page_url(0), "previous_page_url": previous, "url": page_url(page),
        "next_page_url": next, "key": "senders"}}),
    )
    .into_response()
}
