//! Template endpoints of the fake (PROVIDERS.md §2.8): list with cursor paging, create
//! (always `PENDING`; `FakeMeta::review_template` approves or rejects), edit and delete.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};

use super::server::{token, GraphErr};
use super::state::FakeTemplate;
use super::Shared;

const CATEGORIES: [&str; 3] = ["MARKETING", "UTILITY", "AUTHENTICATION"];

type Params = Query<Vec<(String, String)>>;

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The distinct `{{…}}` placeholders in a text.
pub(super) fn placeholder_count(text: &str) -> usize {
    let mut names: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
        rest = &after[end + 2..];
    }
    names.len()
}

/// A template as the Graph API returns it.
pub(super) fn node(template: &FakeTemplate) -> Value {
    let mut node = json!({
        "id": template.id, "name": template.name, "language": template.language,
        "status": template.status, "category": template.category,
        "components": template.components, "parameter_format": template.parameter_format,
    });
    if let Some(reason) = &template.rejected_reason {
        node["rejected_reason"] = json!(reason);
    }
    node
}

fn cursor(index: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("idx:{index}"))
}

fn parse_cursor(cursor: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("idx:")?
        .parse()
        .ok()
}

fn authorize(shared: &Shared, headers: &HeaderMap, waba: &str) -> Result<(), GraphErr> {
    let token = token(headers, None).unwrap_or_default();
    if shared.lock().token_owns(&token, waba) {
        Ok(())
    } else {
        Err(GraphErr::unknown_object(waba))
    }
}

pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    Path((version, waba)): Path<(String, String)>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    if let Err(error) = authorize(&shared, &headers, &waba) {
        return error.into_response();
    }
    let limit = param(&params, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let start = match param(&params, "after") {
        Some(after) => match parse_cursor(after) {
            Some(index) => index + 1,
            None => return GraphErr::new(400, 100, "Invalid cursor").into_response(),
        },
        None => 0,
    };
    let state = shared.lock();
    let matches: Vec<&FakeTemplate> = state
        .templates
        .iter()
        .filter(|t| t.waba_id == waba)
        .filter(|t| param(&params, "name").is_none_or(|n| t.name == n))
        .filter(|t| param(&params, "status").is_none_or(|s| t.status == s))
        .filter(|t| param(&params, "language").is_none_or(|l| t.language == l))
        .filter(|t| param(&params, "category").is_none_or(|c| t.category == c))
        .collect();
    let page: Vec<Value> = matches
        .iter()
        .skip(start)
        .take(limit)
        .map(|t| node(t))
        .collect();
    let end = start + page.len();
    let mut paging = json!({ "cursors": {
        "before": cursor(start), "after": cursor(end.saturating_sub(1)) } });
    if end < matches.len() {
        let base = state
            .template_next_base
            .clone()
            .unwrap_or_else(|| shared.base_url.clone());
        paging["next"] = json!(format!(
            "{base}/{version}/{waba}/message_templates?limit={limit}&after={}",
            cursor(end - 1)
        ));
    }
    Json(json!({ "data": page, "paging": paging })).into_response()
}

pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    Path((_version, waba)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(error) = authorize(&shared, &headers, &waba) {
        return error.into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return GraphErr::new(400, 100, "Invalid parameter").into_response();
    };
    match validate(&body) {
        Ok(()) => {}
        Err(error) => return error.into_response(),
    }
    let name = body["name"].as_str().unwrap_or_default().to_owned();
    let language = body["language"].as_str().unwrap_or_default().to_owned();
    let category = body["category"].as_str().unwrap_or_default().to_uppercase();
    let mut state = shared.lock();
    let exists = state
        .templates
        .iter()
        .any(|t| t.waba_id == waba && t.name == name && t.language == language);
    if exists {
        let mut error = GraphErr::new(400, 100, "Invalid parameter").details(format!(
            "Content in this language already exists: {name} ({language})"
        ));
        error.subcode = Some(2388024);
        return error.into_response();
    }
    let id = state.next_id();
    state.templates.push(FakeTemplate {
        id: id.clone(),
        waba_id: waba,
        name,
        language,
        category: category.clone(),
        status: "PENDING".into(),
        rejected_reason: None,
        parameter_format: body
            .get("parameter_format")
            .and_then(Value::as_str)
            .unwrap_or("POSITIONAL")
            .to_uppercase(),
        components: body["components"].clone(),
    });
    Json(json!({ "id": id, "status": "PENDING", "category": category })).into_response()
}

