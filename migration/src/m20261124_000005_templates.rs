//! Message templates, one row per channel, name and language, mirroring what the provider
//! holds (Twilio contents with their WhatsApp approval, Meta `message_templates`).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000005_templates"
    }
}

#[derive(DeriveIden)]
enum Templates {
    Table,
    TenantId,
    Id,
    ChannelId,
    Name,
    Language,
    Category,
    Status,
    RejectionReason,
    Body,
    HeaderText,
    Footer,
    /// JSON list of quick-reply button titles.
    QuickReplies,
    /// JSON list of the body's placeholder keys, in order.
    Variables,
    ParameterFormat,
    /// Twilio `HX…` content SID or Meta template id.
    ProviderTemplateId,
    CreatedAt,
    UpdatedAt,
    SyncedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let text = |c: Templates| ColumnDef::new(c).text().to_owned();
        let ts = |c: Templates| ColumnDef::new(c).timestamp_with_time_zone().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(Templates::Table)
                    .col(ColumnDef::new(Templates::TenantId).uuid().not_null())
                    .col(ColumnDef::new(Templates::Id).uuid().not_null())
                    .col(ColumnDef::new(Templates::ChannelId).uuid().not_null())
                    .col(text(Templates::Name).not_null())
                    .col(text(Templates::Language).not_null())
                    .col(text(Templates::Category).null())
                    .col(text(Templates::Status).not_null())
                    .col(text(Templates::RejectionReason).null())
                    .col(text(Templates::Body).not_null())
                    .col(text(Templates::HeaderText).null())
                    .col(text(Templates::Footer).null())
                    .col(text(Templates::QuickReplies).not_null())
                    .col(text(Templates::Variables).not_null())
                    .col(text(Templates::ParameterFormat).not_null())
                    .col(text(Templates::ProviderTemplateId).null())
                    .col(ts(Templates::CreatedAt).not_null())
                    .col(ts(Templates::UpdatedAt).not_null())
                    .col(ts(Templates::SyncedAt).null())
                    .primary_key(Index::create().col(Templates::TenantId).col(Templates::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Templates::Table, Templates::TenantId)
                            .to(Alias::new("tenants"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(Templates::Table)
                            .from_col(Templates::TenantId)
                            .from_col(Templates::ChannelId)
                            .to_tbl(Alias::new("channels"))
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
                    .name("templates_by_name")
                    .table(Templates::Table)
                    .col(Templates::TenantId)
                    .col(Templates::ChannelId)
                    .col(Templates::Name)
                    .col(Templates::Language)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Status webhooks find a template by the provider's id.
        manager
            .create_index(
                Index::create()
                    .name("templates_by_provider_id")
                    .table(Templates::Table)
                    .col(Templates::TenantId)
                    .col(Templates::ProviderTemplateId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Templates::Table).to_owned())
            .await
    }
}
