//! Provider-neutral webhook events into domain content and stored attachments.

use crate::domain::content::Choice;
use crate::domain::records::{AttachmentOrigin, AttachmentState};
use crate::domain::{MessageContent, MessageStatus};
use crate::providers::{self, DeliveryStatus, InboundContent};
use crate::store::messages::NewAttachment;

/// The content to store, and the media references to fetch.
pub fn content(inbound: InboundContent) -> (MessageContent, Vec<providers::MediaRef>) {
    match inbound {
        InboundContent::Text { body } => (
            MessageContent::Text {
                body,
                preview_url: false,
            },
            Vec::new(),
        ),
        InboundContent::Media {
            kind,
            caption,
            attachments,
            voice,
        } => (
            MessageContent::Media {
                media_kind: kind,
                caption,
                voice,
                url: None,
                upload: None,
                filename: None,
            },
            attachments,
        ),
        InboundContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => (
            MessageContent::Location {
                latitude,
                longitude,
                name,
                address,
            },
            Vec::new(),
        ),
        InboundContent::Contacts(cards) => {
            (MessageContent::Contacts { contacts: cards }, Vec::new())
        }
        InboundContent::ButtonReply { id, title } => (
            MessageContent::ButtonReply {
                choice: Choice {
                    id,
                    title,
                    description: None,
                },
            },
            Vec::new(),
        ),
        InboundContent::ListReply {
            id,
            title,
            description,
        } => (
            MessageContent::ListReply {
                choice: Choice {
                    id,
                    title,
                    description,
                },
            },
            Vec::new(),
        ),
        InboundContent::TemplateButton { payload, text } => {
            (MessageContent::TemplateButton { payload, text }, Vec::new())
        }
        InboundContent::Reaction { message_id, emoji } => {
            (MessageContent::Reaction { message_id, emoji }, Vec::new())
        }
        InboundContent::Order {
            catalog_id,
            text,
            items,
        } => (
            MessageContent::Order {
                catalog_id,
                text,
                items,
            },
            Vec::new(),
        ),
        InboundContent::FlowReply {
            name,
            body,
            response_json,
        } => (
            MessageContent::FlowReply {
                name,
                body,
                response_json,
            },
            Vec::new(),
        ),
        InboundContent::System {
            kind,
            body,
            new_wa_id,
        } => (
            MessageContent::System {
                kind,
                body,
                new_wa_id,
            },
            Vec::new(),
        ),
        InboundContent::Unsupported { raw_type, raw } => {
            (MessageContent::Unsupported { raw_type, raw }, Vec::new())
        }
    }
}

/// Attachments to record: pending when the channel takes inbound media of that type, else
/// failed with the reason, so the message is kept either way.
pub fn attachments(
    refs: Vec<providers::MediaRef>,
    media_on: bool,
    allowed: &[String],
) -> Vec<NewAttachment> {
    refs.into_iter()
        .map(|r| {
            let refused = if !media_on {
                Some("inbound media is turned off for this channel".to_owned())
            } else {
                r.content_type
                    .as_deref()
                    .map(|t| t.split(';').next().unwrap_or(t).trim().to_ascii_lowercase())
                    .filter(|t| !allowed.iter().any(|a| a == t))
                    .map(|t| format!("media type {t} is not allowed on this channel"))
            };
            NewAttachment {
                reference: r.reference,
                content_type: r.content_type,
                filename: r.filename,
                sha256: r.sha256,
                state: if refused.is_some() {
                    AttachmentState::Failed
                } else {
                    AttachmentState::Pending
                },
                last_error: refused,
                origin: AttachmentOrigin::Fetched,
                stored: None,
            }
        })
        .collect()
}

pub fn status(status: DeliveryStatus) -> MessageStatus {
    match status {
        DeliveryStatus::Queued => MessageStatus::Queued,
        DeliveryStatus::Sent => MessageStatus::Sent,
        DeliveryStatus::Delivered => MessageStatus::Delivered,
        DeliveryStatus::Read => MessageStatus::Read,
        DeliveryStatus::Failed => MessageStatus::Failed,
    }
}
