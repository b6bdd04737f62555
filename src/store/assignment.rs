//! What automatic assignment reads and writes: a queue's waiting conversations, its members
//! with their load and turn, the queue's lock, and (across tenants) the queues that have
//! someone waiting and the snoozes that have ended.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::{conversation, queue, queue_member};
use super::StoreError;
use crate::domain::assignment::Candidate;
use crate::domain::queue::AssignmentMode;
use crate::domain::records::ConversationRecord;
use crate::domain::{ConversationId, ConversationStatus, QueueId, TenantId, UserId};

pub struct Assignment<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Assignment<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    /// Locks the queue's row until the transaction ends (PostgreSQL; SQLite's single
    /// writer already serialises), so two instances never both give a member their last
    /// slot; answers the queue's mode.
    pub async fn lock_queue(&self, id: QueueId) -> Result<AssignmentMode, StoreError> {
        let query = queue::Entity::find()
            .filter(queue::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue::Column::Id.eq(id.into_uuid()));
        let row = super::for_update(query, self.db)
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        AssignmentMode::parse(&row.assignment_mode)
            .ok_or_else(|| StoreError::Corrupt(format!("assignment mode {}", row.assignment_mode)))
    }

    /// The queue's conversations waiting for an agent, longest waiting first.
    pub async fn waiting(
        &self,
        queue: QueueId,
        limit: u64,
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        Ok(conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation::Column::QueueId.eq(queue.into_uuid()))
            .filter(conversation::Column::Status.eq(ConversationStatus::Open.as_str()))
            .filter(conversation::Column::AssigneeId.is_null())
            .order_by_asc(conversation::Column::WaitingSince)
            .order_by_asc(conversation::Column::Id)
            .limit(limit)
            .all(self.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The queue's members among `online`, with their load in the queue.
    pub async fn candidates(
        &self,
        queue: QueueId,
        online: &[UserId],
    ) -> Result<Vec<Candidate>, StoreError> {
        if online.is_empty() {
            return Ok(Vec::new());
        }
        let members = queue_member::Entity::find()
            .filter(queue_member::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue_member::Column::QueueId.eq(queue.into_uuid()))
            .filter(queue_member::Column::UserId.is_in(online.iter().map(|u| u.into_uuid())))
            .all(self.db)
            .await?;
        let load = super::stats::Stats::new(self.db, self.tenant)
            .load(queue)
            .await?;
        Ok(members
            .into_iter()
            .map(|m| Candidate {
                user: m.user_id.into(),
                load: load
                    .get(&m.user_id.into())
                    .map_or(0, |n| u32::try_from(*n).unwrap_or(u32::MAX)),
                capacity: u32::try_from(m.capacity).unwrap_or(0),
                last_assigned_at: m.last_assigned_at,
            })
            .collect())
    }

    /// Records that the queue gave `user` a conversation at `at`: their turn comes last.
    pub async fn mark_assigned(
        &self,
        queue: QueueId,
        user: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        queue_member::Entity::update_many()
            .filter(queue_member::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue_member::Column::QueueId.eq(queue.into_uuid()))
            .filter(queue_member::Column::UserId.eq(user.into_uuid()))
            .col_expr(queue_member::Column::LastAssignedAt, Expr::value(Some(at)))
            .exec(self.db)
            .await?;
        Ok(())
    }
}

/// Across tenants, for the assignment worker.
pub struct Sweeps<'a, C> {
    db: &'a C,
}

impl<'a, C: ConnectionTrait> Sweeps<'a, C> {
    pub fn new(db: &'a C) -> Self {
        Self { db }
    }

    // TENANCY: the worker serves every tenant; each answer names its tenant, and the work
    // on it runs in that tenant's scope.
    /// Queues that assign automatically and have a conversation waiting, at most `limit`.
    pub async fn queues_with_waiting(
        &self,
        limit: u64,
    ) -> Result<Vec<(TenantId, QueueId)>, StoreError> {
        let waiting = Query::select()
            .expr(Expr::val(1))
            .from(conversation::Entity)
            .and_where(
                Expr::col((conversation::Entity, conversation::Column::TenantId))
                    .equals((queue::Entity, queue::Column::TenantId)),
            )
            .and_where(
                Expr::col((conversation::Entity, conversation::Column::QueueId))
                    .equals((queue::Entity, queue::Column::Id)),
            )
            .and_where(
                Expr::col((conversation::Entity, conversation::Column::Status))
                    .eq(ConversationStatus::Open.as_str()),
            )
            .to_owned();
        let rows = queue::Entity::find()
            .filter(queue::Column::AssignmentMode.ne(AssignmentMode::Manual.as_str()))
            .filter(Expr::exists(waiting))
            .limit(limit)
            .all(self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|q| (q.tenant_id.into(), q.id.into()))
            .collect())
    }

    // TENANCY: as above.
    /// Snoozed conversations whose time has come, at most `limit`.
    pub async fn due_snoozes(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<(TenantId, ConversationId)>, StoreError> {
        let rows = conversation::Entity::find()
            .filter(conversation::Column::Status.eq(ConversationStatus::Pending.as_str()))
            .filter(conversation::Column::SnoozedUntil.lte(now))
            .order_by_asc(conversation::Column::SnoozedUntil)
            .limit(limit)
            .all(self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| (c.tenant_id.into(), c.id.into()))
            .collect())
    }
}
