//! The authenticated caller, and the checks every resolver starts with.

use chrono::{DateTime, Utc};

use crate::domain::records::AuditActor;
use crate::domain::{ApiKeyId, Role, SessionId, TenantId, UserId, WebhookEndpointId};
use crate::error::AppError;

/// Who is calling: a signed-in user or an API key, in at most one tenant.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub principal: Principal,
    pub tenant: Option<TenantId>,
    pub role: Role,
}

#[derive(Clone, Debug)]
pub enum Principal {
    User {
        id: UserId,
        email: String,
        session: SessionId,
        /// When the access token expires (a refreshed one carries a later time).
        expires_at: DateTime<Utc>,
    },
    ApiKey {
        id: ApiKeyId,
        name: String,
        /// The user the key acts for; its role bounds the key's.
        created_by: Option<UserId>,
    },
    /// An outgoing webhook endpoint whose payload is being rendered: it reads as its tenant
    /// at its role, and writes nothing.
    Webhook { endpoint: WebhookEndpointId },
}

impl Viewer {
    /// The caller's tenant, when its role includes `min`. A platform admin outside any tenant
    /// is forbidden here: it manages tenants, not their data.
    pub fn require_tenant(&self, min: Role) -> Result<TenantId, AppError> {
        match self.tenant {
            Some(tenant) if self.role.includes(min) => Ok(tenant),
            Some(_) => Err(AppError::Forbidden("your role does not allow this")),
            None => Err(AppError::Forbidden("this needs a tenant's user or API key")),
        }
    }

    pub fn require_platform_admin(&self) -> Result<(), AppError> {
        if self.role == Role::PlatformAdmin {
            Ok(())
        } else {
            Err(AppError::Forbidden("only a platform admin may do this"))
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            Principal::ApiKey { .. } | Principal::Webhook { .. } => None,
        }
    }

    /// The user on whose behalf the caller acts: the signed-in user, or an API key's creator.
    pub fn acting_user(&self) -> Option<UserId> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            Principal::ApiKey { created_by, .. } => *created_by,
            Principal::Webhook { .. } => None,
        }
    }

    /// How the audit log names this caller.
    pub fn audit_actor(&self) -> AuditActor {
        match &self.principal {
            Principal::User { id, email, .. } => AuditActor {
                user: Some(*id),
                api_key: None,
                label: email.clone(),
            },
            Principal::ApiKey { id, name, .. } => AuditActor {
                user: None,
                api_key: Some(*id),
                label: format!("API key {name}"),
            },
            Principal::Webhook { endpoint } => AuditActor {
                user: None,
                api_key: None,
                label: format!("webhook endpoint {endpoint}"),
            },
        }
    }
}
