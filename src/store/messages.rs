//! A tenant's messages, their status timeline, early statuses and attachments.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IdenStatic,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::entities::{attachment, message, message_status, pending_status};
use super::StoreError;
use crate::domain::message_status::{lifecycle_order, TimelineStep};
use crate::domain::records::message::{
    AttachmentOrigin, AttachmentRecord, AttachmentState, MessageFilter, MessageOrder,
    MessageRecord, Part, StatusRecord,
};
use crate::domain::{AttachmentId, ChannelId, MessageId, MessageStatus, TenantId};
use crate::domain::{Page, PageRequest};

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

/// The provider word of a manual retry's timeline step, before its time: each retry is
/// its own step.
const RETRY_STEP: &str = "retry@";

/// A timeline, given in the order it was recorded, in the order it happened.
fn in_lifecycle_order(steps: Vec<(StatusRecord, TimelineStep)>) -> Vec<StatusRecord> {
    let keys: Vec<TimelineStep> = steps.iter().map(|(_, key)| *key).collect();
    let mut slots: Vec<Option<StatusRecord>> =
        steps.into_iter().map(|(step, _)| Some(step)).collect();
    lifecycle_order(&keys)
        .into_iter()
        .filter_map(|i| slots[i].take())
        .collect()
}

/// How a fetch attempt ended.
pub enum FetchOutcome {
    Ready {
        content_type: String,
        size_bytes: i64,
        storage_key: String,
    },
    /// Try again at this time.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    Failed {
        error: String,
    },
}

impl From<attachment::Model> for AttachmentRecord {
    fn from(row: attachment::Model) -> Self {
        Self {
            id: row.id.into(),
            message: row.message_id.into(),
            position: row.position,
            reference: row.reference,
            content_type: row.content_type,
            filename: row.filename,
            // A word this version does not know reads as still to come, never as ready.
            state: parse_attachment_state(&row.state).unwrap_or(AttachmentState::Pending),
            size_bytes: row.size_bytes,
            attempts: row.attempts,
            last_error: row.last_error,
            storage_key: row.storage_key,
            // Rows written before origins were recorded are all fetched.
            origin: row.origin.parse().unwrap_or(AttachmentOrigin::Fetched),
        }
    }
}

/// The stored word for an attachment's state.
pub(crate) fn attachment_state_str(state: AttachmentState) -> &'static str {
    match state {
        AttachmentState::Pending => "PENDING",
        AttachmentState::Ready => "READY",
        AttachmentState::Failed => "FAILED",
    }
}

/// An attachment's state from its stored word.
fn parse_attachment_state(word: &str) -> Option<AttachmentState> {
    Some(match word {
        "PENDING" => AttachmentState::Pending,
        "READY" => AttachmentState::Ready,
        "FAILED" => AttachmentState::Failed,
        _ => return None,
    })
}

/// An attachment to record with a new message.
pub struct NewAttachment {
    pub reference: String,
    pub content_type: Option<String>,
    pub filename: Option<String>,
    pub sha256: Option<String>,
    /// `PENDING`, or `FAILED` with a reason when inbound media is off for the channel;
    /// `READY` for media we sent.
    pub state: AttachmentState,
    pub last_error: Option<String>,
    pub origin: AttachmentOrigin,
    /// The file, already in the media store: its storage key and size.
    pub stored: Option<(String, i64)>,
}

/// How far a message's `created_at` may lie from the time in its UUIDv7 id. Both are taken
/// in the same call when a message is stored; the slack only keeps the id bound safe.
const ID_CLOCK_SLACK: chrono::Duration = chrono::Duration::minutes(1);

