//! Who is calling: the caller's `Viewer` from the request. What a caller may do is decided
//! once per operation, by the `Access` its resolver asks the viewer for.

use async_graphql::Context;

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
