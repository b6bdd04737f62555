//! Orders SQLite's text index by message time, so a search reads its page from the index in
//! page order and stops when the page is full, instead of resolving every match first.
//!
//! An FTS5 row is found by an integer rowid, and FTS5 walks a match in rowid order (either
//! way). Each message's search rowid is now the millisecond of its UUIDv7 id shifted left by
//! 20 bits, plus its place among the messages of that millisecond: rowid order is message
//! order to the millisecond, and a millisecond's messages are few enough to fetch whole and
//! order by id (see `store::messages::search`). PostgreSQL is unchanged.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000030_message_search_order"
    }
}

/// Bits of a search rowid below the millisecond (must match `store::messages::search`).
const SLOT_BITS: u32 = 20;

/// The millisecond in the UUIDv7 `id` (an SQL expression on a 16-byte blob): its first 48
/// bits, read from the blob's hexadecimal digits.
fn millis_of(id: &str) -> String {
    (0..12)
        .map(|digit| {
            format!(
                "(instr('123456789ABCDEF', substr(hex({id}), {}, 1)) << {})",
                digit + 1,
                4 * (11 - digit)
            )
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Inserts the search key of message `id` of tenant `tenant`: the next free slot of the id's
/// millisecond.
fn insert_key(tenant: &str, id: &str, when: &str) -> String {
    format!(
        "INSERT INTO message_search_keys (search_rowid, tenant_id, message_id)
            SELECT coalesce(
                (SELECT max(search_rowid) + 1 FROM message_search_keys
                    WHERE search_rowid BETWEEN bucket AND bucket + {last}),
                bucket), {tenant}, {id}
            FROM (SELECT ({millis}) << {SLOT_BITS} AS bucket) WHERE {when};",
        last = (1u32 << SLOT_BITS) - 1,
        millis = millis_of(id),
    )
}

fn sqlite_up() -> Vec<String> {
    vec![
        "DROP TRIGGER IF EXISTS messages_search_insert".into(),
        "DROP TRIGGER IF EXISTS messages_search_update".into(),
        // Emptied whole rather than key by key.
        "DROP TRIGGER IF EXISTS message_search_keys_delete".into(),
        "INSERT INTO message_search (message_search) VALUES ('delete-all')".into(),
        "DELETE FROM message_search_keys".into(),
        "CREATE TRIGGER message_search_keys_delete AFTER DELETE ON message_search_keys BEGIN
            DELETE FROM message_search WHERE rowid = old.search_rowid;
        END"
        .into(),
        format!(
            "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
            WHEN new.text IS NOT NULL BEGIN
                {}
                INSERT INTO message_search (rowid, text) VALUES (last_insert_rowid(), new.text);
            END",
            insert_key("new.tenant_id", "new.id", "1")
        ),
        format!(
            "CREATE TRIGGER messages_search_update AFTER UPDATE OF text ON messages BEGIN
                DELETE FROM message_search_keys
                    WHERE tenant_id = old.tenant_id AND message_id = old.id;
                {}
                INSERT INTO message_search (rowid, text)
                    SELECT last_insert_rowid(), new.text WHERE new.text IS NOT NULL;
            END",
            insert_key("new.tenant_id", "new.id", "new.text IS NOT NULL")
        ),
        // The messages stored before this change, numbered within each millisecond.
        format!(
            "INSERT INTO message_search_keys (search_rowid, tenant_id, message_id)
                SELECT (millis << {SLOT_BITS})
                        + row_number() OVER (PARTITION BY millis ORDER BY id, tenant_id) - 1,
                    tenant_id, id
                FROM (SELECT ({}) AS millis, tenant_id, id FROM messages
                    WHERE text IS NOT NULL)",
            millis_of("id")
        ),
        "INSERT INTO message_search (rowid, text)
            SELECT k.search_rowid, m.text FROM message_search_keys k
            JOIN messages m ON m.tenant_id = k.tenant_id AND m.id = k.message_id"
            .into(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        // One script on one connection, as one transaction: a pooled connection that has not
        // seen the triggers dropped would refuse to create them again.
        let script = format!(
            "SAVEPOINT message_search_order;\n{};\nRELEASE message_search_order;",
            sqlite_up().join(";\n")
        );
        manager.get_connection().execute_unprepared(&script).await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The rowids of the previous scheme were only ever distinct: these still are.
        Ok(())
    }
}
