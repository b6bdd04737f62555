//! Parsing of Meta webhook notifications (PROVIDERS.md §2.5) into [`WebhookEvent`]s.
//!
//! Every entry and change is visited; only `messages` and `message_template_status_update`
//! changes produce events. Unknown message types become `InboundContent::Unsupported` and
//! unknown status words are skipped, so Meta adding something never fails a batch; only a
//! body that is not a Meta notification at all is a [`ProviderError::BadWebhook`].

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::wire::{Change, MessagesValue, Notification};
use crate::providers::inbound::{
    DeliveryStatus, InboundContent, InboundMessage, MediaRef, Referral, StatusUpdate, WebhookEvent,
};
use crate::providers::outbound::{ContactCard, ContactPhone, MediaKind};
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
    for message in &value.messages {
        let from = str_field(message, "from")
            .ok_or_else(|| ProviderError::BadWebhook("message without from".into()))?;
        let profile_name = value
            .contacts
            .iter()
            .find(|c| c.wa_id.as_deref() == Some(from))
            .and_then(|c| c.profile.as_ref())
            .and_then(|p| p.name.clone());
        events.push(WebhookEvent::MessageReceived(inbound(
            message,
            &channel,
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
    profile_name: Option<String>,
) -> Result<InboundMessage, ProviderError> {
    let id = str_field(message, "id")
        .ok_or_else(|| ProviderError::BadWebhook("message without id".into()))?;
    let from = str_field(message, "from").unwrap_or_default();
    let context = message.get("context");
    let flag = |key: &str| context.and_then(|c| c.get(key)).and_then(Value::as_bool) == Some(true);
    Ok(InboundMessage {
        provider_message_id: id.to_owned(),
        channel_address: channel.to_owned(),
        from_wa_id: from.to_owned(),
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
        // nfm_reply (Flows) and future kinds stay Unsupported with the raw message.
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
                Some(ContactPhone {
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
    Ok(Some(StatusUpdate {
        provider_message_id: id.to_owned(),
        channel_address: channel.to_owned(),
        status: mapped,
        raw_status: raw_status.to_owned(),
        timestamp: timestamp(status)?,
        error_code: error.and_then(|e| e.get("code")).and_then(scalar_text),
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
