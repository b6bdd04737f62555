//! Lookups that run before the caller's tenant is known: sign-in by e-mail, refresh tokens,
//! sessions, API keys by prefix, and the platform admin. Each returns the tenant together
//! with the row, and nothing here is reachable from the API with a tenant-chosen id.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use super::entities::{
    api_key, attachment, channel, channel_key, membership, outbox_job, refresh_token, session, user,
};
use super::messages::attachment_state_str;
use super::StoreError;
use crate::domain::campaign::CampaignState;
use crate::domain::records::{
    ApiKeyCredential, AttachmentState, ChannelRecord, JobRecord, JobState, MembershipRecord,
    PendingAttachment, RefreshRecord, SessionRecord, UserAccount,
};
use crate::domain::{ApiKeyId, ChannelId, RefreshTokenId, SessionId, TenantId, UserId};

/// Whose accounts a sign-in looks among.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accounts {
    /// One tenant's (at most one account has the address).
    OfTenant(TenantId),
    /// The platform admins' (accounts of no tenant).
    OfPlatform,
    /// Every tenant's and the platform admins'.
    All,
}

pub struct System<'a, C> {
    db: &'a C,
}

/// A new session with its first refresh token.
pub struct NewSession {
    pub id: SessionId,
    pub user: UserId,
    pub tenant: Option<TenantId>,
    pub refresh_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl<'a, C: ConnectionTrait> System<'a, C> {
    pub fn new(db: &'a C) -> Self {
        Self { db }
    }

    /// An instance's presence leases and the statuses that lapsed, in every tenant (see
    /// `presence.rs` for each query's tenancy note).
    pub fn presence_leases(&self) -> super::presence::Leases<'a, C> {
        super::presence::Leases::new(self.db)
    }

