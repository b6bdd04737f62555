//! An API key as the API shows it.

use chrono::{DateTime, Utc};

use crate::domain::{ApiKeyId, Role, UserId};

/// An API key as the API shows it: never its secret.
#[derive(Clone, Debug)]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub role: Role,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}
