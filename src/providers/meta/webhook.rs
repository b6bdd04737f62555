//! Parsing of Meta webhook notifications (PROVIDERS.md §2.5) into [`WebhookEvent`]s.
//!
//! Every entry and change is visited; only `messages` and `message_template_status_update`
//! changes produce events. Unknown message types become `InboundContent::Unsupported` and
//! unknown status words are skipped, so Meta adding something never fails a batch; only a
//! body that is not a Meta notification at all is a [`ProviderError::BadWebhook`]. A message
//! whose sender is not a WhatsApp number is skipped with a warning and the rest are kept,
//! since a Meta delivery batches several customers.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::wire::{Change, MessagesValue, Notification};
use crate::domain::content::{CardPhone, ContactCard, OrderItem, Referral};
use crate::domain::MediaKind;
use crate::domain::PhoneNumber;
use crate::providers::inbound::{
    DeliveryStatus, InboundContent, InboundMessage, MediaRef, StatusUpdate, WebhookEvent,
};
use crate::providers::ProviderError;

/// Parses a raw notification body.
pub fn parse(body: &[u8]) -> Result<Vec<WebhookEvent>, ProviderError> {
    let notification: Notification = serde_json::from_slice(body)
        .map_err(|e| ProviderError::BadWebhook(format!("not a Meta notification: {e}")))?;
    if let Some(object) = &notification.object {
        if object != "whatsapp_business_account" {
            return Err(ProviderError::BadWebhook(format!(
                "unexpected object {object:?}"
            )));
        }
    }
    let mut events = Vec::new();
    for entry in &notification.entry {
        for change in &entry.changes {
            match change.field.as_str() {
                "messages" => parse_messages(change, &mut events)?,
                "message_template_status_update" => {
                    events.extend(template_status(&change.value));
                }
                _ => {}
            }
        }
    }
    Ok(events)
}

fn parse_messages(change: &Change, events: &mut Vec<WebhookEvent>) -> Result<(), ProviderError> {
    let value: MessagesValue = serde_json::from_value(change.value.clone())
        .map_err(|e| ProviderError::BadWebhook(format!("messages value: {e}")))?;
    let channel = value
        .metadata
        .as_ref()
        .and_then(|m| m.phone_number_id.clone())
        .ok_or_else(|| ProviderError::BadWebhook("metadata.phone_number_id missing".into()))?;
    // One lookup table, so a batch of many messages and contacts stays linear.
    let names: HashMap<&str, &str> = value
        .contacts
        .iter()
        .filter_map(|c| Some((c.wa_id.as_deref()?, c.profile.as_ref()?.name.as_deref()?)))
        .collect();
    for message in &value.messages {
        let from = str_field(message, "from")
            .ok_or_else(|| ProviderError::BadWebhook("message without from".into()))?;
        let Ok(from) = PhoneNumber::from_wa_id(from) else {
            tracing::warn!(
                channel.phone_number_id = %channel,
                from_chars = from.chars().count(),
                "webhook message skipped: the sender is not a WhatsApp number"
            );
            continue;
        };
        let profile_name = names
            .get(from.digits())
            .or_else(|| str_field(message, "from").and_then(|raw| names.get(raw)))
            .map(|name| (*name).to_owned());
        events.push(WebhookEvent::MessageReceived(inbound(
            message,
            &channel,
            &from,
            profile_name,
        )?));
    }
    for status in &value.statuses {
        if let Some(update) = status_update(status, &channel)? {
            events.push(WebhookEvent::StatusChanged(update));
        }
    }
    Ok(())
}

fn inbound(
    message: &Value,
    channel: &str,
    from: &PhoneNumber,
    profile_name: Option<String>,
) -> Result<InboundMessage, ProviderError> {
    let id = str_field(message, "id")
        .ok_or_else(|| ProviderError::BadWebhook("message without id".into()))?;
    let context = message.get("context");
    let flag = |key: &str| context.and_then(|c| c.get(key)).and_then(Value::as_bool) == Some(true);
    Ok(InboundMessage {
        provider_message_id: id.to_owned(),
        channel_address: channel.to_owned(),
        from_wa_id: from.digits().to_owned(),
        profile_name,
        timestamp: timestamp(message)?,
        content: content(message),
        reply_to: context.and_then(|c| str_field(c, "id")).map(str::to_owned),
        forwarded: flag("forwarded") || flag("frequently_forwarded"),
        referral: message.get("referral").map(referral),
    })
}

