//! Sign-in, token rotation, sign-out and recognising the caller of a request.
//!
//! Access tokens are short-lived JWTs naming a session. Refresh tokens are opaque, stored
//! hashed, and rotate on every use; presenting a used one revokes its whole session (the
//! token family), because only a thief or a replay would do that.
//!
//! Accounts are per tenant: an e-mail address is unique within a tenant and among the
//! platform admins, not across the deployment. The same address in two tenants is two
//! accounts, each with its own password, sessions and keys, and nothing one tenant does
//! reveals or touches the other. Sign-in picks the account as [`Auth::login`] describes.

pub mod access;
pub mod hash_pool;
pub mod throttle;
pub mod viewer;

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use subtle::ConstantTimeEq;

use crate::crypto::{hash_token, random_token, JwtKeys, PasswordHasher};
use crate::domain::audit::AuditEvent;
use crate::domain::records::{MembershipRecord, UserAccount};
use crate::domain::{Email, NewPassword, Role, SessionId, TenantId, UserId};
use crate::error::AppError;
use crate::services::events::{EventBus, Revocation};
use crate::store::system::System;
use crate::store::system::{Accounts, NewSession};
use crate::store::Store;

pub use access::{Access, Admin, Agent, Level, Owner, Platform};
pub use hash_pool::HashPool;
pub use throttle::LoginThrottle;
pub use viewer::{Principal, Viewer};

/// What a refused refresh token is told, whether it was unknown, expired or used before.
pub const REFRESH_REFUSED: &str = "refresh token is invalid or expired";

/// API keys read `sb_<12 hex prefix>_<secret>`.
pub const API_KEY_PREFIX: &str = "sb_";

/// Tokens handed to a client after sign-in or refresh.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub user: UserId,
    pub tenant: Option<TenantId>,
}

pub struct AuthSettings {
    pub access_ttl: chrono::Duration,
    pub refresh_ttl: chrono::Duration,
    /// Tenant accounts sign in only with their tenant named; without one, only platform
    /// admins. Then no sign-in's answer or duration depends on other tenants' accounts.
    pub sign_in_names_tenant: bool,
}

#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// Where ended sessions and changed access are announced, so sockets close.
    events: EventBus,
    hasher: PasswordHasher,
    hash_pool: HashPool,
    jwt: JwtKeys,
    throttle: Arc<LoginThrottle>,
    settings: AuthSettings,
}

const WRONG_CREDENTIALS: &str = "wrong e-mail or password";

/// What a request without a token is told, on every field and on the socket.
pub const NO_CREDENTIALS: &str = "sign in and send the access token, or send an API key";

/// How many accounts with one address a sign-in without a tenant tries, oldest first. Each
/// costs a password hash; a person with the address in more tenants names the tenant.
pub const MAX_ACCOUNTS_PER_SIGN_IN: u64 = 8;

impl Auth {
    /// How long an access token lives.
    pub fn access_ttl(&self) -> chrono::Duration {
        self.inner.settings.access_ttl
    }

