//! A tenant's messages: finding, locking and recording them. Their status timeline
//! (`statuses`), attachments (`attachments`) and history pages (`list`) are in files of
//! their own, each adding to [`Messages`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Order, Query, SimpleExpr, SubQueryStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::entities::{attachment, conversation, message};
use super::StoreError;
use crate::domain::records::message::{AttachmentState, MessageRecord, Part};
use crate::domain::{AttachmentId, ChannelId, ConversationId, MessageId, TenantId, Visibility};

mod attachments;
mod list;
mod search;
mod statuses;

pub(crate) use attachments::attachment_state_str;
pub use attachments::{FetchOutcome, NewAttachment};

impl TryFrom<message::Model> for MessageRecord {
    type Error = StoreError;
    fn try_from(row: message::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id.into(),
            revision: row.revision,
            channel: row.channel_id.into(),
            conversation: row.conversation_id.map(Into::into),
            contact: row.contact_id.into(),
            direction: row.direction.parse().map_err(StoreError::Corrupt)?,
            status: row.status.parse().map_err(StoreError::Corrupt)?,
            provider_message_id: row.provider_message_id,
            content: serde_json::from_str(&row.content)
                .map_err(|e| StoreError::Corrupt(format!("message content: {e}")))?,
            reply_to_provider_id: row.reply_to_provider_id,
            forwarded: row.forwarded,
            referral: row.referral.and_then(|r| serde_json::from_str(&r).ok()),
            idempotency_key: row.idempotency_key,
            error_code: row.error_code,
            error_message: row.error_message,
            part: Part {
                first: row.split_of.map(Into::into),
                number: row.part_number,
                count: row.part_count,
            },
            sent_at: row.sent_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

pub struct Messages<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Messages<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<message::Entity> {
        message::Entity::find().filter(message::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    pub async fn get(&self, id: MessageId) -> Result<MessageRecord, StoreError> {
        self.scoped()
            .filter(message::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    /// As [`Self::get`], for a caller who sees only some conversations: a message of one
    /// they may not see is `NotFound`, as another tenant's is.
    pub async fn get_visible(
        &self,
        visibility: &Visibility,
        id: MessageId,
    ) -> Result<MessageRecord, StoreError> {
        let mut query = self.scoped().filter(message::Column::Id.eq(id.into_uuid()));
        if let Some(seen) = crate::store::visibility::messages(self.tenant, visibility, false) {
            query = query.filter(seen);
        }
        query
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    /// As [`Self::get`], taking the message's row lock on PostgreSQL until the transaction
    /// ends (SQLite's single writer already serialises a write transaction), so a status
    /// change from elsewhere waits for the caller's decision.
    pub async fn lock(&self, id: MessageId) -> Result<MessageRecord, StoreError> {
        super::for_update(
            self.scoped().filter(message::Column::Id.eq(id.into_uuid())),
            self.db,
        )
        .one(self.db)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
    }

    /// Every part of the text `record` belongs to, in order (just `record` when it was
    /// sent whole).
    pub async fn parts(&self, record: &MessageRecord) -> Result<Vec<MessageRecord>, StoreError> {
        if record.part.count <= 1 {
            return Ok(vec![record.clone()]);
        }
        let first = record.part.first.unwrap_or(record.id).into_uuid();
        self.scoped()
            .filter(
                sea_orm::Condition::any()
                    .add(message::Column::Id.eq(first))
                    .add(message::Column::SplitOf.eq(first)),
            )
            .order_by_asc(message::Column::PartNumber)
            .all(self.db)
            .await?
            .into_iter()
            .map(MessageRecord::try_from)
            .collect()
    }

    pub async fn find_by_provider_id(
        &self,
        channel: ChannelId,
        provider_id: &str,
    ) -> Result<Option<MessageRecord>, StoreError> {
        self.scoped()
            .filter(message::Column::ChannelId.eq(channel.into_uuid()))
            .filter(message::Column::ProviderMessageId.eq(provider_id))
            .one(self.db)
            .await?
            .map(MessageRecord::try_from)
            .transpose()
    }

    /// Which of `wanted` (channel and provider id) are stored already, in one query.
    pub async fn stored_provider_ids(
        &self,
        wanted: &[(ChannelId, String)],
    ) -> Result<std::collections::HashSet<(ChannelId, String)>, StoreError> {
        let mut stored = std::collections::HashSet::new();
        for chunk in wanted.chunks(500) {
            let channels: std::collections::BTreeSet<uuid::Uuid> =
                chunk.iter().map(|(c, _)| c.into_uuid()).collect();
            let rows: Vec<(uuid::Uuid, Option<String>)> = message::Entity::find()
                .select_only()
                .column(message::Column::ChannelId)
                .column(message::Column::ProviderMessageId)
                .filter(message::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(message::Column::ChannelId.is_in(channels))
                .filter(
                    message::Column::ProviderMessageId.is_in(chunk.iter().map(|(_, p)| p.clone())),
                )
                .into_tuple()
                .all(self.db)
                .await?;
            stored.extend(
                rows.into_iter()
                    .filter_map(|(c, p)| Some((ChannelId::from(c), p?)))
                    .filter(|key| chunk.contains(key)),
            );
        }
        Ok(stored)
    }

    /// Inserts a message with its attachments, and applies the statuses kept for its
    /// provider id; answers the message as it then stands.
    pub async fn insert(
        &self,
        record: &MessageRecord,
        attachments: &[NewAttachment],
        now: DateTime<Utc>,
    ) -> Result<MessageRecord, StoreError> {
        message::Entity::insert(self.row(record))
            .exec_without_returning(self.db)
            .await?;
        if !attachments.is_empty() {
            attachment::Entity::insert_many(self.attachment_rows(record.id, attachments, now))
                .exec_without_returning(self.db)
                .await?;
        }
        // Statuses that arrived before the message was known apply now, in their order.
        // Providers report statuses of the business's own messages only.
        let outbound = record.direction == crate::domain::Direction::Outbound;
        match record.provider_message_id.as_deref().filter(|_| outbound) {
            Some(provider_id) => {
                self.apply_kept_statuses(record.clone(), provider_id, now)
                    .await
            }
            None => Ok(record.clone()),
        }
    }

    /// Inserts customers' messages with their attachments, a few statements for hundreds:
    /// no statuses are ever kept for them (providers report the business's messages only).
    pub async fn insert_inbound_many(
        &self,
        messages: &[(MessageRecord, Vec<NewAttachment>)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for chunk in messages.chunks(500) {
            message::Entity::insert_many(chunk.iter().map(|(record, _)| self.row(record)))
                .exec_without_returning(self.db)
                .await?;
        }
        let attachments: Vec<attachment::ActiveModel> = messages
            .iter()
            .flat_map(|(record, attachments)| self.attachment_rows(record.id, attachments, now))
            .collect();
        for chunk in attachments.chunks(500) {
            attachment::Entity::insert_many(chunk.iter().cloned())
                .exec_without_returning(self.db)
                .await?;
        }
        Ok(())
    }

    fn row(&self, record: &MessageRecord) -> message::ActiveModel {
        message::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(record.id.into()),
            revision: Set(record.revision),
            channel_id: Set(record.channel.into()),
            conversation_id: Set(record.conversation.map(Into::into)),
            contact_id: Set(record.contact.into()),
            direction: Set(record.direction.as_str().to_owned()),
            status: Set(record.status.as_str().to_owned()),
            provider_message_id: Set(record.provider_message_id.clone()),
            kind: Set(record.content.kind().to_owned()),
            content: Set(serde_json::to_string(&record.content).expect("content serialises")),
            text: Set(record.content.text().map(str::to_owned)),
            reply_to_provider_id: Set(record.reply_to_provider_id.clone()),
            forwarded: Set(record.forwarded),
            referral: Set(record
                .referral
                .as_ref()
                .map(|r| serde_json::to_string(r).expect("referral serialises"))),
            error_code: Set(record.error_code.clone()),
            error_message: Set(record.error_message.clone()),
            sent_at: Set(record.sent_at),
            idempotency_key: Set(record.idempotency_key.clone()),
            split_of: Set(record.part.first.map(Into::into)),
            part_number: Set(record.part.number),
            part_count: Set(record.part.count),
            created_at: Set(record.created_at),
            updated_at: Set(record.updated_at),
        }
    }

    fn attachment_rows(
        &self,
        message: MessageId,
        attachments: &[NewAttachment],
        now: DateTime<Utc>,
    ) -> Vec<attachment::ActiveModel> {
        attachments
            .iter()
            .enumerate()
            .map(|(position, a)| attachment::ActiveModel {
                tenant_id: Set(self.tenant.into()),
                id: Set(AttachmentId::new().into()),
                message_id: Set(message.into()),
                position: Set(position as i32),
                reference: Set(a.reference.clone()),
                content_type: Set(a.content_type.clone()),
                filename: Set(a.filename.clone()),
                sha256: Set(a.sha256.clone()),
                state: Set(attachment_state_str(a.state).to_owned()),
                origin: Set(a.origin.as_str().to_owned()),
                size_bytes: Set(a.stored.as_ref().map(|(_, size)| *size)),
                storage_key: Set(a.stored.as_ref().map(|(key, _)| key.clone())),
                attempts: Set(0),
                last_error: Set(a.last_error.clone()),
                next_attempt_at: Set((a.state == AttachmentState::Pending).then_some(now)),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect()
    }

    /// Records the provider's id of a message that has none yet (a status found it by our
    /// correlation id before the send answered, or instead of an answer that was lost).
    pub async fn attach_provider_id(
        &self,
        id: MessageId,
        provider_id: &str,
    ) -> Result<(), StoreError> {
        message::Entity::update_many()
            .col_expr(
                message::Column::ProviderMessageId,
                Expr::value(Some(provider_id.to_owned())),
            )
            .filter(message::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(message::Column::Id.eq(id.into_uuid()))
            .filter(message::Column::ProviderMessageId.is_null())
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// The newest message of each of `conversations`, for those that have one, in one query:
    /// a correlated subquery per conversation, each an index probe of
    /// `messages_by_conversation` from its newest end.
    pub async fn last_of(
        &self,
        conversations: &[ConversationId],
    ) -> Result<HashMap<ConversationId, MessageRecord>, StoreError> {
        let (m, c) = (Alias::new("m"), Alias::new("c"));
        let newest = Query::select()
            .column((m.clone(), message::Column::Id))
            .from_as(message::Entity, m.clone())
            .and_where(
                Expr::col((m.clone(), message::Column::TenantId)).eq(self.tenant.into_uuid()),
            )
            .and_where(
                Expr::col((m.clone(), message::Column::ConversationId))
                    .equals((c.clone(), conversation::Column::Id)),
            )
            .order_by((m, message::Column::Id), Order::Desc)
            .limit(1)
            .to_owned();
        let ids = Query::select()
            .expr(SimpleExpr::SubQuery(
                None,
                Box::new(SubQueryStatement::SelectStatement(newest)),
            ))
            .from_as(conversation::Entity, c.clone())
            .and_where(
                Expr::col((c.clone(), conversation::Column::TenantId)).eq(self.tenant.into_uuid()),
            )
            .and_where(
                Expr::col((c, conversation::Column::Id))
                    .is_in(conversations.iter().map(|id| id.into_uuid())),
            )
            .to_owned();
        let mut found = HashMap::new();
        for row in self
            .scoped()
            .filter(message::Column::Id.in_subquery(ids))
            .all(self.db)
            .await?
        {
            let record = MessageRecord::try_from(row)?;
            if let Some(conversation) = record.conversation {
                found.insert(conversation, record);
            }
        }
        Ok(found)
    }

    /// Finds the message a caller sent with this idempotency key.
    pub async fn find_by_idempotency_key(
        &self,
        key: &str,
    ) -> Result<Option<MessageRecord>, StoreError> {
        self.scoped()
            .filter(message::Column::IdempotencyKey.eq(key))
            .one(self.db)
            .await?
            .map(MessageRecord::try_from)
            .transpose()
    }
}
