//! The fake's Resumable Upload API (app uploads), which carries profile photos:
//! - `POST /{v}/{APP_ID}/uploads?file_length&file_type` → `{"id":"upload:…?sig=…"}`;
//! - `POST /{v}/upload:…?sig=…` with `file_offset: 0` and `Authorization: OAuth <token>` and
//!   the whole file → `{"h":"…"}`, a handle only the same token can use.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::profile::{invalid, random, token_of, FAKE_APP_ID};
use super::server::GraphErr;
use super::state::FakeMedia;
use super::Shared;

type Params = Query<Vec<(String, String)>>;

const UPLOAD_TYPES: [&str; 5] = [
    "application/pdf",
    "image/jpeg",
    "image/jpg",
    "image/png",
    "video/mp4",
];

/// An open upload session.
#[derive(Clone, Debug)]
pub(super) struct UploadSession {
    pub(super) token: String,
    sig: String,
    length: usize,
    mime_type: String,
}

/// An uploaded file, by its handle.
#[derive(Clone, Debug)]
pub(super) struct Uploaded {
    pub(super) token: String,
    pub(super) file: FakeMedia,
}

/// `POST /{v}/{APP_ID}/uploads`: opens an upload session.
pub(super) async fn open_upload(
    State(shared): State<Arc<Shared>>,
    Path((_version, app)): Path<(String, String)>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    if app != FAKE_APP_ID && app != "app" {
        return GraphErr::unknown_object(&app).into_response();
    }
    let param = |name: &str| {
        params
            .0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let Some(length) = param("file_length").and_then(|l| l.parse::<usize>().ok()) else {
        return GraphErr::new(400, 100, "The parameter file_length is required").into_response();
    };
    let mime_type = param("file_type").unwrap_or_default();
    if !UPLOAD_TYPES.contains(&mime_type.as_str()) {
        return invalid(format!(
            "file_type must be one of {}",
            UPLOAD_TYPES.join(", ")
        ))
        .into_response();
    }
    if length == 0 {
        return invalid("file_length must be positive").into_response();
    }
    let id = format!("upload:{}", random(24));
    let sig = random(12);
    shared.lock().profiles.sessions.insert(
        id.clone(),
        UploadSession {
            token: token_of(&headers),
            sig: sig.clone(),
            length,
            mime_type,
        },
    );
    Json(json!({ "id": format!("{id}?sig={sig}") })).into_response()
}

/// `POST /{v}/{id}`: file data for an upload session, else a template edit.
pub(super) async fn post_node(
    State(shared): State<Arc<Shared>>,
    Path((version, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !id.starts_with("upload:") {
        return super::templates::edit(State(shared), Path((version, id)), headers, body).await;
    }
    let sig = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "sig")
        .map(|(_, v)| v.into_owned());
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !authorization.starts_with("OAuth ") && !authorization.starts_with("Bearer ") {
        return GraphErr::bad_token().into_response();
    }
    let mut state = shared.lock();
    let session = match state.profiles.sessions.get(&id) {
        Some(session) if Some(&session.sig) == sig.as_ref() => session.clone(),
        _ => return GraphErr::unknown_object(&id).into_response(),
    };
    if session.token != token_of(&headers) {
        return GraphErr::unknown_object(&id).into_response();
    }
    let offset = headers.get("file_offset").and_then(|v| v.to_str().ok());
    if offset != Some("0") {
        return invalid("file_offset must be sent as a header; this session starts at 0")
            .into_response();
    }
    if body.len() != session.length {
        return invalid(format!(
            "the upload has {} bytes; the session was opened for {}",
            body.len(),
            session.length
        ))
        .into_response();
    }
    state.profiles.sessions.remove(&id);
    let expires = chrono::Utc::now().timestamp() + 30 * 24 * 3600;
    let handle = format!(
        "2:{}:{}:{}:e:{expires}:{}",
        random(9),
        session.mime_type,
        random(18),
        random(9)
    );
    state.profiles.handles.insert(
        handle.clone(),
        Uploaded {
            token: session.token,
            file: FakeMedia {
                bytes: body.to_vec(),
                mime_type: session.mime_type,
            },
        },
    );
    Json(json!({ "h": handle })).into_response()
}
