//! `GET /media/{id}`: an inbound attachment, for the owning tenant's users and API keys
//! (`Authorization: Bearer`) or through a short-lived signed link (`?t=&e=&s=`).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::graphql::Bearer;
use super::router::HttpState;
use crate::domain::{AttachmentId, Role, TenantId};

pub async fn serve(
    State(state): State<HttpState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<AttachmentId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let tenant = match (query.get("t"), query.get("e"), query.get("s")) {
        (Some(t), Some(e), Some(s)) => {
            let (Ok(tenant), Ok(expires)) = (t.parse::<TenantId>(), e.parse::<i64>()) else {
                return StatusCode::FORBIDDEN.into_response();
            };
            if !state
                .app
                .media_links
                .check(tenant, id, expires, s, chrono::Utc::now().timestamp())
            {
                return StatusCode::FORBIDDEN.into_response();
            }
            tenant
        }
        _ => match super::ws::bearer(&headers) {
            Bearer::Token(token) => match state.app.auth.authenticate(token).await {
                Ok(viewer) => match viewer.require_tenant(Role::Agent) {
                    Ok(tenant) => tenant,
                    Err(_) => return StatusCode::FORBIDDEN.into_response(),
                },
                Err(_) => return StatusCode::UNAUTHORIZED.into_response(),
            },
            _ => return StatusCode::UNAUTHORIZED.into_response(),
        },
    };
    let attachment = match state
        .app
        .store
        .tenant(tenant)
        .messages()
        .attachment(id)
        .await
    {
        Ok(a) => a,
        Err(crate::store::StoreError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "attachment lookup failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Some(key) = attachment
        .storage_key
        .filter(|_| attachment.state == "READY")
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bytes = match state.app.media_store.get(&key).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "media store read failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let content_type = attachment
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
    let name: String = attachment
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
