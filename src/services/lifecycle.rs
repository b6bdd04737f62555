//! Working a conversation through its life: assign, unassign, transfer, snooze, resolve and
//! reopen. Each act is one unit: the conversation moves only from the state it was read in,
//! the change is recorded with its time and author, and subscribers hear of it after the
//! commit.

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::conversation::{Act, LifecycleError, Target};
use crate::domain::free_text::{self, Lines};
use crate::domain::records::{ConversationChangeRecord, ConversationRecord};
use crate::domain::{ConversationId, Page, PageRequest, TenantId, UserId};
use crate::error::AppError;
use crate::services::auth::{Access, Agent};
use crate::services::automations;
use crate::services::conversations::ConversationService;
use crate::services::events::Event;
use crate::store::conversations::ChangeMeta;
use crate::store::{StoreError, TenantScope};

/// The longest a conversation may be snoozed.
pub const SNOOZE_MAX: TimeDelta = TimeDelta::days(366);
/// The longest note a transfer carries, in characters.
pub const NOTE_MAX: usize = 2000;

/// Tries of an act that found the conversation changed meanwhile.
const TRIES: u32 = 3;

impl ConversationService {
    /// Assigns the conversation to a member of the tenant (over their capacity if need be:
    /// a person decided it).
    pub async fn assign(
        &self,
        access: &Access<Agent>,
        id: ConversationId,
        user: UserId,
    ) -> Result<ConversationRecord, AppError> {
        self.act(access, id, Act::Assign(user), None).await
    }

    /// Takes the conversation from its agent: it waits in its queue again.
    pub async fn unassign(
        &self,
        access: &Access<Agent>,
        id: ConversationId,
    ) -> Result<ConversationRecord, AppError> {
        self.act(access, id, Act::Unassign, None).await
    }

    /// Hands the conversation to another agent, or to another queue where it waits
    /// unassigned, with a note for whoever takes it.
    pub async fn transfer(
        &self,
        access: &Access<Agent>,
        id: ConversationId,
        target: Target,
        note: Option<&str>,
    ) -> Result<ConversationRecord, AppError> {
        if let Some(note) = note {
            free_text::check(note, NOTE_MAX, Lines::Many)
                .map_err(|e| AppError::bad_input("note", e))?;
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        self.act(access, id, Act::TransferTo(target), note).await
    }

    /// PENDING until `until`, or until the customer writes when none is given.
    pub async fn snooze(
        &self,
        access: &Access<Agent>,
        id: ConversationId,
        until: Option<DateTime<Utc>>,
    ) -> Result<ConversationRecord, AppError> {
        if let Some(until) = until {
            let now = Utc::now();
            if until <= now {
                return Err(AppError::bad_input("until", "must be in the future"));
            }
            if until > now + SNOOZE_MAX {
                return Err(AppError::bad_input("until", "must be within a year"));
            }
        }
        self.act(access, id, Act::Snooze(until), None).await
    }

    pub async fn resolve(
        &self,
        access: &Access<Agent>,
        id: ConversationId,
    ) -> Result<ConversationRecord, AppError> {
        self.act(access, id, Act::Resolve, None).await
    }

    /// Reopens a resolved conversation, unless the contact has opened another on the
    /// channel since (CONFLICT).
    pub async fn reopen(
        &self,
        access: &Access<Agent>,
        id: ConversationId,
    ) -> Result<ConversationRecord, AppError> {
        self.act(access, id, Act::Reopen, None).await
    }

    /// The conversation's changes, oldest first.
    pub async fn changes(
        &self,
        tenant: TenantId,
        id: ConversationId,
        page: PageRequest,
    ) -> Result<Page<ConversationChangeRecord>, AppError> {
        Ok(self
            .store
            .tenant(tenant)
            .conversations()
            .changes(id, page)
            .await?)
    }

    async fn act(
        &self,
        access: &Access<Agent>,
        id: ConversationId,
        act: Act,
        note: Option<&str>,
    ) -> Result<ConversationRecord, AppError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let unit = self.store.write(access.tenant()).await?;
            let scope = unit.scope();
            let visibility = super::visibility::of(&scope, access).await?;
            let before = super::visibility::conversation(&scope, &visibility, id).await?;
            check_target(&scope, act).await?;
            let by = By {
                actor: access.acting_user(),
                note,
            };
            match apply(&scope, &before, act, by, unit.now()).await {
                Ok(None) => return Ok(before),
                Ok(Some((after, events))) => {
                    let committed =
                        crate::services::webhooks::journal::commit(unit, &events).await?;
                    self.bus.publish(committed);
                    return Ok(after);
                }
                Err(Applied::Changed) if tries < TRIES => continue,
                Err(Applied::Changed) => return Err(AppError::Conflict(CHANGED.to_owned())),
                Err(Applied::Refused(err)) => return Err(err),
            }
        }
    }
}

