//! A saved reply agents insert by its shortcut.

use chrono::{DateTime, Utc};

use crate::domain::{MediaKind, QueueId, QuickReplyId, UploadId};

/// A quick reply as stored.
#[derive(Clone, Debug)]
pub struct QuickReplyRecord {
    pub id: QuickReplyId,
    /// `None` for the whole tenant's replies.
    pub queue: Option<QueueId>,
    pub shortcut: String,
    /// The text with its variables, as written.
    pub text: String,
    pub media: Option<ReplyMedia>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A file uploaded with `POST /media` that goes with the reply, the text as its caption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyMedia {
    pub kind: MediaKind,
    pub upload: UploadId,
}
