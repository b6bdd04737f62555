//! Contacts, conversations, messages with their status timeline, statuses that arrived
//! before their message, and inbound media attachments.
//!
//! Every table is tenant data keyed by `(tenant_id, id)`. `messages.revision` is a
//! time-ordered id renewed at every change: it orders the change feed that reconnecting
//! subscribers read with `messages(after:)`.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000003_conversations"
    }
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    TenantId,
    Id,
    WaId,
    PhoneNumber,
    ProfileName,
    Name,
    OptedOutAt,
    MarketingOptedOutAt,
    LastInboundAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    TenantId,
    Id,
    ChannelId,
    ContactId,
    Status,
    QueueId,
    AssigneeId,
    LastInboundAt,
    WindowExpiresAt,
    LastMessageAt,
    OpenedAt,
    ResolvedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    TenantId,
    Id,
    Revision,
    ChannelId,
    ConversationId,
    ContactId,
    Direction,
    Status,
    ProviderMessageId,
    Kind,
    Content,
    Text,
    ReplyToProviderId,
    Forwarded,
    Referral,
    ErrorCode,
    ErrorMessage,
    SentAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MessageStatuses {
    Table,
    TenantId,
    Id,
    MessageId,
    Status,
    RawStatus,
    ErrorCode,
    ErrorMessage,
    OccurredAt,
    RecordedAt,
}

