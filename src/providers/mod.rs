//! One interface over the WhatsApp providers. `twilio` and `meta` each implement
//! [`Provider`]; nothing outside this module knows a provider's paths, field names, error
//! codes or signature scheme.
//!
//! An adapter is bound to one channel's credentials and to the configured base URLs.
//! Credentials are only ever sent to those base URLs (and, for media, to the provider's own
//! media hosts), never to a host taken from a webhook or from user input.

pub mod capabilities;
pub mod connect;
pub mod error;
pub mod inbound;
pub mod meta;
pub mod outbound;
pub mod twilio;
#[cfg(test)]
mod webhook_fuzz;
pub mod webhooks;

use std::time::Duration;

use async_trait::async_trait;

pub use error::ProviderError;
pub use inbound::{
    DeliveryStatus, InboundContent, InboundMessage, MediaRef, StatusUpdate, WebhookEvent,
    WebhookRequest,
};
pub use outbound::{OutboundContent, OutboundMessage, Reconciled, SendAttempt, SendReceipt};

use crate::crypto::Secret;
use crate::domain::business_profile::{BusinessProfile, ProfileChanges};
use crate::domain::PhoneNumber;
pub use crate::domain::ProviderKind;

/// Parses a number given by a person, who may paste it as a provider shows it: Twilio's
/// `whatsapp:` address prefix is dropped before the E.164 number is read.
pub fn parse_number(raw: &str) -> Result<crate::domain::PhoneNumber, crate::domain::PhoneError> {
    twilio::address::parse(raw)
}

/// Base URLs of the provider APIs, from configuration (fakes in tests).
#[derive(Clone, Debug)]
pub struct ProviderUrls {
    /// `https://api.twilio.com`
    pub twilio_api: String,
    /// `https://content.twilio.com`
    pub twilio_content: String,
    /// `https://messaging.twilio.com`
    pub twilio_messaging: String,
    /// `https://graph.facebook.com`
    pub meta_graph: String,
    /// `v23.0`
    pub meta_api_version: String,
}

/// A Twilio channel's credentials.
#[derive(Clone, Debug)]
pub struct TwilioCredentials {
    /// `AC` + 32 hex.
    pub account_sid: String,
    /// Signs webhooks; also the REST password when no API key is set.
    pub auth_token: Secret,
    /// `SK` + 32 hex, with its secret: used for REST calls when present.
    pub api_key: Option<(String, Secret)>,
    /// `MG` + 32 hex.
    pub messaging_service_sid: Option<String>,
    /// The WhatsApp sender.
    pub sender: PhoneNumber,
    /// On Twilio's shared sandbox number, which no account lists among its senders.
    pub sandbox: bool,
}

/// A Meta channel's credentials.
#[derive(Clone, Debug)]
pub struct MetaCredentials {
    pub access_token: Secret,
    /// Signs webhooks.
    pub app_secret: Secret,
    pub phone_number_id: String,
    pub business_account_id: String,
}

#[derive(Clone, Debug)]
pub enum Credentials {
    Twilio(TwilioCredentials),
    Meta(MetaCredentials),
}

/// What a provider says about the account behind a channel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifiedAccount {
    /// Twilio's account friendly name, or Meta's verified business name.
    pub display_name: Option<String>,
    /// The number as the provider shows it.
    pub display_number: Option<String>,
    /// Meta's quality rating (`GREEN`, `YELLOW`, `RED`, `UNKNOWN`).
    pub quality_rating: Option<String>,
}

