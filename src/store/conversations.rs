//! A tenant's conversations: one open thread per contact and channel.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::entities::{conversation, conversation_label};
use super::StoreError;
use crate::domain::message_status::CUSTOMER_SERVICE_WINDOW;
use crate::domain::records::conversation::{ConversationFilter, ConversationRecord};
use crate::domain::records::RoutingRecord;
use crate::domain::{ChannelId, ContactId, ConversationId, QueueId, TenantId, Visibility};
use crate::domain::{Page, PageRequest};

pub const OPEN: &str = "OPEN";
pub const RESOLVED: &str = "RESOLVED";

impl From<conversation::Model> for ConversationRecord {
    fn from(row: conversation::Model) -> Self {
        Self {
            id: row.id.into(),
            channel: row.channel_id.into(),
            contact: row.contact_id.into(),
            open: row.status == OPEN,
            queue: row.queue_id.map(Into::into),
            assignee: row.assignee_id.map(Into::into),
            last_inbound_at: row.last_inbound_at,
            window_expires_at: row.window_expires_at,
            last_message_at: row.last_message_at,
            opened_at: row.opened_at,
            resolved_at: row.resolved_at,
            routing: match (row.routed_queue_id, row.routed_at) {
                (Some(queue), Some(at)) => Some(RoutingRecord {
                    rule: row.routed_rule_id.map(Into::into),
                    queue: queue.into(),
                    at,
                }),
                _ => None,
            },
            updated_at: row.updated_at,
        }
    }
}

pub struct Conversations<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Conversations<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<conversation::Entity> {
        conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    pub async fn get(&self, id: ConversationId) -> Result<ConversationRecord, StoreError> {
        Ok(self
            .scoped()
            .filter(conversation::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .into())
    }

    /// As [`Self::get`], for a caller who sees only some conversations: one they may not
    /// see is `NotFound`, as another tenant's is.
    pub async fn get_visible(
        &self,
        visibility: &Visibility,
        id: ConversationId,
    ) -> Result<ConversationRecord, StoreError> {
        let mut query = self
            .scoped()
            .filter(conversation::Column::Id.eq(id.into_uuid()));
        if let Some(seen) = super::visibility::conversations(visibility) {
            query = query.filter(seen);
        }
        Ok(query
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .into())
    }

    pub async fn find_open(
        &self,
        channel: ChannelId,
        contact: ContactId,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        Ok(self
            .scoped()
            .filter(conversation::Column::ChannelId.eq(channel.into_uuid()))
            .filter(conversation::Column::ContactId.eq(contact.into_uuid()))
            .filter(conversation::Column::Status.eq(OPEN))
            .one(self.db)
            .await?
            .map(Into::into))
    }

    /// Opens a conversation in the queue routing chose. A concurrent open of the same pair
    /// is a `Conflict` (the partial unique index), which the caller retries.
    pub async fn open(
        &self,
        channel: ChannelId,
        contact: ContactId,
        routing: &RoutingRecord,
        now: DateTime<Utc>,
    ) -> Result<ConversationRecord, StoreError> {
        let id = ConversationId::new();
        conversation::Entity::insert(conversation::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(id.into()),
            channel_id: Set(channel.into()),
            contact_id: Set(contact.into()),
            status: Set(OPEN.to_owned()),
            queue_id: Set(Some(routing.queue.into())),
            assignee_id: Set(None),
            last_inbound_at: Set(None),
            window_expires_at: Set(None),
            last_message_at: Set(now),
            opened_at: Set(now),
            resolved_at: Set(None),
            routed_rule_id: Set(routing.rule.map(Into::into)),
            routed_queue_id: Set(Some(routing.queue.into())),
            routed_at: Set(Some(routing.at)),
            updated_at: Set(now),
        })
        .exec_without_returning(self.db)
        .await?;
        self.get(id).await
    }

