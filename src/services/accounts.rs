//! Tenants, their users, settings and API keys: the services behind those mutations.
//! Each takes the caller's `Viewer`, checks its role, validates the input into domain
//! values, writes in one transaction together with the audit entry, and returns a record.

use chrono::Utc;
use serde_json::json;

use crate::domain::records::{ApiKeyRecord, MemberRecord, TenantRecord};
use crate::domain::tenant_settings::{parse_language, parse_tenant_name, parse_time_zone};
use crate::domain::{ApiKeyId, Email, NewPassword, Role, UserId};
use crate::error::AppError;
use crate::services::auth::{new_api_key, Access, Admin, Auth, Level, Platform};
use crate::store::members::{MemberChanges, NewMember};
use crate::store::tenants::Tenants;
use crate::store::{Store, TenantScope};

pub struct NewTenant {
    pub name: String,
    pub owner_email: String,
    pub owner_password: String,
    pub owner_name: Option<String>,
}

pub struct NewUser {
    pub email: String,
    pub password: String,
    pub name: Option<String>,
    pub role: Role,
}

#[derive(Default)]
pub struct UserUpdate {
    pub name: Option<Option<String>>,
    pub role: Option<Role>,
    pub password: Option<String>,
}

#[derive(Default)]
pub struct SettingsUpdate {
    pub name: Option<String>,
    pub default_language: Option<String>,
    pub time_zone: Option<String>,
    pub opt_out_keywords: Option<Vec<String>>,
    pub opt_in_keywords: Option<Vec<String>>,
}

/// Keywords: trimmed, 1 to 64 characters, at most 50, without duplicates.
fn parse_keywords(field: &str, raw: Vec<String>) -> Result<Vec<String>, AppError> {
    let mut keywords: Vec<String> = Vec::new();
    for word in raw {
        let word = word.trim().to_owned();
        if word.is_empty() || word.chars().count() > 64 || word.chars().any(char::is_control) {
            return Err(AppError::bad_input(
                field,
                "each keyword must be 1 to 64 printable characters",
            ));
        }
        if !keywords.iter().any(|k| k.eq_ignore_ascii_case(&word)) {
            keywords.push(word);
        }
    }
    if keywords.len() > 50 {
        return Err(AppError::bad_input(field, "at most 50 keywords"));
    }
    Ok(keywords)
}

#[derive(Clone)]
pub struct Accounts {
    store: Store,
    auth: Auth,
}

fn parse_name(field: &str, name: Option<&str>) -> Result<Option<String>, AppError> {
    match name.map(str::trim) {
        None | Some("") => Ok(None),
        Some(n) if n.chars().count() > 200 || n.chars().any(char::is_control) => Err(
            AppError::bad_input(field, "must be at most 200 printable characters"),
        ),
        Some(n) => Ok(Some(n.to_owned())),
    }
}

fn parse_credentials(email: &str, password: &str) -> Result<(Email, NewPassword), AppError> {
    let email = Email::parse(email).map_err(|e| AppError::bad_input("email", e))?;
    let local = email.as_str().split('@').next();
    let password =
        NewPassword::parse(password, local).map_err(AppError::bad_password("password"))?;
    Ok((email, password))
}

impl Accounts {
    pub fn new(store: Store, auth: Auth) -> Self {
        Self { store, auth }
    }

    /// Creates a tenant and its owner (platform admin only). The owner is a new account of
    /// the tenant, whatever accounts its address has elsewhere.
    pub async fn create_tenant(
        &self,
        access: &Platform,
        input: NewTenant,
    ) -> Result<TenantRecord, AppError> {
        let name = parse_tenant_name(&input.name).map_err(|e| AppError::bad_input("name", e))?;
        let email =
            Email::parse(&input.owner_email).map_err(|e| AppError::bad_input("ownerEmail", e))?;
        let password = NewPassword::parse(&input.owner_password, email.as_str().split('@').next())
            .map_err(AppError::bad_password("ownerPassword"))?;
        let owner_name = parse_name("ownerName", input.owner_name.as_deref())?;
        let hash = self
            .auth
            .hash_password(password.expose().to_owned())
            .await?;
        let now = Utc::now();
        let txn = self.store.begin_write().await?;
        let tenant = Tenants::new(&txn).insert(&name, now).await?;
        let scope = TenantScope::new(&txn, tenant.id);
        let owner = scope
            .members()
            .insert(
                NewMember {
                    email: email.as_str(),
                    name: owner_name.as_deref(),
                    password_hash: &hash,
                    role: Role::Owner,
                },
                now,
            )
            .await?;
        let actor = access.actor().clone();
        scope
            .audit()
            .record(
                &actor,
                "tenant.create",
                "tenant",
                Some(tenant.id.to_string()),
                Some(json!({ "name": name })),
                now,
            )
            .await?;
        scope
            .audit()
            .record(
                &actor,
                "user.create",
                "user",
                Some(owner.id.to_string()),
                Some(json!({ "email": owner.email, "role": "OWNER" })),
                now,
            )
            .await?;
        txn.commit().await?;
        tracing::info!(tenant.id = %tenant.id, "tenant created");
        Ok(tenant)
    }