fn validate(body: &Value) -> Result<(), GraphErr> {
    let missing = |what: &str| {
        let mut error = GraphErr::new(400, 100, "Invalid parameter").details(format!(
            "Message template is missing expected field(s): {what}"
        ));
        error.subcode = Some(2388043);
        error
    };
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("name"))?;
    if name.is_empty()
        || name.len() > 512
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(GraphErr::new(400, 100, "Invalid parameter")
            .details("name may contain only lowercase letters, digits and underscores"));
    }
    body.get("language")
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| missing("language"))?;
    let category = body
        .get("category")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("category"))?;
    if !CATEGORIES.contains(&category.to_uppercase().as_str()) {
        return Err(GraphErr::new(400, 100, "Invalid parameter").details("invalid category"));
    }
    let components = body
        .get("components")
        .and_then(Value::as_array)
        .ok_or_else(|| missing("components"))?;
    let bodies: Vec<&Value> = components
        .iter()
        .filter(|c| {
            c.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("BODY"))
        })
        .collect();
    let [body_component] = bodies.as_slice() else {
        return Err(missing("exactly one BODY component"));
    };
    let text = body_component
        .get("text")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("BODY text"))?;
    if text.chars().count() > 1024 {
        return Err(GraphErr::new(400, 100, "Invalid parameter")
            .details("BODY text is over 1024 characters"));
    }
    if placeholder_count(text) > 0 && body_component.get("example").is_none() {
        return Err(missing("BODY example"));
    }
    Ok(())
}

pub(super) async fn delete(
    State(shared): State<Arc<Shared>>,
    Path((_version, waba)): Path<(String, String)>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    if let Err(error) = authorize(&shared, &headers, &waba) {
        return error.into_response();
    }
    let name = param(&params, "name").map(str::to_owned);
    let hsm_id = param(&params, "hsm_id").map(str::to_owned);
    if name.is_none() && hsm_id.is_none() {
        return GraphErr::new(400, 100, "The parameter name is required.").into_response();
    }
    let mut state = shared.lock();
    let before = state.templates.len();
    state.templates.retain(|t| {
        !(t.waba_id == waba
            && name.as_deref().is_none_or(|n| t.name == n)
            && hsm_id.as_deref().is_none_or(|h| t.id == h))
    });
    if state.templates.len() == before {
        return GraphErr::new(404, 100, "Template not found").into_response();
    }
    Json(json!({ "success": true })).into_response()
}

/// `POST /{v}/{TEMPLATE_ID}`: edit components or category.
pub(super) async fn edit(
    State(shared): State<Arc<Shared>>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = token(&headers, None).unwrap_or_default();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut state = shared.lock();
    let owned = state
        .templates
        .iter()
        .find(|t| t.id == id)
        .map(|t| t.waba_id.clone())
        .filter(|waba| state.token_owns(&token, waba));
    if owned.is_none() {
        return GraphErr::unknown_object(&id).into_response();
    }
    if let Some(template) = state.templates.iter_mut().find(|t| t.id == id) {
        if let Some(components) = body.get("components") {
            template.components = components.clone();
            template.status = "PENDING".into();
        }
        if let Some(category) = body.get("category").and_then(Value::as_str) {
            template.category = category.to_uppercase();
        }
    }
    Json(json!({ "success": true })).into_response()
}
