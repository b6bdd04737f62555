//! The event log's rows: appended inside a unit of work, read in `seq` order by the
//! instances that tail it and by subscribers resuming from a cursor, pruned by age.
//!
//! On PostgreSQL an appending transaction first takes [`APPEND_LOCK`] and keeps it until it
//! ends, so no two appenders interleave between taking their numbers and committing: a
//! reader that has seen `seq` never finds a smaller number committed afterwards. A rolled
//! back append leaves a hole in the numbers, never a late arrival. The same statement
//! queues a NOTIFY, which PostgreSQL delivers only if the transaction commits: the other
//! instances' wake-up. SQLite has one writer, so commits are in number order by themselves.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};

use super::entities::event_log;
use super::unit::Unit;
use super::{Store, StoreError};
use crate::domain::event_log::EventKind;
use crate::domain::{MessageId, QueueId, TenantId, UserId};

/// The advisory lock appenders take on PostgreSQL (an arbitrary, fixed key).
const APPEND_LOCK: i64 = 0x5357_4c4f_4700_0001;

/// The channel a commit with events NOTIFYs on PostgreSQL.
pub const WAKE_CHANNEL: &str = "switchboard_event_log";

/// An event to append: its kind, the id of what it is about, and where that stood (the
/// conversation's queue and assignee, which decide who sees it).
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub kind: EventKind,
    pub subject: uuid::Uuid,
    pub queue: Option<QueueId>,
    pub assignee: Option<UserId>,
}

/// A logged event.
#[derive(Clone, Debug)]
pub struct LoggedEvent {
    pub seq: i64,
    pub tenant: TenantId,
    pub kind: EventKind,
    pub subject: uuid::Uuid,
    pub queue: Option<QueueId>,
    pub assignee: Option<UserId>,
    pub at: DateTime<Utc>,
}

fn logged(row: event_log::Model) -> Result<LoggedEvent, StoreError> {
    Ok(LoggedEvent {
        seq: row.seq,
        tenant: row.tenant_id.into(),
        kind: EventKind::parse(&row.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("event kind {:?}", row.kind)))?,
        subject: row.subject,
        queue: row.queue_id.map(Into::into),
        assignee: row.assignee_id.map(Into::into),
        at: row.created_at,
    })
}

impl Unit {
    /// Appends `events` of the unit's tenant, answering their numbers in the same order.
    /// Call it last, just before committing: on PostgreSQL it holds every other appender
    /// until this unit ends.
    pub async fn append_events(&self, events: &[NewEvent]) -> Result<Vec<i64>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.connection();
        let backend = db.get_database_backend();
        if backend == DatabaseBackend::Postgres {
            db.execute(Statement::from_sql_and_values(
                backend,
                "SELECT pg_advisory_xact_lock($1), pg_notify($2, '')",
                [APPEND_LOCK.into(), WAKE_CHANNEL.into()],
            ))
            .await?;
        }
        let mut insert = Query::insert();
        insert.into_table(event_log::Entity).columns([
            event_log::Column::TenantId,
            event_log::Column::Kind,
            event_log::Column::Subject,
            event_log::Column::QueueId,
            event_log::Column::AssigneeId,
            event_log::Column::CreatedAt,
        ]);
        let tenant = self.tenant().into_uuid();
        for event in events {
            insert.values_panic([
                tenant.into(),
                event.kind.as_str().into(),
                event.subject.into(),
                event.queue.map(QueueId::into_uuid).into(),
                event.assignee.map(UserId::into_uuid).into(),
                self.now().into(),
            ]);
        }
        insert.returning_col(event_log::Column::Seq);
        let rows = db.query_all(backend.build(&insert)).await?;
        let mut seqs = rows
            .iter()
            .map(|r| r.try_get::<i64>("", "seq"))
            .collect::<Result<Vec<_>, _>>()?;
        // Numbers are taken row by row in the order given; sorted, they pair up with it
        // whatever order RETURNING lists them in.
        seqs.sort_unstable();
        Ok(seqs)
    }
}

/// The log as a whole, outside any unit.
pub struct EventLog<'a> {
    store: &'a Store,
}

impl Store {
    pub fn event_log(&self) -> EventLog<'_> {
        EventLog { store: self }
    }
}

