//! A user's account and memberships as sign-in and the request guard read them.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::domain::{Role, TenantId, UserId};

/// A user's account: who they are and the hash their password is checked against.
#[derive(Clone)]
pub struct UserAccount {
    pub id: UserId,
    pub email: String,
    pub name: Option<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    pub is_platform_admin: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for UserAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserAccount")
            .field("id", &self.id)
            .field("is_platform_admin", &self.is_platform_admin)
            .field("password_hash", &"***")
            .finish_non_exhaustive()
    }
}

/// A user's membership of one tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipRecord {
    pub tenant: TenantId,
    pub role: Role,
    /// False once the membership is deactivated.
    pub active: bool,
}
