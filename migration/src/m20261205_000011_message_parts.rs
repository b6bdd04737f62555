//! A split text keeps its parts together, and outbound media keeps what was sent.
//!
//! `messages.split_of` names the first part of a long text sent in parts (null on the first
//! part and on any message sent whole); `part_number` and `part_count` place a part among
//! them. `attachments.origin` says where a file came from: `FETCHED` from the provider
//! (inbound), or sent by us from an `UPLOAD` or a public `LINK`.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000011_message_parts"
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    TenantId,
    SplitOf,
    PartNumber,
    PartCount,
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Origin,
}

const PARTS_INDEX: &str = "messages_by_split";

/// SQLite alters one column a statement.
async fn add(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).add_column(column).to_owned())
        .await
}

async fn drop(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            Messages::Table,
            ColumnDef::new(Messages::SplitOf).uuid().null().to_owned(),
        )
        .await?;
        add(
            manager,
            Messages::Table,
            ColumnDef::new(Messages::PartNumber)
                .integer()
                .not_null()
                .default(1)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Messages::Table,
            ColumnDef::new(Messages::PartCount)
                .integer()
                .not_null()
                .default(1)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Attachments::Table,
            ColumnDef::new(Attachments::Origin)
                .text()
                .not_null()
                .default("FETCHED")
                .to_owned(),
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name(PARTS_INDEX)
                    .table(Messages::Table)
                    .col(Messages::TenantId)
                    .col(Messages::SplitOf)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(PARTS_INDEX)
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        drop(manager, Attachments::Table, Attachments::Origin).await?;
        drop(manager, Messages::Table, Messages::PartCount).await?;
        drop(manager, Messages::Table, Messages::PartNumber).await?;
        drop(manager, Messages::Table, Messages::SplitOf).await
    }
}
