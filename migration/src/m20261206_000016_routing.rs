//! Routing rules, in order per tenant: conditions on a new conversation's first message, its
//! channel and contact, and the time; the first rule that holds picks the queue. Each
//! conversation records the decision: the rule (none when the default applied), the queue
//! and when.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000016_routing"
    }
}

#[derive(DeriveIden)]
enum RoutingRules {
    Table,
    TenantId,
    Id,
    Position,
    Name,
    QueueId,
    Conditions,
    Enabled,
    CreatedAt,
    UpdatedAt,
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
    RoutedRuleId,
    RoutedQueueId,
    RoutedAt,
}

fn ts(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoutingRules::Table)
                    .col(ColumnDef::new(RoutingRules::TenantId).uuid().not_null())
                    .col(ColumnDef::new(RoutingRules::Id).uuid().not_null())
                    .col(ColumnDef::new(RoutingRules::Position).integer().not_null())
                    .col(ColumnDef::new(RoutingRules::Name).text().not_null())
                    .col(ColumnDef::new(RoutingRules::QueueId).uuid().not_null())
                    .col(ColumnDef::new(RoutingRules::Conditions).text().not_null())
                    .col(ColumnDef::new(RoutingRules::Enabled).boolean().not_null())
                    .col(ts(RoutingRules::CreatedAt))
                    .col(ts(RoutingRules::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(RoutingRules::TenantId)
                            .col(RoutingRules::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RoutingRules::Table,
                                (RoutingRules::TenantId, RoutingRules::QueueId),
                            )
                            .to(Queues::Table, (Queues::TenantId, Queues::Id)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("routing_rules_in_order")
                    .table(RoutingRules::Table)
                    .col(RoutingRules::TenantId)
                    .col(RoutingRules::Position)
                    .to_owned(),
            )
            .await?;
        for column in [
            ColumnDef::new(Conversations::RoutedRuleId)
                .uuid()
                .null()
                .to_owned(),
            ColumnDef::new(Conversations::RoutedQueueId)
                .uuid()
                .null()
                .to_owned(),
            ColumnDef::new(Conversations::RoutedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            // One column per statement: SQLite adds one at a time.
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Conversations::RoutedRuleId,
            Conversations::RoutedQueueId,
            Conversations::RoutedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(RoutingRules::Table).to_owned())
            .await
    }
}
