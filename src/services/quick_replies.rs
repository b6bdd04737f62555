//! Quick replies: saved texts, the tenant's own or a queue's, that agents insert by a
//! shortcut. Owners and admins define them; any member lists them and renders one for a
//! conversation, its variables filled in from the contact and the calling agent.

use crate::domain::audit::{AuditEvent, QuickReplyChange};
use crate::domain::free_text::{self, Lines};
use crate::domain::quick_reply::{self, Rendered, ReplyError, ReplyText, ReplyValues, Variable};
use crate::domain::records::{QuickReplyRecord, ReplyMedia};
use crate::domain::{ConversationId, QueueId, QuickReplyId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::services::contacts::contact_profile;
use crate::services::definitions::{bad, taken, within_limit};
use crate::store::{Store, StoreError, TenantScope};

const SHORTCUT_TAKEN: &str =
    "another quick reply of the same queue (or the tenant's own) has this shortcut";

/// A new reply as given.
#[derive(Debug)]
pub struct NewQuickReply {
    /// `None` for the whole tenant.
    pub queue: Option<QueueId>,
    pub shortcut: String,
    pub text: String,
    pub media: Option<ReplyMedia>,
}

/// A reply's changes; `None` leaves a field as it is. Its queue stays as it was made.
#[derive(Debug, Default)]
pub struct QuickReplyUpdate {
    pub shortcut: Option<String>,
    pub text: Option<String>,
    /// `Some(None)` removes the media.
    pub media: Option<Option<ReplyMedia>>,
}

#[derive(Clone)]
pub struct QuickReplyService {
    store: Store,
}

impl QuickReplyService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The tenant's own replies and, with `queue`, that queue's, by shortcut; `search`
    /// keeps those whose shortcut starts with it or whose text contains it.
    pub async fn list(
        &self,
        access: &Access<Agent>,
        queue: Option<QueueId>,
        search: Option<&str>,
    ) -> Result<Vec<QuickReplyRecord>, AppError> {
        if let Some(term) = search {
            free_text::check(term, free_text::SEARCH_MAX, Lines::One).map_err(bad("search"))?;
        }
        let scope = self.store.tenant(access.tenant());
        if let Some(queue) = queue {
            scope.queues().get(queue).await?;
        }
        Ok(scope.quick_replies().list(queue, search).await?)
    }

    pub async fn create(
        &self,
        access: &Access<Admin>,
        input: NewQuickReply,
    ) -> Result<QuickReplyRecord, AppError> {
        let shortcut = quick_reply::parse_shortcut(&input.shortcut).map_err(bad("shortcut"))?;
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        if let Some(queue) = input.queue {
            scope.queues().get(queue).await?;
        }
        check_text(&scope, &input.text).await?;
        check_media(&scope, input.media).await?;
        let replies = scope.quick_replies();
        within_limit(
            replies.count().await?,
            quick_reply::REPLIES_MAX,
            "quick replies",
        )?;
        let record = QuickReplyRecord {
            id: QuickReplyId::new(),
            queue: input.queue,
            shortcut,
            text: input.text,
            media: input.media,
            created_at: unit.now(),
            updated_at: unit.now(),
        };
        replies
            .insert(&record)
            .await
            .map_err(taken("shortcut", SHORTCUT_TAKEN))?;
        let record = replies.get(record.id).await?;
        audit(&unit, access, &record, QuickReplyChange::Created).await?;
        unit.commit().await?;
        Ok(record)
    }

    pub async fn update(
        &self,
        access: &Access<Admin>,
        id: QuickReplyId,
        input: QuickReplyUpdate,
    ) -> Result<QuickReplyRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let replies = scope.quick_replies();
        let mut record = replies.get(id).await?;
        if let Some(shortcut) = input.shortcut {
            record.shortcut = quick_reply::parse_shortcut(&shortcut).map_err(bad("shortcut"))?;
        }
        if let Some(text) = input.text {
            check_text(&scope, &text).await?;
            record.text = text;
        }
        if let Some(media) = input.media {
            check_media(&scope, media).await?;
            record.media = media;
        }
        record.updated_at = unit.now();
        replies
            .update(&record)
            .await
            .map_err(taken("shortcut", SHORTCUT_TAKEN))?;
        let record = replies.get(id).await?;
        audit(&unit, access, &record, QuickReplyChange::Updated).await?;
        unit.commit().await?;
        Ok(record)
    }

    pub async fn delete(&self, access: &Access<Admin>, id: QuickReplyId) -> Result<bool, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let replies = unit.scope().quick_replies();
        let record = replies.get(id).await?;
        replies.delete(id).await?;
        audit(&unit, access, &record, QuickReplyChange::Deleted).await?;
        unit.commit().await?;
        Ok(true)
    }

    /// The reply's text for one conversation: its contact's name, phone and attributes and
    /// the calling agent's name and e-mail filled in. Variables without a value render as
    /// empty text and are named in `missing`.
    pub async fn render(
        &self,
        access: &Access<Agent>,
        id: QuickReplyId,
        conversation: ConversationId,
    ) -> Result<(QuickReplyRecord, Rendered), AppError> {
        let scope = self.store.tenant(access.tenant());
        let record = scope.quick_replies().get(id).await?;
        let visibility = super::visibility::of(&scope, access).await?;
        let conversation =
            super::visibility::conversation(&scope, &visibility, conversation).await?;
        let contact = scope.contacts().get(conversation.contact).await?;
        let profile = contact_profile(&scope, contact.id).await?;
        let agent = match access.acting_user() {
            Some(user) => match scope.members().get(user).await {
                Ok(member) => Some(member),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let values = ReplyValues {
            contact_name: Some(quick_reply::contact_name(
                contact.name.as_deref(),
                contact.profile_name.as_deref(),
                &contact.phone_number,
            )),
            contact_phone: Some(contact.phone_number.clone()),
            attributes: profile.attributes,
            agent_name: agent
                .as_ref()
                .map(|a| quick_reply::agent_name(a.name.as_deref(), &a.email)),
            agent_email: agent.map(|a| a.email),
        };
        // The text was checked when saved; an attribute deleted since renders as missing.
        let text = ReplyText::parse(&record.text).map_err(bad("id"))?;
        let rendered = text.render(&values);
        Ok((record, rendered))
    }
}

/// A reply's text parses, and every attribute it names is one of the tenant's.
async fn check_text<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    text: &str,
) -> Result<(), AppError> {
    let parsed = ReplyText::parse(text).map_err(bad("text"))?;
    let keys: Vec<String> = parsed
        .variables()
        .into_iter()
        .filter_map(|v| match v {
            Variable::ContactAttribute(key) => Some(key),
            _ => None,
        })
        .collect();
    if keys.is_empty() {
        return Ok(());
    }
    let defined = scope.contact_attributes().list().await?;
    match keys
        .into_iter()
        .find(|key| !defined.iter().any(|a| a.key == *key))
    {
        Some(key) => Err(AppError::bad_input(
            "text",
            ReplyError::UnknownVariable(Variable::ContactAttribute(key).name()),
        )),
        None => Ok(()),
    }
}

/// A reply's file is one the tenant uploaded (another tenant's answers NOT_FOUND), of a
/// type that fits the media kind.
async fn check_media<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    media: Option<ReplyMedia>,
) -> Result<(), AppError> {
    if let Some(media) = media {
        let upload = scope.uploads().get(media.upload).await?;
        if !quick_reply::media_fits(media.kind, &upload.content_type) {
            return Err(AppError::bad_input(
                "media.mediaId",
                format!(
                    "a {} file cannot go as this media type",
                    upload.content_type
                ),
            ));
        }
    }
    Ok(())
}

async fn audit(
    unit: &crate::store::Unit,
    access: &Access<Admin>,
    record: &QuickReplyRecord,
    change: QuickReplyChange,
) -> Result<(), AppError> {
    let event = AuditEvent::QuickReply {
        reply: record.id,
        change,
        queue: record.queue,
        shortcut: &record.shortcut,
    };
    unit.audit(access.actor(), event).await?;
    Ok(())
}
