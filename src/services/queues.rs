//! Queues: creating, changing and deleting them, with their members and business hours.
//! Every tenant has one default queue, created with the tenant; conversations whose channel
//! names no queue wait there.

use chrono::{NaiveDate, Utc, Weekday};

use crate::domain::audit::{AuditEvent, QueueChange};
use crate::domain::business_hours::{
    self, BusinessHours, DatedException, HoursError, Span, WeeklyInterval,
};
use crate::domain::queue::{self, AssignmentMode, QueueError};
use crate::domain::records::{QueueMember, QueueRecord};
use crate::domain::routing::ConditionSpec;
use crate::domain::tenant_settings::parse_language;
use crate::domain::{QueueId, TenantId, UserId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::services::visibility::Memberships;
use crate::store::{Store, StoreError, TenantScope};

/// A queue's fields as given; `None` leaves a field as it is (on create: its default).
#[derive(Debug, Default)]
pub struct QueueInput {
    pub name: Option<String>,
    pub mode: Option<AssignmentMode>,
    /// Replaces the whole list when given.
    pub members: Option<Vec<MemberInput>>,
    /// `Some(None)` removes the hours: always open.
    pub hours: Option<Option<HoursInput>>,
    pub language: Option<Option<String>>,
    pub first_response_minutes: Option<Option<i64>>,
    pub is_default: Option<bool>,
}

#[derive(Debug)]
pub struct MemberInput {
    pub user: UserId,
    pub capacity: i64,
}

#[derive(Debug)]
pub struct HoursInput {
    pub time_zone: String,
    pub weekly: Vec<WeeklyInput>,
    pub exceptions: Vec<ExceptionInput>,
}

#[derive(Debug)]
pub struct WeeklyInput {
    pub day: Weekday,
    pub opens: String,
    pub closes: String,
}

#[derive(Debug)]
pub struct ExceptionInput {
    pub date: String,
    /// Empty: closed all day.
    pub spans: Vec<(String, String)>,
}

#[derive(Clone)]
pub struct QueueService {
    pub(super) store: Store,
    memberships: Memberships,
}

impl QueueService {
    pub fn new(store: Store, memberships: Memberships) -> Self {
        Self { store, memberships }
    }

    /// The tenant's queues, the default first, then by name.
    pub async fn list(&self, access: &Access<Agent>) -> Result<Vec<QueueRecord>, AppError> {
        Ok(self.store.tenant(access.tenant()).queues().list().await?)
    }

    pub async fn get(&self, access: &Access<Agent>, id: QueueId) -> Result<QueueRecord, AppError> {
        self.get_in(access.tenant(), id).await
    }

    /// A queue of a tenant the caller reached (the tenant of the object that names it).
    pub async fn get_in(&self, tenant: TenantId, id: QueueId) -> Result<QueueRecord, AppError> {
        Ok(self.store.tenant(tenant).queues().get(id).await?)
    }

    pub async fn create(
        &self,
        access: &Access<Admin>,
        input: QueueInput,
    ) -> Result<QueueRecord, AppError> {
        let mut record = QueueRecord::new(String::new(), Utc::now());
        if input.name.is_none() {
            return Err(AppError::bad_input("name", "is required"));
        }
        let members = apply(&mut record, input)?;
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        if scope.queues().count().await? >= queue::QUEUES_MAX as u64 {
            return Err(AppError::Conflict(format!(
                "a tenant has at most {} queues",
                queue::QUEUES_MAX
            )));
        }
        if let Some(members) = members {
            record.members = check_members(&scope, members).await?;
        }
        record.created_at = unit.now();
        record.updated_at = unit.now();
        scope.queues().insert(&record).await.map_err(name_taken)?;
        // As stored: the database keeps times to its own precision.
        let record = scope.queues().get(record.id).await?;
        let event = AuditEvent::Queue {
            queue: record.id,
            change: QueueChange::Created,
            name: &record.name,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        self.memberships.changed();
        Ok(record)
    }

    pub async fn update(
        &self,
        access: &Access<Admin>,
        id: QueueId,
        input: QueueInput,
    ) -> Result<QueueRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let mut record = scope.queues().get(id).await?;
        let was_default = record.is_default;
        let members = apply(&mut record, input)?;
        if was_default && !record.is_default {
            return Err(AppError::bad_input(
                "isDefault",
                "a tenant always has a default queue; make another queue the default instead",
            ));
        }
        if let Some(members) = members {
            record.members = check_members(&scope, members).await?;
        }
        record.updated_at = unit.now();
        scope.queues().update(&record).await.map_err(name_taken)?;
        let record = scope.queues().get(record.id).await?;
        let event = AuditEvent::Queue {
            queue: record.id,
            change: QueueChange::Updated,
            name: &record.name,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        self.memberships.changed();
        Ok(record)
    }

    /// Deletes a queue. While it has conversations not resolved, `move_to` must name the
    /// queue they go to; its resolved ones go there too, or out of any queue. Channels that
    /// named it as their default name `move_to` (or the tenant's default) instead. The
    /// default queue is never deleted.
    pub async fn delete(
        &self,
        access: &Access<Admin>,
        id: QueueId,
        move_to: Option<QueueId>,
    ) -> Result<bool, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let record = scope.queues().get(id).await?;
        if record.is_default {
            return Err(AppError::Conflict(
                "the default queue cannot be deleted; make another queue the default first"
                    .to_owned(),
            ));
        }
        if move_to == Some(id) {
            return Err(AppError::bad_input("moveTo", "must be another queue"));
        }
        if let Some(target) = move_to {
            scope.queues().get(target).await?;
        }
        let waiting = scope.conversations().count_unresolved_in(id).await?;
        if waiting > 0 && move_to.is_none() {
            return Err(AppError::Conflict(format!(
                "the queue has {waiting} conversations not resolved; give moveTo to move them to another queue"
            )));
        }
        let now = unit.now();
        follow_rules(&scope, id, move_to, now).await?;
        let moved = scope.conversations().move_queue(id, move_to, now).await?;
        scope
            .quick_replies()
            .move_queue(id, move_to)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::Conflict(
                    "a quick reply of the queue has a shortcut that moveTo's queue has too; rename one first".to_owned(),
                ),
                other => other.into(),
            })?;
        scope
            .channels()
            .replace_default_queue(id, move_to, now)
            .await?;
        scope.queues().delete(id).await?;
        let event = AuditEvent::Queue {
            queue: id,
            change: QueueChange::Deleted {
                moved_to: move_to,
                moved,
            },
            name: &record.name,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        self.store.forget_channels();
        self.memberships.changed();
        tracing::info!(tenant.id = %access.tenant(), queue.id = %id, moved, "queue deleted");
        Ok(true)
    }
}

