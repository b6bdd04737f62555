//! A tenant's users, through their memberships.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::entities::{membership, session, user};
use super::StoreError;
use crate::domain::records::member::MemberRecord;
use crate::domain::{Page, PageRequest};
use crate::domain::{Role, TenantId, UserId};

/// A new user to add to the tenant.
pub struct NewMember<'s> {
    pub email: &'s str,
    pub name: Option<&'s str>,
    pub password_hash: &'s str,
    pub role: Role,
}

/// What an update changes; `None` leaves a field alone.
#[derive(Default)]
pub struct MemberChanges<'s> {
    pub name: Option<Option<&'s str>>,
    pub role: Option<Role>,
    pub password_hash: Option<&'s str>,
}

pub struct Members<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

fn combine(m: membership::Model, u: user::Model) -> Result<MemberRecord, StoreError> {
    Ok(MemberRecord {
        id: u.id.into(),
        email: u.email,
        name: u.name,
        role: m.role.parse().map_err(|e: String| StoreError::Corrupt(e))?,
        active: m.deactivated_at.is_none(),
        created_at: m.created_at,
        last_login_at: u.last_login_at,
    })
}

impl<'a, C: ConnectionTrait> Members<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<membership::Entity> {
        membership::Entity::find().filter(membership::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    pub async fn get(&self, id: UserId) -> Result<MemberRecord, StoreError> {
        let m = self
            .scoped()
            .filter(membership::Column::UserId.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let u = user::Entity::find_by_id(m.user_id)
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        combine(m, u)
    }

    pub async fn list(&self, page: PageRequest) -> Result<Page<MemberRecord>, StoreError> {
        let mut query = self.scoped().order_by_asc(membership::Column::UserId);
        if let Some(after) = page.after {
            query = query.filter(membership::Column::UserId.gt(after));
        }
        let rows = Page::from_fetched(query.limit(page.first + 1).all(self.db).await?, page.first);
        let ids: Vec<Uuid> = rows.items.iter().map(|m| m.user_id).collect();
        let mut users: HashMap<Uuid, user::Model> = user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let mut items = Vec::with_capacity(rows.items.len());
        for m in rows.items {
            let u = users
                .remove(&m.user_id)
                .ok_or_else(|| StoreError::Corrupt("membership without user".into()))?;
            items.push(combine(m, u)?);
        }
        Ok(Page {
            items,
            has_next: rows.has_next,
        })
    }

    /// Creates the user, as an account of this tenant, and its membership. An e-mail taken in
    /// this tenant is a `Conflict`; accounts elsewhere with the same address do not matter.
    pub async fn insert(
        &self,
        new: NewMember<'_>,
        now: DateTime<Utc>,
    ) -> Result<MemberRecord, StoreError> {
        let id = UserId::new();
        user::Entity::insert(user::ActiveModel {
            id: Set(id.into()),
            email: Set(new.email.to_owned()),
            name: Set(new.name.map(str::to_owned)),
            password_hash: Set(new.password_hash.to_owned()),
            is_platform_admin: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            last_login_at: Set(None),
            tenant_id: Set(Some(self.tenant.into())),
        })
        .exec_without_returning(self.db)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict("a user with this e-mail already exists in this tenant")
            }
            other => other,
        })?;
        membership::Entity::insert(membership::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            user_id: Set(id.into()),
            role: Set(new.role.as_str().to_owned()),
            deactivated_at: Set(None),
            created_at: Set(now),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(MemberRecord {
            id,
            email: new.email.to_owned(),
            name: new.name.map(str::to_owned),
            role: new.role,
            active: true,
            created_at: now,
            last_login_at: None,
        })
    }

    pub async fn update(
        &self,
        id: UserId,
        changes: MemberChanges<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // The membership check comes first: a user of another tenant is NotFound here.
        self.get(id).await?;
        if let Some(role) = changes.role {
            membership::Entity::update_many()
                .col_expr(membership::Column::Role, role.as_str().into())
                .filter(membership::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(membership::Column::UserId.eq(id.into_uuid()))
                .exec(self.db)
                .await?;
        }
        if changes.name.is_some() || changes.password_hash.is_some() {
            let mut update = user::Entity::update_many()
                .col_expr(user::Column::UpdatedAt, now.into())
                .filter(user::Column::Id.eq(id.into_uuid()));
            if let Some(name) = changes.name {
                update = update.col_expr(user::Column::Name, name.map(str::to_owned).into());
            }
            if let Some(hash) = changes.password_hash {
                update = update.col_expr(user::Column::PasswordHash, hash.into());
            }
            update.exec(self.db).await?;
        }
        Ok(())
    }

    /// Ends the user's sessions in this tenant.
    pub async fn end_sessions(
        &self,
        id: UserId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
            .col_expr(session::Column::RevokedReason, Expr::value(Some(reason)))
            .filter(session::Column::UserId.eq(id.into_uuid()))
            .filter(session::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(session::Column::RevokedAt.is_null())
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Deactivates the membership and ends the user's sessions in this tenant.
    pub async fn deactivate(&self, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let result = membership::Entity::update_many()
            .col_expr(membership::Column::DeactivatedAt, Expr::value(Some(now)))
            .filter(membership::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(membership::Column::UserId.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
            .col_expr(
                session::Column::RevokedReason,
                Expr::value(Some("deactivated")),
            )
            .filter(session::Column::UserId.eq(id.into_uuid()))
            .filter(session::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(session::Column::RevokedAt.is_null())
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Active owners, so the last one cannot be demoted or deactivated.
    pub async fn count_active_owners(&self) -> Result<u64, StoreError> {
        Ok(self
            .scoped()
            .filter(membership::Column::Role.eq(Role::Owner.as_str()))
            .filter(membership::Column::DeactivatedAt.is_null())
            .count(self.db)
            .await?)
    }
}
