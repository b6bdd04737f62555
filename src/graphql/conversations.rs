//! Contacts and conversations in the API.

use async_graphql::connection::Connection;
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, InputObject, Object, ID};
use chrono::{DateTime, Utc};

use super::channels::Channel;
use super::connection::{connection, page_request};
use super::errors::GqlResult;
use super::guards::viewer;
use super::labels::Label;
use super::loaders::{ConversationLabels, LabelsOf};
use super::messages::{message_page, Message};
use super::notes::{note_page, ConversationNote};
use super::types::parse_id;
use crate::domain::records::ContactRecord;
use crate::domain::records::MessageFilter;
use crate::domain::records::{ConversationFilter as StoreFilter, ConversationRecord};
use crate::domain::{ContactId, ConversationId, TenantId};
use crate::services::auth::Agent;
use crate::services::Services;

/// A customer on WhatsApp.
pub struct Contact(pub ContactRecord, pub TenantId);

#[Object]
impl Contact {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The WhatsApp id: the number's digits.
    async fn wa_id(&self) -> &str {
        &self.0.wa_id
    }
    async fn phone_number(&self) -> &str {
        &self.0.phone_number
    }
    /// The name the customer set in WhatsApp, kept current.
    async fn profile_name(&self) -> Option<&str> {
        self.0.profile_name.as_deref()
    }
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// The language the business speaks with the contact in, such as `es` or `pt-BR`.
    async fn language(&self) -> Option<&str> {
        self.0.language.as_ref().map(|l| l.as_str())
    }
    /// The contact's attribute values, by key.
    async fn attributes(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<super::contact_attributes::ContactAttributeValue>> {
        let state = ctx.data_unchecked::<Services>();
        let values = state.contacts.attributes(self.1, self.0.id).await?;
        Ok(values
            .into_iter()
            .map(super::contact_attributes::ContactAttributeValue)
            .collect())
    }
    /// False once the contact opted out (a keyword, or `setContactOptIn`).
    async fn opted_in(&self) -> bool {
        self.0.opted_out_at.is_none()
    }
    async fn opted_out_at(&self) -> Option<DateTime<Utc>> {
        self.0.opted_out_at
    }
    /// When the contact gave its consent, as the business recorded it (an import).
    async fn opted_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.opted_in_at
    }
    /// Where the consent was given: a web form, a signed paper, a CRM.
    async fn opt_in_source(&self) -> Option<&str> {
        self.0.opt_in_source.as_deref()
    }
    /// When the contact stopped marketing messages (Meta 131050); marketing templates skip
    /// them until they opt in again.
    async fn marketing_opted_out_at(&self) -> Option<DateTime<Utc>> {
        self.0.marketing_opted_out_at
    }
    async fn last_inbound_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_inbound_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The contact's whole history across channels, newest first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Message>> {
        let state = ctx.data_unchecked::<Services>();
        let filter = MessageFilter {
            contact: Some(self.0.id),
            ..MessageFilter::default()
        };
        let visibility = super::guards::visibility(ctx).await?;
        Ok(message_page(state, self.1, &visibility, filter, first, after).await?)
    }
}

/// Where a conversation stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::ConversationStatus")]
pub enum ConversationStatus {
    /// Waiting in its queue for an agent.
    Open,
    /// An agent works it.
    Assigned,
    /// Waiting on the customer, or snoozed until `snoozedUntil`.
    Pending,
    /// Done; a new customer message within the tenant's `reopenGraceMinutes` reopens it.
    Resolved,
}

/// A thread between a contact and a channel.
pub struct Conversation(pub ConversationRecord, pub TenantId);

