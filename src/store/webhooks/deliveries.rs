//! The durable queue of a tenant's outgoing webhook deliveries and their attempts. An event
//! is queued by [`Webhooks::enqueue`] in the transaction of the change that caused it: a
//! delivery for each enabled endpoint subscribed to its type, and nothing when none is
//! (one query for the subscriptions, one insert for all the events given).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, JoinType, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{event_type, WebhookQueue, Webhooks};
use crate::domain::records::{
    AttemptOutcome, DeliveryFilter, DeliveryRecord, Occurrence, WebhookAttemptRecord,
};
use crate::domain::webhook::{DeliveryState, WebhookEventType};
use crate::domain::{TenantId, WebhookEndpointId};
use crate::store::entities::{
    webhook_attempt, webhook_delivery, webhook_endpoint, webhook_subscription,
};
use crate::store::StoreError;

impl TryFrom<webhook_delivery::Model> for DeliveryRecord {
    type Error = StoreError;

    fn try_from(row: webhook_delivery::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            endpoint: row.endpoint_id.into(),
            event: row.event_id.into(),
            event_type: event_type(&row.event_type)?,
            subject: row.subject_id,
            order_key: row.order_key,
            occurred_at: row.occurred_at,
            state: DeliveryState::parse(&row.state)
                .ok_or_else(|| StoreError::Corrupt(format!("delivery state {:?}", row.state)))?,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            lease_until: row.lease_until,
            body: row.body,
            first_attempt_at: row.first_attempt_at,
            delivered_at: row.delivered_at,
            last_status: row.last_status,
            last_error: row.last_error,
        })
    }
}

impl From<webhook_attempt::Model> for WebhookAttemptRecord {
    fn from(row: webhook_attempt::Model) -> Self {
        Self {
            number: row.number,
            at: row.at,
            status_code: row.status_code,
            duration_ms: row.duration_ms,
            error: row.error,
            excerpt: row.excerpt,
        }
    }
}