    /// Adds a user to the caller's tenant, with a role no higher than the caller's. Accounts
    /// are per tenant: only an address taken in this tenant is a conflict, so the answer says
    /// nothing about other tenants or the platform admins.
    pub async fn create_user(
        &self,
        access: &Access<Admin>,
        input: NewUser,
    ) -> Result<MemberRecord, AppError> {
        let tenant = access.tenant();
        check_grantable(access, input.role, "role")?;
        let (email, password) = parse_credentials(&input.email, &input.password)?;
        let name = parse_name("name", input.name.as_deref())?;
        let hash = self
            .auth
            .hash_password(password.expose().to_owned())
            .await?;
        let now = Utc::now();
        let txn = self.store.begin_write().await?;
        let scope = TenantScope::new(&txn, tenant);
        let member = scope
            .members()
            .insert(
                NewMember {
                    email: email.as_str(),
                    name: name.as_deref(),
                    password_hash: &hash,
                    role: input.role,
                },
                now,
            )
            .await?;
        scope
            .audit()
            .record(
                access.actor(),
                "user.create",
                "user",
                Some(member.id.to_string()),
                Some(json!({ "email": member.email, "role": member.role.as_str() })),
                now,
            )
            .await?;
        txn.commit().await?;
        Ok(member)
    }

    pub async fn update_user(
        &self,
        access: &Access<Admin>,
        id: UserId,
        input: UserUpdate,
    ) -> Result<MemberRecord, AppError> {
        let tenant = access.tenant();
        let scope = self.store.tenant(tenant);
        let current = scope.members().get(id).await?;
        check_manageable(access, &current)?;
        if let Some(role) = input.role {
            check_grantable(access, role, "role")?;
        }
        let name = match &input.name {
            Some(name) => Some(parse_name("name", name.as_deref())?),
            None => None,
        };
        let hash = match input.password {
            Some(password) => {
                let password = NewPassword::parse(&password, current.email.split('@').next())
                    .map_err(AppError::bad_password("password"))?;
                Some(
                    self.auth
                        .hash_password(password.expose().to_owned())
                        .await?,
                )
            }
            None => None,
        };
        let now = Utc::now();
        let txn = self.store.begin_write().await?;
        lock_tenant(&txn, tenant).await?;
        let scope = TenantScope::new(&txn, tenant);
        scope
            .members()
            .update(
                id,
                MemberChanges {
                    name: name.as_ref().map(|n| n.as_deref()),
                    role: input.role,
                    password_hash: hash.as_deref(),
                },
                now,
            )
            .await?;
        let details = json!({
            "role": input.role.map(Role::as_str),
            "nameChanged": name.is_some(),
            "passwordChanged": hash.is_some(),
        });
        scope
            .audit()
            .record(
                access.actor(),
                "user.update",
                "user",
                Some(id.to_string()),
                Some(details),
                now,
            )
            .await?;
        if hash.is_some() {
            // A new password ends the sessions the old one opened.
            scope
                .members()
                .end_sessions(id, "password changed", now)
                .await?;
        }
        ensure_an_owner(&scope).await?;
        let updated = scope.members().get(id).await?;
        txn.commit().await?;
        Ok(updated)
    }

    pub async fn deactivate_user(
        &self,
        access: &Access<Admin>,
        id: UserId,
    ) -> Result<MemberRecord, AppError> {
        let tenant = access.tenant();
        if access.user_id() == Some(id) {
            return Err(AppError::bad_input("id", "you cannot deactivate yourself"));
        }
        let scope = self.store.tenant(tenant);
        let current = scope.members().get(id).await?;
        check_manageable(access, &current)?;
        let now = Utc::now();
        let txn = self.store.begin_write().await?;
        lock_tenant(&txn, tenant).await?;
        let scope = TenantScope::new(&txn, tenant);
        scope.members().deactivate(id, now).await?;
        ensure_an_owner(&scope).await?;
        scope
            .audit()
            .record(
                access.actor(),
                "user.deactivate",
                "user",
                Some(id.to_string()),
                None,
                now,
            )
            .await?;
        let updated = scope.members().get(id).await?;
        txn.commit().await?;
        Ok(updated)
    }