/// The smallest UUIDv7 of the millisecond `at`: every id minted at or after `at` sorts at
/// or above it, bytewise, as both databases compare uuids.
fn id_floor(at: DateTime<Utc>) -> uuid::Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    uuid::Uuid::from_bytes(bytes)
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

    /// Inserts a message with its attachments, and applies the statuses kept for its
    /// provider id; answers the message as it then stands.
    pub async fn insert(
        &self,
        record: &MessageRecord,
        attachments: &[NewAttachment],
        now: DateTime<Utc>,
    ) -> Result<MessageRecord, StoreError> {
        message::Entity::insert(message::ActiveModel {
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
        })
        .exec_without_returning(self.db)
        .await?;
        for (position, a) in attachments.iter().enumerate() {
            attachment::Entity::insert(attachment::ActiveModel {
                tenant_id: Set(self.tenant.into()),
                id: Set(AttachmentId::new().into()),
                message_id: Set(record.id.into()),
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
            .exec_without_returning(self.db)
            .await?;
        }
        // Statuses that arrived before the message was known apply now, in their order.
        let mut current = record.clone();
        if let Some(provider_id) = &record.provider_message_id {
            for step in self
                .take_pending_statuses(record.channel, provider_id)
                .await?
            {
                if let Some(updated) = self.apply_status(&current, &step, now).await? {
                    current = updated;
                }
            }
        }
        Ok(current)
    }

    /// Adds a step to the timeline (each provider status once) and moves the status
    /// forward. Answers the updated record when anything changed.
    pub async fn apply_status(
        &self,
        record: &MessageRecord,
        step: &StatusRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<MessageRecord>, StoreError> {
        let inserted = message_status::Entity::insert(message_status::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(uuid::Uuid::now_v7()),
            message_id: Set(record.id.into()),
            status: Set(step.status.as_str().to_owned()),
            raw_status: Set(step.raw_status.clone()),
            error_code: Set(step.error_code.clone()),
            error_message: Set(step.error_message.clone()),
            occurred_at: Set(step.occurred_at),
            recorded_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                message_status::Column::TenantId,
                message_status::Column::MessageId,
                message_status::Column::RawStatus,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(self.db)
        .await?;
        if inserted == 0 {
            return Ok(None);
        }
        if step.marketing_opt_out {
            super::contacts::Contacts::new(self.db, self.tenant)
                .stop_marketing(record.contact, step.occurred_at)
                .await?;
        }
        self.advance(record, step, now).await
    }

    /// Moves the status forward by `step`, without a timeline entry.
    async fn advance(
        &self,
        record: &MessageRecord,
        step: &StatusRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<MessageRecord>, StoreError> {
        // Compare-and-set on the status read, so concurrent statuses (several instances on
        // PostgreSQL) never move it backwards: a lost race reads again and recomputes.
        let mut current = record.clone();
        loop {
            let next = current.status.advance(step.status);
            let mut updated = current.clone();
            updated.revision = uuid::Uuid::now_v7();
            updated.updated_at = now;
            let mut update = message::Entity::update_many()
                .col_expr(message::Column::Revision, Expr::value(updated.revision))
                .col_expr(message::Column::UpdatedAt, Expr::value(now))
                .filter(message::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(message::Column::Id.eq(current.id.into_uuid()))
                .filter(message::Column::Status.eq(current.status.as_str()));
            if next != current.status {
                update = update.col_expr(message::Column::Status, Expr::value(next.as_str()));
                updated.status = next;
                if next == MessageStatus::Failed {
                    update = update
                        .col_expr(
                            message::Column::ErrorCode,
                            Expr::value(step.error_code.clone()),
                        )
                        .col_expr(
                            message::Column::ErrorMessage,
                            Expr::value(step.error_message.clone()),
                        );
                    updated.error_code = step.error_code.clone();
                    updated.error_message = step.error_message.clone();
                }
            }
            if update.exec(self.db).await?.rows_affected == 1 {
                return Ok(Some(updated));
            }
            current = self.get(current.id).await?;
        }
    }

    /// Keeps a status whose message is not known yet.
    pub async fn keep_pending_status(
        &self,
        channel: ChannelId,
        provider_id: &str,
        step: &StatusRecord,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        pending_status::Entity::insert(pending_status::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(uuid::Uuid::now_v7()),
            channel_id: Set(channel.into()),
            provider_message_id: Set(provider_id.to_owned()),
            status: Set(step.status.as_str().to_owned()),
            raw_status: Set(step.raw_status.clone()),
            error_code: Set(step.error_code.clone()),
            error_message: Set(step.error_message.clone()),
            occurred_at: Set(step.occurred_at),
            marketing_opt_out: Set(step.marketing_opt_out),
            recorded_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                pending_status::Column::TenantId,
                pending_status::Column::ChannelId,
                pending_status::Column::ProviderMessageId,
                pending_status::Column::RawStatus,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Takes the statuses kept for a provider id, oldest first, removing them.
    pub async fn take_pending_statuses(
        &self,
        channel: ChannelId,
        provider_id: &str,
    ) -> Result<Vec<StatusRecord>, StoreError> {
        let rows = pending_status::Entity::find()
            .filter(pending_status::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(pending_status::Column::ChannelId.eq(channel.into_uuid()))
            .filter(pending_status::Column::ProviderMessageId.eq(provider_id))
            .order_by_asc(pending_status::Column::OccurredAt)
            .all(self.db)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        pending_status::Entity::delete_many()
            .filter(pending_status::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(pending_status::Column::ChannelId.eq(channel.into_uuid()))
            .filter(pending_status::Column::ProviderMessageId.eq(provider_id))
            .exec(self.db)
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StatusRecord {
                    status: r.status.parse().map_err(StoreError::Corrupt)?,
                    raw_status: r.raw_status,
                    error_code: r.error_code,
                    error_message: r.error_message,
                    occurred_at: r.occurred_at,
                    marketing_opt_out: r.marketing_opt_out,
                })
            })
            .collect()
    }

    pub async fn timeline(&self, id: MessageId) -> Result<Vec<StatusRecord>, StoreError> {
        Ok(self.timelines(&[id]).await?.remove(&id).unwrap_or_default())
    }

    /// The timelines of several messages in one query (a history page).
    pub async fn timelines(
        &self,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Vec<StatusRecord>>, StoreError> {
        let mut timelines: HashMap<MessageId, Vec<(StatusRecord, TimelineStep)>> = HashMap::new();
        let rows = message_status::Entity::find()
            .filter(message_status::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(message_status::Column::MessageId.is_in(ids.iter().map(|id| id.into_uuid())))
            .order_by_asc(message_status::Column::RecordedAt)
            .order_by_asc(message_status::Column::Id)
            .all(self.db)
            .await?;
        for r in rows {
            let status: MessageStatus = r.status.parse().map_err(StoreError::Corrupt)?;
            let step = TimelineStep {
                status,
                at: r.occurred_at,
                restarts: status == MessageStatus::Queued && r.raw_status.starts_with(RETRY_STEP),
                // Our own steps are stamped with the time they are recorded at.
                ours: r.occurred_at == r.recorded_at,
            };
            timelines.entry(r.message_id.into()).or_default().push((
                StatusRecord {
                    status,
                    raw_status: r.raw_status,
                    error_code: r.error_code,
                    error_message: r.error_message,
                    occurred_at: r.occurred_at,
                    marketing_opt_out: false,
                },
                step,
            ));
        }
        Ok(timelines
            .into_iter()
            .map(|(id, steps)| (id, in_lifecycle_order(steps)))
            .collect())
    }

    pub async fn attachments(&self, id: MessageId) -> Result<Vec<AttachmentRecord>, StoreError> {
        Ok(attachment::Entity::find()
            .filter(attachment::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(attachment::Column::MessageId.eq(id.into_uuid()))
            .order_by_asc(attachment::Column::Position)
            .all(self.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub async fn list(
        &self,
        filter: &MessageFilter,
        order: MessageOrder,
        page: PageRequest,
    ) -> Result<Page<MessageRecord>, StoreError> {
        let mut query = self.scoped();
        // The narrowest equality filter leads the scan: conversation, contact, channel (with
        // status or direction, whose composite indexes it has), status, direction. PostgreSQL
        // chooses from its statistics; SQLite plans without any and would as soon walk the
        // two-valued `direction` index as a conversation's, so there the wider filters are
        // kept off the indexes with a unary `+`
        // (https://sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_).
        let sqlite = self.db.get_database_backend() == DbBackend::Sqlite;
        let narrow = filter.conversation.is_some() || filter.contact.is_some();
        let eq = |column: message::Column, value: sea_orm::Value, off_index: bool| {
            if sqlite && off_index {
                Expr::expr(Expr::cust(format!("+\"{}\"", column.as_str()))).eq(value)
            } else {
                column.eq(value)
            }
        };
        if let Some(conversation) = filter.conversation {
            query = query.filter(eq(
                message::Column::ConversationId,
                conversation.into_uuid().into(),
                false,
            ));
        }
        if let Some(contact) = filter.contact {
            query = query.filter(eq(
                message::Column::ContactId,
                contact.into_uuid().into(),
                filter.conversation.is_some(),
            ));
        }
        if let Some(channel) = filter.channel {
            query = query.filter(eq(
                message::Column::ChannelId,
                channel.into_uuid().into(),
                narrow,
            ));
        }
        if let Some(status) = filter.status {
            query = query.filter(eq(message::Column::Status, status.as_str().into(), narrow));
        }
        if let Some(direction) = filter.direction {
            query = query.filter(eq(
                message::Column::Direction,
                direction.as_str().into(),
                narrow || (filter.status.is_some() && filter.channel.is_none()),
            ));
        }
        // Ids are UUIDv7 minted with the row's `created_at`, so a date bound is also an id
        // bound (widened by `ID_CLOCK_SLACK`): every history index ends with `id`, and the
        // scan stays inside the range instead of walking from the newest message.
        if let Some(from) = filter.from {
            query = query
                .filter(message::Column::CreatedAt.gte(from))
                .filter(message::Column::Id.gte(id_floor(from - ID_CLOCK_SLACK)));
        }
        if let Some(to) = filter.to {
            query = query
                .filter(message::Column::CreatedAt.lt(to))
                .filter(message::Column::Id.lt(id_floor(to + ID_CLOCK_SLACK)));
        }
        // A contains-search cannot use a b-tree: it is checked on the rows the other filters'
        // index yields, in page order, and the scan stops once the page is full. Without
        // other filters it reads the tenant's history from the newest message until then.
        // `strpos`/`instr` rather than LIKE: no wildcards to escape, and PostgreSQL, which
        // has no statistics for the expression, estimates it as common and keeps the ordered
        // index walk instead of sorting a sequential scan of the whole table.
        if let Some(text) = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let position = Func::cust(Alias::new(if sqlite { "instr" } else { "strpos" }))
                .arg(Func::lower(Expr::col(message::Column::Text)))
                .arg(text.to_lowercase());
            query = query.filter(Expr::expr(position).gt(0));
        }
        query = match order {
            MessageOrder::Newest => {
                let q = query.order_by_desc(message::Column::Id);
                match page.after {
                    Some(after) => q.filter(message::Column::Id.lt(after)),
                    None => q,
                }
            }
            MessageOrder::Changes => {
                let q = query.order_by_asc(message::Column::Revision);
                match page.after {
                    Some(after) => q.filter(message::Column::Revision.gt(after)),
                    None => q,
                }
            }
        };
        let rows = query.limit(page.first + 1).all(self.db).await?;
        let page = Page::from_fetched(rows, page.first);
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(MessageRecord::try_from)
                .collect::<Result<_, _>>()?,
            has_next: page.has_next,
        })
    }

    pub async fn attachment(&self, id: AttachmentId) -> Result<AttachmentRecord, StoreError> {
        Ok(attachment::Entity::find()
            .filter(attachment::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(attachment::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .into())
    }

    /// Records one fetch attempt's outcome.
    pub async fn finish_attachment(
        &self,
        id: AttachmentId,
        outcome: FetchOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut update = attachment::Entity::update_many()
            .col_expr(
                attachment::Column::Attempts,
                Expr::col(attachment::Column::Attempts).add(1),
            )
            .col_expr(attachment::Column::UpdatedAt, Expr::value(now))
            .filter(attachment::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(attachment::Column::Id.eq(id.into_uuid()));
        update = match outcome {
            FetchOutcome::Ready {
                content_type,
                size_bytes,
                storage_key,
            } => update
                .col_expr(
                    attachment::Column::State,
                    Expr::value(attachment_state_str(AttachmentState::Ready)),
                )
                .col_expr(
                    attachment::Column::ContentType,
                    Expr::value(Some(content_type)),
                )
                .col_expr(attachment::Column::SizeBytes, Expr::value(Some(size_bytes)))
                .col_expr(
                    attachment::Column::StorageKey,
                    Expr::value(Some(storage_key)),
                )
                .col_expr(
                    attachment::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    attachment::Column::NextAttemptAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                ),
            FetchOutcome::Retry { error, at } => update
                .col_expr(attachment::Column::LastError, Expr::value(Some(error)))
                .col_expr(attachment::Column::NextAttemptAt, Expr::value(Some(at))),
            FetchOutcome::Failed { error } => update
                .col_expr(
                    attachment::Column::State,
                    Expr::value(attachment_state_str(AttachmentState::Failed)),
                )
                .col_expr(attachment::Column::LastError, Expr::value(Some(error)))
                .col_expr(
                    attachment::Column::NextAttemptAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                ),
        };
        update.exec(self.db).await?;
        Ok(())
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

    /// Records the provider's id of a sent message as soon as it is known, moves it to SENT
    /// (unless a status callback that raced the answer already moved it further), and applies
    /// statuses kept for that id.
    pub async fn record_sent(
        &self,
        id: MessageId,
        provider_id: &str,
        raw_status: &str,
        now: DateTime<Utc>,
    ) -> Result<MessageRecord, StoreError> {
        self.attach_provider_id(id, provider_id).await?;
        let mut current = self.get(id).await?;
        let step = StatusRecord {
            status: MessageStatus::Sent,
            raw_status: raw_status.to_owned(),
            error_code: None,
            error_message: None,
            occurred_at: now,
            marketing_opt_out: false,
        };
        let updated = match self.apply_status(&current, &step, now).await? {
            Some(updated) => Some(updated),
            // A status callback that raced the answer already used the provider's word for
            // the send (Twilio's "queued") in the timeline, which keeps each word once. The
            // answer still moves the message on: left QUEUED beside a SENT attempt, it would
            // look unsent to a worker that takes its job over, and be sent again.
            None if current.status == MessageStatus::Queued => {
                self.advance(&current, &step, now).await?
            }
            None => None,
        };
        if let Some(updated) = updated {
            current = updated;
        }
        for step in self
            .take_pending_statuses(current.channel, provider_id)
            .await?
        {
            if let Some(updated) = self.apply_status(&current, &step, now).await? {
                current = updated;
            }
        }
        Ok(current)
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

    /// Puts a FAILED outbound message back to QUEUED for a manual retry, noting it in the
    /// timeline.
    pub async fn reset_for_retry(
        &self,
        record: &MessageRecord,
        now: DateTime<Utc>,
    ) -> Result<MessageRecord, StoreError> {
        let revision = uuid::Uuid::now_v7();
        message::Entity::update_many()
            .col_expr(
                message::Column::Status,
                Expr::value(MessageStatus::Queued.as_str()),
            )
            .col_expr(
                message::Column::ErrorCode,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                message::Column::ErrorMessage,
                Expr::value(Option::<String>::None),
            )
            .col_expr(message::Column::Revision, Expr::value(revision))
            .col_expr(message::Column::UpdatedAt, Expr::value(now))
            .filter(message::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(message::Column::Id.eq(record.id.into_uuid()))
            .exec(self.db)
            .await?;
        message_status::Entity::insert(message_status::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(uuid::Uuid::now_v7()),
            message_id: Set(record.id.into()),
            status: Set(MessageStatus::Queued.as_str().to_owned()),
            raw_status: Set(format!("{RETRY_STEP}{}", now.timestamp_millis())),
            error_code: Set(None),
            error_message: Set(None),
            occurred_at: Set(now),
            recorded_at: Set(now),
        })
        .exec_without_returning(self.db)
        .await?;
        self.get(record.id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_floor_sorts_below_every_id_of_its_millisecond_and_above_earlier_ones() {
        let id = uuid::Uuid::now_v7();
        let (secs, nanos) = id.get_timestamp().unwrap().to_unix();
        let at = DateTime::<Utc>::from_timestamp(secs as i64, nanos).unwrap();
        assert!(id_floor(at) <= id);
        assert!(id_floor(at + chrono::Duration::milliseconds(1)) > id);
        assert!(id_floor(at - chrono::Duration::milliseconds(1)) < id);
    }
}
