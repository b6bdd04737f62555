//! What each provider can carry, so frontends never guess (PROVIDERS.md §1.8, §1.12, §2.2,
//! §2.7, §2.10).

use super::ProviderKind;
use crate::domain::MediaKind;

/// Kinds of outbound content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentKind {
    Text,
    Media,
    Template,
    Location,
    Contacts,
    Interactive,
    Reaction,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaLimit {
    pub kind: MediaKind,
    pub mime_types: &'static [&'static str],
    pub max_bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub content_kinds: &'static [ContentKind],
    /// Longest text body of one message; longer text is split.
    pub text_max_length: u32,
    pub caption_max_length: u32,
    pub media: Vec<MediaLimit>,
    pub max_buttons: u32,
    pub max_list_rows: u32,
    pub reply_context: bool,
    pub read_receipts: bool,
}

const MB: u64 = 1024 * 1024;

const DOCUMENTS: &[&str] = &[
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

const META_DOCUMENTS: &[&str] = &[
    "text/plain",
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

pub fn capabilities(provider: ProviderKind) -> Capabilities {
    match provider {
        ProviderKind::Twilio => Capabilities {
            // Contacts go out as a text card; buttons and lists as session contents made on
            // the fly; Twilio has no reactions and no reply context on send.
            content_kinds: &[
                ContentKind::Text,
                ContentKind::Media,
                ContentKind::Template,
                ContentKind::Location,
                ContentKind::Contacts,
                ContentKind::Interactive,
            ],
            text_max_length: 1600,
            caption_max_length: 1600,
            media: vec![
                MediaLimit {
                    kind: MediaKind::Image,
                    mime_types: &["image/jpeg", "image/png"],
                    max_bytes: 5 * MB,
                },
                MediaLimit {
                    kind: MediaKind::Audio,
                    mime_types: &[
                        "audio/ogg",
                        "audio/amr",
                        "audio/3gpp",
                        "audio/aac",
                        "audio/mpeg",
                    ],
                    max_bytes: 16 * MB,
                },
                MediaLimit {
                    kind: MediaKind::Video,
                    mime_types: &["video/mp4"],
                    max_bytes: 16 * MB,
                },
                MediaLimit {
                    kind: MediaKind::Document,
                    mime_types: DOCUMENTS,
                    max_bytes: 16 * MB,
                },
                MediaLimit {
                    kind: MediaKind::Sticker,
                    mime_types: &["image/webp"],
                    max_bytes: 100 * 1024,
                },
            ],
            max_buttons: 3,
            max_list_rows: 10,
            reply_context: false,
            read_receipts: true,
        },
        ProviderKind::Meta => Capabilities {
            content_kinds: &[
                ContentKind::Text,
                ContentKind::Media,
                ContentKind::Template,
                ContentKind::Location,
                ContentKind::Contacts,
                ContentKind::Interactive,
                ContentKind::Reaction,
            ],
            text_max_length: 4096,
            caption_max_length: 1024,
            media: vec![
                MediaLimit {
                    kind: MediaKind::Image,
                    mime_types: &["image/jpeg", "image/png"],
                    max_bytes: 5 * MB,
                },
                MediaLimit {
                    kind: MediaKind::Audio,
                    mime_types: &[
                        "audio/aac",
                        "audio/amr",
                        "audio/mpeg",
                        "audio/mp4",
                        "audio/ogg",
                    ],
                    max_bytes: 16 * MB,
                },
                MediaLimit {
                    kind: MediaKind::Video,
                    mime_types: &["video/mp4", "video/3gpp"],
                    max_bytes: 16 * MB,
                },
                MediaLimit {
                    kind: MediaKind::Document,
                    mime_types: META_DOCUMENTS,
                    max_bytes: 100 * MB,
                },
                MediaLimit {
                    kind: MediaKind::Sticker,
                    mime_types: &["image/webp"],
                    max_bytes: 500 * 1024,
                },
            ],
            max_buttons: 3,
            max_list_rows: 10,
            reply_context: true,
            read_receipts: true,
        },
    }
}
