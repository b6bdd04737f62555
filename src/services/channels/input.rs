//! What a caller gives to create or change a channel, and the checks that turn it into
//! domain values.

use crate::domain::channel::{is_mime_type, MAX_MESSAGES_PER_SECOND};
use crate::domain::tenant_settings::parse_language;
use crate::domain::ChannelSettings;
use crate::error::AppError;
use crate::providers::twilio::credentials;
use crate::providers::ProviderKind;

/// Twilio credentials as entered. Secrets left out on update keep their stored value.
#[derive(Default)]
pub struct TwilioInput {
    pub account_sid: String,
    pub auth_token: Option<String>,
    pub api_key_sid: Option<String>,
    pub api_key_secret: Option<String>,
    pub messaging_service_sid: Option<String>,
}

#[derive(Default)]
pub struct MetaInput {
    pub access_token: String,
    pub app_secret: String,
    pub phone_number_id: String,
    pub business_account_id: String,
}

#[derive(Default)]
pub struct SettingsInput {
    pub language: Option<String>,
    pub default_queue_id: Option<Option<uuid::Uuid>>,
    pub max_retries: Option<i32>,
    pub retry_wait_seconds: Option<i32>,
    pub messages_per_second: Option<i32>,
    pub inbound_media: Option<bool>,
    pub allowed_media_types: Option<Vec<String>>,
}

#[derive(Default)]
pub struct ChannelInput {
    pub name: Option<String>,
    pub provider: Option<ProviderKind>,
    pub phone_number: Option<String>,
    pub twilio: Option<TwilioInput>,
    pub meta: Option<MetaInput>,
    pub settings: Option<SettingsInput>,
}

pub(super) fn parse_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            "name",
            "must be 1 to 100 printable characters",
        ));
    }
    Ok(name.to_owned())
}

pub(super) fn optional_sid(
    field: &str,
    value: Option<String>,
    prefix: &str,
) -> Result<Option<String>, AppError> {
    match value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if credentials::is_sid(&v, prefix) => Ok(Some(v)),
        Some(_) => Err(AppError::bad_input(
            field,
            format!("must be {prefix} followed by 32 hex digits"),
        )),
    }
}

pub(super) fn apply_settings(
    settings: &mut ChannelSettings,
    input: SettingsInput,
) -> Result<(), AppError> {
    if let Some(language) = input.language {
        settings.language =
            parse_language(&language).map_err(|e| AppError::bad_input("settings.language", e))?;
    }
    if let Some(queue) = input.default_queue_id {
        // Queues arrive with their own issue; until then no id can name one.
        if queue.is_some() {
            return Err(AppError::bad_input(
                "settings.defaultQueueId",
                "no such queue",
            ));
        }
        settings.default_queue_id = None;
    }
    if let Some(n) = input.max_retries {
        settings.max_retries = u8::try_from(n)
            .ok()
            .filter(|n| *n <= 5)
            .ok_or_else(|| AppError::bad_input("settings.maxRetries", "must be between 0 and 5"))?;
    }
    if let Some(n) = input.retry_wait_seconds {
        settings.retry_wait_seconds = u8::try_from(n)
            .ok()
            .filter(|n| (1..=10).contains(n))
            .ok_or_else(|| {
                AppError::bad_input("settings.retryWaitSeconds", "must be between 1 and 10")
            })?;
    }
    if let Some(n) = input.messages_per_second {
        settings.messages_per_second = u32::try_from(n)
            .ok()
            .filter(|n| (1..=MAX_MESSAGES_PER_SECOND).contains(n))
            .ok_or_else(|| {
                AppError::bad_input(
                    "settings.messagesPerSecond",
                    format!("must be between 1 and {MAX_MESSAGES_PER_SECOND}"),
                )
            })?;
    }
    if let Some(on) = input.inbound_media {
        settings.inbound_media = on;
    }
    if let Some(types) = input.allowed_media_types {
        if types.len() > MAX_ALLOWED_MEDIA_TYPES {
            return Err(AppError::bad_input(
                "settings.allowedMediaTypes",
                format!("give at most {MAX_ALLOWED_MEDIA_TYPES} types"),
            ));
        }
        let mut clean: Vec<String> = Vec::with_capacity(types.len());
        for (i, t) in types.iter().enumerate() {
            let t = t.trim().to_ascii_lowercase();
            // `is_mime_type` bounds each part to 127 characters; the value is not echoed.
            if !is_mime_type(&t) {
                return Err(AppError::bad_input(
                    "settings.allowedMediaTypes",
                    format!("item {i} is not a MIME type such as image/jpeg"),
                ));
            }
            if !clean.contains(&t) {
                clean.push(t);
            }
        }
        settings.allowed_media_types = clean;
    }
    Ok(())
}

/// The most MIME types a channel's `allowedMediaTypes` lists.
pub const MAX_ALLOWED_MEDIA_TYPES: usize = 50;
