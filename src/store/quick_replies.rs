//! A tenant's quick replies, its own and its queues'.

use sea_orm::sea_query::{Alias, Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Select,
};

use super::entities::quick_reply;
use super::StoreError;
use crate::domain::quick_reply::shortcut_key;
use crate::domain::records::{QuickReplyRecord, ReplyMedia};
use crate::domain::{MediaKind, QueueId, QuickReplyId, TenantId};

impl TryFrom<quick_reply::Model> for QuickReplyRecord {
    type Error = StoreError;

    fn try_from(row: quick_reply::Model) -> Result<Self, StoreError> {
        let media = match (row.media_kind, row.upload_id) {
            (Some(kind), Some(upload)) => Some(ReplyMedia {
                kind: serde_json::from_value::<MediaKind>(serde_json::Value::String(kind))
                    .map_err(|e| StoreError::Corrupt(format!("quick reply media kind: {e}")))?,
                upload: upload.into(),
            }),
            _ => None,
        };
        Ok(Self {
            id: row.id.into(),
            queue: row.queue_id.map(Into::into),
            shortcut: row.shortcut,
            text: row.text,
            media,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// The stored name of a media kind (`IMAGE`, …).
fn kind_text(kind: MediaKind) -> Result<String, StoreError> {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(text)) => Ok(text),
        _ => Err(StoreError::Corrupt("media kind has no name".to_owned())),
    }
}

/// The key a shortcut is unique within: empty for the tenant's own replies.
fn scope_key(queue: Option<QueueId>) -> String {
    queue.map(|q| q.to_string()).unwrap_or_default()
}

pub struct QuickReplies<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> QuickReplies<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<quick_reply::Entity> {
        quick_reply::Entity::find()
            .filter(quick_reply::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    /// The tenant's own replies and, with `queue`, that queue's, by shortcut; with `search`,
    /// those whose shortcut starts with it or whose text contains it, in any case.
    pub async fn list(
        &self,
        queue: Option<QueueId>,
        search: Option<&str>,
    ) -> Result<Vec<QuickReplyRecord>, StoreError> {
        let mut scopes = Condition::any().add(quick_reply::Column::QueueId.is_null());
        if let Some(queue) = queue {
            scopes = scopes.add(quick_reply::Column::QueueId.eq(queue.into_uuid()));
        }
        let mut query = self
            .scoped()
            .filter(scopes)
            .order_by_asc(quick_reply::Column::ShortcutKey)
            .order_by_asc(quick_reply::Column::Id);
        if let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) {
            // `strpos`/`instr` rather than LIKE: `_` is a shortcut's own character, not a
            // wildcard to escape.
            let sqlite = self.db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
            let position = |column: Expr| {
                Func::cust(Alias::new(if sqlite { "instr" } else { "strpos" }))
                    .arg(column)
                    .arg(term.to_lowercase())
            };
            query = query.filter(
                Condition::any()
                    .add(Expr::expr(position(Expr::col(quick_reply::Column::ShortcutKey))).eq(1))
                    .add(
                        Expr::expr(position(Expr::expr(Func::lower(Expr::col(
                            quick_reply::Column::Text,
                        )))))
                        .gt(0),
                    ),
            );
        }
        let rows = query.all(self.db).await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.scoped().count(self.db).await?)
    }

    pub async fn get(&self, id: QuickReplyId) -> Result<QuickReplyRecord, StoreError> {
        self.scoped()
            .filter(quick_reply::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    /// Stores a new reply. A shortcut its scope already has (in any case) is a `Conflict`.
    pub async fn insert(&self, record: &QuickReplyRecord) -> Result<(), StoreError> {
        let media_kind = record.media.map(|m| kind_text(m.kind)).transpose()?;
        quick_reply::Entity::insert(quick_reply::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(record.id.into()),
            queue_id: Set(record.queue.map(Into::into)),
            scope_key: Set(scope_key(record.queue)),
            shortcut: Set(record.shortcut.clone()),
            shortcut_key: Set(shortcut_key(&record.shortcut)),
            text: Set(record.text.clone()),
            media_kind: Set(media_kind),
            upload_id: Set(record.media.map(|m| m.upload.into())),
            created_at: Set(record.created_at),
            updated_at: Set(record.updated_at),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Stores a reply's fields (its queue included). A shortcut its scope already has is a
    /// `Conflict`.
    pub async fn update(&self, record: &QuickReplyRecord) -> Result<(), StoreError> {
        let media_kind = record.media.map(|m| kind_text(m.kind)).transpose()?;
        let result = quick_reply::Entity::update_many()
            .filter(quick_reply::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(quick_reply::Column::Id.eq(record.id.into_uuid()))
            .col_expr(
                quick_reply::Column::QueueId,
                Expr::value(record.queue.map(QueueId::into_uuid)),
            )
            .col_expr(
                quick_reply::Column::ScopeKey,
                Expr::value(scope_key(record.queue)),
            )
            .col_expr(
                quick_reply::Column::Shortcut,
                Expr::value(record.shortcut.clone()),
            )
            .col_expr(
                quick_reply::Column::ShortcutKey,
                Expr::value(shortcut_key(&record.shortcut)),
            )
            .col_expr(quick_reply::Column::Text, Expr::value(record.text.clone()))
            .col_expr(quick_reply::Column::MediaKind, Expr::value(media_kind))
            .col_expr(
                quick_reply::Column::UploadId,
                Expr::value(record.media.map(|m| m.upload.into_uuid())),
            )
            .col_expr(
                quick_reply::Column::UpdatedAt,
                Expr::value(record.updated_at),
            )
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn delete(&self, id: QuickReplyId) -> Result<(), StoreError> {
        let result = quick_reply::Entity::delete_many()
            .filter(quick_reply::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(quick_reply::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Moves a queue's replies to `to`, or deletes them without one; answers how many. A
    /// shortcut `to` already has is a `Conflict`, and nothing moves.
    pub async fn move_queue(&self, from: QueueId, to: Option<QueueId>) -> Result<u64, StoreError> {
        let of_queue = Condition::all()
            .add(quick_reply::Column::TenantId.eq(self.tenant.into_uuid()))
            .add(quick_reply::Column::QueueId.eq(from.into_uuid()));
        let affected = match to {
            Some(to) => {
                quick_reply::Entity::update_many()
                    .filter(of_queue)
                    .col_expr(quick_reply::Column::QueueId, Expr::value(to.into_uuid()))
                    .col_expr(quick_reply::Column::ScopeKey, Expr::value(to.to_string()))
                    .exec(self.db)
                    .await?
                    .rows_affected
            }
            None => {
                quick_reply::Entity::delete_many()
                    .filter(of_queue)
                    .exec(self.db)
                    .await?
                    .rows_affected
            }
        };
        Ok(affected)
    }
}
