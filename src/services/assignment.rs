//! Automatic assignment, and snoozes that end. A worker on every instance gives each
//! ROUND_ROBIN and LEAST_BUSY queue's waiting conversations, longest waiting first, to its
//! online members with room: at once when something changes (a conversation opens, is
//! freed or moved, a member comes online, an agent's load drops), and in a periodic sweep
//! that catches what a lost event or another instance left.
//!
//! Each queue's round holds the queue's row lock (PostgreSQL) or SQLite's single writer,
//! so concurrent rounds, on one instance or several, never give a member more than their
//! capacity; a conversation a person moved meanwhile is left to them.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use tokio::sync::broadcast::error::RecvError;

use crate::domain::assignment::pick;
use crate::domain::conversation::Act;
use crate::domain::presence::PresenceStatus;
use crate::domain::queue::AssignmentMode;
use crate::domain::{QueueId, TenantId, UserId};
use crate::error::AppError;
use crate::services::events::{Event, EventBus};
use crate::services::lifecycle::{self, Applied, By};
use crate::services::presence::PresenceService;
use crate::store::Store;

/// How often every queue with someone waiting, and every snooze, is looked at.
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// Conversations one queue's round assigns at most; the next round takes the rest.
const ROUND: u64 = 200;
/// Queues and snoozes one sweep looks at at most.
const SWEEP_BATCH: u64 = 500;

#[derive(Clone)]
pub struct Assigner {
    store: Store,
    bus: EventBus,
    presence: PresenceService,
}

impl Assigner {
    pub fn new(store: Store, bus: EventBus, presence: PresenceService) -> Self {
        Self {
            store,
            bus,
            presence,
        }
    }

    /// Assigns as things change and sweeps periodically, until aborted.
    pub async fn run(self) {
        let mut events = self.bus.subscribe();
        let mut sweep = tokio::time::interval(SWEEP_EVERY);
        sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = sweep.tick() => {
                    if let Err(e) = self.sweep().await {
                        tracing::warn!(error = %e, "could not sweep waiting conversations");
                    }
                }
                received = events.recv() => {
                    let mut tenants = BTreeSet::new();
                    match received {
                        Ok(event) => tenants.extend(trigger(&event.event)),
                        Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => return,
                    }
                    // Whatever else arrived meanwhile is served by the same rounds.
                    while let Ok(event) = events.try_recv() {
                        tenants.extend(trigger(&event.event));
                    }
                    for tenant in tenants {
                        if let Err(e) = self.assign_tenant(tenant).await {
                            tracing::warn!(error = %e, tenant.id = %tenant, "could not assign waiting conversations");
                        }
                    }
                }
            }
        }
    }

    /// Ends due snoozes, assigns every queue that has someone waiting, and sends WAITING
    /// automations that are due.
    pub async fn sweep(&self) -> Result<(), AppError> {
        let sweeps = self.store.system().assignment_sweeps();
        for (tenant, id) in sweeps.due_snoozes(Utc::now(), SWEEP_BATCH).await? {
            self.wake(tenant, id).await?;
        }
        for (tenant, queue) in sweeps.queues_with_waiting(SWEEP_BATCH).await? {
            self.assign_queue(tenant, queue).await?;
        }
        crate::services::automations::sweep_waiting(&self.store, SWEEP_BATCH).await?;
        Ok(())
    }

    async fn wake(
        &self,
        tenant: TenantId,
        id: crate::domain::ConversationId,
    ) -> Result<(), AppError> {
        let unit = self.store.write(tenant).await?;
        let scope = unit.scope();
        let before = scope.conversations().get(id).await?;
        if before.snoozed_until.is_none_or(|until| until > unit.now()) {
            return Ok(());
        }
        let by = By {
            actor: None,
            note: None,
        };
        match lifecycle::apply(&scope, &before, Act::Resume, by, unit.now()).await {
            Ok(Some((_, events))) => {
                let committed = crate::services::webhooks::journal::commit(unit, &events).await?;
                self.bus.publish(committed);
                Ok(())
            }
            Ok(None) | Err(Applied::Changed) => Ok(()),
            Err(Applied::Refused(e)) => Err(e),
        }
    }

    async fn assign_tenant(&self, tenant: TenantId) -> Result<(), AppError> {
        let queues = self.store.tenant(tenant).queues().list().await?;
        for queue in queues {
            if queue.mode != AssignmentMode::Manual && !queue.members.is_empty() {
                self.assign_queue(tenant, queue.id).await?;
            }
        }
        Ok(())
    }

    /// One round of a queue: its waiting conversations, longest waiting first, to its
    /// online members with room, as its mode picks; answers how many were assigned.
    pub async fn assign_queue(&self, tenant: TenantId, queue: QueueId) -> Result<usize, AppError> {
        let scope = self.store.tenant(tenant);
        let members: Vec<UserId> = match scope.queues().get(queue).await {
            Ok(q) => q.members.iter().map(|m| m.user).collect(),
            Err(crate::store::StoreError::NotFound) => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        if members.is_empty() {
            return Ok(0);
        }
        let unit = self.store.write(tenant).await?;
        let scope = unit.scope();
        let assignment = scope.assignment();
        let mode = assignment.lock_queue(queue).await?;
        if mode == AssignmentMode::Manual {
            return Ok(0);
        }
        let waiting = assignment.waiting(queue, ROUND).await?;
        if waiting.is_empty() {
            return Ok(0);
        }
        // Who is online is read after the waiting conversations: a member who came online
        // before a conversation arrived is seen whenever that conversation is.
        let online = self.presence.online_among(tenant, &members).await?;
        let mut candidates = assignment.candidates(queue, &online).await?;
        let mut events = Vec::new();
        let mut assigned = 0;
        for conversation in waiting {
            let Some(k) = pick(mode, &candidates) else {
                break;
            };
            let user = candidates[k].user;
            let by = By {
                actor: None,
                note: None,
            };
            match lifecycle::apply(&scope, &conversation, Act::Assign(user), by, unit.now()).await {
                Ok(Some((_, more))) => events.extend(more),
                // Moved by a person since it was read: theirs to decide.
                Ok(None) | Err(Applied::Changed) => continue,
                Err(Applied::Refused(e)) => return Err(e),
            }
            // Turns within one round are a microsecond apart, so they keep their order.
            let at = unit.now() + TimeDelta::microseconds(assigned as i64);
            assignment.mark_assigned(queue, user, at).await?;
            candidates[k].load += 1;
            candidates[k].last_assigned_at = Some(at);
            assigned += 1;
        }
        let committed = crate::services::webhooks::journal::commit(unit, &events).await?;
        self.bus.publish(committed);
        if assigned > 0 {
            tracing::debug!(tenant.id = %tenant, queue.id = %queue, assigned, "assigned waiting conversations");
        }
        Ok(assigned)
    }
}

/// The tenant whose queues an event may let assign: a conversation that opened, was freed,
/// moved or came back, or a member who is online (their load may also have dropped).
fn trigger(event: &Event) -> Option<TenantId> {
    use crate::services::events::ConversationEventKind as K;
    match event {
        Event::Conversation { tenant, kind, .. } if *kind != K::Assigned => Some(*tenant),
        Event::Presence { tenant, presence } if presence.status == PresenceStatus::Online => {
            Some(*tenant)
        }
        _ => None,
    }
}
