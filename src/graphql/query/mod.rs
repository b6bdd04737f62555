//! Queries over accounts.

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, ID};

use super::connection::{connection, page_request};
use super::errors::GqlResult;
use super::guards::{viewer, RoleGuard};
use super::types::{parse_id, ApiKey, AuditEntry, Tenant, User, Viewer};
use super::AppState;
use crate::domain::{Role, UserId};
use crate::error::AppError;
use crate::services::auth::Principal;

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The caller: user or API key, role and tenant.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Viewer> {
        let v = viewer(ctx)?;
        let state = ctx.data_unchecked::<AppState>();
        let (user, api_key) = match (&v.principal, v.tenant) {
            (Principal::User { id, .. }, Some(tenant)) => (
                Some(state.store.tenant(tenant).members().get(*id).await?.into()),
                None,
            ),
            (Principal::User { id, email, .. }, None) => {
                let row = state
                    .store
                    .system()
                    .find_user(*id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let user = User {
                    id: ID(id.to_string()),
                    email: email.clone(),
                    name: row.name,
                    role: v.role.into(),
                    active: true,
                    created_at: row.created_at,
                    last_login_at: row.last_login_at,
                };
                (Some(user), None)
            }
            (Principal::ApiKey { id, .. }, Some(tenant)) => (
                None,
                Some(state.store.tenant(tenant).api_keys().get(*id).await?.into()),
            ),
            (Principal::ApiKey { .. }, None) => (None, None),
        };
        Ok(Viewer {
            role: v.role.into(),
            user,
            api_key,
            tenant_id: v.tenant,
        })
    }

    /// Every tenant (platform admin only).
    #[graphql(
        guard = "RoleGuard::new(Role::PlatformAdmin)",
        complexity = "crate::graphql::connection::page_cost(first, child_complexity)"
    )]
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Tenant>> {
        let has_previous = after.is_some();
        let page = page_request("tenant", first, after)?;
        let state = ctx.data_unchecked::<AppState>();
        let page = state.store.tenants().list(page).await?;
        Ok(connection(
            "tenant",
            page,
            has_previous,
            |t| t.id.into_uuid(),
            Tenant::from,
        ))
    }

    /// The users of the caller's tenant.
    #[graphql(
        guard = "RoleGuard::new(Role::Agent)",
        complexity = "crate::graphql::connection::page_cost(first, child_complexity)"
    )]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, User>> {
        let tenant = viewer(ctx)?.require_tenant(Role::Agent)?;
        let has_previous = after.is_some();
        let page = page_request("user", first, after)?;
        let state = ctx.data_unchecked::<AppState>();
        let page = state.store.tenant(tenant).members().list(page).await?;
        Ok(connection(
            "user",
            page,
            has_previous,
            |u| u.id.into_uuid(),
            User::from,
        ))
    }

    /// One user of the caller's tenant; another tenant's user answers NOT_FOUND.
    #[graphql(guard = "RoleGuard::new(Role::Agent)")]
    async fn user(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<User>> {
        let tenant = viewer(ctx)?.require_tenant(Role::Agent)?;
        let id: UserId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<AppState>();
        Ok(Some(
            state.store.tenant(tenant).members().get(id).await?.into(),
        ))
    }

    /// The tenant's API keys, revoked ones included.
    #[graphql(guard = "RoleGuard::new(Role::Admin)")]
    async fn api_keys(&self, ctx: &Context<'_>) -> GqlResult<Vec<ApiKey>> {
        let tenant = viewer(ctx)?.require_tenant(Role::Admin)?;
        let state = ctx.data_unchecked::<AppState>();
        let keys = state.store.tenant(tenant).api_keys().list().await?;
        Ok(keys.into_iter().map(ApiKey::from).collect())
    }

    /// The tenant's audit log, newest first.
    #[graphql(
        guard = "RoleGuard::new(Role::Admin)",
        complexity = "crate::graphql::connection::page_cost(first, child_complexity)"
    )]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, AuditEntry>> {
        let tenant = viewer(ctx)?.require_tenant(Role::Admin)?;
        let has_previous = after.is_some();
        let page = page_request("audit", first, after)?;
        let state = ctx.data_unchecked::<AppState>();
        let page = state.store.tenant(tenant).audit().list(page).await?;
        Ok(connection(
            "audit",
            page,
            has_previous,
            |a| a.id.into_uuid(),
            AuditEntry::from,
        ))
    }
}
