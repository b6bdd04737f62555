//! Figures for the metrics gauges, read across every tenant: the outbox's depth per
//! channel and the database pool's use. They answer channel ids and counts only.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::entities::outbox_job;
use super::outbox::state_word;
use super::StoreError;
use crate::domain::records::JobState;
use crate::domain::ChannelId;

/// One channel's unsent jobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxDepth {
    pub channel: ChannelId,
    /// Jobs pending or waiting for an earlier part.
    pub jobs: u64,
    /// The earliest time a pending job was due at, if one is due now.
    pub oldest_due: Option<DateTime<Utc>>,
}

/// The pool's connections as they stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    pub in_use: u32,
    pub idle: u32,
    pub max: u32,
}

pub struct Gauges<'a> {
    db: &'a DatabaseConnection,
}

impl<'a> Gauges<'a> {
    pub(super) fn new(db: &'a DatabaseConnection) -> Self {
        Self { db }
    }

    // TENANCY: every tenant's jobs, grouped by channel; only channel ids and counts leave,
    // for the operator's metrics, never an API answer.
    /// Unsent jobs per channel, in one grouped query; channels with none are absent.
    pub async fn outbox_depth(&self, now: DateTime<Utc>) -> Result<Vec<OutboxDepth>, StoreError> {
        let pending = state_word(JobState::Pending);
        let due = Expr::case(
            Expr::col(outbox_job::Column::State)
                .eq(pending)
                .and(Expr::col(outbox_job::Column::NextAttemptAt).lte(now)),
            Expr::col(outbox_job::Column::NextAttemptAt),
        )
        .finally(Expr::value(Option::<DateTime<Utc>>::None));
        let rows: Vec<(uuid::Uuid, i64, Option<DateTime<Utc>>)> = outbox_job::Entity::find()
            .select_only()
            .column(outbox_job::Column::ChannelId)
            .column_as(outbox_job::Column::Id.count(), "jobs")
            .column_as(
                SimpleExpr::from(Func::min(SimpleExpr::Case(Box::new(due)))),
                "oldest_due",
            )
            .filter(
                outbox_job::Column::State
                    .is_in([state_word(JobState::Pending), state_word(JobState::Waiting)]),
            )
            .group_by(outbox_job::Column::ChannelId)
            .into_tuple()
            .all(self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(channel, jobs, oldest_due)| OutboxDepth {
                channel: channel.into(),
                jobs: u64::try_from(jobs).unwrap_or_default(),
                oldest_due,
            })
            .collect())
    }

    /// The pool's connections in use, idle and at most; `None` for a closed connection.
    pub fn pool_use(&self) -> Option<PoolUse> {
        let (size, idle, max) = match self.db {
            DatabaseConnection::SqlxPostgresPoolConnection(_) => {
                let pool = self.db.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            DatabaseConnection::SqlxSqlitePoolConnection(_) => {
                let pool = self.db.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            _ => return None,
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        Some(PoolUse {
            in_use: size.saturating_sub(idle),
            idle,
            max,
        })
    }
}
