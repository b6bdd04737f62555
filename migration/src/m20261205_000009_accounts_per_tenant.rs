//! Accounts are per tenant: each user gets its home tenant (`users.tenant_id`, NULL for a
//! platform admin, filled from the user's membership), and an e-mail address is unique within
//! a tenant and within the platform admins instead of across the deployment. A global unique
//! address let any tenant admin learn, from a CONFLICT, that an address had an account
//! elsewhere.
//!
//! PostgreSQL alters the table in place. SQLite cannot drop a column's UNIQUE constraint, so
//! the table is rebuilt; see [`rebuild_sqlite`] for how the rows pointing at users survive.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::sqlx::{self, Executor, Row};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::SchemaManagerConnection;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000009_accounts_per_tenant"
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Id,
    Email,
    Name,
    PasswordHash,
    IsPlatformAdmin,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
    TenantId,
}

/// The table SQLite rebuilds into before renaming it to `users`.
#[derive(DeriveIden)]
enum UsersRebuilt {
    Table,
}

/// The home tenant of an existing user: the tenant of its oldest membership. Platform admins
/// have none.
const HOME_TENANT: &str = "CASE WHEN u.is_platform_admin THEN NULL ELSE \
     (SELECT m.tenant_id FROM memberships m WHERE m.user_id = u.id \
      ORDER BY m.created_at, m.tenant_id LIMIT 1) END";

const TENANT_EMAIL_INDEX: &str =
    "CREATE UNIQUE INDEX users_email_tenant ON users (email, tenant_id)";
const PLATFORM_EMAIL_INDEX: &str =
    "CREATE UNIQUE INDEX users_platform_email ON users (email) WHERE tenant_id IS NULL";

const COMMON: &str = "id, email, name, password_hash, is_platform_admin, created_at, updated_at, \
     last_login_at";

/// The users table as the foundation made it, or (`per_tenant`) with its home tenant and
/// without the global unique e-mail.
fn users_table(per_tenant: bool) -> TableCreateStatement {
    let mut email = ColumnDef::new(Users::Email);
    email.text().not_null();
    if !per_tenant {
        email.unique_key();
    }
    let mut table = Table::create();
    table
        .table(UsersRebuilt::Table)
        .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
        .col(email)
        .col(ColumnDef::new(Users::Name).text().null())
        .col(ColumnDef::new(Users::PasswordHash).text().not_null())
        .col(
            ColumnDef::new(Users::IsPlatformAdmin)
                .boolean()
                .not_null()
                .default(false),
        )
        .col(
            ColumnDef::new(Users::CreatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(Users::UpdatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(Users::LastLoginAt)
                .timestamp_with_time_zone()
                .null(),
        );
    if per_tenant {
        table
            .col(ColumnDef::new(Users::TenantId).uuid().null())
            .foreign_key(
                ForeignKey::create()
                    .from(UsersRebuilt::Table, Users::TenantId)
                    .to(Tenants::Table, Tenants::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
    }
    table.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                let copy = format!(
                    "INSERT INTO users_rebuilt ({COMMON}, tenant_id) \
                     SELECT {COMMON}, {HOME_TENANT} FROM users u"
                );
                rebuild_sqlite(
                    manager,
                    users_table(true),
                    &copy,
                    &[TENANT_EMAIL_INDEX, PLATFORM_EMAIL_INDEX],
                )
                .await
            }
            _ => {
                let db = manager.get_connection();
                db.execute_unprepared(
                    "ALTER TABLE users ADD COLUMN tenant_id uuid NULL \
                     REFERENCES tenants (id) ON DELETE CASCADE",
                )
                .await?;
                db.execute_unprepared(&format!("UPDATE users u SET tenant_id = {HOME_TENANT}"))
                    .await?;
                // The name PostgreSQL gives a column's UNIQUE constraint.
                db.execute_unprepared("ALTER TABLE users DROP CONSTRAINT users_email_key")
                    .await?;
                db.execute_unprepared(TENANT_EMAIL_INDEX).await?;
                db.execute_unprepared(PLATFORM_EMAIL_INDEX).await?;
                Ok(())
            }
        }
    }

    /// Fails while an address has accounts in more than one tenant: the old schema cannot
    /// hold them.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                let copy =
                    format!("INSERT INTO users_rebuilt ({COMMON}) SELECT {COMMON} FROM users");
                rebuild_sqlite(manager, users_table(false), &copy, &[]).await
            }
            _ => {
                let db = manager.get_connection();
                db.execute_unprepared("DROP INDEX users_platform_email")
                    .await?;
                db.execute_unprepared("DROP INDEX users_email_tenant")
                    .await?;
                db.execute_unprepared("ALTER TABLE users DROP COLUMN tenant_id")
                    .await?;
                db.execute_unprepared(
                    "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)",
                )
                .await?;
                Ok(())
            }
        }
    }
}

/// Replaces SQLite's `users` by a table made from `create` (named `users_rebuilt`), copying
/// the rows with `copy`, then adds `indexes`.
///
/// Memberships and sessions reference users with ON DELETE CASCADE, and with foreign keys
/// enforced, dropping `users` deletes every row of theirs. So this follows SQLite's recipe for
/// schema changes: foreign keys off (which SQLite ignores inside a transaction, so before
/// BEGIN), the rebuild in one transaction, `foreign_key_check` before COMMIT, foreign keys on
/// again. Migrations run on the pool without a transaction, so all of it runs on one
/// connection taken from the pool; if anything fails that connection is closed rather than
/// handed back with foreign keys off.
async fn rebuild_sqlite(
    manager: &SchemaManager<'_>,
    create: TableCreateStatement,
    copy: &str,
    indexes: &[&str],
) -> Result<(), DbErr> {
    let SchemaManagerConnection::Connection(db) = manager.get_connection() else {
        return Err(DbErr::Migration(
            "rebuilding users on SQLite needs a connection, not a transaction".into(),
        ));
    };
    let create = create.to_string(SqliteQueryBuilder);
    let mut conn = db
        .get_sqlite_connection_pool()
        .acquire()
        .await
        .map_err(|e| DbErr::Migration(format!("taking a connection: {e}")))?;
    let mut steps: Vec<&str> = vec![
        "PRAGMA foreign_keys = OFF",
        "BEGIN IMMEDIATE",
        &create,
        copy,
        "DROP TABLE users",
        "ALTER TABLE users_rebuilt RENAME TO users",
    ];
    steps.extend_from_slice(indexes);
    let result = async {
        for step in &steps {
            conn.execute(*step).await?;
        }
        let dangling = conn.fetch_all("PRAGMA foreign_key_check").await?;
        if let Some(row) = dangling.first() {
            let table: String = row.try_get(0)?;
            return Err(sqlx::Error::Protocol(format!(
                "{} rows would reference missing rows (first in {table})",
                dangling.len()
            )));
        }
        conn.execute("COMMIT").await?;
        conn.execute("PRAGMA foreign_keys = ON").await?;
        Ok::<(), sqlx::Error>(())
    }
    .await;
    if let Err(e) = result {
        let _ = conn.close().await;
        return Err(DbErr::Migration(format!("rebuilding users: {e}")));
    }
    Ok(())
}
