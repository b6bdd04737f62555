//! A member's live WebSocket, as the database knows it: a lease its instance renews while
//! the socket lives (`PresenceService::run`) and ends when it closes.

use chrono::Utc;

use super::PresenceService;
use crate::domain::{TenantId, UserId};
use crate::error::AppError;
use crate::store::Store;

/// One open socket's lease. End it with [`Lease::release`]; one dropped without is ended in
/// the background.
pub struct Lease {
    store: Store,
    tenant: TenantId,
    id: uuid::Uuid,
    released: bool,
}

impl PresenceService {
    /// Records a live socket of `user`: they count as connected until it is released, or,
    /// should this instance die, until the lease runs out.
    pub async fn connect(&self, tenant: TenantId, user: UserId) -> Result<Lease, AppError> {
        let id = uuid::Uuid::now_v7();
        let expires_at = Utc::now()
            + chrono::Duration::from_std(self.timing.lease)
                .map_err(|e| AppError::Internal(e.into()))?;
        self.store
            .tenant(tenant)
            .presence()
            .open_lease(id, user, self.instance, expires_at)
            .await?;
        Ok(Lease {
            store: self.store.clone(),
            tenant,
            id,
            released: false,
        })
    }
}

impl Lease {
    /// The socket closed: the member's grace period runs from now unless another socket
    /// of theirs lives.
    pub async fn release(mut self) {
        self.released = true;
        close(&self.store, self.tenant, self.id).await;
    }
}

async fn close(store: &Store, tenant: TenantId, id: uuid::Uuid) {
    let closed = store
        .tenant(tenant)
        .presence()
        .close_lease(id, Utc::now())
        .await;
    if let Err(e) = closed {
        // The lease then runs out by itself.
        tracing::warn!(tenant.id = %tenant, error = %e, "could not end a presence lease");
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (store, tenant, id) = (self.store.clone(), self.tenant, self.id);
            runtime.spawn(async move { close(&store, tenant, id).await });
        }
    }
}
