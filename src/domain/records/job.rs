//! One outbox job: the send of one outbound message, as a worker claims it. The store
//! converts its rows to this record and keeps the stored words of a state to itself.

use chrono::{DateTime, Utc};

use crate::domain::ids::JobId;
use crate::domain::{ChannelId, MessageId, TenantId};

/// Where a job is in the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waits for the message before it (the previous part of a split text) to be sent.
    Waiting,
    /// Due at its next attempt time; a worker may hold it under a lease.
    Pending,
    /// Sent, or found already sent: nothing left to do.
    Done,
    /// Ended for good without a send.
    Failed,
}

/// A job as a worker sees it after claiming it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRecord {
    pub id: JobId,
    pub tenant: TenantId,
    pub message: MessageId,
    pub channel: ChannelId,
    pub state: JobState,
    /// The number of the last attempt recorded when the job last moved.
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    /// The lease the worker holds the job under (the one it claimed or last renewed); every
    /// write the worker makes to the job is fenced on it.
    pub lease_until: Option<DateTime<Utc>>,
}
