//! A tenant's outgoing webhooks: endpoints with their subscriptions, and the durable queue
//! of deliveries with every attempt. Events are queued by [`Webhooks::enqueue`] in the
//! transaction of the change that caused them: one statement per event that inserts a
//! delivery for each enabled endpoint subscribed to its type, and nothing when none is.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, JoinType, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::entities::{webhook_attempt, webhook_delivery, webhook_endpoint, webhook_subscription};
use super::StoreError;
use crate::domain::records::{
    AttemptOutcome, DeliveryFilter, DeliveryRecord, EndpointRecord, Occurrence,
    WebhookAttemptRecord, WebhookSubscription,
};
use crate::domain::webhook::{DeliveryState, WebhookEventType};
use crate::domain::{Role, TenantId, WebhookEndpointId};

fn role_word(role: Role) -> &'static str {
    match role {
        Role::Agent => "agent",
        _ => "admin",
    }
}

fn endpoint_record(
    row: webhook_endpoint::Model,
    subscriptions: Vec<WebhookSubscription>,
) -> Result<EndpointRecord, StoreError> {
    let role = match row.role.as_str() {
        "agent" => Role::Agent,
        "admin" => Role::Admin,
        other => return Err(StoreError::Corrupt(format!("webhook role {other:?}"))),
    };
    Ok(EndpointRecord {
        id: row.id.into(),
        url: row.url,
        description: row.description,
        enabled: row.enabled,
        role,
        subscriptions,
        sealed_secret: row.sealed_secret,
        sealed_previous_secret: row.sealed_previous_secret,
        previous_secret_until: row.previous_secret_until,
        failing_since: row.failing_since,
        last_error: row.last_error,
        disabled_reason: row.disabled_reason,
        disabled_at: row.disabled_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn event_type(word: &str) -> Result<WebhookEventType, StoreError> {
    WebhookEventType::parse(word)
        .ok_or_else(|| StoreError::Corrupt(format!("webhook event type {word:?}")))
}

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

pub struct Webhooks<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Webhooks<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn endpoints(&self) -> Select<webhook_endpoint::Entity> {
        webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    fn deliveries(&self) -> Select<webhook_delivery::Entity> {
        webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    async fn subscriptions_of(
        &self,
        ids: &[uuid::Uuid],
    ) -> Result<HashMap<uuid::Uuid, Vec<WebhookSubscription>>, StoreError> {
        let rows = webhook_subscription::Entity::find()
            .filter(webhook_subscription::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(webhook_subscription::Column::EndpointId.is_in(ids.iter().copied()))
            .order_by_asc(webhook_subscription::Column::EventType)
            .all(self.db)
            .await?;
        let mut out: HashMap<uuid::Uuid, Vec<WebhookSubscription>> = HashMap::new();
        for row in rows {
            out.entry(row.endpoint_id)
                .or_default()
                .push(WebhookSubscription {
                    event: event_type(&row.event_type)?,
                    document: row.document,
                });
        }
        Ok(out)
    }

    /// The tenant's endpoints, oldest first.
    pub async fn list(&self) -> Result<Vec<EndpointRecord>, StoreError> {
        let rows = self
            .endpoints()
            .order_by_asc(webhook_endpoint::Column::CreatedAt)
            .all(self.db)
            .await?;
        let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
        let mut subscriptions = self.subscriptions_of(&ids).await?;
        rows.into_iter()
            .map(|row| {
                let subs = subscriptions.remove(&row.id).unwrap_or_default();
                endpoint_record(row, subs)
            })
            .collect()
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.endpoints().count(self.db).await?)
    }

    pub async fn get(&self, id: WebhookEndpointId) -> Result<EndpointRecord, StoreError> {
        let row = self
            .endpoints()
            .filter(webhook_endpoint::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let subs = self
            .subscriptions_of(&[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        endpoint_record(row, subs)
    }

    /// Stores a new endpoint, or every field of an existing one with its subscriptions.
    pub async fn save(&self, record: &EndpointRecord, new: bool) -> Result<(), StoreError> {
        let model = webhook_endpoint::ActiveModel {
            tenant_id: Set(self.tenant.into_uuid()),
            id: Set(record.id.into_uuid()),
            url: Set(record.url.clone()),
            description: Set(record.description.clone()),
            enabled: Set(record.enabled),
            role: Set(role_word(record.role).to_owned()),
            sealed_secret: Set(record.sealed_secret.clone()),
            sealed_previous_secret: Set(record.sealed_previous_secret.clone()),
            previous_secret_until: Set(record.previous_secret_until),
            failing_since: Set(record.failing_since),
            last_error: Set(record.last_error.clone()),
            disabled_reason: Set(record.disabled_reason.clone()),
            disabled_at: Set(record.disabled_at),
            created_at: Set(record.created_at),
            updated_at: Set(record.updated_at),
        };
        if new {
            webhook_endpoint::Entity::insert(model)
                .exec_without_returning(self.db)
                .await?;
        } else {
            let done = webhook_endpoint::Entity::update_many()
                .set(model)
                .filter(webhook_endpoint::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(webhook_endpoint::Column::Id.eq(record.id.into_uuid()))
                .exec(self.db)
                .await?;
            if done.rows_affected == 0 {
                return Err(StoreError::NotFound);
            }
            webhook_subscription::Entity::delete_many()
                .filter(webhook_subscription::Column::EndpointId.eq(record.id.into_uuid()))
                .exec(self.db)
                .await?;
        }
        if !record.subscriptions.is_empty() {
            webhook_subscription::Entity::insert_many(record.subscriptions.iter().map(|s| {
                webhook_subscription::ActiveModel {
                    tenant_id: Set(self.tenant.into_uuid()),
                    endpoint_id: Set(record.id.into_uuid()),
                    event_type: Set(s.event.as_str().to_owned()),
                    document: Set(s.document.clone()),
                }
            }))
            .exec_without_returning(self.db)
            .await?;
        }
        Ok(())
    }

    /// Deletes an endpoint with its subscriptions, deliveries and their attempts.
    pub async fn delete(&self, id: WebhookEndpointId) -> Result<(), StoreError> {
        let id = id.into_uuid();
        self.get(id.into()).await?;
        let deliveries = Query::select()
            .column(webhook_delivery::Column::Id)
            .from(webhook_delivery::Entity)
            .and_where(webhook_delivery::Column::EndpointId.eq(id))
            .to_owned();
        webhook_attempt::Entity::delete_many()
            .filter(webhook_attempt::Column::DeliveryId.in_subquery(deliveries))
            .exec(self.db)
            .await?;
        webhook_delivery::Entity::delete_many()
            .filter(webhook_delivery::Column::EndpointId.eq(id))
            .exec(self.db)
            .await?;
        webhook_subscription::Entity::delete_many()
            .filter(webhook_subscription::Column::EndpointId.eq(id))
            .exec(self.db)
            .await?;
        webhook_endpoint::Entity::delete_many()
            .filter(webhook_endpoint::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(webhook_endpoint::Column::Id.eq(id))
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Queues each event for every enabled endpoint subscribed to its type: one statement
    /// per event, inserting nothing when no endpoint takes it.
    pub async fn enqueue(&self, events: &[Occurrence]) -> Result<(), StoreError> {
        let e = Alias::new("e");
        let s = Alias::new("s");
        for event in events {
            let select = Query::select()
                .expr(Expr::col((
                    s.clone(),
                    webhook_subscription::Column::TenantId,
                )))
                .expr(Expr::col((
                    s.clone(),
                    webhook_subscription::Column::EndpointId,
                )))
                .expr(Expr::val(event.id.into_uuid()))
                .expr(Expr::val(event.event_type.as_str()))
                .expr(Expr::val(event.subject))
                .expr(Expr::val(event.order_key))
                .expr(Expr::val(event.at))
                .expr(Expr::val(DeliveryState::Pending.as_str()))
                .expr(Expr::val(0))
                .expr(Expr::val(event.at))
                .from_as(webhook_subscription::Entity, s.clone())
                .join_as(
                    JoinType::InnerJoin,
                    webhook_endpoint::Entity,
                    e.clone(),
                    Expr::col((e.clone(), webhook_endpoint::Column::Id))
                        .equals((s.clone(), webhook_subscription::Column::EndpointId)),
                )
                .and_where(
                    Expr::col((s.clone(), webhook_subscription::Column::TenantId))
                        .eq(self.tenant.into_uuid()),
                )
                .and_where(
                    Expr::col((s.clone(), webhook_subscription::Column::EventType))
                        .eq(event.event_type.as_str()),
                )
                .and_where(Expr::col((e.clone(), webhook_endpoint::Column::Enabled)).eq(true))
                .to_owned();
            let insert = Query::insert()
                .into_table(webhook_delivery::Entity)
                .columns([
                    webhook_delivery::Column::TenantId,
                    webhook_delivery::Column::EndpointId,
                    webhook_delivery::Column::EventId,
                    webhook_delivery::Column::EventType,
                    webhook_delivery::Column::SubjectId,
                    webhook_delivery::Column::OrderKey,
                    webhook_delivery::Column::OccurredAt,
                    webhook_delivery::Column::State,
                    webhook_delivery::Column::Attempts,
                    webhook_delivery::Column::NextAttemptAt,
                ])
                .select_from(select)
                .map_err(|e| StoreError::Corrupt(format!("webhook queue statement: {e}")))?
                .to_owned();
            let backend = self.db.get_database_backend();
            self.db.execute(backend.build(&insert)).await?;
        }
        Ok(())
    }

    /// Queues one delivery to one endpoint (a ping), answering its id.
    pub async fn enqueue_one(
        &self,
        endpoint: WebhookEndpointId,
        event: &Occurrence,
        body: &str,
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

    /// A delivery reached the endpoint: it is healthy again.
    pub async fn mark_healthy(&self, id: WebhookEndpointId) -> Result<(), StoreError> {
        webhook_endpoint::Entity::update_many()
            .col_expr(
                webhook_endpoint::Column::FailingSince,
                Expr::val(Option::<DateTime<Utc>>::None).into(),
            )
            .col_expr(
                webhook_endpoint::Column::LastError,
                Expr::val(Option::<String>::None).into(),
            )
            .filter(webhook_endpoint::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(webhook_endpoint::Column::Id.eq(id.into_uuid()))
            .filter(webhook_endpoint::Column::FailingSince.is_not_null())
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// A delivery failed: the endpoint is failing since its first failure after a success.
    /// Answers since when.
    pub async fn mark_failing(
        &self,
        id: WebhookEndpointId,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, StoreError> {
        let since = self.get(id).await?.failing_since.unwrap_or(now);
        webhook_endpoint::Entity::update_many()
            .col_expr(
                webhook_endpoint::Column::FailingSince,
                Expr::val(since).into(),
            )
            .col_expr(webhook_endpoint::Column::LastError, Expr::val(error).into())
            .filter(webhook_endpoint::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(webhook_endpoint::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        Ok(since)
    }

    /// Stops delivering to an endpoint, saying why; its deliveries wait until it is enabled.
    pub async fn disable(
        &self,
        id: WebhookEndpointId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::Enabled, Expr::val(false).into())
            .col_expr(
                webhook_endpoint::Column::DisabledReason,
                Expr::val(reason).into(),
            )
            .col_expr(webhook_endpoint::Column::DisabledAt, Expr::val(now).into())
            .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::val(now).into())
            .filter(webhook_endpoint::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(webhook_endpoint::Column::Id.eq(id.into_uuid()))
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

/// The deliveries of every tenant, as the sender scans them.
pub struct WebhookQueue<'a, C> {
    db: &'a C,
}

impl<'a, C: ConnectionTrait> WebhookQueue<'a, C> {
    pub fn new(db: &'a C) -> Self {
        Self { db }
    }

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

    /// Every tenant's endpoints after `after`, by id, with their tenants (to re-seal their
    /// secrets under a new key).
    pub async fn endpoints_page(
        &self,
        after: Option<WebhookEndpointId>,
        limit: u64,
    ) -> Result<Vec<(TenantId, EndpointRecord)>, StoreError> {
        let mut query = webhook_endpoint::Entity::find()
            .order_by_asc(webhook_endpoint::Column::Id)
            .limit(limit);
        if let Some(after) = after {
            query = query.filter(webhook_endpoint::Column::Id.gt(after.into_uuid()));
        }
        query
            .all(self.db)
            .await?
            .into_iter()
            .map(|row| Ok((row.tenant_id.into(), endpoint_record(row, Vec::new())?)))
            .collect()
    }

    /// Replaces an endpoint's sealed secrets if they are still what was read, so a rotation
    /// meanwhile is never overwritten. False when the row changed.
    pub async fn reseal(
        &self,
        tenant: TenantId,
        row: &EndpointRecord,
        sealed_secret: &str,
        sealed_previous: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut update = webhook_endpoint::Entity::update_many()
            .col_expr(
                webhook_endpoint::Column::SealedSecret,
                Expr::val(sealed_secret).into(),
            )
            .col_expr(
                webhook_endpoint::Column::SealedPreviousSecret,
                Expr::val(sealed_previous.map(str::to_owned)).into(),
            )
            .filter(webhook_endpoint::Column::TenantId.eq(tenant.into_uuid()))
            .filter(webhook_endpoint::Column::Id.eq(row.id.into_uuid()))
            .filter(webhook_endpoint::Column::SealedSecret.eq(row.sealed_secret.as_str()));
        update = match &row.sealed_previous_secret {
            Some(previous) => {
                update.filter(webhook_endpoint::Column::SealedPreviousSecret.eq(previous.as_str()))
            }
            None => update.filter(webhook_endpoint::Column::SealedPreviousSecret.is_null()),
        };
        Ok(update.exec(self.db).await?.rows_affected == 1)
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