/// Which deliveries to send again.
#[derive(Clone, Copy, Debug)]
pub enum Requeue {
    One(i64),
    /// Those whose event happened in `[from, to)`, pings aside.
    Period {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

/// How an attempt leaves its delivery.
#[derive(Clone, Copy, Debug)]
pub enum AfterAttempt {
    Delivered,
    RetryAt(DateTime<Utc>),
    /// Retries ran out.
    Failed,
    /// Not sent: the endpoint's document filters it out.
    Filtered,
}

impl<'a, C: ConnectionTrait> Webhooks<'a, C> {
    /// Queues each event for every enabled endpoint subscribed to its type: one statement
    /// per event, inserting nothing when no endpoint takes it.
    pub async fn enqueue(&self, events: &[Occurrence]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let (e, s) = (Alias::new("e"), Alias::new("s"));
        let types: std::collections::BTreeSet<&str> =
            events.iter().map(|o| o.event_type.as_str()).collect();
        let select = Query::select()
            .column((s.clone(), webhook_subscription::Column::EndpointId))
            .column((s.clone(), webhook_subscription::Column::EventType))
            .from_as(webhook_subscription::Entity, s.clone())
            .join_as(
                JoinType::InnerJoin,
                webhook_endpoint::Entity,
                e.clone(),
                Condition::all()
                    .add(
                        Expr::col((e.clone(), webhook_endpoint::Column::TenantId))
                            .equals((s.clone(), webhook_subscription::Column::TenantId)),
                    )
                    .add(
                        Expr::col((e.clone(), webhook_endpoint::Column::Id))
                            .equals((s.clone(), webhook_subscription::Column::EndpointId)),
                    ),
            )
            .and_where(
                Expr::col((s.clone(), webhook_subscription::Column::TenantId))
                    .eq(self.tenant.into_uuid()),
            )
            .and_where(Expr::col((s.clone(), webhook_subscription::Column::EventType)).is_in(types))
            .and_where(Expr::col((e.clone(), webhook_endpoint::Column::Enabled)).eq(true))
            .order_by(
                (s.clone(), webhook_subscription::Column::EndpointId),
                sea_orm::Order::Asc,
            )
            .to_owned();
        let backend = self.db.get_database_backend();
        let subscribed: Vec<(uuid::Uuid, String)> = self
            .db
            .query_all(backend.build(&select))
            .await?
            .iter()
            .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
            .collect::<Result<_, sea_orm::DbErr>>()?;
        if subscribed.is_empty() {
            return Ok(());
        }
        let rows: Vec<webhook_delivery::ActiveModel> = events
            .iter()
            .flat_map(|event| {
                subscribed
                    .iter()
                    .filter(|(_, t)| t == event.event_type.as_str())
                    .map(|(endpoint, _)| webhook_delivery::ActiveModel {
                        tenant_id: Set(self.tenant.into_uuid()),
                        endpoint_id: Set(*endpoint),
                        event_id: Set(event.id.into_uuid()),
                        event_type: Set(event.event_type.as_str().to_owned()),
                        subject_id: Set(event.subject),
                        order_key: Set(event.order_key),
                        occurred_at: Set(event.at),
                        state: Set(DeliveryState::Pending.as_str().to_owned()),
                        attempts: Set(0),
                        next_attempt_at: Set(event.at),
                        ..Default::default()
                    })
            })
            .collect();
        // Bound each statement's parameters (ten a row).
        for chunk in rows.chunks(500) {
            webhook_delivery::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(self.db)
                .await?;
        }
        Ok(())
    }

    /// Queues one delivery to one endpoint (a ping) already claimed by the caller until
    /// `lease_until`, answering its id.
    pub async fn enqueue_one(
        &self,
        endpoint: WebhookEndpointId,
        event: &Occurrence,
        body: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let model = webhook_delivery::ActiveModel {
            tenant_id: Set(self.tenant.into_uuid()),
            endpoint_id: Set(endpoint.into_uuid()),
            event_id: Set(event.id.into_uuid()),
            event_type: Set(event.event_type.as_str().to_owned()),
            subject_id: Set(event.subject),
            order_key: Set(event.order_key),
            occurred_at: Set(event.at),
            state: Set(DeliveryState::Sending.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(event.at),
            lease_until: Set(Some(lease_until)),
            body: Set(Some(body.to_owned())),
            ..Default::default()
        };
        let done = webhook_delivery::Entity::insert(model)
            .exec(self.db)
            .await?;
        Ok(done.last_insert_id)
    }

    pub async fn delivery(&self, id: i64) -> Result<DeliveryRecord, StoreError> {
        self.deliveries()
            .filter(webhook_delivery::Column::Id.eq(id))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    /// An endpoint's deliveries, newest first, after the one with id `before` if given.
    pub async fn log(
        &self,
        endpoint: WebhookEndpointId,
        filter: &DeliveryFilter,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let mut query = self
            .deliveries()
            .filter(webhook_delivery::Column::EndpointId.eq(endpoint.into_uuid()));
        if let Some(state) = filter.state {
            query = query.filter(webhook_delivery::Column::State.eq(state.as_str()));
        }
        if let Some(t) = filter.event_type {
            query = query.filter(webhook_delivery::Column::EventType.eq(t.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(webhook_delivery::Column::OccurredAt.gte(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(webhook_delivery::Column::OccurredAt.lt(to));
        }
        if let Some(before) = before {
            query = query.filter(webhook_delivery::Column::Id.lt(before));
        }
        query
            .order_by_desc(webhook_delivery::Column::Id)
            .limit(limit)
            .all(self.db)
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// The attempts of deliveries, oldest first for each.
    pub async fn attempts(
        &self,
        deliveries: &[i64],
    ) -> Result<HashMap<i64, Vec<WebhookAttemptRecord>>, StoreError> {
        let rows = webhook_attempt::Entity::find()
            .filter(webhook_attempt::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(webhook_attempt::Column::DeliveryId.is_in(deliveries.iter().copied()))
            .order_by_asc(webhook_attempt::Column::Number)
            .all(self.db)
            .await?;
        let mut out: HashMap<i64, Vec<WebhookAttemptRecord>> = HashMap::new();
        for row in rows {
            out.entry(row.delivery_id).or_default().push(row.into());
        }
        Ok(out)
    }

    /// Sends deliveries of `endpoint` again from now. A delivery being attempted right now
    /// is left to finish. Answers how many were queued again.
    pub async fn requeue(
        &self,
        endpoint: WebhookEndpointId,
        which: Requeue,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let which = match which {
            Requeue::One(id) => Condition::all().add(webhook_delivery::Column::Id.eq(id)),
            Requeue::Period { from, to } => Condition::all()
                .add(webhook_delivery::Column::OccurredAt.gte(from))
                .add(webhook_delivery::Column::OccurredAt.lt(to))
                .add(webhook_delivery::Column::EventType.ne(WebhookEventType::Ping.as_str())),
        };
        let done = webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::State,
                Expr::val(DeliveryState::Pending.as_str()).into(),
            )
            .col_expr(
                webhook_delivery::Column::NextAttemptAt,
                Expr::val(now).into(),
            )
            .col_expr(
                webhook_delivery::Column::FirstAttemptAt,
                Expr::val(Option::<DateTime<Utc>>::None).into(),
            )
            .filter(webhook_delivery::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(webhook_delivery::Column::EndpointId.eq(endpoint.into_uuid()))
            .filter(webhook_delivery::Column::State.ne(DeliveryState::Sending.as_str()))
            .filter(which)
            .exec(self.db)
            .await?;
        Ok(done.rows_affected)
    }

    /// Takes a due delivery for an attempt until `lease_until`, if no one else holds it.
    pub async fn claim(
        &self,
        id: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::State,
                Expr::val(DeliveryState::Sending.as_str()).into(),
            )
            .col_expr(
                webhook_delivery::Column::LeaseUntil,
                Expr::val(lease_until).into(),
            )
            .filter(webhook_delivery::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(webhook_delivery::Column::Id.eq(id))
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(
                                webhook_delivery::Column::State.eq(DeliveryState::Pending.as_str()),
                            )
                            .add(webhook_delivery::Column::NextAttemptAt.lte(now)),
                    )
                    .add(
                        Condition::all()
                            .add(
                                webhook_delivery::Column::State.eq(DeliveryState::Sending.as_str()),
                            )
                            .add(webhook_delivery::Column::LeaseUntil.lt(now)),
                    ),
            )
            .exec(self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// Keeps the payload rendered for a delivery, so every attempt sends the same one.
    pub async fn set_body(&self, id: i64, body: &str) -> Result<(), StoreError> {
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Body, Expr::val(body).into())
            .filter(webhook_delivery::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(webhook_delivery::Column::Id.eq(id))
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Records an attempt and where it leaves the delivery.
    pub async fn finish(
        &self,
        delivery: &DeliveryRecord,
        outcome: &AttemptOutcome,
        after: AfterAttempt,
    ) -> Result<(), StoreError> {
        let number = delivery.attempts + 1;
        let counted = !matches!(after, AfterAttempt::Filtered);
        if counted {
            webhook_attempt::Entity::insert(webhook_attempt::ActiveModel {
                delivery_id: Set(delivery.id),
                number: Set(number),
                tenant_id: Set(self.tenant.into_uuid()),
                at: Set(outcome.at),
                status_code: Set(outcome.status_code),
                duration_ms: Set(outcome.duration_ms),
                error: Set(outcome.error.clone()),
                excerpt: Set(outcome.excerpt.clone()),
            })
            .exec_without_returning(self.db)
            .await?;
        }
        let (state, next, delivered, attempts) = match after {
            AfterAttempt::Delivered => (
                DeliveryState::Delivered,
                delivery.next_attempt_at,
                Some(outcome.at),
                number,
            ),
            AfterAttempt::RetryAt(at) => (DeliveryState::Pending, at, None, number),
            AfterAttempt::Failed => (
                DeliveryState::Failed,
                delivery.next_attempt_at,
                None,
                number,
            ),
            AfterAttempt::Filtered => (
                DeliveryState::Filtered,
                delivery.next_attempt_at,
                None,
                delivery.attempts,
            ),
        };
        let mut update = webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::State,
                Expr::val(state.as_str()).into(),
            )
            .col_expr(
                webhook_delivery::Column::Attempts,
                Expr::val(attempts).into(),
            )
            .col_expr(
                webhook_delivery::Column::NextAttemptAt,
                Expr::val(next).into(),
            )
            .col_expr(
                webhook_delivery::Column::LeaseUntil,
                Expr::val(Option::<DateTime<Utc>>::None).into(),
            );
        if counted {
            update = update
                .col_expr(
                    webhook_delivery::Column::FirstAttemptAt,
                    Expr::val(delivery.first_attempt_at.unwrap_or(outcome.at)).into(),
                )
                .col_expr(
                    webhook_delivery::Column::LastStatus,
                    Expr::val(outcome.status_code).into(),
                )
                .col_expr(
                    webhook_delivery::Column::LastError,
                    Expr::val(outcome.error.clone()).into(),
                );
        }
        if let Some(at) = delivered {
            update = update.col_expr(webhook_delivery::Column::DeliveredAt, Expr::val(at).into());
        }
        update
            .filter(webhook_delivery::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(webhook_delivery::Column::Id.eq(delivery.id))
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Deletes every delivery about `subjects` (an erased contact's messages and
    /// conversations), with their attempts.
    pub async fn forget(&self, subjects: &[uuid::Uuid]) -> Result<(), StoreError> {
        for chunk in subjects.chunks(500) {
            let ids = Query::select()
                .column(webhook_delivery::Column::Id)
                .from(webhook_delivery::Entity)
                .and_where(webhook_delivery::Column::TenantId.eq(self.tenant.into_uuid()))
                .cond_where(
                    Condition::any()
                        .add(webhook_delivery::Column::SubjectId.is_in(chunk.iter().copied()))
                        .add(webhook_delivery::Column::OrderKey.is_in(chunk.iter().copied())),
                )
                .to_owned();
            webhook_attempt::Entity::delete_many()
                .filter(webhook_attempt::Column::DeliveryId.in_subquery(ids))
                .exec(self.db)
                .await?;
            webhook_delivery::Entity::delete_many()
                .filter(webhook_delivery::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(
                    Condition::any()
                        .add(webhook_delivery::Column::SubjectId.is_in(chunk.iter().copied()))
                        .add(webhook_delivery::Column::OrderKey.is_in(chunk.iter().copied())),
                )
                .exec(self.db)
                .await?;
        }
        Ok(())
    }
}

impl<'a, C: ConnectionTrait> WebhookQueue<'a, C> {
    /// Enabled endpoints with unfinished deliveries, with their tenants.
    pub async fn busy_endpoints(&self) -> Result<Vec<(TenantId, WebhookEndpointId)>, StoreError> {
        let busy = Query::select()
            .column(webhook_delivery::Column::EndpointId)
            .from(webhook_delivery::Entity)
            .and_where(webhook_delivery::Column::State.is_in([
                DeliveryState::Pending.as_str(),
                DeliveryState::Sending.as_str(),
            ]))
            .to_owned();
        let rows = webhook_endpoint::Entity::find()
            .select_only()
            .column(webhook_endpoint::Column::TenantId)
            .column(webhook_endpoint::Column::Id)
            .filter(webhook_endpoint::Column::Enabled.eq(true))
            .filter(webhook_endpoint::Column::Id.in_subquery(busy))
            .into_tuple::<(uuid::Uuid, uuid::Uuid)>()
            .all(self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(t, e)| (t.into(), e.into()))
            .collect())
    }

    /// An endpoint's first `limit` unfinished deliveries, in queue order.
    pub async fn window(
        &self,
        endpoint: WebhookEndpointId,
        limit: u64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::EndpointId.eq(endpoint.into_uuid()))
            .filter(webhook_delivery::Column::State.is_in([
                DeliveryState::Pending.as_str(),
                DeliveryState::Sending.as_str(),
            ]))
            .order_by_asc(webhook_delivery::Column::Id)
            .limit(limit)
            .all(self.db)
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }
}
