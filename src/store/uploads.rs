//! Media a tenant uploaded to send. The bytes live in the media store; the row says what
//! they are.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entities::upload;
use super::StoreError;
use crate::domain::records::upload::UploadRecord;
use crate::domain::{TenantId, UploadId};

impl From<upload::Model> for UploadRecord {
    fn from(row: upload::Model) -> Self {
        Self {
            id: row.id.into(),
            content_type: row.content_type,
            filename: row.filename,
            size_bytes: row.size_bytes,
            sha256: row.sha256,
            storage_key: row.storage_key,
            created_at: row.created_at,
        }
    }
}

pub struct Uploads<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Uploads<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    pub async fn get(&self, id: UploadId) -> Result<UploadRecord, StoreError> {
        upload::Entity::find()
            .filter(upload::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(upload::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .map(UploadRecord::from)
            .ok_or(StoreError::NotFound)
    }

    /// Records an upload whose bytes are already in the media store.
    pub async fn insert(
        &self,
        record: &UploadRecord,
        created_by: &str,
    ) -> Result<UploadRecord, StoreError> {
        upload::Entity::insert(upload::ActiveModel {
            tenant_id: Set(self.tenant.into_uuid()),
            id: Set(record.id.into_uuid()),
            content_type: Set(record.content_type.clone()),
            filename: Set(record.filename.clone()),
            size_bytes: Set(record.size_bytes),
            sha256: Set(record.sha256.clone()),
            storage_key: Set(record.storage_key.clone()),
            created_by: Set(created_by.to_owned()),
            created_at: Set(record.created_at),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(record.clone())
    }
}
