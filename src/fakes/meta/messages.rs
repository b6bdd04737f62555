//! `POST /{v}/{PHONE_NUMBER_ID}/messages`: validates sends and read receipts the way the
//! Cloud API does (PROVIDERS.md §2.2, §2.3, §2.10) and schedules status webhooks.
//!
//! Async outcomes mirror Meta: the send is accepted (200 + wamid) and failures arrive later
//! as `failed` statuses — 131047 when the fake's own 24 h window with that user is closed
//! and the message is not a template (the window opens when the fake delivers an inbound
//! from the user, or via `FakeMeta::open_window`), and 131026 for the magic undeliverable
//! number [`UNDELIVERABLE`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::server::{token, GraphErr};
use super::state::FakeSentMessage;
use super::templates::placeholder_count;
use super::webhooks::StatusSpec;
use super::Shared;

/// Sends to this wa_id are accepted, then fail with 131026 (undeliverable).
pub const UNDELIVERABLE: &str = "15005550001";

pub(super) async fn post(
    State(shared): State<Arc<Shared>>,
    Path((_version, pnid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = token(&headers, None).unwrap_or_default();
    if !shared.lock().token_owns(&token, &pnid) || shared.lock().number(&pnid).is_none() {
        return GraphErr::unknown_object(&pnid).into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return invalid("The request body is not valid JSON").into_response();
    };
    match handle(&shared, &pnid, body) {
        Ok(answer) => Json(answer).into_response(),
        Err(error) => error.into_response(),
    }
}

fn handle(shared: &Arc<Shared>, pnid: &str, body: Value) -> Result<Value, GraphErr> {
    if body.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return Err(invalid("The parameter messaging_product is required."));
    }
    if body.get("status").and_then(Value::as_str) == Some("read") {
        let id = str_at(&body, "message_id")
            .ok_or_else(|| invalid("The parameter message_id is required."))?;
        if !id.starts_with("wamid.") {
            return Err(invalid("Invalid message_id").details(format!("{id} is not a wamid")));
        }
        return Ok(json!({ "success": true }));
    }
    let to_input = str_at(&body, "to").ok_or_else(|| invalid("The parameter to is required."))?;
    let to: String = to_input.trim_start_matches('+').to_owned();
    if !(8..=15).contains(&to.len()) || !to.chars().all(|c| c.is_ascii_digit()) {
        return Err(value_error("Invalid 'to' parameter")
            .details(format!("{to_input} is not a phone number")));
    }
    if let Some(kind) = body.get("recipient_type").and_then(Value::as_str) {
        if kind != "individual" && kind != "group" {
            return Err(invalid("Invalid recipient_type"));
        }
    }
    let kind = str_at(&body, "type").unwrap_or("text").to_owned();
    let object = body
        .get(&kind)
        .ok_or_else(|| invalid(&format!("The parameter {kind} is required.")))?;
    validate(shared, pnid, &kind, object)?;
    if let Some(data) = body.get("biz_opaque_callback_data").and_then(Value::as_str) {
        if data.chars().count() > 512 {
            return Err(value_error(
                "biz_opaque_callback_data must be at most 512 characters",
            ));
        }
    }
    let correlation = str_at(&body, "biz_opaque_callback_data").map(str::to_owned);
    let wamid = format!("wamid.HBgL{}", uuid::Uuid::new_v4().simple())
        .to_ascii_uppercase()
        .replacen("WAMID.", "wamid.", 1);
    let window_open = shared.lock().window_open(pnid, &to);
    shared.lock().sent.push(FakeSentMessage {
        wamid: wamid.clone(),
        phone_number_id: pnid.to_owned(),
        to: to.clone(),
        kind: kind.clone(),
        body: body.clone(),
        correlation: correlation.clone(),
    });
    schedule_statuses(shared, pnid, &wamid, &to, &kind, window_open, correlation);
    let mut answer = json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to_input, "wa_id": to }],
        "messages": [{ "id": wamid }],
    });
    if kind == "template" {
        answer["messages"][0]["message_status"] = json!("accepted");
    }
    Ok(answer)
}

