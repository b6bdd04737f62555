//! A channel as stored, with its provider's non-secret identifiers; its secrets stay sealed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{ChannelId, ChannelSettings, ProviderKind, TenantId};

/// A provider's non-secret identifiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "camelCase")]
pub enum ProviderConfig {
    #[serde(rename_all = "camelCase")]
    Twilio {
        account_sid: String,
        api_key_sid: Option<String>,
        messaging_service_sid: Option<String>,
        /// Set on a channel of Twilio's shared WhatsApp sandbox number: the code people
        /// send as `join <code>` to reach this account.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sandbox_join_code: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Meta {
        phone_number_id: String,
        business_account_id: String,
    },
}

impl ProviderConfig {
    /// The provider these identifiers belong to.
    pub fn kind(&self) -> ProviderKind {
        match self {
            ProviderConfig::Twilio { .. } => ProviderKind::Twilio,
            ProviderConfig::Meta { .. } => ProviderKind::Meta,
        }
    }

    /// The join code of a Twilio sandbox channel; none for any other channel.
    pub fn sandbox_join_code(&self) -> Option<&str> {
        match self {
            ProviderConfig::Twilio {
                sandbox_join_code, ..
            } => sandbox_join_code.as_deref(),
            ProviderConfig::Meta { .. } => None,
        }
    }
}

/// What the provider said when the channel was last verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub at: DateTime<Utc>,
    pub display_name: Option<String>,
    pub display_number: Option<String>,
    pub quality_rating: Option<String>,
}

/// A channel as stored; its secrets stay sealed.
#[derive(Clone, Debug)]
pub struct ChannelRecord {
    pub id: ChannelId,
    pub tenant: TenantId,
    pub name: String,
    pub phone_number: String,
    pub config: ProviderConfig,
    pub sealed_token: String,
    pub sealed_secret: Option<String>,
    pub credential_hint: String,
    pub webhook_key: String,
    pub verify_token: Option<String>,
    pub settings: ChannelSettings,
    pub verification: Option<Verification>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ChannelRecord {
    /// The provider the channel sends through.
    pub fn provider(&self) -> ProviderKind {
        self.config.kind()
    }
}
