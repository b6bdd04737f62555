//! The fake Graph API's HTTP surface: routing, the recording/auth/fault gate every request
//! passes, Graph-shaped errors, and the small read-only endpoints (phone number node,
//! `debug_token`, `phone_numbers`, `subscribed_apps`) plus media.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::state::{Fault, RecordedRequest};
use super::Shared;

/// Largest body the fake reads (media uploads are not supported).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Where media downloads live on the fake host.
pub(super) const MEDIA_PATH: &str = "/whatsapp_business/attachments";

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{version}/debug_token", get(debug_token))
        .route(
            "/{version}/{id}",
            get(get_node)
                .post(super::templates::edit)
                .delete(delete_node),
        )
        .route(
            "/{version}/{id}/messages",
            axum::routing::post(super::messages::post),
        )
        .route(
            "/{version}/{id}/message_templates",
            get(super::templates::list)
                .post(super::templates::create)
                .delete(super::templates::delete),
        )
        .route("/{version}/{id}/phone_numbers", get(phone_numbers))
        .route(
            "/{version}/{id}/subscribed_apps",
            get(subscribed_apps).post(subscribe_app),
        )
        .route(&format!("{MEDIA_PATH}/{{token}}"), get(download))
        .fallback(|| async { GraphErr::new(400, 100, "Unknown path components").into_response() })
        .layer(middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}

/// A Graph error answer: `{"error":{"message":"(#code) …","type","code",…}}`.
#[derive(Clone, Debug)]
pub(super) struct GraphErr {
    pub status: u16,
    pub code: i64,
    pub message: String,
    pub subcode: Option<i64>,
    pub details: Option<String>,
    pub is_transient: Option<bool>,
    pub retry_after: Option<u64>,
}

impl GraphErr {
    pub fn new(status: u16, code: i64, message: &str) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            subcode: None,
            details: None,
            is_transient: None,
            retry_after: None,
        }
    }

    /// Adds WhatsApp's `error_data.details`.
    pub fn details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    pub fn unknown_object(id: &str) -> Self {
        let mut error = Self::new(
            400,
            100,
            &format!(
                "Unsupported get request. Object with ID '{id}' does not exist, cannot be \
                 loaded due to missing permissions, or does not support this operation"
            ),
        );
        error.subcode = Some(33);
        error
    }

    pub fn bad_token() -> Self {
        let mut error = Self::new(
            401,
            190,
            "Invalid OAuth access token - Cannot parse access token",
        );
        error.subcode = Some(463);
        error
    }
}

