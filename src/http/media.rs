//! `GET /media/{id}`: an inbound attachment or an upload, for the owning tenant's users and
//! API keys (`Authorization: Bearer`) or through a short-lived signed link (`?t=&e=&s=`),
//! which is how a provider fetches media we send.
//!
//! `POST /media`: uploads a file to send; answers its id for `sendMessage`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::graphql::Bearer;
use super::router::HttpState;
use crate::services::auth::Viewer;
use uuid::Uuid;

use crate::domain::{AttachmentId, Role, TenantId, UploadId};
use crate::providers::capabilities::capabilities;
use crate::providers::ProviderKind;
use crate::services::media::PutStreamError;
use crate::store::uploads::UploadRecord;
use crate::store::StoreError;
use futures::StreamExt;

/// A stored file as `/media/{id}` serves it.
struct Stored {
    key: String,
    content_type: Option<String>,
    filename: Option<String>,
}

/// The caller's tenant: from a signed link for `id`, or from a bearer token.
async fn tenant_of(
    state: &HttpState,
    id: Uuid,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<TenantId, StatusCode> {
    match (query.get("t"), query.get("e"), query.get("s")) {
        (Some(t), Some(e), Some(s)) => {
            let (Ok(tenant), Ok(expires)) = (t.parse::<TenantId>(), e.parse::<i64>()) else {
                return Err(StatusCode::FORBIDDEN);
            };
            if !state
                .app
                .media_links
                .check(tenant, id, expires, s, chrono::Utc::now().timestamp())
            {
                return Err(StatusCode::FORBIDDEN);
            }
            Ok(tenant)
        }
        _ => bearer_viewer(state, headers)
            .await
            .map(|(_, tenant)| tenant),
    }
}

/// The bearer's viewer and tenant: 401 without a valid token, 403 outside a tenant.
async fn bearer_viewer(
    state: &HttpState,
    headers: &HeaderMap,
) -> Result<(Viewer, TenantId), StatusCode> {
    let Bearer::Token(token) = super::ws::bearer(headers) else {
        return Err(StatusCode::UNAUTHORIZED);
    };
    let viewer = state
        .app
        .auth
        .authenticate(token)
        .await
        .map_err(|_| StatusCode::UNAUTHORIZED)?;
    let tenant = viewer
        .require_tenant(Role::Agent)
        .map_err(|_| StatusCode::FORBIDDEN)?;
    Ok((viewer, tenant))
}

/// An inbound attachment that is ready, or an upload, of the tenant.
async fn stored(state: &HttpState, tenant: TenantId, id: Uuid) -> Result<Stored, StatusCode> {
    let scope = state.app.store.tenant(tenant);
    let unavailable = |e: StoreError| {
        tracing::error!(error = %e, "media lookup failed");
        StatusCode::SERVICE_UNAVAILABLE
    };
    match scope.messages().attachment(AttachmentId::from(id)).await {
        Ok(a) => {
            return match a.storage_key.filter(|_| a.state == "READY") {
                Some(key) => Ok(Stored {
                    key,
                    content_type: a.content_type,
                    filename: a.filename,
                }),
                None => Err(StatusCode::NOT_FOUND),
            }
        }
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(unavailable(e)),
    }
    match scope.uploads().get(UploadId::from(id)).await {
        Ok(u) => Ok(Stored {
            key: u.storage_key,
            content_type: Some(u.content_type),
            filename: u.filename,
        }),
        Err(StoreError::NotFound) => Err(StatusCode::NOT_FOUND),
        Err(e) => Err(unavailable(e)),
    }
}

pub async fn serve(
    State(state): State<HttpState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let tenant = match tenant_of(&state, id, &query, &headers).await {
        Ok(t) => t,
        Err(status) => return status.into_response(),
    };
    let file = match stored(&state, tenant, id).await {
        Ok(f) => f,
        Err(status) => return status.into_response(),
    };
    let key = file.key;
    let bytes = match state.app.media_store.get(&key).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "media store read failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let content_type = file
        .content_type
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    // A customer's file must never run as a page on this origin.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    let playable = ["image/", "audio/", "video/"]
        .iter()
        .any(|p| content_type.starts_with(p))
        && content_type != "image/svg+xml";
    let name: String = file
        .filename
        .unwrap_or_else(|| id.to_string())
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect();
    let disposition = if playable { "inline" } else { "attachment" };
    if let Ok(value) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The longest file name kept.
const FILENAME_MAX: usize = 240;

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body =
        serde_json::json!({ "errors": [ { "message": message, "extensions": { "code": code } } ] });
    (status, axum::Json(body)).into_response()
}

/// Whether some provider can send a file of this type.
fn sendable(content_type: &str) -> bool {
    [ProviderKind::Twilio, ProviderKind::Meta]
        .into_iter()
        .flat_map(|p| capabilities(p).media)
        .any(|limit| limit.mime_types.contains(&content_type))
}

/// The declared body length, when the client sent one.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// `POST /media?filename=…` with the file as the body and its `Content-Type`: stores it for
/// sending and answers `201 {"id", "contentType", "sizeBytes", "filename", "sha256"}`.
///
/// Everything that can be decided from the headers is decided before a byte of the body is
/// read: the bearer (401), the type (415), the name (400) and a declared size over the limit
/// (413). The body then streams to the media store, hashed on the way, never whole in memory.
pub async fn upload(
    State(state): State<HttpState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let (viewer, tenant) = match bearer_viewer(&state, &headers).await {
        Ok(found) => found,
        Err(StatusCode::FORBIDDEN) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "this needs a tenant's user or API key",
            )
        }
        Err(_) => return refuse(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "sign in"),
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !sendable(&content_type) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "the Content-Type is not a media type WhatsApp sends",
        );
    }
    let filename = match query.get("filename").map(|f| f.trim()) {
        Some(f)
            if f.is_empty()
                || f.chars().count() > FILENAME_MAX
                || f.chars().any(|c| c.is_control() || c == '/' || c == '\\') =>
        {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                "filename must be 1 to 240 characters, without slashes or control characters",
            )
        }
        f => f.map(str::to_owned),
    };
    let max_bytes = state.app.config.media_max_bytes;
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BAD_USER_INPUT",
            &format!("the file is larger than {max_bytes} bytes"),
        )
    };
    match content_length(&headers) {
        Some(0) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                "the file is empty",
            )
        }
        Some(length) if length > max_bytes => return too_large(),
        _ => {}
    }
    let id = UploadId::new();
    let key = format!("{tenant}/{id}");
    let stream = body
        .into_data_stream()
        .map(|chunk| chunk.map_err(std::io::Error::other));
    let written = match state
        .app
        .media_store
        .put_stream(&key, Box::pin(stream), max_bytes)
        .await
    {
        Ok(written) => written,
        Err(PutStreamError::TooLarge(_)) => return too_large(),
        Err(PutStreamError::Body(_)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                "the upload was interrupted",
            )
        }
        Err(PutStreamError::Store(e)) => {
            tracing::error!(error = %e, "media store write failed");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "INTERNAL",
                "the file could not be stored",
            );
        }
    };
    if written.size_bytes == 0 {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "the file is empty",
        );
    }
    let record = UploadRecord {
        id,
        content_type,
        filename,
        size_bytes: i64::try_from(written.size_bytes).unwrap_or(i64::MAX),
        sha256: written.sha256,
        storage_key: key,
        created_at: chrono::Utc::now(),
    };
    let actor = viewer.audit_actor().label;
    match state
        .app
        .store
        .tenant(tenant)
        .uploads()
        .insert(&record, &actor)
        .await
    {
        Ok(u) => (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({
                "id": u.id.to_string(),
                "contentType": u.content_type,
                "sizeBytes": u.size_bytes,
                "filename": u.filename,
                "sha256": u.sha256,
            })),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "recording an upload failed");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "INTERNAL",
                "the file could not be stored",
            )
        }
    }
}
