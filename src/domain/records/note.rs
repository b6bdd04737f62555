//! An internal note on a conversation.

use chrono::{DateTime, Utc};

use crate::domain::{ConversationId, NoteId, UserId};

/// A note as stored, with its author's name when they have one.
#[derive(Clone, Debug)]
pub struct NoteRecord {
    pub id: NoteId,
    pub conversation: ConversationId,
    pub author: UserId,
    pub author_name: Option<String>,
    pub text: String,
    pub created_at: DateTime<Utc>,
    /// When the text last changed; `None` while it is as first written.
    pub edited_at: Option<DateTime<Utc>>,
}
