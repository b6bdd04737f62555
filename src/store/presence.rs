//! Agent presence: the status each member chose, their open-conversation load, and the
//! leases that say which members have a live WebSocket on some instance.
//!
//! [`Presence`] is one tenant's. [`Leases`] holds the tenant-less work of an instance
//! (renewing its own leases, finding the statuses that lapsed in every tenant); only
//! [`super::system::System::presence_leases`] builds it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Select,
};
use uuid::Uuid;

use super::conversations::RESOLVED;
use super::entities::{agent_presence, conversation, membership, presence_lease};
use super::StoreError;
use crate::domain::presence::PresenceStatus;
use crate::domain::records::PresenceRecord;
use crate::domain::{TenantId, UserId};

const OFFLINE: &str = "OFFLINE";

fn status(text: &str) -> Result<PresenceStatus, StoreError> {
    PresenceStatus::parse(text).ok_or_else(|| StoreError::Corrupt(format!("presence {text}")))
}

pub struct Presence<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Presence<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<agent_presence::Entity> {
        agent_presence::Entity::find()
            .filter(agent_presence::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    /// Every active member's presence, in the order of their ids.
    pub async fn list(&self) -> Result<Vec<PresenceRecord>, StoreError> {
        let members: Vec<Uuid> = membership::Entity::find()
            .select_only()
            .column(membership::Column::UserId)
            .filter(membership::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(membership::Column::DeactivatedAt.is_null())
            .into_tuple()
            .all(self.db)
            .await?;
        let mut ids: Vec<UserId> = members.into_iter().map(UserId::from).collect();
        ids.sort();
        self.of(&ids).await
    }

    /// The presence of each of `users`, in their order; the caller checked they are members.
    pub async fn of(&self, users: &[UserId]) -> Result<Vec<PresenceRecord>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let uuids: Vec<Uuid> = users.iter().map(|u| u.into_uuid()).collect();
        let mut rows: HashMap<Uuid, agent_presence::Model> = self
            .scoped()
            .filter(agent_presence::Column::UserId.is_in(uuids.clone()))
            .all(self.db)
            .await?
            .into_iter()
            .map(|r| (r.user_id, r))
            .collect();
        let mut load = self.load(&uuids).await?;
        users
            .iter()
            .map(|user| {
                let row = rows.remove(&user.into_uuid());
                Ok(PresenceRecord {
                    user: *user,
                    status: match &row {
                        Some(r) => status(&r.status)?,
                        None => PresenceStatus::Offline,
                    },
                    since: row.map(|r| r.since),
                    open_conversations: load.remove(&user.into_uuid()).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Conversations assigned to each of `users` and not resolved.
    async fn load(&self, users: &[Uuid]) -> Result<HashMap<Uuid, u64>, StoreError> {
        let c = Alias::new("c");
        let query = Query::select()
            .column((c.clone(), conversation::Column::AssigneeId))
            .expr_as(
                Func::count(Expr::col((c.clone(), conversation::Column::Id))),
                Alias::new("n"),
            )
            .from_as(conversation::Entity, c.clone())
            .and_where(
                Expr::col((c.clone(), conversation::Column::TenantId)).eq(self.tenant.into_uuid()),
            )
            .and_where(
                Expr::col((c.clone(), conversation::Column::AssigneeId)).is_in(users.to_vec()),
            )
            .and_where(Expr::col((c.clone(), conversation::Column::Status)).ne(RESOLVED))
            .group_by_col((c.clone(), conversation::Column::AssigneeId))
            .to_owned();
        let backend = self.db.get_database_backend();
        let mut load = HashMap::new();
        for row in self.db.query_all(backend.build(&query)).await? {
            let user: Uuid = row.try_get("", "assignee_id")?;
            let n = row.try_get::<i64>("", "n")?;
            load.insert(user, u64::try_from(n).unwrap_or(0));
        }
        Ok(load)
    }

    /// Sets a member's status as of `now`; answers whether it changed (the same status
    /// again keeps its time).
    pub async fn set(
        &self,
        user: UserId,
        new: PresenceStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let existing = self
            .scoped()
            .filter(agent_presence::Column::UserId.eq(user.into_uuid()))
            .one(self.db)
            .await?;
        match existing {
            Some(row) if row.status == new.as_str() => Ok(false),
            Some(_) => {
                agent_presence::Entity::update_many()
                    .filter(agent_presence::Column::TenantId.eq(self.tenant.into_uuid()))
                    .filter(agent_presence::Column::UserId.eq(user.into_uuid()))
                    .col_expr(agent_presence::Column::Status, Expr::value(new.as_str()))
                    .col_expr(agent_presence::Column::Since, Expr::value(now))
                    .exec(self.db)
                    .await?;
                Ok(true)
            }
            None if new == PresenceStatus::Offline => Ok(false),
            None => {
                agent_presence::Entity::insert(agent_presence::ActiveModel {
                    tenant_id: Set(self.tenant.into()),
                    user_id: Set(user.into()),
                    status: Set(new.as_str().to_owned()),
                    since: Set(now),
                })
                .exec_without_returning(self.db)
                .await?;
                Ok(true)
            }
        }
    }

    /// Those of `users` whose status is ONLINE.
    pub async fn online_among(&self, users: &[UserId]) -> Result<Vec<UserId>, StoreError> {
        let uuids: Vec<Uuid> = users.iter().map(|u| u.into_uuid()).collect();
        let online: Vec<Uuid> = self
            .scoped()
            .select_only()
            .column(agent_presence::Column::UserId)
            .filter(agent_presence::Column::UserId.is_in(uuids))
            .filter(agent_presence::Column::Status.eq(PresenceStatus::Online.as_str()))
            .into_tuple()
            .all(self.db)
            .await?;
        Ok(online.into_iter().map(UserId::from).collect())
    }

    /// Records a member's new live socket on `instance`, live until `expires_at` unless
    /// renewed.
    pub async fn open_lease(
        &self,
        id: Uuid,
        user: UserId,
        instance: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        presence_lease::Entity::insert(presence_lease::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(id),
            user_id: Set(user.into()),
            instance_id: Set(instance),
            open: Set(true),
            expires_at: Set(expires_at),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// The socket closed at `now`: the lease stops being renewed and counts as live until
    /// then, so the grace period runs from the close.
    pub async fn close_lease(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
        presence_lease::Entity::update_many()
            .filter(presence_lease::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(presence_lease::Column::Id.eq(id))
            .col_expr(presence_lease::Column::Open, Expr::value(false))
            .col_expr(presence_lease::Column::ExpiresAt, Expr::value(now))
            .exec(self.db)
            .await?;
        Ok(())
    }
}

/// A status that lapsed: its member's, as it was seen.
#[derive(Clone, Debug)]
pub struct Lapsed {
    pub tenant: TenantId,
    pub user: UserId,
    pub since: DateTime<Utc>,
}

/// An instance's work on leases and lapsed statuses, across tenants.
pub struct Leases<'a, C> {
    db: &'a C,
}

/// A lease of the same member as the presence row, live after `cutoff`.
fn live_lease(cutoff: DateTime<Utc>) -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(presence_lease::Entity)
        .and_where(
            Expr::col((presence_lease::Entity, presence_lease::Column::TenantId))
                .equals((agent_presence::Entity, agent_presence::Column::TenantId)),
        )
        .and_where(
            Expr::col((presence_lease::Entity, presence_lease::Column::UserId))
                .equals((agent_presence::Entity, agent_presence::Column::UserId)),
        )
        .and_where(
            Expr::col((presence_lease::Entity, presence_lease::Column::ExpiresAt)).gt(cutoff),
        )
        .to_owned()
}

impl<'a, C: ConnectionTrait> Leases<'a, C> {
    pub(super) fn new(db: &'a C) -> Self {
        Self { db }
    }

    // TENANCY: an instance renews the leases of its own sockets, whatever their tenants;
    // nothing here is chosen by a caller.
    /// Extends the open leases of `instance` to `expires_at`.
    pub async fn renew(&self, instance: Uuid, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        presence_lease::Entity::update_many()
            .filter(presence_lease::Column::InstanceId.eq(instance))
            .filter(presence_lease::Column::Open.eq(true))
            .col_expr(presence_lease::Column::ExpiresAt, Expr::value(expires_at))
            .exec(self.db)
            .await?;
        Ok(())
    }

    // TENANCY: the sweep looks at every tenant's presence to find statuses nobody attends;
    // each answer names its tenant, and the change it leads to is made by that tenant and
    // member only.
    /// ONLINE and AWAY statuses chosen before `cutoff` whose members have had no live lease
    /// since, at most `limit`.
    pub async fn lapsed(
        &self,
        cutoff: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Lapsed>, StoreError> {
        let rows = agent_presence::Entity::find()
            .filter(agent_presence::Column::Status.ne(OFFLINE))
            .filter(agent_presence::Column::Since.lt(cutoff))
            .filter(Expr::exists(live_lease(cutoff)).not())
            .limit(limit)
            .all(self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Lapsed {
                tenant: r.tenant_id.into(),
                user: r.user_id.into(),
                since: r.since,
            })
            .collect())
    }

    // TENANCY: one member of the tenant the sweep found them in.
    /// Sets a lapsed status OFFLINE as of `now`, unless it changed since it was seen or a
    /// lease went live meanwhile (on this instance or another); answers whether it did.
    pub async fn go_offline(
        &self,
        lapsed: &Lapsed,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = agent_presence::Entity::update_many()
            .filter(agent_presence::Column::TenantId.eq(lapsed.tenant.into_uuid()))
            .filter(agent_presence::Column::UserId.eq(lapsed.user.into_uuid()))
            .filter(agent_presence::Column::Status.ne(OFFLINE))
            .filter(agent_presence::Column::Since.eq(lapsed.since))
            .filter(Expr::exists(live_lease(cutoff)).not())
            .col_expr(agent_presence::Column::Status, Expr::value(OFFLINE))
            .col_expr(agent_presence::Column::Since, Expr::value(now))
            .exec(self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    // TENANCY: an instance that stops ends the leases of its own sockets, whatever their
    // tenants.
    /// Ends the open leases of `instance` as of `now`.
    pub async fn close_instance(
        &self,
        instance: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        presence_lease::Entity::update_many()
            .filter(presence_lease::Column::InstanceId.eq(instance))
            .filter(presence_lease::Column::Open.eq(true))
            .col_expr(presence_lease::Column::Open, Expr::value(false))
            .col_expr(presence_lease::Column::ExpiresAt, Expr::value(now))
            .exec(self.db)
            .await?;
        Ok(())
    }

    // TENANCY: housekeeping of leases that no longer matter to anyone, in every tenant.
    /// Deletes the leases that ran out before `before`.
    pub async fn purge(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let result = presence_lease::Entity::delete_many()
            .filter(presence_lease::Column::ExpiresAt.lt(before))
            .exec(self.db)
            .await?;
        Ok(result.rows_affected)
    }
}
