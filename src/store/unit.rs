//! The unit of work: a use case's writes in one transaction, begun and scoped in one place,
//! audited with typed events, and committed (or rolled back when dropped).
//!
//! ```ignore
//! let unit = store.write(tenant).await?;
//! let member = unit.scope().members().insert(new, unit.now()).await?;
//! unit.audit(actor, AuditEvent::UserCreated { .. }).await?;
//! unit.commit().await?;
//! ```

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use super::system::System;
use super::tenants::Tenants;
use super::{Store, StoreError, TenantScope};
use crate::domain::audit::AuditEvent;
use crate::domain::records::AuditActor;
use crate::domain::TenantId;

/// Tries to begin a unit before a busy database is reported as an error.
const ATTEMPTS: u32 = 5;

/// One tenant's writes in an open transaction. Dropped without [`Unit::commit`], nothing
/// of it is kept.
pub struct Unit {
    txn: DatabaseTransaction,
    tenant: TenantId,
    now: DateTime<Utc>,
}

impl Unit {
    /// The tenant's data, inside the transaction.
    pub fn scope(&self) -> TenantScope<'_, DatabaseTransaction> {
        TenantScope::new(&self.txn, self.tenant)
    }

    /// The tenants table, inside the transaction (to create the unit's own tenant).
    pub fn tenants(&self) -> Tenants<'_, DatabaseTransaction> {
        Tenants::new(&self.txn)
    }

    /// Rows that belong to no tenant (users, sessions), inside the transaction.
    pub fn system(&self) -> System<'_, DatabaseTransaction> {
        System::new(&self.txn)
    }

    /// The tenant whose writes these are.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    pub(crate) fn connection(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The unit's one clock reading: every row it writes carries the same time.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Records `event` as done by `actor`, kept with the change or not at all.
    pub async fn audit(&self, actor: &AuditActor, event: AuditEvent<'_>) -> Result<(), StoreError> {
        self.scope().audit().record(actor, &event, self.now).await
    }

    /// Waits for every other unit of the same tenant that locked it, and keeps them waiting
    /// until this one ends: for checks across rows (such as "one owner remains") that a
    /// concurrent unit could otherwise break. SQLite's single writer already does this.
    pub async fn lock_tenant(&self) -> Result<(), StoreError> {
        self.tenants().lock(self.tenant).await
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.txn.commit().await?)
    }
}

/// Many units in one transaction, committed together (group commit): each
/// [`Batch::unit`] is a savepoint, kept by its own [`Unit::commit`] and undone alone when
/// it fails or is dropped, so one unit's failure never takes its neighbours with it.
/// Nothing of any unit is durable before [`Batch::commit`].
pub struct Batch {
    txn: DatabaseTransaction,
}

impl Batch {
    /// Begins a unit of `tenant`'s writes inside the batch.
    pub async fn unit(&self, tenant: TenantId) -> Result<Unit, StoreError> {
        use sea_orm::TransactionTrait;
        Ok(Unit {
            txn: self.txn.begin().await?,
            tenant,
            now: Utc::now(),
        })
    }

    /// `tenant`'s data straight in the batch's transaction, without a savepoint: cheaper
    /// than [`Batch::unit`], but a statement that fails spoils the whole batch, which must
    /// then be dropped (and its work tried again in units).
    pub fn scope(&self, tenant: TenantId) -> TenantScope<'_, DatabaseTransaction> {
        TenantScope::new(&self.txn, tenant)
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.txn.commit().await?)
    }
}

/// Writes to rows of no tenant in an open transaction; rolled back when dropped.
pub struct SystemUnit {
    txn: DatabaseTransaction,
    now: DateTime<Utc>,
}

impl SystemUnit {
    pub fn system(&self) -> System<'_, DatabaseTransaction> {
        System::new(&self.txn)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.txn.commit().await?)
    }
}

impl Store {
    /// Begins one unit of `tenant`'s writes.
    pub async fn write(&self, tenant: TenantId) -> Result<Unit, StoreError> {
        Ok(Unit {
            txn: self.begin_unit().await?,
            tenant,
            now: Utc::now(),
        })
    }

    /// Begins a batch of units committed together.
    pub async fn write_batch(&self) -> Result<Batch, StoreError> {
        Ok(Batch {
            txn: self.begin_unit().await?,
        })
    }

    /// Begins one unit of writes to rows of no tenant.
    pub async fn write_system(&self) -> Result<SystemUnit, StoreError> {
        Ok(SystemUnit {
            txn: self.begin_unit().await?,
            now: Utc::now(),
        })
    }

    /// A write transaction. It holds SQLite's write lock from its first statement (see
    /// [`Store::begin_write`]), so only beginning can find the database busy: that is
    /// tried again after a short, growing pause before it is reported.
    async fn begin_unit(&self) -> Result<DatabaseTransaction, StoreError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.begin_write().await.map_err(StoreError::from) {
                Err(StoreError::Busy) if attempt < ATTEMPTS => {
                    tokio::time::sleep(Duration::from_millis(10 << attempt)).await;
                }
                other => return other,
            }
        }
    }
}
