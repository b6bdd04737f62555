//! What the deliveries of one batch share: what is read for all of them at once (tenant
//! settings, which messages are new, the senders' contacts and their conversations), and
//! the writes of their plain messages, held to be made together in a few multi-row
//! statements instead of several statements each.
//!
//! A plain message is a new text or media message from a known contact, in a conversation
//! that is open and not waiting on the customer, that is neither a rating nor a consent
//! keyword: storing it only inserts the message, moves its contact's and conversation's
//! times forward, and announces it. Any other message of a tenant first makes the writes
//! held for that tenant, so whatever it reads sees every message before it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::domain::records::{ChannelRecord, ConversationRecord, MessageRecord};
use crate::domain::{
    ChannelId, ContactId, ConversationId, ConversationStatus, PhoneNumber, TenantId, TenantSettings,
};
use crate::providers::WebhookEvent;
use crate::store::contacts::InboundSender;
use crate::store::messages::NewAttachment;
use crate::store::{Batch, StoreError, TenantScope};

/// See the module's documentation.
#[derive(Default)]
pub struct Batched {
    settings: HashMap<TenantId, TenantSettings>,
    unstored: HashSet<(ChannelId, String)>,
    /// Senders' contacts that exist, by tenant and WhatsApp id.
    contacts: HashMap<(TenantId, String), ContactId>,
    /// The conversation each channel and contact has open and not pending.
    working: HashMap<(ChannelId, ContactId), ConversationRecord>,
    held: HashMap<TenantId, Held>,
}

/// The writes of a tenant's plain messages, not made yet.
#[derive(Default)]
struct Held {
    senders: Vec<Sender>,
    conversations: Vec<(ConversationId, DateTime<Utc>)>,
    messages: Vec<(MessageRecord, Vec<NewAttachment>)>,
}

struct Sender {
    wa_id: String,
    phone_number: String,
    profile_name: Option<String>,
    at: DateTime<Utc>,
}

/// A plain message's place: its contact and the conversation it joins.
pub struct Place<'a> {
    pub contact: ContactId,
    pub conversation: &'a ConversationRecord,
}

impl Batched {
    /// Reads, in `batch`, what its `deliveries` need, a few queries per tenant. Unless
    /// `plain`, messages are all stored one by one as usual (a batch stored again with each
    /// delivery on its own holds nothing back).
    pub async fn read<'a>(
        batch: &Batch,
        deliveries: impl Iterator<Item = (&'a ChannelRecord, &'a [WebhookEvent])>,
        plain: bool,
    ) -> Result<Self, StoreError> {
        /// A tenant's messages (channel and provider id) and their senders' WhatsApp ids.
        type Wanted = (Vec<(ChannelId, String)>, Vec<String>);
        let mut wanted: HashMap<TenantId, Wanted> = HashMap::new();
        for (channel, events) in deliveries {
            let (ids, senders) = wanted.entry(channel.tenant).or_default();
            for event in events {
                if let WebhookEvent::MessageReceived(m) = event {
                    ids.push((channel.id, m.provider_message_id.clone()));
                    if let Ok(phone) = PhoneNumber::from_wa_id(&m.from_wa_id) {
                        senders.push(phone.digits().to_owned());
                    }
                }
            }
        }
        let mut known = Self::default();
        for (tenant, (ids, mut senders)) in wanted {
            let scope = batch.scope(tenant);
            let settings = scope.profile().get().await?.settings;
            known.settings.insert(tenant, settings);
            let stored = scope.messages().stored_provider_ids(&ids).await?;
            known
                .unstored
                .extend(ids.into_iter().filter(|id| !stored.contains(id)));
            senders.sort_unstable();
            senders.dedup();
            if !plain || senders.is_empty() {
                continue;
            }
            let contacts = scope.contacts().find_by_wa_ids(&senders).await?;
            let ids: Vec<ContactId> = contacts.values().map(|c| c.id).collect();
            for conversation in scope.conversations().unresolved_of(&ids).await? {
                if conversation.status != ConversationStatus::Pending {
                    let key = (conversation.channel, conversation.contact);
                    known.working.insert(key, conversation);
                }
            }
            known.contacts.extend(
                contacts
                    .into_iter()
                    .map(|(wa_id, contact)| ((tenant, wa_id), contact.id)),
            );
        }
        Ok(known)
    }

    pub fn settings(&self, tenant: TenantId) -> Result<&TenantSettings, StoreError> {
        self.settings
            .get(&tenant)
            .ok_or_else(|| StoreError::Corrupt("a batch's tenant settings were not read".into()))
    }

    /// Whether the message is known not to be stored: answered once, so a second delivery
    /// of it in the same batch looks for it as usual.
    pub fn take_unstored(&mut self, channel: ChannelId, provider_id: &str) -> bool {
        self.unstored.remove(&(channel, provider_id.to_owned()))
    }

    /// Where a message from `wa_id` on `channel` goes when it is plain: its contact is
    /// known and has a conversation there open and not pending.
    pub fn place(&self, channel: &ChannelRecord, wa_id: &str) -> Option<Place<'_>> {
        let contact = *self.contacts.get(&(channel.tenant, wa_id.to_owned()))?;
        let conversation = self.working.get(&(channel.id, contact))?;
        Some(Place {
            contact,
            conversation,
        })
    }

    /// Holds a plain message's writes: `sender` (its phone number and profile name) is
    /// recorded, and the message joins its conversation.
    pub fn hold(
        &mut self,
        tenant: TenantId,
        sender: InboundSender<'_>,
        message: MessageRecord,
        attachments: Vec<NewAttachment>,
    ) {
        let held = self.held.entry(tenant).or_default();
        held.senders.push(Sender {
            wa_id: sender.wa_id.to_owned(),
            phone_number: sender.phone_number.to_owned(),
            profile_name: sender.profile_name.map(str::to_owned),
            at: sender.at,
        });
        if let Some(conversation) = message.conversation {
            held.conversations.push((conversation, message.sent_at));
        }
        held.messages.push((message, attachments));
    }

    /// Stops taking the contact's messages on the channel as plain: a message stored the
    /// usual way may have changed its conversation.
    pub fn forget(&mut self, channel: ChannelId, contact: ContactId) {
        self.working.remove(&(channel, contact));
    }

    /// Makes the writes held for `scope`'s tenant.
    pub async fn write<C: ConnectionTrait>(
        &mut self,
        scope: &TenantScope<'_, C>,
    ) -> Result<(), StoreError> {
        let Some(held) = self.held.remove(&scope.id()) else {
            return Ok(());
        };
        let now = Utc::now();
        let senders: Vec<InboundSender<'_>> = held
            .senders
            .iter()
            .map(|s| InboundSender {
                wa_id: &s.wa_id,
                phone_number: &s.phone_number,
                profile_name: s.profile_name.as_deref(),
                at: s.at,
            })
            .collect();
        scope.contacts().upsert_inbound_many(&senders, now).await?;
        scope
            .conversations()
            .record_inbound_many(&held.conversations, now)
            .await?;
        scope
            .messages()
            .insert_inbound_many(&held.messages, now)
            .await
    }

    /// Makes every tenant's held writes, in `batch`.
    pub async fn write_all(&mut self, batch: &Batch) -> Result<(), StoreError> {
        let tenants: Vec<TenantId> = self.held.keys().copied().collect();
        for tenant in tenants {
            self.write(&batch.scope(tenant)).await?;
        }
        Ok(())
    }
}
