//! Builds the JSON body of `POST /{v}/{PHONE_NUMBER_ID}/messages` (PROVIDERS.md §2.2, §2.3)
//! from an [`OutboundMessage`]. No local limit checks: those belong to the service layer, and
//! Meta answers its own errors, which we classify.

use serde_json::{json, Map, Value};

use crate::domain::content::{ContactCard, TemplateVariable};
use crate::domain::MediaKind;
use crate::providers::outbound::{OutboundContent, OutboundMessage};

/// The full send body: envelope plus the object named after the type.
pub(crate) fn message_body(message: &OutboundMessage) -> Value {
    let mut body = Map::new();
    body.insert("messaging_product".into(), json!("whatsapp"));
    body.insert("recipient_type".into(), json!("individual"));
    body.insert("to".into(), json!(message.to.digits()));
    let (kind, object) = content(&message.content);
    body.insert("type".into(), json!(kind));
    body.insert(kind.into(), object);
    if let Some(reply_to) = &message.reply_to {
        body.insert("context".into(), json!({ "message_id": reply_to }));
    }
    if let Some(correlation) = &message.correlation_id {
        body.insert("biz_opaque_callback_data".into(), json!(correlation));
    }
    Value::Object(body)
}

/// The read receipt body for an inbound message.
pub(crate) fn read_body(provider_message_id: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": provider_message_id,
    })
}

fn content(content: &OutboundContent) -> (&'static str, Value) {
    match content {
        OutboundContent::Text { body, preview_url } => {
            ("text", json!({ "body": body, "preview_url": preview_url }))
        }
        OutboundContent::Media {
            kind,
            url,
            caption,
            filename,
        } => media(*kind, url, caption.as_deref(), filename.as_deref()),
        OutboundContent::Template {
            name,
            language,
            parameters,
            ..
        } => ("template", template(name, language, parameters)),
        OutboundContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => {
            let mut object = Map::new();
            object.insert("latitude".into(), json!(latitude));
            object.insert("longitude".into(), json!(longitude));
            insert_opt(&mut object, "name", name.as_deref());
            insert_opt(&mut object, "address", address.as_deref());
            ("location", Value::Object(object))
        }
        OutboundContent::Contacts(cards) => (
            "contacts",
            Value::Array(cards.iter().map(contact).collect()),
        ),
        OutboundContent::Buttons {
            header,
            body,
            footer,
            buttons,
        } => {
            let buttons: Vec<Value> = buttons
                .iter()
                .map(|b| json!({ "type": "reply", "reply": { "id": b.id, "title": b.title } }))
                .collect();
            let action = json!({ "buttons": buttons });
            (
                "interactive",
                interactive("button", header.as_deref(), body, footer.as_deref(), action),
            )
        }
        OutboundContent::List {
            header,
            body,
            footer,
            button,
            sections,
        } => {
            let sections: Vec<Value> = sections
                .iter()
                .map(|section| {
                    let rows: Vec<Value> = section
                        .rows
                        .iter()
                        .map(|row| {
                            let mut object = Map::new();
                            object.insert("id".into(), json!(row.id));
                            object.insert("title".into(), json!(row.title));
                            insert_opt(&mut object, "description", row.description.as_deref());
                            Value::Object(object)
                        })
                        .collect();
                    let mut object = Map::new();
                    insert_opt(&mut object, "title", section.title.as_deref());
                    object.insert("rows".into(), Value::Array(rows));
                    Value::Object(object)
                })
                .collect();
            let action = json!({ "button": button, "sections": sections });
            (
                "interactive",
                interactive("list", header.as_deref(), body, footer.as_deref(), action),
            )
        }
        OutboundContent::Reaction { message_id, emoji } => (
            "reaction",
            json!({ "message_id": message_id, "emoji": emoji }),
        ),
    }
}