/// Who acts (none: Switchboard itself), and the note a transfer carries.
pub(crate) struct By<'a> {
    pub actor: Option<UserId>,
    pub note: Option<&'a str>,
}

/// Why an act was not applied.
pub(crate) enum Applied {
    /// The conversation changed since it was read: read it again and retry.
    Changed,
    Refused(AppError),
}

impl<E: Into<AppError>> From<E> for Applied {
    fn from(err: E) -> Self {
        Applied::Refused(err.into())
    }
}

const CHANGED: &str = "the conversation changed meanwhile; try again";

/// Moves `before` by `act` and records the change: the conversation after it and the
/// events to publish once committed (the change, and the new load of each agent whose
/// open conversations it changed); `None` when the act changes nothing.
pub(crate) async fn apply<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    before: &ConversationRecord,
    act: Act,
    by: By<'_>,
    now: DateTime<Utc>,
) -> Result<Option<(ConversationRecord, Vec<Event>)>, Applied> {
    let next = before.standing().after(act).map_err(|e| match e {
        LifecycleError::Resolved => AppError::Conflict(e.to_string()),
        LifecycleError::AlreadyThere => AppError::bad_input(target_field(act), e),
    })?;
    let Some((next, kind)) = next else {
        return Ok(None);
    };
    let meta = ChangeMeta {
        kind,
        actor: by.actor,
        note: by.note,
    };
    let after = match scope.conversations().apply(before, &next, &meta, now).await {
        Ok(after) => after,
        Err(StoreError::Stale) => return Err(Applied::Changed),
        // The partial unique index: only a reopen can make a second unresolved one.
        Err(StoreError::Conflict(_)) => {
            return Err(Applied::Refused(AppError::Conflict(
                "the contact has another open conversation on this channel".to_owned(),
            )))
        }
        Err(err) => return Err(err.into()),
    };
    automations::on_change(scope, before, &after, kind, now).await?;
    super::csat::on_change(scope, before, &after, kind, now).await?;
    let mut events = vec![Event::Conversation {
        tenant: scope.id(),
        kind: kind.into(),
        conversation: after.clone(),
    }];
    let counted = |c: &ConversationRecord| c.assignee.filter(|_| c.is_unresolved());
    let (was, is) = (counted(before), counted(&after));
    if was != is {
        let users: Vec<UserId> = was.into_iter().chain(is).collect();
        for presence in scope.presence().of(&users).await? {
            events.push(Event::Presence {
                tenant: scope.id(),
                presence,
            });
        }
    }
    Ok(Some((after, events)))
}

fn target_field(act: Act) -> &'static str {
    match act {
        Act::TransferTo(Target::Queue(_)) => "queueId",
        _ => "userId",
    }
}

/// An agent to hand a conversation to is an active member of the tenant, and a queue is
/// the tenant's: another tenant's answers NOT_FOUND.
async fn check_target<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    act: Act,
) -> Result<(), AppError> {
    match act {
        Act::Assign(user) | Act::TransferTo(Target::Agent(user)) => {
            let member = scope.members().get(user).await?;
            if !member.active {
                return Err(AppError::bad_input("userId", "is deactivated"));
            }
        }
        Act::TransferTo(Target::Queue(queue)) => {
            scope.queues().get(queue).await?;
        }
        _ => {}
    }
    Ok(())
}
