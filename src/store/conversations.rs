//! A tenant's conversations: one open thread per contact and channel.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::entities::{conversation, conversation_change, conversation_label};
use super::StoreError;
use crate::domain::conversation::{ChangeKind, Standing};
use crate::domain::message_status::CUSTOMER_SERVICE_WINDOW;
use crate::domain::records::conversation::{
    ConversationChangeRecord, ConversationFilter, ConversationRecord,
};
use crate::domain::records::RoutingRecord;
use crate::domain::{ChannelId, ContactId, ConversationId, ConversationStatus, QueueId, TenantId};
use crate::domain::{Page, PageRequest, UserId, Visibility};

pub const RESOLVED: &str = "RESOLVED";

/// The column only ever holds the names this module writes.
fn status_of(text: &str) -> ConversationStatus {
    ConversationStatus::parse(text).unwrap_or(ConversationStatus::Open)
}

/// Who made a change and what it carries besides the new standing.
pub struct ChangeMeta<'a> {
    pub kind: ChangeKind,
    pub actor: Option<UserId>,
    pub note: Option<&'a str>,
}

impl From<conversation_change::Model> for ConversationChangeRecord {
    fn from(row: conversation_change::Model) -> Self {
        Self {
            id: row.id,
            conversation: row.conversation_id.into(),
            kind: ChangeKind::parse(&row.kind).unwrap_or(ChangeKind::Opened),
            actor: row.actor_user_id.map(Into::into),
            status: status_of(&row.status),
            queue: row.queue_id.map(Into::into),
            assignee: row.assignee_id.map(Into::into),
            note: row.note,
            until: row.until,
            at: row.at,
        }
    }
}