fn content(message: &Value) -> InboundContent {
    let kind = str_field(message, "type").unwrap_or("unknown");
    let object = message.get(kind);
    let parsed = object.and_then(|object| match kind {
        "text" => Some(InboundContent::Text {
            body: str_field(object, "body")?.to_owned(),
        }),
        "image" => media(MediaKind::Image, object),
        "video" => media(MediaKind::Video, object),
        "audio" => media(MediaKind::Audio, object),
        "document" => media(MediaKind::Document, object),
        "sticker" => media(MediaKind::Sticker, object),
        "location" => Some(InboundContent::Location {
            latitude: number(object.get("latitude")?)?,
            longitude: number(object.get("longitude")?)?,
            name: owned(object, "name"),
            address: owned(object, "address"),
        }),
        "contacts" => Some(InboundContent::Contacts(
            object.as_array()?.iter().map(contact).collect(),
        )),
        "interactive" => interactive(object),
        "button" => Some(InboundContent::TemplateButton {
            payload: owned(object, "payload").unwrap_or_default(),
            text: owned(object, "text").unwrap_or_default(),
        }),
        "order" => order(object),
        "system" => Some(InboundContent::System {
            kind: owned(object, "type").filter(|t| !t.is_empty())?,
            body: owned(object, "body"),
            new_wa_id: owned(object, "wa_id"),
        }),
        "reaction" => Some(InboundContent::Reaction {
            message_id: str_field(object, "message_id")?.to_owned(),
            emoji: owned(object, "emoji").filter(|e| !e.is_empty()),
        }),
        _ => None,
    });
    parsed.unwrap_or_else(|| InboundContent::Unsupported {
        raw_type: kind.to_owned(),
        raw: message.clone(),
    })
}

fn media(kind: MediaKind, object: &Value) -> Option<InboundContent> {
    let attachment = MediaRef {
        reference: str_field(object, "id")?.to_owned(),
        content_type: owned(object, "mime_type"),
        filename: owned(object, "filename"),
        sha256: owned(object, "sha256"),
    };
    Some(InboundContent::Media {
        kind,
        caption: owned(object, "caption"),
        attachments: vec![attachment],
        voice: object.get("voice").and_then(Value::as_bool) == Some(true),
    })
}

