//! The event log, as the services use it: every unit that publishes events appends them
//! before it commits ([`append`]), and each instance runs one [`Tail`] that reads the log in
//! order and hands each event to its subscribers. Subscribers therefore see events in
//! commit order, whichever instance committed them, and a subscriber that reconnects
//! resumes after the last `seq` it saw ([`backlog`]) with nothing missed and nothing twice.
//!
//! The events an instance committed itself are handed to its tail with their records as
//! they were ([`super::EventBus::publish`]); the others' are loaded by id when read, as
//! they stand then, with the queue and assignee logged at the time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, Notify};

use super::{ContactEventKind, ConversationEventKind, Event, MessageEventKind};
use crate::domain::event_log::EventKind;
use crate::domain::{ConversationId, MessageId, UserId};
use crate::store::event_log::{LoggedEvent, NewEvent};
use crate::store::unit::Unit;
use crate::store::{Store, StoreError};

/// An event with its place in the log.
#[derive(Clone, Debug)]
pub struct Logged {
    pub seq: i64,
    pub event: Event,
}

/// Events appended in a unit that has committed: what the bus publishes.
#[must_use = "committed events are published with EventBus::publish"]
#[derive(Debug, Default)]
pub struct Committed(pub(super) Vec<Logged>);

impl Committed {
    /// The events, in log order.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.0.iter().map(|l| &l.event)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Events numbered from 1, for tests of the bus without a log.
    #[cfg(test)]
    pub fn numbered(events: Vec<Event>) -> Self {
        Committed(
            (1..)
                .zip(events)
                .map(|(seq, event)| Logged { seq, event })
                .collect(),
        )
    }

    /// Two commits' events, in order.
    pub fn and(mut self, other: Committed) -> Committed {
        self.0.extend(other.0);
        self
    }
}

/// Events appended but not yet committed; [`Appended::committed`] once the unit commits.
pub struct Appended(Vec<Logged>);

impl Appended {
    pub fn committed(self) -> Committed {
        Committed(self.0)
    }
}

fn kind_of(event: &Event) -> EventKind {
    match event {
        Event::Message { kind, .. } => match kind {
            MessageEventKind::Received => EventKind::MessageReceived,
            MessageEventKind::Sent => EventKind::MessageSent,
            MessageEventKind::StatusChanged => EventKind::MessageStatusChanged,
        },
        Event::Conversation { kind, .. } => match kind {
            ConversationEventKind::Opened => EventKind::ConversationOpened,
            ConversationEventKind::Routed => EventKind::ConversationRouted,
            ConversationEventKind::Assigned => EventKind::ConversationAssigned,
            ConversationEventKind::Unassigned => EventKind::ConversationUnassigned,
            ConversationEventKind::Transferred => EventKind::ConversationTransferred,
            ConversationEventKind::Snoozed => EventKind::ConversationSnoozed,
            ConversationEventKind::Resumed => EventKind::ConversationResumed,
            ConversationEventKind::Resolved => EventKind::ConversationResolved,
            ConversationEventKind::Reopened => EventKind::ConversationReopened,
            ConversationEventKind::NoteAdded => EventKind::ConversationNoteAdded,
        },
        Event::Presence { .. } => EventKind::PresenceChanged,
        Event::Contact { kind, .. } => match kind {
            ContactEventKind::OptedOut => EventKind::ContactOptedOut,
            ContactEventKind::OptedIn => EventKind::ContactOptedIn,
        },
        Event::Template { .. } => EventKind::TemplateStatusChanged,
        Event::Campaign { .. } => EventKind::CampaignFinished,
    }
}

fn conversation_kind(kind: EventKind) -> Option<ConversationEventKind> {
    Some(match kind {
        EventKind::ConversationOpened => ConversationEventKind::Opened,
        EventKind::ConversationRouted => ConversationEventKind::Routed,
        EventKind::ConversationAssigned => ConversationEventKind::Assigned,
        EventKind::ConversationUnassigned => ConversationEventKind::Unassigned,
        EventKind::ConversationTransferred => ConversationEventKind::Transferred,
        EventKind::ConversationSnoozed => ConversationEventKind::Snoozed,
        EventKind::ConversationResumed => ConversationEventKind::Resumed,
        EventKind::ConversationResolved => ConversationEventKind::Resolved,
        EventKind::ConversationReopened => ConversationEventKind::Reopened,
        EventKind::ConversationNoteAdded => ConversationEventKind::NoteAdded,
        _ => return None,
    })
}

