//! A queue as stored, with its members.

use chrono::{DateTime, Utc};

use crate::domain::business_hours::BusinessHours;
use crate::domain::queue::AssignmentMode;
use crate::domain::{QueueId, UserId};

#[derive(Clone, Debug)]
pub struct QueueRecord {
    pub id: QueueId,
    pub name: String,
    pub mode: AssignmentMode,
    /// The language its conversations are in, for routing and reporting.
    pub language: Option<String>,
    pub first_response_minutes: Option<u32>,
    /// None: always open.
    pub hours: Option<BusinessHours>,
    pub is_default: bool,
    pub members: Vec<QueueMember>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl QueueRecord {
    /// A new queue: manual assignment, always open, no members.
    pub fn new(name: String, now: DateTime<Utc>) -> Self {
        Self {
            id: QueueId::new(),
            name,
            mode: AssignmentMode::Manual,
            language: None,
            first_response_minutes: None,
            hours: None,
            is_default: false,
            members: Vec::new(),
            created_at: now,
            updated_at: now,
        }
    }

    /// The queue a tenant starts with.
    pub fn tenant_default(now: DateTime<Utc>) -> Self {
        Self {
            is_default: true,
            ..Self::new(crate::domain::queue::DEFAULT_NAME.to_owned(), now)
        }
    }

    /// Whether the queue is open at `at`: always, when it has no hours.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.hours.as_ref().is_none_or(|h| h.is_open(at))
    }
}

/// An agent of a queue and how many of its conversations they work at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueMember {
    pub user: UserId,
    pub capacity: u32,
}