/// Points the routing rules that name the queue `from` (as their queue or for its business
/// hours) at `to`; without `to`, refuses while any does.
async fn follow_rules<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    from: QueueId,
    to: Option<QueueId>,
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    let rules = scope.routing_rules();
    for mut rule in rules.list().await? {
        let mut names = rule.queue == from;
        for condition in &mut rule.conditions {
            if let ConditionSpec::Hours { queue: Some(q), .. } = condition {
                if *q == from {
                    names = true;
                    if let Some(to) = to {
                        *q = to;
                    }
                }
            }
        }
        if !names {
            continue;
        }
        let Some(to) = to else {
            return Err(AppError::Conflict(format!(
                "the routing rule {:?} names the queue; give moveTo or change the rule first",
                rule.name
            )));
        };
        if rule.queue == from {
            rule.queue = to;
        }
        rule.updated_at = now;
        rules.update(&rule).await?;
    }
    Ok(())
}

fn name_taken(err: StoreError) -> AppError {
    match err {
        StoreError::Conflict(_) => AppError::bad_input("name", "another queue has this name"),
        other => other.into(),
    }
}

fn queue_error(field: &str) -> impl Fn(QueueError) -> AppError + '_ {
    move |e| AppError::bad_input(field, e)
}

/// Applies the fields that need no lookup; answers the members to check against the
/// tenant's users.
fn apply(
    record: &mut QueueRecord,
    input: QueueInput,
) -> Result<Option<Vec<MemberInput>>, AppError> {
    if let Some(name) = input.name {
        record.name = queue::parse_name(&name).map_err(queue_error("name"))?;
    }
    if let Some(mode) = input.mode {
        record.mode = mode;
    }
    if let Some(language) = input.language {
        record.language = language
            .map(|l| parse_language(&l).map_err(|e| AppError::bad_input("language", e)))
            .transpose()?;
    }
    if let Some(minutes) = input.first_response_minutes {
        record.first_response_minutes = minutes
            .map(queue::check_first_response)
            .transpose()
            .map_err(queue_error("firstResponseMinutes"))?;
    }
    if let Some(hours) = input.hours {
        record.hours = hours.map(parse_hours).transpose()?;
    }
    if let Some(is_default) = input.is_default {
        record.is_default = is_default;
    }
    Ok(input.members)
}

