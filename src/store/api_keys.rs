//! A tenant's API keys. Only a hash of each key is stored; its prefix stays visible.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};

use super::entities::api_key;
use super::StoreError;
use crate::domain::records::api_key::ApiKeyRecord;
use crate::domain::{ApiKeyId, Role, TenantId, UserId};

impl TryFrom<api_key::Model> for ApiKeyRecord {
    type Error = StoreError;
    fn try_from(row: api_key::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id.into(),
            name: row.name,
            prefix: row.prefix,
            role: row.role.parse().map_err(StoreError::Corrupt)?,
            created_by: row.created_by.map(Into::into),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        })
    }
}

pub struct ApiKeys<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> ApiKeys<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<api_key::Entity> {
        api_key::Entity::find().filter(api_key::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    pub async fn list(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.scoped()
            .order_by_asc(api_key::Column::Id)
            .all(self.db)
            .await?
            .into_iter()
            .map(ApiKeyRecord::try_from)
            .collect()
    }

    pub async fn get(&self, id: ApiKeyId) -> Result<ApiKeyRecord, StoreError> {
        self.scoped()
            .filter(api_key::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    pub async fn insert(
        &self,
        name: &str,
        prefix: &str,
        secret_hash: &str,
        role: Role,
        created_by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<ApiKeyRecord, StoreError> {
        let id = ApiKeyId::new();
        api_key::Entity::insert(api_key::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(id.into()),
            name: Set(name.to_owned()),
            prefix: Set(prefix.to_owned()),
            secret_hash: Set(secret_hash.to_owned()),
            role: Set(role.as_str().to_owned()),
            created_by: Set(created_by.map(Into::into)),
            created_at: Set(now),
            last_used_at: Set(None),
            revoked_at: Set(None),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(ApiKeyRecord {
            id,
            name: name.to_owned(),
            prefix: prefix.to_owned(),
            role,
            created_by,
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        })
    }

    /// Revokes the key; revoking a revoked key keeps its first revocation time.
    pub async fn revoke(
        &self,
        id: ApiKeyId,
        now: DateTime<Utc>,
    ) -> Result<ApiKeyRecord, StoreError> {
        self.get(id).await?;
        api_key::Entity::update_many()
            .col_expr(api_key::Column::RevokedAt, Expr::value(Some(now)))
            .filter(api_key::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(api_key::Column::Id.eq(id.into_uuid()))
            .filter(api_key::Column::RevokedAt.is_null())
            .exec(self.db)
            .await?;
        self.get(id).await
    }
}
