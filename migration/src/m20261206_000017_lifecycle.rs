//! The conversation lifecycle: states OPEN (waiting in its queue), ASSIGNED, PENDING
//! (waiting on the customer, or snoozed until a time) and RESOLVED, and a timed,
//! attributed record of every change.
//!
//! The one-open-conversation index now covers every state but RESOLVED. `waiting_since`
//! orders a queue's waiting conversations for assignment (oldest first);
//! `last_assigned_at` on a queue member orders its members for round robin and for the
//! ties of least busy.

use sea_orm_migration::prelude::*;

use crate::columns::{ts_null, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000017_lifecycle"
    }
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    TenantId,
    Id,
    QueueId,
    Status,
    SnoozedUntil,
    WaitingSince,
}

#[derive(DeriveIden)]
enum QueueMembers {
    Table,
    LastAssignedAt,
}

#[derive(DeriveIden)]
enum ConversationChanges {
    Table,
    TenantId,
    Id,
    ConversationId,
    Kind,
    ActorUserId,
    Status,
    QueueId,
    AssigneeId,
    Note,
    Until,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ts_null(Conversations::SnoozedUntil),
            ts_null(Conversations::WaitingSince),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(QueueMembers::Table)
                    .add_column(ts_null(QueueMembers::LastAssignedAt))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE conversations SET status = 'ASSIGNED' \
             WHERE status = 'OPEN' AND assignee_id IS NOT NULL",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE conversations SET waiting_since = opened_at WHERE status = 'OPEN'",
        )
        .await?;
        db.execute_unprepared("DROP INDEX conversations_one_open")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX conversations_one_unresolved ON conversations \
             (tenant_id, channel_id, contact_id) WHERE status <> 'RESOLVED'",
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_waiting")
                    .table(Conversations::Table)
                    .col(Conversations::TenantId)
                    .col(Conversations::QueueId)
                    .col(Conversations::Status)
                    .col(Conversations::WaitingSince)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_snoozed")
                    .table(Conversations::Table)
                    .col(Conversations::Status)
                    .col(Conversations::SnoozedUntil)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationChanges::Table)
                    .col(uuid(ConversationChanges::TenantId))
                    .col(uuid(ConversationChanges::Id))
                    .col(uuid(ConversationChanges::ConversationId))
                    .col(ColumnDef::new(ConversationChanges::Kind).text().not_null())
                    .col(uuid_null(ConversationChanges::ActorUserId))
                    .col(
                        ColumnDef::new(ConversationChanges::Status)
                            .text()
                            .not_null(),
                    )
                    .col(uuid_null(ConversationChanges::QueueId))
                    .col(uuid_null(ConversationChanges::AssigneeId))
                    .col(ColumnDef::new(ConversationChanges::Note).text().null())
                    .col(ts_null(ConversationChanges::Until))
                    .col(
                        ColumnDef::new(ConversationChanges::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ConversationChanges::TenantId)
                            .col(ConversationChanges::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(ConversationChanges::Table)
                            .from_col(ConversationChanges::TenantId)
                            .from_col(ConversationChanges::ConversationId)
                            .to_tbl(Conversations::Table)
                            .to_col(Conversations::TenantId)
                            .to_col(Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversation_changes_by_conversation")
                    .table(ConversationChanges::Table)
                    .col(ConversationChanges::TenantId)
                    .col(ConversationChanges::ConversationId)
                    .col(ConversationChanges::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConversationChanges::Table).to_owned())
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX conversations_snoozed")
            .await?;
        db.execute_unprepared("DROP INDEX conversations_waiting")
            .await?;
        db.execute_unprepared("DROP INDEX conversations_one_unresolved")
            .await?;
        db.execute_unprepared(
            "UPDATE conversations SET status = 'OPEN' WHERE status IN ('ASSIGNED', 'PENDING')",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX conversations_one_open ON conversations \
             (tenant_id, channel_id, contact_id) WHERE status = 'OPEN'",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(QueueMembers::Table)
                    .drop_column(QueueMembers::LastAssignedAt)
                    .to_owned(),
            )
            .await?;
        for column in [Conversations::SnoozedUntil, Conversations::WaitingSince] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