fn media(
    kind: MediaKind,
    url: &str,
    caption: Option<&str>,
    filename: Option<&str>,
) -> (&'static str, Value) {
    let name = match kind {
        MediaKind::Image => "image",
        MediaKind::Video => "video",
        MediaKind::Audio => "audio",
        MediaKind::Document => "document",
        MediaKind::Sticker => "sticker",
    };
    let mut object = Map::new();
    object.insert("link".into(), json!(url));
    // Audio and stickers take no caption; only documents take a filename.
    if matches!(
        kind,
        MediaKind::Image | MediaKind::Video | MediaKind::Document
    ) {
        insert_opt(&mut object, "caption", caption);
    }
    if kind == MediaKind::Document {
        insert_opt(&mut object, "filename", filename);
    }
    (name, Value::Object(object))
}

/// Positional keys (`"1"`, `"2"`…) become body text parameters in numeric order; any other
/// key is a named parameter and carries `parameter_name`.
fn template(name: &str, language: &str, parameters: &[TemplateVariable]) -> Value {
    let mut positional: Vec<(u32, &str)> = Vec::new();
    let mut named: Vec<Value> = Vec::new();
    for parameter in parameters {
        match parameter.key.parse::<u32>() {
            Ok(index) => positional.push((index, &parameter.value)),
            Err(_) => named.push(json!({
                "type": "text",
                "parameter_name": parameter.key,
                "text": parameter.value,
            })),
        }
    }
    positional.sort_by_key(|(index, _)| *index);
    let mut body_parameters: Vec<Value> = positional
        .into_iter()
        .map(|(_, value)| json!({ "type": "text", "text": value }))
        .collect();
    body_parameters.extend(named);
    let mut object = Map::new();
    object.insert("name".into(), json!(name));
    object.insert("language".into(), json!({ "code": language }));
    if !body_parameters.is_empty() {
        object.insert(
            "components".into(),
            json!([{ "type": "body", "parameters": body_parameters }]),
        );
    }
    Value::Object(object)
}

fn interactive(
    kind: &str,
    header: Option<&str>,
    body: &str,
    footer: Option<&str>,
    action: Value,
) -> Value {
    let mut object = Map::new();
    object.insert("type".into(), json!(kind));
    if let Some(header) = header {
        object.insert("header".into(), json!({ "type": "text", "text": header }));
    }
    object.insert("body".into(), json!({ "text": body }));
    if let Some(footer) = footer {
        object.insert("footer".into(), json!({ "text": footer }));
    }
    object.insert("action".into(), action);
    Value::Object(object)
}

fn contact(card: &ContactCard) -> Value {
    let mut name = Map::new();
    name.insert("formatted_name".into(), json!(card.formatted_name));
    insert_opt(&mut name, "first_name", card.first_name.as_deref());
    insert_opt(&mut name, "last_name", card.last_name.as_deref());
    let mut object = Map::new();
    object.insert("name".into(), Value::Object(name));
    if !card.phones.is_empty() {
        let phones: Vec<Value> = card
            .phones
            .iter()
            .map(|phone| {
                let mut object = Map::new();
                object.insert("phone".into(), json!(phone.phone));
                insert_opt(&mut object, "type", phone.kind.as_deref());
                insert_opt(&mut object, "wa_id", phone.wa_id.as_deref());
                Value::Object(object)
            })
            .collect();
        object.insert("phones".into(), Value::Array(phones));
    }
    if !card.emails.is_empty() {
        let emails: Vec<Value> = card.emails.iter().map(|e| json!({ "email": e })).collect();
        object.insert("emails".into(), Value::Array(emails));
    }
    if let Some(org) = &card.organization {
        object.insert("org".into(), json!({ "company": org }));
    }
    if !card.urls.is_empty() {
        let urls: Vec<Value> = card.urls.iter().map(|u| json!({ "url": u })).collect();
        object.insert("urls".into(), Value::Array(urls));
    }
    Value::Object(object)
}

fn insert_opt(object: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        object.insert(key.into(), json!(value));
    }
}

#[cfg(test)]
#[path = "outbound_tests.rs"]
mod tests;
