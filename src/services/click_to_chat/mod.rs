//! Click-to-chat: `https://wa.me/…` links to a channel's number with a QR code, and stored
//! links for the places they are published (a campaign, a web page). A stored link's tag
//! rides in its prefilled text; a conversation opened by a message carrying a known tag
//! records which link it came from. Any member lists links and makes a link; owners and
//! admins store and delete them.

pub mod qr;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::domain::audit::AuditEvent;
use crate::domain::click_to_chat::{self as rules, LINKS_MAX};
use crate::domain::records::{ChannelRecord, ClickToChatLinkRecord, ConversationReferralRecord};
use crate::domain::{ChannelId, ClickToChatLinkId, ConversationId, PhoneNumber, TenantId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::services::definitions::{bad, taken, within_limit};
use crate::store::{Store, StoreError, TenantScope};

const TAG_TAKEN: &str = "another click-to-chat link of this organisation has this tag";

/// A link that opens a chat with a channel's number, its text prefilled.
#[derive(Clone, Debug)]
pub struct ChatLink {
    /// `https://wa.me/<digits>?text=…`.
    pub url: String,
    /// The prefilled text, the tag included.
    pub text: Option<String>,
    /// The stored link whose tag the text carries.
    pub link: Option<ClickToChatLinkRecord>,
}

impl ChatLink {
    /// The link's QR code as an SVG document.
    pub fn qr_svg(&self) -> Result<String, AppError> {
        qr::svg(&self.url).map_err(qr_error)
    }

    /// The link's QR code as a `data:image/png;base64,…` URL.
    pub fn qr_png(&self) -> Result<String, AppError> {
        qr::png_data_url(&self.url).map_err(qr_error)
    }
}

/// A stored link and how many conversations it opened.
#[derive(Clone, Debug)]
pub struct StoredLink {
    pub record: ClickToChatLinkRecord,
    pub conversations_opened: u64,
}

/// A link to store, as given.
#[derive(Debug, Default)]
pub struct NewClickToChatLink {
    pub channel: ChannelId,
    pub source: String,
    pub text: Option<String>,
    /// None: one is made from the source.
    pub tag: Option<String>,
}

fn qr_error(e: qr::QrError) -> AppError {
    match e {
        qr::QrError::TooLong => AppError::bad_input("text", e),
        qr::QrError::Png(_) => AppError::internal(anyhow::anyhow!(e)),
    }
}

/// The link to `channel`'s number with `text` and `link`'s tag prefilled.
fn chat_link(
    channel: &ChannelRecord,
    text: Option<&str>,
    link: Option<ClickToChatLinkRecord>,
) -> Result<ChatLink, AppError> {
    let number = PhoneNumber::parse(&channel.phone_number)
        .map_err(|e| AppError::internal(anyhow::anyhow!("channel {} number: {e}", channel.id)))?;
    let text = rules::prefilled_text(text, link.as_ref().map(|l| l.tag.as_str()));
    let url = rules::wa_me_url(number.digits(), text.as_deref());
    qr::fits(&url).map_err(qr_error)?;
    Ok(ChatLink { url, text, link })
}

/// A tag made from the source (`"Spring campaign"` → `spring-campaign-4f1a`), readable
/// in the customer's message and unlikely to be taken.
fn tag_from(source: &str) -> String {
    let plain = source
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let mut slug = String::new();
    for c in plain.chars().flat_map(char::to_lowercase) {
        if slug.len() >= 20 {
            break;
        }
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let suffix = crate::crypto::token::random_hex(2);
    if slug.is_empty() {
        format!("link-{suffix}")
    } else {
        format!("{slug}-{suffix}")
    }
}

#[derive(Clone)]
pub struct ClickToChatService {
    store: Store,
}

impl ClickToChatService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The link to a channel's number with `text` prefilled and, with `referral`, the tag
    /// of one of the channel's stored links (its text when none is given). Another
    /// tenant's channel, or a tag no link of the channel has, answers NOT_FOUND.
    pub async fn link(
        &self,
        access: &Access<Agent>,
        channel: ChannelId,
        text: Option<String>,
        referral: Option<String>,
    ) -> Result<ChatLink, AppError> {
        if let Some(text) = &text {
            rules::check_text(text).map_err(bad("text"))?;
        }
        let scope = self.store.tenant(access.tenant());
        let channel = scope.channels().get(channel).await?;
        let link = match referral {
            None => None,
            Some(tag) => {
                let tag = rules::parse_tag(&tag).map_err(bad("referral"))?;
                let found = scope.click_to_chat().find_by_tag(&tag).await?;
                Some(
                    found
                        .filter(|l| l.channel == channel.id)
                        .ok_or(AppError::NotFound)?,
                )
            }
        };
        let text = text.or_else(|| link.as_ref().and_then(|l| l.text.clone()));
        chat_link(&channel, text.as_deref(), link)
    }

    /// A stored link's chat link, as its channel's number is now.
    pub async fn link_of(
        &self,
        tenant: TenantId,
        record: &ClickToChatLinkRecord,
    ) -> Result<ChatLink, AppError> {
        let channel = self
            .store
            .tenant(tenant)
            .channels()
            .get(record.channel)
            .await?;
        chat_link(&channel, record.text.as_deref(), Some(record.clone()))
    }

    /// The tenant's stored links, or one channel's, with the conversations each opened.
    pub async fn list(
        &self,
        access: &Access<Agent>,
        channel: Option<ChannelId>,
    ) -> Result<Vec<StoredLink>, AppError> {
        let scope = self.store.tenant(access.tenant());
        if let Some(channel) = channel {
            scope.channels().get(channel).await?;
        }
        let links = scope.click_to_chat().list(channel).await?;
        let ids: Vec<ClickToChatLinkId> = links.iter().map(|l| l.id).collect();
        let counts = scope.click_to_chat().conversations_opened(&ids).await?;
        Ok(links
            .into_iter()
            .map(|record| StoredLink {
                conversations_opened: counts.get(&record.id).copied().unwrap_or_default(),
                record,
            })
            .collect())
    }

    /// One stored link with the conversations it opened; another tenant's answers
    /// NOT_FOUND.
    pub async fn get(
        &self,
        tenant: TenantId,
        id: ClickToChatLinkId,
    ) -> Result<StoredLink, AppError> {
        let links = self.store.tenant(tenant);
        let links = links.click_to_chat();
        let record = links.get(id).await?;
        let counts = links.conversations_opened(&[id]).await?;
        Ok(StoredLink {
            conversations_opened: counts.get(&id).copied().unwrap_or_default(),
            record,
        })
    }

    /// Stores a link for a channel; its tag is unique within the tenant.
    pub async fn create(
        &self,
        access: &Access<Admin>,
        input: NewClickToChatLink,
    ) -> Result<StoredLink, AppError> {
        rules::check_source(&input.source).map_err(bad("source"))?;
        let text = input
            .text
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if let Some(text) = &text {
            rules::check_text(text).map_err(bad("text"))?;
        }
        let tag = match &input.tag {
            Some(tag) => rules::parse_tag(tag).map_err(bad("tag"))?,
            None => tag_from(&input.source),
        };
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let channel = scope.channels().get(input.channel).await?;
        let links = scope.click_to_chat();
        within_limit(links.count().await?, LINKS_MAX, "click-to-chat links")?;
        let record = ClickToChatLinkRecord {
            id: ClickToChatLinkId::new(),
            channel: channel.id,
            tag,
            source: input.source.trim().to_owned(),
            text,
            created_at: unit.now(),
        };
        chat_link(&channel, record.text.as_deref(), Some(record.clone()))?;
        if links.find_by_tag(&record.tag).await?.is_some() {
            return Err(AppError::bad_input("tag", TAG_TAKEN));
        }
        links
            .insert(&record)
            .await
            .map_err(taken("tag", TAG_TAKEN))?;
        let event = AuditEvent::ClickToChatLink {
            link: record.id,
            channel: record.channel,
            created: true,
            tag: &record.tag,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(StoredLink {
            record,
            conversations_opened: 0,
        })
    }

    /// Deletes a stored link. The conversations it opened keep their referral's tag and
    /// source; a message carrying the tag opens no referral any more.
    pub async fn delete(
        &self,
        access: &Access<Admin>,
        id: ClickToChatLinkId,
    ) -> Result<bool, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let links = unit.scope().click_to_chat();
        let record = links.get(id).await?;
        links.delete(id).await?;
        let event = AuditEvent::ClickToChatLink {
            link: record.id,
            channel: record.channel,
            created: false,
            tag: &record.tag,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(true)
    }

    /// Which link opened a conversation the caller reached, if one did.
    pub async fn referral_of(
        &self,
        tenant: TenantId,
        conversation: ConversationId,
    ) -> Result<Option<ConversationReferralRecord>, AppError> {
        Ok(self
            .store
            .tenant(tenant)
            .click_to_chat()
            .referral_of(conversation)
            .await?)
    }
}

/// Records the referral of a conversation just opened on `channel` by a message whose text
/// carries the tag of one of the channel's stored links. Part of the inbound unit of work.
pub async fn on_open<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: &ChannelRecord,
    conversation: ConversationId,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(tag) = rules::find_tag(text) else {
        return Ok(());
    };
    let links = scope.click_to_chat();
    let Some(link) = links
        .find_by_tag(&tag)
        .await?
        .filter(|l| l.channel == channel.id)
    else {
        return Ok(());
    };
    links
        .record_referral(&ConversationReferralRecord {
            conversation,
            link: Some(link.id),
            tag: link.tag,
            source: link.source,
            linked_at: now,
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_made_from_sources_are_valid_tags() {
        for source in [
            "Spring campaign 2026",
            "https://shop.example/contact?x=1",
            "   ",
            "¡Olé!",
        ] {
            let tag = tag_from(source);
            assert_eq!(
                rules::parse_tag(&tag).as_deref(),
                Ok(tag.as_str()),
                "{source}"
            );
        }
        assert!(tag_from("Spring campaign").starts_with("spring-campaign-"));
    }
}