fn schedule_statuses(
    shared: &Arc<Shared>,
    pnid: &str,
    wamid: &str,
    to: &str,
    kind: &str,
    window_open: bool,
    correlation: Option<String>,
) {
    let (url, knobs) = {
        let state = shared.lock();
        (state.webhook_url.clone(), state.status_knobs.clone())
    };
    let Some(url) = url.filter(|_| knobs.auto) else {
        return;
    };
    let spec = |status: &str| {
        let mut spec = StatusSpec::new(wamid, status, to);
        spec.correlation = correlation.clone();
        spec.category = if kind == "template" {
            "utility".into()
        } else {
            "service".into()
        };
        spec
    };
    let mut statuses = if to == UNDELIVERABLE {
        let mut failed = spec("failed");
        failed.error = Some((131026, "Message undeliverable".into()));
        vec![failed]
    } else if !window_open && kind != "template" {
        let mut failed = spec("failed");
        failed.error = Some((131047, "Re-engagement message".into()));
        vec![failed]
    } else {
        let mut list = vec![spec("sent"), spec("delivered")];
        if knobs.read {
            list.push(spec("read"));
        }
        list
    };
    if knobs.reorder {
        statuses.reverse();
    }
    if knobs.duplicate {
        statuses = statuses.into_iter().flat_map(|s| [s.clone(), s]).collect();
    }
    let shared = shared.clone();
    let pnid = pnid.to_owned();
    tokio::spawn(async move {
        if let Err(error) = shared
            .post_statuses(&url, &pnid, &statuses, knobs.batch)
            .await
        {
            tracing::debug!(%error, "fake meta could not deliver a status webhook");
        }
    });
}

fn validate(shared: &Arc<Shared>, pnid: &str, kind: &str, object: &Value) -> Result<(), GraphErr> {
    match kind {
        "text" => {
            let body = required_str(object, "body", "text['body']")?;
            max_len(body, 4096, "text['body']")
        }
        "image" | "video" | "document" | "audio" | "sticker" => media(kind, object),
        "location" => {
            for key in ["latitude", "longitude"] {
                let value = object.get(key).ok_or_else(|| {
                    invalid(&format!("The parameter location['{key}'] is required."))
                })?;
                let number = value
                    .as_f64()
                    .or_else(|| value.as_str().and_then(|s| s.parse().ok()));
                if number.is_none() {
                    return Err(value_error(&format!("location['{key}'] must be a number")));
                }
            }
            Ok(())
        }
        "contacts" => {
            let cards = object
                .as_array()
                .filter(|a| !a.is_empty())
                .ok_or_else(|| invalid("contacts must be a non-empty array"))?;
            for card in cards {
                let name = card
                    .get("name")
                    .ok_or_else(|| invalid("The parameter contacts['name'] is required."))?;
                required_str(name, "formatted_name", "contacts['name']['formatted_name']")?;
            }
            Ok(())
        }
        "interactive" => interactive(object),
        "template" => template(shared, pnid, object),
        "reaction" => {
            required_str(object, "message_id", "reaction['message_id']")?;
            let emoji = object
                .get("emoji")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("The parameter reaction['emoji'] is required."))?;
            if emoji.chars().count() > 10 {
                return Err(value_error("reaction['emoji'] must be a single emoji"));
            }
            Ok(())
        }
        other => Err(invalid(&format!("Invalid parameter type: {other}"))),
    }
}

fn media(kind: &str, object: &Value) -> Result<(), GraphErr> {
    let link = object.get("link").and_then(Value::as_str);
    let id = object.get("id").and_then(Value::as_str);
    match (link, id) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(invalid(&format!(
                "Exactly one of {kind}['link'] or {kind}['id'] is required."
            )))
        }
        (Some(link), None) if !(link.starts_with("https://") || link.starts_with("http://")) => {
            return Err(value_error(&format!(
                "{kind}['link'] must be an http(s) URL"
            )))
        }
        _ => {}
    }
    if let Some(caption) = object.get("caption") {
        if matches!(kind, "audio" | "sticker") {
            return Err(invalid(&format!("{kind} does not take a caption")));
        }
        max_len(
            caption.as_str().unwrap_or_default(),
            1024,
            &format!("{kind}['caption']"),
        )?;
    }
    if object.get("filename").is_some() && kind != "document" {
        return Err(invalid(&format!("{kind} does not take a filename")));
    }
    Ok(())
}

