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

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ConversationStatus {
    Open,
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
        if self.0.open {
            ConversationStatus::Open
        } else {
            ConversationStatus::Resolved
        }
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
    async fn channel(&self, ctx: &Context<'_>) -> GqlResult<Channel> {
        let state = ctx.data_unchecked::<Services>();
        Ok(Channel(
            state.channels.get_in(self.1, self.0.channel).await?,
        ))
    }
    async fn contact(&self, ctx: &Context<'_>) -> GqlResult<Contact> {
        let state = ctx.data_unchecked::<Services>();
        Ok(Contact(
            state.conversations.contact(self.1, self.0.contact).await?,
            self.1,
        ))
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
}

#[derive(InputObject, Default)]
pub struct ConversationFilter {
    pub status: Option<ConversationStatus>,
    pub channel_id: Option<ID>,
    pub contact_id: Option<ID>,
    pub queue_id: Option<ID>,
    /// Conversations that have every one of these labels (at most 50).
    pub label_ids: Option<Vec<ID>>,
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
            open: filter.status.map(|s| s == ConversationStatus::Open),
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

#[derive(Default)]
pub struct ConversationMutation;

#[Object]
impl ConversationMutation {
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