/// Inbound media, fetched.
#[derive(Clone, Debug)]
pub struct FetchedMedia {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// A file to become a business profile photo.
#[derive(Clone)]
pub struct ProfilePhoto {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

impl std::fmt::Debug for ProfilePhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfilePhoto")
            .field("bytes", &self.bytes.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A template as the provider lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderTemplate {
    /// Twilio `HX…` content SID, or Meta's template id.
    pub provider_id: String,
    pub name: String,
    pub language: String,
    /// `UTILITY`, `MARKETING`, `AUTHENTICATION`, when known.
    pub category: Option<String>,
    /// Upper-case approval status (`APPROVED`, `PENDING`, `REJECTED`, `UNSUBMITTED`, …).
    pub status: String,
    pub rejection_reason: Option<String>,
    /// The body text with `{{1}}` or `{{name}}` placeholders.
    pub body: String,
}

/// A template to create at the provider.
#[derive(Clone, Debug)]
pub struct NewTemplate {
    pub name: String,
    pub language: String,
    pub category: String,
    pub body: String,
    /// Example values for the body's variables, in order.
    pub examples: Vec<String>,
    pub header_text: Option<String>,
    pub footer: Option<String>,
    /// Quick-reply button titles.
    pub quick_replies: Vec<String>,
}

/// How long a provider call may take before it counts as timed out.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// One channel's connection to its provider.
#[async_trait]
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;

    /// Checks the credentials against the provider (Twilio: the account resource; Meta: the
    /// phone number node).
    async fn verify(&self) -> Result<VerifiedAccount, ProviderError>;

    /// Sends one message; answers the provider's message id.
    async fn send(&self, message: &OutboundMessage) -> Result<SendReceipt, ProviderError> {
        self.send_attempt(message).await.outcome
    }

    /// Sends one message; answers the outcome with the HTTP status the provider answered,
    /// for the attempt's record.
    async fn send_attempt(&self, message: &OutboundMessage) -> SendAttempt;

    /// Looks for `message` among what the provider accepted since `since` (when the
    /// uncertain request started), so it is not sent twice.
    async fn find_sent(
        &self,
        message: &OutboundMessage,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Reconciled, ProviderError>;

    /// Marks an inbound message read (Meta read receipts; Twilio's typing indicator, which
    /// also marks read).
    async fn mark_read(&self, provider_message_id: &str) -> Result<(), ProviderError>;

    /// Downloads inbound media, refusing more than `max_bytes` and any host that is not the
    /// provider's.
    async fn fetch_media(
        &self,
        media: &MediaRef,
        max_bytes: u64,
    ) -> Result<FetchedMedia, ProviderError>;

    async fn list_templates(&self) -> Result<Vec<ProviderTemplate>, ProviderError>;

    async fn create_template(
        &self,
        template: &NewTemplate,
    ) -> Result<ProviderTemplate, ProviderError>;

    /// Submits a created template for WhatsApp approval (Twilio); Meta reviews on creation.
    async fn submit_template(
        &self,
        template: &ProviderTemplate,
    ) -> Result<ProviderTemplate, ProviderError>;

    /// Changes a template's body, header, footer, buttons or category; answers it as the
    /// provider now holds it (Meta reviews an edit again; a Twilio content cannot be
    /// changed, so a new one replaces it, unsubmitted, under a new SID).
    async fn edit_template(
        &self,
        current: &ProviderTemplate,
        template: &NewTemplate,
    ) -> Result<ProviderTemplate, ProviderError>;

    /// Deletes a template at the provider (Meta: this language only, by its id).
    async fn delete_template(&self, template: &ProviderTemplate) -> Result<(), ProviderError>;

    /// The number's WhatsApp business profile.
    async fn business_profile(&self) -> Result<BusinessProfile, ProviderError>;

    /// Changes the profile fields `changes` sets and, with `photo`, the profile photo.
    async fn update_business_profile(
        &self,
        changes: &ProfileChanges,
        photo: Option<&ProfilePhoto>,
    ) -> Result<(), ProviderError>;

    /// Checks the webhook's signature with this channel's secret, in constant time.
    fn verify_signature(&self, request: &WebhookRequest) -> bool;

    /// Parses a verified webhook into events. Unknown message types become
    /// `InboundContent::Unsupported`, never an error.
    fn parse_webhook(&self, request: &WebhookRequest) -> Result<Vec<WebhookEvent>, ProviderError>;
}
