//! Automated messages per queue: each queue's settings per kind (welcome, out of hours,
//! waiting too long, resolved), and what each conversation was sent of them, one row per
//! conversation and kind, so that each goes at most once.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000020_automations"
    }
}

#[derive(DeriveIden)]
enum QueueAutomations {
    Table,
    TenantId,
    QueueId,
    Kind,
    Enabled,
    Text,
    TemplateId,
    TemplateVariables,
    AfterMinutes,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConversationAutomations {
    Table,
    TenantId,
    ConversationId,
    Kind,
    MessageId,
    SkippedReason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Queues {
    Table,
    TenantId,
    Id,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    TenantId,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QueueAutomations::Table)
                    .col(ColumnDef::new(QueueAutomations::TenantId).uuid().not_null())
                    .col(ColumnDef::new(QueueAutomations::QueueId).uuid().not_null())
                    .col(ColumnDef::new(QueueAutomations::Kind).string().not_null())
                    .col(
                        ColumnDef::new(QueueAutomations::Enabled)
                            .boolean()
                            .not_null(),
                    )
                    .col(ColumnDef::new(QueueAutomations::Text).text())
                    .col(ColumnDef::new(QueueAutomations::TemplateId).uuid())
                    .col(ColumnDef::new(QueueAutomations::TemplateVariables).text())
                    .col(ColumnDef::new(QueueAutomations::AfterMinutes).integer())
                    .col(
                        ColumnDef::new(QueueAutomations::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(QueueAutomations::TenantId)
                            .col(QueueAutomations::QueueId)
                            .col(QueueAutomations::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(QueueAutomations::Table)
                            .from_col(QueueAutomations::TenantId)
                            .from_col(QueueAutomations::QueueId)
                            .to_tbl(Queues::Table)
                            .to_col(Queues::TenantId)
                            .to_col(Queues::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationAutomations::Table)
                    .col(
                        ColumnDef::new(ConversationAutomations::TenantId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ConversationAutomations::ConversationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ConversationAutomations::Kind)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ConversationAutomations::MessageId).uuid())
                    .col(ColumnDef::new(ConversationAutomations::SkippedReason).text())
                    .col(
                        ColumnDef::new(ConversationAutomations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ConversationAutomations::TenantId)
                            .col(ConversationAutomations::ConversationId)
                            .col(ConversationAutomations::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(ConversationAutomations::Table)
                            .from_col(ConversationAutomations::TenantId)
                            .from_col(ConversationAutomations::ConversationId)
                            .to_tbl(Conversations::Table)
                            .to_col(Conversations::TenantId)
                            .to_col(Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(ConversationAutomations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(QueueAutomations::Table).to_owned())
            .await
    }
}
