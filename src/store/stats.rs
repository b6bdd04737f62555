//! The raw figures behind a queue's statistics: its conversations' states now, and the
//! times of first responses and resolutions within a period; and message counts per time
//! bucket.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::entities::{
    conversation, conversation_automation, conversation_change, csat_survey, message,
};
use super::StoreError;
use crate::domain::conversation::ChangeKind;
use crate::domain::{
    ChannelId, ConversationStatus, Direction, MessageStatus, QueueId, TenantId, UserId,
};

/// A queue's conversations as they stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub waiting: u64,
    pub assigned: u64,
    pub pending: u64,
    pub oldest_waiting_since: Option<DateTime<Utc>>,
}

/// A conversation opened in the period, and when it was first answered.
#[derive(Clone, Debug)]
pub struct Opened {
    pub opened_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub assignee: Option<UserId>,
}

/// A resolution in the period: by whom, and when the conversation had opened.
#[derive(Clone, Debug)]
pub struct Resolution {
    pub at: DateTime<Utc>,
    pub opened_at: DateTime<Utc>,
    pub assignee: Option<UserId>,
}

/// Whether the message of alias `m` is Switchboard's own (an automated message or a
/// satisfaction question): no one's response.
fn automated(m: &Alias) -> sea_orm::sea_query::SimpleExpr {
    let (s, a) = (Alias::new("s"), Alias::new("a"));
    let question = Query::select()
        .expr(Expr::val(1))
        .from_as(csat_survey::Entity, s.clone())
        .and_where(
            Expr::col((s.clone(), csat_survey::Column::TenantId))
                .equals((m.clone(), message::Column::TenantId)),
        )
        .and_where(
            Expr::col((s.clone(), csat_survey::Column::MessageId))
                .equals((m.clone(), message::Column::Id)),
        )
        .to_owned();
    let automation = Query::select()
        .expr(Expr::val(1))
        .from_as(conversation_automation::Entity, a.clone())
        .and_where(
            Expr::col((a.clone(), conversation_automation::Column::TenantId))
                .equals((m.clone(), message::Column::TenantId)),
        )
        .and_where(
            Expr::col((a.clone(), conversation_automation::Column::MessageId))
                .equals((m.clone(), message::Column::Id)),
        )
        .to_owned();
    Expr::exists(question).or(Expr::exists(automation))
}

