//! A sign-in session and one refresh token of its family.

use chrono::{DateTime, Utc};

use crate::domain::{RefreshTokenId, SessionId, TenantId, UserId};

/// A sign-in session: one family of rotating refresh tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user: UserId,
    /// The tenant the session entered; none for a platform admin outside any tenant.
    pub tenant: Option<TenantId>,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
}

/// A refresh token as stored: never the token, which only its holder knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshRecord {
    pub id: RefreshTokenId,
    pub expires_at: DateTime<Utc>,
}
