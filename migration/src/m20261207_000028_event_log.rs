//! The event log: every event a change publishes, appended in the change's own transaction
//! with a database-assigned sequence number. Instances tail it in `seq` order to feed their
//! subscribers, and a subscriber that reconnects resumes from the last `seq` it saw.
//!
//! On PostgreSQL the appending transactions take one advisory lock just before they append
//! and keep it until they commit, so sequence order is commit order: a reader that has read
//! up to `seq` never finds a smaller one committed later. SQLite's single writer gives that
//! by itself, and AUTOINCREMENT never hands a number out twice.
//!
//! `event_log_horizon` holds the highest `seq` pruned by the retention setting: a cursor
//! below it has lost events and is told so.

use sea_orm_migration::prelude::*;

use crate::columns::{ts, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000028_event_log"
    }
}

#[derive(DeriveIden)]
enum EventLog {
    Table,
    Seq,
    TenantId,
    Kind,
    Subject,
    QueueId,
    AssigneeId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EventLogHorizon {
    Table,
    Id,
    PrunedThrough,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EventLog::Table)
                    .col(
                        ColumnDef::new(EventLog::Seq)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(uuid(EventLog::TenantId))
                    .col(ColumnDef::new(EventLog::Kind).string().not_null())
                    .col(uuid(EventLog::Subject))
                    .col(uuid_null(EventLog::QueueId))
                    .col(uuid_null(EventLog::AssigneeId))
                    .col(ts(EventLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // A subscriber resuming reads its tenant's events after its cursor.
        manager
            .create_index(
                Index::create()
                    .name("event_log_by_tenant")
                    .table(EventLog::Table)
                    .col(EventLog::TenantId)
                    .col(EventLog::Seq)
                    .to_owned(),
            )
            .await?;
        // Pruning by age.
        manager
            .create_index(
                Index::create()
                    .name("event_log_by_time")
                    .table(EventLog::Table)
                    .col(EventLog::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventLogHorizon::Table)
                    .col(
                        ColumnDef::new(EventLogHorizon::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(EventLogHorizon::PrunedThrough)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(EventLogHorizon::Table)
                    .columns([EventLogHorizon::Id, EventLogHorizon::PrunedThrough])
                    .values_panic([1.into(), 0i64.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EventLogHorizon::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(EventLog::Table).to_owned())
            .await
    }
}
