//! A conversation as the API shows it, and which conversations a list holds.

use chrono::{DateTime, Utc};

use crate::domain::{ChannelId, ContactId, ConversationId, LabelId, QueueId, UserId};

/// A conversation as stored.
#[derive(Clone, Debug)]
pub struct ConversationRecord {
    pub id: ConversationId,
    pub channel: ChannelId,
    pub contact: ContactId,
    pub open: bool,
    pub queue: Option<QueueId>,
    pub assignee: Option<UserId>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub window_expires_at: Option<DateTime<Utc>>,
    pub last_message_at: DateTime<Utc>,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// How it found its queue; none for conversations opened before routing.
    pub routing: Option<crate::domain::records::RoutingRecord>,
    pub updated_at: DateTime<Utc>,
}

/// Which conversations a list holds.
#[derive(Clone, Debug, Default)]
pub struct ConversationFilter {
    pub open: Option<bool>,
    pub channel: Option<ChannelId>,
    pub contact: Option<ContactId>,
    pub queue: Option<QueueId>,
    /// Conversations that have every one of these labels.
    pub labels: Vec<LabelId>,
}