impl From<conversation::Model> for ConversationRecord {
    fn from(row: conversation::Model) -> Self {
        Self {
            id: row.id.into(),
            channel: row.channel_id.into(),
            contact: row.contact_id.into(),
            status: status_of(&row.status),
            queue: row.queue_id.map(Into::into),
            assignee: row.assignee_id.map(Into::into),
            last_inbound_at: row.last_inbound_at,
            window_expires_at: row.window_expires_at,
            last_message_at: row.last_message_at,
            opened_at: row.opened_at,
            resolved_at: row.resolved_at,
            snoozed_until: row.snoozed_until,
            waiting_since: row.waiting_since,
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

    /// Those of `ids` that are this tenant's and `visibility` sees, in one query.
    pub async fn get_many_visible(
        &self,
        visibility: &Visibility,
        ids: &[ConversationId],
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        let mut query = self
            .scoped()
            .filter(conversation::Column::Id.is_in(ids.iter().map(|id| id.into_uuid())));
        if let Some(seen) = super::visibility::conversations(visibility) {
            query = query.filter(seen);
        }
        Ok(query
            .all(self.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The conversations of these contacts that are not resolved (one per contact and
    /// channel at most).
    pub async fn unresolved_of(
        &self,
        contacts: &[ContactId],
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        let mut found = Vec::new();
        for chunk in contacts.chunks(500) {
            let rows = self
                .scoped()
                .filter(conversation::Column::ContactId.is_in(chunk.iter().map(|c| c.into_uuid())))
                .filter(conversation::Column::Status.ne(RESOLVED))
                .all(self.db)
                .await?;
            found.extend(rows.into_iter().map(ConversationRecord::from));
        }
        Ok(found)
    }

    /// The contact's conversation on the channel that is not resolved (at most one).
    pub async fn find_open(
        &self,
        channel: ChannelId,
        contact: ContactId,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        Ok(self
            .scoped()
            .filter(conversation::Column::ChannelId.eq(channel.into_uuid()))
            .filter(conversation::Column::ContactId.eq(contact.into_uuid()))
            .filter(conversation::Column::Status.ne(RESOLVED))
            .one(self.db)
            .await?
            .map(Into::into))
    }

    /// The contact's conversation on the channel resolved most recently, if at or after
    /// `since`.
    pub async fn find_resolved_since(
        &self,
        channel: ChannelId,
        contact: ContactId,
        since: DateTime<Utc>,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        Ok(self
            .scoped()
            .filter(conversation::Column::ChannelId.eq(channel.into_uuid()))
            .filter(conversation::Column::ContactId.eq(contact.into_uuid()))
            .filter(conversation::Column::Status.eq(RESOLVED))
            .filter(conversation::Column::ResolvedAt.gte(since))
            .order_by_desc(conversation::Column::ResolvedAt)
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
            status: Set(ConversationStatus::Open.as_str().to_owned()),
            queue_id: Set(Some(routing.queue.into())),
            assignee_id: Set(None),
            last_inbound_at: Set(None),
            window_expires_at: Set(None),
            last_message_at: Set(now),
            opened_at: Set(now),
            resolved_at: Set(None),
            snoozed_until: Set(None),
            waiting_since: Set(Some(now)),
            routed_rule_id: Set(routing.rule.map(Into::into)),
            routed_queue_id: Set(Some(routing.queue.into())),
            routed_at: Set(Some(routing.at)),
            updated_at: Set(now),
        })
        .exec_without_returning(self.db)
        .await?;
        let opened = self.get(id).await?;
        let meta = ChangeMeta {
            kind: ChangeKind::Opened,
            actor: None,
            note: None,
        };
        self.insert_change(&opened, &meta, now).await?;
        Ok(opened)
    }

    /// Moves `before` to `next` and records the change, unless the conversation changed
    /// since `before` was read (then `Conflict`, and nothing is written): concurrent acts
    /// on several instances cannot both apply to the same state.
    pub async fn apply(
        &self,
        before: &ConversationRecord,
        next: &Standing,
        meta: &ChangeMeta<'_>,
        now: DateTime<Utc>,
    ) -> Result<ConversationRecord, StoreError> {
        use crate::domain::ConversationStatus::{Open, Resolved};
        let waiting_since = match next.status {
            Open if before.status == Open && before.queue == next.queue => before.waiting_since,
            Open => Some(now),
            _ => None,
        };
        let resolved_at = match next.status {
            Resolved if before.status == Resolved => before.resolved_at,
            Resolved => Some(now),
            _ => None,
        };
        let uuid = |id: Option<uuid::Uuid>, column: conversation::Column| match id {
            Some(id) => column.eq(id),
            None => column.is_null(),
        };
        let result = conversation::Entity::update_many()
            .filter(conversation::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation::Column::Id.eq(before.id.into_uuid()))
            .filter(conversation::Column::Status.eq(before.status.as_str()))
            .filter(uuid(
                before.queue.map(QueueId::into_uuid),
                conversation::Column::QueueId,
            ))
            .filter(uuid(
                before.assignee.map(UserId::into_uuid),
                conversation::Column::AssigneeId,
            ))
            .col_expr(
                conversation::Column::Status,
                Expr::value(next.status.as_str()),
            )
            .col_expr(
                conversation::Column::QueueId,
                Expr::value(next.queue.map(QueueId::into_uuid)),
            )
            .col_expr(
                conversation::Column::AssigneeId,
                Expr::value(next.assignee.map(UserId::into_uuid)),
            )
            .col_expr(
                conversation::Column::SnoozedUntil,
                Expr::value(next.snoozed_until),
            )
            .col_expr(
                conversation::Column::WaitingSince,
                Expr::value(waiting_since),
            )
            .col_expr(conversation::Column::ResolvedAt, Expr::value(resolved_at))
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::Stale);
        }
        let after = self.get(before.id).await?;
        self.insert_change(&after, meta, now).await?;
        Ok(after)
    }

    async fn insert_change(
        &self,
        after: &ConversationRecord,
        meta: &ChangeMeta<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        conversation_change::Entity::insert(conversation_change::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(uuid::Uuid::now_v7()),
            conversation_id: Set(after.id.into()),
            kind: Set(meta.kind.as_str().to_owned()),
            actor_user_id: Set(meta.actor.map(Into::into)),
            status: Set(after.status.as_str().to_owned()),
            queue_id: Set(after.queue.map(Into::into)),
            assignee_id: Set(after.assignee.map(Into::into)),
            note: Set(meta.note.map(str::to_owned)),
            until: Set(after.snoozed_until),
            at: Set(now),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// The conversation's changes, oldest first.
    pub async fn changes(
        &self,
        id: ConversationId,
        page: PageRequest,
    ) -> Result<Page<ConversationChangeRecord>, StoreError> {
        let mut query = conversation_change::Entity::find()
            .filter(conversation_change::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(conversation_change::Column::ConversationId.eq(id.into_uuid()))
            .order_by_asc(conversation_change::Column::Id);
        if let Some(after) = page.after {
            query = query.filter(conversation_change::Column::Id.gt(after));
        }
        let rows = query.limit(page.first + 1).all(self.db).await?;
        Ok(Page::from_fetched(rows, page.first).map(Into::into))
    }

    /// Records an inbound message at `at`: the window runs 24 hours from the customer's
    /// latest message, so an older, reordered webhook never shortens it.
    pub async fn record_inbound(
        &self,
        record: &mut ConversationRecord,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        use sea_orm::FromQueryResult;
        let mut update = self.inbound_update(
            Expr::value(Some(at)),
            Expr::value(Some(at + CUSTOMER_SERVICE_WINDOW)),
            now,
        );
        update
            .and_where(
                Expr::col((conversation::Entity, conversation::Column::Id))
                    .eq(record.id.into_uuid()),
            )
            .returning_all();
        let statement = self.db.get_database_backend().build(&update);
        *record = conversation::Model::find_by_statement(statement)
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .into();
        Ok(())
    }

    /// [`Conversations::record_inbound`] for many messages at once, `(conversation, at)`
    /// each: one statement for a few hundred conversations.
    pub async fn record_inbound_many(
        &self,
        inbound: &[(ConversationId, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        use sea_orm::sea_query::{Alias, IntoIden, TableRef, ValueTuple};
        // One row per conversation, at its latest message: a statement may not change a
        // row twice, and only the latest moves the times.
        let mut latest: std::collections::HashMap<ConversationId, DateTime<Utc>> =
            std::collections::HashMap::new();
        for (conversation, at) in inbound {
            let kept = latest.entry(*conversation).or_insert(*at);
            *kept = (*kept).max(*at);
        }
        let rows: Vec<_> = latest.into_iter().collect();
        let v = |column: &str| Expr::col((Alias::new("v"), Alias::new(column)));
        for chunk in rows.chunks(500) {
            let values = chunk
                .iter()
                .map(|(id, at)| {
                    ValueTuple::Many(vec![
                        id.into_uuid().into(),
                        Some(*at).into(),
                        Some(*at + CUSTOMER_SERVICE_WINDOW).into(),
                    ])
                })
                .collect();
            let mut update = self.inbound_update(v("column2").into(), v("column3").into(), now);
            update
                .from(TableRef::ValuesList(values, Alias::new("v").into_iden()))
                .and_where(
                    Expr::col((conversation::Entity, conversation::Column::Id))
                        .equals((Alias::new("v"), Alias::new("column1"))),
                );
            self.db
                .execute(self.db.get_database_backend().build(&update))
                .await?;
        }
        Ok(())
    }

    /// The update recording inbound messages at `at` (an expression), in this tenant's
    /// conversations. Guards in SQL, not values computed from a read: concurrent webhooks
    /// on several instances can only move these times forward.
    fn inbound_update(
        &self,
        at: sea_orm::sea_query::SimpleExpr,
        window: sea_orm::sea_query::SimpleExpr,
        now: DateTime<Utc>,
    ) -> sea_orm::sea_query::UpdateStatement {
        use sea_orm::sea_query::{Query, SimpleExpr};
        let col = |c: conversation::Column| Expr::col((conversation::Entity, c));
        let inbound_newer = sea_orm::Condition::any()
            .add(col(conversation::Column::LastInboundAt).is_null())
            .add(col(conversation::Column::LastInboundAt).lt(at.clone()));
        let forward = |c: conversation::Column, value: SimpleExpr| -> SimpleExpr {
            Expr::case(inbound_newer.clone(), value)
                .finally(col(c))
                .into()
        };
        Query::update()
            .table(conversation::Entity)
            .value(
                conversation::Column::LastInboundAt,
                forward(conversation::Column::LastInboundAt, at.clone()),
            )
            .value(
                conversation::Column::WindowExpiresAt,
                forward(conversation::Column::WindowExpiresAt, window),
            )
            .value(
                conversation::Column::UpdatedAt,
                forward(conversation::Column::UpdatedAt, Expr::value(now)),
            )
            .value(
                conversation::Column::LastMessageAt,
                Expr::case(col(conversation::Column::LastMessageAt).lt(at.clone()), at)
                    .finally(col(conversation::Column::LastMessageAt)),
            )
            .and_where(col(conversation::Column::TenantId).eq(self.tenant.into_uuid()))
            .to_owned()
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
        if let Some(status) = filter.status {
            query = query.filter(conversation::Column::Status.eq(status.as_str()));
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
        if let Some(user) = filter.assignee {
            query = query.filter(conversation::Column::AssigneeId.eq(user.into_uuid()));
        }
        match filter.assigned {
            Some(true) => query = query.filter(conversation::Column::AssigneeId.is_not_null()),
            Some(false) => query = query.filter(conversation::Column::AssigneeId.is_null()),
            None => {}
        }
        match filter.window_open {
            Some((true, at)) => query = query.filter(conversation::Column::WindowExpiresAt.gt(at)),
            Some((false, at)) => {
                query = query.filter(
                    sea_orm::Condition::any()
                        .add(conversation::Column::WindowExpiresAt.is_null())
                        .add(conversation::Column::WindowExpiresAt.lte(at)),
                )
            }
            None => {}
        }
        if let Some((unread, user)) = filter.unread {
            let exists = Expr::exists(super::reads::has_unread(self.tenant, user));
            query = query.filter(if unread { exists } else { exists.not() });
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
