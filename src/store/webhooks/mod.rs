//! A tenant's outgoing webhooks: endpoints with their subscriptions, and the durable queue
//! of deliveries with every attempt. Events are queued by [`Webhooks::enqueue`] in the
//! transaction of the change that caused them (see [`deliveries`]).

mod deliveries;

pub use deliveries::{AfterAttempt, Requeue};

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use super::entities::{webhook_attempt, webhook_delivery, webhook_endpoint, webhook_subscription};
use super::StoreError;
use crate::domain::records::{EndpointRecord, WebhookSubscription};
use crate::domain::webhook::WebhookEventType;
use crate::domain::{Role, TenantId, WebhookEndpointId};

fn role_word(role: Role) -> &'static str {
    match role {
        Role::Agent => "agent",
        _ => "admin",
    }
}

pub(super) fn endpoint_record(
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

pub(super) fn event_type(word: &str) -> Result<WebhookEventType, StoreError> {
    WebhookEventType::parse(word)
        .ok_or_else(|| StoreError::Corrupt(format!("webhook event type {word:?}")))
}

pub struct Webhooks<'a, C> {
    pub(super) db: &'a C,
    pub(super) tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Webhooks<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn endpoints(&self) -> Select<webhook_endpoint::Entity> {
        webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    pub(super) fn deliveries(&self) -> Select<webhook_delivery::Entity> {
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
}

/// The deliveries of every tenant, as the sender scans them.
pub struct WebhookQueue<'a, C> {
    pub(super) db: &'a C,
}

impl<'a, C: ConnectionTrait> WebhookQueue<'a, C> {
    pub fn new(db: &'a C) -> Self {
        Self { db }
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
}
