//! What each member has read: per conversation, the time up to which they read it. A
//! conversation's unread messages for a member are the customer's messages stored after it.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000019_reads"
    }
}

#[derive(DeriveIden)]
enum ConversationReads {
    Table,
    TenantId,
    ConversationId,
    UserId,
    ReadAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    TenantId,
    Id,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    TenantId,
    UserId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConversationReads::Table)
                    .col(
                        ColumnDef::new(ConversationReads::TenantId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ConversationReads::ConversationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ConversationReads::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(ConversationReads::ReadAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ConversationReads::TenantId)
                            .col(ConversationReads::UserId)
                            .col(ConversationReads::ConversationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(ConversationReads::Table)
                            .from_col(ConversationReads::TenantId)
                            .from_col(ConversationReads::ConversationId)
                            .to_tbl(Conversations::Table)
                            .to_col(Conversations::TenantId)
                            .to_col(Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(ConversationReads::Table)
                            .from_col(ConversationReads::TenantId)
                            .from_col(ConversationReads::UserId)
                            .to_tbl(Memberships::Table)
                            .to_col(Memberships::TenantId)
                            .to_col(Memberships::UserId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConversationReads::Table).to_owned())
            .await
    }
}