    /// Queues whose WAITING automation is enabled, in every tenant.
    pub fn automation_sweeps(&self) -> super::automations::Sweeps<'a, C> {
        super::automations::Sweeps::new(self.db)
    }

    /// Queues with conversations waiting and snoozes that ended, in every tenant.
    pub fn assignment_sweeps(&self) -> super::assignment::Sweeps<'a, C> {
        super::assignment::Sweeps::new(self.db)
    }

    // TENANCY: sign-in starts from an e-mail, which may have an account in several tenants
    // (and among platform admins); each row names its tenant, and the caller picks one.
    /// The accounts with this address among `among`, oldest first, at most `limit`.
    pub async fn find_users_by_email(
        &self,
        email: &str,
        among: Accounts,
        limit: u64,
    ) -> Result<Vec<UserAccount>, StoreError> {
        use sea_orm::QuerySelect;
        let mut query = user::Entity::find().filter(user::Column::Email.eq(email));
        match among {
            Accounts::OfTenant(tenant) => {
                query = query.filter(user::Column::TenantId.eq(tenant.into_uuid()))
            }
            Accounts::OfPlatform => query = query.filter(user::Column::TenantId.is_null()),
            Accounts::All => {}
        }
        let rows = query
            .order_by_asc(user::Column::CreatedAt)
            .order_by_asc(user::Column::Id)
            .limit(limit)
            .all(self.db)
            .await?;
        Ok(rows.into_iter().map(UserAccount::from).collect())
    }

    // TENANCY: the id comes from a verified token, never from a request argument.
    pub async fn find_user(&self, id: UserId) -> Result<Option<UserAccount>, StoreError> {
        Ok(user::Entity::find_by_id(id.into_uuid())
            .one(self.db)
            .await?
            .map(UserAccount::from))
    }

    // TENANCY: a user's own memberships, to pick the tenant a sign-in enters.
    pub async fn memberships_of(&self, user: UserId) -> Result<Vec<MembershipRecord>, StoreError> {
        membership::Entity::find()
            .filter(membership::Column::UserId.eq(user.into_uuid()))
            .order_by_asc(membership::Column::CreatedAt)
            .all(self.db)
            .await?
            .into_iter()
            .map(MembershipRecord::try_from)
            .collect()
    }

    pub async fn membership(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<MembershipRecord>, StoreError> {
        membership::Entity::find_by_id((tenant.into_uuid(), user.into_uuid()))
            .one(self.db)
            .await?
            .map(MembershipRecord::try_from)
            .transpose()
    }

    pub async fn set_last_login(&self, user: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
        user::Entity::update_many()
            .col_expr(user::Column::LastLoginAt, Expr::value(Some(now)))
            .filter(user::Column::Id.eq(user.into_uuid()))
            .exec(self.db)
            .await?;
        Ok(())
    }

    // TENANCY: the id is the signed-in user's own, from a verified token.
    pub async fn set_password(
        &self,
        user: UserId,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(user.into_uuid()))
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Revokes every session of the user, in every tenant, except `keep`.
    pub async fn end_other_sessions(
        &self,
        user: UserId,
        keep: SessionId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
            .col_expr(session::Column::RevokedReason, Expr::value(Some(reason)))
            .filter(session::Column::UserId.eq(user.into_uuid()))
            .filter(session::Column::Id.ne(keep.into_uuid()))
            .filter(session::Column::RevokedAt.is_null())
            .exec(self.db)
            .await?;
        Ok(())
    }

    pub async fn insert_session(&self, new: NewSession) -> Result<(), StoreError> {
        session::Entity::insert(session::ActiveModel {
            id: Set(new.id.into()),
            user_id: Set(new.user.into()),
            tenant_id: Set(new.tenant.map(Into::into)),
            created_at: Set(new.created_at),
            expires_at: Set(new.expires_at),
            revoked_at: Set(None),
            revoked_reason: Set(None),
        })
        .exec_without_returning(self.db)
        .await?;
        self.insert_refresh(new.id, &new.refresh_hash, new.created_at, new.expires_at)
            .await
    }

    pub async fn insert_refresh(
        &self,
        session: SessionId,
        hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        refresh_token::Entity::insert(refresh_token::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            session_id: Set(session.into()),
            token_hash: Set(hash.to_owned()),
            created_at: Set(now),
            expires_at: Set(expires_at),
            used_at: Set(None),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    // TENANCY: the token's hash is the lookup key; its session names the tenant.
    pub async fn find_refresh(
        &self,
        hash: &str,
    ) -> Result<Option<(RefreshRecord, SessionRecord)>, StoreError> {
        let Some(token) = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(hash))
            .one(self.db)
            .await?
        else {
            return Ok(None);
        };
        let session = session::Entity::find_by_id(token.session_id)
            .one(self.db)
            .await?
            .ok_or_else(|| StoreError::Corrupt("refresh token without session".into()))?;
        Ok(Some((token.into(), session.into())))
    }

    /// Marks a refresh token used. False when it was already used: a concurrent or replayed
    /// refresh, which the caller treats as reuse.
    pub async fn claim_refresh(
        &self,
        token: RefreshTokenId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(Some(now)))
            .filter(refresh_token::Column::Id.eq(token.into_uuid()))
            .filter(refresh_token::Column::UsedAt.is_null())
            .exec(self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    pub async fn find_session(&self, id: SessionId) -> Result<Option<SessionRecord>, StoreError> {
        Ok(session::Entity::find_by_id(id.into_uuid())
            .one(self.db)
            .await?
            .map(SessionRecord::from))
    }

    /// Revokes a session and so every refresh token of its family.
    pub async fn revoke_session(
        &self,
        id: SessionId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
            .col_expr(session::Column::RevokedReason, Expr::value(Some(reason)))
            .filter(session::Column::Id.eq(id.into_uuid()))
            .filter(session::Column::RevokedAt.is_null())
            .exec(self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    // TENANCY: an API key names its tenant; the prefix is public, the hash is checked after.
    pub async fn find_api_keys_by_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<ApiKeyCredential>, StoreError> {
        api_key::Entity::find()
            .filter(api_key::Column::Prefix.eq(prefix))
            .all(self.db)
            .await?
            .into_iter()
            .map(ApiKeyCredential::try_from)
            .collect()
    }

    pub async fn touch_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(api_key::Column::TenantId.eq(tenant.into_uuid()))
            .filter(api_key::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        Ok(())
    }

    pub async fn platform_admin_exists(&self) -> Result<bool, StoreError> {
        Ok(user::Entity::find()
            .filter(user::Column::IsPlatformAdmin.eq(true))
            .count(self.db)
            .await?
            > 0)
    }

    /// Adds a platform admin: an account of no tenant, so its address may also have accounts
    /// in tenants, which stay separate.
    pub async fn insert_platform_admin(
        &self,
        email: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<UserId, StoreError> {
        let id = UserId::new();
        user::Entity::insert(user::ActiveModel {
            id: Set(id.into()),
            email: Set(email.to_owned()),
            name: Set(Some("Platform admin".to_owned())),
            password_hash: Set(password_hash.to_owned()),
            is_platform_admin: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            last_login_at: Set(None),
            tenant_id: Set(None),
        })
        .exec_without_returning(self.db)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict("a platform admin with this e-mail already exists")
            }
            other => other,
        })?;
        Ok(id)
    }

    async fn find_channel_by_key(&self, key: &str) -> Result<Option<ChannelRecord>, StoreError> {
        let Some(owner) = channel_key::Entity::find_by_id(key.to_owned())
            .one(self.db)
            .await?
        else {
            return Ok(None);
        };
        channel::Entity::find_by_id((owner.tenant_id, owner.channel_id))
            .one(self.db)
            .await?
            .map(ChannelRecord::try_from)
            .transpose()
    }

    // TENANCY: a webhook names its channel by an unguessable key before any tenant is known;
    // the row found carries its tenant, and callers scope everything after by it.
    pub async fn find_channel_by_webhook_key(
        &self,
        key: &str,
    ) -> Result<Option<ChannelRecord>, StoreError> {
        self.find_channel_by_key(&format!("webhook:{key}")).await
    }

    // TENANCY: key rotation re-seals every tenant's secrets; it is an operator command with no
    // API path. Pages by (tenant, id) so memory stays flat.
    pub async fn channels_page(
        &self,
        after: Option<(TenantId, ChannelId)>,
        limit: u64,
    ) -> Result<Vec<ChannelRecord>, StoreError> {
        use sea_orm::{Condition, QuerySelect};
        let mut query = channel::Entity::find()
            .order_by_asc(channel::Column::TenantId)
            .order_by_asc(channel::Column::Id)
            .limit(limit);
        if let Some((tenant, id)) = after {
            query = query.filter(
                Condition::any()
                    .add(channel::Column::TenantId.gt(tenant.into_uuid()))
                    .add(
                        Condition::all()
                            .add(channel::Column::TenantId.eq(tenant.into_uuid()))
                            .add(channel::Column::Id.gt(id.into_uuid())),
                    ),
            );
        }
        query
            .all(self.db)
            .await?
            .into_iter()
            .map(ChannelRecord::try_from)
            .collect()
    }

    /// Replaces a channel's sealed secrets if they are still what was read, so a concurrent
    /// credential update is never overwritten. False when the row changed meanwhile.
    pub async fn reseal_channel(
        &self,
        row: &ChannelRecord,
        sealed_token: &str,
        sealed_secret: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut update = channel::Entity::update_many()
            .col_expr(channel::Column::SealedToken, Expr::value(sealed_token))
            .col_expr(
                channel::Column::SealedSecret,
                Expr::value(sealed_secret.map(str::to_owned)),
            )
            .filter(channel::Column::TenantId.eq(row.tenant.into_uuid()))
            .filter(channel::Column::Id.eq(row.id.into_uuid()))
            .filter(channel::Column::SealedToken.eq(row.sealed_token.as_str()));
        update = match &row.sealed_secret {
            Some(secret) => update.filter(channel::Column::SealedSecret.eq(secret.as_str())),
            None => update.filter(channel::Column::SealedSecret.is_null()),
        };
        Ok(update.exec(self.db).await?.rows_affected == 1)
    }

    // TENANCY: the media fetcher works through every tenant's due attachments; each row
    // carries its tenant, and all work on it after this goes through that tenant's scope.
    pub async fn due_attachments(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<PendingAttachment>, StoreError> {
        use sea_orm::QuerySelect;
        let rows = attachment::Entity::find()
            .filter(attachment::Column::State.eq(attachment_state_str(AttachmentState::Pending)))
            .filter(attachment::Column::NextAttemptAt.lte(now))
            .order_by_asc(attachment::Column::NextAttemptAt)
            .limit(limit)
            .all(self.db)
            .await?;
        Ok(rows.into_iter().map(PendingAttachment::from).collect())
    }

    /// Claims a due attachment until `until`, unless another worker claimed it first.
    pub async fn lease_attachment(
        &self,
        row: &PendingAttachment,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut update = attachment::Entity::update_many()
            .col_expr(attachment::Column::NextAttemptAt, Expr::value(Some(until)))
            .filter(attachment::Column::TenantId.eq(row.tenant.into_uuid()))
            .filter(attachment::Column::Id.eq(row.id.into_uuid()))
            .filter(attachment::Column::State.eq(attachment_state_str(AttachmentState::Pending)));
        update = match row.next_attempt_at {
            Some(at) => update.filter(attachment::Column::NextAttemptAt.eq(at)),
            None => update.filter(attachment::Column::NextAttemptAt.is_null()),
        };
        Ok(update.exec(self.db).await?.rows_affected == 1)
    }

    // TENANCY: outbox workers serve every tenant; each job carries its tenant, and all work
    // on it after this goes through that tenant's scope. On PostgreSQL the rows are locked
    // with SKIP LOCKED so concurrent workers and instances take different jobs; SQLite has
    // one writer, and the caller's write transaction serialises claims.
    /// Claims due jobs, earliest first: of the first `limit * 4` not in `skip`'s channels
    /// or tenants, those `take` accepts, `limit` at most. The jobs answered carry the lease
    /// just taken (`lease_until`, which should have whole microseconds to compare equal once
    /// stored): a worker shows it to begin an attempt.
    pub async fn claim_jobs(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
        skip: &ClaimSkip,
        mut take: impl FnMut(&JobRecord) -> bool,
    ) -> Result<Vec<JobRecord>, StoreError> {
        use sea_orm::sea_query::{LockBehavior, LockType};
        use sea_orm::{Condition, QuerySelect};
        let mut query = outbox_job::Entity::find()
            .filter(outbox_job::Column::State.eq(super::outbox::state_word(JobState::Pending)))
            .filter(outbox_job::Column::NextAttemptAt.lte(now))
            .filter(
                Condition::any()
                    .add(outbox_job::Column::LeaseUntil.is_null())
                    .add(outbox_job::Column::LeaseUntil.lt(now)),
            )
            .order_by_asc(outbox_job::Column::NextAttemptAt)
            .limit(limit.saturating_mul(4));
        if !skip.channels.is_empty() {
            query = query.filter(
                outbox_job::Column::ChannelId
                    .is_not_in(skip.channels.iter().map(|c| c.into_uuid())),
            );
        }
        if !skip.tenants.is_empty() {
            query = query.filter(
                outbox_job::Column::TenantId.is_not_in(skip.tenants.iter().map(|t| t.into_uuid())),
            );
        }
        if self.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let mut claimed = Vec::new();
        for row in query.all(self.db).await? {
            if claimed.len() as u64 >= limit {
                break;
            }
            let mut job = JobRecord::try_from(row)?;
            if !take(&job) {
                continue;
            }
            outbox_job::Entity::update_many()
                .col_expr(
                    outbox_job::Column::LeaseUntil,
                    Expr::value(Some(lease_until)),
                )
                .filter(outbox_job::Column::TenantId.eq(job.tenant.into_uuid()))
                .filter(outbox_job::Column::Id.eq(job.id.into_uuid()))
                .exec(self.db)
                .await?;
            job.lease_until = Some(lease_until);
            claimed.push(job);
        }
        Ok(claimed)
    }

    // TENANCY: the campaign dispatcher finds the campaigns that need it across tenants; it
    // then works on each through its tenant's scope.
    /// Campaigns that are RUNNING, and SCHEDULED ones whose start time has come.
    pub async fn campaigns_to_dispatch(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(TenantId, crate::domain::CampaignId, CampaignState)>, StoreError> {
        use sea_orm::{Condition, QuerySelect};
        let rows = super::entities::campaign::Entity::find()
            .filter(
                Condition::any()
                    .add(
                        super::entities::campaign::Column::State
                            .eq(CampaignState::Running.as_str()),
                    )
                    .add(
                        Condition::all()
                            .add(
                                super::entities::campaign::Column::State
                                    .eq(CampaignState::Scheduled.as_str()),
                            )
                            .add(super::entities::campaign::Column::StartAt.lte(now)),
                    ),
            )
            .limit(1000)
            .all(self.db)
            .await?;
        rows.into_iter()
            .map(|c| {
                let state = CampaignState::parse(&c.state)
                    .ok_or_else(|| StoreError::Corrupt(format!("campaign state {:?}", c.state)))?;
                Ok((c.tenant_id.into(), c.id.into(), state))
            })
            .collect()
    }
}

/// Channels and tenants whose jobs a claim passes over: they hold their share of the sends
/// in flight already.
#[derive(Clone, Debug, Default)]
pub struct ClaimSkip {
    pub channels: Vec<ChannelId>,
    pub tenants: Vec<TenantId>,
}
