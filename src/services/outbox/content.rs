//! Stored message content into what a provider adapter sends.

use crate::domain::{MessageContent, UploadId};
use crate::providers::OutboundContent;

/// The provider request for stored content; `None` for content that is only ever received.
/// Uploaded media goes out by a link from `upload_url`.
pub fn outbound(
    content: &MessageContent,
    upload_url: impl FnOnce(UploadId) -> Option<String>,
) -> Option<OutboundContent> {
    Some(match content.clone() {
        MessageContent::Text { body, preview_url } => OutboundContent::Text { body, preview_url },
        MessageContent::Media {
            media_kind: kind,
            caption,
            url,
            upload,
            filename,
            ..
        } => OutboundContent::Media {
            kind,
            url: match (url, upload) {
                (Some(url), _) => url,
                (None, Some(id)) => upload_url(id)?,
                (None, None) => return None,
            },
            caption,
            filename,
        },
        MessageContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => OutboundContent::Location {
            latitude,
            longitude,
            name,
            address,
        },
        MessageContent::Contacts { contacts } => OutboundContent::Contacts(contacts),
        MessageContent::Buttons {
            header,
            body,
            footer,
            buttons,
        } => OutboundContent::Buttons {
            header,
            body,
            footer,
            buttons,
        },
        MessageContent::List {
            header,
            body,
            footer,
            button,
            sections,
        } => OutboundContent::List {
            header,
            body,
            footer,
            button,
            sections,
        },
        MessageContent::Template {
            name,
            language,
            provider_template_id,
            variables,
            ..
        } => OutboundContent::Template {
            name,
            language,
            provider_template_id,
            parameters: variables,
        },
        MessageContent::Reaction { message_id, emoji } => OutboundContent::Reaction {
            message_id,
            emoji: emoji.unwrap_or_default(),
        },
        _ => return None,
    })
}

/// A summary of a request for the attempt log: kind and masked recipient, never text.
pub fn summary(content: &MessageContent, to: &str) -> String {
    let masked = crate::domain::PhoneNumber::parse(to)
        .map(|p| p.masked())
        .unwrap_or_else(|_| "***".to_owned());
    format!("send {} to {masked}", content.kind().to_lowercase())
}
