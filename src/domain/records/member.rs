//! A user as a member of one tenant.

use chrono::{DateTime, Utc};

use crate::domain::{Role, UserId};

/// A user as a member of one tenant.
#[derive(Clone, Debug)]
pub struct MemberRecord {
    pub id: UserId,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}