#[Object]
impl Conversation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn status(&self) -> ConversationStatus {
        self.0.status.into()
    }
    /// When a snoozed conversation comes back by itself; null when it waits on the
    /// customer or is not snoozed.
    async fn snoozed_until(&self) -> Option<DateTime<Utc>> {
        self.0.snoozed_until
    }
    /// Since when it waits in its queue for an agent (OPEN only).
    async fn waiting_since(&self) -> Option<DateTime<Utc>> {
        self.0.waiting_since
    }
    /// Its messages, internal notes and changes merged in the order they happened, oldest
    /// first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, super::lifecycle::TimelineEntry>> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let has_previous = after.is_some();
        let page = page_request("entry", first, after)?;
        let state = ctx.data_unchecked::<Services>();
        let rows = state
            .conversations
            .timeline(&access, self.0.id, page)
            .await?;
        let tenant = self.1;
        Ok(connection(
            "entry",
            rows,
            has_previous,
            |e| e.id(),
            |e| super::lifecycle::TimelineEntry::new(e, tenant),
        ))
    }
    /// Every change in its life, oldest first: opened, assigned, transferred, snoozed,
    /// resolved, reopened, each with its time and who made it.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, super::lifecycle::ConversationChange>> {
        let has_previous = after.is_some();
        let page = page_request("change", first, after)?;
        let state = ctx.data_unchecked::<Services>();
        let rows = state.conversations.changes(self.1, self.0.id, page).await?;
        let tenant = self.1;
        Ok(connection(
            "change",
            rows,
            has_previous,
            |c| c.id,
            |c| super::lifecycle::ConversationChange(c, tenant),
        ))
    }
    async fn queue_id(&self) -> Option<ID> {
        self.0.queue.map(|q| ID(q.to_string()))
    }
    /// The queue the conversation waits in.
    async fn queue(&self, ctx: &Context<'_>) -> GqlResult<Option<super::queues::Queue>> {
        let Some(id) = self.0.queue else {
            return Ok(None);
        };
        let state = ctx.data_unchecked::<Services>();
        Ok(Some(super::queues::Queue(
            state.queues.get_in(self.1, id).await?,
            self.1,
        )))
    }
    /// How the conversation found its queue when it opened; null for conversations
    /// opened before routing.
    async fn routing(&self) -> Option<super::routing::ConversationRouting> {
        self.0
            .routing
            .map(|r| super::routing::ConversationRouting(r, self.1))
    }
    /// The conversation's labels, by name.
    async fn labels(&self, ctx: &Context<'_>) -> GqlResult<Vec<Label>> {
        let labels = ctx
            .data_unchecked::<DataLoader<ConversationLabels>>()
            .load_one(LabelsOf(self.1, self.0.id))
            .await?
            .unwrap_or_default();
        Ok(labels.into_iter().map(Label).collect())
    }
    /// The customer's messages the signed-in member has not read (0 for an API key).
    async fn unread_count(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        let Some(user) = viewer(ctx)?.access::<Agent>()?.user_id() else {
            return Ok(0);
        };
        Ok(ctx
            .data_unchecked::<DataLoader<super::loaders::ConversationUnread>>()
            .load_one(super::loaders::UnreadOf(self.1, user, self.0.id))
            .await?
            .unwrap_or(0))
    }
    async fn assignee_id(&self) -> Option<ID> {
        self.0.assignee.map(|a| ID(a.to_string()))
    }
    /// Until when free-form messages may be sent: 24 hours after the customer's last
    /// message. Null before the customer has written.
    async fn window_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.window_expires_at
    }
    async fn window_open(&self) -> bool {
        self.0.window_expires_at.is_some_and(|t| t > Utc::now())
    }
    async fn last_message_at(&self) -> DateTime<Utc> {
        self.0.last_message_at
    }
    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.opened_at
    }
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    /// The rating question asked when it was last resolved, with the customer's answer;
    /// null when none was asked.
    async fn csat(&self, ctx: &Context<'_>) -> GqlResult<Option<super::csat::ConversationCsat>> {
        let state = ctx.data_unchecked::<Services>();
        Ok(state
            .csat
            .of_conversation(self.1, self.0.id)
            .await?
            .map(super::csat::ConversationCsat))
    }
    /// The stored click-to-chat link whose tag the customer's first message carried, when
    /// one opened this conversation.
    async fn referral(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<super::click_to_chat::ConversationReferral>> {
        let state = ctx.data_unchecked::<Services>();
        Ok(state
            .click_to_chat
            .referral_of(self.1, self.0.id)
            .await?
            .map(|r| super::click_to_chat::ConversationReferral(r, self.1)))
    }
    async fn channel(&self, ctx: &Context<'_>) -> GqlResult<Channel> {
        Ok(Channel(
            super::loaders::channel(ctx, self.1, self.0.channel).await?,
        ))
    }
    async fn contact(&self, ctx: &Context<'_>) -> GqlResult<Contact> {
        Ok(Contact(
            super::loaders::contact(ctx, self.1, self.0.contact).await?,
            self.1,
        ))
    }
    /// The conversation's newest message (null before it has one): read for a whole page
    /// of conversations at once, unlike `messages(first: 1)` on each.
    async fn last_message(&self, ctx: &Context<'_>) -> GqlResult<Option<Message>> {
        Ok(super::loaders::last_message(ctx, self.1, self.0.id)
            .await?
            .map(|m| Message(m, self.1)))
    }
    /// The conversation's messages, newest first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Message>> {
        let state = ctx.data_unchecked::<Services>();
        let filter = MessageFilter {
            conversation: Some(self.0.id),
            ..MessageFilter::default()
        };
        let visibility = super::guards::visibility(ctx).await?;
        Ok(message_page(state, self.1, &visibility, filter, first, after).await?)
    }
    /// The conversation's internal notes, oldest first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn notes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, ConversationNote>> {
        let state = ctx.data_unchecked::<Services>();
        Ok(note_page(state, self.1, self.0.id, first, after).await?)
    }
}

/// The signed-in member whose reading a field or filter is about; an API key reads nothing.
pub(super) fn reader(
    access: &crate::services::auth::Access<Agent>,
    field: &str,
) -> Result<crate::domain::UserId, crate::error::AppError> {
    access.user_id().ok_or_else(|| {
        crate::error::AppError::bad_input(field, "only a signed-in member has read conversations")
    })
}

