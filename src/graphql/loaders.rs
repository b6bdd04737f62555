//! Batch loaders for what every message of a page asks for: a page of 100 messages with
//! `statusHistory` and `attempts` reads each in one query per tenant, not one per message.
//! A page of conversations with their `labels`, or their `unreadCount`, reads them in one
//! query the same way.
//! The channel, contact and conversation each message or conversation of a page names, and
//! a conversation's newest message, are read the same way: one query per kind.
//! The loaders keep no cache, so they are safe to share across requests.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::Context;

use super::errors::{GqlError, GqlResult};
use crate::domain::records::AttemptRecord;
use crate::domain::records::LabelRecord;
use crate::domain::records::StatusRecord;
use crate::domain::records::{ChannelRecord, ContactRecord, ConversationRecord, MessageRecord};
use crate::domain::{ChannelId, ContactId, ConversationId, MessageId, TenantId, Visibility};
use crate::error::AppError;
use crate::services::channels::ChannelService;
use crate::services::conversations::ConversationService;
use crate::services::history::HistoryService;
use crate::services::labels::LabelService;

/// A message's status timeline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimelineOf(pub TenantId, pub MessageId);

/// A message's delivery attempts.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttemptsOf(pub TenantId, pub MessageId);

pub struct MessageDetails {
    pub history: HistoryService,
}

/// The keys' ids, per tenant.
fn by_tenant<I>(keys: impl Iterator<Item = (TenantId, I)>) -> HashMap<TenantId, Vec<I>> {
    let mut groups: HashMap<TenantId, Vec<I>> = HashMap::new();
    for (tenant, id) in keys {
        groups.entry(tenant).or_default().push(id);
    }
    groups
}

impl Loader<TimelineOf> for MessageDetails {
    type Value = Vec<StatusRecord>;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[TimelineOf],
    ) -> Result<HashMap<TimelineOf, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys.iter().map(|k| (k.0, k.1))) {
            let timelines = self.history.timelines(tenant, &ids).await?;
            found.extend(
                timelines
                    .into_iter()
                    .map(|(id, steps)| (TimelineOf(tenant, id), steps)),
            );
        }
        Ok(found)
    }
}

impl Loader<AttemptsOf> for MessageDetails {
    type Value = Vec<AttemptRecord>;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[AttemptsOf],
    ) -> Result<HashMap<AttemptsOf, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys.iter().map(|k| (k.0, k.1))) {
            let attempts = self.history.attempts(tenant, &ids).await?;
            found.extend(
                attempts
                    .into_iter()
                    .map(|(id, list)| (AttemptsOf(tenant, id), list)),
            );
        }
        Ok(found)
    }
}

/// A conversation's labels.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LabelsOf(pub TenantId, pub ConversationId);

pub struct ConversationLabels {
    pub labels: LabelService,
}

impl Loader<LabelsOf> for ConversationLabels {
    type Value = Vec<LabelRecord>;
    type Error = GqlError;

    async fn load(&self, keys: &[LabelsOf]) -> Result<HashMap<LabelsOf, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys.iter().map(|k| (k.0, k.1))) {
            let labels = self.labels.of_conversations(tenant, &ids).await?;
            found.extend(
                labels
                    .into_iter()
                    .map(|(id, list)| (LabelsOf(tenant, id), list)),
            );
        }
        Ok(found)
    }
}

/// A conversation's customer messages a member has not read.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnreadOf(pub TenantId, pub crate::domain::UserId, pub ConversationId);

pub struct ConversationUnread {
    pub conversations: crate::services::conversations::ConversationService,
}

impl Loader<UnreadOf> for ConversationUnread {
    type Value = u64;
    type Error = GqlError;

    async fn load(&self, keys: &[UnreadOf]) -> Result<HashMap<UnreadOf, u64>, Self::Error> {
        let mut groups: HashMap<(TenantId, crate::domain::UserId), Vec<ConversationId>> =
            HashMap::new();
        for key in keys {
            groups.entry((key.0, key.1)).or_default().push(key.2);
        }
        let mut found = HashMap::new();
        for ((tenant, user), ids) in groups {
            let unread = self.conversations.unread_in(tenant, user, &ids).await?;
            found.extend(
                unread
                    .into_iter()
                    .map(|(id, n)| (UnreadOf(tenant, user, id), n)),
            );
        }
        Ok(found)
    }
}

