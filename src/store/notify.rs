//! PostgreSQL NOTIFY and LISTEN, by which instances tell each other what they published.
//! The channel and the payloads are the caller's; the SQL and the listening connection stay
//! here. SQLite has neither: a store on it runs as one instance and never notifies.

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, RuntimeErr, Statement};

use super::{Store, StoreError};

impl Store {
    /// Whether the database can notify other instances (PostgreSQL).
    pub fn notifies(&self) -> bool {
        self.connection().get_database_backend() == DatabaseBackend::Postgres
    }

    /// Sends every payload on `channel` in one statement: one round trip for many.
    /// PostgreSQL caps a payload at 8000 bytes.
    pub async fn notify(&self, channel: &str, payloads: Vec<String>) -> Result<(), StoreError> {
        if payloads.is_empty() {
            return Ok(());
        }
        let calls: Vec<String> = (2..=payloads.len() + 1)
            .map(|i| format!("pg_notify($1, ${i})"))
            .collect();
        let mut values: Vec<sea_orm::Value> = vec![channel.into()];
        values.extend(payloads.into_iter().map(Into::into));
        let statement = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            format!("SELECT {}", calls.join(", ")),
            values,
        );
        self.connection().execute(statement).await?;
        Ok(())
    }
}

/// A connection of its own that LISTENs on some channels.
pub struct Listener {
    inner: PgListener,
}

impl Listener {
    /// Connects to the PostgreSQL database at `url` and listens on `channels`.
    pub async fn connect(url: &str, channels: &[&str]) -> Result<Self, StoreError> {
        let mut inner = PgListener::connect(url).await.map_err(listen_error)?;
        inner
            .listen_all(channels.iter().copied())
            .await
            .map_err(listen_error)?;
        Ok(Self { inner })
    }

    /// The next notification's channel and payload. After an error, the next call
    /// reconnects and listens again; notifications sent meanwhile are lost.
    pub async fn recv(&mut self) -> Result<(String, String), StoreError> {
        let notification = self.inner.recv().await.map_err(listen_error)?;
        Ok((
            notification.channel().to_owned(),
            notification.payload().to_owned(),
        ))
    }
}

fn listen_error(err: sea_orm::sqlx::Error) -> StoreError {
    StoreError::Db(DbErr::Conn(RuntimeErr::SqlxError(err)))
}
