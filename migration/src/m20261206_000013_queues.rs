//! Queues: where conversations wait to be worked, each with its assignment mode, business
//! hours, language and first-response target, and its members (agents) with their capacity.
//!
//! Every tenant has exactly one default queue (a partial unique index); tenants created
//! before this migration get one named "Default", and their conversations without a queue
//! are put in it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000013_queues"
    }
}

#[derive(DeriveIden)]
enum Queues {
    Table,
    TenantId,
    Id,
    Name,
    NameKey,
    AssignmentMode,
    Language,
    FirstResponseMinutes,
    Hours,
    IsDefault,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QueueMembers {
    Table,
    TenantId,
    QueueId,
    UserId,
    Capacity,
    AddedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    TenantId,
    UserId,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    TenantId,
    QueueId,
}

fn uuid(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}
fn ts(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Queues::Table)
                    .col(uuid(Queues::TenantId))
                    .col(uuid(Queues::Id))
                    .col(ColumnDef::new(Queues::Name).text().not_null())
                    .col(ColumnDef::new(Queues::NameKey).text().not_null())
                    .col(ColumnDef::new(Queues::AssignmentMode).text().not_null())
                    .col(ColumnDef::new(Queues::Language).text().null())
                    .col(
                        ColumnDef::new(Queues::FirstResponseMinutes)
                            .integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Queues::Hours).text().null())
                    .col(ColumnDef::new(Queues::IsDefault).boolean().not_null())
                    .col(ts(Queues::CreatedAt))
                    .col(ts(Queues::UpdatedAt))
                    .primary_key(Index::create().col(Queues::TenantId).col(Queues::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Queues::Table, Queues::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("queues_by_name")
                    .table(Queues::Table)
                    .col(Queues::TenantId)
                    .col(Queues::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX queues_one_default ON queues (tenant_id) WHERE is_default",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QueueMembers::Table)
                    .col(uuid(QueueMembers::TenantId))
                    .col(uuid(QueueMembers::QueueId))
                    .col(uuid(QueueMembers::UserId))
                    .col(ColumnDef::new(QueueMembers::Capacity).integer().not_null())
                    .col(ts(QueueMembers::AddedAt))
                    .primary_key(
                        Index::create()
                            .col(QueueMembers::TenantId)
                            .col(QueueMembers::QueueId)
                            .col(QueueMembers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                QueueMembers::Table,
                                (QueueMembers::TenantId, QueueMembers::QueueId),
                            )
                            .to(Queues::Table, (Queues::TenantId, Queues::Id))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                QueueMembers::Table,
                                (QueueMembers::TenantId, QueueMembers::UserId),
                            )
                            .to(
                                Memberships::Table,
                                (Memberships::TenantId, Memberships::UserId),
                            )
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("queue_members_by_user")
                    .table(QueueMembers::Table)
                    .col(QueueMembers::TenantId)
                    .col(QueueMembers::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_by_queue")
                    .table(Conversations::Table)
                    .col(Conversations::TenantId)
                    .col(Conversations::QueueId)
                    .to_owned(),
            )
            .await?;
        default_queues(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("conversations_by_queue")
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(QueueMembers::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Queues::Table).to_owned())
            .await
    }
}

/// A default queue for each existing tenant, holding its conversations that had none.
async fn default_queues(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = db.get_database_backend();
    let select = Query::select()
        .column(Tenants::Id)
        .from(Tenants::Table)
        .to_owned();
    let tenants = db.query_all(backend.build(&select)).await?;
    let now = chrono::Utc::now();
    for row in tenants {
        let tenant: uuid::Uuid = row.try_get("", "id")?;
        let queue = uuid::Uuid::now_v7();
        let insert = Query::insert()
            .into_table(Queues::Table)
            .columns([
                Queues::TenantId,
                Queues::Id,
                Queues::Name,
                Queues::NameKey,
                Queues::AssignmentMode,
                Queues::IsDefault,
                Queues::CreatedAt,
                Queues::UpdatedAt,
            ])
            .values_panic([
                tenant.into(),
                queue.into(),
                "Default".into(),
                "default".into(),
                "MANUAL".into(),
                true.into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        db.execute(backend.build(&insert)).await?;
        let adopt = Query::update()
            .table(Conversations::Table)
            .value(Conversations::QueueId, queue)
            .and_where(Expr::col(Conversations::TenantId).eq(tenant))
            .and_where(Expr::col(Conversations::QueueId).is_null())
            .to_owned();
        db.execute(backend.build(&adopt)).await?;
    }
    Ok(())
}
