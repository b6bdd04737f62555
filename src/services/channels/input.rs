//! What a caller gives to create or change a channel, and the checks that turn it into
//! domain values.

use crate::domain::channel::{is_meta_id, is_mime_type, is_token, MAX_MESSAGES_PER_SECOND};
use crate::domain::records::{ChannelRecord, ProviderConfig};
use crate::domain::tenant_settings::parse_language;
use crate::domain::ChannelSettings;
use crate::error::AppError;
use crate::providers::twilio::{credentials, sandbox};
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
    pub default_queue_id: Option<Option<crate::domain::QueueId>>,
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
    /// Twilio only: whether the channel is on Twilio's shared sandbox number.
    pub sandbox: Option<bool>,
    /// The sandbox's join code, with or without the leading `join`.
    pub sandbox_join_code: Option<String>,
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

/// Puts a Twilio channel on or off the sandbox as the input says, `before` being the join
/// code it had (the credentials may have just been replaced). Only a Twilio channel on
/// the sandbox number can be a sandbox channel. Answers whether sandbox mode changed.
pub(super) fn apply_sandbox(
    record: &mut ChannelRecord,
    input: &ChannelInput,
    before: Option<String>,
) -> Result<bool, AppError> {
    let asked = input.sandbox == Some(true) || input.sandbox_join_code.is_some();
    let ProviderConfig::Twilio {
        sandbox_join_code, ..
    } = &mut record.config
    else {
        if asked {
            return Err(AppError::bad_input(
                "sandbox",
                "only a Twilio channel can use Twilio's WhatsApp sandbox",
            ));
        }
        return Ok(false);
    };
    let parse = |code: &str| {
        sandbox::parse_join_code(code).map_err(|e| AppError::bad_input("sandboxJoinCode", e))
    };
    let code = match (input.sandbox, input.sandbox_join_code.as_deref()) {
        (Some(false), Some(_)) => {
            return Err(AppError::bad_input(
                "sandboxJoinCode",
                "is only for a sandbox channel",
            ))
        }
        (Some(false), None) => None,
        (Some(true), Some(code)) => Some(parse(code)?),
        (None, Some(code)) if before.is_some() => Some(parse(code)?),
        (None, Some(_)) => {
            return Err(AppError::bad_input(
                "sandbox",
                "set sandbox: true to give a join code",
            ))
        }
        (Some(true), None) => Some(before.clone().ok_or_else(|| {
            AppError::bad_input(
                "sandboxJoinCode",
                "is required for a sandbox channel: the code after `join` in the Twilio console",
            )
        })?),
        (None, None) => before.clone(),
    };
    if code.is_some() && record.phone_number != sandbox::SANDBOX_NUMBER {
        return Err(AppError::bad_input(
            "phoneNumber",
            format!(
                "a sandbox channel uses Twilio's sandbox number {}",
                sandbox::SANDBOX_NUMBER
            ),
        ));
    }
    let changed = code.is_some() != before.is_some();
    *sandbox_join_code = code;
    Ok(changed)
}

/// Twilio credentials as checked, with the secrets still as given.
pub(super) struct TwilioGiven<'a> {
    pub config: ProviderConfig,
    /// A new auth token, or none to keep the stored one.
    pub auth_token: Option<&'a str>,
    /// Whether the channel signs in with an API key (else with the auth token).
    pub uses_api_key: bool,
    /// A new API key secret, or none to keep the stored one.
    pub api_key_secret: Option<&'a str>,
}

