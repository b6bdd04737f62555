//! Customer satisfaction: per queue, whether resolving a conversation asks the customer for
//! a rating and with what question; and each question asked, keyed by the message that
//! asked it, with the conversation, the agent and queue it rates, and the answer once given.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000021_csat"
    }
}

#[derive(DeriveIden)]
enum QueueCsat {
    Table,
    TenantId,
    QueueId,
    Enabled,
    Question,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CsatSurveys {
    Table,
    TenantId,
    MessageId,
    ConversationId,
    ChannelId,
    ContactId,
    QueueId,
    AgentId,
    AskedAt,
    Rating,
    AnsweredAt,
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
    TenantId,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QueueCsat::Table)
                    .col(ColumnDef::new(QueueCsat::TenantId).uuid().not_null())
                    .col(ColumnDef::new(QueueCsat::QueueId).uuid().not_null())
                    .col(ColumnDef::new(QueueCsat::Enabled).boolean().not_null())
                    .col(ColumnDef::new(QueueCsat::Question).text().not_null())
                    .col(
                        ColumnDef::new(QueueCsat::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(QueueCsat::TenantId)
                            .col(QueueCsat::QueueId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(QueueCsat::Table)
                            .from_col(QueueCsat::TenantId)
                            .from_col(QueueCsat::QueueId)
                            .to_tbl(Queues::Table)
                            .to_col(Queues::TenantId)
                            .to_col(Queues::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CsatSurveys::Table)
                    .col(ColumnDef::new(CsatSurveys::TenantId).uuid().not_null())
                    .col(ColumnDef::new(CsatSurveys::MessageId).uuid().not_null())
                    .col(
                        ColumnDef::new(CsatSurveys::ConversationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CsatSurveys::ChannelId).uuid().not_null())
                    .col(ColumnDef::new(CsatSurveys::ContactId).uuid().not_null())
                    // Kept when the queue is deleted or the agent leaves: the rating was
                    // given to them.
                    .col(ColumnDef::new(CsatSurveys::QueueId).uuid().null())
                    .col(ColumnDef::new(CsatSurveys::AgentId).uuid().null())
                    .col(
                        ColumnDef::new(CsatSurveys::AskedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CsatSurveys::Rating).small_integer().null())
                    .col(
                        ColumnDef::new(CsatSurveys::AnsweredAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CsatSurveys::TenantId)
                            .col(CsatSurveys::MessageId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(CsatSurveys::Table)
                            .from_col(CsatSurveys::TenantId)
                            .from_col(CsatSurveys::ConversationId)
                            .to_tbl(Conversations::Table)
                            .to_col(Conversations::TenantId)
                            .to_col(Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The pending question of a contact on a channel, when a reply comes in.
        manager
            .create_index(
                Index::create()
                    .name("csat_surveys_contact")
                    .table(CsatSurveys::Table)
                    .col(CsatSurveys::TenantId)
                    .col(CsatSurveys::ChannelId)
                    .col(CsatSurveys::ContactId)
                    .col(CsatSurveys::AskedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("csat_surveys_conversation")
                    .table(CsatSurveys::Table)
                    .col(CsatSurveys::TenantId)
                    .col(CsatSurveys::ConversationId)
                    .to_owned(),
            )
            .await?;
        // Stats: the ratings given in a period.
        manager
            .create_index(
                Index::create()
                    .name("csat_surveys_answered")
                    .table(CsatSurveys::Table)
                    .col(CsatSurveys::TenantId)
                    .col(CsatSurveys::AnsweredAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CsatSurveys::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(QueueCsat::Table).to_owned())
            .await
    }
}
