//! The Twilio adapter (PROVIDERS.md §1): Programmable Messaging for sends, the Content API
//! for templates and interactive messages, and Twilio's form webhooks.
//!
//! Credentials only go to the configured `twilio_api`, `twilio_content` and
//! `twilio_messaging` bases; media redirects are followed without them. Verification checks
//! the account and that the channel's number is one of its WhatsApp senders.

pub(crate) mod address;
mod client;
pub mod credentials;
pub mod error;
mod media;
mod message_form;
mod reconcile;
pub mod sandbox;
mod senders;
pub mod signature;
mod templates;
pub(crate) mod webhook;
mod wire;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use serde_json::json;

use self::client::{encode_form, TwilioHttp};
pub use self::error::classify;
pub use self::message_form::CORRELATION_PARAM;
use self::wire::{
    folded_body, list_picker_types, quick_reply_types, AccountResource, MessageResource,
};
use super::{
    FetchedMedia, MediaRef, NewTemplate, OutboundContent, OutboundMessage, ProfilePhoto, Provider,
    ProviderError, ProviderKind, ProviderTemplate, ProviderUrls, Reconciled, SendAttempt,
    SendReceipt, TwilioCredentials, VerifiedAccount, WebhookEvent, WebhookRequest,
};
use crate::domain::business_profile::{BusinessProfile, ProfileChanges};

/// One Twilio channel.
pub struct TwilioProvider {
    http: TwilioHttp,
    /// Session contents created for interactive sends, by their `types` JSON, so repeating
    /// the same buttons reuses one `HX…` instead of creating another.
    session_contents: Mutex<HashMap<String, String>>,
}

impl TwilioProvider {
    /// An adapter for one channel, calling the configured bases with the caller's client.
    pub fn new(urls: ProviderUrls, http: reqwest::Client, credentials: TwilioCredentials) -> Self {
        Self {
            http: TwilioHttp::new(urls, http, credentials),
            session_contents: Mutex::new(HashMap::new()),
        }
    }

    /// Replaces [`crate::providers::CALL_TIMEOUT`] for every call (tests use short ones).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.http.timeout = timeout;
        self
    }

    /// Twilio sends buttons and lists only as Content API contents, also inside the session
    /// window, so one is created on the fly (`twilio/quick-reply` or `twilio/list-picker`,
    /// neither needs approval for session messages) and sent by its `ContentSid`. Replies
    /// come back as `ButtonPayload`/`ButtonText` with `MessageType=interactive`.
    ///
    /// A failure comes with the HTTP status of Twilio's answer, when it answered.
    async fn session_content(
        &self,
        content: &OutboundContent,
    ) -> Result<Option<String>, (Option<u16>, ProviderError)> {
        let Some(types) = session_types(content) else {
            return Ok(None);
        };
        let key = types.to_string();
        if let Some(sid) = self.cached_content(&key) {
            return Ok(Some(sid));
        }
        let digest = hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(key.as_bytes())[..6]);
        let body = json!({
            "friendly_name": format!("{}{digest}", templates::SESSION_CONTENT_PREFIX),
            "language": "en",
            "types": types,
        });
        let (status, created) = templates::create_content_answered(&self.http, &body).await;
        let created = created.map_err(|e| (status, e))?;
        if let Ok(mut cache) = self.session_contents.lock() {
            cache.insert(key, created.sid.clone());
        }
        Ok(Some(created.sid))
    }

    /// The cache key of the session content `content` would be sent with, if any.
    fn session_key(&self, content: &OutboundContent) -> Option<String> {
        session_types(content).map(|t| t.to_string())
    }

    fn cached_content(&self, key: &str) -> Option<String> {
        self.session_contents.lock().ok()?.get(key).cloned()
    }
}

/// The Content API `types` of a session content for buttons or a list.
fn session_types(content: &OutboundContent) -> Option<serde_json::Value> {
    let types = match content {
        OutboundContent::Buttons {
            header,
            body,
            footer,
            buttons,
        } => quick_reply_types(
            &folded_body(header.as_deref(), body, footer.as_deref()),
            buttons,
        ),
        OutboundContent::List {
            header,
            body,
            footer,
            button,
            sections,
        } => list_picker_types(
            &folded_body(header.as_deref(), body, footer.as_deref()),
            button,
            sections,
        ),
        _ => return None,
    };
    Some(types)
}

