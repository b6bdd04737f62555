//! Channels: per-channel settings and provider-neutral credential shapes. Each provider's
//! own id formats live with its adapter (`providers::twilio::credentials`).

use serde::{Deserialize, Serialize};

/// Per-channel settings, stored as one JSON document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ChannelSettings {
    /// WhatsApp language code for templates sent without one (`en`, `pt_BR`).
    pub language: String,
    /// Queue that new conversations join; none until queues exist.
    pub default_queue_id: Option<crate::domain::QueueId>,
    /// Retries after the first attempt, 0 to 5.
    pub max_retries: u8,
    /// Seconds before the first retry (then backing off), 1 to 10.
    pub retry_wait_seconds: u8,
    /// Sends per second this channel may make.
    pub messages_per_second: u32,
    /// Whether inbound media is fetched and stored.
    pub inbound_media: bool,
    /// MIME types of inbound media that are fetched; others are refused.
    pub allowed_media_types: Vec<String>,
}

/// Per-number throughput both providers grant by default (PROVIDERS.md §1.12, §2.10).
pub const DEFAULT_MESSAGES_PER_SECOND: u32 = 80;
/// The most either provider grants a number.
pub const MAX_MESSAGES_PER_SECOND: u32 = 1000;

/// Inbound media types fetched by default: images, audio, video, PDF and office documents.
pub const DEFAULT_MEDIA_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/webp",
    "audio/mpeg",
    "audio/ogg",
    "audio/amr",
    "audio/aac",
    "audio/mp4",
    "video/mp4",
    "video/3gpp",
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "text/plain",
    "text/vcard",
];

impl Default for ChannelSettings {
    fn default() -> Self {
        Self {
            language: "en".to_owned(),
            default_queue_id: None,
            max_retries: 3,
            retry_wait_seconds: 2,
            messages_per_second: DEFAULT_MESSAGES_PER_SECOND,
            inbound_media: true,
            allowed_media_types: DEFAULT_MEDIA_TYPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

/// Checks a Meta numeric id (phone number id, WhatsApp Business Account id).
pub fn is_meta_id(value: &str) -> bool {
    (5..=25).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

/// Checks an opaque secret: 8 to 1024 visible ASCII characters.
pub fn is_token(value: &str) -> bool {
    (8..=1024).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic())
}

/// Checks a MIME type's shape (`type/subtype`).
pub fn is_mime_type(value: &str) -> bool {
    let Some((kind, sub)) = value.split_once('/') else {
        return false;
    };
    let part = |p: &str| {
        !p.is_empty()
            && p.len() <= 127
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    part(kind) && part(sub)
}

/// The last four characters of a secret, for telling credentials apart.
pub fn credential_hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_ids_are_digits() {
        assert!(is_meta_id("106540352242922"));
        assert!(!is_meta_id("10654a352242922"));
        assert!(!is_meta_id("12"));
    }

    #[test]
    fn hints_show_the_last_four_characters_only() {
        assert_eq!(credential_hint("abcdef123456"), "…3456");
        assert_eq!(credential_hint("ab"), "…ab");
    }

    #[test]
    fn settings_default_to_the_providers_limits() {
        let settings = ChannelSettings::default();
        assert_eq!(settings.max_retries, 3);
        assert_eq!(settings.messages_per_second, 80);
        assert!(settings
            .allowed_media_types
            .iter()
            .any(|t| t == "application/pdf"));
        assert!(DEFAULT_MEDIA_TYPES.iter().all(|t| is_mime_type(t)));
    }
}
