//! Storage through sea-orm on SQLite and PostgreSQL.
//!
//! Tenant data is reached only through [`TenantScope`], which every finder filters by its
//! tenant. The few lookups that must run before a tenant is known live in [`system`].

pub mod api_keys;
pub mod assignment;
pub mod audit;
pub mod automations;
pub mod campaigns;
pub mod channel_memo;
pub mod channels;
pub mod click_to_chat;
pub mod contact_attributes;
pub mod contacts;
pub mod conversations;
pub mod csat;
pub mod entities;
pub mod erasure;
pub mod event_log;
pub mod gauges;
pub mod labels;
pub mod members;
pub mod messages;
pub mod notes;
pub mod notify;
pub mod outbox;
pub mod pacing;
pub mod presence;
pub mod queues;
pub mod quick_replies;
pub mod reads;
pub mod routing;
mod rows;
pub mod stats;
pub mod system;
pub mod templates;
pub mod tenants;
pub mod unit;
pub mod uploads;
mod visibility;
pub mod webhooks;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, SqlErr};

use crate::domain::TenantId;
pub use notify::Listener;
pub use unit::{Batch, SystemUnit, Unit};

/// A storage failure, already classified.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The row changed since it was read: read it again and decide again.
    #[error("changed meanwhile")]
    Stale,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// SQLite refused a write because another connection wrote since this transaction
    /// read; the whole transaction may simply be run again.
    #[error("the database is busy")]
    Busy,
    #[error(transparent)]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict("already exists"),
            _ if is_busy(&err) => StoreError::Busy,
            _ => StoreError::Db(err),
        }
    }
}

/// SQLite's SQLITE_BUSY family: a deferred transaction that read before another
/// connection's commit cannot upgrade to a write and fails at once, whatever the busy
/// timeout.
/// `query`, taking its rows' lock until the transaction ends on PostgreSQL. SQLite has no
/// row locks; its single writer already serialises a write transaction.
pub(crate) fn for_update<E: sea_orm::EntityTrait>(
    query: sea_orm::Select<E>,
    db: &impl ConnectionTrait,
) -> sea_orm::Select<E> {
    use sea_orm::QuerySelect;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        query.lock_exclusive()
    } else {
        query
    }
}

fn is_busy(err: &DbErr) -> bool {
    let text = err.to_string();
    text.contains("database is locked")
        || text.contains("(code: 5)")
        || text.contains("(code: 517)")
}

/// The database handle shared by the whole server.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    statements: StatementCount,
    channel_memo: channel_memo::ChannelMemo,
}

/// How many statements a store has sent since it connected, whatever their outcome: lets a
/// test see that a page is read in a fixed number of queries.
#[derive(Clone, Default)]
pub struct StatementCount(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl StatementCount {
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Store {
    /// Connects. SQLite gets WAL, foreign keys and a busy timeout; both get bounded pools.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(if url.starts_with("sqlite:") { 8 } else { 16 })
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        if url.starts_with("sqlite:") {
            options.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        }
        let mut db = Database::connect(options).await?;
        let statements = StatementCount::default();
        let counter = statements.0.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        Ok(Self {
            db,
            statements,
            channel_memo: Default::default(),
        })
    }

    /// The count of statements sent through this store (and its clones).
    pub fn statements(&self) -> StatementCount {
        self.statements.clone()
    }

    /// Whether this is SQLite, whose single writer makes parallel write transactions
    /// queue for one lock.
    pub fn is_sqlite(&self) -> bool {
        self.db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once: a
    /// deferred transaction that reads first cannot wait for the lock when it later writes
    /// (SQLITE_BUSY without retry), while a write as the first statement waits out the busy
    /// timeout like any other writer. The statement changes no row.
    pub async fn begin_write(&self) -> Result<sea_orm::DatabaseTransaction, DbErr> {
        use sea_orm::TransactionTrait;
        let txn = self.db.begin().await?;
        if self.db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            txn.execute_unprepared("UPDATE tenants SET name = name WHERE 1 = 0")
                .await?;
        }
        Ok(txn)
    }

    /// Applies pending migrations.
    pub async fn migrate_up(&self) -> Result<(), DbErr> {
        Migrator::up(&self.db, None).await
    }

    /// Reverts the last `steps` migrations.
    pub async fn migrate_down(&self, steps: u32) -> Result<(), DbErr> {
        Migrator::down(&self.db, Some(steps)).await
    }

    /// Names of applied and pending migrations.
    pub async fn migration_status(&self) -> Result<(Vec<String>, Vec<String>), DbErr> {
        let applied = Migrator::get_applied_migrations(&self.db)
            .await?
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        let pending = Migrator::get_pending_migrations(&self.db)
            .await?
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        Ok((applied, pending))
    }

    /// Ready when the database answers and no migration is pending.
    pub async fn ready(&self) -> Result<(), String> {
        self.db
            .ping()
            .await
            .map_err(|_| "database unreachable".to_owned())?;
        let pending = Migrator::get_pending_migrations(&self.db)
            .await
            .map_err(|_| "migration state unreadable".to_owned())?;
        if pending.is_empty() {
            Ok(())
        } else {
            Err(format!("{} migration(s) pending", pending.len()))
        }
    }

    pub async fn close(self) {
        let _ = self.db.close().await;
    }

    /// The figures behind the metrics gauges, across tenants.
    pub fn gauges(&self) -> gauges::Gauges<'_> {
        gauges::Gauges::new(&self.db)
    }

    /// One tenant's data.
    pub fn tenant(&self, tenant: TenantId) -> TenantScope<'_, DatabaseConnection> {
        TenantScope::new(&self.db, tenant)
    }

    /// Every tenant's outgoing webhook deliveries, as the sender scans them.
    pub fn webhook_queue(&self) -> webhooks::WebhookQueue<'_, DatabaseConnection> {
        webhooks::WebhookQueue::new(&self.db)
    }

    /// Lookups that run before a tenant is known (sign-in, token checks).
    pub fn system(&self) -> system::System<'_, DatabaseConnection> {
        system::System::new(&self.db)
    }

    /// The tenants themselves, for the platform admin.
    pub fn tenants(&self) -> tenants::Tenants<'_, DatabaseConnection> {
        tenants::Tenants::new(&self.db)
    }
}

