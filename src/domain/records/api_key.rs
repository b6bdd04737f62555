//! An API key as the API shows it, and as a request presenting it is checked.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::domain::{ApiKeyId, Role, TenantId, UserId};

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

/// An API key as a request presenting it is checked against.
#[derive(Clone)]
pub struct ApiKeyCredential {
    pub id: ApiKeyId,
    pub tenant: TenantId,
    pub name: String,
    pub role: Role,
    pub created_by: Option<UserId>,
    /// SHA-256 of the whole key.
    pub secret_hash: String,
    pub revoked: bool,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for ApiKeyCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyCredential")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("role", &self.role)
            .field("secret_hash", &"***")
            .finish_non_exhaustive()
    }
}
