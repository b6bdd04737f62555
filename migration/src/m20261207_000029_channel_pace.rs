//! Each channel's send pace, shared by every instance: the theoretical arrival time of the
//! next send (GCRA), in microseconds since the Unix epoch. A send reserves its slot by
//! moving it forward in one statement, so a channel's messages-per-second limit holds
//! across instances as it does within one.

use sea_orm_migration::prelude::*;

use crate::columns::uuid;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000029_channel_pace"
    }
}

#[derive(DeriveIden)]
enum ChannelPace {
    Table,
    TenantId,
    ChannelId,
    TatMicros,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChannelPace::Table)
                    .col(uuid(ChannelPace::TenantId))
                    .col(uuid(ChannelPace::ChannelId))
                    .col(
                        ColumnDef::new(ChannelPace::TatMicros)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ChannelPace::TenantId)
                            .col(ChannelPace::ChannelId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChannelPace::Table).to_owned())
            .await
    }
}
