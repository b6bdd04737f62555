//! Click-to-chat in the API: any member makes a `wa.me` link with its QR code and lists the
//! stored links; owners and admins store and delete them. A conversation opened from a
//! stored link shows it as its `referral`.

use async_graphql::{Context, InputObject, Object, ID};
use chrono::{DateTime, Utc};

use super::channels::Channel;
use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::records::ConversationReferralRecord;
use crate::domain::{ChannelId, ClickToChatLinkId, TenantId};
use crate::services::auth::Agent;
use crate::services::click_to_chat::{ChatLink, NewClickToChatLink, StoredLink};
use crate::services::Services;

/// A link that opens a WhatsApp chat with a channel's number, its text prefilled, and the
/// link's QR code.
pub struct ClickToChat(pub ChatLink);

#[Object]
impl ClickToChat {
    /// `https://wa.me/<number digits>?text=<percent-encoded text>`; no `text` parameter
    /// when nothing is prefilled.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The prefilled text, the referral tag (`[ref:<tag>]`) at its end when there is one.
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }
    /// The referral tag the text carries; a conversation opened by a message with it
    /// records the stored link as its `referral`.
    async fn referral_tag(&self) -> Option<&str> {
        self.0.link.as_ref().map(|l| l.tag.as_str())
    }
    /// The link's QR code as an SVG document (black on white, with its quiet zone).
    async fn qr_code_svg(&self) -> GqlResult<String> {
        Ok(self.0.qr_svg()?)
    }
    /// The link's QR code as a PNG image in a data URL (`data:image/png;base64,…`), 8
    /// pixels a module, ready for an `<img src>`.
    async fn qr_code_png(&self) -> GqlResult<String> {
        Ok(self.0.qr_png()?)
    }
}

/// A stored click-to-chat link of a channel, for one place it is published (a campaign, a
/// web page, a flyer). Its tag rides in the prefilled text, so the conversations it opens
/// are counted and show where they came from.
pub struct ClickToChatLink(pub StoredLink, pub TenantId);

#[Object]
impl ClickToChatLink {
    async fn id(&self) -> ID {
        ID(self.0.record.id.to_string())
    }
    async fn channel_id(&self) -> ID {
        ID(self.0.record.channel.to_string())
    }
    async fn channel(&self, ctx: &Context<'_>) -> GqlResult<Channel> {
        Ok(Channel(
            super::loaders::channel(ctx, self.1, self.0.record.channel).await?,
        ))
    }
    /// Unique within the organisation: lowercase letters, digits and `-`.
    async fn tag(&self) -> &str {
        &self.0.record.tag
    }
    /// Where the link is published.
    async fn source(&self) -> &str {
        &self.0.record.source
    }
    /// The text prefilled before the tag, if any.
    async fn text(&self) -> Option<&str> {
        self.0.record.text.as_deref()
    }
    /// The link itself and its QR code.
    async fn link(&self, ctx: &Context<'_>) -> GqlResult<ClickToChat> {
        let state = ctx.data_unchecked::<Services>();
        Ok(ClickToChat(
            state.click_to_chat.link_of(self.1, &self.0.record).await?,
        ))
    }
    /// How many conversations a message carrying the tag opened.
    async fn conversations_opened(&self) -> u64 {
        self.0.conversations_opened
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.record.created_at
    }
}

/// Which stored click-to-chat link opened a conversation: its tag and source as they were
/// when the customer's first message arrived.
pub struct ConversationReferral(pub ConversationReferralRecord, pub TenantId);

#[Object]
impl ConversationReferral {
    async fn tag(&self) -> &str {
        &self.0.tag
    }
    /// Where the link was published.
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// When the conversation was opened from the link.
    async fn linked_at(&self) -> DateTime<Utc> {
        self.0.linked_at
    }
    /// The stored link; null once it is deleted.
    async fn link(&self, ctx: &Context<'_>) -> GqlResult<Option<ClickToChatLink>> {
        let Some(id) = self.0.link else {
            return Ok(None);
        };
        let state = ctx.data_unchecked::<Services>();
        let stored = state.click_to_chat.get(self.1, id).await?;
        Ok(Some(ClickToChatLink(stored, self.1)))
    }
}

#[derive(InputObject)]
pub struct CreateClickToChatLinkInput {
    pub channel_id: ID,
    /// Where the link is published: a campaign, a web page, a flyer (1 to 200 characters).
    pub source: String,
    /// Text prefilled before the tag (at most 500 characters).
    pub text: Option<String>,
    /// 3 to 32 lowercase letters, digits and `-`; made from the source when left out.
    pub tag: Option<String>,
}

#[derive(Default)]
pub struct ClickToChatQuery;

#[Object]
impl ClickToChatQuery {
    /// The `wa.me` link to a channel's number with `text` prefilled (at most 500
    /// characters), and its QR code. `referral` is the tag of one of the channel's stored
    /// links: the text then carries it (and is the link's own text when none is given).
    /// Another tenant's channel, or a tag no link of the channel has, answers NOT_FOUND.
    async fn click_to_chat_link(
        &self,
        ctx: &Context<'_>,
        channel_id: ID,
        text: Option<String>,
        referral: Option<String>,
    ) -> GqlResult<ClickToChat> {
        let channel: ChannelId = parse_id("channelId", &channel_id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(ClickToChat(
            state
                .click_to_chat
                .link(&access, channel, text, referral)
                .await?,
        ))
    }

    /// The stored click-to-chat links, of one channel or all, oldest first, with the
    /// conversations each opened.
    async fn click_to_chat_links(
        &self,
        ctx: &Context<'_>,
        channel_id: Option<ID>,
    ) -> GqlResult<Vec<ClickToChatLink>> {
        let channel: Option<ChannelId> =
            channel_id.map(|c| parse_id("channelId", &c)).transpose()?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let tenant = access.tenant();
        let state = ctx.data_unchecked::<Services>();
        let links = state.click_to_chat.list(&access, channel).await?;
        Ok(links
            .into_iter()
            .map(|l| ClickToChatLink(l, tenant))
            .collect())
    }
}

#[derive(Default)]
pub struct ClickToChatMutation;

#[Object]
impl ClickToChatMutation {
    /// Stores a click-to-chat link for a channel and the place it is published (owners and
    /// admins). A tag the organisation already uses answers BAD_USER_INPUT.
    async fn create_click_to_chat_link(
        &self,
        ctx: &Context<'_>,
        input: CreateClickToChatLinkInput,
    ) -> GqlResult<ClickToChatLink> {
        let channel: ChannelId = parse_id("channelId", &input.channel_id)?;
        let access = viewer(ctx)?.access()?;
        let tenant = access.tenant();
        let state = ctx.data_unchecked::<Services>();
        let input = NewClickToChatLink {
            channel,
            source: input.source,
            text: input.text,
            tag: input.tag,
        };
        let stored = state.click_to_chat.create(&access, input).await?;
        Ok(ClickToChatLink(stored, tenant))
    }

    /// Deletes a stored link (owners and admins). The conversations it opened keep their
    /// referral's tag and source.
    async fn delete_click_to_chat_link(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let id: ClickToChatLinkId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.click_to_chat.delete(&access, id).await?)
    }
}
