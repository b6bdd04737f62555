//! Webhooks without an adapter: each provider's signature header and scheme, checked with
//! only the channel's signing secret (Twilio's auth token, Meta's app secret), and the
//! parser of a verified body.

use super::{ProviderError, ProviderKind, WebhookEvent, WebhookRequest};
use crate::crypto::Secret;

/// The header that carries a provider's webhook signature.
pub fn signature_header(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Twilio => "x-twilio-signature",
        ProviderKind::Meta => "x-hub-signature-256",
    }
}

/// How long a webhook may wait for room to be stored before it is refused (503).
///
/// Meta redelivers a refused webhook with backoff for days (PROVIDERS.md §2.5): refusing at
/// once costs nothing and keeps the connection free. Twilio does not redeliver a 5xx by
/// default and gives up on an answer after 15 s (§1.6): its webhook waits for most of that.
pub fn storage_patience(kind: ProviderKind) -> std::time::Duration {
    match kind {
        ProviderKind::Twilio => std::time::Duration::from_secs(10),
        ProviderKind::Meta => std::time::Duration::ZERO,
    }
}

/// Checks a webhook's signature with the channel's signing secret, in constant time.
pub fn verify(kind: ProviderKind, signing_secret: &Secret, request: &WebhookRequest) -> bool {
    match kind {
        ProviderKind::Twilio => {
            let Some(header) = request.signature.as_deref() else {
                return false;
            };
            super::twilio::signature::verify(
                signing_secret.expose(),
                &request.url,
                !super::twilio::webhook::is_json(request),
                &request.body,
                header,
            )
        }
        ProviderKind::Meta => super::meta::signature::verify(
            signing_secret.expose(),
            &request.body,
            request.signature.as_deref(),
        ),
    }
}

/// Parses a verified webhook into events. Unknown message types become
/// `InboundContent::Unsupported`, never an error.
pub fn parse(
    kind: ProviderKind,
    request: &WebhookRequest,
) -> Result<Vec<WebhookEvent>, ProviderError> {
    match kind {
        ProviderKind::Twilio => super::twilio::webhook::parse(request),
        ProviderKind::Meta => super::meta::webhook::parse(&request.body),
    }
}