fn entry(event: &Event) -> NewEvent {
    let (subject, queue, assignee) = match event {
        Event::Message {
            message,
            queue,
            assignee,
            ..
        } => (message.id.into_uuid(), *queue, *assignee),
        Event::Conversation { conversation, .. } => (
            conversation.id.into_uuid(),
            conversation.queue,
            conversation.assignee,
        ),
        Event::Presence { presence, .. } => (presence.user.into_uuid(), None, None),
        Event::Contact { contact, .. } => (contact.id.into_uuid(), None, None),
        Event::Template { template, .. } => (template.id.into_uuid(), None, None),
        Event::Campaign { campaign, .. } => (campaign.id.into_uuid(), None, None),
    };
    NewEvent {
        kind: kind_of(event),
        subject,
        queue,
        assignee,
    }
}

/// Appends `events` (all of the unit's tenant) as the unit's last writes. Commit the unit
/// right after: on PostgreSQL every other appender waits until it ends.
pub async fn append(unit: &Unit, events: &[Event]) -> Result<Appended, StoreError> {
    debug_assert!(events.iter().all(|e| e.tenant() == unit.tenant()));
    let entries: Vec<NewEvent> = events.iter().map(entry).collect();
    let seqs = unit.append_events(&entries).await?;
    Ok(Appended(
        seqs.into_iter()
            .zip(events.iter().cloned())
            .map(|(seq, event)| Logged { seq, event })
            .collect(),
    ))
}

/// Appends `events` and commits `unit` with them.
pub async fn commit(unit: Unit, events: &[Event]) -> Result<Committed, StoreError> {
    let appended = append(&unit, events).await?;
    unit.commit().await?;
    Ok(appended.committed())
}

/// Rebuilds a logged event from the records as they stand now; `None` when its subject is
/// gone (erased, deleted).
pub async fn load(store: &Store, logged: &LoggedEvent) -> Result<Option<Event>, StoreError> {
    let scope = store.tenant(logged.tenant);
    let tenant = logged.tenant;
    let found = |r: Result<Event, StoreError>| match r {
        Ok(event) => Ok(Some(event)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    };
    let message_kind = match logged.kind {
        EventKind::MessageReceived => Some(MessageEventKind::Received),
        EventKind::MessageSent => Some(MessageEventKind::Sent),
        EventKind::MessageStatusChanged => Some(MessageEventKind::StatusChanged),
        _ => None,
    };
    if let Some(kind) = message_kind {
        return found(
            scope
                .messages()
                .get(MessageId::from(logged.subject))
                .await
                .map(|message| Event::Message {
                    tenant,
                    kind,
                    message: Box::new(message),
                    queue: logged.queue,
                    assignee: logged.assignee,
                }),
        );
    }
    if let Some(kind) = conversation_kind(logged.kind) {
        return found(
            scope
                .conversations()
                .get(ConversationId::from(logged.subject))
                .await
                .map(|conversation| Event::Conversation {
                    tenant,
                    kind,
                    conversation,
                }),
        );
    }
    match logged.kind {
        EventKind::PresenceChanged => Ok(scope
            .presence()
            .of(&[UserId::from(logged.subject)])
            .await?
            .pop()
            .map(|presence| Event::Presence { tenant, presence })),
        EventKind::ContactOptedOut | EventKind::ContactOptedIn => found(
            scope
                .contacts()
                .get(logged.subject.into())
                .await
                .map(|contact| Event::Contact {
                    tenant,
                    kind: if logged.kind == EventKind::ContactOptedOut {
                        ContactEventKind::OptedOut
                    } else {
                        ContactEventKind::OptedIn
                    },
                    contact: Box::new(contact),
                }),
        ),
        EventKind::TemplateStatusChanged => found(
            scope
                .templates()
                .get(logged.subject.into())
                .await
                .map(|template| Event::Template {
                    tenant,
                    template: Box::new(template),
                }),
        ),
        EventKind::CampaignFinished => found(
            scope
                .campaigns()
                .get(logged.subject.into())
                .await
                .map(|campaign| Event::Campaign {
                    tenant,
                    campaign: Box::new(campaign),
                }),
        ),
        _ => Ok(None),
    }
}

/// Why a resume from a cursor cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// The cursor is older than the log keeps: events after it were pruned.
    #[error("this cursor is older than the event log keeps; fetch the current state again")]
    Expired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Events read per query, by the tail and by a resuming subscriber.
const PAGE: u64 = 500;

/// Up to [`PAGE`] of `tenant`'s events after `seq`, in order, with the position read to
/// (past events whose subject is gone, too). Empty once caught up.
pub async fn backlog(
    store: &Store,
    tenant: crate::domain::TenantId,
    seq: i64,
) -> Result<(Vec<Logged>, i64), ResumeError> {
    let log = store.event_log();
    if seq < log.horizon().await? {
        return Err(ResumeError::Expired);
    }
    let rows = log.of_tenant_after(tenant, seq, PAGE).await?;
    let mut last = seq;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        last = row.seq;
        if let Some(event) = load(store, &row).await? {
            out.push(Logged {
                seq: row.seq,
                event,
            });
        }
    }
    Ok((out, last))
}

