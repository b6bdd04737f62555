//! Meta WhatsApp Cloud API adapter (PROVIDERS.md §2). Talks to `{meta_graph}/{version}` with
//! the channel's Bearer token; nothing outside this module knows Meta's wire format.
//!
//! - `client`: base URL, auth, timeout, error mapping; verify, send, mark read.
//! - `outbound`: send bodies. `templates`: list/create/refresh/edit/delete. `media`: guarded
//!   downloads.
//! - `webhook` + `wire`: notification parsing. `signature`: `X-Hub-Signature-256`.
//! - `profile`: the business profile, its photo through the Resumable Upload API.
//! - `error`: Graph error codes → [`ProviderError`].

mod client;
mod error;
mod media;
mod outbound;
pub mod profile;
pub mod signature;
mod templates;
pub mod webhook;
mod wire;

use async_trait::async_trait;

use crate::domain::business_profile::{BusinessProfile, ProfileChanges};

pub use client::MetaProvider;

use super::{
    FetchedMedia, MediaRef, NewTemplate, OutboundMessage, ProfilePhoto, Provider, ProviderError,
    ProviderKind, ProviderTemplate, Reconciled, SendAttempt, VerifiedAccount, WebhookEvent,
    WebhookRequest,
};

#[async_trait]
impl Provider for MetaProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Meta
    }

    async fn verify(&self) -> Result<VerifiedAccount, ProviderError> {
        self.verify_account().await
    }

    async fn send_attempt(&self, message: &OutboundMessage) -> SendAttempt {
        self.send_message(message).await
    }

    /// The Cloud API has no way to look a message up by our `biz_opaque_callback_data`;
    /// only a status webhook echoing it can settle the question (PROVIDERS.md §3.2).
    async fn find_sent(
        &self,
        _message: &OutboundMessage,
        _since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Reconciled, ProviderError> {
        Ok(Reconciled::Unknown)
    }

    async fn mark_read(&self, provider_message_id: &str) -> Result<(), ProviderError> {
        self.send_read(provider_message_id).await
    }

    async fn fetch_media(
        &self,
        media: &MediaRef,
        max_bytes: u64,
    ) -> Result<FetchedMedia, ProviderError> {
        self.download_media(media, max_bytes).await
    }

    async fn list_templates(&self) -> Result<Vec<ProviderTemplate>, ProviderError> {
        self.fetch_templates().await
    }

    async fn create_template(
        &self,
        template: &NewTemplate,
    ) -> Result<ProviderTemplate, ProviderError> {
        self.post_template(template).await
    }

    async fn submit_template(
        &self,
        template: &ProviderTemplate,
    ) -> Result<ProviderTemplate, ProviderError> {
        self.refresh_template(template).await
    }

    async fn edit_template(
        &self,
        current: &ProviderTemplate,
        template: &NewTemplate,
    ) -> Result<ProviderTemplate, ProviderError> {
        self.post_template_edit(current, template).await
    }

    async fn delete_template(&self, template: &ProviderTemplate) -> Result<(), ProviderError> {
        self.remove_template(template).await
    }

    async fn business_profile(&self) -> Result<BusinessProfile, ProviderError> {
        self.read_profile().await
    }

    async fn update_business_profile(
        &self,
        changes: &ProfileChanges,
        photo: Option<&ProfilePhoto>,
    ) -> Result<(), ProviderError> {
        self.write_profile(changes, photo).await
    }

    fn verify_signature(&self, request: &WebhookRequest) -> bool {
        super::webhooks::verify(ProviderKind::Meta, &self.credentials.app_secret, request)
    }

    fn parse_webhook(&self, request: &WebhookRequest) -> Result<Vec<WebhookEvent>, ProviderError> {
        super::webhooks::parse(ProviderKind::Meta, request)
    }
}
