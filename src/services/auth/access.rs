//! Leave to act: a caller's role in its tenant, decided once per operation. A use case takes
//! an [`Access`] of the level it needs, and only [`Viewer::access`] makes one, so the check
//! happens at the edge that asked and nowhere else (the type says which level a use case
//! needs; a higher role converts down with [`Access::narrow`]).

use std::marker::PhantomData;

use super::Viewer;
use crate::domain::records::AuditActor;
use crate::domain::{Role, TenantId, UserId};
use crate::error::AppError;

/// A level of leave within a tenant.
pub trait Level: Send + Sync + 'static {
    const ROLE: Role;
}

/// Reads and works conversations.
pub struct Agent;
/// Manages channels, templates, campaigns, users below owner.
pub struct Admin;
/// Everything in the tenant.
pub struct Owner;

impl Level for Agent {
    const ROLE: Role = Role::Agent;
}
impl Level for Admin {
    const ROLE: Role = Role::Admin;
}
impl Level for Owner {
    const ROLE: Role = Role::Owner;
}

/// The caller may act in `tenant` at level `L` (or above: `role` is the caller's own).
pub struct Access<L: Level> {
    tenant: TenantId,
    role: Role,
    actor: AuditActor,
    acting_user: Option<UserId>,
    user: Option<UserId>,
    level: PhantomData<L>,
}

impl<L: Level> Clone for Access<L> {
    fn clone(&self) -> Self {
        Self {
            tenant: self.tenant,
            role: self.role,
            actor: self.actor.clone(),
            acting_user: self.acting_user,
            user: self.user,
            level: PhantomData,
        }
    }
}

impl<L: Level> std::fmt::Debug for Access<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("tenant", &self.tenant)
            .field("role", &self.role)
            .field("level", &L::ROLE)
            .finish()
    }
}

impl<L: Level> Access<L> {
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The caller's own role (at least `L`'s).
    pub fn role(&self) -> Role {
        self.role
    }

    /// How the audit log names the caller.
    pub fn actor(&self) -> &AuditActor {
        &self.actor
    }

    /// The user on whose behalf the caller acts: the signed-in user, or an API key's creator.
    pub fn acting_user(&self) -> Option<UserId> {
        self.acting_user
    }

    /// The signed-in user, when the caller is one (not an API key).
    pub fn user_id(&self) -> Option<UserId> {
        self.user
    }

    /// The same leave at a lower level, for a use case that needs less.
    pub fn narrow<M: Level>(&self) -> Access<M> {
        debug_assert!(L::ROLE.includes(M::ROLE));
        Access {
            tenant: self.tenant,
            role: self.role,
            actor: self.actor.clone(),
            acting_user: self.acting_user,
            user: self.user,
            level: PhantomData,
        }
    }
}

impl Viewer {
    /// Leave to act in the caller's tenant at level `L`: FORBIDDEN when the role falls short
    /// or the caller (a platform admin) is in no tenant.
    pub fn access<L: Level>(&self) -> Result<Access<L>, AppError> {
        let tenant = self.require_tenant(L::ROLE)?;
        Ok(Access {
            tenant,
            role: self.role,
            actor: self.audit_actor(),
            acting_user: self.acting_user(),
            user: self.user_id(),
            level: PhantomData,
        })
    }

    /// Leave to manage the platform: FORBIDDEN unless the caller is a platform admin.
    pub fn platform(&self) -> Result<Platform, AppError> {
        self.require_platform_admin()?;
        Ok(Platform {
            actor: self.audit_actor(),
        })
    }
}

/// The caller is a platform admin: it manages tenants, not their data.
#[derive(Clone, Debug)]
pub struct Platform {
    actor: AuditActor,
}

impl Platform {
    /// How the audit log names the caller.
    pub fn actor(&self) -> &AuditActor {
        &self.actor
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SessionId;
    use crate::services::auth::Principal;

    fn viewer(role: Role, tenant: Option<TenantId>) -> Viewer {
        Viewer {
            principal: Principal::User {
                id: UserId::new(),
                email: "a@example.com".into(),
                session: SessionId::new(),
                expires_at: chrono::Utc::now(),
            },
            tenant,
            role,
        }
    }

    #[test]
    fn leave_follows_the_role_and_the_tenant() {
        let tenant = TenantId::new();
        let admin = viewer(Role::Admin, Some(tenant));
        assert_eq!(
            admin.access::<Agent>().map(|a| a.tenant()).ok(),
            Some(tenant)
        );
        assert!(admin.access::<Admin>().is_ok());
        assert!(matches!(
            admin.access::<Owner>(),
            Err(AppError::Forbidden(_))
        ));
        let platform = viewer(Role::PlatformAdmin, None);
        assert!(matches!(
            platform.access::<Agent>(),
            Err(AppError::Forbidden(_))
        ));
        let narrowed: Access<Agent> = admin.access::<Admin>().map(|a| a.narrow()).unwrap();
        assert_eq!(narrowed.role(), Role::Admin);
    }
}
