//! A member's presence as the API shows it.

use chrono::{DateTime, Utc};

use crate::domain::presence::PresenceStatus;
use crate::domain::UserId;

/// A member's presence and how many conversations they hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresenceRecord {
    pub user: UserId,
    pub status: PresenceStatus,
    /// When the status last changed; `None` for a member who never set one (OFFLINE).
    pub since: Option<DateTime<Utc>>,
    /// Conversations assigned to them and not resolved.
    pub open_conversations: u64,
}
