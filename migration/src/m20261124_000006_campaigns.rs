//! Bulk sends: a campaign sends one approved template to many recipients, each with their
//! own variables. Recipients are dispatched in small batches, each recipient's message and
//! outbox job created in the same transaction that marks it queued, so a restart never
//! messages anyone twice.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000006_campaigns"
    }
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    TenantId,
    Id,
    ChannelId,
    TemplateId,
    Name,
    /// DRAFT, SCHEDULED, RUNNING, PAUSED, COMPLETED, CANCELLED.
    State,
    /// Why a running campaign stopped by itself (its template was paused, …).
    StateReason,
    StartAt,
    RecipientCount,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum CampaignRecipients {
    Table,
    TenantId,
    Id,
    CampaignId,
    Position,
    /// As given; E.164 when valid.
    Phone,
    /// JSON object of the recipient's template variables.
    Variables,
    /// PENDING, QUEUED or SKIPPED.
    State,
    SkipReason,
    MessageId,
    UpdatedAt,
}

fn index(name: &str, table: impl IntoIden + 'static, cols: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(Alias::new(*col));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let ts = |c: Campaigns| ColumnDef::new(c).timestamp_with_time_zone().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .col(ColumnDef::new(Campaigns::TenantId).uuid().not_null())
                    .col(ColumnDef::new(Campaigns::Id).uuid().not_null())
                    .col(ColumnDef::new(Campaigns::ChannelId).uuid().not_null())
                    .col(ColumnDef::new(Campaigns::TemplateId).uuid().not_null())
                    .col(ColumnDef::new(Campaigns::Name).text().not_null())
                    .col(ColumnDef::new(Campaigns::State).text().not_null())
                    .col(ColumnDef::new(Campaigns::StateReason).text().null())
                    .col(ts(Campaigns::StartAt).null())
                    .col(
                        ColumnDef::new(Campaigns::RecipientCount)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Campaigns::CreatedBy).text().not_null())
                    .col(ts(Campaigns::CreatedAt).not_null())
                    .col(ts(Campaigns::UpdatedAt).not_null())
                    .col(ts(Campaigns::StartedAt).null())
                    .col(ts(Campaigns::FinishedAt).null())
                    .primary_key(Index::create().col(Campaigns::TenantId).col(Campaigns::Id))
                    .to_owned(),
            )
            .await?;
        // The dispatcher looks for running and due campaigns across tenants.
        manager
            .create_index(index(
                "campaigns_state_start_at",
                Campaigns::Table,
                &["state", "start_at"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CampaignRecipients::Table)
                    .col(
                        ColumnDef::new(CampaignRecipients::TenantId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CampaignRecipients::Id).uuid().not_null())
                    .col(
                        ColumnDef::new(CampaignRecipients::CampaignId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CampaignRecipients::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CampaignRecipients::Phone).text().not_null())
                    .col(
                        ColumnDef::new(CampaignRecipients::Variables)
                            .text()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CampaignRecipients::State).text().not_null())
                    .col(ColumnDef::new(CampaignRecipients::SkipReason).text().null())
                    .col(ColumnDef::new(CampaignRecipients::MessageId).uuid().null())
                    .col(
                        ColumnDef::new(CampaignRecipients::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CampaignRecipients::TenantId)
                            .col(CampaignRecipients::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(CampaignRecipients::Table)
                            .from_col(CampaignRecipients::TenantId)
                            .from_col(CampaignRecipients::CampaignId)
                            .to_tbl(Campaigns::Table)
                            .to_col(Campaigns::TenantId)
                            .to_col(Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "campaign_recipients_position",
                    CampaignRecipients::Table,
                    &["tenant_id", "campaign_id", "position"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "campaign_recipients_state",
                CampaignRecipients::Table,
                &["tenant_id", "campaign_id", "state", "position"],
            ))
            .await?;
        manager
            .create_index(index(
                "campaign_recipients_message",
                CampaignRecipients::Table,
                &["tenant_id", "message_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CampaignRecipients::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Campaigns::Table).to_owned())
            .await
    }
}
