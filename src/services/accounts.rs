//! Tenants, their users, settings and API keys: the services behind those mutations.
//! Each takes the access it needs, validates the input into domain values, writes one unit
//! of work together with its audit entry, tells open sockets of access it ended, and
//! returns a record.

use crate::domain::audit::AuditEvent;
use crate::domain::records::{ApiKeyRecord, MemberRecord, QueueRecord, TenantRecord};
use crate::domain::tenant_settings::{parse_language, parse_tenant_name, parse_time_zone};
use crate::domain::{ApiKeyId, Email, NewPassword, Role, TenantId, UserId};
use crate::error::AppError;
use crate::services::auth::{new_api_key, Access, Admin, Auth, Level, Platform};
use crate::services::events::{EventBus, Revocation};
use crate::store::members::{MemberChanges, NewMember};
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
    pub reopen_grace_minutes: Option<i32>,
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
    events: EventBus,
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
    pub fn new(store: Store, auth: Auth, events: EventBus) -> Self {
        Self {
            store,
            auth,
            events,
        }
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
        let id = TenantId::new();
        let unit = self.store.write(id).await?;
        let tenant = unit.tenants().insert(id, &name, unit.now()).await?;
        unit.scope()
            .queues()
            .insert(&QueueRecord::tenant_default(unit.now()))
            .await?;
        let owner = unit
            .scope()
            .members()
            .insert(
                NewMember {
                    email: email.as_str(),
                    name: owner_name.as_deref(),
                    password_hash: &hash,
                    role: Role::Owner,
                },
                unit.now(),
            )
            .await?;
        let actor = access.actor();
        unit.audit(
            actor,
            AuditEvent::TenantCreated {
                tenant: id,
                name: &name,
            },
        )
        .await?;
        let event = AuditEvent::UserCreated {
            user: owner.id,
            email: &owner.email,
            role: Role::Owner,
        };
        unit.audit(actor, event).await?;
        unit.commit().await?;
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
        let new = NewMember {
            email: email.as_str(),
            name: name.as_deref(),
            password_hash: &hash,
            role: input.role,
        };
        let unit = self.store.write(tenant).await?;
        let member = unit.scope().members().insert(new, unit.now()).await?;
        let event = AuditEvent::UserCreated {
            user: member.id,
            email: &member.email,
            role: member.role,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
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
        let changes = MemberChanges {
            name: name.as_ref().map(|n| n.as_deref()),
            role: input.role,
            password_hash: hash.as_deref(),
        };
        let unit = self.store.write(tenant).await?;
        unit.lock_tenant().await?;
        let scope = unit.scope();
        scope.members().update(id, changes, unit.now()).await?;
        let event = AuditEvent::UserUpdated {
            user: id,
            role: input.role,
            name_changed: name.is_some(),
            password_changed: hash.is_some(),
        };
        unit.audit(access.actor(), event).await?;
        if hash.is_some() {
            // A new password ends the sessions the old one opened.
            scope
                .members()
                .end_sessions(id, "password changed", unit.now())
                .await?;
        }
        ensure_an_owner(&scope).await?;
        let updated = scope.members().get(id).await?;
        unit.commit().await?;
        self.events.revoke(Revocation::User {
            user: id,
            tenant: Some(tenant),
        });
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
        let unit = self.store.write(tenant).await?;
        unit.lock_tenant().await?;
        let scope = unit.scope();
        scope.members().deactivate(id, unit.now()).await?;
        ensure_an_owner(&scope).await?;
        unit.audit(access.actor(), AuditEvent::UserDeactivated { user: id })
            .await?;
        let updated = scope.members().get(id).await?;
        unit.commit().await?;
        self.events.revoke(Revocation::User {
            user: id,
            tenant: Some(tenant),
        });
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
        if let Some(minutes) = input.reopen_grace_minutes {
            let max = crate::domain::tenant_settings::REOPEN_GRACE_MAX_MINUTES;
            record.settings.reopen_grace_minutes = u32::try_from(minutes)
                .ok()
                .filter(|m| *m <= max)
                .ok_or_else(|| {
                    AppError::bad_input("reopenGraceMinutes", format!("must be 0 to {max}"))
                })?;
        }
        let unit = self.store.write(tenant).await?;
        let (name, settings) = (&record.name, &record.settings);
        unit.scope()
            .profile()
            .update(name, settings, unit.now())
            .await?;
        let event = AuditEvent::SettingsUpdated {
            tenant,
            name,
            settings,
        };
        unit.audit(access.actor(), event).await?;
        let now = unit.now();
        unit.commit().await?;
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
        let unit = self.store.write(tenant).await?;
        let record = unit
            .scope()
            .api_keys()
            // A key made by a key acts for the same user, so it too is bounded by
            // that user.
            .insert(name, &prefix, &hash, role, access.acting_user(), unit.now())
            .await?;
        let event = AuditEvent::ApiKeyCreated {
            key: record.id,
            name,
            prefix: &prefix,
            role,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok((record, secret))
    }

    pub async fn revoke_api_key(
        &self,
        access: &Access<Admin>,
        id: ApiKeyId,
    ) -> Result<ApiKeyRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let keys = unit.scope().api_keys();
        if !access.role().includes(keys.get(id).await?.role) {
            return Err(AppError::Forbidden(
                "you cannot revoke a key whose role is above your own",
            ));
        }
        let record = keys.revoke(id, unit.now()).await?;
        unit.audit(access.actor(), AuditEvent::ApiKeyRevoked { key: id })
            .await?;
        unit.commit().await?;
        self.events.revoke(Revocation::ApiKey { key: id });
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