#[derive(DeriveIden)]
enum PendingStatuses {
    Table,
    TenantId,
    Id,
    ChannelId,
    ProviderMessageId,
    Status,
    RawStatus,
    ErrorCode,
    ErrorMessage,
    OccurredAt,
    RecordedAt,
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    TenantId,
    Id,
    MessageId,
    Position,
    Reference,
    ContentType,
    Filename,
    Sha256,
    State,
    SizeBytes,
    StorageKey,
    Attempts,
    LastError,
    NextAttemptAt,
    CreatedAt,
    UpdatedAt,
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

fn uuid(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}
fn uuid_null(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().null().to_owned()
}
fn text(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).text().not_null().to_owned()
}
fn text_null(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).text().null().to_owned()
}
fn ts(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}
fn ts_null(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn tenant_fk(table: impl IntoIden + 'static) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, Alias::new("tenant_id"))
        .to(Tenants::Table, Tenants::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden + 'static, cols: Vec<Alias>) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    index.to_owned()
}

fn cols(names: &[&str]) -> Vec<Alias> {
    names.iter().map(|n| Alias::new(*n)).collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(uuid(Contacts::TenantId))
                    .col(uuid(Contacts::Id))
                    .col(text(Contacts::WaId))
                    .col(text(Contacts::PhoneNumber))
                    .col(text_null(Contacts::ProfileName))
                    .col(text_null(Contacts::Name))
                    .col(ts_null(Contacts::OptedOutAt))
                    .col(ts_null(Contacts::MarketingOptedOutAt))
                    .col(ts_null(Contacts::LastInboundAt))
                    .col(ts(Contacts::CreatedAt))
                    .col(ts(Contacts::UpdatedAt))
                    .primary_key(Index::create().col(Contacts::TenantId).col(Contacts::Id))
                    .foreign_key(&mut tenant_fk(Contacts::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "contacts_by_wa_id",
                    Contacts::Table,
                    cols(&["tenant_id", "wa_id"]),
                )
                .unique()
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(uuid(Conversations::TenantId))
                    .col(uuid(Conversations::Id))
                    .col(uuid(Conversations::ChannelId))
                    .col(uuid(Conversations::ContactId))
                    .col(text(Conversations::Status))
                    .col(uuid_null(Conversations::QueueId))
                    .col(uuid_null(Conversations::AssigneeId))
                    .col(ts_null(Conversations::LastInboundAt))
                    .col(ts_null(Conversations::WindowExpiresAt))
                    .col(ts(Conversations::LastMessageAt))
                    .col(ts(Conversations::OpenedAt))
                    .col(ts_null(Conversations::ResolvedAt))
                    .col(ts(Conversations::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(Conversations::TenantId)
                            .col(Conversations::Id),
                    )
                    .foreign_key(&mut tenant_fk(Conversations::Table))
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(Conversations::Table)
                            .from_col(Conversations::TenantId)
                            .from_col(Conversations::ChannelId)
                            .to_tbl(Channels::Table)
                            .to_col(Channels::TenantId)
                            .to_col(Channels::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(Conversations::Table)
                            .from_col(Conversations::TenantId)
                            .from_col(Conversations::ContactId)
                            .to_tbl(Contacts::Table)
                            .to_col(Contacts::TenantId)
                            .to_col(Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One open conversation per contact and channel; both databases take a partial
        // unique index.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX conversations_one_open ON conversations \
                 (tenant_id, channel_id, contact_id) WHERE status = 'OPEN'",
            )
            .await?;
        manager
            .create_index(index(
                "conversations_by_activity",
                Conversations::Table,
                cols(&["tenant_id", "status", "last_message_at"]),
            ))
            .await?;
        manager
            .create_index(index(
                "conversations_by_contact",
                Conversations::Table,
                cols(&["tenant_id", "contact_id"]),
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(uuid(Messages::TenantId))
                    .col(uuid(Messages::Id))
                    .col(uuid(Messages::Revision))
                    .col(uuid(Messages::ChannelId))
                    .col(uuid_null(Messages::ConversationId))
                    .col(uuid(Messages::ContactId))
                    .col(text(Messages::Direction))
                    .col(text(Messages::Status))
                    .col(text_null(Messages::ProviderMessageId))
                    .col(text(Messages::Kind))
                    .col(text(Messages::Content))
                    .col(text_null(Messages::Text))
                    .col(text_null(Messages::ReplyToProviderId))
                    .col(
                        ColumnDef::new(Messages::Forwarded)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(text_null(Messages::Referral))
                    .col(text_null(Messages::ErrorCode))
                    .col(text_null(Messages::ErrorMessage))
                    .col(ts(Messages::SentAt))
                    .col(ts(Messages::CreatedAt))
                    .col(ts(Messages::UpdatedAt))
                    .primary_key(Index::create().col(Messages::TenantId).col(Messages::Id))
                    .foreign_key(&mut tenant_fk(Messages::Table))
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(Messages::Table)
                            .from_col(Messages::TenantId)
                            .from_col(Messages::ChannelId)
                            .to_tbl(Channels::Table)
                            .to_col(Channels::TenantId)
                            .to_col(Channels::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A replayed webhook finds its message here and is a no-op.
        manager
            .create_index(
                index(
                    "messages_by_provider_id",
                    Messages::Table,
                    cols(&["tenant_id", "channel_id", "provider_message_id"]),
                )
                .unique()
                .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("messages_by_revision", vec!["tenant_id", "revision"]),
            (
                "messages_by_conversation",
                vec!["tenant_id", "conversation_id", "id"],
            ),
            ("messages_by_contact", vec!["tenant_id", "contact_id", "id"]),
            ("messages_by_channel", vec!["tenant_id", "channel_id", "id"]),
        ] {
            manager
                .create_index(index(name, Messages::Table, cols(&columns)))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(MessageStatuses::Table)
                    .col(uuid(MessageStatuses::TenantId))
                    .col(uuid(MessageStatuses::Id))
                    .col(uuid(MessageStatuses::MessageId))
                    .col(text(MessageStatuses::Status))
                    .col(text(MessageStatuses::RawStatus))
                    .col(text_null(MessageStatuses::ErrorCode))
                    .col(text_null(MessageStatuses::ErrorMessage))
                    .col(ts(MessageStatuses::OccurredAt))
                    .col(ts(MessageStatuses::RecordedAt))
                    .primary_key(
                        Index::create()
                            .col(MessageStatuses::TenantId)
                            .col(MessageStatuses::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(MessageStatuses::Table)
                            .from_col(MessageStatuses::TenantId)
                            .from_col(MessageStatuses::MessageId)
                            .to_tbl(Messages::Table)
                            .to_col(Messages::TenantId)
                            .to_col(Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Providers repeat statuses; each (message, provider status) is kept once.
        manager
            .create_index(
                index(
                    "message_statuses_once",
                    MessageStatuses::Table,
                    cols(&["tenant_id", "message_id", "raw_status"]),
                )
                .unique()
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PendingStatuses::Table)
                    .col(uuid(PendingStatuses::TenantId))
                    .col(uuid(PendingStatuses::Id))
                    .col(uuid(PendingStatuses::ChannelId))
                    .col(text(PendingStatuses::ProviderMessageId))
                    .col(text(PendingStatuses::Status))
                    .col(text(PendingStatuses::RawStatus))
                    .col(text_null(PendingStatuses::ErrorCode))
                    .col(text_null(PendingStatuses::ErrorMessage))
                    .col(ts(PendingStatuses::OccurredAt))
                    .col(ts(PendingStatuses::RecordedAt))
                    .primary_key(
                        Index::create()
                            .col(PendingStatuses::TenantId)
                            .col(PendingStatuses::Id),
                    )
                    .foreign_key(&mut tenant_fk(PendingStatuses::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "pending_statuses_once",
                    PendingStatuses::Table,
                    cols(&[
                        "tenant_id",
                        "channel_id",
                        "provider_message_id",
                        "raw_status",
                    ]),
                )
                .unique()
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attachments::Table)
                    .col(uuid(Attachments::TenantId))
                    .col(uuid(Attachments::Id))
                    .col(uuid(Attachments::MessageId))
                    .col(ColumnDef::new(Attachments::Position).integer().not_null())
                    .col(text(Attachments::Reference))
                    .col(text_null(Attachments::ContentType))
                    .col(text_null(Attachments::Filename))
                    .col(text_null(Attachments::Sha256))
                    .col(text(Attachments::State))
                    .col(ColumnDef::new(Attachments::SizeBytes).big_integer().null())
                    .col(text_null(Attachments::StorageKey))
                    .col(
                        ColumnDef::new(Attachments::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(text_null(Attachments::LastError))
                    .col(ts_null(Attachments::NextAttemptAt))
                    .col(ts(Attachments::CreatedAt))
                    .col(ts(Attachments::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(Attachments::TenantId)
                            .col(Attachments::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(Attachments::Table)
                            .from_col(Attachments::TenantId)
                            .from_col(Attachments::MessageId)
                            .to_tbl(Messages::Table)
                            .to_col(Messages::TenantId)
                            .to_col(Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "attachments_by_message",
                Attachments::Table,
                cols(&["tenant_id", "message_id"]),
            ))
            .await?;
        // The media fetcher's queue: due attachments across tenants.
        manager
            .create_index(index(
                "attachments_due",
                Attachments::Table,
                cols(&["state", "next_attempt_at"]),
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Attachments::Table.into_iden(),
            PendingStatuses::Table.into_iden(),
            MessageStatuses::Table.into_iden(),
            Messages::Table.into_iden(),
            Conversations::Table.into_iden(),
            Contacts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
