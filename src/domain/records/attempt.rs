//! One recorded delivery attempt of an outbox job.

use chrono::{DateTime, Utc};

use crate::domain::AttemptOutcome;

/// One recorded attempt.
#[derive(Clone, Debug)]
pub struct AttemptRecord {
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub request: String,
    pub http_status: Option<i32>,
    pub outcome: AttemptOutcome,
    pub provider_code: Option<String>,
    pub provider_message: Option<String>,
    pub provider_message_id: Option<String>,
}
