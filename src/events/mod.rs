//! The event bus behind subscriptions: events are published after their transaction
//! commits, to every subscriber of the tenant. The buffer is a bounded ring: a subscriber
//! that falls behind it is told so and dropped, and never slows publishing or grows memory.

use std::sync::Arc;

use tokio::sync::broadcast;

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
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new(BUFFER)
    }
}

impl EventBus {
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity);
        Self { sender }
    }

    /// Publishes committed events; with no subscriber they are simply dropped.
    pub fn publish(&self, events: impl IntoIterator<Item = Event>) {
        for event in events {
            let _ = self.sender.send(Arc::new(event));
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }
}
