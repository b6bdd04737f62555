//! Channels with sealed provider credentials, and the deployment-wide routing keys that make
//! a webhook key, a sender number or a Meta phone number id belong to one channel.
//!
//! `channel_keys` is the one tenant-less lookup table: its key is global by nature (a
//! webhook arrives before its tenant is known; a WhatsApp number exists once in the world).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000002_channels"
    }
}

#[derive(DeriveIden)]
enum Channels {
    Table,
    TenantId,
    Id,
    Name,
    Provider,
    PhoneNumber,
    ProviderConfig,
    SealedToken,
    SealedSecret,
    CredentialHint,
    WebhookKey,
    VerifyToken,
    Settings,
    VerifiedAt,
    VerifiedName,
    VerifiedNumber,
    QualityRating,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ChannelKeys {
    Table,
    Key,
    TenantId,
    ChannelId,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let text = |c: Channels| ColumnDef::new(c).text().not_null().to_owned();
        let text_null = |c: Channels| ColumnDef::new(c).text().null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(Channels::Table)
                    .col(ColumnDef::new(Channels::TenantId).uuid().not_null())
                    .col(ColumnDef::new(Channels::Id).uuid().not_null())
                    .col(text(Channels::Name))
                    .col(text(Channels::Provider))
                    .col(text(Channels::PhoneNumber))
                    .col(text(Channels::ProviderConfig))
                    .col(text(Channels::SealedToken))
                    .col(text_null(Channels::SealedSecret))
                    .col(text(Channels::CredentialHint))
                    .col(text(Channels::WebhookKey))
                    .col(text_null(Channels::VerifyToken))
                    .col(text(Channels::Settings))
                    .col(
                        ColumnDef::new(Channels::VerifiedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(text_null(Channels::VerifiedName))
                    .col(text_null(Channels::VerifiedNumber))
                    .col(text_null(Channels::QualityRating))
                    .col(
                        ColumnDef::new(Channels::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Channels::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(Index::create().col(Channels::TenantId).col(Channels::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Channels::Table, Channels::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ChannelKeys::Table)
                    .col(
                        ColumnDef::new(ChannelKeys::Key)
                            .text()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ChannelKeys::TenantId).uuid().not_null())
                    .col(ColumnDef::new(ChannelKeys::ChannelId).uuid().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(ChannelKeys::Table)
                            .from_col(ChannelKeys::TenantId)
                            .from_col(ChannelKeys::ChannelId)
                            .to_tbl(Channels::Table)
                            .to_col(Channels::TenantId)
                            .to_col(Channels::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("channel_keys_by_channel")
                    .table(ChannelKeys::Table)
                    .col(ChannelKeys::TenantId)
                    .col(ChannelKeys::ChannelId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChannelKeys::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Channels::Table).to_owned())
            .await
    }
}
