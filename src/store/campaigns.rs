//! A tenant's campaigns and their recipients. A recipient moves from PENDING to QUEUED in
//! the same transaction that creates its message and outbox job, or to SKIPPED with a reason;
//! from then on its state follows its message's status (SENT, DELIVERED, READ, FAILED), and
//! progress is counted from the recipients and their messages' statuses.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, JoinType, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, RelationDef, Select,
};

use super::entities::{campaign, campaign_recipient, message};
use super::StoreError;
use crate::domain::campaign::{CampaignState, RecipientState, SkipReason};
use crate::domain::records::campaign::{CampaignCounts, CampaignRecord, RecipientRecord};
use crate::domain::{CampaignId, ChannelId, MessageId, MessageStatus, TenantId};
use crate::domain::{Page, PageRequest};

impl TryFrom<campaign::Model> for CampaignRecord {
    type Error = StoreError;
    fn try_from(row: campaign::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id.into(),
            channel: row.channel_id.into(),
            template: row.template_id.into(),
            state: CampaignState::parse(&row.state)
                .ok_or_else(|| StoreError::Corrupt(format!("campaign state {}", row.state)))?,
            name: row.name,
            state_reason: row.state_reason,
            start_at: row.start_at,
            recipient_count: row.recipient_count,
            created_by: row.created_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
            started_at: row.started_at,
            finished_at: row.finished_at,
        })
    }
}

/// A recipient to record with a new campaign: skipped from the start when its number is
/// unusable.
#[derive(Clone, Debug)]
pub struct NewRecipient {
    pub phone: String,
    pub variables: BTreeMap<String, String>,
    pub skip: Option<SkipReason>,
}

/// A recipient row with its message's status, when it has a message.
#[derive(FromQueryResult)]
struct RecipientWithStatus {
    id: uuid::Uuid,
    position: i32,
    phone: String,
    variables: String,
    /// `PENDING`, `QUEUED` or `SKIPPED`: what the dispatcher did.
    state: String,
    skip_reason: Option<String>,
    message_id: Option<uuid::Uuid>,
    message_status: Option<String>,
}

impl TryFrom<RecipientWithStatus> for RecipientRecord {
    type Error = StoreError;
    fn try_from(row: RecipientWithStatus) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("recipient {}: {what}", row.id));
        let state = match (row.state.as_str(), row.message_status.as_deref()) {
            ("PENDING", _) => RecipientState::Pending,
            ("SKIPPED", _) => RecipientState::Skipped,
            ("QUEUED", None) => RecipientState::Queued,
            ("QUEUED", Some(status)) => RecipientState::of_message(
                status.parse::<MessageStatus>().map_err(|e| corrupt(&e))?,
            ),
            (other, _) => return Err(corrupt(&format!("state {other}"))),
        };
        Ok(Self {
            id: row.id,
            position: row.position,
            variables: serde_json::from_str(&row.variables)
                .map_err(|e| corrupt(&format!("variables: {e}")))?,
            phone: row.phone,
            skip_reason: row.skip_reason.as_deref().and_then(SkipReason::parse),
            message: row.message_id.map(Into::into),
            state,
        })
    }
}

/// A recipient's message, joined on the recipient's tenant and message id.
fn recipient_message() -> RelationDef {
    campaign_recipient::Entity::belongs_to(message::Entity)
        .from((
            campaign_recipient::Column::TenantId,
            campaign_recipient::Column::MessageId,
        ))
        .to((message::Column::TenantId, message::Column::Id))
        .into()
}

/// Rows per multi-row insert, well under every backend's bind limit.
const INSERT_CHUNK: usize = 500;

