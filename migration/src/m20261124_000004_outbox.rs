//! The durable outbox: one job per outbound message, claimed by workers under a lease, and
//! every delivery attempt recorded. Messages gain an idempotency key, unique per tenant.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000004_outbox"
    }
}

#[derive(DeriveIden)]
enum OutboxJobs {
    Table,
    TenantId,
    Id,
    MessageId,
    ChannelId,
    /// The message this one waits for: the previous part of a split text.
    Follows,
    State,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DeliveryAttempts {
    Table,
    TenantId,
    Id,
    MessageId,
    Number,
    StartedAt,
    DurationMs,
    Request,
    HttpStatus,
    Outcome,
    ProviderCode,
    ProviderMessage,
    ProviderMessageId,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    IdempotencyKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let ts = |c: OutboxJobs| ColumnDef::new(c).timestamp_with_time_zone().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(OutboxJobs::Table)
                    .col(ColumnDef::new(OutboxJobs::TenantId).uuid().not_null())
                    .col(ColumnDef::new(OutboxJobs::Id).uuid().not_null())
                    .col(ColumnDef::new(OutboxJobs::MessageId).uuid().not_null())
                    .col(ColumnDef::new(OutboxJobs::ChannelId).uuid().not_null())
                    .col(ColumnDef::new(OutboxJobs::Follows).uuid().null())
                    .col(ColumnDef::new(OutboxJobs::State).text().not_null())
                    .col(
                        ColumnDef::new(OutboxJobs::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ts(OutboxJobs::NextAttemptAt).not_null())
                    .col(ts(OutboxJobs::LeaseUntil).null())
                    .col(ts(OutboxJobs::CreatedAt).not_null())
                    .col(ts(OutboxJobs::UpdatedAt).not_null())
                    .primary_key(
                        Index::create()
                            .col(OutboxJobs::TenantId)
                            .col(OutboxJobs::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(OutboxJobs::Table)
                            .from_col(OutboxJobs::TenantId)
                            .from_col(OutboxJobs::MessageId)
                            .to_tbl(Alias::new("messages"))
                            .to_col(Alias::new("tenant_id"))
                            .to_col(Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Workers look for due jobs across tenants.
        manager
            .create_index(
                Index::create()
                    .name("outbox_jobs_due")
                    .table(OutboxJobs::Table)
                    .col(OutboxJobs::State)
                    .col(OutboxJobs::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_jobs_by_follows")
                    .table(OutboxJobs::Table)
                    .col(OutboxJobs::TenantId)
                    .col(OutboxJobs::Follows)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_jobs_by_message")
                    .table(OutboxJobs::Table)
                    .col(OutboxJobs::TenantId)
                    .col(OutboxJobs::MessageId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeliveryAttempts::Table)
                    .col(ColumnDef::new(DeliveryAttempts::TenantId).uuid().not_null())
                    .col(ColumnDef::new(DeliveryAttempts::Id).uuid().not_null())
                    .col(
                        ColumnDef::new(DeliveryAttempts::MessageId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DeliveryAttempts::Number)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DeliveryAttempts::StartedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DeliveryAttempts::DurationMs)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(DeliveryAttempts::Request).text().not_null())
                    .col(
                        ColumnDef::new(DeliveryAttempts::HttpStatus)
                            .integer()
                            .null(),
                    )
                    .col(ColumnDef::new(DeliveryAttempts::Outcome).text().not_null())
                    .col(ColumnDef::new(DeliveryAttempts::ProviderCode).text().null())
                    .col(
                        ColumnDef::new(DeliveryAttempts::ProviderMessage)
                            .text()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(DeliveryAttempts::ProviderMessageId)
                            .text()
                            .null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(DeliveryAttempts::TenantId)
                            .col(DeliveryAttempts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(DeliveryAttempts::Table)
                            .from_col(DeliveryAttempts::TenantId)
                            .from_col(DeliveryAttempts::MessageId)
                            .to_tbl(Alias::new("messages"))
                            .to_col(Alias::new("tenant_id"))
                            .to_col(Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("delivery_attempts_by_message")
                    .table(DeliveryAttempts::Table)
                    .col(DeliveryAttempts::TenantId)
                    .col(DeliveryAttempts::MessageId)
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(ColumnDef::new(Messages::IdempotencyKey).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("messages_by_idempotency_key")
                    .table(Messages::Table)
                    .col(Alias::new("tenant_id"))
                    .col(Messages::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("messages_by_idempotency_key")
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(Messages::IdempotencyKey)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(DeliveryAttempts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OutboxJobs::Table).to_owned())
            .await
    }
}