    pub fn new(
        store: Store,
        jwt: JwtKeys,
        throttle: LoginThrottle,
        hash_pool: HashPool,
        settings: AuthSettings,
        events: EventBus,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                events,
                hasher: PasswordHasher::new(),
                hash_pool,
                jwt,
                throttle: Arc::new(throttle),
                settings,
            }),
        }
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.inner.hasher
    }

    /// Hashes in the bounded pool: argon2id takes tens of milliseconds of CPU and 19 MiB.
    pub async fn hash_password(&self, password: String) -> Result<String, AppError> {
        let hasher = self.inner.hasher.clone();
        let password = zeroize::Zeroizing::new(password);
        self.inner
            .hash_pool
            .run(move || hasher.hash(&password))
            .await
    }

    async fn verify_password(
        &self,
        password: &str,
        hash: Option<String>,
    ) -> Result<bool, AppError> {
        let hasher = self.inner.hasher.clone();
        let password = zeroize::Zeroizing::new(password.to_owned());
        self.inner
            .hash_pool
            .run(move || match hash {
                Some(hash) => hasher.verify(&password, &hash),
                None => hasher.verify_unknown(&password),
            })
            .await
    }

    /// Signs in. Accounts are per tenant, so one address may have an account in several
    /// tenants and among the platform admins, each with its own password. With `tenant`, only
    /// that tenant's account with this address is tried. Without, the accounts with this
    /// address are tried oldest first, at most [`MAX_ACCOUNTS_PER_SIGN_IN`], and the first
    /// whose password matches signs in (a platform admin signs in this way); each costs a
    /// hash, so the duration tells how many accounts the address has. With
    /// `SWITCHBOARD_LOGIN_REQUIRES_TENANT`, a sign-in without a tenant tries only platform
    /// admins, and nothing about other tenants shows. An unknown
    /// e-mail costs the same work as a wrong password for one account and answers the same;
    /// repeated failures answer RATE_LIMITED as [`throttle`] describes, counted per address,
    /// whichever accounts it has.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        tenant: Option<TenantId>,
        client: IpAddr,
    ) -> Result<Tokens, AppError> {
        let email = Email::parse(email).ok();
        // What is not an e-mail is no account: such attempts share one key, so an attacker
        // cannot fill the throttle's memory with long made-up names.
        let account = email.as_ref().map_or("", |e| e.as_str());
        let ticket = self
            .inner
            .throttle
            .admit(account, client)
            .await
            .map_err(|retry_after| AppError::RateLimited { retry_after })?;
        let system = self.inner.store.system();
        let candidates = match &email {
            Some(email) => {
                let among = match tenant {
                    Some(tenant) => Accounts::OfTenant(tenant),
                    None if self.inner.settings.sign_in_names_tenant => Accounts::OfPlatform,
                    None => Accounts::All,
                };
                system
                    .find_users_by_email(email.as_str(), among, MAX_ACCOUNTS_PER_SIGN_IN)
                    .await?
            }
            None => Vec::new(),
        };
        if candidates.is_empty() {
            self.verify_password(password, None).await?;
        }
        let mut chosen = None;
        // The right password for an account that may not enter: said only when no other
        // account with this address takes the password.
        let mut refusal = None;
        for user in candidates {
            if !self
                .verify_password(password, Some(user.password_hash.clone()))
                .await?
            {
                continue;
            }
            let memberships = system.memberships_of(user.id).await?;
            match choose_tenant(&user, &memberships, tenant) {
                Ok((tenant, _role)) => {
                    chosen = Some((user, tenant));
                    break;
                }
                Err(refused) => {
                    refusal.get_or_insert(refused);
                }
            }
        }
        let Some((user, tenant)) = chosen else {
            if let Some(refused) = refusal {
                ticket.succeeded();
                return Err(refused);
            }
            ticket.failed();
            tracing::info!(client = %client, "sign-in refused: wrong e-mail or password");
            return Err(AppError::Unauthenticated(WRONG_CREDENTIALS));
        };
        ticket.succeeded();
        let now = Utc::now();
        system.set_last_login(user.id, now).await?;
        let tokens = self.open_session(user.id, tenant, now).await?;
        tracing::info!(user.id = %user.id, tenant.id = ?tenant.map(|t| t.to_string()), "signed in");
        Ok(tokens)
    }

    async fn open_session(
        &self,
        user: UserId,
        tenant: Option<TenantId>,
        now: DateTime<Utc>,
    ) -> Result<Tokens, AppError> {
        let session = SessionId::new();
        let refresh_token = random_token(32);
        self.inner
            .store
            .system()
            .insert_session(NewSession {
                id: session,
                user,
                tenant,
                refresh_hash: hash_token(&refresh_token),
                created_at: now,
                expires_at: now + self.inner.settings.refresh_ttl,
            })
            .await?;
        Ok(Tokens {
            access_token: self.issue_access(user, session, tenant, now),
            refresh_token,
            user,
            tenant,
        })
    }

    fn issue_access(
        &self,
        user: UserId,
        session: SessionId,
        tenant: Option<TenantId>,
        now: DateTime<Utc>,
    ) -> String {
        self.inner
            .jwt
            .issue(user, session, tenant, now, self.inner.settings.access_ttl)
    }

    /// Exchanges a refresh token for a new pair. A token used twice revokes its family (its
    /// session, whose sockets close) and is refused like any other refused token.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, AppError> {
        const INVALID: &str = REFRESH_REFUSED;
        let store = &self.inner.store;
        let Some((token, session)) = store
            .system()
            .find_refresh(&hash_token(refresh_token))
            .await?
        else {
            return Err(AppError::Unauthenticated(INVALID));
        };
        let now = Utc::now();
        let session_id = session.id;
        if session.revoked || token.expires_at <= now || session.expires_at <= now {
            return Err(AppError::Unauthenticated(INVALID));
        }
        let unit = store.write_system().await?;
        if !unit.system().claim_refresh(token.id, now).await? {
            drop(unit);
            store
                .system()
                .revoke_session(session_id, "refresh token reuse", now)
                .await?;
            tracing::warn!(session.id = %session_id, user.id = %session.user, "refresh token reused; session revoked");
            // Whoever holds that session's access tokens loses its sockets too.
            self.inner.events.revoke(Revocation::Session {
                session: session_id,
            });
            return Err(AppError::Unauthenticated(INVALID));
        }
        let new_token = random_token(32);
        unit.system()
            .insert_refresh(session_id, &hash_token(&new_token), now, session.expires_at)
            .await?;
        unit.commit().await?;

        let user = session.user;
        let tenant = session.tenant;
        self.resolve_role(user, tenant).await?;
        Ok(Tokens {
            access_token: self.issue_access(user, session_id, tenant, now),
            refresh_token: new_token,
            user,
            tenant,
        })
    }

    /// Changes the signed-in user's own password, checking the current one first (throttled
    /// like a sign-in, so a stolen access token cannot guess it), and ends the user's other
    /// sessions: whoever signed in with the old password is signed out.
    pub async fn change_password(
        &self,
        viewer: &Viewer,
        current: &str,
        new: &str,
        client: IpAddr,
    ) -> Result<(), AppError> {
        let Principal::User {
            id, email, session, ..
        } = &viewer.principal
        else {
            return Err(AppError::Forbidden("an API key has no password to change"));
        };
        let new = NewPassword::parse(new, email.split('@').next())
            .map_err(AppError::bad_password("newPassword"))?;
        if new.expose() == current {
            return Err(AppError::bad_input(
                "newPassword",
                "must differ from the current password",
            ));
        }
        let ticket = self
            .inner
            .throttle
            .admit(&email.to_lowercase(), client)
            .await
            .map_err(|retry_after| AppError::RateLimited { retry_after })?;
        let store = &self.inner.store;
        let row = store
            .system()
            .find_user(*id)
            .await?
            .ok_or(AppError::Unauthenticated(
                "this account is no longer active",
            ))?;
        if !self
            .verify_password(current, Some(row.password_hash))
            .await?
        {
            ticket.failed();
            return Err(AppError::bad_input(
                "currentPassword",
                "is not your current password",
            ));
        }
        ticket.succeeded();
        let hash = self.hash_password(new.expose().to_owned()).await?;
        // The other sessions end, and their sockets close at once; this session's stays.
        match viewer.tenant {
            Some(tenant) => {
                let unit = store.write(tenant).await?;
                set_password(&unit.system(), *id, &hash, *session, unit.now()).await?;
                let event = AuditEvent::PasswordChanged { user: *id };
                unit.audit(&viewer.audit_actor(), event).await?;
                unit.commit().await?;
            }
            None => {
                let unit = store.write_system().await?;
                set_password(&unit.system(), *id, &hash, *session, unit.now()).await?;
                unit.commit().await?;
            }
        }
        self.inner.events.revoke(Revocation::User {
            user: *id,
            tenant: viewer.tenant,
        });
        tracing::info!(user.id = %id, "password changed");
        Ok(())
    }

    /// Ends the caller's session. API keys have none: false.
    pub async fn logout(&self, viewer: &Viewer) -> Result<bool, AppError> {
        let Principal::User { session, .. } = &viewer.principal else {
            return Ok(false);
        };
        let ended = self
            .inner
            .store
            .system()
            .revoke_session(*session, "logout", Utc::now())
            .await?;
        // The session's access tokens stop working, and so do its sockets.
        self.inner
            .events
            .revoke(Revocation::Session { session: *session });
        Ok(ended)
    }

    /// Recognises `Authorization: Bearer <access token or API key>`.
    pub async fn authenticate(&self, bearer: &str) -> Result<Viewer, AppError> {
        if bearer.starts_with(API_KEY_PREFIX) {
            self.authenticate_api_key(bearer).await
        } else {
            self.authenticate_access_token(bearer).await
        }
    }

    async fn authenticate_access_token(&self, token: &str) -> Result<Viewer, AppError> {
        const INVALID: &str = "access token is invalid or expired";
        let claims = self
            .inner
            .jwt
            .verify(token)
            .ok_or(AppError::Unauthenticated(INVALID))?;
        let system = self.inner.store.system();
        let session = system
            .find_session(claims.session())
            .await?
            .filter(|s| !s.revoked && s.user == claims.user())
            .ok_or(AppError::Unauthenticated(INVALID))?;
        let (email, role) = self.resolve_role(claims.user(), session.tenant).await?;
        Ok(Viewer {
            principal: Principal::User {
                id: claims.user(),
                email,
                session: claims.session(),
                expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or_default(),
            },
            tenant: session.tenant,
            role,
        })
    }

    /// The user's current e-mail and role in `tenant`; an inactive membership is refused.
    async fn resolve_role(
        &self,
        user: UserId,
        tenant: Option<TenantId>,
    ) -> Result<(String, Role), AppError> {
        const GONE: &str = "this account is no longer active";
        let system = self.inner.store.system();
        let row = system
            .find_user(user)
            .await?
            .ok_or(AppError::Unauthenticated(GONE))?;
        let role = match tenant {
            Some(tenant) => system
                .membership(tenant, user)
                .await?
                .filter(|m| m.active)
                .map(|m| m.role)
                .ok_or(AppError::Unauthenticated(GONE))?,
            None if row.is_platform_admin => Role::PlatformAdmin,
            None => return Err(AppError::Unauthenticated(GONE)),
        };
        Ok((row.email, role))
    }

    async fn authenticate_api_key(&self, key: &str) -> Result<Viewer, AppError> {
        const INVALID: &str = "API key is invalid or revoked";
        const CREATOR_GONE: &str = "the API key's creator is no longer active";
        let prefix = api_key_prefix(key).ok_or(AppError::Unauthenticated(INVALID))?;
        let hash = hash_token(key);
        let system = self.inner.store.system();
        let row = system
            .find_api_keys_by_prefix(prefix)
            .await?
            .into_iter()
            .find(|row| bool::from(row.secret_hash.as_bytes().ct_eq(hash.as_bytes())))
            .filter(|row| !row.revoked)
            .ok_or(AppError::Unauthenticated(INVALID))?;
        let tenant = row.tenant;
        let key_role = row.role;
        // A key acts for its creator: never above the creator's role of now, and not at all
        // once the creator has left the tenant.
        let created_by = row.created_by;
        let role = match created_by {
            Some(creator) => {
                let creator_role: Role = system
                    .membership(tenant, creator)
                    .await?
                    .filter(|m| m.active)
                    .map(|m| m.role)
                    .ok_or(AppError::Unauthenticated(CREATOR_GONE))?;
                key_role.at_most(creator_role)
            }
            None => key_role,
        };
        let now = Utc::now();
        // Recording every use would put a write on every request; a minute's precision is
        // what an admin needs to see whether a key is in use.
        if row
            .last_used_at
            .is_none_or(|t| now - t > chrono::Duration::minutes(1))
        {
            system.touch_api_key(tenant, row.id, now).await?;
        }
        Ok(Viewer {
            principal: Principal::ApiKey {
                id: row.id,
                name: row.name,
                created_by,
            },
            tenant: Some(tenant),
            role,
        })
    }
}

