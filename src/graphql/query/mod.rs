//! Queries over accounts.

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, ID};

use super::connection::{connection, page_request};
use super::errors::GqlResult;
use super::guards::viewer;
use super::types::{parse_id, ApiKey, AuditEntry, Tenant, User, Viewer};
use crate::domain::UserId;
use crate::services::auth::Principal;
use crate::services::auth::{Admin, Agent};
use crate::services::Services;

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The caller: user or API key, role and tenant.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Viewer> {
        let v = viewer(ctx)?;
        let state = ctx.data_unchecked::<Services>();
        let (user, api_key) = match (&v.principal, v.tenant) {
            (Principal::User { id, .. }, Some(tenant)) => (
                Some(state.directory.user_in(tenant, *id).await?.into()),
                None,
            ),
            (Principal::User { id, .. }, None) => {
                (Some(state.directory.platform_user(*id).await?.into()), None)
            }
            (Principal::ApiKey { id, .. }, Some(tenant)) => (
                None,
                Some(state.directory.api_key_in(tenant, *id).await?.into()),
            ),
            (Principal::ApiKey { .. }, None) | (Principal::Webhook { .. }, _) => (None, None),
        };
        Ok(Viewer {
            role: v.role.into(),
            user,
            api_key,
            tenant_id: v.tenant,
        })
    }

    /// Every tenant (platform admin only).
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Tenant>> {
        let has_previous = after.is_some();
        let page = page_request("tenant", first, after)?;
        let state = ctx.data_unchecked::<Services>();
        let page = state
            .directory
            .tenants(&viewer(ctx)?.platform()?, page)
            .await?;
        Ok(connection(
            "tenant",
            page,
            has_previous,
            |t| t.id.into_uuid(),
            Tenant::from,
        ))
    }

    /// The users of the caller's tenant.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, User>> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let has_previous = after.is_some();
        let page = page_request("user", first, after)?;
        let state = ctx.data_unchecked::<Services>();
        let page = state.directory.users(&access, page).await?;
        Ok(connection(
            "user",
            page,
            has_previous,
            |u| u.id.into_uuid(),
            User::from,
        ))
    }

    /// One user of the caller's tenant; another tenant's user answers NOT_FOUND.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<User>> {
        let tenant = viewer(ctx)?.access::<Agent>()?.tenant();
        let id: UserId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        Ok(Some(state.directory.user_in(tenant, id).await?.into()))
    }

    /// The tenant's API keys, revoked ones included.
    async fn api_keys(&self, ctx: &Context<'_>) -> GqlResult<Vec<ApiKey>> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        let keys = state.directory.api_keys(&access).await?;
        Ok(keys.into_iter().map(ApiKey::from).collect())
    }

    /// The tenant's audit log, newest first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, AuditEntry>> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let has_previous = after.is_some();
        let page = page_request("audit", first, after)?;
        let state = ctx.data_unchecked::<Services>();
        let page = state.directory.audit_log(&access, page).await?;
        Ok(connection(
            "audit",
            page,
            has_previous,
            |a| a.id.into_uuid(),
            AuditEntry::from,
        ))
    }
}
