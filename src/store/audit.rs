//! The audit log: who did what to which object, and when. Details never hold a secret.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::audit_log;
use super::StoreError;
use crate::domain::audit::AuditEvent;
use crate::domain::records::audit::{AuditActor, AuditRecord};
use crate::domain::{AuditId, TenantId};
use crate::domain::{Page, PageRequest};

pub struct Audit<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Audit<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    pub async fn record(
        &self,
        actor: &AuditActor,
        event: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (target_type, target_id) = event.target();
        audit_log::Entity::insert(audit_log::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(AuditId::new().into()),
            actor_user_id: Set(actor.user.map(Into::into)),
            actor_api_key_id: Set(actor.api_key.map(Into::into)),
            actor_label: Set(actor.label.clone()),
            action: Set(event.action().to_owned()),
            target_type: Set(target_type.to_owned()),
            target_id: Set(Some(target_id)),
            details: Set(event.details().map(|d| d.to_string())),
            created_at: Set(now),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Newest first.
    pub async fn list(&self, page: PageRequest) -> Result<Page<AuditRecord>, StoreError> {
        let mut query = audit_log::Entity::find()
            .filter(audit_log::Column::TenantId.eq(self.tenant.into_uuid()))
            .order_by_desc(audit_log::Column::Id);
        if let Some(after) = page.after {
            query = query.filter(audit_log::Column::Id.lt(after));
        }
        let rows = query.limit(page.first + 1).all(self.db).await?;
        Ok(Page::from_fetched(rows, page.first).map(|row| AuditRecord {
            id: row.id.into(),
            actor: AuditActor {
                user: row.actor_user_id.map(Into::into),
                api_key: row.actor_api_key_id.map(Into::into),
                label: row.actor_label,
            },
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            details: row.details.and_then(|d| serde_json::from_str(&d).ok()),
            created_at: row.created_at,
        }))
    }
}
