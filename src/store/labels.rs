//! A tenant's labels and which conversations carry them.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Select,
};

use super::entities::{conversation_label, label};
use super::StoreError;
use crate::domain::label::name_key;
use crate::domain::records::LabelRecord;
use crate::domain::{ConversationId, LabelId, TenantId};

impl From<label::Model> for LabelRecord {
    fn from(row: label::Model) -> Self {
        Self {
            id: row.id.into(),
            name: row.name,
            color: row.color,
            description: row.description,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub struct Labels<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Labels<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<label::Entity> {
        label::Entity::find().filter(label::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    fn links(&self) -> Select<conversation_label::Entity> {
        conversation_label::Entity::find()
            .filter(conversation_label::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    /// The tenant's labels by name.
    pub async fn list(&self) -> Result<Vec<LabelRecord>, StoreError> {
        let rows = self
            .scoped()
            .order_by_asc(label::Column::NameKey)
            .all(self.db)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.scoped().count(self.db).await?)
    }

    pub async fn get(&self, id: LabelId) -> Result<LabelRecord, StoreError> {
        Ok(self
            .scoped()
            .filter(label::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .into())
    }

    /// Those of `ids` that are the tenant's labels.
    pub async fn find_many(&self, ids: &[LabelId]) -> Result<Vec<LabelRecord>, StoreError> {
        let rows = self
            .scoped()
            .filter(label::Column::Id.is_in(ids.iter().map(|id| id.into_uuid())))
            .all(self.db)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Stores a new label. A name the tenant already uses (in any case) is a `Conflict`.
    pub async fn insert(&self, record: &LabelRecord) -> Result<(), StoreError> {
        label::Entity::insert(label::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(record.id.into()),
            name: Set(record.name.clone()),
            name_key: Set(name_key(&record.name)),
            color: Set(record.color.clone()),
            description: Set(record.description.clone()),
            created_at: Set(record.created_at),
            updated_at: Set(record.updated_at),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    pub async fn update(&self, record: &LabelRecord) -> Result<(), StoreError> {
        let result = label::Entity::update_many()
            .filter(label::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(label::Column::Id.eq(record.id.into_uuid()))
            .col_expr(label::Column::Name, Expr::value(record.name.clone()))
            .col_expr(label::Column::NameKey, Expr::value(name_key(&record.name)))
            .col_expr(label::Column::Color, Expr::value(record.color.clone()))
            .col_expr(
                label::Column::Description,
                Expr::value(record.description.clone()),
            )
            .col_expr(label::Column::UpdatedAt, Expr::value(record.updated_at))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes a label and takes it off every conversation; answers how many carried it.
    pub async fn delete(&self, id: LabelId) -> Result<u64, StoreError> {
        let unlinked = conversation_label::Entity::delete_many()
            .filter(conversation_label::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation_label::Column::LabelId.eq(id.into_uuid()))
            .exec(self.db)
            .await?
            .rows_affected;
        let result = label::Entity::delete_many()
            .filter(label::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(label::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(unlinked)
    }

    /// Puts `labels` on the conversation; those it has already stay as they were.
    pub async fn attach(
        &self,
        conversation: ConversationId,
        labels: &[LabelId],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let unique: BTreeSet<LabelId> = labels.iter().copied().collect();
        if unique.is_empty() {
            return Ok(());
        }
        let rows = unique
            .into_iter()
            .map(|label| conversation_label::ActiveModel {
                tenant_id: Set(self.tenant.into()),
                conversation_id: Set(conversation.into()),
                label_id: Set(label.into()),
                added_at: Set(now),
            });
        conversation_label::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    conversation_label::Column::TenantId,
                    conversation_label::Column::ConversationId,
                    conversation_label::Column::LabelId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(self.db)
            .await?;
        Ok(())
    }

    /// Takes `labels` off the conversation; those it does not have are no matter.
    pub async fn detach(
        &self,
        conversation: ConversationId,
        labels: &[LabelId],
    ) -> Result<(), StoreError> {
        conversation_label::Entity::delete_many()
            .filter(conversation_label::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation_label::Column::ConversationId.eq(conversation.into_uuid()))
            .filter(conversation_label::Column::LabelId.is_in(labels.iter().map(|l| l.into_uuid())))
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// The labels of each of `conversations`, by name.
    pub async fn of_conversations(
        &self,
        conversations: &[ConversationId],
    ) -> Result<HashMap<ConversationId, Vec<LabelRecord>>, StoreError> {
        let mut found: HashMap<ConversationId, Vec<LabelRecord>> = HashMap::new();
        if conversations.is_empty() {
            return Ok(found);
        }
        let mut links = Vec::new();
        for chunk in conversations.chunks(500) {
            links.extend(
                self.links()
                    .filter(
                        conversation_label::Column::ConversationId
                            .is_in(chunk.iter().map(|c| c.into_uuid())),
                    )
                    .all(self.db)
                    .await?,
            );
        }
        if links.is_empty() {
            return Ok(found);
        }
        let ids: Vec<LabelId> = links
            .iter()
            .map(|l| LabelId::from(l.label_id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let labels: HashMap<LabelId, LabelRecord> = self
            .find_many(&ids)
            .await?
            .into_iter()
            .map(|l| (l.id, l))
            .collect();
        for link in links {
            if let Some(label) = labels.get(&LabelId::from(link.label_id)) {
                found
                    .entry(link.conversation_id.into())
                    .or_default()
                    .push(label.clone());
            }
        }
        for list in found.values_mut() {
            list.sort_by_key(|l| name_key(&l.name));
        }
        Ok(found)
    }
}
