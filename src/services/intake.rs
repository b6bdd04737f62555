//! Provider webhooks, as one use case: find the channel by the key in the URL, check the
//! signature with only that channel's signing secret, parse, route a Meta notification's
//! changes to the channels of their `phone_number_id`, store them, and publish after the
//! commit. A delivery is acknowledged only once everything it carries is committed.
//!
//! Deliveries are stored by the ingest [`Writer`], many to a transaction, in units of at
//! most [`INGEST_CHUNK`] events, so one tenant's large delivery never holds the write lock
//! for long while another's webhook waits. A failure after some chunks refuses the
//! delivery; the provider's retry replays the whole of it, and the chunks already stored
//! are no-ops then (messages are unique per provider id, statuses per id and status).

use std::collections::HashSet;

use subtle::ConstantTimeEq;

use crate::domain::records::{ChannelRecord, ProviderConfig};
use crate::domain::{ProviderKind, PublicUrls};
use crate::providers::{webhooks, WebhookEvent, WebhookRequest};
use crate::services::channels::ChannelService;
use crate::services::events::EventBus;
use crate::services::inbound::writer::{NotStored, Writer};
use crate::services::media::MediaFetcher;
use crate::store::Store;

/// The largest webhook body accepted.
pub const BODY_LIMIT: usize = 1 << 20;

/// Events stored per transaction.
pub const INGEST_CHUNK: usize = 50;

/// A webhook as it arrived: the path and query the provider called, and what it sent.
pub struct Delivery {
    pub path_and_query: String,
    pub content_type: Option<String>,
    /// The provider's signature header ([`Intake::signature_header`]).
    pub signature: Option<String>,
    pub body: Vec<u8>,
}

/// Why a webhook was refused; nothing of it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No channel of this provider has the key.
    UnknownKey,
    /// More events than the setting allows in one delivery (or a body over the limit).
    TooLarge,
    /// A bad or missing signature, or a handshake with the wrong token.
    BadSignature,
    /// The body does not parse.
    Malformed,
    /// Storage failed: the provider should deliver it again.
    Unavailable,
    /// More of the tenant's webhooks wait to be stored than its queue holds: the provider
    /// should deliver it again, later.
    Busy,
}

#[derive(Clone)]
pub struct Intake {
    store: Store,
    channels: ChannelService,
    writer: Writer,
    urls: PublicUrls,
    max_events: usize,
}

pub use crate::services::inbound::writer::Batching;

impl Intake {
    pub fn new(
        store: Store,
        channels: ChannelService,
        bus: EventBus,
        media: MediaFetcher,
        urls: PublicUrls,
        max_events: usize,
        batching: Batching,
    ) -> Self {
        Self {
            writer: Writer::new(store.clone(), bus, media, batching),
            store,
            channels,
            urls,
            max_events,
        }
    }

