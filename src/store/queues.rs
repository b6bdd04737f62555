//! A tenant's queues and their members. Business hours are kept as JSON in the queue's row.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use serde::{Deserialize, Serialize};

use super::entities::{queue, queue_member};
use super::StoreError;
use crate::domain::business_hours::{self, BusinessHours, DatedException, Span, WeeklyInterval};
use crate::domain::queue::{name_key, AssignmentMode};
use crate::domain::records::{QueueMember, QueueRecord};
use crate::domain::{QueueId, TenantId, UserId};

/// Business hours as stored: wall-clock times as `HH:MM`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredHours {
    time_zone: String,
    weekly: Vec<StoredInterval>,
    exceptions: Vec<StoredException>,
}

#[derive(Serialize, Deserialize)]
struct StoredInterval {
    day: Weekday,
    opens: String,
    closes: String,
}

#[derive(Serialize, Deserialize)]
struct StoredException {
    date: NaiveDate,
    spans: Vec<(String, String)>,
}

fn hm(time: chrono::NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

fn hours_json(hours: &BusinessHours) -> String {
    let stored = StoredHours {
        time_zone: hours.time_zone().to_owned(),
        weekly: hours
            .weekly()
            .iter()
            .map(|w| StoredInterval {
                day: w.day,
                opens: hm(w.span.opens),
                closes: hm(w.span.closes),
            })
            .collect(),
        exceptions: hours
            .exceptions()
            .iter()
            .map(|e| StoredException {
                date: e.date,
                spans: e
                    .spans
                    .iter()
                    .map(|s| (hm(s.opens), hm(s.closes)))
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_string(&stored).unwrap_or_default()
}

fn parse_hours(text: &str) -> Result<BusinessHours, StoreError> {
    let corrupt = |what: String| StoreError::Corrupt(format!("queue hours: {what}"));
    let stored: StoredHours = serde_json::from_str(text).map_err(|e| corrupt(e.to_string()))?;
    let span = |opens: &str, closes: &str| -> Result<Span, StoreError> {
        match (
            business_hours::parse_time(opens),
            business_hours::parse_time(closes),
        ) {
            (Some(opens), Some(closes)) => Ok(Span { opens, closes }),
            _ => Err(corrupt(format!("{opens}-{closes}"))),
        }
    };
    let weekly = stored
        .weekly
        .iter()
        .map(|w| {
            Ok(WeeklyInterval {
                day: w.day,
                span: span(&w.opens, &w.closes)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let exceptions = stored
        .exceptions
        .iter()
        .map(|e| {
            Ok(DatedException {
                date: e.date,
                spans: e
                    .spans
                    .iter()
                    .map(|(o, c)| span(o, c))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    BusinessHours::new(&stored.time_zone, weekly, exceptions).map_err(|e| corrupt(e.to_string()))
}

fn record(row: queue::Model, members: Vec<QueueMember>) -> Result<QueueRecord, StoreError> {
    Ok(QueueRecord {
        id: row.id.into(),
        mode: AssignmentMode::parse(&row.assignment_mode).ok_or_else(|| {
            StoreError::Corrupt(format!("queue assignment mode {}", row.assignment_mode))
        })?,
        hours: row.hours.as_deref().map(parse_hours).transpose()?,
        first_response_minutes: row
            .first_response_minutes
            .and_then(|m| u32::try_from(m).ok()),
        name: row.name,
        language: row.language,
        is_default: row.is_default,
        members,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub struct Queues<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Queues<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<queue::Entity> {
        queue::Entity::find().filter(queue::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    fn members_of(&self) -> Select<queue_member::Entity> {
        queue_member::Entity::find()
            .filter(queue_member::Column::TenantId.eq(self.tenant.into_uuid()))
            .order_by_asc(queue_member::Column::AddedAt)
            .order_by_asc(queue_member::Column::UserId)
    }

    fn member(row: queue_member::Model) -> QueueMember {
        QueueMember {
            user: row.user_id.into(),
            capacity: u32::try_from(row.capacity).unwrap_or(1),
        }
    }

    /// The queues `user` is a member of.
    pub async fn of_member(&self, user: UserId) -> Result<Vec<QueueId>, StoreError> {
        Ok(queue_member::Entity::find()
            .select_only()
            .column(queue_member::Column::QueueId)
            .filter(queue_member::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue_member::Column::UserId.eq(user.into_uuid()))
            .into_tuple::<uuid::Uuid>()
            .all(self.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The tenant's queues, the default first, then by name.
    pub async fn list(&self) -> Result<Vec<QueueRecord>, StoreError> {
        let rows = self
            .scoped()
            .order_by_desc(queue::Column::IsDefault)
            .order_by_asc(queue::Column::NameKey)
            .all(self.db)
            .await?;
        let mut members: HashMap<uuid::Uuid, Vec<QueueMember>> = HashMap::new();
        for m in self.members_of().all(self.db).await? {
            members.entry(m.queue_id).or_default().push(Self::member(m));
        }
        rows.into_iter()
            .map(|row| {
                let list = members.remove(&row.id).unwrap_or_default();
                record(row, list)
            })
            .collect()
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.scoped().count(self.db).await?)
    }

    pub async fn get(&self, id: QueueId) -> Result<QueueRecord, StoreError> {
        let row = self
            .scoped()
            .filter(queue::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.with_members(row).await
    }

    /// The queue conversations go to when nothing else names one.
    pub async fn default_queue(&self) -> Result<QueueRecord, StoreError> {
        let row = self
            .scoped()
            .filter(queue::Column::IsDefault.eq(true))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.with_members(row).await
    }

    async fn with_members(&self, row: queue::Model) -> Result<QueueRecord, StoreError> {
        let members = self
            .members_of()
            .filter(queue_member::Column::QueueId.eq(row.id))
            .all(self.db)
            .await?
            .into_iter()
            .map(Self::member)
            .collect();
        record(row, members)
    }

    /// Stores a new queue with its members. A name the tenant already uses is a `Conflict`.
    pub async fn insert(&self, queue: &QueueRecord) -> Result<(), StoreError> {
        if queue.is_default {
            self.clear_default().await?;
        }
        queue::Entity::insert(queue::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(queue.id.into()),
            name: Set(queue.name.clone()),
            name_key: Set(name_key(&queue.name)),
            assignment_mode: Set(queue.mode.as_str().to_owned()),
            language: Set(queue.language.clone()),
            first_response_minutes: Set(queue.first_response_minutes.map(|m| m as i32)),
            hours: Set(queue.hours.as_ref().map(hours_json)),
            is_default: Set(queue.is_default),
            created_at: Set(queue.created_at),
            updated_at: Set(queue.updated_at),
        })
        .exec_without_returning(self.db)
        .await?;
        self.put_members(queue.id, &queue.members, queue.updated_at)
            .await
    }

    /// Stores a queue's changed fields and its members. Making it the default takes the
    /// flag from the tenant's other queue.
    pub async fn update(&self, queue: &QueueRecord) -> Result<(), StoreError> {
        if queue.is_default {
            self.clear_default().await?;
        }
        let result = queue::Entity::update_many()
            .filter(queue::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue::Column::Id.eq(queue.id.into_uuid()))
            .col_expr(queue::Column::Name, Expr::value(queue.name.clone()))
            .col_expr(queue::Column::NameKey, Expr::value(name_key(&queue.name)))
            .col_expr(
                queue::Column::AssignmentMode,
                Expr::value(queue.mode.as_str()),
            )
            .col_expr(queue::Column::Language, Expr::value(queue.language.clone()))
            .col_expr(
                queue::Column::FirstResponseMinutes,
                Expr::value(queue.first_response_minutes.map(|m| m as i32)),
            )
            .col_expr(
                queue::Column::Hours,
                Expr::value(queue.hours.as_ref().map(hours_json)),
            )
            .col_expr(queue::Column::IsDefault, Expr::value(queue.is_default))
            .col_expr(queue::Column::UpdatedAt, Expr::value(queue.updated_at))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        self.put_members(queue.id, &queue.members, queue.updated_at)
            .await
    }

    async fn clear_default(&self) -> Result<(), StoreError> {
        queue::Entity::update_many()
            .filter(queue::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue::Column::IsDefault.eq(true))
            .col_expr(queue::Column::IsDefault, Expr::value(false))
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Replaces the queue's members; those who stay keep when they were added and were last
    /// assigned a conversation.
    async fn put_members(
        &self,
        id: QueueId,
        members: &[QueueMember],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let existing: HashMap<UserId, (DateTime<Utc>, Option<DateTime<Utc>>)> = self
            .members_of()
            .filter(queue_member::Column::QueueId.eq(id.into_uuid()))
            .all(self.db)
            .await?
            .into_iter()
            .map(|m| (m.user_id.into(), (m.added_at, m.last_assigned_at)))
            .collect();
        queue_member::Entity::delete_many()
            .filter(queue_member::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue_member::Column::QueueId.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if members.is_empty() {
            return Ok(());
        }
        let rows = members.iter().map(|m| queue_member::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            queue_id: Set(id.into()),
            user_id: Set(m.user.into()),
            capacity: Set(m.capacity as i32),
            added_at: Set(existing.get(&m.user).map_or(now, |e| e.0)),
            last_assigned_at: Set(existing.get(&m.user).and_then(|e| e.1)),
        });
        queue_member::Entity::insert_many(rows)
            .exec_without_returning(self.db)
            .await?;
        Ok(())
    }

    pub async fn delete(&self, id: QueueId) -> Result<(), StoreError> {
        queue_member::Entity::delete_many()
            .filter(queue_member::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue_member::Column::QueueId.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        let result = queue::Entity::delete_many()
            .filter(queue::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
