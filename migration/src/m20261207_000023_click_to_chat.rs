//! Click-to-chat links and the referrals of the conversations they opened.
//!
//! A link belongs to one channel of its tenant and carries a tag, unique within the tenant,
//! that rides in the link's prefilled text. A conversation opened by a message carrying a
//! known tag keeps one referral row: the tag and the link's source as they were then, so
//! it keeps saying where it came from after the link is deleted (`link_id` has no
//! reference for that reason). Deleting a channel takes its links; deleting a conversation
//! takes its referral.

use sea_orm_migration::prelude::*;

use crate::columns::{ts, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000023_click_to_chat"
    }
}

#[derive(DeriveIden)]
enum ClickToChatLinks {
    Table,
    TenantId,
    Id,
    ChannelId,
    Tag,
    Source,
    Text,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ConversationReferrals {
    Table,
    TenantId,
    ConversationId,
    LinkId,
    Tag,
    Source,
    LinkedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Channels {
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

fn tenant_fk(table: impl IntoIden + 'static) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, Alias::new("tenant_id"))
        .to(Tenants::Table, Tenants::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ClickToChatLinks::Table)
                    .col(uuid(ClickToChatLinks::TenantId))
                    .col(uuid(ClickToChatLinks::Id))
                    .col(uuid(ClickToChatLinks::ChannelId))
                    .col(ColumnDef::new(ClickToChatLinks::Tag).text().not_null())
                    .col(ColumnDef::new(ClickToChatLinks::Source).text().not_null())
                    .col(ColumnDef::new(ClickToChatLinks::Text).text().null())
                    .col(ts(ClickToChatLinks::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ClickToChatLinks::TenantId)
                            .col(ClickToChatLinks::Id),
                    )
                    .foreign_key(&mut tenant_fk(ClickToChatLinks::Table))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ClickToChatLinks::Table,
                                (ClickToChatLinks::TenantId, ClickToChatLinks::ChannelId),
                            )
                            .to(Channels::Table, (Channels::TenantId, Channels::Id))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("click_to_chat_links_by_tag")
                    .table(ClickToChatLinks::Table)
                    .col(ClickToChatLinks::TenantId)
                    .col(ClickToChatLinks::Tag)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationReferrals::Table)
                    .col(uuid(ConversationReferrals::TenantId))
                    .col(uuid(ConversationReferrals::ConversationId))
                    .col(uuid_null(ConversationReferrals::LinkId))
                    .col(ColumnDef::new(ConversationReferrals::Tag).text().not_null())
                    .col(
                        ColumnDef::new(ConversationReferrals::Source)
                            .text()
                            .not_null(),
                    )
                    .col(ts(ConversationReferrals::LinkedAt))
                    .primary_key(
                        Index::create()
                            .col(ConversationReferrals::TenantId)
                            .col(ConversationReferrals::ConversationId),
                    )
                    .foreign_key(&mut tenant_fk(ConversationReferrals::Table))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConversationReferrals::Table,
                                (
                                    ConversationReferrals::TenantId,
                                    ConversationReferrals::ConversationId,
                                ),
                            )
                            .to(
                                Conversations::Table,
                                (Conversations::TenantId, Conversations::Id),
                            )
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Counting the conversations each link opened.
        manager
            .create_index(
                Index::create()
                    .name("conversation_referrals_by_link")
                    .table(ConversationReferrals::Table)
                    .col(ConversationReferrals::TenantId)
                    .col(ConversationReferrals::LinkId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConversationReferrals::Table.into_iden(),
            ClickToChatLinks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