/// Stores a user's new password hash and ends their sessions but `keep`.
async fn set_password<C: sea_orm::ConnectionTrait>(
    system: &System<'_, C>,
    user: UserId,
    hash: &str,
    keep: SessionId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    system.set_password(user, hash, now).await?;
    system
        .end_other_sessions(user, keep, "password changed", now)
        .await?;
    Ok(())
}

/// A new API key: the full secret (shown once), its visible prefix and its hash.
pub fn new_api_key() -> (String, String, String) {
    let prefix = crate::crypto::token::random_hex(6);
    let key = format!("{API_KEY_PREFIX}{prefix}_{}", random_token(32));
    let hash = hash_token(&key);
    (key, prefix, hash)
}

fn api_key_prefix(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(API_KEY_PREFIX)?;
    let (prefix, secret) = rest.split_once('_')?;
    (prefix.len() == 12 && prefix.bytes().all(|b| b.is_ascii_hexdigit()) && !secret.is_empty())
        .then_some(prefix)
}

/// The tenant a sign-in enters: the one asked for, else the oldest active membership; a
/// platform admin with no membership enters no tenant.
fn choose_tenant(
    user: &UserAccount,
    memberships: &[MembershipRecord],
    wanted: Option<TenantId>,
) -> Result<(Option<TenantId>, Role), AppError> {
    let active = || memberships.iter().filter(|m| m.active);
    let chosen = match wanted {
        Some(tenant) => active().find(|m| m.tenant == tenant),
        None => active().next(),
    };
    match chosen {
        Some(m) => Ok((Some(m.tenant), m.role)),
        None if user.is_platform_admin && wanted.is_none() => Ok((None, Role::PlatformAdmin)),
        None if wanted.is_some() => Err(AppError::Forbidden(
            "you are not an active member of that tenant",
        )),
        None => Err(AppError::Forbidden("this account is deactivated")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_carry_a_findable_prefix() {
        let (key, prefix, hash) = new_api_key();
        assert_eq!(api_key_prefix(&key), Some(prefix.as_str()));
        assert_eq!(hash, hash_token(&key));
        assert!(api_key_prefix("sb_short_x").is_none());
        assert!(api_key_prefix("eyJhbGciOi.x.y").is_none());
    }
}
