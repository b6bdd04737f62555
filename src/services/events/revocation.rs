//! Access that ended or changed, as open sockets hear of it.

use serde::{Deserialize, Serialize};

use crate::domain::{ApiKeyId, SessionId, TenantId, UserId};
use crate::services::auth::{Principal, Viewer};

/// What changed. A socket it concerns authenticates its token again and closes with 4403
/// when the token no longer grants what it did; the authentication decides, so this only
/// says whom to ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Revocation {
    /// A session ended: logout, or a reused refresh token.
    Session { session: SessionId },
    /// A user's role, password or membership changed, or they were deactivated. In a tenant,
    /// the tenant's API keys are checked too, since a key may stand on its creator's role.
    User {
        user: UserId,
        tenant: Option<TenantId>,
    },
    /// An API key was revoked.
    ApiKey { key: ApiKeyId },
}

impl Revocation {
    /// Whether a socket opened by `viewer` must check its token again.
    pub fn concerns(&self, viewer: &Viewer) -> bool {
        match (*self, &viewer.principal) {
            (Revocation::Session { session }, Principal::User { session: own, .. }) => {
                session == *own
            }
            (Revocation::User { user, .. }, Principal::User { id, .. }) => user == *id,
            (Revocation::User { tenant, .. }, Principal::ApiKey { .. }) => {
                tenant.is_some() && tenant == viewer.tenant
            }
            (Revocation::ApiKey { key }, Principal::ApiKey { id, .. }) => key == *id,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn user(id: UserId, session: SessionId, tenant: TenantId) -> Viewer {
        Viewer {
            principal: Principal::User {
                id,
                email: "a@b.test".into(),
                session,
                expires_at: chrono::Utc::now(),
            },
            tenant: Some(tenant),
            role: Role::Agent,
        }
    }

    #[test]
    fn a_revocation_concerns_its_own_session_user_or_key_only() {
        let (id, session, tenant) = (UserId::new(), SessionId::new(), TenantId::new());
        let viewer = user(id, session, tenant);
        assert!(Revocation::Session { session }.concerns(&viewer));
        assert!(!Revocation::Session {
            session: SessionId::new()
        }
        .concerns(&viewer));
        assert!(Revocation::User {
            user: id,
            tenant: Some(tenant)
        }
        .concerns(&viewer));
        assert!(!Revocation::User {
            user: UserId::new(),
            tenant: Some(tenant)
        }
        .concerns(&viewer));
        let key = ApiKeyId::new();
        let api = Viewer {
            principal: Principal::ApiKey {
                id: key,
                name: "crm".into(),
                created_by: None,
            },
            tenant: Some(tenant),
            role: Role::Admin,
        };
        assert!(Revocation::ApiKey { key }.concerns(&api));
        assert!(Revocation::User {
            user: UserId::new(),
            tenant: Some(tenant)
        }
        .concerns(&api));
        assert!(!Revocation::User {
            user: UserId::new(),
            tenant: Some(TenantId::new())
        }
        .concerns(&api));
        assert!(!Revocation::ApiKey { key }.concerns(&viewer));
    }
}