/// A channel, for a page of messages or conversations that each name one.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelOf(pub TenantId, pub ChannelId);

/// A contact, as [`ChannelOf`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContactOf(pub TenantId, pub ContactId);

/// A conversation as the caller sees it: one `visibility` does not see is not found.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ConversationOf(pub TenantId, pub Visibility, pub ConversationId);

/// A conversation's newest message.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LastMessageOf(pub TenantId, pub ConversationId);

/// The records a page's items point at: one query per kind and tenant for a whole page.
pub struct Related {
    pub channels: ChannelService,
    pub conversations: ConversationService,
    pub history: HistoryService,
}

impl Loader<ChannelOf> for Related {
    type Value = ChannelRecord;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[ChannelOf],
    ) -> Result<HashMap<ChannelOf, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys.iter().map(|k| (k.0, k.1))) {
            let records = self.channels.get_many_in(tenant, &ids).await?;
            found.extend(records.into_iter().map(|r| (ChannelOf(tenant, r.id), r)));
        }
        Ok(found)
    }
}

impl Loader<ContactOf> for Related {
    type Value = ContactRecord;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[ContactOf],
    ) -> Result<HashMap<ContactOf, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys.iter().map(|k| (k.0, k.1))) {
            let records = self.conversations.contacts_in(tenant, &ids).await?;
            found.extend(records.into_iter().map(|r| (ContactOf(tenant, r.id), r)));
        }
        Ok(found)
    }
}

impl Loader<ConversationOf> for Related {
    type Value = ConversationRecord;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[ConversationOf],
    ) -> Result<HashMap<ConversationOf, Self::Value>, Self::Error> {
        let mut groups: HashMap<(TenantId, &Visibility), Vec<ConversationId>> = HashMap::new();
        for key in keys {
            groups.entry((key.0, &key.1)).or_default().push(key.2);
        }
        let mut found = HashMap::new();
        for ((tenant, visibility), ids) in groups {
            let records = self
                .conversations
                .conversations_in(tenant, visibility, &ids)
                .await?;
            found.extend(
                records
                    .into_iter()
                    .map(|r| (ConversationOf(tenant, visibility.clone(), r.id), r)),
            );
        }
        Ok(found)
    }
}

impl Loader<LastMessageOf> for Related {
    type Value = MessageRecord;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[LastMessageOf],
    ) -> Result<HashMap<LastMessageOf, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys.iter().map(|k| (k.0, k.1))) {
            let last = self.history.last_messages(tenant, &ids).await?;
            found.extend(
                last.into_iter()
                    .map(|(id, message)| (LastMessageOf(tenant, id), message)),
            );
        }
        Ok(found)
    }
}

/// The tenant's channel `id`, batched with the rest of the request's.
pub async fn channel(
    ctx: &Context<'_>,
    tenant: TenantId,
    id: ChannelId,
) -> GqlResult<ChannelRecord> {
    ctx.data_unchecked::<DataLoader<Related>>()
        .load_one(ChannelOf(tenant, id))
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// The tenant's contact `id`, batched with the rest of the request's.
pub async fn contact(
    ctx: &Context<'_>,
    tenant: TenantId,
    id: ContactId,
) -> GqlResult<ContactRecord> {
    ctx.data_unchecked::<DataLoader<Related>>()
        .load_one(ContactOf(tenant, id))
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// The tenant's conversation `id` when the caller sees it, batched with the rest of the
/// request's.
pub async fn conversation(
    ctx: &Context<'_>,
    tenant: TenantId,
    id: ConversationId,
) -> GqlResult<ConversationRecord> {
    let visibility = super::guards::visibility(ctx).await?;
    ctx.data_unchecked::<DataLoader<Related>>()
        .load_one(ConversationOf(tenant, visibility, id))
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// The newest message of the tenant's conversation `id`, batched with the rest of the
/// request's.
pub async fn last_message(
    ctx: &Context<'_>,
    tenant: TenantId,
    id: ConversationId,
) -> GqlResult<Option<MessageRecord>> {
    ctx.data_unchecked::<DataLoader<Related>>()
        .load_one(LastMessageOf(tenant, id))
        .await
}
