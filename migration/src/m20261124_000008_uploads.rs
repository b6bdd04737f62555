//! Media a tenant uploads to send: kept in the media store, served to the provider through a
//! short-lived signed link.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000008_uploads"
    }
}

#[derive(DeriveIden)]
enum Uploads {
    Table,
    TenantId,
    Id,
    ContentType,
    Filename,
    SizeBytes,
    Sha256,
    StorageKey,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Uploads::Table)
                    .col(ColumnDef::new(Uploads::TenantId).uuid().not_null())
                    .col(ColumnDef::new(Uploads::Id).uuid().not_null())
                    .col(ColumnDef::new(Uploads::ContentType).text().not_null())
                    .col(ColumnDef::new(Uploads::Filename).text().null())
                    .col(ColumnDef::new(Uploads::SizeBytes).big_integer().not_null())
                    .col(ColumnDef::new(Uploads::Sha256).text().not_null())
                    .col(ColumnDef::new(Uploads::StorageKey).text().not_null())
                    .col(ColumnDef::new(Uploads::CreatedBy).text().not_null())
                    .col(
                        ColumnDef::new(Uploads::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(Index::create().col(Uploads::TenantId).col(Uploads::Id))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Uploads::Table).to_owned())
            .await
    }
}
