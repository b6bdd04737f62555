//! Messages in the API: the message type (its content is in `content.rs`), timeline and
//! attachments, and the history / change-feed query.

use async_graphql::connection::{Connection, Edge};
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::channels::Channel;
use super::connection::{decode_cursor, encode_cursor, page_request};
use super::content::MessageContentGql;
use super::conversations::{Contact, Conversation};
use super::errors::GqlResult;
use super::guards::viewer;
use super::loaders::{AttemptsOf, MessageDetails, TimelineOf};
use super::types::parse_id;
use crate::domain::content::Referral;
use crate::domain::records::{
    AttachmentOrigin, MessageFilter as StoreFilter, MessageOrder, MessageRecord,
};
use crate::domain::PageRequest;
use crate::domain::{Direction, MessageContent, TenantId, Visibility};
use crate::error::AppError;
use crate::services::auth::Agent;
use crate::services::history;
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Direction", remote = "crate::domain::Direction")]
pub enum DirectionGql {
    Inbound,
    Outbound,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MessageStatus", remote = "crate::domain::MessageStatus")]
pub enum MessageStatusGql {
    Received,
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
}

/// One step of a message's status timeline.
#[derive(SimpleObject)]
pub struct StatusChange {
    pub status: MessageStatusGql,
    /// The provider's own word (`undelivered`, `played`, …).
    pub provider_status: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub at: DateTime<Utc>,
}

/// Where a customer came from: a click-to-WhatsApp ad or post.
#[derive(SimpleObject)]
pub struct ReferralInfo {
    pub source_url: Option<String>,
    pub source_id: Option<String>,
    /// `ad` or `post`.
    pub source_type: Option<String>,
    pub headline: Option<String>,
    pub body: Option<String>,
    /// The click id (`ctwa_clid`) for ad attribution.
    pub click_id: Option<String>,
}

impl From<Referral> for ReferralInfo {
    fn from(r: Referral) -> Self {
        Self {
            source_url: r.source_url,
            source_id: r.source_id,
            source_type: r.source_type,
            headline: r.headline,
            body: r.body,
            click_id: r.ctwa_clid,
        }
    }
}

#[derive(SimpleObject)]
pub struct ProviderErrorInfo {
    pub code: String,
    pub message: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "AttachmentState",
    remote = "crate::domain::records::AttachmentState"
)]
pub enum AttachmentStateGql {
    Pending,
    Ready,
    Failed,
}

/// Where an attachment's file came from.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "AttachmentOrigin",
    remote = "crate::domain::records::AttachmentOrigin"
)]
pub enum AttachmentOriginGql {
    /// Fetched from the provider: the customer sent it.
    Fetched,
    /// We sent it from an upload (`POST /media`).
    Upload,
    /// We sent it from a public URL, which the provider fetched; no copy is kept.
    Link,
}

#[derive(SimpleObject)]
pub struct Attachment {
    pub id: ID,
    /// A link to the file: ours, valid for 15 minutes, once it is ready; or, for media we
    /// sent by link, that public URL.
    pub url: Option<String>,
    pub origin: AttachmentOriginGql,
    /// The upload media we sent came from.
    pub upload_id: Option<ID>,
    /// The caption sent or received with the file.
    pub caption: Option<String>,
    pub content_type: Option<String>,
    pub filename: Option<String>,
    pub state: AttachmentStateGql,
    pub size_bytes: Option<i64>,
    /// Fetch attempts so far.
    pub attempts: i32,
    pub last_error: Option<String>,
}

pub struct Message(pub MessageRecord, pub TenantId);