/// Checks a Twilio channel's credentials; none when an update leaves them alone.
/// `has_secret`: whether the channel already holds an API key secret.
pub(super) fn twilio(
    input: &ChannelInput,
    creating: bool,
    has_secret: bool,
) -> Result<Option<TwilioGiven<'_>>, AppError> {
    if input.meta.is_some() {
        return Err(AppError::bad_input(
            "meta",
            "a Twilio channel takes twilio credentials",
        ));
    }
    let Some(t) = &input.twilio else {
        return required(creating, "twilio", "is required for a Twilio channel");
    };
    let account_sid = t.account_sid.trim().to_owned();
    if !credentials::is_sid(&account_sid, credentials::ACCOUNT_SID) {
        return Err(AppError::bad_input(
            "twilio.accountSid",
            "must be AC followed by 32 hex digits",
        ));
    }
    let api_key_sid = optional_sid(
        "twilio.apiKeySid",
        t.api_key_sid.clone(),
        credentials::API_KEY_SID,
    )?;
    let messaging_service_sid = optional_sid(
        "twilio.messagingServiceSid",
        t.messaging_service_sid.clone(),
        credentials::MESSAGING_SERVICE_SID,
    )?;
    let secret = given(t.api_key_secret.as_deref());
    match (&api_key_sid, secret) {
        (Some(_), Some(s)) if !is_token(s) => {
            return Err(AppError::bad_input(
                "twilio.apiKeySecret",
                "must be 8 to 1024 visible characters",
            ))
        }
        (Some(_), None) if creating || !has_secret => {
            return Err(AppError::bad_input(
                "twilio.apiKeySecret",
                "is required with apiKeySid",
            ))
        }
        (None, Some(_)) => {
            return Err(AppError::bad_input(
                "twilio.apiKeySid",
                "is required with apiKeySecret",
            ))
        }
        _ => {}
    }
    let token = given(t.auth_token.as_deref());
    match token {
        Some(token) if !credentials::is_auth_token(token) => {
            return Err(AppError::bad_input(
                "twilio.authToken",
                "must be 32 hex digits",
            ))
        }
        None if creating => {
            return Err(AppError::bad_input(
                "twilio.authToken",
                "is required: Twilio signs webhooks with it",
            ))
        }
        _ => {}
    }
    Ok(Some(TwilioGiven {
        uses_api_key: api_key_sid.is_some(),
        config: ProviderConfig::Twilio {
            account_sid,
            api_key_sid,
            messaging_service_sid,
            sandbox_join_code: None,
        },
        auth_token: token,
        api_key_secret: secret,
    }))
}

/// Meta credentials as checked, with the secrets still as given.
pub(super) struct MetaGiven<'a> {
    pub config: ProviderConfig,
    pub token: &'a str,
    pub app_secret: &'a str,
}

/// Checks a Meta channel's credentials, all given together; none when an update leaves
/// them alone.
pub(super) fn meta(
    input: &ChannelInput,
    creating: bool,
) -> Result<Option<MetaGiven<'_>>, AppError> {
    if input.twilio.is_some() {
        return Err(AppError::bad_input(
            "twilio",
            "a Meta channel takes meta credentials",
        ));
    }
    let Some(m) = &input.meta else {
        return required(creating, "meta", "is required for a Meta channel");
    };
    let token = m.access_token.trim();
    let app_secret = m.app_secret.trim();
    for (field, value) in [("meta.accessToken", token), ("meta.appSecret", app_secret)] {
        if !is_token(value) {
            return Err(AppError::bad_input(
                field,
                "must be 8 to 1024 visible characters",
            ));
        }
    }
    let phone_number_id = m.phone_number_id.trim().to_owned();
    if !is_meta_id(&phone_number_id) {
        return Err(AppError::bad_input(
            "meta.phoneNumberId",
            "must be Meta's numeric phone number id",
        ));
    }
    let business_account_id = m.business_account_id.trim().to_owned();
    if !is_meta_id(&business_account_id) {
        return Err(AppError::bad_input(
            "meta.businessAccountId",
            "must be Meta's numeric WhatsApp Business Account id",
        ));
    }
    Ok(Some(MetaGiven {
        config: ProviderConfig::Meta {
            phone_number_id,
            business_account_id,
        },
        token,
        app_secret,
    }))
}

/// Credentials left out: refused when creating, kept when updating.
fn required<T>(creating: bool, field: &str, reason: &str) -> Result<Option<T>, AppError> {
    if creating {
        Err(AppError::bad_input(field, reason))
    } else {
        Ok(None)
    }
}

/// A secret as given: trimmed, none when empty.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

fn optional_sid(
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
        // The service checks that the queue is the tenant's.
        settings.default_queue_id = queue;
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