pub struct Campaigns<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Campaigns<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<campaign::Entity> {
        campaign::Entity::find().filter(campaign::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    fn recipients_of(&self, id: CampaignId) -> Select<campaign_recipient::Entity> {
        campaign_recipient::Entity::find()
            .filter(campaign_recipient::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(campaign_recipient::Column::CampaignId.eq(id.into_uuid()))
    }

    pub async fn get(&self, id: CampaignId) -> Result<CampaignRecord, StoreError> {
        self.scoped()
            .filter(campaign::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    /// Newest first.
    pub async fn list(&self, page: PageRequest) -> Result<Page<CampaignRecord>, StoreError> {
        let mut query = self.scoped().order_by_desc(campaign::Column::Id);
        if let Some(after) = page.after {
            query = query.filter(campaign::Column::Id.lt(after));
        }
        let rows = query.limit(page.first + 1).all(self.db).await?;
        Page::from_fetched(rows, page.first).try_map(CampaignRecord::try_from)
    }

    pub async fn insert(
        &self,
        record: &CampaignRecord,
        recipients: &[NewRecipient],
    ) -> Result<CampaignRecord, StoreError> {
        campaign::Entity::insert(campaign::ActiveModel {
            tenant_id: Set(self.tenant.into_uuid()),
            id: Set(record.id.into_uuid()),
            channel_id: Set(record.channel.into_uuid()),
            template_id: Set(record.template.into_uuid()),
            name: Set(record.name.clone()),
            state: Set(record.state.as_str().to_owned()),
            state_reason: Set(record.state_reason.clone()),
            start_at: Set(record.start_at),
            recipient_count: Set(record.recipient_count),
            created_by: Set(record.created_by.clone()),
            created_at: Set(record.created_at),
            updated_at: Set(record.updated_at),
            started_at: Set(record.started_at),
            finished_at: Set(record.finished_at),
        })
        .exec_without_returning(self.db)
        .await?;
        for (chunk_index, chunk) in recipients.chunks(INSERT_CHUNK).enumerate() {
            let rows = chunk.iter().enumerate().map(|(i, r)| {
                let skipped = r.skip.map(SkipReason::as_str);
                campaign_recipient::ActiveModel {
                    tenant_id: Set(self.tenant.into_uuid()),
                    id: Set(uuid::Uuid::now_v7()),
                    campaign_id: Set(record.id.into_uuid()),
                    position: Set((chunk_index * INSERT_CHUNK + i) as i32),
                    phone: Set(r.phone.clone()),
                    variables: Set(serde_json::json!(r.variables).to_string()),
                    state: Set(if skipped.is_some() {
                        "SKIPPED"
                    } else {
                        "PENDING"
                    }
                    .to_owned()),
                    skip_reason: Set(skipped.map(str::to_owned)),
                    message_id: Set(None),
                    updated_at: Set(record.created_at),
                }
            });
            campaign_recipient::Entity::insert_many(rows)
                .exec_without_returning(self.db)
                .await?;
        }
        Ok(record.clone())
    }

    /// Moves the campaign to `to` if it is in one of `from`; `None` when it was not.
    pub async fn transition(
        &self,
        id: CampaignId,
        from: &[CampaignState],
        to: CampaignState,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<CampaignRecord>, StoreError> {
        let mut update = campaign::Entity::update_many()
            .col_expr(campaign::Column::State, Expr::value(to.as_str()))
            .col_expr(campaign::Column::StateReason, Expr::value(reason))
            .col_expr(campaign::Column::UpdatedAt, Expr::value(now))
            .filter(campaign::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(campaign::Column::Id.eq(id.into_uuid()))
            .filter(campaign::Column::State.is_in(from.iter().map(|s| s.as_str())));
        if to == CampaignState::Running {
            update = update.col_expr(
                campaign::Column::StartedAt,
                Func::coalesce([
                    Expr::col(campaign::Column::StartedAt).into(),
                    Expr::value(now),
                ])
                .into(),
            );
        }
        if to.is_final() {
            update = update.col_expr(campaign::Column::FinishedAt, Expr::value(Some(now)));
        }
        if update.exec(self.db).await?.rows_affected == 0 {
            return Ok(None);
        }
        self.get(id).await.map(Some)
    }

    /// Takes the campaign's row lock (PostgreSQL) so one instance dispatches it at a time;
    /// SQLite's single writer already serialises the caller's write transaction.
    pub async fn lock(&self, id: CampaignId) -> Result<CampaignRecord, StoreError> {
        super::for_update(
            self.scoped()
                .filter(campaign::Column::Id.eq(id.into_uuid())),
            self.db,
        )
        .one(self.db)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
    }

    /// As [`Self::lock`], for the dispatcher: `None` while another instance holds the
    /// campaign (PostgreSQL's SKIP LOCKED), so it moves on to other campaigns instead of
    /// waiting behind that instance's batch.
    pub async fn try_lock(&self, id: CampaignId) -> Result<Option<CampaignRecord>, StoreError> {
        let mut query = self
            .scoped()
            .filter(campaign::Column::Id.eq(id.into_uuid()));
        if self.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        query
            .one(self.db)
            .await?
            .map(CampaignRecord::try_from)
            .transpose()
    }

    /// The campaign's recipients with their messages' statuses.
    fn recipients_with_status(&self, id: CampaignId) -> Select<campaign_recipient::Entity> {
        self.recipients_of(id)
            .join(JoinType::LeftJoin, recipient_message())
            .column_as(
                Expr::col((message::Entity, message::Column::Status)),
                "message_status",
            )
            .order_by_asc(campaign_recipient::Column::Position)
    }

    /// The next PENDING recipients, in list order.
    pub async fn pending(
        &self,
        id: CampaignId,
        limit: u64,
    ) -> Result<Vec<RecipientRecord>, StoreError> {
        self.recipients_with_status(id)
            .filter(campaign_recipient::Column::State.eq("PENDING"))
            .limit(limit)
            .into_model::<RecipientWithStatus>()
            .all(self.db)
            .await?
            .into_iter()
            .map(RecipientRecord::try_from)
            .collect()
    }

    /// Recipients in list order, optionally in one state.
    pub async fn recipients(
        &self,
        id: CampaignId,
        state: Option<RecipientState>,
        after_position: Option<i32>,
        first: u64,
    ) -> Result<Page<RecipientRecord>, StoreError> {
        let mut query = self.recipients_with_status(id);
        let status = Expr::col((message::Entity, message::Column::Status));
        query = match state {
            None => query,
            Some(RecipientState::Pending) => {
                query.filter(campaign_recipient::Column::State.eq("PENDING"))
            }
            Some(RecipientState::Skipped) => {
                query.filter(campaign_recipient::Column::State.eq("SKIPPED"))
            }
            Some(RecipientState::Queued) => query
                .filter(campaign_recipient::Column::State.eq("QUEUED"))
                .filter(status.clone().is_null().or(status.is_in([
                    MessageStatus::Received.as_str(),
                    MessageStatus::Queued.as_str(),
                ]))),
            Some(other) => {
                let wanted = other.message_status().map(MessageStatus::as_str);
                query
                    .filter(campaign_recipient::Column::State.eq("QUEUED"))
                    .filter(status.eq(wanted))
            }
        };
        if let Some(after) = after_position {
            query = query.filter(campaign_recipient::Column::Position.gt(after));
        }
        let rows = query
            .limit(first + 1)
            .into_model::<RecipientWithStatus>()
            .all(self.db)
            .await?;
        Page::from_fetched(rows, first).try_map(RecipientRecord::try_from)
    }

    /// Marks a PENDING recipient queued with its message; false if it was no longer pending.
    pub async fn mark_queued(
        &self,
        recipient: uuid::Uuid,
        message: MessageId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = campaign_recipient::Entity::update_many()
            .col_expr(campaign_recipient::Column::State, Expr::value("QUEUED"))
            .col_expr(
                campaign_recipient::Column::MessageId,
                Expr::value(Some(message.into_uuid())),
            )
            .col_expr(campaign_recipient::Column::UpdatedAt, Expr::value(now))
            .filter(campaign_recipient::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(campaign_recipient::Column::Id.eq(recipient))
            .filter(campaign_recipient::Column::State.eq("PENDING"))
            .exec(self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    pub async fn mark_skipped(
        &self,
        recipient: uuid::Uuid,
        reason: SkipReason,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.skip(campaign_recipient::Column::Id.eq(recipient), reason, now)
            .await?;
        Ok(())
    }

    /// Skips every recipient still pending; answers how many.
    pub async fn skip_pending(
        &self,
        id: CampaignId,
        reason: SkipReason,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.skip(
            campaign_recipient::Column::CampaignId.eq(id.into_uuid()),
            reason,
            now,
        )
        .await
    }

    /// Skips the pending recipients `which` picks; answers how many.
    async fn skip(
        &self,
        which: sea_orm::sea_query::SimpleExpr,
        reason: SkipReason,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = campaign_recipient::Entity::update_many()
            .col_expr(campaign_recipient::Column::State, Expr::value("SKIPPED"))
            .col_expr(
                campaign_recipient::Column::SkipReason,
                Expr::value(reason.as_str()),
            )
            .col_expr(campaign_recipient::Column::UpdatedAt, Expr::value(now))
            .filter(campaign_recipient::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(which)
            .filter(campaign_recipient::Column::State.eq("PENDING"))
            .exec(self.db)
            .await?;
        Ok(done.rows_affected)
    }

    /// Messages of the channel still waiting in the outbox.
    pub async fn queue_depth(&self, channel: ChannelId) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(message::Entity::find()
            .filter(message::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(message::Column::ChannelId.eq(channel.into_uuid()))
            .filter(message::Column::Status.eq("QUEUED"))
            .count(self.db)
            .await?)
    }

    /// The campaign's counters, from its recipients and their messages.
    pub async fn counts(&self, id: CampaignId) -> Result<CampaignCounts, StoreError> {
        let mut counts = CampaignCounts::default();
        let r = Alias::new("r");
        let by_state = Query::select()
            .column((r.clone(), campaign_recipient::Column::State))
            .column((r.clone(), campaign_recipient::Column::SkipReason))
            .expr_as(
                Func::count(Expr::col((r.clone(), campaign_recipient::Column::Id))),
                Alias::new("n"),
            )
            .from_as(campaign_recipient::Entity, r.clone())
            .and_where(
                Expr::col((r.clone(), campaign_recipient::Column::TenantId))
                    .eq(self.tenant.into_uuid()),
            )
            .and_where(
                Expr::col((r.clone(), campaign_recipient::Column::CampaignId)).eq(id.into_uuid()),
            )
            .group_by_col((r.clone(), campaign_recipient::Column::State))
            .group_by_col((r.clone(), campaign_recipient::Column::SkipReason))
            .to_owned();
        let backend = self.db.get_database_backend();
        for row in self.db.query_all(backend.build(&by_state)).await? {
            let state: String = row.try_get("", "state")?;
            let reason: Option<String> = row.try_get("", "skip_reason")?;
            let n = row.try_get::<i64>("", "n")? as u64;
            counts.total += n;
            match state.as_str() {
                "PENDING" => counts.pending += n,
                "SKIPPED" => {
                    counts.skipped += n;
                    if let Some(reason) = reason.as_deref().and_then(SkipReason::parse) {
                        *counts.skipped_by_reason.entry(reason).or_default() += n;
                    }
                }
                _ => {}
            }
        }
        let m = Alias::new("m");
        let by_status = Query::select()
            .column((m.clone(), message::Column::Status))
            .expr_as(
                Func::count(Expr::col((m.clone(), message::Column::Id))),
                Alias::new("n"),
            )
            .from_as(campaign_recipient::Entity, r.clone())
            .join_as(
                JoinType::InnerJoin,
                message::Entity,
                m.clone(),
                Expr::col((m.clone(), message::Column::TenantId))
                    .equals((r.clone(), campaign_recipient::Column::TenantId))
                    .and(
                        Expr::col((m.clone(), message::Column::Id))
                            .equals((r.clone(), campaign_recipient::Column::MessageId)),
                    ),
            )
            .and_where(
                Expr::col((r.clone(), campaign_recipient::Column::TenantId))
                    .eq(self.tenant.into_uuid()),
            )
            .and_where(
                Expr::col((r.clone(), campaign_recipient::Column::CampaignId)).eq(id.into_uuid()),
            )
            .group_by_col((m.clone(), message::Column::Status))
            .to_owned();
        for row in self.db.query_all(backend.build(&by_status)).await? {
            let status: String = row.try_get("", "status")?;
            let n = row.try_get::<i64>("", "n")? as u64;
            match status.as_str() {
                "QUEUED" => counts.queued += n,
                "SENT" => counts.sent += n,
                "DELIVERED" => {
                    counts.sent += n;
                    counts.delivered += n;
                }
                "READ" => {
                    counts.sent += n;
                    counts.delivered += n;
                    counts.read += n;
                }
                "FAILED" => counts.failed += n,
                _ => {}
            }
        }
        Ok(counts)
    }
}
