//! The Content API (content.twilio.com/v1): contents, listing with approvals, WhatsApp
//! approval requests. JSON in and out; errors in Twilio's shape.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::api::{authenticate, error};
use super::state::{iso_now, new_sid, Approval, Content, State as FakeState};
use super::Shared;

const CATEGORIES: [&str; 3] = ["UTILITY", "MARKETING", "AUTHENTICATION"];
/// Content types WhatsApp can approve as templates.
const APPROVABLE: [&str; 4] = [
    "twilio/text",
    "twilio/media",
    "twilio/quick-reply",
    "twilio/call-to-action",
];

pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let account_sid = match authenticate(&shared, &headers, None) {
        Ok(sid) => sid,
        Err(response) => return response.into_response(),
    };
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return error(400, 20001, "Request body must be a JSON object");
    };
    let friendly_name = request
        .get("friendly_name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let types = request.get("types").cloned().unwrap_or(Value::Null);
    if types.as_object().is_none_or(|t| t.is_empty()) {
        return error(400, 20001, "Missing required parameter types");
    }
    let content = Content {
        account_sid,
        friendly_name: friendly_name.to_owned(),
        language: request
            .get("language")
            .and_then(Value::as_str)
            .unwrap_or("en")
            .to_owned(),
        variables: request
            .get("variables")
            .cloned()
            .unwrap_or_else(|| json!({})),
        types,
        approval: None,
        date_created: iso_now(),
    };
    let sid = new_sid("HX");
    let answer = content_json(&shared.base_url, &sid, &content);
    let mut state = shared.lock();
    state.content_order.push(sid.clone());
    state.contents.insert(sid, content);
    (StatusCode::CREATED, Json(answer)).into_response()
}

fn content_json(base: &str, sid: &str, c: &Content) -> Value {
    let url = format!("{base}/v1/Content/{sid}");
    json!({
        "sid": sid, "account_sid": c.account_sid, "friendly_name": c.friendly_name,
        "language": c.language, "variables": c.variables, "types": c.types, "url": url,
        "date_created": c.date_created, "date_updated": c.date_created,
        "links": {"approval_create": format!("{url}/ApprovalRequests/whatsapp"),
                  "approval_fetch": format!("{url}/ApprovalRequests")},
    })
}

fn approval_json(c: &Content) -> Value {
    let a = c.approval.clone().unwrap_or_else(|| Approval {
        name: String::new(),
        category: String::new(),
        status: "unsubmitted".into(),
        rejection_reason: String::new(),
    });
    let content_type = c
        .types
        .as_object()
        .and_then(|t| t.keys().next().cloned())
        .unwrap_or_default();
    json!({"name": a.name, "category": a.category, "content_type": content_type, "status": a.status,
           "rejection_reason": a.rejection_reason, "allow_category_change": true})
}

/// One page of the account's contents, in creation order, with Twilio's `meta` block.
fn page(
    shared: &Shared,
    account_sid: &str,
    query: &HashMap<String, String>,
    path: &str,
    key: &str,
    with_approvals: bool,
) -> Value {
    let size: usize = query
        .get("PageSize")
        .and_then(|s| s.parse().ok())
        .unwrap_or(50)
        .clamp(1, 1000);
    let start: usize = query
        .get("PageToken")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let state = shared.lock();
    let owned: Vec<&String> = state
        .content_order
        .iter()
        .filter(|sid| {
            state
                .contents
                .get(*sid)
                .is_some_and(|c| c.account_sid == account_sid)
        })
        .collect();
    let items: Vec<Value> = owned
        .iter()
        .skip(start)
        .take(size)
        .filter_map(|sid| {
            let c = state.contents.get(*sid)?;
            let mut item = content_json(&shared.base_url, sid, c);
            if with_approvals {
                item["approval_requests"] = approval_json(c);
            }
            Some(item)
        })
        .collect();
    let url = |token: usize| {
        format!(
            "{}{path}?PageSize={size}&PageToken={token}",
            shared.base_url
        )
    };
    let next = (start + size < owned.len()).then(|| url(start + size));
    json!({key: items, "meta": {"page": start / size, "page_size": size, "first_page_url": url(0),
        "previous_page_url": null, "url": url(start), "next_page_url": next, "key": key}})
}

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match authenticate(&shared, &headers, None) {
        Ok(account) => Json(page(
            &shared,
            &account,
            &query,
            "/v1/Content",
            "contents",
            false,
        ))
        .into_response(),
        Err(response) => response.into_response(),
    }
}