#[Object]
impl Message {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn direction(&self) -> DirectionGql {
        self.0.direction.into()
    }
    async fn status(&self) -> MessageStatusGql {
        self.0.status.into()
    }
    /// The text or caption, when there is one.
    async fn text(&self) -> Option<&str> {
        self.0.content.text()
    }
    async fn content(&self) -> MessageContentGql {
        (&self.0.content).into()
    }
    async fn provider_message_id(&self) -> Option<&str> {
        self.0.provider_message_id.as_deref()
    }
    /// The provider id of the message this one quotes.
    async fn reply_to_provider_id(&self) -> Option<&str> {
        self.0.reply_to_provider_id.as_deref()
    }
    /// Forwarded by the customer.
    async fn forwarded(&self) -> bool {
        self.0.forwarded
    }
    /// The click-to-WhatsApp ad or post the customer came from.
    async fn referral(&self) -> Option<ReferralInfo> {
        self.0.referral.clone().map(Into::into)
    }
    /// This message's place among the parts of a long text sent in parts, from 1; 1 when
    /// it went whole.
    async fn part_number(&self) -> i32 {
        self.0.part.number
    }
    /// How many messages the text it belongs to was sent as; 1 when it went whole.
    async fn part_count(&self) -> i32 {
        self.0.part.count
    }
    /// Every part of the text this message belongs to, in order, this one included (just
    /// this message when it went whole).
    async fn parts(&self, ctx: &Context<'_>) -> GqlResult<Vec<Message>> {
        let state = ctx.data_unchecked::<Services>();
        Ok(state
            .history
            .parts(self.1, &self.0)
            .await?
            .into_iter()
            .map(|m| Message(m, self.1))
            .collect())
    }
    /// When the provider says it was written (inbound) or when it was created (outbound).
    async fn sent_at(&self) -> DateTime<Utc> {
        self.0.sent_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The cursor of this message's latest change, for `messages(after:)`.
    #[graphql(
        deprecation = "changes are ordered by the event log: use MessageEvent.cursor with messages(after:)"
    )]
    async fn revision(&self) -> String {
        encode_cursor("rev", self.0.revision)
    }
    async fn last_error(&self) -> Option<ProviderErrorInfo> {
        self.0.error_code.clone().map(|code| ProviderErrorInfo {
            code,
            message: self.0.error_message.clone(),
        })
    }
    async fn status_history(&self, ctx: &Context<'_>) -> GqlResult<Vec<StatusChange>> {
        let steps = ctx
            .data_unchecked::<DataLoader<MessageDetails>>()
            .load_one(TimelineOf(self.1, self.0.id))
            .await?
            .unwrap_or_default();
        Ok(steps
            .into_iter()
            .map(|s| StatusChange {
                status: s.status.into(),
                provider_status: s.raw_status,
                error_code: s.error_code,
                error_message: s.error_message,
                at: s.occurred_at,
            })
            .collect())
    }
    async fn attachments(&self, ctx: &Context<'_>) -> GqlResult<Vec<Attachment>> {
        let state = ctx.data_unchecked::<Services>();
        let list = state.history.attachments(self.1, self.0.id).await?;
        let caption = match &self.0.content {
            MessageContent::Media { caption, .. } => caption.clone(),
            _ => None,
        };
        Ok(list
            .into_iter()
            .map(|history::Attachment { record: a, url }| Attachment {
                url,
                origin: a.origin.into(),
                upload_id: (a.origin == AttachmentOrigin::Upload).then(|| ID(a.reference.clone())),
                caption: caption.clone(),
                id: ID(a.id.to_string()),
                content_type: a.content_type,
                filename: a.filename,
                state: a.state.into(),
                size_bytes: a.size_bytes,
                attempts: a.attempts,
                last_error: a.last_error,
            })
            .collect())
    }
    /// Every call made to the provider to send this message.
    async fn attempts(&self, ctx: &Context<'_>) -> GqlResult<Vec<super::sending::DeliveryAttempt>> {
        let list = ctx
            .data_unchecked::<DataLoader<MessageDetails>>()
            .load_one(AttemptsOf(self.1, self.0.id))
            .await?
            .unwrap_or_default();
        Ok(list
            .into_iter()
            .map(|a| super::sending::DeliveryAttempt {
                number: a.number,
                started_at: a.started_at,
                duration_ms: a.duration_ms,
                request: a.request,
                http_status: a.http_status,
                outcome: a.outcome.into(),
                provider_code: a.provider_code,
                provider_message: a.provider_message,
                provider_message_id: a.provider_message_id,
            })
            .collect())
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
    async fn conversation(&self, ctx: &Context<'_>) -> GqlResult<Option<Conversation>> {
        let Some(id) = self.0.conversation else {
            return Ok(None);
        };
        Ok(Some(Conversation(
            super::loaders::conversation(ctx, self.1, id).await?,
            self.1,
        )))
    }
}