    pub async fn update_settings(
        &self,
        access: &Access<Admin>,
        input: SettingsUpdate,
    ) -> Result<TenantRecord, AppError> {
        let tenant = access.tenant();
        let scope = self.store.tenant(tenant);
        let mut record = scope.profile().get().await?;
        if let Some(name) = input.name {
            record.name = parse_tenant_name(&name).map_err(|e| AppError::bad_input("name", e))?;
        }
        if let Some(language) = input.default_language {
            record.settings.default_language =
                parse_language(&language).map_err(|e| AppError::bad_input("defaultLanguage", e))?;
        }
        if let Some(zone) = input.time_zone {
            record.settings.time_zone =
                parse_time_zone(&zone).map_err(|e| AppError::bad_input("timeZone", e))?;
        }
        if let Some(words) = input.opt_out_keywords {
            record.settings.opt_out_keywords = parse_keywords("optOutKeywords", words)?;
        }
        if let Some(words) = input.opt_in_keywords {
            record.settings.opt_in_keywords = parse_keywords("optInKeywords", words)?;
        }
        let now = Utc::now();
        let txn = self.store.begin_write().await?;
        let scope = TenantScope::new(&txn, tenant);
        scope
            .profile()
            .update(&record.name, &record.settings, now)
            .await?;
        let details = json!({ "name": record.name, "settings": record.settings });
        scope
            .audit()
            .record(
                access.actor(),
                "tenant.settings.update",
                "tenant",
                Some(tenant.to_string()),
                Some(details),
                now,
            )
            .await?;
        txn.commit().await?;
        record.updated_at = now;
        Ok(record)
    }

    /// Creates an API key; the secret is returned here once and never again.
    pub async fn create_api_key(
        &self,
        access: &Access<Admin>,
        name: &str,
        role: Role,
    ) -> Result<(ApiKeyRecord, String), AppError> {
        let tenant = access.tenant();
        check_grantable(access, role, "role")?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AppError::bad_input(
                "name",
                "must be 1 to 100 printable characters",
            ));
        }
        let (secret, prefix, hash) = new_api_key();
        let now = Utc::now();
        let txn = self.store.begin_write().await?;
        let scope = TenantScope::new(&txn, tenant);
        let record = scope
            .api_keys()
            // A key made by a key acts for the same user, so it too is bounded by that user.
            .insert(name, &prefix, &hash, role, access.acting_user(), now)
            .await?;
        let details = json!({ "name": name, "prefix": prefix, "role": role.as_str() });
        scope
            .audit()
            .record(
                access.actor(),
                "api_key.create",
                "api_key",
                Some(record.id.to_string()),
                Some(details),
                now,
            )
            .await?;
        txn.commit().await?;
        Ok((record, secret))
    }

    pub async fn revoke_api_key(
        &self,
        access: &Access<Admin>,
        id: ApiKeyId,
    ) -> Result<ApiKeyRecord, AppError> {
        let tenant = access.tenant();
        let now = Utc::now();
        let txn = self.store.begin_write().await?;
        let scope = TenantScope::new(&txn, tenant);
        if !access.role().includes(scope.api_keys().get(id).await?.role) {
            return Err(AppError::Forbidden(
                "you cannot revoke a key whose role is above your own",
            ));
        }
        let record = scope.api_keys().revoke(id, now).await?;
        scope
            .audit()
            .record(
                access.actor(),
                "api_key.revoke",
                "api_key",
                Some(id.to_string()),
                None,
                now,
            )
            .await?;
        txn.commit().await?;
        Ok(record)
    }
}

/// A caller may grant only tenant roles its own role includes.
fn check_grantable<L: Level>(access: &Access<L>, role: Role, field: &str) -> Result<(), AppError> {
    if !role.is_tenant_role() {
        return Err(AppError::bad_input(field, "must be OWNER, ADMIN or AGENT"));
    }
    if !access.role().includes(role) {
        return Err(AppError::Forbidden(
            "you cannot grant a role above your own",
        ));
    }
    Ok(())
}

/// An admin may not change an owner.
fn check_manageable<L: Level>(access: &Access<L>, target: &MemberRecord) -> Result<(), AppError> {
    if access.role().includes(target.role) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "you cannot change a user whose role is above your own",
        ))
    }
}

/// Serialises changes to one tenant's memberships: on PostgreSQL by locking the tenant's
/// row; SQLite's write transaction already has the database to itself.
async fn lock_tenant(
    txn: &sea_orm::DatabaseTransaction,
    tenant: crate::domain::TenantId,
) -> Result<(), AppError> {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT id FROM tenants WHERE id = $1 FOR UPDATE",
            [tenant.into_uuid().into()],
        ))
        .await?;
    }
    Ok(())
}

/// Checked inside the changing transaction, after the change.
async fn ensure_an_owner<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
) -> Result<(), AppError> {
    if scope.members().count_active_owners().await? == 0 {
        return Err(AppError::Conflict(
            "a tenant must keep at least one active owner".into(),
        ));
    }
    Ok(())
}
