//! Stored message content into what a provider adapter sends.

use crate::domain::content::ContactCard;
use crate::domain::{MediaKind, MessageContent, UploadId};
use crate::providers::{self, OutboundContent};

/// The provider-side name of a media kind.
pub fn provider_media_kind(kind: MediaKind) -> providers::MediaKind {
    match kind {
        MediaKind::Image => providers::MediaKind::Image,
        MediaKind::Video => providers::MediaKind::Video,
        MediaKind::Audio => providers::MediaKind::Audio,
        MediaKind::Document => providers::MediaKind::Document,
        MediaKind::Sticker => providers::MediaKind::Sticker,
    }
}

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
            kind: provider_media_kind(kind),
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
        MessageContent::Contacts { contacts } => {
            OutboundContent::Contacts(contacts.iter().map(card).collect())
        }
        MessageContent::Buttons {
            header,
            body,
            footer,
            buttons,
        } => OutboundContent::Buttons {
            header,
            body,
            footer,
            buttons: buttons
                .into_iter()
                .map(|b| providers::InteractiveButton {
                    id: b.id,
                    title: b.title,
                })
                .collect(),
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
            sections: sections
                .into_iter()
                .map(|s| providers::ListSection {
                    title: s.title,
                    rows: s
                        .rows
                        .into_iter()
                        .map(|r| providers::outbound::ListRow {
                            id: r.id,
                            title: r.title,
                            description: r.description,
                        })
                        .collect(),
                })
                .collect(),
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

fn card(c: &ContactCard) -> providers::ContactCard {
    providers::ContactCard {
        formatted_name: c.formatted_name.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        phones: c
            .phones
            .iter()
            .map(|p| providers::outbound::ContactPhone {
                phone: p.phone.clone(),
                kind: p.kind.clone(),
                wa_id: p.wa_id.clone(),
            })
            .collect(),
        emails: c.emails.clone(),
        organization: c.organization.clone(),
        urls: c.urls.clone(),
    }
}

/// A summary of a request for the attempt log: kind and masked recipient, never text.
pub fn summary(content: &MessageContent, to: &str) -> String {
    let masked = crate::domain::PhoneNumber::parse(to)
        .map(|p| p.masked())
        .unwrap_or_else(|_| "***".to_owned());
    format!("send {} to {masked}", content.kind().to_lowercase())
}
