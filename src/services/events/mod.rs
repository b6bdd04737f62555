//! The event bus behind subscriptions. Every event is appended to the event log in the
//! transaction of its change (`log`); each instance's tail reads the log in order and
//! broadcasts each event, with its `seq`, to the instance's subscribers. The buffer is a
//! bounded ring: a subscriber that falls behind it is told so and dropped, and never slows
//! publishing or grows memory; it resumes from its last `seq`.
//!
//! Revocations travel beside the events, on their own channel: a session, user or API key
//! whose access ended or changed, so open WebSockets check their token again at once instead
//! of at their next periodic check.

pub mod log;
pub mod relay;
mod revocation;

pub use log::{Committed, Logged};
pub use revocation::Revocation;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use tokio::sync::{broadcast, mpsc};

use crate::domain::records::{
    CampaignRecord, ContactRecord, ConversationRecord, MessageRecord, PresenceRecord,
    Template as TemplateRecord,
};
use crate::domain::TenantId;
use relay::Relayed;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageEventKind {
    Received,
    Sent,
    StatusChanged,
}

/// What happened to a conversation: one of its lifecycle's changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationEventKind {
    Opened,
    /// Routing placed a new conversation in its queue (see its `routing`).
    Routed,
    Assigned,
    Unassigned,
    Transferred,
    Snoozed,
    Resumed,
    Resolved,
    Reopened,
    /// An internal note was written on the conversation.
    NoteAdded,
}