    /// Records an inbound message at `at`: the window runs 24 hours from the customer's
    /// latest message, so an older, reordered webhook never shortens it.
    pub async fn record_inbound(
        &self,
        record: &mut ConversationRecord,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Guards in SQL, not values computed from a read: concurrent webhooks on several
        // instances can only move these times forward.
        let scoped = |update: sea_orm::UpdateMany<conversation::Entity>| {
            update
                .filter(conversation::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(conversation::Column::Id.eq(record.id.into_uuid()))
        };
        scoped(conversation::Entity::update_many())
            .col_expr(conversation::Column::LastInboundAt, Expr::value(Some(at)))
            .col_expr(
                conversation::Column::WindowExpiresAt,
                Expr::value(Some(at + CUSTOMER_SERVICE_WINDOW)),
            )
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
            .filter(
                sea_orm::Condition::any()
                    .add(conversation::Column::LastInboundAt.is_null())
                    .add(conversation::Column::LastInboundAt.lt(at)),
            )
            .exec(self.db)
            .await?;
        scoped(conversation::Entity::update_many())
            .col_expr(conversation::Column::LastMessageAt, Expr::value(at))
            .filter(conversation::Column::LastMessageAt.lt(at))
            .exec(self.db)
            .await?;
        *record = self.get(record.id).await?;
        Ok(())
    }

    /// How many of the queue's conversations are not resolved.
    pub async fn count_unresolved_in(&self, queue: QueueId) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(self
            .scoped()
            .filter(conversation::Column::QueueId.eq(queue.into_uuid()))
            .filter(conversation::Column::Status.ne(RESOLVED))
            .count(self.db)
            .await?)
    }

    /// Moves every conversation of queue `from` to `to` (none: out of any queue); answers
    /// how many moved.
    pub async fn move_queue(
        &self,
        from: QueueId,
        to: Option<QueueId>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let result = conversation::Entity::update_many()
            .filter(conversation::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation::Column::QueueId.eq(from.into_uuid()))
            .col_expr(
                conversation::Column::QueueId,
                Expr::value(to.map(QueueId::into_uuid)),
            )
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
            .exec(self.db)
            .await?;
        Ok(result.rows_affected)
    }

    /// Most recently active first; the cursor is the conversation id within equal times.
    /// Only the conversations `visibility` sees are listed.
    pub async fn list(
        &self,
        visibility: &Visibility,
        filter: &ConversationFilter,
        page: PageRequest,
    ) -> Result<Page<ConversationRecord>, StoreError> {
        let mut query = self.scoped().order_by_desc(conversation::Column::Id);
        if let Some(seen) = super::visibility::conversations(visibility) {
            query = query.filter(seen);
        }
        if let Some(open) = filter.open {
            query =
                query.filter(conversation::Column::Status.eq(if open { OPEN } else { RESOLVED }));
        }
        if let Some(channel) = filter.channel {
            query = query.filter(conversation::Column::ChannelId.eq(channel.into_uuid()));
        }
        if let Some(contact) = filter.contact {
            query = query.filter(conversation::Column::ContactId.eq(contact.into_uuid()));
        }
        if let Some(queue) = filter.queue {
            query = query.filter(conversation::Column::QueueId.eq(queue.into_uuid()));
        }
        // Every label given: one membership test per label.
        for label in &filter.labels {
            query = query.filter(
                conversation::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(conversation_label::Column::ConversationId)
                        .from(conversation_label::Entity)
                        .and_where(conversation_label::Column::TenantId.eq(self.tenant.into_uuid()))
                        .and_where(conversation_label::Column::LabelId.eq(label.into_uuid()))
                        .to_owned(),
                ),
            );
        }
        if let Some(after) = page.after {
            query = query.filter(conversation::Column::Id.lt(after));
        }
        let rows = query.limit(page.first + 1).all(self.db).await?;
        Ok(Page::from_fetched(rows, page.first).map(Into::into))
    }
}
