//! The fake Graph API's HTTP surface: routing, the recording/auth/fault gate every request
//! passes, Graph-shaped errors, and the small read-only endpoints (phone number node,
//! `debug_token`, `phone_numbers`, `subscribed_apps`) plus media.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::nodes;
use super::state::{Fault, RecordedRequest};
use super::Shared;

/// Largest body the fake reads (media uploads are not supported).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Where media downloads live on the fake host.
pub(super) const MEDIA_PATH: &str = "/whatsapp_business/attachments";

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{version}/debug_token", get(nodes::debug_token))
        .route(
            "/{version}/{id}",
            get(nodes::get_node)
                .post(super::uploads::post_node)
                .delete(nodes::delete_node),
        )
        .route(
            "/{version}/{id}/whatsapp_business_profile",
            get(super::profile::read).post(super::profile::update),
        )
        .route(
            "/{version}/{id}/uploads",
            axum::routing::post(super::uploads::open_upload),
        )
        .route(
            &format!("{}/{{token}}", super::profile::PHOTO_PATH),
            get(super::profile::photo),
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
        .route("/{version}/{id}/phone_numbers", get(nodes::phone_numbers))
        .route(
            "/{version}/{id}/subscribed_apps",
            get(nodes::subscribed_apps).post(nodes::subscribe_app),
        )
        .route(&format!("{MEDIA_PATH}/{{token}}"), get(nodes::download))
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

/// The token of a request's `Authorization: Bearer …` (or `OAuth …`, as the Resumable
/// Upload API documents it) header, or its `access_token` query parameter.
pub(super) fn token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("OAuth "))
        })
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
    let _in_flight = shared.in_flight.enter();
    let is_send =
        parts.method == axum::http::Method::POST && parts.uri.path().ends_with("/messages");
    shared.lock().requests.push(RecordedRequest {
        received_at: std::time::Instant::now(),
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
    // Media and profile photos are served without the API's version segment and token.
    if !path.starts_with(MEDIA_PATH) && !path.starts_with(super::profile::PHOTO_PATH) {
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
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let answer_delay = shared.lock().answer_delay;
    if is_send && !answer_delay.is_zero() {
        tokio::time::sleep(answer_delay).await;
    }
    response
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
