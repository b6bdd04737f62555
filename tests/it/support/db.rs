//! A database per test: a SQLite file in the test's directory, or a new PostgreSQL database
//! in the cluster named by `SWITCHBOARD_TEST_POSTGRES_URL` (started by `tests/run`).

use std::path::Path;

use sea_orm::{ConnectionTrait, Database};

pub const POSTGRES_ENV: &str = "SWITCHBOARD_TEST_POSTGRES_URL";

pub fn on_postgres() -> bool {
    std::env::var_os(POSTGRES_ENV).is_some()
}

pub async fn provision(dir: &Path) -> String {
    match std::env::var(POSTGRES_ENV) {
        Err(_) => format!("sqlite://{}/switchboard.db?mode=rwc", dir.display()),
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
            format!("{base}/{name}")
        }
    }
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
