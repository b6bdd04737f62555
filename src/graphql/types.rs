//! GraphQL output and input types for accounts, converted from store records.

use async_graphql::{ComplexObject, Context, Enum, InputObject, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::errors::GqlResult;
use super::guards::viewer;
use crate::domain;
use crate::domain::records::ApiKeyRecord;
use crate::domain::records::AuditRecord;
use crate::domain::records::MemberRecord;
use crate::domain::records::TenantRecord;
use crate::error::AppError;
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Role", remote = "crate::domain::Role")]
pub enum RoleGql {
    PlatformAdmin,
    Owner,
    Admin,
    Agent,
}

/// Parses an `ID` argument; a malformed one is BAD_USER_INPUT naming the argument.
pub fn parse_id<T: std::str::FromStr>(field: &str, id: &ID) -> Result<T, AppError> {
    id.parse()
        .map_err(|_| AppError::bad_input(field, "is not a valid id"))
}

/// A person who signs in, as a member of the caller's tenant (or the platform admin).
#[derive(SimpleObject, Clone)]
pub struct User {
    pub id: ID,
    pub email: String,
    pub name: Option<String>,
    pub role: RoleGql,
    /// False once deactivated: the user can no longer sign in to this tenant.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<MemberRecord> for User {
    fn from(m: MemberRecord) -> Self {
        Self {
            id: ID(m.id.to_string()),
            email: m.email,
            name: m.name,
            role: m.role.into(),
            active: m.active,
            created_at: m.created_at,
            last_login_at: m.last_login_at,
        }
    }
}

/// An organisation sharing the deployment.
#[derive(SimpleObject, Clone)]
pub struct Tenant {
    pub id: ID,
    pub name: String,
    pub settings: TenantSettings,
    pub created_at: DateTime<Utc>,
}

#[derive(SimpleObject, Clone)]
pub struct TenantSettings {
    pub name: String,
    /// WhatsApp language code used when a channel sets none.
    pub default_language: String,
    pub time_zone: String,
    /// Whole-message keywords (any case) that opt a contact out.
    pub opt_out_keywords: Vec<String>,
    /// Whole-message keywords that opt a contact back in.
    pub opt_in_keywords: Vec<String>,
    /// How long after a conversation is resolved a new customer message reopens it
    /// (later it opens a new one); 0: always a new one.
    pub reopen_grace_minutes: u32,
    pub updated_at: DateTime<Utc>,
}

impl From<TenantRecord> for Tenant {
    fn from(t: TenantRecord) -> Self {
        Self {
            id: ID(t.id.to_string()),
            name: t.name.clone(),
            created_at: t.created_at,
            settings: TenantSettings::from(t),
        }
    }
}

impl From<TenantRecord> for TenantSettings {
    fn from(t: TenantRecord) -> Self {
        Self {
            name: t.name,
            default_language: t.settings.default_language,
            time_zone: t.settings.time_zone,
            opt_out_keywords: t.settings.opt_out_keywords,
            opt_in_keywords: t.settings.opt_in_keywords,
            reopen_grace_minutes: t.settings.reopen_grace_minutes,
            updated_at: t.updated_at,
        }
    }
}

/// An API key; its secret is shown only once, by `createApiKey`.
#[derive(SimpleObject, Clone)]
pub struct ApiKey {
    pub id: ID,
    pub name: String,
    /// The visible start of the key (`sb_<prefix>_…`), to tell keys apart.
    pub prefix: String,
    pub role: RoleGql,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRecord> for ApiKey {
    fn from(k: ApiKeyRecord) -> Self {
        Self {
            id: ID(k.id.to_string()),
            name: k.name,
            prefix: k.prefix,
            role: k.role.into(),
            active: k.revoked_at.is_none(),
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct ApiKeySecret {
    pub api_key: ApiKey,
    /// The whole key, to send as `Authorization: Bearer <secret>`. Not retrievable later.
    pub secret: String,
}

/// Tokens after sign-in or refresh.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single-use token for `refresh`; using one twice ends the session.
    pub refresh_token: String,
    pub user: User,
    pub tenant: Option<Tenant>,
}

/// The caller.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Viewer {
    pub role: RoleGql,
    /// The signed-in user; null for an API key.
    pub user: Option<User>,
    /// The API key making the call; null for a user.
    pub api_key: Option<ApiKey>,
    #[graphql(skip)]
    pub tenant_id: Option<domain::TenantId>,
}

#[ComplexObject]
impl Viewer {
    /// The tenant the caller acts in; null for a platform admin.
    async fn tenant(&self, ctx: &Context<'_>) -> GqlResult<Option<Tenant>> {
        let Some(tenant) = self.tenant_id else {
            return Ok(None);
        };
        let state = ctx.data_unchecked::<Services>();
        Ok(Some(state.directory.tenant(tenant).await?.into()))
    }

    /// The signed-in member's own presence; null for an API key or a platform admin.
    async fn presence(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<super::presence::AgentPresence>> {
        let Some(tenant) = self.tenant_id else {
            return Ok(None);
        };
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let mine = state.presence.mine(&access).await?;
        Ok(mine.map(|p| super::presence::AgentPresence(p, tenant)))
    }
}

/// One audited change.
#[derive(SimpleObject)]
pub struct AuditEntry {
    pub id: ID,
    /// The e-mail of the user, or the API key's name, that made the change.
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub details: Option<async_graphql::Json<serde_json::Value>>,
    pub created_at: DateTime<Utc>,
}

impl From<AuditRecord> for AuditEntry {
    fn from(a: AuditRecord) -> Self {
        Self {
            id: ID(a.id.to_string()),
            actor: a.actor.label,
            action: a.action,
            target_type: a.target_type,
            target_id: a.target_id,
            details: a.details.map(async_graphql::Json),
            created_at: a.created_at,
        }
    }
}

#[derive(InputObject)]
pub struct CreateTenantInput {
    pub name: String,
    pub owner_email: String,
    pub owner_password: String,
    pub owner_name: Option<String>,
}

#[derive(InputObject)]
pub struct CreateUserInput {
    pub email: String,
    pub password: String,
    pub name: Option<String>,
    pub role: RoleGql,
}

#[derive(InputObject)]
pub struct UpdateUserInput {
    /// A new display name; an empty string clears it.
    pub name: Option<String>,
    pub role: Option<RoleGql>,
    pub password: Option<String>,
}

#[derive(InputObject)]
pub struct TenantSettingsInput {
    pub name: Option<String>,
    pub default_language: Option<String>,
    pub time_zone: Option<String>,
    pub opt_out_keywords: Option<Vec<String>>,
    pub opt_in_keywords: Option<Vec<String>>,
    /// 0 to 43200 (30 days).
    pub reopen_grace_minutes: Option<i32>,
}
