//! What each member has read of a tenant's conversations: the customer's messages stored
//! after a member's read mark are unread for them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, JoinType, OnConflict, Query, SelectStatement};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::conversations::RESOLVED;
use super::entities::{conversation, conversation_read, message};
use super::StoreError;
use crate::domain::{ConversationId, Direction, TenantId, UserId};

/// Unread messages and the conversations that have them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnreadCounts {
    pub conversations: u64,
    pub messages: u64,
}

pub struct Reads<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Reads<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    /// Marks the conversation read by `user` up to `at`.
    pub async fn mark(
        &self,
        conversation: ConversationId,
        user: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        conversation_read::Entity::insert(conversation_read::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            user_id: Set(user.into()),
            conversation_id: Set(conversation.into()),
            read_at: Set(at),
        })
        .on_conflict(
            OnConflict::columns([
                conversation_read::Column::TenantId,
                conversation_read::Column::UserId,
                conversation_read::Column::ConversationId,
            ])
            .update_column(conversation_read::Column::ReadAt)
            .to_owned(),
        )
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Each of `conversations`' unread messages for `user` (absent: none).
    pub async fn unread_in(
        &self,
        user: UserId,
        conversations: &[ConversationId],
    ) -> Result<HashMap<ConversationId, u64>, StoreError> {
        if conversations.is_empty() {
            return Ok(HashMap::new());
        }
        let m = Alias::new("m");
        let query = Query::select()
            .column((m.clone(), message::Column::ConversationId))
            .expr_as(
                Func::count(Expr::col((m.clone(), message::Column::Id))),
                Alias::new("n"),
            )
            .from_as(message::Entity, m.clone())
            .and_where(
                Expr::col((m.clone(), message::Column::ConversationId))
                    .is_in(conversations.iter().map(|c| c.into_uuid())),
            )
            .and_where(unread_message(&m, self.tenant, user))
            .group_by_col((m.clone(), message::Column::ConversationId))
            .to_owned();
        let backend = self.db.get_database_backend();
        let mut unread = HashMap::new();
        for row in self.db.query_all(backend.build(&query)).await? {
            let id: Uuid = row.try_get("", "conversation_id")?;
            let n = row.try_get::<i64>("", "n")?;
            unread.insert(id.into(), u64::try_from(n).unwrap_or(0));
        }
        Ok(unread)
    }

    /// `user`'s unread messages in the unresolved conversations assigned to them.
    pub async fn counts_assigned(&self, user: UserId) -> Result<UnreadCounts, StoreError> {
        let m = Alias::new("m");
        let c = Alias::new("c");
        let query = Query::select()
            .expr_as(
                Func::count(Expr::col((m.clone(), message::Column::Id))),
                Alias::new("n"),
            )
            .expr_as(
                Func::count_distinct(Expr::col((m.clone(), message::Column::ConversationId))),
                Alias::new("k"),
            )
            .from_as(message::Entity, m.clone())
            .join_as(
                JoinType::InnerJoin,
                conversation::Entity,
                c.clone(),
                Expr::col((c.clone(), conversation::Column::TenantId))
                    .equals((m.clone(), message::Column::TenantId))
                    .and(
                        Expr::col((c.clone(), conversation::Column::Id))
                            .equals((m.clone(), message::Column::ConversationId)),
                    ),
            )
            .and_where(
                Expr::col((c.clone(), conversation::Column::AssigneeId)).eq(user.into_uuid()),
            )
            .and_where(Expr::col((c.clone(), conversation::Column::Status)).ne(RESOLVED))
            .and_where(unread_message(&m, self.tenant, user))
            .to_owned();
        let backend = self.db.get_database_backend();
        let Some(row) = self.db.query_one(backend.build(&query)).await? else {
            return Ok(UnreadCounts::default());
        };
        let n = row.try_get::<i64>("", "n")?;
        let k = row.try_get::<i64>("", "k")?;
        Ok(UnreadCounts {
            conversations: u64::try_from(k).unwrap_or(0),
            messages: u64::try_from(n).unwrap_or(0),
        })
    }
}

/// A customer's message (of the tenant, in table alias `m`) stored after `user`'s read
/// mark on its conversation, or with no mark at all.
fn unread_message(m: &Alias, tenant: TenantId, user: UserId) -> sea_orm::sea_query::SimpleExpr {
    let r = Alias::new("r");
    let read_since = Query::select()
        .expr(Expr::val(1))
        .from_as(conversation_read::Entity, r.clone())
        .and_where(
            Expr::col((r.clone(), conversation_read::Column::TenantId))
                .equals((m.clone(), message::Column::TenantId)),
        )
        .and_where(Expr::col((r.clone(), conversation_read::Column::UserId)).eq(user.into_uuid()))
        .and_where(
            Expr::col((r.clone(), conversation_read::Column::ConversationId))
                .equals((m.clone(), message::Column::ConversationId)),
        )
        .and_where(
            Expr::col((r.clone(), conversation_read::Column::ReadAt))
                .gte(Expr::col((m.clone(), message::Column::CreatedAt))),
        )
        .to_owned();
    Expr::col((m.clone(), message::Column::TenantId))
        .eq(tenant.into_uuid())
        .and(Expr::col((m.clone(), message::Column::Direction)).eq(Direction::Inbound.as_str()))
        .and(Expr::exists(read_since).not())
}

/// The conversations (of the outer query on `conversations`) with a customer's message
/// `user` has not read.
pub(super) fn has_unread(tenant: TenantId, user: UserId) -> SelectStatement {
    let m = Alias::new("m");
    Query::select()
        .expr(Expr::val(1))
        .from_as(message::Entity, m.clone())
        .and_where(
            Expr::col((m.clone(), message::Column::ConversationId))
                .equals((conversation::Entity, conversation::Column::Id)),
        )
        .and_where(unread_message(&m, tenant, user))
        .to_owned()
}
