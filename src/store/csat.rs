//! A tenant's CSAT settings per queue, and the questions asked after resolutions with
//! their answers.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::entities::{csat_survey, queue_csat};
use super::StoreError;
use crate::domain::csat::{CsatSettings, Rating, SurveyRecord};
use crate::domain::{ChannelId, ContactId, ConversationId, MessageId, QueueId, TenantId, UserId};

pub struct Csat<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Csat<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn surveys(&self) -> Select<csat_survey::Entity> {
        csat_survey::Entity::find()
            .filter(csat_survey::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    /// The queue's setting; the default (off) when it never had one.
    pub async fn settings(&self, queue: QueueId) -> Result<CsatSettings, StoreError> {
        let row = queue_csat::Entity::find()
            .filter(queue_csat::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(queue_csat::Column::QueueId.eq(queue.into_uuid()))
            .one(self.db)
            .await?;
        Ok(row
            .map(|r| CsatSettings {
                enabled: r.enabled,
                question: r.question,
            })
            .unwrap_or_default())
    }

    /// Sets the queue's setting (the queue is the tenant's: the caller checked).
    pub async fn put_settings(
        &self,
        queue: QueueId,
        settings: &CsatSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        queue_csat::Entity::insert(queue_csat::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            queue_id: Set(queue.into()),
            enabled: Set(settings.enabled),
            question: Set(settings.question.clone()),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([queue_csat::Column::TenantId, queue_csat::Column::QueueId])
                .update_columns([
                    queue_csat::Column::Enabled,
                    queue_csat::Column::Question,
                    queue_csat::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Records a question asked.
    pub async fn insert_survey(&self, survey: &SurveyRecord) -> Result<(), StoreError> {
        csat_survey::Entity::insert(csat_survey::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            message_id: Set(survey.message.into()),
            conversation_id: Set(survey.conversation.into()),
            channel_id: Set(survey.channel.into()),
            contact_id: Set(survey.contact.into()),
            queue_id: Set(survey.queue.map(Into::into)),
            agent_id: Set(survey.agent.map(Into::into)),
            asked_at: Set(survey.asked_at),
            rating: Set(survey.rating.map(|r| i16::from(r.value()))),
            answered_at: Set(survey.answered_at),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// The latest question asked the contact on the channel since `since` and not yet
    /// answered.
    pub async fn find_pending(
        &self,
        channel: ChannelId,
        contact: ContactId,
        since: DateTime<Utc>,
    ) -> Result<Option<SurveyRecord>, StoreError> {
        self.surveys()
            .filter(csat_survey::Column::ChannelId.eq(channel.into_uuid()))
            .filter(csat_survey::Column::ContactId.eq(contact.into_uuid()))
            .filter(csat_survey::Column::AskedAt.gte(since))
            .filter(csat_survey::Column::AnsweredAt.is_null())
            .order_by_desc(csat_survey::Column::AskedAt)
            .one(self.db)
            .await?
            .map(record)
            .transpose()
    }

    /// The latest question asked in the conversation.
    pub async fn latest_of(
        &self,
        conversation: ConversationId,
    ) -> Result<Option<SurveyRecord>, StoreError> {
        self.surveys()
            .filter(csat_survey::Column::ConversationId.eq(conversation.into_uuid()))
            .order_by_desc(csat_survey::Column::AskedAt)
            .one(self.db)
            .await?
            .map(record)
            .transpose()
    }

    /// Stores the answer to the question `message` asked; false when it was answered
    /// already.
    pub async fn answer(
        &self,
        message: MessageId,
        rating: Rating,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = csat_survey::Entity::update_many()
            .col_expr(
                csat_survey::Column::Rating,
                Expr::value(Some(i16::from(rating.value()))),
            )
            .col_expr(csat_survey::Column::AnsweredAt, Expr::value(Some(at)))
            .filter(csat_survey::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(csat_survey::Column::MessageId.eq(message.into_uuid()))
            .filter(csat_survey::Column::AnsweredAt.is_null())
            .exec(self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// The ratings given from `from` (inclusive) to `to` (exclusive), each with the agent
    /// the rated conversation was resolved by; those of one queue, or of all.
    pub async fn ratings(
        &self,
        queue: Option<QueueId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(Option<UserId>, u8)>, StoreError> {
        let mut query = csat_survey::Entity::find()
            .select_only()
            .column(csat_survey::Column::AgentId)
            .column(csat_survey::Column::Rating)
            .filter(csat_survey::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(csat_survey::Column::AnsweredAt.gte(from))
            .filter(csat_survey::Column::AnsweredAt.lt(to))
            .filter(csat_survey::Column::Rating.is_not_null());
        if let Some(queue) = queue {
            query = query.filter(csat_survey::Column::QueueId.eq(queue.into_uuid()));
        }
        let rows: Vec<(Option<uuid::Uuid>, Option<i16>)> = query.into_tuple().all(self.db).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(agent, rating)| {
                let rating = u8::try_from(rating?).ok().and_then(Rating::new)?;
                Some((agent.map(UserId::from), rating.value()))
            })
            .collect())
    }
}

fn record(row: csat_survey::Model) -> Result<SurveyRecord, StoreError> {
    let rating = match row.rating {
        None => None,
        Some(n) => Some(
            u8::try_from(n)
                .ok()
                .and_then(Rating::new)
                .ok_or_else(|| StoreError::Corrupt(format!("csat rating {n}")))?,
        ),
    };
    Ok(SurveyRecord {
        message: row.message_id.into(),
        conversation: row.conversation_id.into(),
        channel: row.channel_id.into(),
        contact: row.contact_id.into(),
        queue: row.queue_id.map(Into::into),
        agent: row.agent_id.map(Into::into),
        asked_at: row.asked_at,
        rating,
        answered_at: row.answered_at,
    })
}