#[derive(InputObject, Default)]
pub struct MessageFilter {
    pub channel_id: Option<ID>,
    pub contact_id: Option<ID>,
    pub conversation_id: Option<ID>,
    pub direction: Option<DirectionGql>,
    pub status: Option<MessageStatusGql>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Case-insensitive text contained in the body or caption, anywhere (not only at a
    /// word's start). Terms of 3 characters or more are looked up in an index of
    /// 3-character sequences; a shorter one is checked on each message the other filters
    /// select, newest first, so give it other filters on a large history.
    pub text: Option<String>,
}

pub fn store_filter(filter: MessageFilter) -> Result<StoreFilter, AppError> {
    Ok(StoreFilter {
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
        conversation: filter
            .conversation_id
            .as_ref()
            .map(|id| parse_id("filter.conversationId", id))
            .transpose()?,
        direction: filter.direction.map(|d| match d {
            DirectionGql::Inbound => Direction::Inbound,
            DirectionGql::Outbound => Direction::Outbound,
        }),
        status: filter.status.map(Into::into),
        from: filter.from,
        to: filter.to,
        text: filter.text,
        only: None,
    })
}

/// A page of the messages `visibility` sees. `after` takes a message cursor (history,
/// newest first) or a `revision` / event cursor (the change feed: every message created or
/// changed since).
pub async fn message_page(
    state: &Services,
    tenant: TenantId,
    visibility: &Visibility,
    filter: StoreFilter,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, Message>, AppError> {
    if let Some(seq) = after
        .as_deref()
        .and_then(|c| super::connection::decode_event_cursor(c).ok())
    {
        let first = page_request("evt", first, None)?.first;
        let rows = state
            .history
            .changes(tenant, visibility, &filter, seq, first)
            .await?;
        let mut conn = Connection::new(true, rows.has_next);
        conn.edges.extend(rows.items.into_iter().map(|(seq, m)| {
            Edge::new(
                super::connection::encode_event_cursor(seq),
                Message(m, tenant),
            )
        }));
        return Ok(conn);
    }
    let (order, page) = match after.as_deref().map(|c| decode_cursor("rev", c)) {
        Some(Ok(revision)) => {
            let page = page_request("rev", first, None)?;
            (
                MessageOrder::Changes,
                PageRequest {
                    first: page.first,
                    after: Some(revision),
                },
            )
        }
        _ => (
            MessageOrder::Newest,
            page_request("msg", first, after.clone())?,
        ),
    };
    let rows = state
        .history
        .messages(tenant, visibility, &filter, order, page)
        .await?;
    let mut conn = Connection::new(after.is_some(), rows.has_next);
    conn.edges.extend(rows.items.into_iter().map(|m| {
        let cursor = match order {
            MessageOrder::Newest | MessageOrder::Oldest => encode_cursor("msg", m.id.into_uuid()),
            MessageOrder::Changes => encode_cursor("rev", m.revision),
        };
        Edge::new(cursor, Message(m, tenant))
    }));
    Ok(conn)
}

#[derive(Default)]
pub struct MessageQuery;

#[Object]
impl MessageQuery {
    /// Message history, newest first; or, after an event's `cursor` (from `messageEvents`
    /// or an earlier page of this feed), every message created or changed since, each once
    /// at its latest change, oldest change first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        filter: Option<MessageFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Message>> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let filter = store_filter(filter.unwrap_or_default())?;
        let visibility = super::guards::visibility(ctx).await?;
        state
            .history
            .check_filter(&access, &visibility, &filter)
            .await?;
        Ok(message_page(state, access.tenant(), &visibility, filter, first, after).await?)
    }

    async fn message(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Message>> {
        let tenant = viewer(ctx)?.access::<Agent>()?.tenant();
        let state = ctx.data_unchecked::<Services>();
        let id = parse_id("id", &id)?;
        let visibility = super::guards::visibility(ctx).await?;
        Ok(Some(Message(
            state.history.message(tenant, &visibility, id).await?,
            tenant,
        )))
    }
}