/// The repositories of one tenant, over a connection or a transaction.
pub struct TenantScope<'a, C: ConnectionTrait> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> TenantScope<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    pub fn id(&self) -> TenantId {
        self.tenant
    }

    pub fn members(&self) -> members::Members<'a, C> {
        members::Members::new(self.db, self.tenant)
    }

    pub fn api_keys(&self) -> api_keys::ApiKeys<'a, C> {
        api_keys::ApiKeys::new(self.db, self.tenant)
    }

    pub fn channels(&self) -> channels::Channels<'a, C> {
        channels::Channels::new(self.db, self.tenant)
    }

    pub fn erasure(&self) -> erasure::Erasure<'a, C> {
        erasure::Erasure::new(self.db, self.tenant)
    }

    pub fn contacts(&self) -> contacts::Contacts<'a, C> {
        contacts::Contacts::new(self.db, self.tenant)
    }

    pub fn contact_attributes(&self) -> contact_attributes::ContactAttributes<'a, C> {
        contact_attributes::ContactAttributes::new(self.db, self.tenant)
    }

    pub fn labels(&self) -> labels::Labels<'a, C> {
        labels::Labels::new(self.db, self.tenant)
    }

    pub fn conversations(&self) -> conversations::Conversations<'a, C> {
        conversations::Conversations::new(self.db, self.tenant)
    }

    pub fn messages(&self) -> messages::Messages<'a, C> {
        messages::Messages::new(self.db, self.tenant)
    }

    pub fn outbox(&self) -> outbox::Outbox<'a, C> {
        outbox::Outbox::new(self.db, self.tenant)
    }

    pub fn pacing(&self) -> pacing::Pacing<'a, C> {
        pacing::Pacing::new(self.db, self.tenant)
    }

    pub fn presence(&self) -> presence::Presence<'a, C> {
        presence::Presence::new(self.db, self.tenant)
    }

    pub fn assignment(&self) -> assignment::Assignment<'a, C> {
        assignment::Assignment::new(self.db, self.tenant)
    }

    pub fn stats(&self) -> stats::Stats<'a, C> {
        stats::Stats::new(self.db, self.tenant)
    }

    pub fn reads(&self) -> reads::Reads<'a, C> {
        reads::Reads::new(self.db, self.tenant)
    }

    pub fn csat(&self) -> csat::Csat<'a, C> {
        csat::Csat::new(self.db, self.tenant)
    }

    pub fn automations(&self) -> automations::Automations<'a, C> {
        automations::Automations::new(self.db, self.tenant)
    }

    pub fn queues(&self) -> queues::Queues<'a, C> {
        queues::Queues::new(self.db, self.tenant)
    }

    pub fn click_to_chat(&self) -> click_to_chat::ClickToChat<'a, C> {
        click_to_chat::ClickToChat::new(self.db, self.tenant)
    }

    pub fn quick_replies(&self) -> quick_replies::QuickReplies<'a, C> {
        quick_replies::QuickReplies::new(self.db, self.tenant)
    }

    pub fn notes(&self) -> notes::Notes<'a, C> {
        notes::Notes::new(self.db, self.tenant)
    }

    pub fn routing_rules(&self) -> routing::RoutingRules<'a, C> {
        routing::RoutingRules::new(self.db, self.tenant)
    }

    pub fn templates(&self) -> templates::Templates<'a, C> {
        templates::Templates::new(self.db, self.tenant)
    }

    pub fn audit(&self) -> audit::Audit<'a, C> {
        audit::Audit::new(self.db, self.tenant)
    }

    pub fn campaigns(&self) -> campaigns::Campaigns<'a, C> {
        campaigns::Campaigns::new(self.db, self.tenant)
    }

    pub fn webhooks(&self) -> webhooks::Webhooks<'a, C> {
        webhooks::Webhooks::new(self.db, self.tenant)
    }

    pub fn uploads(&self) -> uploads::Uploads<'a, C> {
        uploads::Uploads::new(self.db, self.tenant)
    }

    pub fn profile(&self) -> tenants::TenantProfile<'a, C> {
        tenants::TenantProfile::new(self.db, self.tenant)
    }
}
