//! Request validation for `POST /messages`, per type, with the Cloud API's limits
//! (PROVIDERS.md §2.2, §2.10): text 4096, captions 1024, 1–3 buttons with titles ≤ 20,
//! lists with ≤ 10 sections and ≤ 10 rows, templates checked against the fake's store.

use std::sync::Arc;

use serde_json::Value;

use super::server::GraphErr;
use super::templates::placeholder_count;
use super::Shared;

pub(super) fn validate(
    shared: &Arc<Shared>,
    pnid: &str,
    kind: &str,
    object: &Value,
) -> Result<(), GraphErr> {
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

pub(super) fn str_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

pub(super) fn required_str<'a>(
    value: &'a Value,
    key: &str,
    name: &str,
) -> Result<&'a str, GraphErr> {
    str_at(value, key).ok_or_else(|| invalid(&format!("The parameter {name} is required.")))
}

pub(super) fn max_len(text: &str, max: usize, name: &str) -> Result<(), GraphErr> {
    if text.chars().count() > max {
        return Err(invalid(&format!(
            "Param {name} must be at most {max} characters long."
        )));
    }
    Ok(())
}

/// Graph's generic invalid-parameter error (100).
pub(super) fn invalid(message: &str) -> GraphErr {
    GraphErr::new(400, 100, message)
}

/// WhatsApp's parameter-value error (131009).
pub(super) fn value_error(message: &str) -> GraphErr {
    GraphErr::new(400, 131009, "Parameter value is not valid").details(message)
}
