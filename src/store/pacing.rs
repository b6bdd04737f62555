//! Each channel's send pace ([`Pace`]), shared by every instance: one row per channel with
//! its theoretical arrival time, moved forward by each send in one upsert, so two
//! instances reserving at once take different slots.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};

use super::StoreError;
use crate::domain::pace::Pace;
use crate::domain::{ChannelId, TenantId};

pub struct Pacing<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Pacing<'a, C> {
    pub(super) fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    /// Reserves the channel's next send at `now` ([`Pace::reserve`]); answers the TAT it
    /// set, for [`Pace::send_at`].
    pub async fn reserve(
        &self,
        channel: ChannelId,
        pace: Pace,
        now: i64,
    ) -> Result<i64, StoreError> {
        // max(tat, now) + interval, written as max(tat + interval, now + interval).
        let row = self
            .upsert(
                channel,
                pace.reserve(None, now),
                &format!("{{tat}} + {}", pace.interval),
            )
            .await?;
        row.ok_or_else(|| StoreError::Corrupt("the pace upsert answered no row".into()))
    }

    /// Holds the channel's sends until `until` ([`Pace::paused_until`]).
    pub async fn pause(
        &self,
        channel: ChannelId,
        pace: Pace,
        until: i64,
    ) -> Result<(), StoreError> {
        self.upsert(channel, pace.paused_until(None, until), "{tat}")
            .await?;
        Ok(())
    }

    /// Forgets a deleted channel's pace.
    pub async fn forget(&self, channel: ChannelId) -> Result<(), StoreError> {
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DatabaseBackend::Postgres => {
                "DELETE FROM channel_pace WHERE tenant_id = $1 AND channel_id = $2"
            }
            _ => "DELETE FROM channel_pace WHERE tenant_id = ? AND channel_id = ?",
        };
        self.db
            .execute(Statement::from_sql_and_values(
                backend,
                sql,
                [self.tenant_value(), channel.into_uuid().into()],
            ))
            .await?;
        Ok(())
    }

    /// Inserts the channel's row with `fresh`, or sets it to the larger of `existing` (SQL
    /// over the stored `{tat}`) and `fresh`; answers the TAT stored.
    async fn upsert(
        &self,
        channel: ChannelId,
        fresh: i64,
        existing: &str,
    ) -> Result<Option<i64>, StoreError> {
        let backend = self.db.get_database_backend();
        let (params, greatest) = match backend {
            DatabaseBackend::Postgres => (["$1", "$2", "$3"], "GREATEST"),
            _ => (["?", "?", "?"], "MAX"),
        };
        let existing = existing.replace("{tat}", "channel_pace.tat_micros");
        let sql = format!(
            "INSERT INTO channel_pace (tenant_id, channel_id, tat_micros) VALUES ({}, {}, {}) \
             ON CONFLICT (tenant_id, channel_id) DO UPDATE \
             SET tat_micros = {greatest}({existing}, excluded.tat_micros) \
             RETURNING tat_micros",
            params[0], params[1], params[2]
        );
        let row = self
            .db
            .query_one(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    self.tenant_value(),
                    channel.into_uuid().into(),
                    fresh.into(),
                ],
            ))
            .await?;
        Ok(match row {
            Some(row) => Some(row.try_get_by_index::<i64>(0)?),
            None => None,
        })
    }

    fn tenant_value(&self) -> Value {
        self.tenant.into_uuid().into()
    }
}
