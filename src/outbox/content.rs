//! Stored message content into what a provider adapter sends.

use crate::domain::{MediaKind, MessageContent};
use crate::providers::{self, OutboundContent};

fn media_kind(kind: MediaKind) -> providers::MediaKind {
    match kind {
        MediaKind::Image => providers::MediaKind::Image,
        MediaKind::Video => providers::MediaKind::Video,
        MediaKind::Audio => providers::MediaKind::Audio,
        MediaKind::Document => providers::MediaKind::Document,
        MediaKind::Sticker => providers::MediaKind::Sticker,
    }
}

/// The provider request for stored content; `None` for content that is only ever received.
pub fn outbound(content: &MessageContent) -> Option<OutboundContent> {
    Some(match content.clone() {
        MessageContent::Text { body, preview_url } => OutboundContent::Text { body, preview_url },
        MessageContent::Media {
            media_kind: kind,
            caption,
            url,
            filename,
            ..
        } => OutboundContent::Media {
            kind: media_kind(kind),
            url: url?,
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
            parameters: variables
                .into_iter()
                .map(|v| providers::TemplateParameter {
                    key: v.key,
                    value: v.value,
                })
                .collect(),
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