pub(crate) async fn list_with_approvals(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match authenticate(&shared, &headers, None) {
        Ok(account) => Json(page(
            &shared,
            &account,
            &query,
            "/v1/ContentAndApprovals",
            "contents",
            true,
        ))
        .into_response(),
        Err(response) => response.into_response(),
    }
}

/// Runs `f` on the caller's content, or answers 401/404.
fn with_content(
    shared: &Shared,
    headers: &HeaderMap,
    sid: &str,
    f: impl FnOnce(&mut FakeState, &str) -> Response,
) -> Response {
    let account = match authenticate(shared, headers, None) {
        Ok(account) => account,
        Err(response) => return response.into_response(),
    };
    let mut state = shared.lock();
    if state
        .contents
        .get(sid)
        .is_none_or(|c| c.account_sid != account)
    {
        return error(404, 20404, "The requested resource was not found");
    }
    f(&mut state, &account)
}

pub(crate) async fn fetch(
    State(shared): State<Arc<Shared>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
) -> Response {
    with_content(&shared, &headers, &sid, |state, _| {
        match state.contents.get(&sid) {
            Some(c) => Json(content_json(&shared.base_url, &sid, c)).into_response(),
            None => error(404, 20404, "The requested resource was not found"),
        }
    })
}

pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
) -> Response {
    with_content(&shared, &headers, &sid, |state, _| {
        state.contents.remove(&sid);
        state.content_order.retain(|s| *s != sid);
        StatusCode::NO_CONTENT.into_response()
    })
}

pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let name = request
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let category = request
        .get("category")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_uppercase();
    with_content(&shared, &headers, &sid, |state, _| {
        let valid_name = !name.is_empty()
            && name.len() <= 512
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_name {
            return error(
                400,
                20001,
                "Invalid parameter name: lowercase letters, digits and underscores only",
            );
        }
        if !CATEGORIES.contains(&category.as_str()) {
            return error(400, 20001, "Invalid parameter category");
        }
        let initial = state.settings.approval_on_submit.clone();
        let Some(content) = state.contents.get_mut(&sid) else {
            return error(404, 20404, "The requested resource was not found");
        };
        let approvable = content
            .types
            .as_object()
            .is_some_and(|t| t.keys().any(|k| APPROVABLE.contains(&k.as_str())));
        if !approvable {
            return error(
                400,
                20001,
                "This content type cannot be submitted for WhatsApp approval",
            );
        }
        content.approval = Some(Approval {
            name,
            category,
            status: initial,
            rejection_reason: String::new(),
        });
        (StatusCode::CREATED, Json(approval_json(content))).into_response()
    })
}

pub(crate) async fn approval(
    State(shared): State<Arc<Shared>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
) -> Response {
    with_content(&shared, &headers, &sid, |state, account| {
        match state.contents.get(&sid) {
            Some(c) => {
                let mut whatsapp = approval_json(c);
                whatsapp["type"] = json!("whatsapp");
                Json(json!({"sid": sid, "account_sid": account,
                "url": format!("{}/v1/Content/{sid}/ApprovalRequests", shared.base_url),
                "whatsapp": whatsapp}))
                .into_response()
            }
            None => error(404, 20404, "The requested resource was not found"),
        }
    })
}
