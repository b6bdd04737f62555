//! Mutations over accounts: sign-in, tenants, users, settings and API keys.

use std::net::{IpAddr, Ipv4Addr};

use async_graphql::{Context, Object, ID};

use super::errors::GqlResult;
use super::guards::viewer;
use super::types::{
    parse_id, ApiKey, ApiKeySecret, AuthPayload, CreateTenantInput, CreateUserInput, RoleGql,
    Tenant, TenantSettings, TenantSettingsInput, UpdateUserInput, User,
};
use crate::domain::{ApiKeyId, Role, TenantId, UserId};
use crate::services::accounts::{NewTenant, NewUser, SettingsUpdate, UserUpdate};
use crate::services::auth::Admin;
use crate::services::auth::Tokens;
use crate::services::Services;

/// The client's address, put in the request by the HTTP layer.
#[derive(Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

fn client_addr(ctx: &Context<'_>) -> IpAddr {
    ctx.data_opt::<ClientAddr>()
        .map(|c| c.0)
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

#[derive(Default)]
pub struct AccountMutation;

async fn auth_payload(state: &Services, tokens: Tokens) -> GqlResult<AuthPayload> {
    let (user, tenant) = match tokens.tenant {
        Some(tenant) => (
            state.directory.user_in(tenant, tokens.user).await?.into(),
            Some(state.directory.tenant(tenant).await?.into()),
        ),
        None => (
            state.directory.platform_user(tokens.user).await?.into(),
            None,
        ),
    };
    Ok(AuthPayload {
        access_token: tokens.access_token,
        expires_in: state.auth.access_ttl().num_seconds(),
        refresh_token: tokens.refresh_token,
        user,
        tenant,
    })
}

#[Object]
impl AccountMutation {
    /// Signs in with e-mail and password. Accounts are per tenant: the same address in two
    /// tenants is two accounts with their own passwords.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        #[graphql(
            desc = "The tenant whose account to sign in to. Without it, the accounts with this e-mail are tried oldest first (at most 8) and the first whose password matches signs in; a platform admin signs in without it."
        )]
        tenant_id: Option<ID>,
    ) -> GqlResult<AuthPayload> {
        let state = ctx.data_unchecked::<Services>();
        let tenant: Option<TenantId> = tenant_id
            .as_ref()
            .map(|id| parse_id("tenantId", id))
            .transpose()?;
        let tokens = state
            .auth
            .login(&email, &password, tenant, client_addr(ctx))
            .await?;
        auth_payload(state, tokens).await
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once.
    async fn refresh(&self, ctx: &Context<'_>, refresh_token: String) -> GqlResult<AuthPayload> {
        let state = ctx.data_unchecked::<Services>();
        let tokens = state.auth.refresh(&refresh_token).await?;
        auth_payload(state, tokens).await
    }

    /// Changes the caller's own password (any signed-in user). The current password is
    /// checked first; the caller's other sessions end, this one stays.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> GqlResult<bool> {
        let state = ctx.data_unchecked::<Services>();
        let viewer = viewer(ctx)?;
        state
            .auth
            .change_password(viewer, &current_password, &new_password, client_addr(ctx))
            .await?;
        Ok(true)
    }

    /// Ends the caller's session: its refresh tokens and access tokens stop working, and its
    /// open subscriptions close.
    async fn logout(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        let state = ctx.data_unchecked::<Services>();
        Ok(state.auth.logout(viewer(ctx)?).await?)
    }

    /// Creates a tenant and its owner (platform admin only).
    async fn create_tenant(
        &self,
        ctx: &Context<'_>,
        input: CreateTenantInput,
    ) -> GqlResult<Tenant> {
        let state = ctx.data_unchecked::<Services>();
        let input = NewTenant {
            name: input.name,
            owner_email: input.owner_email,
            owner_password: input.owner_password,
            owner_name: input.owner_name,
        };
        Ok(state
            .accounts
            .create_tenant(&viewer(ctx)?.platform()?, input)
            .await?
            .into())
    }

    /// Adds a user to the caller's tenant: a new account of this tenant, separate from any
    /// account its address has in another tenant. CONFLICT when this tenant already has an
    /// account with the address.
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> GqlResult<User> {
        let state = ctx.data_unchecked::<Services>();
        let input = NewUser {
            email: input.email,
            password: input.password,
            name: input.name,
            role: input.role.into(),
        };
        Ok(state
            .accounts
            .create_user(&viewer(ctx)?.access()?, input)
            .await?
            .into())
    }

    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateUserInput,
    ) -> GqlResult<User> {
        let state = ctx.data_unchecked::<Services>();
        let id: UserId = parse_id("id", &id)?;
        let input = UserUpdate {
            name: input.name.map(|n| Some(n).filter(|n| !n.trim().is_empty())),
            role: input.role.map(Into::into),
            password: input.password,
        };
        let access = viewer(ctx)?.access::<Admin>()?;
        Ok(state.accounts.update_user(&access, id, input).await?.into())
    }

    /// Deactivates a user of the tenant and ends their sessions.
    async fn deactivate_user(&self, ctx: &Context<'_>, id: ID) -> GqlResult<User> {
        let state = ctx.data_unchecked::<Services>();
        let id: UserId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Admin>()?;
        Ok(state.accounts.deactivate_user(&access, id).await?.into())
    }

    async fn update_tenant_settings(
        &self,
        ctx: &Context<'_>,
        input: TenantSettingsInput,
    ) -> GqlResult<TenantSettings> {
        let state = ctx.data_unchecked::<Services>();
        let input = SettingsUpdate {
            name: input.name,
            default_language: input.default_language,
            time_zone: input.time_zone,
            opt_out_keywords: input.opt_out_keywords,
            opt_in_keywords: input.opt_in_keywords,
            reopen_grace_minutes: input.reopen_grace_minutes,
        };
        Ok(state
            .accounts
            .update_settings(&viewer(ctx)?.access()?, input)
            .await?
            .into())
    }

    /// Creates an API key acting for the tenant with `role` (default ADMIN). The secret is
    /// in this answer only.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        name: String,
        role: Option<RoleGql>,
    ) -> GqlResult<ApiKeySecret> {
        let state = ctx.data_unchecked::<Services>();
        let role = role.map_or(Role::Admin, Into::into);
        let (record, secret) = state
            .accounts
            .create_api_key(&viewer(ctx)?.access()?, &name, role)
            .await?;
        Ok(ApiKeySecret {
            api_key: record.into(),
            secret,
        })
    }

    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ApiKey> {
        let state = ctx.data_unchecked::<Services>();
        let id: ApiKeyId = parse_id("id", &id)?;
        let key = state
            .accounts
            .revoke_api_key(&viewer(ctx)?.access()?, id)
            .await?;
        Ok(key.into())
    }
}