pub struct Stats<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Stats<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn in_queue(&self, queue: QueueId) -> sea_orm::Select<conversation::Entity> {
        conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation::Column::QueueId.eq(queue.into_uuid()))
    }

    pub async fn standing(&self, queue: QueueId) -> Result<Standing, StoreError> {
        let rows: Vec<(String, i64)> = self
            .in_queue(queue)
            .select_only()
            .column(conversation::Column::Status)
            .column_as(conversation::Column::Id.count(), "n")
            .group_by(conversation::Column::Status)
            .into_tuple()
            .all(self.db)
            .await?;
        let mut standing = Standing::default();
        for (status, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match ConversationStatus::parse(&status) {
                Some(ConversationStatus::Open) => standing.waiting = n,
                Some(ConversationStatus::Assigned) => standing.assigned = n,
                Some(ConversationStatus::Pending) => standing.pending = n,
                _ => {}
            }
        }
        let oldest: Option<Option<DateTime<Utc>>> = self
            .in_queue(queue)
            .filter(conversation::Column::Status.eq(ConversationStatus::Open.as_str()))
            .select_only()
            .column_as(conversation::Column::WaitingSince.min(), "oldest")
            .into_tuple()
            .one(self.db)
            .await?;
        standing.oldest_waiting_since = oldest.flatten();
        Ok(standing)
    }

    /// Each agent's unresolved conversations of the queue.
    pub async fn load(
        &self,
        queue: QueueId,
    ) -> Result<std::collections::BTreeMap<UserId, u64>, StoreError> {
        let rows: Vec<(Uuid, i64)> = self
            .in_queue(queue)
            .filter(conversation::Column::AssigneeId.is_not_null())
            .filter(conversation::Column::Status.ne(ConversationStatus::Resolved.as_str()))
            .select_only()
            .column(conversation::Column::AssigneeId)
            .column_as(conversation::Column::Id.count(), "n")
            .group_by(conversation::Column::AssigneeId)
            .into_tuple()
            .all(self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(user, n)| (user.into(), u64::try_from(n).unwrap_or(0)))
            .collect())
    }

    /// The queue's conversations opened in `[from, to)`, each with the time of its first
    /// outbound message that was not Switchboard's own.
    pub async fn opened(
        &self,
        queue: QueueId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Opened>, StoreError> {
        let c = Alias::new("c");
        let m = Alias::new("m");
        let first_response = Query::select()
            .expr(Func::min(Expr::col((
                m.clone(),
                message::Column::CreatedAt,
            ))))
            .from_as(message::Entity, m.clone())
            .and_where(
                Expr::col((m.clone(), message::Column::TenantId))
                    .equals((c.clone(), conversation::Column::TenantId)),
            )
            .and_where(
                Expr::col((m.clone(), message::Column::ConversationId))
                    .equals((c.clone(), conversation::Column::Id)),
            )
            .and_where(
                Expr::col((m.clone(), message::Column::Direction)).eq(Direction::Outbound.as_str()),
            )
            .and_where(automated(&m).not())
            .to_owned();
        let query = Query::select()
            .column((c.clone(), conversation::Column::OpenedAt))
            .column((c.clone(), conversation::Column::AssigneeId))
            .expr_as(
                Expr::expr(sea_orm::sea_query::SimpleExpr::SubQuery(
                    None,
                    Box::new(first_response.into_sub_query_statement()),
                )),
                Alias::new("first_response_at"),
            )
            .from_as(conversation::Entity, c.clone())
            .and_where(
                Expr::col((c.clone(), conversation::Column::TenantId)).eq(self.tenant.into_uuid()),
            )
            .and_where(Expr::col((c.clone(), conversation::Column::QueueId)).eq(queue.into_uuid()))
            .and_where(Expr::col((c.clone(), conversation::Column::OpenedAt)).gte(from))
            .and_where(Expr::col((c.clone(), conversation::Column::OpenedAt)).lt(to))
            .to_owned();
        let backend = self.db.get_database_backend();
        let mut opened = Vec::new();
        for row in self.db.query_all(backend.build(&query)).await? {
            let assignee: Option<Uuid> = row.try_get("", "assignee_id")?;
            opened.push(Opened {
                opened_at: row.try_get("", "opened_at")?,
                first_response_at: row.try_get("", "first_response_at")?,
                assignee: assignee.map(Into::into),
            });
        }
        Ok(opened)
    }

    /// The queue's resolutions in `[from, to)` (the queue and assignee at that moment).
    pub async fn resolutions(
        &self,
        queue: QueueId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Resolution>, StoreError> {
        let rows: Vec<(DateTime<Utc>, Option<Uuid>, Uuid)> = conversation_change::Entity::find()
            .filter(conversation_change::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation_change::Column::QueueId.eq(queue.into_uuid()))
            .filter(conversation_change::Column::Kind.eq(ChangeKind::Resolved.as_str()))
            .filter(conversation_change::Column::At.gte(from))
            .filter(conversation_change::Column::At.lt(to))
            .select_only()
            .column(conversation_change::Column::At)
            .column(conversation_change::Column::AssigneeId)
            .column(conversation_change::Column::ConversationId)
            .into_tuple()
            .all(self.db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.2).collect();
        let mut opened_at = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let found: Vec<(Uuid, DateTime<Utc>)> = conversation::Entity::find()
                .filter(conversation::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(conversation::Column::Id.is_in(chunk.to_vec()))
                .select_only()
                .column(conversation::Column::Id)
                .column(conversation::Column::OpenedAt)
                .into_tuple()
                .all(self.db)
                .await?;
            opened_at.extend(found);
        }
        Ok(rows
            .into_iter()
            .filter_map(|(at, assignee, id)| {
                Some(Resolution {
                    at,
                    opened_at: *opened_at.get(&id)?,
                    assignee: assignee.map(Into::into),
                })
            })
            .collect())
    }

    /// Messages sent (inbound: by the provider's clock; outbound: created) in
    /// `[from, to)`, optionally of one channel, counted per bucket of `bucket_seconds` from
    /// `from` (its index), direction and current status. One grouped scan of the tenant's
    /// messages in the period; the bucket arithmetic is each database's own.
    pub async fn volume(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        channel: Option<ChannelId>,
        bucket_seconds: i64,
    ) -> Result<Vec<(i64, Direction, MessageStatus, u64)>, StoreError> {
        let (start, width) = (from.timestamp(), bucket_seconds.max(1));
        let column = "sent_at"; // message::Column::SentAt
        let bucket = match self.db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                format!("CAST(FLOOR((EXTRACT(EPOCH FROM {column}) - {start}) / {width}) AS BIGINT)")
            }
            _ => format!("(CAST(strftime('%s', {column}) AS INTEGER) - {start}) / {width}"),
        };
        let mut query = message::Entity::find()
            .filter(message::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(message::Column::SentAt.gte(from))
            .filter(message::Column::SentAt.lt(to));
        if let Some(channel) = channel {
            query = query.filter(message::Column::ChannelId.eq(channel.into_uuid()));
        }
        let rows: Vec<(i64, String, String, i64)> = query
            .select_only()
            .column_as(Expr::cust(bucket), "bucket")
            .column(message::Column::Direction)
            .column(message::Column::Status)
            .column_as(message::Column::Id.count(), "n")
            .group_by(Expr::cust("bucket"))
            .group_by(message::Column::Direction)
            .group_by(message::Column::Status)
            .into_tuple()
            .all(self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(bucket, direction, status, n)| {
                Some((
                    bucket,
                    direction.parse().ok()?,
                    status.parse().ok()?,
                    u64::try_from(n).unwrap_or(0),
                ))
            })
            .collect())
    }
}
