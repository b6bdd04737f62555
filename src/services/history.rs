//! Message history: pages of messages and the change feed, a message's parts, status
//! timeline, delivery attempts and attachments (with short-lived links to their files).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::free_text::{self, Lines};
use crate::domain::records::AttemptRecord;
use crate::domain::records::{
    AttachmentOrigin, AttachmentRecord, AttachmentState, MessageFilter, MessageOrder,
    MessageRecord, StatusRecord,
};
use crate::domain::stats::Volume;
use crate::domain::{ChannelId, ConversationId, MessageId, PublicUrls, TenantId, Visibility};
use crate::domain::{Page, PageRequest};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::services::media::MediaLinks;
use crate::store::Store;

/// The most buckets one volume request may ask for (a day by the minute).
pub const VOLUME_BUCKETS_MAX: i64 = 1440;

/// How long a link to an attachment's file stays valid.
const LINK_LIFETIME: chrono::Duration = chrono::Duration::minutes(15);

/// An attachment, with where its file can be fetched when there is one.
pub struct Attachment {
    pub record: AttachmentRecord,
    /// A link to the file: the sender's own URL for a linked file, a signed link to
    /// `/media/{id}` for a stored one that is ready, none otherwise.
    pub url: Option<String>,
}

#[derive(Clone)]
pub struct HistoryService {
    store: Store,
    urls: PublicUrls,
    links: MediaLinks,
}

/// Changes read from the event log at a time by the change feed, and the windows read for
/// a page once it has some messages.
const CHANGE_WINDOW: u64 = 500;
const CHANGE_WINDOWS: usize = 20;

impl HistoryService {
    pub fn new(store: Store, urls: PublicUrls, links: MediaLinks) -> Self {
        Self { store, urls, links }
    }

    /// Checks a filter's text; another tenant's channel, contact or conversation in it
    /// answers NOT_FOUND, as any of its ids does, rather than an empty page; so does a
    /// conversation `visibility` does not see.
    pub async fn check_filter(
        &self,
        access: &Access<Agent>,
        visibility: &Visibility,
        filter: &MessageFilter,
    ) -> Result<(), AppError> {
        if let Some(text) = &filter.text {
            free_text::check(text, free_text::SEARCH_MAX, Lines::One)
                .map_err(|e| AppError::bad_input("filter.text", e))?;
        }
        let scope = self.store.tenant(access.tenant());
        if let Some(id) = filter.channel {
            scope.channels().get(id).await?;
        }
        if let Some(id) = filter.contact {
            scope.contacts().get(id).await?;
        }
        if let Some(id) = filter.conversation {
            super::visibility::conversation(&scope, visibility, id).await?;
        }
        Ok(())
    }

    /// A page of a tenant's messages, in history or change order: only those of
    /// conversations `visibility` sees.
    pub async fn messages(
        &self,
        tenant: TenantId,
        visibility: &Visibility,
        filter: &MessageFilter,
        order: MessageOrder,
        page: PageRequest,
    ) -> Result<Page<MessageRecord>, AppError> {
        Ok(self
            .store
            .tenant(tenant)
            .messages()
            .list(visibility, filter, order, page)
            .await?)
    }

    /// The change feed: the messages `visibility` sees under `filter` that were created or
    /// changed after the event log position `after`, each once at its latest change, oldest
    /// change first, with that change's position. A cursor older than the log keeps
    /// answers BAD_USER_INPUT.
    pub async fn changes(
        &self,
        tenant: TenantId,
        visibility: &Visibility,
        filter: &MessageFilter,
        after: i64,
        first: u64,
    ) -> Result<Page<(i64, MessageRecord)>, AppError> {
        let log = self.store.event_log();
        if after < log.horizon().await? {
            return Err(AppError::bad_input(
                "after",
                "is older than the event log keeps; read the history without it",
            ));
        }
        let scope = self.store.tenant(tenant);
        let mut items = Vec::new();
        let mut position = after;
        // Changes the filter drops are skipped a window at a time; a page that has some
        // messages ends early (with more to come) rather than scan on without bound.
        let mut windows = 0;
        while items.is_empty() || windows < CHANGE_WINDOWS {
            windows += 1;
            let changes = log.message_changes(tenant, position, CHANGE_WINDOW).await?;
            let exhausted = (changes.len() as u64) < CHANGE_WINDOW;
            let only = MessageFilter {
                only: Some(changes.iter().map(|(_, id)| *id).collect()),
                ..filter.clone()
            };
            let found = scope
                .messages()
                .list(
                    visibility,
                    &only,
                    MessageOrder::Newest,
                    PageRequest {
                        first: CHANGE_WINDOW,
                        after: None,
                    },
                )
                .await?;
            let mut by_id: std::collections::HashMap<_, _> =
                found.items.into_iter().map(|m| (m.id, m)).collect();
            for (seq, id) in changes {
                position = seq;
                if let Some(message) = by_id.remove(&id) {
                    items.push((seq, message));
                    if items.len() as u64 > first {
                        items.pop();
                        return Ok(Page {
                            items,
                            has_next: true,
                        });
                    }
                }
            }
            if exhausted {
                return Ok(Page {
                    items,
                    has_next: false,
                });
            }
        }
        Ok(Page {
            has_next: true,
            items,
        })
    }

