//! Working a conversation through its life in the API: assign, unassign, transfer, snooze,
//! resolve, reopen, and the record of those changes.

use async_graphql::{Context, Enum, InputObject, Object, ID};
use chrono::{DateTime, Utc};

use super::conversations::{Conversation, ConversationStatus};
use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::conversation::Target;
use crate::domain::records::ConversationChangeRecord;
use crate::domain::{ConversationId, QueueId, TenantId, UserId};
use crate::error::AppError;
use crate::services::auth::Agent;
use crate::services::Services;

/// What happened to a conversation.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::conversation::ChangeKind")]
pub enum ConversationChangeKind {
    Opened,
    Assigned,
    Unassigned,
    Transferred,
    Snoozed,
    /// Back from PENDING: the customer wrote, or the snooze ended.
    Resumed,
    Resolved,
    Reopened,
}

/// One change in a conversation's life, and where it left the conversation.
pub struct ConversationChange(pub ConversationChangeRecord, pub TenantId);

#[Object]
impl ConversationChange {
    async fn kind(&self) -> ConversationChangeKind {
        self.0.kind.into()
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Who made it; null when Switchboard did (routing, automatic assignment, the
    /// customer's message, a snooze ending).
    async fn actor_id(&self) -> Option<ID> {
        self.0.actor.map(|u| ID(u.to_string()))
    }
    async fn status(&self) -> ConversationStatus {
        self.0.status.into()
    }
    async fn queue_id(&self) -> Option<ID> {
        self.0.queue.map(|q| ID(q.to_string()))
    }
    async fn assignee_id(&self) -> Option<ID> {
        self.0.assignee.map(|a| ID(a.to_string()))
    }
    /// The note a transfer carries.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The end of a snooze.
    async fn until(&self) -> Option<DateTime<Utc>> {
        self.0.until
    }
}

/// Where a transfer goes: exactly one of an agent (the queue stays) or a queue (it waits
/// there unassigned).
#[derive(InputObject)]
pub struct TransferConversationInput {
    pub user_id: Option<ID>,
    pub queue_id: Option<ID>,
    /// For whoever takes it; kept in the conversation's changes.
    pub note: Option<String>,
}

#[derive(Default)]
pub struct LifecycleMutation;

#[Object]
impl LifecycleMutation {
    /// Assigns a conversation to a member (capacity does not bind a person's choice).
    async fn assign_conversation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        user_id: ID,
    ) -> GqlResult<Conversation> {
        let id: ConversationId = parse_id("id", &id)?;
        let user: UserId = parse_id("userId", &user_id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let record = state.conversations.assign(&access, id, user).await?;
        Ok(Conversation(record, access.tenant()))
    }

    /// Takes a conversation from its agent: it waits in its queue again.
    async fn unassign_conversation(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Conversation> {
        let id: ConversationId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let record = state.conversations.unassign(&access, id).await?;
        Ok(Conversation(record, access.tenant()))
    }

    /// Hands a conversation to another agent or queue, with a note.
    async fn transfer_conversation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: TransferConversationInput,
    ) -> GqlResult<Conversation> {
        let id: ConversationId = parse_id("id", &id)?;
        let target = match (&input.user_id, &input.queue_id) {
            (Some(user), None) => Target::Agent(parse_id::<UserId>("input.userId", user)?),
            (None, Some(queue)) => Target::Queue(parse_id::<QueueId>("input.queueId", queue)?),
            _ => {
                return Err(
                    AppError::bad_input("input", "give exactly one of userId and queueId").into(),
                )
            }
        };
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let record = state
            .conversations
            .transfer(&access, id, target, input.note.as_deref())
            .await?;
        Ok(Conversation(record, access.tenant()))
    }

    /// Sets a conversation PENDING: until `until`, or until the customer writes.
    async fn snooze_conversation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        until: Option<DateTime<Utc>>,
    ) -> GqlResult<Conversation> {
        let id: ConversationId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let record = state.conversations.snooze(&access, id, until).await?;
        Ok(Conversation(record, access.tenant()))
    }

    async fn resolve_conversation(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Conversation> {
        let id: ConversationId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let record = state.conversations.resolve(&access, id).await?;
        Ok(Conversation(record, access.tenant()))
    }

    /// Reopens a resolved conversation: to its agent, else waiting in its queue.
    async fn reopen_conversation(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Conversation> {
        let id: ConversationId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let record = state.conversations.reopen(&access, id).await?;
        Ok(Conversation(record, access.tenant()))
    }
}

/// One entry of a conversation's timeline: a message, an internal note, or a change in the
/// conversation's life.
#[derive(async_graphql::Union)]
pub enum TimelineEntry {
    Message(Box<super::messages::Message>),
    Note(super::notes::ConversationNote),
    Change(ConversationChange),
}

impl TimelineEntry {
    pub fn new(entry: crate::services::timeline::TimelineEntry, tenant: TenantId) -> Self {
        use crate::services::timeline::TimelineEntry as E;
        match entry {
            E::Message(m) => TimelineEntry::Message(Box::new(super::messages::Message(*m, tenant))),
            E::Note(n) => TimelineEntry::Note(super::notes::ConversationNote(n)),
            E::Change(c) => TimelineEntry::Change(ConversationChange(c, tenant)),
        }
    }
}
