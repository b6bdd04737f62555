//! Agent presence: members say whether they are ONLINE, AWAY or OFFLINE, admins see every
//! member's presence and open-conversation load, and a status nobody attends lapses to
//! OFFLINE.
//!
//! Liveness is kept in the database so that several instances agree on it: each open
//! WebSocket of a member holds a lease (see `lease.rs`) that its instance renews while the
//! socket lives and ends when it closes; a crashed instance's leases run out on their own.
//! Every instance sweeps: an ONLINE or AWAY status chosen more than the grace period ago,
//! whose member has had no live lease for the grace period, becomes OFFLINE. The change is
//! one conditional UPDATE, so when two instances sweep at once exactly one of them makes it
//! and publishes the event. Opening a socket never changes a status by itself, and an
//! agent who reconnects within the grace keeps theirs.

mod lease;

pub use lease::Lease;

use std::time::Duration;

use chrono::Utc;
use futures::stream::{self, Stream};
use tokio::sync::broadcast::error::RecvError;

use crate::domain::presence::PresenceStatus;
use crate::domain::records::PresenceRecord;
use crate::domain::{TenantId, UserId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::services::events::{Event, EventBus};
use crate::store::Store;

/// How long liveness lasts.
#[derive(Clone, Copy, Debug)]
pub struct PresenceTiming {
    /// How long a member may be without a live socket before ONLINE or AWAY lapses.
    pub grace: Duration,
    /// How long a lease lives without renewal: a crashed instance's sockets count as live
    /// this long (plus the grace).
    pub lease: Duration,
}

/// Lapsed statuses handled in one sweep at most; the next sweep takes the rest.
const SWEEP_BATCH: u64 = 500;

#[derive(Clone)]
pub struct PresenceService {
    store: Store,
    bus: EventBus,
    /// This instance, as its leases name it.
    instance: uuid::Uuid,
    timing: PresenceTiming,
}

impl PresenceService {
    pub fn new(store: Store, bus: EventBus, timing: PresenceTiming) -> Self {
        Self {
            store,
            bus,
            instance: uuid::Uuid::new_v4(),
            timing,
        }
    }

    /// Sets the signed-in member's own status. An API key has no presence: FORBIDDEN.
    pub async fn set(
        &self,
        access: &Access<Agent>,
        status: PresenceStatus,
    ) -> Result<PresenceRecord, AppError> {
        let user = own(access)?;
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let changed = scope.presence().set(user, status, unit.now()).await?;
        let record = one(scope.presence().of(&[user]).await?)?;
        let events: Vec<Event> = changed
            .then(|| Event::Presence {
                tenant: access.tenant(),
                presence: record.clone(),
            })
            .into_iter()
            .collect();
        let committed = crate::services::webhooks::journal::commit(unit, &events).await?;
        if changed {
            tracing::info!(tenant.id = %access.tenant(), user.id = %user, status = status.as_str(), "presence changed");
        }
        self.bus.publish(committed);
        Ok(record)
    }

    /// Every active member's presence and load (owners and admins).
    pub async fn agents(&self, access: &Access<Admin>) -> Result<Vec<PresenceRecord>, AppError> {
        Ok(self.store.tenant(access.tenant()).presence().list().await?)
    }

    /// One member's presence. Owners and admins read anyone in the tenant (another tenant's
    /// member answers NOT_FOUND); an agent reads only their own (FORBIDDEN otherwise).
    pub async fn agent(
        &self,
        access: &Access<Agent>,
        user: UserId,
    ) -> Result<PresenceRecord, AppError> {
        if !access.role().includes(crate::domain::Role::Admin) && access.user_id() != Some(user) {
            return Err(AppError::Forbidden("an agent sees only their own presence"));
        }
        self.of_member(access.tenant(), user).await
    }

    /// The signed-in member's own presence; `None` for an API key.
    pub async fn mine(&self, access: &Access<Agent>) -> Result<Option<PresenceRecord>, AppError> {
        match access.user_id() {
            Some(user) => self.of_member(access.tenant(), user).await.map(Some),
            None => Ok(None),
        }
    }

    /// A member of `tenant` (NOT_FOUND otherwise), as owners and admins may name one.
    pub async fn check_member(&self, access: &Access<Admin>, user: UserId) -> Result<(), AppError> {
        self.store
            .tenant(access.tenant())
            .members()
            .get(user)
            .await?;
        Ok(())
    }

    async fn of_member(&self, tenant: TenantId, user: UserId) -> Result<PresenceRecord, AppError> {
        let scope = self.store.tenant(tenant);
        scope.members().get(user).await?;
        one(scope.presence().of(&[user]).await?)
    }

    /// Every presence change, in every tenant, as it is published on this instance (changes
    /// made on other instances included, on PostgreSQL). A consumer that falls behind skips
    /// what it missed; [`Self::online_among`] reads the truth at any time.
    pub fn changes(&self) -> impl Stream<Item = (TenantId, PresenceRecord)> + Send + 'static {
        stream::unfold(self.bus.subscribe(), |mut receiver| async move {
            loop {
                match receiver.recv().await {
                    Ok(event) => {
                        if let Event::Presence { tenant, presence } = &event.event {
                            return Some(((*tenant, presence.clone()), receiver));
                        }
                    }
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "a presence consumer fell behind");
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        })
    }

    /// Those of `users` who are ONLINE now, for automatic assignment.
    pub async fn online_among(
        &self,
        tenant: TenantId,
        users: &[UserId],
    ) -> Result<Vec<UserId>, AppError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .tenant(tenant)
            .presence()
            .online_among(users)
            .await?)
    }

    /// Renews this instance's leases and sweeps lapsed statuses, until aborted.
    pub async fn run(self) {
        let mut heartbeat = tokio::time::interval(self.timing.lease / 3);
        let sweep_every =
            (self.timing.grace / 4).clamp(Duration::from_millis(100), Duration::from_secs(5));
        let mut sweep = tokio::time::interval(sweep_every);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = heartbeat.tick() => {
                    if let Err(e) = self.renew().await {
                        tracing::warn!(error = %e, "could not renew presence leases");
                    }
                }
                _ = sweep.tick() => {
                    if let Err(e) = self.sweep().await {
                        tracing::warn!(error = %e, "could not sweep lapsed presence");
                    }
                }
            }
        }
    }

    async fn renew(&self) -> Result<(), AppError> {
        let expires_at = Utc::now()
            + chrono::Duration::from_std(self.timing.lease)
                .map_err(|e| AppError::Internal(e.into()))?;
        self.store
            .system()
            .presence_leases()
            .renew(self.instance, expires_at)
            .await?;
        Ok(())
    }

    /// Sets OFFLINE every status that lapsed, publishing each change this instance made;
    /// answers how many.
    pub async fn sweep(&self) -> Result<usize, AppError> {
        let grace = chrono::Duration::from_std(self.timing.grace)
            .map_err(|e| AppError::Internal(e.into()))?;
        let lease = chrono::Duration::from_std(self.timing.lease)
            .map_err(|e| AppError::Internal(e.into()))?;
        let now = Utc::now();
        let cutoff = now - grace;
        let leases = self.store.system().presence_leases();
        let mut changed = 0;
        for lapsed in leases.lapsed(cutoff, SWEEP_BATCH).await? {
            // The change and its event in one unit, so other instances hear of it too.
            let unit = self.store.write(lapsed.tenant).await?;
            if !unit
                .system()
                .presence_leases()
                .go_offline(&lapsed, cutoff, now)
                .await?
            {
                continue;
            }
            changed += 1;
            tracing::info!(tenant.id = %lapsed.tenant, user.id = %lapsed.user, "presence lapsed to OFFLINE: no live socket within the grace period");
            let events: Vec<Event> = unit
                .scope()
                .presence()
                .of(&[lapsed.user])
                .await?
                .pop()
                .map(|presence| Event::Presence {
                    tenant: lapsed.tenant,
                    presence,
                })
                .into_iter()
                .collect();
            let committed = crate::services::webhooks::journal::commit(unit, &events).await?;
            self.bus.publish(committed);
        }
        leases.purge(cutoff - lease).await?;
        Ok(changed)
    }

    /// Ends this instance's open leases, as it stops: its sockets are closing.
    pub async fn release_all(&self) {
        let leases = self.store.system().presence_leases();
        if let Err(e) = leases.close_instance(self.instance, Utc::now()).await {
            tracing::warn!(error = %e, "could not end this instance's presence leases");
        }
    }
}

fn own(access: &Access<Agent>) -> Result<UserId, AppError> {
    access.user_id().ok_or(AppError::Forbidden(
        "presence belongs to a signed-in member, not an API key",
    ))
}

fn one(mut records: Vec<PresenceRecord>) -> Result<PresenceRecord, AppError> {
    records.pop().ok_or(AppError::NotFound)
}