fn interactive(object: &Value) -> Result<(), GraphErr> {
    let body = object
        .get("body")
        .ok_or_else(|| invalid("The parameter interactive['body'] is required."))?;
    max_len(
        required_str(body, "text", "interactive['body']['text']")?,
        1024,
        "interactive['body']['text']",
    )?;
    if let Some(footer) = object.get("footer") {
        max_len(
            required_str(footer, "text", "interactive['footer']['text']")?,
            60,
            "interactive['footer']['text']",
        )?;
    }
    if let Some(header) = object.get("header") {
        if header.get("type").and_then(Value::as_str) == Some("text") {
            max_len(
                required_str(header, "text", "interactive['header']['text']")?,
                60,
                "interactive['header']['text']",
            )?;
        }
    }
    let action = object
        .get("action")
        .ok_or_else(|| invalid("The parameter interactive['action'] is required."))?;
    match object.get("type").and_then(Value::as_str) {
        Some("button") => {
            let buttons = action
                .get("buttons")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    invalid("The parameter interactive['action']['buttons'] is required.")
                })?;
            if buttons.is_empty() || buttons.len() > 3 {
                return Err(value_error("Buttons count must be between 1 and 3"));
            }
            for button in buttons {
                let reply = button
                    .get("reply")
                    .ok_or_else(|| invalid("The parameter button['reply'] is required."))?;
                max_len(
                    required_str(reply, "id", "reply['id']")?,
                    256,
                    "reply['id']",
                )?;
                max_len(
                    required_str(reply, "title", "reply['title']")?,
                    20,
                    "reply['title']",
                )?;
            }
            Ok(())
        }
        Some("list") => {
            max_len(
                required_str(action, "button", "action['button']")?,
                20,
                "action['button']",
            )?;
            let sections = action
                .get("sections")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid("The parameter action['sections'] is required."))?;
            if sections.is_empty() || sections.len() > 10 {
                return Err(value_error("Sections count must be between 1 and 10"));
            }
            let mut rows_total = 0;
            for section in sections {
                match section.get("title").and_then(Value::as_str) {
                    Some(title) => max_len(title, 24, "section['title']")?,
                    None if sections.len() > 1 => {
                        return Err(invalid(
                            "section['title'] is required with more than one section",
                        ))
                    }
                    None => {}
                }
                let rows = section
                    .get("rows")
                    .and_then(Value::as_array)
                    .ok_or_else(|| invalid("The parameter section['rows'] is required."))?;
                rows_total += rows.len();
                for row in rows {
                    max_len(required_str(row, "id", "row['id']")?, 200, "row['id']")?;
                    max_len(
                        required_str(row, "title", "row['title']")?,
                        24,
                        "row['title']",
                    )?;
                    if let Some(description) = row.get("description").and_then(Value::as_str) {
                        max_len(description, 72, "row['description']")?;
                    }
                }
            }
            if rows_total == 0 || rows_total > 10 {
                return Err(value_error("Total row count must be between 1 and 10"));
            }
            Ok(())
        }
        Some("cta_url") => {
            let parameters = action
                .get("parameters")
                .ok_or_else(|| invalid("The parameter action['parameters'] is required."))?;
            required_str(parameters, "display_text", "parameters['display_text']")?;
            required_str(parameters, "url", "parameters['url']")?;
            Ok(())
        }
        _ => Err(invalid("Invalid interactive['type']")),
    }
}

/// The template must exist in the fake's store for this WABA, in that language, approved,
/// with as many body parameters as placeholders.
fn template(shared: &Arc<Shared>, pnid: &str, object: &Value) -> Result<(), GraphErr> {
    let name = required_str(object, "name", "template['name']")?;
    let language = object
        .get("language")
        .and_then(|l| l.get("code"))
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("The parameter template['language']['code'] is required."))?;
    let state = shared.lock();
    let waba = state
        .number(pnid)
        .map(|n| n.waba_id.clone())
        .unwrap_or_default();
    let found = state.templates.iter().find(|t| {
        t.waba_id == waba && t.name == name && t.language == language && t.status == "APPROVED"
    });
    let Some(found) = found else {
        return Err(GraphErr::new(
            404,
            132001,
            "Template name does not exist in the translation",
        )
        .details(format!(
            "template name ({name}) does not exist in {language}"
        )));
    };
    let expected = placeholder_count(found.body_text());
    let given: usize = object
        .get("components")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| {
            c.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("body"))
        })
        .map(|c| {
            c.get("parameters")
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        })
        .sum();
    if given != expected {
        return Err(GraphErr::new(400, 132000, "Number of parameters does not match the expected number of params")
            .details(format!("body: number of localizable_params ({given}) does not match the expected number of params ({expected})")));
    }
    Ok(())
}

fn str_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn required_str<'a>(value: &'a Value, key: &str, name: &str) -> Result<&'a str, GraphErr> {
    str_at(value, key).ok_or_else(|| invalid(&format!("The parameter {name} is required.")))
}

fn max_len(text: &str, max: usize, name: &str) -> Result<(), GraphErr> {
    if text.chars().count() > max {
        return Err(invalid(&format!(
            "Param {name} must be at most {max} characters long."
        )));
    }
    Ok(())
}

/// Graph's generic invalid-parameter error (100).
fn invalid(message: &str) -> GraphErr {
    GraphErr::new(400, 100, message)
}

/// WhatsApp's parameter-value error (131009).
fn value_error(message: &str) -> GraphErr {
    GraphErr::new(400, 131009, "Parameter value is not valid").details(message)
}
