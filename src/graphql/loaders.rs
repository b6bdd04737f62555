//! Batch loaders for what every message of a page asks for: a page of 100 messages with
//! `statusHistory` and `attempts` reads each in one query per tenant, not one per message.
//! A page of conversations with their `labels`, or their `unreadCount`, reads them in one
//! query the same way.
//! The loaders keep no cache, so they are safe to share across requests.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use super::errors::GqlError;
use crate::domain::records::AttemptRecord;
use crate::domain::records::LabelRecord;
use crate::domain::records::StatusRecord;
use crate::domain::{ConversationId, MessageId, TenantId};
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
