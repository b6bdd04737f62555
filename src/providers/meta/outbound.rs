//! Builds the JSON body of `POST /{v}/{PHONE_NUMBER_ID}/messages` (PROVIDERS.md §2.2, §2.3)
//! from an [`OutboundMessage`]. No local limit checks: those belong to the service layer, and
//! Meta answers its own errors, which we classify.

use serde_json::{json, Map, Value};

use crate::providers::outbound::{
    ContactCard, MediaKind, OutboundContent, OutboundMessage, TemplateParameter,
};

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
fn template(name: &str, language: &str, parameters: &[TemplateParameter]) -> Value {
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
mod tests {
    use super::*;
    use crate::domain::PhoneNumber;
    use crate::providers::outbound::{ContactPhone, InteractiveButton, ListRow, ListSection};

    fn message(content: OutboundContent) -> OutboundMessage {
        OutboundMessage {
            to: PhoneNumber::parse("+34600000000").unwrap(),
            content,
            reply_to: None,
            correlation_id: None,
            status_callback_url: None,
        }
    }

    #[test]
    fn text_carries_the_envelope_reply_context_and_correlation() {
        let mut m = message(OutboundContent::Text {
            body: "Hola".into(),
            preview_url: true,
        });
        m.reply_to = Some("wamid.IN".into());
        m.correlation_id = Some("msg_1".into());
        assert_eq!(
            message_body(&m),
            json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"34600000000",
                "type":"text","text":{"body":"Hola","preview_url":true},
                "context":{"message_id":"wamid.IN"},"biz_opaque_callback_data":"msg_1"})
        );
    }

    #[test]
    fn media_sends_by_link_with_caption_and_filename_only_where_allowed() {
        let cases = [
            (
                MediaKind::Image,
                json!({"link":"https://x/a","caption":"c"}),
            ),
            (
                MediaKind::Video,
                json!({"link":"https://x/a","caption":"c"}),
            ),
            (
                MediaKind::Document,
                json!({"link":"https://x/a","caption":"c","filename":"f.pdf"}),
            ),
            (MediaKind::Audio, json!({"link":"https://x/a"})),
            (MediaKind::Sticker, json!({"link":"https://x/a"})),
        ];
        for (kind, expected) in cases {
            let body = message_body(&message(OutboundContent::Media {
                kind,
                url: "https://x/a".into(),
                caption: Some("c".into()),
                filename: Some("f.pdf".into()),
            }));
            let name = body["type"].as_str().unwrap().to_owned();
            assert_eq!(body[&name], expected, "{kind:?}");
        }
    }

    #[test]
    fn positional_template_parameters_go_to_the_body_in_numeric_order() {
        let body = message_body(&message(OutboundContent::Template {
            name: "order_update".into(),
            language: "es".into(),
            provider_template_id: None,
            parameters: vec![
                TemplateParameter {
                    key: "2".into(),
                    value: "A-1".into(),
                },
                TemplateParameter {
                    key: "1".into(),
                    value: "Ana".into(),
                },
            ],
        }));
        assert_eq!(
            body["template"],
            json!({"name":"order_update","language":{"code":"es"},"components":[{"type":"body",
                "parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"A-1"}]}]})
        );
    }

    #[test]
    fn named_template_parameters_carry_parameter_name() {
        let body = message_body(&message(OutboundContent::Template {
            name: "hello".into(),
            language: "en_US".into(),
            provider_template_id: None,
            parameters: vec![TemplateParameter {
                key: "first_name".into(),
                value: "Ana".into(),
            }],
        }));
        assert_eq!(
            body["template"]["components"][0]["parameters"],
            json!([{"type":"text","parameter_name":"first_name","text":"Ana"}])
        );
    }

    #[test]
    fn a_template_without_parameters_has_no_components() {
        let body = message_body(&message(OutboundContent::Template {
            name: "hello_world".into(),
            language: "en_US".into(),
            provider_template_id: None,
            parameters: vec![],
        }));
        assert_eq!(
            body["template"],
            json!({"name":"hello_world","language":{"code":"en_US"}})
        );
    }

    #[test]
    fn location_uses_numbers() {
        let body = message_body(&message(OutboundContent::Location {
            latitude: 40.4,
            longitude: -3.7,
            name: Some("Sol".into()),
            address: None,
        }));
        assert_eq!(
            body["location"],
            json!({"latitude":40.4,"longitude":-3.7,"name":"Sol"})
        );
    }

    #[test]
    fn contacts_is_an_array_of_cards() {
        let body = message_body(&message(OutboundContent::Contacts(vec![ContactCard {
            formatted_name: "Ana Diaz".into(),
            first_name: Some("Ana".into()),
            phones: vec![ContactPhone {
                phone: "+34600000000".into(),
                kind: Some("CELL".into()),
                wa_id: Some("34600000000".into()),
            }],
            emails: vec!["ana@example.com".into()],
            organization: Some("Acme".into()),
            urls: vec!["https://acme.example".into()],
            ..ContactCard::default()
        }])));
        assert_eq!(
            body["contacts"],
            json!([{"name":{"formatted_name":"Ana Diaz","first_name":"Ana"},
                "phones":[{"phone":"+34600000000","type":"CELL","wa_id":"34600000000"}],
                "emails":[{"email":"ana@example.com"}],"org":{"company":"Acme"},
                "urls":[{"url":"https://acme.example"}]}])
        );
    }

    #[test]
    fn buttons_become_an_interactive_button_message() {
        let body = message_body(&message(OutboundContent::Buttons {
            header: Some("H".into()),
            body: "Pick".into(),
            footer: Some("F".into()),
            buttons: vec![InteractiveButton {
                id: "yes".into(),
                title: "Yes".into(),
            }],
        }));
        assert_eq!(
            body["interactive"],
            json!({"type":"button","header":{"type":"text","text":"H"},"body":{"text":"Pick"},
                "footer":{"text":"F"},"action":{"buttons":[{"type":"reply","reply":{"id":"yes","title":"Yes"}}]}})
        );
    }

    #[test]
    fn lists_become_an_interactive_list_message() {
        let body = message_body(&message(OutboundContent::List {
            header: None,
            body: "Choose".into(),
            footer: None,
            button: "Options".into(),
            sections: vec![ListSection {
                title: Some("S".into()),
                rows: vec![ListRow {
                    id: "r1".into(),
                    title: "One".into(),
                    description: Some("d".into()),
                }],
            }],
        }));
        assert_eq!(
            body["interactive"],
            json!({"type":"list","body":{"text":"Choose"},"action":{"button":"Options",
                "sections":[{"title":"S","rows":[{"id":"r1","title":"One","description":"d"}]}]}})
        );
    }

    #[test]
    fn reactions_name_the_message_and_emoji() {
        let body = message_body(&message(OutboundContent::Reaction {
            message_id: "wamid.X".into(),
            emoji: String::new(),
        }));
        assert_eq!(body["reaction"], json!({"message_id":"wamid.X","emoji":""}));
    }

    #[test]
    fn read_receipts_name_the_inbound_message() {
        assert_eq!(
            read_body("wamid.IN"),
            json!({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN"})
        );
    }
}
