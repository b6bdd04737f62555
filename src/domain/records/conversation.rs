//! A conversation as the API shows it, and which conversations a list holds.

use chrono::{DateTime, Utc};

use crate::domain::conversation::{ChangeKind, Standing};
use crate::domain::{
    ChannelId, ContactId, ConversationId, ConversationStatus, LabelId, QueueId, UserId,
};

/// A conversation as stored.
#[derive(Clone, Debug)]
pub struct ConversationRecord {
    pub id: ConversationId,
    pub channel: ChannelId,
    pub contact: ContactId,
    pub status: ConversationStatus,
    pub queue: Option<QueueId>,
    pub assignee: Option<UserId>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub window_expires_at: Option<DateTime<Utc>>,
    pub last_message_at: DateTime<Utc>,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// When a snoozed conversation comes back by itself.
    pub snoozed_until: Option<DateTime<Utc>>,
    /// Since when it waits in its queue for an agent (OPEN only).
    pub waiting_since: Option<DateTime<Utc>>,
    /// How it found its queue; none for conversations opened before routing.
    pub routing: Option<crate::domain::records::RoutingRecord>,
    pub updated_at: DateTime<Utc>,
}

impl ConversationRecord {
    /// The part its lifecycle moves.
    pub fn standing(&self) -> Standing {
        Standing {
            status: self.status,
            queue: self.queue,
            assignee: self.assignee,
            snoozed_until: self.snoozed_until,
        }
    }

    /// Not resolved: the contact's current conversation on its channel.
    pub fn is_unresolved(&self) -> bool {
        self.status != ConversationStatus::Resolved
    }
}

/// One change in a conversation's life: what, when, by whom (none: Switchboard itself,
/// such as routing, automatic assignment or the customer's message), and where it left
/// the conversation.
#[derive(Clone, Debug)]
pub struct ConversationChangeRecord {
    pub id: uuid::Uuid,
    pub conversation: ConversationId,
    pub kind: ChangeKind,
    pub actor: Option<UserId>,
    pub status: ConversationStatus,
    pub queue: Option<QueueId>,
    pub assignee: Option<UserId>,
    /// The note a transfer carries.
    pub note: Option<String>,
    /// The end of a snooze.
    pub until: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// Which conversations a list holds.
#[derive(Clone, Debug, Default)]
pub struct ConversationFilter {
    pub status: Option<ConversationStatus>,
    pub channel: Option<ChannelId>,
    pub contact: Option<ContactId>,
    pub queue: Option<QueueId>,
    /// Conversations that have every one of these labels.
    pub labels: Vec<LabelId>,
    pub assignee: Option<UserId>,
    /// With (true) or without (false) an assignee.
    pub assigned: Option<bool>,
    /// Whether the 24-hour window is open (true) or not (false) at the time given.
    pub window_open: Option<(bool, DateTime<Utc>)>,
    /// With (true) or without (false) customer messages this member has not read.
    pub unread: Option<(bool, UserId)>,
}
