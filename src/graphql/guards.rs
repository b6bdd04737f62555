//! Who is calling: the caller's `Viewer` from the request. What a caller may do is decided
//! once per operation, by the `Access` its resolver asks the viewer for.

use async_graphql::Context;

use crate::domain::Visibility;
use crate::error::AppError;
use crate::services::auth::{Agent, Viewer};
use crate::services::Services;

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

/// What the caller sees, read once per HTTP request (the HTTP layer puts one in each).
#[derive(Default)]
pub struct SeenOnce(tokio::sync::OnceCell<Visibility>);

impl SeenOnce {
    /// Everything of the tenant, whatever the role (a webhook's payload, rendered as its
    /// tenant).
    pub fn all() -> Self {
        Self(tokio::sync::OnceCell::new_with(Some(Visibility::All)))
    }
}

/// What the caller may see of its tenant's conversations and messages: every nested field
/// that lists or follows to one asks here, so no path leads to one the caller may not see.
pub async fn visibility(ctx: &Context<'_>) -> Result<Visibility, AppError> {
    let access = viewer(ctx)?.access::<Agent>()?;
    let state = ctx.data_unchecked::<Services>();
    match ctx.data_opt::<SeenOnce>() {
        Some(once) => once
            .0
            .get_or_try_init(|| state.visibility.of(&access))
            .await
            .cloned(),
        None => state.visibility.of(&access).await,
    }
}
