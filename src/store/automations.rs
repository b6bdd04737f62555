//! Automated messages: each queue's settings per kind, what each conversation was sent of
//! them (one row per conversation and kind, the guard that each goes at most once), the
//! conversations a WAITING automation is due for, and (across tenants) the queues whose
//! WAITING automation is enabled.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::{conversation, conversation_automation, queue_automation};
use super::StoreError;
use crate::domain::automation::{Automation, AutomationKind};
use crate::domain::records::ConversationRecord;
use crate::domain::{ConversationId, ConversationStatus, MessageId, QueueId, TenantId};

fn record(row: queue_automation::Model) -> Result<Automation, StoreError> {
    let kind = AutomationKind::parse(&row.kind)
        .ok_or_else(|| StoreError::Corrupt(format!("automation kind {}", row.kind)))?;
    let template_variables = match row.template_variables.as_deref() {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| StoreError::Corrupt(format!("automation variables: {e}")))?,
        None => Vec::new(),
    };
    Ok(Automation {
        queue: row.queue_id.into(),
        kind,
        enabled: row.enabled,
        text: row.text,
        template: row.template_id.map(Into::into),
        template_variables,
        after_minutes: row.after_minutes.and_then(|m| u32::try_from(m).ok()),
        updated_at: Some(row.updated_at),
    })
}

pub struct Automations<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Automations<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    /// The queue's settings of every kind; a kind never configured is disabled.
    pub async fn of_queue(&self, queue: QueueId) -> Result<Vec<Automation>, StoreError> {
        let rows = queue_automation::Entity::find()
            .filter(queue_automation::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue_automation::Column::QueueId.eq(queue.into_uuid()))
            .all(self.db)
            .await?;
        let mut stored = rows
            .into_iter()
            .map(record)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AutomationKind::ALL
            .into_iter()
            .map(|kind| match stored.iter().position(|a| a.kind == kind) {
                Some(i) => stored.swap_remove(i),
                None => Automation::disabled(queue, kind),
            })
            .collect())
    }

    /// The queue's settings of `kind` when enabled.
    pub async fn enabled(
        &self,
        queue: QueueId,
        kind: AutomationKind,
    ) -> Result<Option<Automation>, StoreError> {
        queue_automation::Entity::find()
            .filter(queue_automation::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue_automation::Column::QueueId.eq(queue.into_uuid()))
            .filter(queue_automation::Column::Kind.eq(kind.as_str()))
            .filter(queue_automation::Column::Enabled.eq(true))
            .one(self.db)
            .await?
            .map(record)
            .transpose()
    }

    /// Stores the settings of one kind in place of what was there.
    pub async fn put(&self, automation: &Automation, now: DateTime<Utc>) -> Result<(), StoreError> {
        let variables = (!automation.template_variables.is_empty())
            .then(|| serde_json::to_string(&automation.template_variables))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        queue_automation::Entity::insert(queue_automation::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            queue_id: Set(automation.queue.into()),
            kind: Set(automation.kind.as_str().to_owned()),
            enabled: Set(automation.enabled),
            text: Set(automation.text.clone()),
            template_id: Set(automation.template.map(Into::into)),
            template_variables: Set(variables),
            after_minutes: Set(automation.after_minutes.map(|m| m as i32)),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                queue_automation::Column::TenantId,
                queue_automation::Column::QueueId,
                queue_automation::Column::Kind,
            ])
            .update_columns([
                queue_automation::Column::Enabled,
                queue_automation::Column::Text,
                queue_automation::Column::TemplateId,
                queue_automation::Column::TemplateVariables,
                queue_automation::Column::AfterMinutes,
                queue_automation::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Takes the conversation's one turn of `kind`: false when it was taken before (or is
    /// being taken by a transaction not yet committed, which PostgreSQL waits for).
    pub async fn claim(
        &self,
        conversation: ConversationId,
        kind: AutomationKind,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let inserted =
            conversation_automation::Entity::insert(conversation_automation::ActiveModel {
                tenant_id: Set(self.tenant.into()),
                conversation_id: Set(conversation.into()),
                kind: Set(kind.as_str().to_owned()),
                message_id: Set(None),
                skipped_reason: Set(None),
                created_at: Set(now),
            })
            .on_conflict(
                OnConflict::columns([
                    conversation_automation::Column::TenantId,
                    conversation_automation::Column::ConversationId,
                    conversation_automation::Column::Kind,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(self.db)
            .await?;
        Ok(inserted == 1)
    }

    /// Records what a claimed turn did: the message sent, or why nothing was.
    pub async fn settle(
        &self,
        conversation: ConversationId,
        kind: AutomationKind,
        outcome: Result<MessageId, &str>,
    ) -> Result<(), StoreError> {
        let (message, reason) = match outcome {
            Ok(id) => (Some(id.into_uuid()), None),
            Err(reason) => (None, Some(reason.to_owned())),
        };
        conversation_automation::Entity::update_many()
            .col_expr(
                conversation_automation::Column::MessageId,
                sea_orm::sea_query::Expr::value(message),
            )
            .col_expr(
                conversation_automation::Column::SkippedReason,
                sea_orm::sea_query::Expr::value(reason),
            )
            .filter(conversation_automation::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation_automation::Column::ConversationId.eq(conversation.into_uuid()))
            .filter(conversation_automation::Column::Kind.eq(kind.as_str()))
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// The queue's conversations waiting unassigned since `after` ago or longer that were
    /// not yet sent `kind`, longest waiting first, at most `limit`.
    pub async fn due(
        &self,
        queue: QueueId,
        kind: AutomationKind,
        after: TimeDelta,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        let sent = Query::select()
            .column(conversation_automation::Column::ConversationId)
            .from(conversation_automation::Entity)
            .and_where(conversation_automation::Column::TenantId.eq(self.tenant.into_uuid()))
            .and_where(conversation_automation::Column::Kind.eq(kind.as_str()))
            .to_owned();
        Ok(conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation::Column::QueueId.eq(queue.into_uuid()))
            .filter(conversation::Column::Status.eq(ConversationStatus::Open.as_str()))
            .filter(conversation::Column::AssigneeId.is_null())
            .filter(conversation::Column::WaitingSince.lte(now - after))
            .filter(conversation::Column::Id.not_in_subquery(sent))
            .order_by_asc(conversation::Column::WaitingSince)
            .order_by_asc(conversation::Column::Id)
            .limit(limit)
            .all(self.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

pub struct Sweeps<'a, C> {
    db: &'a C,
}

impl<'a, C: ConnectionTrait> Sweeps<'a, C> {
    pub fn new(db: &'a C) -> Self {
        Self { db }
    }

    // TENANCY: the sweep serves every tenant; each answer names its tenant, and the work on
    // it runs in that tenant's scope.
    /// Queues whose WAITING automation is enabled, with their wait, at most `limit`.
    pub async fn waiting(&self, limit: u64) -> Result<Vec<(TenantId, QueueId, u32)>, StoreError> {
        let rows = queue_automation::Entity::find()
            .filter(queue_automation::Column::Kind.eq(AutomationKind::Waiting.as_str()))
            .filter(queue_automation::Column::Enabled.eq(true))
            .order_by_asc(queue_automation::Column::TenantId)
            .order_by_asc(queue_automation::Column::QueueId)
            .limit(limit)
            .all(self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let minutes = r.after_minutes.and_then(|m| u32::try_from(m).ok());
                (r.tenant_id.into(), r.queue_id.into(), minutes.unwrap_or(0))
            })
            .collect())
    }
}
