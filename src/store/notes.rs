//! Internal notes on a tenant's conversations, oldest first. Ids are time-ordered, so a
//! note's id is its place in the list and its cursor.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::entities::{conversation_note, user};
use super::StoreError;
use crate::domain::records::NoteRecord;
use crate::domain::{ConversationId, NoteId, Page, PageRequest, TenantId, UserId};

fn record(row: conversation_note::Model, names: &HashMap<uuid::Uuid, String>) -> NoteRecord {
    NoteRecord {
        id: row.id.into(),
        conversation: row.conversation_id.into(),
        author: row.author_id.into(),
        author_name: names.get(&row.author_id).cloned(),
        text: row.text,
        created_at: row.created_at,
        edited_at: row.edited_at,
    }
}

pub struct Notes<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Notes<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<conversation_note::Entity> {
        conversation_note::Entity::find()
            .filter(conversation_note::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    /// The names of the tenant's users among `rows`' authors (those who have one).
    async fn author_names(
        &self,
        rows: &[conversation_note::Model],
    ) -> Result<HashMap<uuid::Uuid, String>, StoreError> {
        let mut ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.author_id).collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let users = user::Entity::find()
            .filter(user::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(user::Column::Id.is_in(ids))
            .all(self.db)
            .await?;
        Ok(users
            .into_iter()
            .filter_map(|u| Some((u.id, u.name?)))
            .collect())
    }

    async fn records(
        &self,
        rows: Vec<conversation_note::Model>,
    ) -> Result<Vec<NoteRecord>, StoreError> {
        let names = self.author_names(&rows).await?;
        Ok(rows.into_iter().map(|r| record(r, &names)).collect())
    }

    pub async fn get(&self, id: NoteId) -> Result<NoteRecord, StoreError> {
        let row = self
            .scoped()
            .filter(conversation_note::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.records(vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    pub async fn insert(
        &self,
        id: NoteId,
        conversation: ConversationId,
        author: UserId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        conversation_note::Entity::insert(conversation_note::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(id.into()),
            conversation_id: Set(conversation.into()),
            author_id: Set(author.into()),
            text: Set(text.to_owned()),
            created_at: Set(now),
            edited_at: Set(None),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Replaces a note's text, marking when.
    pub async fn update_text(
        &self,
        id: NoteId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let result = conversation_note::Entity::update_many()
            .filter(conversation_note::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation_note::Column::Id.eq(id.into_uuid()))
            .col_expr(
                conversation_note::Column::Text,
                Expr::value(text.to_owned()),
            )
            .col_expr(conversation_note::Column::EditedAt, Expr::value(Some(now)))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn delete(&self, id: NoteId) -> Result<(), StoreError> {
        let result = conversation_note::Entity::delete_many()
            .filter(conversation_note::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation_note::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// A page of a conversation's notes, oldest first.
    pub async fn list(
        &self,
        conversation: ConversationId,
        page: PageRequest,
    ) -> Result<Page<NoteRecord>, StoreError> {
        let mut query = self
            .scoped()
            .filter(conversation_note::Column::ConversationId.eq(conversation.into_uuid()))
            .order_by_asc(conversation_note::Column::Id);
        if let Some(after) = page.after {
            query = query.filter(conversation_note::Column::Id.gt(after));
        }
        let rows = Page::from_fetched(query.limit(page.first + 1).all(self.db).await?, page.first);
        Ok(Page {
            items: self.records(rows.items).await?,
            has_next: rows.has_next,
        })
    }

    /// A conversation's notes written in `[from, to)` (either end open when `None`), oldest
    /// first, for a timeline that merges them with messages and other changes by time.
    pub async fn list_between(
        &self,
        conversation: ConversationId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<NoteRecord>, StoreError> {
        let mut query = self
            .scoped()
            .filter(conversation_note::Column::ConversationId.eq(conversation.into_uuid()))
            .order_by_asc(conversation_note::Column::CreatedAt)
            .order_by_asc(conversation_note::Column::Id);
        if let Some(from) = from {
            query = query.filter(conversation_note::Column::CreatedAt.gte(from));
        }
        if let Some(to) = to {
            query = query.filter(conversation_note::Column::CreatedAt.lt(to));
        }
        let rows = query.all(self.db).await?;
        self.records(rows).await
    }
}