/// Members must be users of the tenant (another tenant's answers NOT_FOUND), each once.
async fn check_members<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    members: Vec<MemberInput>,
) -> Result<Vec<QueueMember>, AppError> {
    if members.len() > queue::MEMBERS_MAX {
        return Err(queue_error("members")(QueueError::TooManyMembers));
    }
    let mut checked = Vec::with_capacity(members.len());
    for (i, member) in members.into_iter().enumerate() {
        let capacity = queue::check_capacity(member.capacity)
            .map_err(|e| AppError::bad_input(format!("members[{i}].capacity"), e))?;
        if checked.iter().any(|m: &QueueMember| m.user == member.user) {
            return Err(AppError::bad_input(
                format!("members[{i}].userId"),
                QueueError::RepeatedMember,
            ));
        }
        scope.members().get(member.user).await?;
        checked.push(QueueMember {
            user: member.user,
            capacity,
        });
    }
    Ok(checked)
}

fn parse_hours(input: HoursInput) -> Result<BusinessHours, AppError> {
    let time = |field: String, text: &str| {
        business_hours::parse_time(text)
            .ok_or_else(|| AppError::bad_input(field, "must be a time of day as HH:MM"))
    };
    let span = |field: &str, opens: &str, closes: &str| -> Result<Span, AppError> {
        Ok(Span {
            opens: time(format!("{field}.opens"), opens)?,
            closes: time(format!("{field}.closes"), closes)?,
        })
    };
    let weekly = input
        .weekly
        .iter()
        .enumerate()
        .map(|(i, w)| {
            Ok(WeeklyInterval {
                day: w.day,
                span: span(&format!("hours.weekly[{i}]"), &w.opens, &w.closes)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let exceptions = input
        .exceptions
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let date = NaiveDate::parse_from_str(&e.date, "%Y-%m-%d").map_err(|_| {
                AppError::bad_input(
                    format!("hours.exceptions[{i}].date"),
                    "must be a date as YYYY-MM-DD",
                )
            })?;
            let spans = e
                .spans
                .iter()
                .enumerate()
                .map(|(j, (o, c))| span(&format!("hours.exceptions[{i}].spans[{j}]"), o, c))
                .collect::<Result<_, _>>()?;
            Ok(DatedException { date, spans })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    BusinessHours::new(&input.time_zone, weekly, exceptions).map_err(hours_error)
}

/// Hours errors name their part relative to the hours; the API names it from the input.
fn hours_error(err: HoursError) -> AppError {
    let (field, reason) = match &err {
        HoursError::UnknownTimeZone(_) => ("timeZone".to_owned(), err.to_string()),
        HoursError::Empty { field }
        | HoursError::Overlap { field }
        | HoursError::RepeatedDate { field } => (field.clone(), err.to_string()),
        HoursError::TooMany { field, .. } => ((*field).to_owned(), err.to_string()),
    };
    let reason = reason
        .split_once(": ")
        .map_or(reason.clone(), |(_, r)| r.to_owned());
    AppError::bad_input(format!("hours.{field}"), reason)
}
