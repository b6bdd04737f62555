//! Where a measurement runs: a fresh SQLite file, or a fresh database created in the
//! PostgreSQL cluster named by `--postgres-url` and dropped afterwards. Every measurement
//! gets its own empty database, so one run's rows never weigh on the next.

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database};

#[derive(Clone, Debug)]
pub enum Target {
    Sqlite,
    /// A URL of the cluster's maintenance database (it may create databases).
    Postgres {
        admin_url: String,
    },
}

impl Target {
    pub fn name(&self) -> &'static str {
        match self {
            Target::Sqlite => "SQLite",
            Target::Postgres { .. } => "PostgreSQL",
        }
    }
}

/// A database made for one measurement. `url` is `None` for SQLite: the harness puts the
/// file in its own temporary folder.
pub struct Fresh {
    pub url: Option<String>,
    postgres: Option<(String, String)>,
}

impl Fresh {
    pub async fn create(target: &Target) -> anyhow::Result<Self> {
        match target {
            Target::Sqlite => Ok(Self {
                url: None,
                postgres: None,
            }),
            Target::Postgres { admin_url } => {
                let name = format!("sb_bench_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(admin_url)
                    .await
                    .with_context(|| format!("connecting to {admin_url}"))?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .context("creating the benchmark's database")?;
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                Ok(Self {
                    url: Some(format!("{base}/{name}")),
                    postgres: Some((admin_url.clone(), name)),
                })
            }
        }
    }

    /// Drops the PostgreSQL database, closing the sessions still on it.
    pub async fn remove(mut self) -> anyhow::Result<()> {
        let Some((admin_url, name)) = self.postgres.take() else {
            return Ok(());
        };
        let admin = Database::connect(&admin_url).await?;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .with_context(|| format!("dropping {name}"))?;
        admin.close().await.ok();
        Ok(())
    }
}
