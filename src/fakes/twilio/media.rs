//! Media like Twilio serves it: the API path needs Basic auth and answers a 307 to a
//! short-lived, unauthenticated link (standing in for `mms.twiliocdn.com`).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::api::{authenticate, error};
use super::state::{iso_now, new_sid};
use super::Shared;

pub(crate) async fn get_media(
    State(shared): State<Arc<Shared>>,
    Path((account, message, file)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(response) = authenticate(&shared, &headers, Some(&account)) {
        return response.into_response();
    }
    let (sid, metadata) = match file.strip_suffix(".json") {
        Some(sid) => (sid.to_owned(), true),
        None => (file.clone(), false),
    };
    let mut state = shared.lock();
    let first_404 = state.settings.media_first_404;
    let redirect_base = state
        .settings
        .media_redirect_base
        .clone()
        .unwrap_or_else(|| shared.base_url.clone());
    let ttl = state.settings.media_link_ttl;
    let Some(media) = state
        .media
        .get_mut(&sid)
        .filter(|m| m.account_sid == account && m.message_sid == message)
    else {
        return error(404, 20404, "The requested resource was not found");
    };
    if metadata {
        return Json(json!({
            "sid": sid, "account_sid": account, "parent_sid": message,
            "content_type": media.content_type, "date_created": iso_now(), "date_updated": iso_now(),
            "uri": format!("/2010-04-01/Accounts/{account}/Messages/{message}/Media/{sid}.json"),
        }))
        .into_response();
    }
    if first_404 && !media.served_404 {
        media.served_404 = true;
        return error(404, 20404, "The requested resource was not found");
    }
    let token = new_sid("");
    state.cdn.insert(token.clone(), (sid, Instant::now() + ttl));
    let location = format!("{}/cdn/{token}", redirect_base.trim_end_matches('/'));
    (StatusCode::TEMPORARY_REDIRECT, [("location", location)]).into_response()
}

pub(crate) async fn get_cdn(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
) -> Response {
    let state = shared.lock();
    let media = state
        .cdn
        .get(&token)
        .filter(|(_, expires)| *expires > Instant::now())
        .and_then(|(sid, _)| state.media.get(sid));
    match media {
        Some(m) => ([("content-type", m.content_type.clone())], m.bytes.clone()).into_response(),
        None => (StatusCode::FORBIDDEN, "expired or unknown link").into_response(),
    }
}