/// Names the account and sender only; the Auth Token and API key secret never print.
impl std::fmt::Debug for TwilioProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioProvider")
            .field("account_sid", &self.http.credentials.account_sid)
            .field("sender", &self.http.credentials.sender.masked())
            .field("timeout", &self.http.timeout)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Provider for TwilioProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Twilio
    }

    async fn verify(&self) -> Result<VerifiedAccount, ProviderError> {
        let url = self.http.account_url(".json");
        // Parsed into a struct without `auth_token`; the raw body is dropped right here.
        let account: AccountResource = self
            .http
            .call_json(self.http.authed(Method::GET, &url))
            .await?;
        let status = account.status.unwrap_or_default();
        if !status.eq_ignore_ascii_case("active") {
            return Err(ProviderError::Unauthorized {
                code: "ACCOUNT_NOT_ACTIVE".into(),
                message: format!("the Twilio account is {status}"),
            });
        }
        // Valid credentials prove the account, not the number: it must be one of its senders.
        // The sandbox number is nobody's sender, and belongs to no channel alone.
        if !self.http.credentials.sandbox {
            senders::check_sender(&self.http).await?;
        }
        Ok(VerifiedAccount {
            display_name: account.friendly_name,
            display_number: Some(self.http.credentials.sender.to_string()),
            quality_rating: None,
        })
    }

    async fn send_attempt(&self, message: &OutboundMessage) -> SendAttempt {
        let session_sid = match self.session_content(&message.content).await {
            Ok(sid) => sid,
            Err((http_status, error)) => {
                return SendAttempt {
                    outcome: Err(error),
                    http_status,
                }
            }
        };
        let form = match message_form::message_form(
            &self.http.credentials,
            message,
            session_sid.as_deref(),
        ) {
            Ok(form) => form,
            Err(error) => {
                return SendAttempt {
                    outcome: Err(error),
                    http_status: None,
                }
            }
        };
        let request = self
            .http
            .authed(Method::POST, &self.http.account_url("/Messages.json"))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(encode_form(&form));
        let (http_status, created) = self.http.exchange_json::<MessageResource>(request).await;
        SendAttempt {
            outcome: created.map(|created| SendReceipt {
                provider_message_id: created.sid,
                status: created.status,
            }),
            http_status,
        }
    }

    async fn find_sent(
        &self,
        message: &OutboundMessage,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Reconciled, ProviderError> {
        let session_sid = self
            .session_key(&message.content)
            .and_then(|key| self.cached_content(&key));
        reconcile::find_sent(&self.http, message, session_sid.as_deref(), since).await
    }

    async fn mark_read(&self, provider_message_id: &str) -> Result<(), ProviderError> {
        let form = [
            ("messageId".to_owned(), provider_message_id.to_owned()),
            ("channel".to_owned(), "whatsapp".to_owned()),
        ];
        let request = self
            .http
            .authed(
                Method::POST,
                &self.http.messaging_url("/v2/Indicators/Typing.json"),
            )
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(encode_form(&form));
        self.http.call(request).await.map(|_| ())
    }

    async fn fetch_media(
        &self,
        media: &MediaRef,
        max_bytes: u64,
    ) -> Result<FetchedMedia, ProviderError> {
        media::fetch_media(&self.http, media, max_bytes).await
    }

    async fn list_templates(&self) -> Result<Vec<ProviderTemplate>, ProviderError> {
        templates::list(&self.http).await
    }

    async fn create_template(
        &self,
        template: &NewTemplate,
    ) -> Result<ProviderTemplate, ProviderError> {
        templates::create(&self.http, template).await
    }

    async fn submit_template(
        &self,
        template: &ProviderTemplate,
    ) -> Result<ProviderTemplate, ProviderError> {
        templates::submit(&self.http, template).await
    }

    async fn edit_template(
        &self,
        current: &ProviderTemplate,
        template: &NewTemplate,
    ) -> Result<ProviderTemplate, ProviderError> {
        templates::replace(&self.http, current, template).await
    }

    async fn delete_template(&self, template: &ProviderTemplate) -> Result<(), ProviderError> {
        templates::delete(&self.http, &template.provider_id).await
    }

    /// Always with the Auth Token: API keys cannot sign webhooks (§1.1).
    /// Twilio's API does not reach a WhatsApp sender's business profile.
    async fn business_profile(&self) -> Result<BusinessProfile, ProviderError> {
        Err(profile_unsupported())
    }

    async fn update_business_profile(
        &self,
        _changes: &ProfileChanges,
        _photo: Option<&ProfilePhoto>,
    ) -> Result<(), ProviderError> {
        Err(profile_unsupported())
    }

    fn verify_signature(&self, request: &WebhookRequest) -> bool {
        super::webhooks::verify(
            ProviderKind::Twilio,
            &self.http.credentials.auth_token,
            request,
        )
    }

    fn parse_webhook(&self, request: &WebhookRequest) -> Result<Vec<WebhookEvent>, ProviderError> {
        super::webhooks::parse(ProviderKind::Twilio, request)
    }
}

/// A Twilio sender's WhatsApp business profile is edited in the Twilio console
/// (Messaging > Senders > WhatsApp senders), not through the API.
fn profile_unsupported() -> ProviderError {
    ProviderError::Unsupported(
        "the WhatsApp business profile of a Twilio sender is managed in the Twilio console \
         (Messaging > Senders > WhatsApp senders), not through Switchboard"
            .into(),
    )
}
