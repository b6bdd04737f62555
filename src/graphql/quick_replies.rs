//! Quick replies in the API: every member lists them and renders one for a conversation;
//! owners and admins define them.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::channels::MediaKindGql;
use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::quick_reply::ReplyText;
use crate::domain::records::{QuickReplyRecord, ReplyMedia};
use crate::domain::{ConversationId, QueueId, QuickReplyId};
use crate::services::auth::Agent;
use crate::services::quick_replies::{NewQuickReply, QuickReplyUpdate};
use crate::services::Services;

/// A saved reply agents insert by its shortcut; its text may name variables such as
/// `{{contact.name}}`.
pub struct QuickReply(pub QuickReplyRecord);

#[Object]
impl QuickReply {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The queue the reply belongs to; null for the whole tenant's.
    async fn queue_id(&self) -> Option<ID> {
        self.0.queue.map(|q| ID(q.to_string()))
    }
    /// Unique per queue (or among the tenant's own), in any case.
    async fn shortcut(&self) -> &str {
        &self.0.shortcut
    }
    /// The text as written, variables included.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// The variables the text names (`contact.name`, `contact.tier`, `agent.name`, …).
    async fn variables(&self) -> Vec<String> {
        ReplyText::parse(&self.0.text)
            .map(|t| t.variables().iter().map(|v| v.name()).collect())
            .unwrap_or_default()
    }
    async fn media(&self) -> Option<QuickReplyMedia> {
        self.0.media.map(QuickReplyMedia::from)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An uploaded file that goes with a reply; send it as `content.media` with the rendered
/// text as its caption.
#[derive(SimpleObject)]
pub struct QuickReplyMedia {
    #[graphql(name = "type")]
    pub media_type: MediaKindGql,
    /// The id `POST /media` answered.
    pub media_id: ID,
}

impl From<ReplyMedia> for QuickReplyMedia {
    fn from(media: ReplyMedia) -> Self {
        Self {
            media_type: media.kind.into(),
            media_id: ID(media.upload.to_string()),
        }
    }
}

/// A reply's text for one conversation.
#[derive(SimpleObject)]
pub struct RenderedQuickReply {
    pub text: String,
    /// The variables that had no value (they render as empty text), e.g. `contact.tier`.
    pub missing: Vec<String>,
    pub media: Option<QuickReplyMedia>,
}

#[derive(InputObject)]
pub struct QuickReplyMediaInput {
    #[graphql(name = "type")]
    pub media_type: MediaKindGql,
    /// The id `POST /media` answered for an uploaded file.
    pub media_id: ID,
}

#[derive(InputObject)]
pub struct CreateQuickReplyInput {
    /// The queue the reply belongs to; left out, the whole tenant's.
    pub queue_id: Option<ID>,
    /// 1 to 32 letters, digits, `-` or `_`.
    pub shortcut: String,
    /// Written like a message text; variables: `{{contact.name}}`, `{{contact.phone}}`,
    /// `{{contact.<attribute key>}}`, `{{agent.name}}`, `{{agent.email}}`.
    pub text: String,
    pub media: Option<QuickReplyMediaInput>,
}

/// Fields left out stay as they are; a null media removes it. The queue stays.
#[derive(InputObject)]
pub struct UpdateQuickReplyInput {
    pub shortcut: Option<String>,
    pub text: Option<String>,
    pub media: MaybeUndefined<QuickReplyMediaInput>,
}

fn media(input: QuickReplyMediaInput) -> GqlResult<ReplyMedia> {
    Ok(ReplyMedia {
        kind: input.media_type.into(),
        upload: parse_id("media.mediaId", &input.media_id)?,
    })
}

#[derive(Default)]
pub struct QuickReplyQuery;

#[Object]
impl QuickReplyQuery {
    /// The tenant's own quick replies and, with `queueId`, that queue's, by shortcut.
    /// `search` keeps those whose shortcut starts with it or whose text contains it.
    async fn quick_replies(
        &self,
        ctx: &Context<'_>,
        queue_id: Option<ID>,
        search: Option<String>,
    ) -> GqlResult<Vec<QuickReply>> {
        let queue: Option<QueueId> = queue_id.map(|q| parse_id("queueId", &q)).transpose()?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let list = state
            .quick_replies
            .list(&access, queue, search.as_deref())
            .await?;
        Ok(list.into_iter().map(QuickReply).collect())
    }

    /// A reply's text with its variables filled in for a conversation and the caller.
    async fn render_quick_reply(
        &self,
        ctx: &Context<'_>,
        id: ID,
        conversation_id: ID,
    ) -> GqlResult<RenderedQuickReply> {
        let id: QuickReplyId = parse_id("id", &id)?;
        let conversation: ConversationId = parse_id("conversationId", &conversation_id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let (record, rendered) = state
            .quick_replies
            .render(&access, id, conversation)
            .await?;
        Ok(RenderedQuickReply {
            text: rendered.text,
            missing: rendered.missing,
            media: record.media.map(Into::into),
        })
    }
}

#[derive(Default)]
pub struct QuickReplyMutation;

#[Object]
impl QuickReplyMutation {
    async fn create_quick_reply(
        &self,
        ctx: &Context<'_>,
        input: CreateQuickReplyInput,
    ) -> GqlResult<QuickReply> {
        let queue = input
            .queue_id
            .map(|q| parse_id("queueId", &q))
            .transpose()?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = NewQuickReply {
            queue,
            shortcut: input.shortcut,
            text: input.text,
            media: input.media.map(media).transpose()?,
        };
        Ok(QuickReply(
            state.quick_replies.create(&access, input).await?,
        ))
    }

    /// Changes a reply; fields left out stay as they are.
    async fn update_quick_reply(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateQuickReplyInput,
    ) -> GqlResult<QuickReply> {
        let id: QuickReplyId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = QuickReplyUpdate {
            shortcut: input.shortcut,
            text: input.text,
            media: match input.media {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(m) => Some(Some(media(m)?)),
            },
        };
        Ok(QuickReply(
            state.quick_replies.update(&access, id, input).await?,
        ))
    }

    async fn delete_quick_reply(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let id: QuickReplyId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.quick_replies.delete(&access, id).await?)
    }
}
