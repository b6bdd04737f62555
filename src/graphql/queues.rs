//! Queues in the API: where conversations wait, who works them and when they are open.
//! Every member of the tenant reads them; owners and admins change them.

use async_graphql::{Context, Enum, InputObject, MaybeUndefined, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::errors::GqlResult;
use super::guards::viewer;
use super::types::{parse_id, User};
use crate::domain::business_hours::BusinessHours;
use crate::domain::records::{QueueMember as MemberRecord, QueueRecord};
use crate::domain::{QueueId, TenantId};
use crate::services::queues::{ExceptionInput, HoursInput, MemberInput, QueueInput, WeeklyInput};
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "AssignmentMode",
    remote = "crate::domain::queue::AssignmentMode"
)]
pub enum AssignmentModeGql {
    /// Agents pick conversations themselves, or an admin assigns them.
    Manual,
    /// Each new conversation goes to the next online member under capacity, in turn.
    RoundRobin,
    /// Each new conversation goes to the online member with the fewest open
    /// conversations; the one idle longest on a tie.
    LeastBusy,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl From<Weekday> for chrono::Weekday {
    fn from(day: Weekday) -> Self {
        match day {
            Weekday::Monday => chrono::Weekday::Mon,
            Weekday::Tuesday => chrono::Weekday::Tue,
            Weekday::Wednesday => chrono::Weekday::Wed,
            Weekday::Thursday => chrono::Weekday::Thu,
            Weekday::Friday => chrono::Weekday::Fri,
            Weekday::Saturday => chrono::Weekday::Sat,
            Weekday::Sunday => chrono::Weekday::Sun,
        }
    }
}

impl From<chrono::Weekday> for Weekday {
    fn from(day: chrono::Weekday) -> Self {
        match day {
            chrono::Weekday::Mon => Weekday::Monday,
            chrono::Weekday::Tue => Weekday::Tuesday,
            chrono::Weekday::Wed => Weekday::Wednesday,
            chrono::Weekday::Thu => Weekday::Thursday,
            chrono::Weekday::Fri => Weekday::Friday,
            chrono::Weekday::Sat => Weekday::Saturday,
            chrono::Weekday::Sun => Weekday::Sunday,
        }
    }
}

/// A queue: where conversations wait to be worked.
pub struct Queue(pub QueueRecord, pub TenantId);

#[Object]
impl Queue {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn assignment_mode(&self) -> AssignmentModeGql {
        self.0.mode.into()
    }
    /// Conversations go here when no routing rule and no channel names a queue. A tenant
    /// has exactly one.
    async fn is_default(&self) -> bool {
        self.0.is_default
    }
    /// The language its conversations are in, such as `en` or `pt_BR`.
    async fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }
    /// How soon an agent should first answer a new conversation.
    async fn first_response_minutes(&self) -> Option<i32> {
        self.0.first_response_minutes.map(|m| m as i32)
    }
    /// Null: always open.
    async fn hours(&self) -> Option<BusinessHoursGql> {
        self.0.hours.as_ref().map(BusinessHoursGql::from)
    }
    /// Whether the queue is inside its business hours now.
    async fn open_now(&self) -> bool {
        self.0.is_open(Utc::now())
    }
    /// Its automated messages, one per kind.
    async fn automations(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<super::automations::QueueAutomations> {
        super::automations::of_queue(ctx, self.0.id).await
    }
    async fn members(&self) -> Vec<QueueMember> {
        self.0
            .members
            .iter()
            .map(|m| QueueMember(*m, self.1))
            .collect()
    }
    /// Whether resolving its conversations asks the customer for a rating.
    async fn csat(&self, ctx: &Context<'_>) -> GqlResult<super::csat::QueueCsat> {
        let state = ctx.data_unchecked::<Services>();
        Ok(state.csat.settings_in(self.1, self.0.id).await?.into())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An agent of a queue.
pub struct QueueMember(MemberRecord, TenantId);

#[Object]
impl QueueMember {
    async fn user_id(&self) -> ID {
        ID(self.0.user.to_string())
    }
    async fn user(&self, ctx: &Context<'_>) -> GqlResult<User> {
        let state = ctx.data_unchecked::<Services>();
        Ok(state.directory.user_in(self.1, self.0.user).await?.into())
    }
    /// How many of the queue's conversations the agent works at once.
    async fn capacity(&self) -> i32 {
        self.0.capacity as i32
    }
}

/// Opening hours on the wall clock of a time zone.
#[derive(SimpleObject)]
#[graphql(name = "BusinessHours")]
pub struct BusinessHoursGql {
    /// An IANA time zone such as `Europe/Madrid`.
    time_zone: String,
    weekly: Vec<WeeklyHours>,
    /// Dates whose hours replace the week's; no spans means closed all day.
    exceptions: Vec<HoursException>,
}

#[derive(SimpleObject)]
pub struct WeeklyHours {
    day: Weekday,
    /// `HH:MM`.
    opens: String,
    /// `HH:MM`; `00:00` is midnight at the end of the day.
    closes: String,
}

#[derive(SimpleObject)]
pub struct HoursException {
    /// `YYYY-MM-DD`.
    date: String,
    spans: Vec<HoursSpan>,
}

#[derive(SimpleObject)]
pub struct HoursSpan {
    opens: String,
    closes: String,
}

fn hm(time: chrono::NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

impl From<&BusinessHours> for BusinessHoursGql {
    fn from(hours: &BusinessHours) -> Self {
        Self {
            time_zone: hours.time_zone().to_owned(),
            weekly: hours
                .weekly()
                .iter()
                .map(|w| WeeklyHours {
                    day: w.day.into(),
                    opens: hm(w.span.opens),
                    closes: hm(w.span.closes),
                })
                .collect(),
            exceptions: hours
                .exceptions()
                .iter()
                .map(|e| HoursException {
                    date: e.date.format("%Y-%m-%d").to_string(),
                    spans: e
                        .spans
                        .iter()
                        .map(|s| HoursSpan {
                            opens: hm(s.opens),
                            closes: hm(s.closes),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(InputObject)]
pub struct QueueMemberInput {
    pub user_id: ID,
    /// Conversations the agent works at once in this queue, 1 to 100.
    pub capacity: i32,
}

#[derive(InputObject)]
#[graphql(name = "BusinessHoursInput")]
pub struct BusinessHoursInput {
    pub time_zone: String,
    #[graphql(default)]
    pub weekly: Vec<WeeklyHoursInput>,
    #[graphql(default)]
    pub exceptions: Vec<HoursExceptionInput>,
}

#[derive(InputObject)]
pub struct WeeklyHoursInput {
    pub day: Weekday,
    /// `HH:MM`.
    pub opens: String,
    /// `HH:MM`; `00:00` for midnight at the end of the day.
    pub closes: String,
}

#[derive(InputObject)]
pub struct HoursExceptionInput {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// None or empty: closed all day.
    #[graphql(default)]
    pub spans: Vec<HoursSpanInput>,
}

#[derive(InputObject)]
pub struct HoursSpanInput {
    pub opens: String,
    pub closes: String,
}

#[derive(InputObject)]
pub struct CreateQueueInput {
    pub name: String,
    /// MANUAL unless given.
    pub assignment_mode: Option<AssignmentModeGql>,
    #[graphql(default)]
    pub members: Vec<QueueMemberInput>,
    /// None: always open.
    pub hours: Option<BusinessHoursInput>,
    pub language: Option<String>,
    pub first_response_minutes: Option<i32>,
    /// Makes it the tenant's default queue in place of the current one.
    #[graphql(default)]
    pub is_default: bool,
}

/// Fields left out stay as they are; a null clears an optional one.
#[derive(InputObject)]
pub struct UpdateQueueInput {
    pub name: Option<String>,
    pub assignment_mode: Option<AssignmentModeGql>,
    /// Replaces the whole list.
    pub members: Option<Vec<QueueMemberInput>>,
    pub hours: MaybeUndefined<BusinessHoursInput>,
    pub language: MaybeUndefined<String>,
    pub first_response_minutes: MaybeUndefined<i32>,
    /// True makes it the default in place of the current one; the default queue cannot be
    /// made not default (make another one the default instead).
    pub is_default: Option<bool>,
}

fn members(list: Vec<QueueMemberInput>) -> GqlResult<Vec<MemberInput>> {
    list.into_iter()
        .enumerate()
        .map(|(i, m)| {
            Ok(MemberInput {
                user: parse_id(&format!("members[{i}].userId"), &m.user_id)?,
                capacity: i64::from(m.capacity),
            })
        })
        .collect()
}

fn hours(input: BusinessHoursInput) -> HoursInput {
    HoursInput {
        time_zone: input.time_zone,
        weekly: input
            .weekly
            .into_iter()
            .map(|w| WeeklyInput {
                day: w.day.into(),
                opens: w.opens,
                closes: w.closes,
            })
            .collect(),
        exceptions: input
            .exceptions
            .into_iter()
            .map(|e| ExceptionInput {
                date: e.date,
                spans: e.spans.into_iter().map(|s| (s.opens, s.closes)).collect(),
            })
            .collect(),
    }
}

fn maybe<T, U>(value: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v))),
    }
}

#[derive(Default)]
pub struct QueueQuery;

#[Object]
impl QueueQuery {
    /// The tenant's queues, the default first, then by name.
    async fn queues(&self, ctx: &Context<'_>) -> GqlResult<Vec<Queue>> {
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let list = state.queues.list(&access).await?;
        Ok(list
            .into_iter()
            .map(|q| Queue(q, access.tenant()))
            .collect())
    }

    /// One queue; another tenant's answers NOT_FOUND.
    async fn queue(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Queue>> {
        let id: QueueId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let queue = state.queues.get(&access, id).await?;
        Ok(Some(Queue(queue, access.tenant())))
    }
}

#[derive(Default)]
pub struct QueueMutation;

#[Object]
impl QueueMutation {
    /// Creates a queue. Its members must be users of the tenant.
    async fn create_queue(&self, ctx: &Context<'_>, input: CreateQueueInput) -> GqlResult<Queue> {
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = QueueInput {
            name: Some(input.name),
            mode: input.assignment_mode.map(Into::into),
            members: Some(members(input.members)?),
            hours: Some(input.hours.map(hours)),
            language: Some(input.language),
            first_response_minutes: Some(input.first_response_minutes.map(i64::from)),
            is_default: Some(input.is_default),
        };
        let queue = state.queues.create(&access, input).await?;
        Ok(Queue(queue, access.tenant()))
    }

    /// Changes a queue; fields left out stay as they are.
    async fn update_queue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateQueueInput,
    ) -> GqlResult<Queue> {
        let id: QueueId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = QueueInput {
            name: input.name,
            mode: input.assignment_mode.map(Into::into),
            members: input.members.map(members).transpose()?,
            hours: maybe(input.hours, hours),
            language: maybe(input.language, |l| l),
            first_response_minutes: maybe(input.first_response_minutes, i64::from),
            is_default: input.is_default,
        };
        let queue = state.queues.update(&access, id, input).await?;
        Ok(Queue(queue, access.tenant()))
    }

    /// Deletes a queue. While it has conversations not resolved, `moveTo` must name the
    /// queue they go to (CONFLICT otherwise); channels that named it as their default name
    /// `moveTo` instead, or the tenant's default queue. The default queue cannot be deleted.
    async fn delete_queue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        move_to: Option<ID>,
    ) -> GqlResult<bool> {
        let id: QueueId = parse_id("id", &id)?;
        let move_to: Option<QueueId> = move_to
            .as_ref()
            .map(|m| parse_id("moveTo", m))
            .transpose()?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.queues.delete(&access, id, move_to).await?)
    }
}