    /// The header that carries the provider's signature.
    pub fn signature_header(kind: ProviderKind) -> &'static str {
        webhooks::signature_header(kind)
    }

    /// Verifies, parses, routes, stores and publishes one delivery.
    pub async fn receive(
        &self,
        kind: ProviderKind,
        key: &str,
        delivery: Delivery,
    ) -> Result<(), Refusal> {
        let channel = self.channel_for(key, kind).await?;
        let request = WebhookRequest {
            url: self.urls.of(&delivery.path_and_query),
            content_type: delivery.content_type,
            signature: delivery.signature,
            body: delivery.body,
        };
        let secret = self.channels.signing_secret(&channel).map_err(|e| {
            tracing::error!(channel.id = %channel.id, error = %e, "cannot open the channel's signing secret");
            Refusal::Unavailable
        })?;
        if !webhooks::verify(kind, &secret, &request) {
            tracing::warn!(channel.id = %channel.id, provider = kind.as_str(), "webhook refused: bad or missing signature");
            return Err(Refusal::BadSignature);
        }
        let events = webhooks::parse(kind, &request).map_err(|e| {
            // The parser's reason may quote the body (texts, numbers): its size only.
            tracing::warn!(
                channel.id = %channel.id,
                provider = kind.as_str(),
                reason_chars = e.to_string().len(),
                "webhook refused: malformed body"
            );
            Refusal::Malformed
        })?;
        if events.len() > self.max_events {
            tracing::warn!(channel.id = %channel.id, events = events.len(), max = self.max_events, "webhook refused: too many events in one delivery");
            return Err(Refusal::TooLarge);
        }
        match kind {
            ProviderKind::Twilio => self.store_events(&channel, &events).await,
            ProviderKind::Meta => {
                for (target, events) in self.route_meta(&channel, &secret, events).await? {
                    self.store_events(&target, &events).await?;
                }
                Ok(())
            }
        }
    }

    /// Meta's subscription handshake: the challenge to echo when the mode is `subscribe` and
    /// the token is the channel's verify token.
    pub async fn handshake(
        &self,
        key: &str,
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<String>,
    ) -> Result<String, Refusal> {
        let channel = self.channel_for(key, ProviderKind::Meta).await?;
        let token_ok = match (token, channel.verify_token.as_deref()) {
            (Some(given), Some(expected)) => {
                bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
            }
            _ => false,
        };
        match challenge {
            Some(challenge) if mode == Some("subscribe") && token_ok => Ok(challenge),
            _ => Err(Refusal::BadSignature),
        }
    }

    /// The channel a webhook key names, if it is of `kind`.
    async fn channel_for(&self, key: &str, kind: ProviderKind) -> Result<ChannelRecord, Refusal> {
        match self.store.channel_by_webhook_key(key).await {
            Ok(Some(channel)) if channel.provider() == kind => Ok(channel),
            Ok(_) => {
                // The key itself is a routing secret: not logged.
                tracing::warn!(
                    provider = kind.as_str(),
                    "webhook refused: no channel of this provider has this webhook key"
                );
                Err(Refusal::UnknownKey)
            }
            Err(e) => {
                tracing::error!(error = %e, "webhook channel lookup failed");
                Err(Refusal::Unavailable)
            }
        }
    }

    /// Stores the events; the writer publishes them after each commit.
    async fn store_events(
        &self,
        channel: &ChannelRecord,
        events: &[WebhookEvent],
    ) -> Result<(), Refusal> {
        let patience = webhooks::storage_patience(channel.provider());
        for chunk in events.chunks(INGEST_CHUNK) {
            match self.writer.store(channel, chunk.to_vec(), patience).await {
                Ok(()) => {}
                Err(NotStored::Full) => {
                    tracing::warn!(tenant.id = %channel.tenant, channel.id = %channel.id, "webhook refused: the tenant's ingest queue is full");
                    return Err(Refusal::Busy);
                }
                Err(NotStored::Failed(e)) => {
                    tracing::error!(tenant.id = %channel.tenant, channel.id = %channel.id, error = %e, "webhook not stored");
                    return Err(Refusal::Unavailable);
                }
            }
        }
        Ok(())
    }

    /// Groups a Meta notification's events by the channel of their `phone_number_id`: the
    /// channel the URL names, or another of the same tenant signed by the same app secret.
    /// Changes for any other number are logged and dropped.
    async fn route_meta(
        &self,
        channel: &ChannelRecord,
        secret: &crate::crypto::Secret,
        events: Vec<WebhookEvent>,
    ) -> Result<Vec<(ChannelRecord, Vec<WebhookEvent>)>, Refusal> {
        let Some(own) = meta_phone(channel).map(str::to_owned) else {
            return Err(Refusal::UnknownKey);
        };
        let mut groups: Vec<(ChannelRecord, Vec<WebhookEvent>)> =
            vec![(channel.clone(), Vec::new())];
        // Numbers already found to be no sibling's: one lookup each, however many events
        // name them.
        let mut strangers: HashSet<String> = HashSet::new();
        for event in events {
            let address = event_address(&event).unwrap_or(&own).to_owned();
            if address == own {
                groups[0].1.push(event);
                continue;
            }
            if let Some(group) = groups
                .iter_mut()
                .find(|(c, _)| meta_phone(c) == Some(address.as_str()))
            {
                group.1.push(event);
                continue;
            }
            if strangers.contains(&address) {
                continue;
            }
            match self.sibling(channel, secret, &address).await? {
                Some(other) => groups.push((other, vec![event])),
                None => {
                    tracing::warn!(channel.id = %channel.id, "webhook change for a number no channel of this app owns; acknowledged and dropped");
                    strangers.insert(address);
                }
            }
        }
        Ok(groups)
    }

    /// The channel of the same tenant with `phone_number_id`, when the same app secret
    /// signs its webhooks.
    async fn sibling(
        &self,
        channel: &ChannelRecord,
        secret: &crate::crypto::Secret,
        phone_number_id: &str,
    ) -> Result<Option<ChannelRecord>, Refusal> {
        // Looked up within the tenant, by the key every channel holds from its creation: a
        // sibling that is not verified yet (and so holds no deployment-wide claim) still
        // gets its changes, and another tenant's channel is never found.
        let other = match self
            .store
            .tenant(channel.tenant)
            .channels()
            .find_by_phone_number_id(phone_number_id)
            .await
        {
            Ok(Some(other)) => other,
            Ok(None) => return Ok(None),
            Err(e) => {
                tracing::error!(error = %e, "webhook routing lookup failed");
                return Err(Refusal::Unavailable);
            }
        };
        // A secret that cannot be opened is a fault of ours: refused, so Meta delivers it
        // again.
        let theirs = self.channels.signing_secret(&other).map_err(|e| {
            tracing::error!(channel.id = %other.id, error = %e, "cannot open a channel's signing secret for routing");
            Refusal::Unavailable
        })?;
        let same = bool::from(secret.expose().as_bytes().ct_eq(theirs.expose().as_bytes()));
        Ok(same.then_some(other))
    }
}

fn event_address(event: &WebhookEvent) -> Option<&str> {
    match event {
        WebhookEvent::MessageReceived(m) => Some(&m.channel_address),
        WebhookEvent::StatusChanged(s) => Some(&s.channel_address),
        WebhookEvent::TemplateStatusChanged { .. } => None,
    }
}

fn meta_phone(channel: &ChannelRecord) -> Option<&str> {
    match &channel.config {
        ProviderConfig::Meta {
            phone_number_id, ..
        } => Some(phone_number_id),
        ProviderConfig::Twilio { .. } => None,
    }
}
