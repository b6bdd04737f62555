//! Outgoing webhooks: a tenant's endpoints with their sealed signing secrets (and the
//! previous one while a rotation overlaps), the event types each receives with the GraphQL
//! document that shapes its payload, the durable queue of deliveries (written in the same
//! transaction as the change that caused each event) and every attempt made.

use sea_orm_migration::prelude::*;

use crate::columns::{ts, ts_null, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000022_outgoing_webhooks"
    }
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    TenantId,
    Id,
    Url,
    Description,
    Enabled,
    Role,
    SealedSecret,
    SealedPreviousSecret,
    PreviousSecretUntil,
    FailingSince,
    LastError,
    DisabledReason,
    DisabledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookSubscriptions {
    Table,
    TenantId,
    EndpointId,
    EventType,
    Document,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    TenantId,
    EndpointId,
    EventId,
    EventType,
    SubjectId,
    OrderKey,
    OccurredAt,
    State,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    Body,
    FirstAttemptAt,
    DeliveredAt,
    LastStatus,
    LastError,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    DeliveryId,
    Number,
    TenantId,
    At,
    StatusCode,
    DurationMs,
    Error,
    Excerpt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

fn text(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).text().not_null().to_owned()
}

fn text_null(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).text().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(uuid(WebhookEndpoints::TenantId))
                    .col(uuid(WebhookEndpoints::Id).primary_key())
                    .col(text(WebhookEndpoints::Url))
                    .col(text(WebhookEndpoints::Description))
                    .col(
                        ColumnDef::new(WebhookEndpoints::Enabled)
                            .boolean()
                            .not_null(),
                    )
                    .col(text(WebhookEndpoints::Role))
                    .col(text(WebhookEndpoints::SealedSecret))
                    .col(text_null(WebhookEndpoints::SealedPreviousSecret))
                    .col(ts_null(WebhookEndpoints::PreviousSecretUntil))
                    .col(ts_null(WebhookEndpoints::FailingSince))
                    .col(text_null(WebhookEndpoints::LastError))
                    .col(text_null(WebhookEndpoints::DisabledReason))
                    .col(ts_null(WebhookEndpoints::DisabledAt))
                    .col(ts(WebhookEndpoints::CreatedAt))
                    .col(ts(WebhookEndpoints::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(WebhookEndpoints::Table)
                            .from_col(WebhookEndpoints::TenantId)
                            .to_tbl(Tenants::Table)
                            .to_col(Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_endpoints_tenant")
                    .table(WebhookEndpoints::Table)
                    .col(WebhookEndpoints::TenantId)
                    .col(WebhookEndpoints::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookSubscriptions::Table)
                    .col(uuid(WebhookSubscriptions::TenantId))
                    .col(uuid(WebhookSubscriptions::EndpointId))
                    .col(text(WebhookSubscriptions::EventType))
                    .col(text(WebhookSubscriptions::Document))
                    .primary_key(
                        Index::create()
                            .col(WebhookSubscriptions::EndpointId)
                            .col(WebhookSubscriptions::EventType),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(WebhookSubscriptions::Table)
                            .from_col(WebhookSubscriptions::EndpointId)
                            .to_tbl(WebhookEndpoints::Table)
                            .to_col(WebhookEndpoints::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Which endpoints take an event: read in the transaction of every change.
        manager
            .create_index(
                Index::create()
                    .name("webhook_subscriptions_event")
                    .table(WebhookSubscriptions::Table)
                    .col(WebhookSubscriptions::TenantId)
                    .col(WebhookSubscriptions::EventType)
                    .to_owned(),
            )
            .await?;
        // A database-assigned sequence: deliveries go out in the order they were queued.
        let id = match manager.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Sqlite => {
                ColumnDef::new(WebhookDeliveries::Id)
                    .integer()
                    .not_null()
                    .auto_increment()
                    .primary_key()
                    .to_owned()
            }
            _ => ColumnDef::new(WebhookDeliveries::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key()
                .to_owned(),
        };
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(id)
                    .col(uuid(WebhookDeliveries::TenantId))
                    .col(uuid(WebhookDeliveries::EndpointId))
                    .col(uuid(WebhookDeliveries::EventId))
                    .col(text(WebhookDeliveries::EventType))
                    .col(uuid_null(WebhookDeliveries::SubjectId))
                    .col(uuid(WebhookDeliveries::OrderKey))
                    .col(ts(WebhookDeliveries::OccurredAt))
                    .col(text(WebhookDeliveries::State))
                    .col(
                        ColumnDef::new(WebhookDeliveries::Attempts)
                            .integer()
                            .not_null(),
                    )
                    .col(ts(WebhookDeliveries::NextAttemptAt))
                    .col(ts_null(WebhookDeliveries::LeaseUntil))
                    .col(text_null(WebhookDeliveries::Body))
                    .col(ts_null(WebhookDeliveries::FirstAttemptAt))
                    .col(ts_null(WebhookDeliveries::DeliveredAt))
                    .col(
                        ColumnDef::new(WebhookDeliveries::LastStatus)
                            .integer()
                            .null(),
                    )
                    .col(text_null(WebhookDeliveries::LastError))
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(WebhookDeliveries::Table)
                            .from_col(WebhookDeliveries::EndpointId)
                            .to_tbl(WebhookEndpoints::Table)
                            .to_col(WebhookEndpoints::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The sender's scan: an endpoint's unfinished deliveries in order.
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_queue")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::EndpointId)
                    .col(WebhookDeliveries::State)
                    .col(WebhookDeliveries::Id)
                    .to_owned(),
            )
            .await?;
        // The delivery log and replays: an endpoint's deliveries by when their event happened.
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_log")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::TenantId)
                    .col(WebhookDeliveries::EndpointId)
                    .col(WebhookDeliveries::OccurredAt)
                    .to_owned(),
            )
            .await?;
        // Erasure: the deliveries about one subject.
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_subject")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::TenantId)
                    .col(WebhookDeliveries::SubjectId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(
                        ColumnDef::new(WebhookAttempts::DeliveryId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookAttempts::Number).integer().not_null())
                    .col(uuid(WebhookAttempts::TenantId))
                    .col(ts(WebhookAttempts::At))
                    .col(ColumnDef::new(WebhookAttempts::StatusCode).integer().null())
                    .col(
                        ColumnDef::new(WebhookAttempts::DurationMs)
                            .big_integer()
                            .not_null(),
                    )
                    .col(text_null(WebhookAttempts::Error))
                    .col(text_null(WebhookAttempts::Excerpt))
                    .primary_key(
                        Index::create()
                            .col(WebhookAttempts::DeliveryId)
                            .col(WebhookAttempts::Number),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(WebhookAttempts::Table)
                            .from_col(WebhookAttempts::DeliveryId)
                            .to_tbl(WebhookDeliveries::Table)
                            .to_col(WebhookDeliveries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            WebhookSubscriptions::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