impl EventLog<'_> {
    /// Up to `limit` events of every tenant after `seq`, in order.
    pub async fn after(&self, seq: i64, limit: u64) -> Result<Vec<LoggedEvent>, StoreError> {
        event_log::Entity::find()
            .filter(event_log::Column::Seq.gt(seq))
            .order_by_asc(event_log::Column::Seq)
            .limit(limit)
            .all(self.store.connection())
            .await?
            .into_iter()
            .map(logged)
            .collect()
    }

    /// Up to `limit` of one tenant's events after `seq`, in order.
    pub async fn of_tenant_after(
        &self,
        tenant: TenantId,
        seq: i64,
        limit: u64,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        event_log::Entity::find()
            .filter(event_log::Column::TenantId.eq(tenant.into_uuid()))
            .filter(event_log::Column::Seq.gt(seq))
            .order_by_asc(event_log::Column::Seq)
            .limit(limit)
            .all(self.store.connection())
            .await?
            .into_iter()
            .map(logged)
            .collect()
    }

    /// The messages of `tenant` changed after `seq`, each once at its latest change, in the
    /// order of those changes: up to `limit`, with the position of each one's latest change.
    pub async fn message_changes(
        &self,
        tenant: TenantId,
        seq: i64,
        limit: u64,
    ) -> Result<Vec<(i64, MessageId)>, StoreError> {
        let kinds = [
            EventKind::MessageReceived,
            EventKind::MessageSent,
            EventKind::MessageStatusChanged,
        ];
        let rows: Vec<(uuid::Uuid, i64)> = event_log::Entity::find()
            .select_only()
            .column(event_log::Column::Subject)
            .column_as(event_log::Column::Seq.max(), "latest")
            .filter(event_log::Column::TenantId.eq(tenant.into_uuid()))
            .filter(event_log::Column::Seq.gt(seq))
            .filter(event_log::Column::Kind.is_in(kinds.map(EventKind::as_str)))
            .group_by(event_log::Column::Subject)
            .order_by_asc(Expr::col(Alias::new("latest")))
            .limit(limit)
            .into_tuple()
            .all(self.store.connection())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(subject, latest)| (latest, MessageId::from(subject)))
            .collect())
    }

    /// The highest number given out so far and committed (0 for an empty log).
    pub async fn head(&self) -> Result<i64, StoreError> {
        let head: Option<Option<i64>> = event_log::Entity::find()
            .select_only()
            .column_as(event_log::Column::Seq.max(), "head")
            .into_tuple()
            .one(self.store.connection())
            .await?;
        let pruned = self.horizon().await?;
        Ok(head.flatten().unwrap_or(0).max(pruned))
    }

    /// The highest number pruned: events at or below it are gone.
    pub async fn horizon(&self) -> Result<i64, StoreError> {
        let db = self.store.connection();
        let backend = db.get_database_backend();
        let query = Query::select()
            .expr_as(Expr::col(Alias::new("pruned_through")), Alias::new("h"))
            .from(Alias::new("event_log_horizon"))
            .and_where(Expr::col(Alias::new("id")).eq(1))
            .to_owned();
        let row = db.query_one(backend.build(&query)).await?;
        Ok(match row {
            Some(row) => row.try_get::<i64>("", "h")?,
            None => 0,
        })
    }

    /// Deletes up to `batch` events older than `before`, oldest first, raising the horizon
    /// past them; answers how many went.
    pub async fn prune(&self, before: DateTime<Utc>, batch: u64) -> Result<u64, StoreError> {
        let through: Option<Option<i64>> = event_log::Entity::find()
            .select_only()
            .column_as(event_log::Column::Seq, "seq")
            .filter(event_log::Column::CreatedAt.lt(before))
            .order_by_asc(event_log::Column::Seq)
            .offset(batch.saturating_sub(1))
            .limit(1)
            .into_tuple()
            .one(self.store.connection())
            .await?;
        let through = match through.flatten() {
            Some(seq) => seq,
            // Fewer than a batch: the newest of those that are old enough.
            None => {
                let newest: Option<Option<i64>> = event_log::Entity::find()
                    .select_only()
                    .column_as(event_log::Column::Seq.max(), "seq")
                    .filter(event_log::Column::CreatedAt.lt(before))
                    .into_tuple()
                    .one(self.store.connection())
                    .await?;
                match newest.flatten() {
                    Some(seq) => seq,
                    None => return Ok(0),
                }
            }
        };
        let txn = self.store.begin_write().await?;
        let deleted = event_log::Entity::delete_many()
            .filter(event_log::Column::Seq.lte(through))
            .exec(&txn)
            .await?
            .rows_affected;
        let raise = Query::update()
            .table(Alias::new("event_log_horizon"))
            .value(Alias::new("pruned_through"), through)
            .and_where(Expr::col(Alias::new("id")).eq(1))
            .and_where(Expr::col(Alias::new("pruned_through")).lt(through))
            .to_owned();
        let backend = txn.get_database_backend();
        txn.execute(backend.build(&raise)).await?;
        txn.commit().await?;
        Ok(deleted)
    }
}