impl From<crate::domain::conversation::ChangeKind> for ConversationEventKind {
    fn from(kind: crate::domain::conversation::ChangeKind) -> Self {
        use crate::domain::conversation::ChangeKind as C;
        match kind {
            C::Opened => Self::Opened,
            C::Assigned => Self::Assigned,
            C::Unassigned => Self::Unassigned,
            C::Transferred => Self::Transferred,
            C::Snoozed => Self::Snoozed,
            C::Resumed => Self::Resumed,
            C::Resolved => Self::Resolved,
            C::Reopened => Self::Reopened,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Event {
    Message {
        tenant: TenantId,
        kind: MessageEventKind,
        message: Box<MessageRecord>,
        /// The conversation's queue when the event happened, for filtering and for who
        /// sees the event.
        queue: Option<crate::domain::QueueId>,
        /// The conversation's assignee when the event happened, for who sees the event.
        assignee: Option<crate::domain::UserId>,
    },
    Conversation {
        tenant: TenantId,
        kind: ConversationEventKind,
        conversation: ConversationRecord,
    },
    /// A member's presence changed: their status, or when it was set.
    Presence {
        tenant: TenantId,
        presence: PresenceRecord,
    },
    /// A contact's consent to be messaged changed.
    Contact {
        tenant: TenantId,
        kind: ContactEventKind,
        contact: Box<ContactRecord>,
    },
    /// A template's review status changed.
    Template {
        tenant: TenantId,
        template: Box<TemplateRecord>,
    },
    /// A campaign finished: COMPLETED or CANCELLED.
    Campaign {
        tenant: TenantId,
        campaign: Box<CampaignRecord>,
    },
}

/// What changed about a contact's consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactEventKind {
    OptedOut,
    OptedIn,
}

/// Where the conversation `id` stands now: its queue and assignee (none for a message
/// outside any conversation), as a message event carries them.
pub async fn placement<C: sea_orm::ConnectionTrait>(
    scope: &crate::store::TenantScope<'_, C>,
    id: Option<crate::domain::ConversationId>,
) -> Result<
    (
        Option<crate::domain::QueueId>,
        Option<crate::domain::UserId>,
    ),
    crate::store::StoreError,
> {
    match id {
        Some(id) => match scope.conversations().get(id).await {
            Ok(conversation) => Ok((conversation.queue, conversation.assignee)),
            Err(crate::store::StoreError::NotFound) => Ok((None, None)),
            Err(e) => Err(e),
        },
        None => Ok((None, None)),
    }
}

impl Event {
    pub fn tenant(&self) -> TenantId {
        match self {
            Event::Message { tenant, .. }
            | Event::Conversation { tenant, .. }
            | Event::Presence { tenant, .. }
            | Event::Contact { tenant, .. }
            | Event::Template { tenant, .. }
            | Event::Campaign { tenant, .. } => *tenant,
        }
    }
}

/// Events held for subscribers that are momentarily behind.
pub const BUFFER: usize = 4096;
/// Revocations held for sockets that are momentarily behind; one that falls behind checks
/// its token anyway.
const REVOCATION_BUFFER: usize = 256;

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Logged>>,
    revocations: broadcast::Sender<Revocation>,
    /// This instance's reader of the event log, once started.
    tail: Arc<OnceLock<Arc<log::Tail>>>,
    /// Revocations to other instances, on PostgreSQL (see `relay`).
    remote: Arc<OnceLock<mpsc::Sender<Relayed>>>,
    drops: Arc<Drops>,
}

/// Events the other instances missed, for a warning that does not flood the log.
struct Drops {
    count: AtomicU64,
    warned_at: AtomicU64,
    started: Instant,
}

/// The least time between two warnings about missed events.
const DROP_WARN_EVERY_S: u64 = 5;

impl Default for EventBus {
    fn default() -> Self {
        Self::new(BUFFER)
    }
}

impl EventBus {
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity);
        let (revocations, _) = broadcast::channel(REVOCATION_BUFFER);
        Self {
            sender,
            revocations,
            tail: Arc::new(OnceLock::new()),
            remote: Arc::new(OnceLock::new()),
            drops: Arc::new(Drops {
                count: AtomicU64::new(0),
                warned_at: AtomicU64::new(0),
                started: Instant::now(),
            }),
        }
    }

    /// Hands committed events to this instance's tail, which publishes them in log order
    /// (other instances read them from the log). Before the tail is started (in tests of the
    /// bus alone) they are published at once.
    pub fn publish(&self, committed: Committed) {
        match self.tail.get() {
            Some(tail) => tail.hand(committed),
            None => {
                for logged in committed.0 {
                    let _ = self.sender.send(Arc::new(logged));
                }
            }
        }
    }

    /// Tells this instance's and, on PostgreSQL, the other instances' sockets that some
    /// access ended. Publish after the change has committed, so the re-check sees it.
    pub fn revoke(&self, revocation: Revocation) {
        if let Some(remote) = self.remote.get() {
            if remote.try_send(Relayed::Revocation(revocation)).is_err() {
                self.dropped_remote();
            }
        }
        let _ = self.revocations.send(revocation);
    }

    /// A revocation that came from another instance.
    pub fn revoke_local(&self, revocation: Revocation) {
        let _ = self.revocations.send(revocation);
    }

    pub fn revocations(&self) -> broadcast::Receiver<Revocation> {
        self.revocations.subscribe()
    }

    /// Counts an event the other instances will not hear of, warning at most every few
    /// seconds with how many there were.
    fn dropped_remote(&self) {
        let drops = &self.drops;
        drops.count.fetch_add(1, Ordering::Relaxed);
        // Seconds since start, plus one: zero means "never warned".
        let now = drops.started.elapsed().as_secs() + 1;
        let last = drops.warned_at.load(Ordering::Relaxed);
        if (last == 0 || now >= last + DROP_WARN_EVERY_S)
            && drops
                .warned_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            let events = drops.count.swap(0, Ordering::Relaxed);
            tracing::warn!(
                events,
                "the cross-instance event queue was full; these events stayed local (subscribers elsewhere catch up with messages(after:))"
            );
        }
    }

    /// Starts reading the event log from its current end, and relays revocations to and
    /// from other instances on PostgreSQL, where a NOTIFY from any instance's commit wakes
    /// the tail at once. Events older than `retention` are pruned from the log.
    pub async fn start(
        &self,
        store: crate::store::Store,
        database_url: &str,
        retention: Option<chrono::Duration>,
    ) -> anyhow::Result<()> {
        let tail = log::Tail::start(store.clone(), retention).await?;
        if self.tail.set(tail.clone()).is_err() {
            return Ok(());
        }
        tokio::spawn(tail.clone().run(self.sender.clone()));
        if let Some(tx) = relay::start(store, database_url, self.clone(), tail).await? {
            let _ = self.remote.set(tx);
        }
        Ok(())
    }

    /// This instance's reader of the log, once started.
    pub fn tail(&self) -> Option<&Arc<log::Tail>> {
        self.tail.get()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Logged>> {
        self.sender.subscribe()
    }
}
