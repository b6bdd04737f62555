//! Indexes for message history at scale: every `messages(filter:)` equality filter, alone or
//! with its channel, has an index that ends with `id`, so a page is a range scan in id order
//! that stops at the page size. Date bounds become id bounds (ids are UUIDv7 minted with the
//! row), so they narrow every one of these scans too.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000007_history_indexes"
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
}

const INDEXES: [(&str, &[&str]); 4] = [
    ("messages_by_status", &["tenant_id", "status", "id"]),
    ("messages_by_direction", &["tenant_id", "direction", "id"]),
    (
        "messages_by_channel_status",
        &["tenant_id", "channel_id", "status", "id"],
    ),
    (
        "messages_by_channel_direction",
        &["tenant_id", "channel_id", "direction", "id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(Messages::Table);
            for column in columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Messages::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}
