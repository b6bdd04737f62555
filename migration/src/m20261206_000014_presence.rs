//! Agent presence: the status each member chose (ONLINE, AWAY, OFFLINE) and since when, and
//! the leases that say which members have a live WebSocket on some instance.
//!
//! A lease is one open socket of one member on one instance. The instance renews its
//! leases' expiry while the sockets live and sets it to the closing time when one closes,
//! so a crashed instance's leases simply run out. Closed leases are kept until the grace
//! period after them has passed, since "when the member's last socket closed" is read from
//! them. The index on conversations' assignee serves each member's open-conversation load.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000014_presence"
    }
}

#[derive(DeriveIden)]
enum AgentPresence {
    Table,
    TenantId,
    UserId,
    Status,
    Since,
}

#[derive(DeriveIden)]
enum PresenceLeases {
    Table,
    TenantId,
    Id,
    UserId,
    InstanceId,
    Open,
    ExpiresAt,
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
    AssigneeId,
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

fn member_key(from: impl IntoIden + 'static) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_tbl(from)
        .from_col(Alias::new("tenant_id"))
        .from_col(Alias::new("user_id"))
        .to(
            Memberships::Table,
            (Memberships::TenantId, Memberships::UserId),
        )
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AgentPresence::Table)
                    .col(uuid(AgentPresence::TenantId))
                    .col(uuid(AgentPresence::UserId))
                    .col(ColumnDef::new(AgentPresence::Status).text().not_null())
                    .col(ts(AgentPresence::Since))
                    .primary_key(
                        Index::create()
                            .col(AgentPresence::TenantId)
                            .col(AgentPresence::UserId),
                    )
                    .foreign_key(&mut member_key(AgentPresence::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PresenceLeases::Table)
                    .col(uuid(PresenceLeases::TenantId))
                    .col(uuid(PresenceLeases::Id))
                    .col(uuid(PresenceLeases::UserId))
                    .col(uuid(PresenceLeases::InstanceId))
                    .col(ColumnDef::new(PresenceLeases::Open).boolean().not_null())
                    .col(ts(PresenceLeases::ExpiresAt))
                    .primary_key(
                        Index::create()
                            .col(PresenceLeases::TenantId)
                            .col(PresenceLeases::Id),
                    )
                    .foreign_key(&mut member_key(PresenceLeases::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("presence_leases_by_user")
                    .table(PresenceLeases::Table)
                    .col(PresenceLeases::TenantId)
                    .col(PresenceLeases::UserId)
                    .col(PresenceLeases::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("presence_leases_by_instance")
                    .table(PresenceLeases::Table)
                    .col(PresenceLeases::InstanceId)
                    .col(PresenceLeases::Open)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("presence_leases_by_expiry")
                    .table(PresenceLeases::Table)
                    .col(PresenceLeases::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_by_assignee")
                    .table(Conversations::Table)
                    .col(Conversations::TenantId)
                    .col(Conversations::AssigneeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("conversations_by_assignee")
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(PresenceLeases::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AgentPresence::Table).to_owned())
            .await
    }
}
