//! Who may call what: the caller's `Viewer` from the request, and role guards.

use async_graphql::{Context, Guard};

use super::errors::coded;
use crate::domain::Role;
use crate::error::AppError;
use crate::services::auth::Viewer;

/// Set by the HTTP layer when an `Authorization` header was sent but not accepted.
pub struct AuthFailure(pub &'static str);

/// The caller, or UNAUTHENTICATED.
pub fn viewer<'c>(ctx: &'c Context<'_>) -> Result<&'c Viewer, AppError> {
    if let Some(viewer) = ctx.data_opt::<Viewer>() {
        return Ok(viewer);
    }
    let reason = ctx
        .data_opt::<AuthFailure>()
        .map(|f| f.0)
        .unwrap_or(crate::services::auth::NO_CREDENTIALS);
    Err(AppError::Unauthenticated(reason))
}

/// Admits callers whose role includes `min`; `PLATFORM_ADMIN` admits platform admins only.
pub struct RoleGuard {
    min: Role,
}

impl RoleGuard {
    pub fn new(min: Role) -> Self {
        Self { min }
    }
}

impl Guard for RoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        // The same code and message as a resolver that asks for the viewer itself.
        let viewer = viewer(ctx).map_err(|e| async_graphql::ErrorExtensions::extend(&e))?;
        let allowed = match self.min {
            Role::PlatformAdmin => viewer.role == Role::PlatformAdmin,
            min => viewer.tenant.is_some() && viewer.role.includes(min),
        };
        if allowed {
            Ok(())
        } else {
            Err(coded("FORBIDDEN", "your role does not allow this"))
        }
    }
}