#[derive(InputObject, Default)]
pub struct ConversationFilter {
    pub status: Option<ConversationStatus>,
    pub channel_id: Option<ID>,
    pub contact_id: Option<ID>,
    pub queue_id: Option<ID>,
    /// Conversations that have every one of these labels (at most 50).
    pub label_ids: Option<Vec<ID>>,
    pub assignee_id: Option<ID>,
    /// With (true) or without (false) an assignee.
    pub assigned: Option<bool>,
    /// Whether the 24-hour customer service window is open now.
    pub window_open: Option<bool>,
    /// With (true) or without (false) customer messages the signed-in member has not read.
    pub unread: Option<bool>,
}

#[derive(Default)]
pub struct ConversationQuery;

#[Object]
impl ConversationQuery {
    /// Contacts whose name, profile name or number contains `search`.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Contact>> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let tenant = access.tenant();
        let has_previous = after.is_some();
        let page = page_request("contact", first, after)?;
        let state = ctx.data_unchecked::<Services>();
        let rows = state
            .conversations
            .contacts(&access, search.as_deref(), page)
            .await?;
        Ok(connection(
            "contact",
            rows,
            has_previous,
            |c| c.id.into_uuid(),
            |c| Contact(c, tenant),
        ))
    }

    async fn contact(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Contact>> {
        let tenant = viewer(ctx)?.access::<Agent>()?.tenant();
        let id: ContactId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        Ok(Some(Contact(
            state.conversations.contact(tenant, id).await?,
            tenant,
        )))
    }

    /// Conversations, most recently opened first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn conversations(
        &self,
        ctx: &Context<'_>,
        filter: Option<ConversationFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Conversation>> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let tenant = access.tenant();
        let filter = filter.unwrap_or_default();
        let store_filter = StoreFilter {
            status: filter.status.map(Into::into),
            channel: filter
                .channel_id
                .as_ref()
                .map(|id| parse_id("filter.channelId", id))
                .transpose()?,
            contact: filter
                .contact_id
                .as_ref()
                .map(|id| parse_id("filter.contactId", id))
                .transpose()?,
            queue: filter
                .queue_id
                .as_ref()
                .map(|id| parse_id("filter.queueId", id))
                .transpose()?,
            labels: filter
                .label_ids
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, id)| parse_id(&format!("filter.labelIds[{i}]"), id))
                .collect::<Result<_, _>>()?,
            assignee: filter
                .assignee_id
                .as_ref()
                .map(|id| parse_id("filter.assigneeId", id))
                .transpose()?,
            assigned: filter.assigned,
            window_open: filter.window_open.map(|open| (open, Utc::now())),
            unread: match filter.unread {
                None => None,
                Some(unread) => Some((unread, reader(&access, "filter.unread")?)),
            },
        };
        let has_previous = after.is_some();
        let page = page_request("conversation", first, after)?;
        let state = ctx.data_unchecked::<Services>();
        let visibility = super::guards::visibility(ctx).await?;
        let rows = state
            .conversations
            .conversations(&access, &visibility, &store_filter, page)
            .await?;
        Ok(connection(
            "conversation",
            rows,
            has_previous,
            |c| c.id.into_uuid(),
            |c| Conversation(c, tenant),
        ))
    }

    /// The signed-in member's unread customer messages in the unresolved conversations
    /// assigned to them: the inbox badge.
    async fn unread_counts(&self, ctx: &Context<'_>) -> GqlResult<UnreadCounts> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let user = access.user_id().ok_or_else(|| {
            crate::error::AppError::Forbidden("only a signed-in member has an inbox")
        })?;
        let state = ctx.data_unchecked::<Services>();
        let counts = state.conversations.unread_counts(&access, user).await?;
        Ok(UnreadCounts {
            conversations: counts.conversations,
            messages: counts.messages,
        })
    }

    async fn conversation(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Conversation>> {
        let tenant = viewer(ctx)?.access::<Agent>()?.tenant();
        let id: ConversationId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        let visibility = super::guards::visibility(ctx).await?;
        Ok(Some(Conversation(
            state
                .conversations
                .conversation(tenant, &visibility, id)
                .await?,
            tenant,
        )))
    }
}

/// Unread customer messages, and the conversations that have them.
#[derive(async_graphql::SimpleObject)]
pub struct UnreadCounts {
    pub conversations: u64,
    pub messages: u64,
}

#[derive(Default)]
pub struct ConversationMutation;

#[Object]
impl ConversationMutation {
    /// Marks a conversation read by the signed-in member, up to now.
    async fn mark_conversation_read(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Conversation> {
        let id: ConversationId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let user = reader(&access, "id")?;
        let state = ctx.data_unchecked::<Services>();
        let record = state.conversations.mark_read(&access, user, id).await?;
        Ok(Conversation(record, access.tenant()))
    }

    /// Opts a contact out of (or back into) messages from the tenant, as the customer's
    /// keywords would.
    async fn set_contact_opt_in(
        &self,
        ctx: &Context<'_>,
        contact_id: ID,
        opted_in: bool,
    ) -> GqlResult<Contact> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let id: ContactId = parse_id("contactId", &contact_id)?;
        let state = ctx.data_unchecked::<Services>();
        let contact = state
            .conversations
            .set_opt_in(&access, id, opted_in)
            .await?;
        Ok(Contact(contact, access.tenant()))
    }
}
