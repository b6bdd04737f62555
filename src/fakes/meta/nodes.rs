//! The fake's node endpoints: `GET /{v}/{id}` (phone number, media, template),
//! `DELETE /{v}/{MEDIA_ID}`, `debug_token`, `{WABA}/phone_numbers`, `{WABA}/subscribed_apps`,
//! and the media download host that needs the Bearer token and an unexpired URL.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::server::{token, GraphErr};
use super::Shared;

type Params = Query<Vec<(String, String)>>;

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub(super) async fn get_node(
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

pub(super) async fn delete_node(
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

pub(super) async fn debug_token(State(shared): State<Arc<Shared>>, params: Params) -> Response {
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
        "app_id": super::profile::FAKE_APP_ID, "type": "SYSTEM_USER", "application": "Switchboard Fake",
        "is_valid": true, "expires_at": 0, "data_access_expires_at": 0,
        "scopes": ["whatsapp_business_messaging", "whatsapp_business_management"],
        "granular_scopes": [
            { "scope": "whatsapp_business_messaging", "target_ids": wabas },
            { "scope": "whatsapp_business_management", "target_ids": wabas }
        ]
    } }))
    .into_response()
}

pub(super) async fn phone_numbers(
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

pub(super) async fn subscribed_apps(
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

pub(super) async fn subscribe_app(
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
pub(super) async fn download(
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
