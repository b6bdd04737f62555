//! An index for `messages(filter: {text})`, which finds messages whose text contains the
//! search term, in any case. Both databases index trigrams, so substring search keeps working:
//!
//! - SQLite: an FTS5 table with the `trigram` tokenizer (case-folded per Unicode character),
//!   contentless so the text is not stored twice. FTS5 rows are found by an integer rowid;
//!   messages are keyed by `(tenant_id, id)` and their own rowid may change on `VACUUM`, so
//!   `message_search_keys` hands out the FTS rowid of each message with text. Triggers on
//!   `messages` keep both in step, so every insert, text change and deletion (an erased
//!   contact's messages included) reaches the index in the same transaction.
//! - PostgreSQL: a `pg_trgm` GIN index on the text lowered with the ICU root collation, so
//!   case folds the same way whatever locale the cluster was created with.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000026_message_search"
    }
}

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE message_search_keys (
        search_rowid INTEGER PRIMARY KEY,
        tenant_id BLOB NOT NULL,
        message_id BLOB NOT NULL,
        UNIQUE (tenant_id, message_id)
    )",
    "CREATE VIRTUAL TABLE message_search USING fts5(
        text, content = '', contentless_delete = 1, tokenize = 'trigram'
    )",
    // A key going takes its index entry with it.
    "CREATE TRIGGER message_search_keys_delete AFTER DELETE ON message_search_keys BEGIN
        DELETE FROM message_search WHERE rowid = old.search_rowid;
    END",
    "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
    WHEN new.text IS NOT NULL BEGIN
        INSERT INTO message_search_keys (tenant_id, message_id) VALUES (new.tenant_id, new.id);
        INSERT INTO message_search (rowid, text) VALUES (last_insert_rowid(), new.text);
    END",
    "CREATE TRIGGER messages_search_update AFTER UPDATE OF text ON messages BEGIN
        DELETE FROM message_search_keys WHERE tenant_id = old.tenant_id AND message_id = old.id;
        INSERT INTO message_search_keys (tenant_id, message_id)
            SELECT new.tenant_id, new.id WHERE new.text IS NOT NULL;
        INSERT INTO message_search (rowid, text)
            SELECT last_insert_rowid(), new.text WHERE new.text IS NOT NULL;
    END",
    "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM message_search_keys WHERE tenant_id = old.tenant_id AND message_id = old.id;
    END",
    // The messages stored before this change.
    "INSERT INTO message_search_keys (tenant_id, message_id)
        SELECT tenant_id, id FROM messages WHERE text IS NOT NULL ORDER BY tenant_id, id",
    "INSERT INTO message_search (rowid, text)
        SELECT k.search_rowid, m.text FROM message_search_keys k
        JOIN messages m ON m.tenant_id = k.tenant_id AND m.id = k.message_id",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER messages_search_delete",
    "DROP TRIGGER messages_search_update",
    "DROP TRIGGER messages_search_insert",
    "DROP TRIGGER message_search_keys_delete",
    "DROP TABLE message_search",
    "DROP TABLE message_search_keys",
];

const POSTGRES_UP: &[&str] = &[
    // Trusted since PostgreSQL 13: a database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX messages_by_text ON messages
        USING gin (lower(text COLLATE \"und-x-icu\") gin_trgm_ops)",
];

const POSTGRES_DOWN: &[&str] = &["DROP INDEX messages_by_text"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        run(manager, statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_DOWN,
            _ => SQLITE_DOWN,
        };
        run(manager, statements).await
    }
}

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}