/// How often the tail reads the log even without a wake-up: a backstop for a wake-up lost
/// with a listener's connection.
const POLL: Duration = Duration::from_secs(1);
/// How often old events are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// Events pruned per statement.
const PRUNE_BATCH: u64 = 10_000;
/// Events this instance committed and has not read back yet, at most; beyond that the
/// oldest are loaded from the database instead.
const HELD: usize = 65_536;

/// One instance's reader of the log.
pub struct Tail {
    store: Store,
    /// The last `seq` handed to subscribers.
    position: AtomicI64,
    /// This instance's committed events by `seq`, until the tail reaches them.
    held: Mutex<HashMap<i64, Event>>,
    wake: Notify,
    retention: Option<chrono::Duration>,
}

impl Tail {
    /// A tail starting at the log's current end.
    pub async fn start(
        store: Store,
        retention: Option<chrono::Duration>,
    ) -> Result<Arc<Self>, StoreError> {
        let head = store.event_log().head().await?;
        Ok(Arc::new(Self {
            store,
            position: AtomicI64::new(head),
            held: Mutex::new(HashMap::new()),
            wake: Notify::new(),
            retention,
        }))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The last `seq` handed to subscribers.
    pub fn position(&self) -> i64 {
        self.position.load(Ordering::Acquire)
    }

    /// Keeps this instance's committed events for the tail and wakes it.
    pub(super) fn hand(&self, committed: Committed) {
        let position = self.position();
        {
            let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
            for logged in committed.0 {
                if logged.seq > position && held.len() < HELD {
                    held.insert(logged.seq, logged.event);
                }
            }
        }
        self.wake();
    }

    /// Reads the log now (after a commit here or a notification from elsewhere).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Reads the log into `sender` until aborted.
    pub async fn run(self: Arc<Self>, sender: broadcast::Sender<Arc<Logged>>) {
        let mut pruned_at = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            if let Err(e) = self.read(&sender).await {
                tracing::warn!(error = %e, "could not read the event log; trying again");
                tokio::time::sleep(Duration::from_millis(200)).await;
                self.wake();
            }
            if pruned_at.elapsed() >= PRUNE_EVERY {
                pruned_at = tokio::time::Instant::now();
                self.prune().await;
            }
        }
    }

    /// Hands every event after the position to `sender`, in order.
    async fn read(&self, sender: &broadcast::Sender<Arc<Logged>>) -> Result<(), StoreError> {
        loop {
            let position = self.position();
            let rows = self.store.event_log().after(position, PAGE).await?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                return Ok(());
            };
            let full = rows.len() as u64 == PAGE;
            for row in rows {
                let held = self
                    .held
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&row.seq);
                let event = match held {
                    Some(event) => Some(event),
                    None => load(&self.store, &row).await?,
                };
                if let Some(event) = event {
                    let _ = sender.send(Arc::new(Logged {
                        seq: row.seq,
                        event,
                    }));
                }
                self.position.store(row.seq, Ordering::Release);
                let lag = (chrono::Utc::now() - row.at).as_seconds_f64();
                crate::telemetry::metrics::event_log_lag(lag.max(0.0));
                crate::telemetry::metrics::event_log_position(row.seq);
            }
            // Anything still held at or below the position was read back from the
            // database meanwhile (its commit was seen before it was handed over).
            self.held
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|seq, _| *seq > last);
            if !full {
                return Ok(());
            }
        }
    }

    async fn prune(&self) {
        let Some(retention) = self.retention else {
            return;
        };
        let before = chrono::Utc::now() - retention;
        loop {
            match self.store.event_log().prune(before, PRUNE_BATCH).await {
                Ok(n) if n >= PRUNE_BATCH => continue,
                Ok(n) => {
                    if n > 0 {
                        tracing::debug!(events = n, "pruned old events from the event log");
                    }
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not prune the event log");
                    return;
                }
            }
        }
    }
}