    /// A message, when `visibility` sees its conversation.
    pub async fn message(
        &self,
        tenant: TenantId,
        visibility: &Visibility,
        id: MessageId,
    ) -> Result<MessageRecord, AppError> {
        super::visibility::message(&self.store.tenant(tenant), visibility, id).await
    }

    /// The newest message of each of the tenant's conversations `ids` that has one, in one
    /// read. Callers pass conversations the caller sees, so their messages are seen too.
    pub async fn last_messages(
        &self,
        tenant: TenantId,
        ids: &[ConversationId],
    ) -> Result<HashMap<ConversationId, MessageRecord>, AppError> {
        Ok(self.store.tenant(tenant).messages().last_of(ids).await?)
    }

    /// Every part of the text `message` belongs to, in order (just it when it went whole).
    pub async fn parts(
        &self,
        tenant: TenantId,
        message: &MessageRecord,
    ) -> Result<Vec<MessageRecord>, AppError> {
        Ok(self.store.tenant(tenant).messages().parts(message).await?)
    }

    /// The status timelines of messages of one tenant, in lifecycle order.
    pub async fn timelines(
        &self,
        tenant: TenantId,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Vec<StatusRecord>>, AppError> {
        Ok(self.store.tenant(tenant).messages().timelines(ids).await?)
    }

    /// The delivery attempts of messages of one tenant, in order.
    pub async fn attempts(
        &self,
        tenant: TenantId,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Vec<AttemptRecord>>, AppError> {
        Ok(self.store.tenant(tenant).outbox().attempts_of(ids).await?)
    }

    /// A message's attachments, each with a link to its file when it has one.
    pub async fn attachments(
        &self,
        tenant: TenantId,
        id: MessageId,
    ) -> Result<Vec<Attachment>, AppError> {
        let list = self.store.tenant(tenant).messages().attachments(id).await?;
        let expires = (Utc::now() + LINK_LIFETIME).timestamp();
        Ok(list
            .into_iter()
            .map(|record| {
                let url = match record.origin {
                    AttachmentOrigin::Link => Some(record.reference.clone()),
                    _ => (record.state == AttachmentState::Ready).then(|| {
                        self.urls.media(
                            record.id,
                            &self.links.query(tenant, record.id.into_uuid(), expires),
                        )
                    }),
                };
                Attachment { record, url }
            })
            .collect())
    }

    /// The tenant's messages in `[from, to)` per bucket of `bucket_minutes` (1 to 1440, at
    /// most 1440 buckets), in and out, and where the outbound ones stand: a dashboard's
    /// figures, for owners and admins. Another tenant's channel answers NOT_FOUND.
    pub async fn volume(
        &self,
        access: &Access<Admin>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        channel: Option<ChannelId>,
        bucket_minutes: i64,
    ) -> Result<Volume, AppError> {
        if !(1..=VOLUME_BUCKETS_MAX).contains(&bucket_minutes) {
            return Err(AppError::bad_input(
                "bucketMinutes",
                "must be from 1 to 1440",
            ));
        }
        if to <= from {
            return Err(AppError::bad_input("to", "must be after from"));
        }
        let bucket = TimeDelta::minutes(bucket_minutes);
        let span = (to - from).num_seconds();
        let buckets = (span + bucket.num_seconds() - 1) / bucket.num_seconds();
        if buckets > VOLUME_BUCKETS_MAX {
            return Err(AppError::bad_input(
                "from",
                "the period holds more than 1440 buckets: widen bucketMinutes",
            ));
        }
        let scope = self.store.tenant(access.tenant());
        if let Some(id) = channel {
            scope.channels().get(id).await?;
        }
        let rows = scope
            .stats()
            .volume(from, to, channel, bucket.num_seconds())
            .await?;
        let count = usize::try_from(buckets).unwrap_or(0);
        Ok(Volume::gather(from, bucket, count, rows))
    }
}
