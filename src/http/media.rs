//! `GET /media/{id}`: an inbound attachment or an upload, for the owning tenant's users and
//! API keys (`Authorization: Bearer`) or through a short-lived signed link (`?t=&e=&s=`),
//! which is how a provider fetches media we send.
//!
//! `POST /media`: uploads a file to send; answers its id for `sendMessage`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use futures::StreamExt;
use uuid::Uuid;

use super::graphql::Bearer;
use super::router::HttpState;
use crate::domain::{TenantId, Visibility};
use crate::error::ErrorCode;
use crate::services::auth::{Access, Agent};
use crate::services::media::files::{MediaFiles, StoredFile, UploadError};

/// The caller's tenant and what it may see there: from a signed link for `id` (handed to
/// one who saw its message), or from a bearer token.
async fn tenant_of(
    state: &HttpState,
    id: Uuid,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<(TenantId, Visibility), StatusCode> {
    match (query.get("t"), query.get("e"), query.get("s")) {
        (Some(t), Some(e), Some(s)) => state
            .services
            .files
            .linked_tenant(id, t, e, s)
            .map(|tenant| (tenant, Visibility::All))
            .ok_or(StatusCode::FORBIDDEN),
        _ => {
            let access = bearer_access(state, headers).await?;
            match state.services.visibility.of(&access).await {
                Ok(visibility) => Ok((access.tenant(), visibility)),
                Err(e) => {
                    tracing::error!(error = %e, "media visibility lookup failed");
                    Err(StatusCode::SERVICE_UNAVAILABLE)
                }
            }
        }
    }
}

/// The bearer's leave to act in its tenant: 401 without a valid token, 403 outside a
/// tenant.
async fn bearer_access(
    state: &HttpState,
    headers: &HeaderMap,
) -> Result<Access<Agent>, StatusCode> {
    let Bearer::Token(token) = super::ws::bearer(headers) else {
        return Err(StatusCode::UNAUTHORIZED);
    };
    let viewer = state
        .services
        .auth
        .authenticate(token)
        .await
        .map_err(|_| StatusCode::UNAUTHORIZED)?;
    viewer.access::<Agent>().map_err(|_| StatusCode::FORBIDDEN)
}

/// An inbound attachment that is ready, of a message the caller sees, or an upload, of the
/// tenant.
async fn stored(
    state: &HttpState,
    tenant: TenantId,
    visibility: &Visibility,
    id: Uuid,
) -> Result<StoredFile, StatusCode> {
    match state.services.files.stored(tenant, visibility, id).await {
        Ok(Some(file)) => Ok(file),
        Ok(None) => Err(StatusCode::NOT_FOUND),
        Err(e) => {
            tracing::error!(error = %e, "media lookup failed");
            Err(StatusCode::SERVICE_UNAVAILABLE)
        }
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
    let (tenant, visibility) = match tenant_of(&state, id, &query, &headers).await {
        Ok(t) => t,
        Err(status) => return status.into_response(),
    };
    let file = match stored(&state, tenant, &visibility, id).await {
        Ok(f) => f,
        Err(status) => return status.into_response(),
    };
    let bytes = match state.services.files.read(&file).await {
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

fn refuse(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [ { "message": message, "extensions": { "code": code.as_str() } } ] });
    (status, axum::Json(body)).into_response()
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
    let access = match bearer_access(&state, &headers).await {
        Ok(found) => found,
        Err(StatusCode::FORBIDDEN) => {
            return refuse(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "this needs a tenant's user or API key",
            )
        }
        Err(_) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                "sign in",
            )
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !MediaFiles::sendable(&content_type) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
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
                ErrorCode::BadUserInput,
                "filename must be 1 to 240 characters, without slashes or control characters",
            )
        }
        f => f.map(str::to_owned),
    };
    let max_bytes = state.services.files.max_bytes();
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BadUserInput,
            &format!("the file is larger than {max_bytes} bytes"),
        )
    };
    match content_length(&headers) {
        Some(0) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "the file is empty",
            )
        }
        Some(length) if length > max_bytes => return too_large(),
        _ => {}
    }
    let stream = body
        .into_data_stream()
        .map(|chunk| chunk.map_err(std::io::Error::other));
    match state
        .services
        .files
        .upload(&access, content_type, filename, Box::pin(stream))
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
        Err(UploadError::TooLarge(_)) => too_large(),
        Err(e @ (UploadError::Empty | UploadError::Interrupted)) => refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            &e.to_string(),
        ),
        Err(e @ UploadError::Unavailable) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal,
            &e.to_string(),
        ),
    }
}
