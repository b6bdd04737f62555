//! An attachment waiting to be fetched from its provider.

use chrono::{DateTime, Utc};

use crate::domain::{AttachmentId, MessageId, TenantId};

/// An attachment due for a fetch: where to get it and how often it was tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingAttachment {
    pub id: AttachmentId,
    pub tenant: TenantId,
    pub message: MessageId,
    /// The provider's media reference (Twilio URL, Meta media id).
    pub reference: String,
    pub content_type: Option<String>,
    pub filename: Option<String>,
    pub sha256: Option<String>,
    /// Fetches tried before.
    pub attempts: i32,
    /// When it fell due, as read: a lease is taken only if it is still this.
    pub next_attempt_at: Option<DateTime<Utc>>,
}
