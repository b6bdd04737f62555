//! A database per test: a SQLite file in the test's directory, or a new PostgreSQL database
//! in the cluster named by `SWITCHBOARD_TEST_POSTGRES_URL` (started by `tests/run`).

use std::path::Path;

use sea_orm::{ConnectionTrait, Database};

pub const POSTGRES_ENV: &str = "SWITCHBOARD_TEST_POSTGRES_URL";

pub fn on_postgres() -> bool {
    std::env::var_os(POSTGRES_ENV).is_some()
}

/// A test's database: its URL, and for PostgreSQL the database that is dropped when this
/// goes away (a SQLite file goes with the test's directory).
pub struct TestDatabase {
    pub url: String,
    postgres: Option<(String, String)>,
}

pub async fn provision(dir: &Path) -> TestDatabase {
    match std::env::var(POSTGRES_ENV) {
        Err(_) => TestDatabase {
            url: format!("sqlite://{}/switchboard.db?mode=rwc", dir.display()),
            postgres: None,
        },
        Ok(admin_url) => {
            let name = format!("sb_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("PostgreSQL is reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the test database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url);
            TestDatabase {
                url: format!("{base}/{name}"),
                postgres: Some((admin_url.clone(), name)),
            }
        }
    }
}

impl Drop for TestDatabase {
    /// Drops the PostgreSQL database, closing what still holds it. Runs on a thread of its
    /// own (a destructor cannot wait on the test's runtime); a failure is reported, never
    /// failing the test.
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(drop_database(&admin_url, &name))
        })
        .join()
        .unwrap_or_else(|_| Err("the dropping thread panicked".to_owned()));
        if let Err(error) = dropped {
            eprintln!("the test database was left behind: {error}");
        }
    }
}

/// `DROP DATABASE … WITH (FORCE)` (PostgreSQL 13+), or on older servers the same after
/// ending the sessions still connected to it.
async fn drop_database(admin_url: &str, name: &str) -> Result<(), String> {
    let admin = Database::connect(admin_url)
        .await
        .map_err(|e| e.to_string())?;
    let forced = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
    let result = match forced {
        Ok(_) => Ok(()),
        Err(_) => {
            admin
                .execute_unprepared(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                ))
                .await
                .ok();
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                .await
                .map(|_| ())
                .map_err(|e| format!("{name}: {e}"))
        }
    };
    admin.close().await.ok();
    result
}

/// Reverts the applied migrations from the newest back to `name`, included: the schema as it
/// was before `name`, however many migrations came after it.
pub async fn revert_through(store: &switchboard::store::Store, name: &str) {
    let (applied, _) = store.migration_status().await.unwrap();
    let steps = applied
        .iter()
        .rev()
        .position(|m| m == name)
        .unwrap_or_else(|| panic!("{name} is applied: {applied:?}"))
        + 1;
    store
        .migrate_down(steps as u32)
        .await
        .expect("the migrations revert");
}

/// Holds the database's write lock (SQLite) or the messages table (PostgreSQL) until the
/// transaction is dropped, so the ingest writer cannot finish a batch.
pub async fn hold_writes(url: &str) -> sea_orm::DatabaseTransaction {
    use sea_orm::TransactionTrait;
    let database = Database::connect(url).await.unwrap();
    let held = database.begin().await.unwrap();
    let sql = if on_postgres() {
        "LOCK TABLE messages IN SHARE MODE"
    } else {
        "CREATE TABLE holding_the_write_lock (x INTEGER)"
    };
    held.execute_unprepared(sql).await.unwrap();
    held
}