/// `order:{catalog_id, text, product_items:[{product_retailer_id, quantity, item_price,
/// currency}]}`; quantities and prices may come as numbers or strings.
fn order(object: &Value) -> Option<InboundContent> {
    let items = object
        .get("product_items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    Some(OrderItem {
                        product_retailer_id: owned(item, "product_retailer_id")?,
                        quantity: item
                            .get("quantity")
                            .and_then(number)
                            .filter(|q| (0.0..=f64::from(u32::MAX)).contains(q))
                            .map_or(1, |q| q as u32),
                        item_price: item
                            .get("item_price")
                            .and_then(number)
                            .filter(|p| p.is_finite()),
                        currency: owned(item, "currency"),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Some(InboundContent::Order {
        catalog_id: object.get("catalog_id").and_then(scalar_text)?,
        text: owned(object, "text").filter(|t| !t.is_empty()),
        items,
    })
}

fn interactive(object: &Value) -> Option<InboundContent> {
    match str_field(object, "type")? {
        "button_reply" => {
            let reply = object.get("button_reply")?;
            Some(InboundContent::ButtonReply {
                id: owned(reply, "id")?,
                title: owned(reply, "title").unwrap_or_default(),
            })
        }
        "list_reply" => {
            let reply = object.get("list_reply")?;
            Some(InboundContent::ListReply {
                id: owned(reply, "id")?,
                title: owned(reply, "title").unwrap_or_default(),
                description: owned(reply, "description"),
            })
        }
        "nfm_reply" => {
            let reply = object.get("nfm_reply")?;
            Some(InboundContent::FlowReply {
                name: owned(reply, "name"),
                body: owned(reply, "body"),
                response_json: owned(reply, "response_json")?,
            })
        }
        // Future kinds stay Unsupported with the raw message.
        _ => None,
    }
}

fn contact(card: &Value) -> ContactCard {
    let name = card.get("name");
    let name_field = |key: &str| name.and_then(|n| owned(n, key));
    let list = |key: &str| {
        card.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    ContactCard {
        formatted_name: name_field("formatted_name").unwrap_or_default(),
        first_name: name_field("first_name"),
        last_name: name_field("last_name"),
        phones: list("phones")
            .iter()
            .filter_map(|p| {
                Some(CardPhone {
                    phone: owned(p, "phone")?,
                    kind: owned(p, "type"),
                    wa_id: owned(p, "wa_id"),
                })
            })
            .collect(),
        emails: list("emails")
            .iter()
            .filter_map(|e| owned(e, "email"))
            .collect(),
        organization: card.get("org").and_then(|o| owned(o, "company")),
        urls: list("urls")
            .iter()
            .filter_map(|u| owned(u, "url"))
            .collect(),
    }
}

fn referral(value: &Value) -> Referral {
    Referral {
        source_url: owned(value, "source_url"),
        source_id: owned(value, "source_id"),
        source_type: owned(value, "source_type"),
        headline: owned(value, "headline"),
        body: owned(value, "body"),
        ctwa_clid: owned(value, "ctwa_clid"),
    }
}

fn status_update(status: &Value, channel: &str) -> Result<Option<StatusUpdate>, ProviderError> {
    let id = str_field(status, "id")
        .ok_or_else(|| ProviderError::BadWebhook("status without id".into()))?;
    let raw_status = str_field(status, "status").unwrap_or_default();
    let mapped = match raw_status {
        "sent" => DeliveryStatus::Sent,
        "delivered" => DeliveryStatus::Delivered,
        // `played` is a voice note listened to: as good as read.
        "read" | "played" => DeliveryStatus::Read,
        "failed" => DeliveryStatus::Failed,
        _ => return Ok(None),
    };
    let error = status
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|errors| errors.first());
    let error_code = error.and_then(|e| e.get("code")).and_then(scalar_text);
    Ok(Some(StatusUpdate {
        provider_message_id: id.to_owned(),
        channel_address: channel.to_owned(),
        status: mapped,
        raw_status: raw_status.to_owned(),
        timestamp: timestamp(status)?,
        marketing_opt_out: error_code
            .as_deref()
            .is_some_and(super::error::stops_marketing),
        error_code,
        error_message: error.and_then(|e| owned(e, "title").or_else(|| owned(e, "message"))),
        correlation_id: owned(status, "biz_opaque_callback_data"),
    }))
}

fn template_status(value: &Value) -> Option<WebhookEvent> {
    let reason = owned(value, "reason")
        .filter(|r| !r.is_empty() && r != "NONE")
        .or_else(|| value.get("rejection_info").and_then(|i| owned(i, "reason")));
    Some(WebhookEvent::TemplateStatusChanged {
        provider_template_id: value.get("message_template_id").and_then(scalar_text)?,
        name: owned(value, "message_template_name"),
        language: owned(value, "message_template_language"),
        status: owned(value, "event")?.to_uppercase(),
        reason,
    })
}

/// `timestamp` is unix seconds as a string; numbers are accepted too.
fn timestamp(value: &Value) -> Result<DateTime<Utc>, ProviderError> {
    value
        .get("timestamp")
        .and_then(number)
        .and_then(|secs| DateTime::from_timestamp(secs as i64, 0))
        .ok_or_else(|| ProviderError::BadWebhook("missing or invalid timestamp".into()))
}

fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn owned(value: &Value, key: &str) -> Option<String> {
    str_field(value, key).map(str::to_owned)
}

/// A number that Meta may send as a JSON number or as a string.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An id or code that may be a JSON number or a string, as text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
