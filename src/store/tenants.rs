//! Tenants: the platform admin's list, and each tenant's own profile and settings.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::tenant;
use super::StoreError;
use crate::domain::records::tenant::TenantRecord;
use crate::domain::{Page, PageRequest};
use crate::domain::{TenantId, TenantSettings};

impl TryFrom<tenant::Model> for TenantRecord {
    type Error = StoreError;
    fn try_from(row: tenant::Model) -> Result<Self, StoreError> {
        let settings = serde_json::from_str(&row.settings)
            .map_err(|e| StoreError::Corrupt(format!("tenant settings: {e}")))?;
        Ok(Self {
            id: row.id.into(),
            name: row.name,
            settings,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// All tenants; only the platform admin's API reaches this.
pub struct Tenants<'a, C> {
    db: &'a C,
}

impl<'a, C: ConnectionTrait> Tenants<'a, C> {
    pub fn new(db: &'a C) -> Self {
        Self { db }
    }

    pub async fn list(&self, page: PageRequest) -> Result<Page<TenantRecord>, StoreError> {
        let mut query = tenant::Entity::find().order_by_asc(tenant::Column::Id);
        if let Some(after) = page.after {
            query = query.filter(tenant::Column::Id.gt(after));
        }
        let rows = query.limit(page.first + 1).all(self.db).await?;
        let page = Page::from_fetched(rows, page.first);
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(TenantRecord::try_from)
                .collect::<Result<_, _>>()?,
            has_next: page.has_next,
        })
    }

    pub async fn insert(
        &self,
        id: TenantId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<TenantRecord, StoreError> {
        let settings = TenantSettings::default();
        let row = tenant::ActiveModel {
            id: Set(id.into()),
            name: Set(name.to_owned()),
            settings: Set(serde_json::to_string(&settings).expect("settings serialise")),
            created_at: Set(now),
            updated_at: Set(now),
        };
        tenant::Entity::insert(row)
            .exec_without_returning(self.db)
            .await?;
        Ok(TenantRecord {
            id,
            name: name.to_owned(),
            settings,
            created_at: now,
            updated_at: now,
        })
    }

    /// Locks the tenant's row until the transaction ends (PostgreSQL; SQLite's writer has
    /// the database to itself already).
    pub async fn lock(&self, id: TenantId) -> Result<(), StoreError> {
        super::for_update(tenant::Entity::find_by_id(id.into_uuid()), self.db)
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(())
    }
}

/// One tenant's own row.
pub struct TenantProfile<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> TenantProfile<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    pub async fn get(&self) -> Result<TenantRecord, StoreError> {
        tenant::Entity::find_by_id(self.tenant.into_uuid())
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    pub async fn update(
        &self,
        name: &str,
        settings: &TenantSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let result = tenant::Entity::update_many()
            .col_expr(tenant::Column::Name, name.into())
            .col_expr(
                tenant::Column::Settings,
                serde_json::to_string(settings)
                    .expect("settings serialise")
                    .into(),
            )
            .col_expr(tenant::Column::UpdatedAt, now.into())
            .filter(tenant::Column::Id.eq(self.tenant.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
