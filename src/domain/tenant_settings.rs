//! A tenant's own settings.

use serde::{Deserialize, Serialize};

/// Settings a tenant's owner or admin may change. Stored as one JSON document so that later
/// settings need no schema change; unknown fields are kept by serde's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TenantSettings {
    /// Language used when a channel sets none, as a WhatsApp language code (`en`, `pt_BR`).
    pub default_language: String,
    /// IANA-style time zone name shown to agents (`Europe/Lisbon`), or `UTC`.
    pub time_zone: String,
    /// Whole-message keywords that opt a contact out.
    pub opt_out_keywords: Vec<String>,
    /// Whole-message keywords that opt a contact back in.
    pub opt_in_keywords: Vec<String>,
    /// How long after a conversation is resolved a new message from the customer reopens
    /// it; later, the message opens a new conversation. Zero: always a new one.
    pub reopen_grace_minutes: u32,
}

/// The longest reopen grace a tenant may set: 30 days.
pub const REOPEN_GRACE_MAX_MINUTES: u32 = 30 * 24 * 60;

impl TenantSettings {
    pub fn reopen_grace(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::minutes(i64::from(
            self.reopen_grace_minutes.min(REOPEN_GRACE_MAX_MINUTES),
        ))
    }
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            default_language: "en".to_owned(),
            time_zone: "UTC".to_owned(),
            opt_out_keywords: super::opt_out::DEFAULT_OPT_OUT
                .iter()
                .map(|k| (*k).to_owned())
                .collect(),
            opt_in_keywords: super::opt_out::DEFAULT_OPT_IN
                .iter()
                .map(|k| (*k).to_owned())
                .collect(),
            reopen_grace_minutes: 24 * 60,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("must be a language code such as en, es or pt_BR")]
    Language,
    #[error("must be a time zone name such as UTC or Europe/Lisbon")]
    TimeZone,
    #[error("must be between 1 and 200 characters")]
    Name,
}

/// Parses a tenant's display name.
pub fn parse_tenant_name(raw: &str) -> Result<String, SettingsError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(SettingsError::Name);
    }
    Ok(name.to_owned())
}

/// Parses a WhatsApp language code: two or three lower-case letters, optionally `_` and a
/// region of two upper-case letters.
pub fn parse_language(raw: &str) -> Result<String, SettingsError> {
    let (lang, region) = match raw.split_once('_') {
        Some((l, r)) => (l, Some(r)),
        None => (raw, None),
    };
    let lang_ok = (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_lowercase());
    let region_ok =
        region.is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_uppercase()));
    if lang_ok && region_ok {
        Ok(raw.to_owned())
    } else {
        Err(SettingsError::Language)
    }
}

/// Parses a time zone name by shape: `UTC`, or `Area/Location` of letters, `_`, `-` and `+`.
pub fn parse_time_zone(raw: &str) -> Result<String, SettingsError> {
    let ok = raw == "UTC"
        || (raw.len() <= 64
            && raw.contains('/')
            && raw.split('/').all(|part| {
                !part.is_empty()
                    && part.starts_with(|c: char| c.is_ascii_uppercase())
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))
            }));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(SettingsError::TimeZone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_follow_whatsapp_shape() {
        assert!(parse_language("en").is_ok());
        assert!(parse_language("pt_BR").is_ok());
        assert!(parse_language("EN").is_err());
        assert!(parse_language("pt-BR").is_err());
        assert!(parse_language("english").is_err());
    }

    #[test]
    fn time_zones_are_checked_by_shape() {
        assert!(parse_time_zone("UTC").is_ok());
        assert!(parse_time_zone("America/Argentina/Buenos_Aires").is_ok());
        assert!(parse_time_zone("utc").is_err());
        assert!(parse_time_zone("Europe/").is_err());
    }

    #[test]
    fn tenant_names_are_trimmed_and_bounded() {
        assert_eq!(parse_tenant_name("  Acme  ").unwrap(), "Acme");
        assert!(parse_tenant_name("   ").is_err());
        assert!(parse_tenant_name(&"x".repeat(201)).is_err());
    }
}
