//! Quick replies (a tenant's or a queue's saved texts) and internal notes on conversations.
//!
//! Both tables key on `tenant_id` first and reference their queue, upload and conversation
//! by `(tenant_id, id)`, so a reply or a note can never point into another tenant. A
//! shortcut is unique per tenant and scope (`scope_key`: empty for the tenant's own replies,
//! the queue's id for a queue's), in any case. Deleting a queue moves or deletes its replies
//! first (the service does; the reference has no cascade); deleting a conversation takes
//! its notes with it. A note's author is the user who wrote it (users are deactivated,
//! never deleted).

use sea_orm_migration::prelude::*;

use crate::columns::{ts, uuid};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000018_quick_replies_notes"
    }
}

#[derive(DeriveIden)]
enum QuickReplies {
    Table,
    TenantId,
    Id,
    QueueId,
    ScopeKey,
    Shortcut,
    ShortcutKey,
    Text,
    MediaKind,
    UploadId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConversationNotes {
    Table,
    TenantId,
    Id,
    ConversationId,
    AuthorId,
    Text,
    CreatedAt,
    EditedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Queues {
    Table,
    TenantId,
    Id,
}

#[derive(DeriveIden)]
enum Uploads {
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
                    .table(QuickReplies::Table)
                    .col(uuid(QuickReplies::TenantId))
                    .col(uuid(QuickReplies::Id))
                    .col(ColumnDef::new(QuickReplies::QueueId).uuid().null())
                    .col(ColumnDef::new(QuickReplies::ScopeKey).text().not_null())
                    .col(ColumnDef::new(QuickReplies::Shortcut).text().not_null())
                    .col(ColumnDef::new(QuickReplies::ShortcutKey).text().not_null())
                    .col(ColumnDef::new(QuickReplies::Text).text().not_null())
                    .col(ColumnDef::new(QuickReplies::MediaKind).text().null())
                    .col(ColumnDef::new(QuickReplies::UploadId).uuid().null())
                    .col(ts(QuickReplies::CreatedAt))
                    .col(ts(QuickReplies::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(QuickReplies::TenantId)
                            .col(QuickReplies::Id),
                    )
                    .foreign_key(&mut tenant_fk(QuickReplies::Table))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                QuickReplies::Table,
                                (QuickReplies::TenantId, QuickReplies::QueueId),
                            )
                            .to(Queues::Table, (Queues::TenantId, Queues::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                QuickReplies::Table,
                                (QuickReplies::TenantId, QuickReplies::UploadId),
                            )
                            .to(Uploads::Table, (Uploads::TenantId, Uploads::Id)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("quick_replies_by_shortcut")
                    .table(QuickReplies::Table)
                    .col(QuickReplies::TenantId)
                    .col(QuickReplies::ScopeKey)
                    .col(QuickReplies::ShortcutKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationNotes::Table)
                    .col(uuid(ConversationNotes::TenantId))
                    .col(uuid(ConversationNotes::Id))
                    .col(uuid(ConversationNotes::ConversationId))
                    .col(uuid(ConversationNotes::AuthorId))
                    .col(ColumnDef::new(ConversationNotes::Text).text().not_null())
                    .col(ts(ConversationNotes::CreatedAt))
                    .col(
                        ColumnDef::new(ConversationNotes::EditedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ConversationNotes::TenantId)
                            .col(ConversationNotes::Id),
                    )
                    .foreign_key(&mut tenant_fk(ConversationNotes::Table))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConversationNotes::Table,
                                (
                                    ConversationNotes::TenantId,
                                    ConversationNotes::ConversationId,
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
        // A conversation's notes in order: ids are time-ordered.
        manager
            .create_index(
                Index::create()
                    .name("conversation_notes_by_conversation")
                    .table(ConversationNotes::Table)
                    .col(ConversationNotes::TenantId)
                    .col(ConversationNotes::ConversationId)
                    .col(ConversationNotes::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConversationNotes::Table.into_iden(),
            QuickReplies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