impl IntoResponse for GraphErr {
    fn into_response(self) -> Response {
        let mut error = json!({
            "message": format!("(#{}) {}", self.code, self.message),
            "type": "OAuthException",
            "code": self.code,
            "fbtrace_id": format!("A{}", uuid::Uuid::new_v4().simple()),
        });
        if let Some(subcode) = self.subcode {
            error["error_subcode"] = json!(subcode);
        }
        if let Some(details) = &self.details {
            error["error_data"] = json!({ "messaging_product": "whatsapp", "details": details });
        }
        if let Some(transient) = self.is_transient {
            error["is_transient"] = json!(transient);
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = (status, Json(json!({ "error": error }))).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(value) = header::HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// The Bearer token of a request, or its `access_token` query parameter.
pub(super) fn token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    from_header.or_else(|| {
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.into_owned())
    })
}

fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .and_then(|rest| rest.strip_suffix(".0"))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Records the request, then (for API paths) checks the version segment and the token, and
/// applies the next scripted fault.
async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return GraphErr::new(413, 100, "Request body too large").into_response();
    };
    let query = parts.uri.query().map(str::to_owned);
    shared.lock().requests.push(RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: parse_body(&parts.headers, &bytes),
        raw_body: bytes.to_vec(),
    });
    let path = parts.uri.path().to_owned();
    if !path.starts_with(MEDIA_PATH) {
        let version = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        if !is_version(version) {
            return GraphErr::new(400, 100, "Unknown path components").into_response();
        }
        let known =
            token(&parts.headers, query.as_deref()).is_some_and(|t| shared.lock().token_known(&t));
        if !known {
            return GraphErr::bad_token().into_response();
        }
        let fault = shared.lock().faults.pop_front();
        match fault {
            Some(Fault::Graph {
                http_status,
                code,
                message,
                is_transient,
                retry_after,
            }) => {
                let mut error = GraphErr::new(http_status, code, &message);
                error.is_transient = is_transient;
                error.retry_after = retry_after;
                return error.into_response();
            }
            Some(Fault::ServerError { http_status }) => {
                let status = StatusCode::from_u16(http_status).unwrap_or(StatusCode::BAD_GATEWAY);
                return (
                    status,
                    [(header::CONTENT_TYPE, "text/html")],
                    "<html>Server Error</html>",
                )
                    .into_response();
            }
            Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
            None => {}
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn parse_body(headers: &HeaderMap, bytes: &Bytes) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if form {
        let map: serde_json::Map<String, Value> = form_urlencoded::parse(bytes)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        return Some(Value::Object(map));
    }
    serde_json::from_slice(bytes).ok()
}

type Params = Query<Vec<(String, String)>>;

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn get_node(
    State(shared): State<Arc<Shared>>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let token = token(&headers, None).unwrap_or_default();
    let state = shared.lock();
    if let Some(number) = state.number(&id) {
        if !state.token_owns(&token, &id) {
            return GraphErr::unknown_object(&id).into_response();
        }
        let fields = param(&params, "fields")
            .unwrap_or("id,display_phone_number,verified_name,quality_rating");
        let all = json!({
            "id": number.phone_number_id,
            "display_phone_number": number.display_phone_number,
            "verified_name": number.verified_name,
            "quality_rating": number.quality_rating,
            "code_verification_status": "VERIFIED",
            "name_status": "APPROVED",
            "platform_type": "CLOUD_API",
            "throughput": { "level": "STANDARD" },
        });
        let mut node = serde_json::Map::new();
        for field in fields.split(',').map(str::trim).chain(["id"]) {
            if let Some(value) = all.get(field) {
                node.insert(field.to_owned(), value.clone());
            }
        }
        return Json(Value::Object(node)).into_response();
    }
    if let Some(media) = state.media.get(&id) {
        let mime = media.mime_type.clone();
        let size = media.bytes.len();
        drop(state);
        let url = shared.media_url(&id);
        return Json(json!({
            "messaging_product": "whatsapp", "url": url, "mime_type": mime,
            "sha256": "q83vEjRWeJA=", "file_size": size.to_string(), "id": id,
        }))
        .into_response();
    }
    if let Some(template) = state.templates.iter().find(|t| t.id == id) {
        if !state.token_owns(&token, &template.waba_id) {
            return GraphErr::unknown_object(&id).into_response();
        }
        return Json(super::templates::node(template)).into_response();
    }
    GraphErr::unknown_object(&id).into_response()
}

async fn delete_node(
    State(shared): State<Arc<Shared>>,
    Path((_version, id)): Path<(String, String)>,
) -> Response {
    let mut state = shared.lock();
    if state.media.remove(&id).is_some() {
        state
            .media_tokens
            .retain(|_, (media_id, _)| *media_id != id);
        return Json(json!({ "success": true })).into_response();
    }
    GraphErr::unknown_object(&id).into_response()
}

async fn debug_token(State(shared): State<Arc<Shared>>, params: Params) -> Response {
    let input = param(&params, "input_token").unwrap_or_default();
    let state = shared.lock();
    let wabas: Vec<String> = state
        .numbers
        .iter()
        .filter(|n| n.access_token == input)
        .map(|n| n.waba_id.clone())
        .collect();
    if wabas.is_empty() {
        return Json(json!({ "data": { "is_valid": false, "error": {
            "code": 190, "message": "Invalid OAuth access token." } } }))
        .into_response();
    }
    Json(json!({ "data": {
        "app_id": "100000000000001", "type": "SYSTEM_USER", "application": "Switchboard Fake",
        "is_valid": true, "expires_at": 0, "data_access_expires_at": 0,
        "scopes": ["whatsapp_business_messaging", "whatsapp_business_management"],
        "granular_scopes": [
            { "scope": "whatsapp_business_messaging", "target_ids": wabas },
            { "scope": "whatsapp_business_management", "target_ids": wabas }
        ]
    } }))
    .into_response()
}

async fn phone_numbers(
    State(shared): State<Arc<Shared>>,
    Path((_version, waba)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let token = token(&headers, None).unwrap_or_default();
    let state = shared.lock();
    if !state.token_owns(&token, &waba) {
        return GraphErr::unknown_object(&waba).into_response();
    }
    let data: Vec<Value> = state
        .numbers
        .iter()
        .filter(|n| n.waba_id == waba)
        .map(|n| {
            json!({
                "id": n.phone_number_id, "display_phone_number": n.display_phone_number,
                "verified_name": n.verified_name, "quality_rating": n.quality_rating,
                "code_verification_status": "VERIFIED", "platform_type": "CLOUD_API",
            })
        })
        .collect();
    Json(json!({ "data": data, "paging": { "cursors": { "before": "QVFI", "after": "QVFI" } } }))
        .into_response()
}

async fn subscribed_apps(
    State(shared): State<Arc<Shared>>,
    Path((_version, waba)): Path<(String, String)>,
) -> Response {
    let url = shared.lock().webhook_url.clone();
    let mut app = json!({ "whatsapp_business_api_data": {
        "id": "100000000000001", "name": "Switchboard Fake", "link": "https://example.invalid" } });
    if let Some(url) = url {
        app["override_callback_uri"] = json!(url);
    }
    let _ = waba;
    Json(json!({ "data": [app] })).into_response()
}

async fn subscribe_app(
    State(shared): State<Arc<Shared>>,
    Path((_version, waba)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = token(&headers, None).unwrap_or_default();
    if !shared.lock().token_owns(&token, &waba) {
        return GraphErr::unknown_object(&waba).into_response();
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some(url) = body.get("override_callback_uri").and_then(Value::as_str) {
        shared.lock().webhook_url = Some(url.to_owned());
    }
    Json(json!({ "success": true })).into_response()
}

/// Media bytes: needs the Bearer header of a known token and an unexpired path token.
async fn download(
    State(shared): State<Arc<Shared>>,
    Path(token_in_path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut state = shared.lock();
    if let Some(target) = state.media_redirect.clone() {
        return (StatusCode::FOUND, [(header::LOCATION, target)]).into_response();
    }
    if state.media_download_failures > 0 {
        state.media_download_failures -= 1;
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    }
    let authorized = token(&headers, None).is_some_and(|t| state.token_known(&t));
    if !authorized {
        // Meta answers an HTML error page, not the file, without the token.
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>Unauthorized</html>",
        )
            .into_response();
    }
    let media = state
        .media_tokens
        .get(&token_in_path)
        .filter(|(_, expires)| *expires > Instant::now())
        .and_then(|(id, _)| state.media.get(id));
    match media {
        Some(media) => (
            [(header::CONTENT_TYPE, media.mime_type.clone())],
            media.bytes.clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "URL signature expired").into_response(),
    }
}
