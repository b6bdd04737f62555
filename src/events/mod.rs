//! The event bus behind subscriptions: events are published after their transaction
//! commits, to every subscriber of the tenant. The buffer is a bounded ring: a subscriber
//! that falls behind it is told so and dropped, and never slows publishing or grows memory.

pub mod relay;

use std::sync::{Arc, OnceLock};

use tokio::sync::{broadcast, mpsc};

use crate::domain::TenantId;
use crate::store::conversations::ConversationRecord;
use crate::store::messages::MessageRecord;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageEventKind {
    Received,
    Sent,
    StatusChanged,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationEventKind {
    Opened,
    Assigned,
    Resolved,
}

#[derive(Clone, Debug)]
pub enum Event {
    Message {
        tenant: TenantId,
        kind: MessageEventKind,
        message: Box<MessageRecord>,
        /// The conversation's queue, for filtering.
        queue: Option<uuid::Uuid>,
    },
    Conversation {
        tenant: TenantId,
        kind: ConversationEventKind,
        conversation: ConversationRecord,
    },
}

impl Event {
    pub fn tenant(&self) -> TenantId {
        match self {
            Event::Message { tenant, .. } | Event::Conversation { tenant, .. } => *tenant,
        }
    }
}

/// Events held for subscribers that are momentarily behind.
pub const BUFFER: usize = 4096;

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Event>>,
    /// Other instances, on PostgreSQL (see `relay`).
    remote: Arc<OnceLock<mpsc::Sender<Event>>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new(BUFFER)
    }
}

impl EventBus {
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity);
        Self {
            sender,
            remote: Arc::new(OnceLock::new()),
        }
    }

    /// Publishes committed events to this instance's subscribers and, on PostgreSQL, to the
    /// other instances'. With no subscriber they are simply dropped.
    pub fn publish(&self, events: impl IntoIterator<Item = Event>) {
        for event in events {
            if let Some(remote) = self.remote.get() {
                if remote.try_send(event.clone()).is_err() {
                    tracing::warn!("the cross-instance event queue is full; an event stays local");
                }
            }
            let _ = self.sender.send(Arc::new(event));
        }
    }

    /// Publishes events that came from another instance.
    pub fn publish_local(&self, events: impl IntoIterator<Item = Event>) {
        for event in events {
            let _ = self.sender.send(Arc::new(event));
        }
    }

    /// Relays events to and from other instances through PostgreSQL; nothing on SQLite.
    pub async fn connect_instances(
        &self,
        store: crate::store::Store,
        database_url: &str,
    ) -> anyhow::Result<()> {
        if let Some(tx) = relay::start(store, database_url, self.clone()).await? {
            let _ = self.remote.set(tx);
        }
        Ok(())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }
}
