//! A tenant's click-to-chat links, and the referrals of the conversations they opened.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use super::entities::{click_to_chat_link as link, conversation_referral as referral};
use super::StoreError;
use crate::domain::records::{ClickToChatLinkRecord, ConversationReferralRecord};
use crate::domain::{ChannelId, ClickToChatLinkId, ConversationId, TenantId};

impl From<link::Model> for ClickToChatLinkRecord {
    fn from(row: link::Model) -> Self {
        Self {
            id: row.id.into(),
            channel: row.channel_id.into(),
            tag: row.tag,
            source: row.source,
            text: row.text,
            created_at: row.created_at,
        }
    }
}

impl From<referral::Model> for ConversationReferralRecord {
    fn from(row: referral::Model) -> Self {
        Self {
            conversation: row.conversation_id.into(),
            link: row.link_id.map(Into::into),
            tag: row.tag,
            source: row.source,
            linked_at: row.linked_at,
        }
    }
}

pub struct ClickToChat<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> ClickToChat<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<link::Entity> {
        link::Entity::find().filter(link::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    fn referrals(&self) -> Select<referral::Entity> {
        referral::Entity::find().filter(referral::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    /// The tenant's links, or one channel's, oldest first.
    pub async fn list(
        &self,
        channel: Option<ChannelId>,
    ) -> Result<Vec<ClickToChatLinkRecord>, StoreError> {
        let mut query = self.scoped().order_by_asc(link::Column::Id);
        if let Some(channel) = channel {
            query = query.filter(link::Column::ChannelId.eq(channel.into_uuid()));
        }
        Ok(query
            .all(self.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.scoped().count(self.db).await?)
    }

    pub async fn get(&self, id: ClickToChatLinkId) -> Result<ClickToChatLinkRecord, StoreError> {
        Ok(self
            .scoped()
            .filter(link::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .into())
    }

    /// The link with `tag`, if the tenant has one.
    pub async fn find_by_tag(
        &self,
        tag: &str,
    ) -> Result<Option<ClickToChatLinkRecord>, StoreError> {
        Ok(self
            .scoped()
            .filter(link::Column::Tag.eq(tag))
            .one(self.db)
            .await?
            .map(Into::into))
    }

    /// Stores a new link; a tag the tenant already has is a `Conflict`.
    pub async fn insert(&self, record: &ClickToChatLinkRecord) -> Result<(), StoreError> {
        link::Entity::insert(link::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(record.id.into()),
            channel_id: Set(record.channel.into()),
            tag: Set(record.tag.clone()),
            source: Set(record.source.clone()),
            text: Set(record.text.clone()),
            created_at: Set(record.created_at),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Deletes a link; the conversations it opened keep their referral, without the link.
    pub async fn delete(&self, id: ClickToChatLinkId) -> Result<(), StoreError> {
        referral::Entity::update_many()
            .filter(referral::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(referral::Column::LinkId.eq(id.into_uuid()))
            .col_expr(referral::Column::LinkId, Expr::value(None::<uuid::Uuid>))
            .exec(self.db)
            .await?;
        let result = link::Entity::delete_many()
            .filter(link::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(link::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// How many conversations each of `links` opened.
    pub async fn conversations_opened(
        &self,
        links: &[ClickToChatLinkId],
    ) -> Result<HashMap<ClickToChatLinkId, u64>, StoreError> {
        if links.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(uuid::Uuid, i64)> = self
            .referrals()
            .select_only()
            .column(referral::Column::LinkId)
            .column_as(referral::Column::ConversationId.count(), "opened")
            .filter(referral::Column::LinkId.is_in(links.iter().map(|l| l.into_uuid())))
            .group_by(referral::Column::LinkId)
            .into_tuple()
            .all(self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (id.into(), u64::try_from(n).unwrap_or_default()))
            .collect())
    }

    /// Records which link opened a conversation; a conversation keeps its first referral.
    pub async fn record_referral(
        &self,
        record: &ConversationReferralRecord,
    ) -> Result<(), StoreError> {
        use sea_orm::sea_query::OnConflict;
        referral::Entity::insert(referral::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            conversation_id: Set(record.conversation.into()),
            link_id: Set(record.link.map(Into::into)),
            tag: Set(record.tag.clone()),
            source: Set(record.source.clone()),
            linked_at: Set(record.linked_at),
        })
        .on_conflict(
            OnConflict::columns([referral::Column::TenantId, referral::Column::ConversationId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// The referral of a conversation, if a link opened it.
    pub async fn referral_of(
        &self,
        conversation: ConversationId,
    ) -> Result<Option<ConversationReferralRecord>, StoreError> {
        Ok(self
            .referrals()
            .filter(referral::Column::ConversationId.eq(conversation.into_uuid()))
            .one(self.db)
            .await?
            .map(Into::into))
    }
}
