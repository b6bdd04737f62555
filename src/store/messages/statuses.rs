//! A message's status timeline: applying provider and send statuses (forward only),
//! statuses kept for messages not recorded yet, and the step a manual retry adds.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::Messages;
use crate::domain::message_status::{lifecycle_order, TimelineStep};
use crate::domain::records::message::{MessageRecord, StatusRecord};
use crate::domain::{ChannelId, MessageId, MessageStatus};
use crate::store::entities::{message, message_status, pending_status};
use crate::store::StoreError;

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

impl<C: ConnectionTrait> Messages<'_, C> {
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
            crate::store::contacts::Contacts::new(self.db, self.tenant)
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
        self.apply_kept_statuses(current, provider_id, now).await
    }

    /// Applies, in their order, the statuses kept for `provider_id` (the message's id at
    /// the provider) before the message was known; answers the message as it then stands.
    pub(super) async fn apply_kept_statuses(
        &self,
        mut current: MessageRecord,
        provider_id: &str,
        now: DateTime<Utc>,
    ) -> Result<MessageRecord, StoreError> {
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
