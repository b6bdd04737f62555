//! Customer satisfaction in the API: a queue's setting (`Queue.csat`, changed by owners and
//! admins with `updateQueueCsat`) and a conversation's rating (`Conversation.csat`).

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::errors::GqlResult;
use super::guards::viewer;
use super::queues::Queue;
use super::types::parse_id;
use crate::domain::csat::{CsatSettings, SurveyRecord};
use crate::domain::QueueId;
use crate::services::csat::CsatInput;
use crate::services::Services;

/// Whether resolving the queue's conversations asks the customer for a rating from 1 to 5
/// (a list of five choices on Meta, a numbered reply on Twilio), and the question asked.
#[derive(SimpleObject)]
#[graphql(name = "QueueCsat")]
pub struct QueueCsat {
    enabled: bool,
    question: String,
}

impl From<CsatSettings> for QueueCsat {
    fn from(settings: CsatSettings) -> Self {
        Self {
            enabled: settings.enabled,
            question: settings.question,
        }
    }
}

/// The rating question asked when the conversation was last resolved, and its answer.
pub struct ConversationCsat(pub SurveyRecord);

#[Object]
impl ConversationCsat {
    /// From 1 (bad) to 5 (great); null until the customer answers.
    async fn rating(&self) -> Option<i32> {
        self.0.rating.map(|r| i32::from(r.value()))
    }
    async fn asked_at(&self) -> DateTime<Utc> {
        self.0.asked_at
    }
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
    /// The agent the conversation was assigned to when resolved.
    async fn agent_id(&self) -> Option<ID> {
        self.0.agent.map(|a| ID(a.to_string()))
    }
    /// The message that asked.
    async fn message_id(&self) -> ID {
        ID(self.0.message.to_string())
    }
}

/// Fields left out stay as they are.
#[derive(InputObject)]
pub struct QueueCsatInput {
    pub enabled: Option<bool>,
    /// 1 to 500 characters.
    pub question: Option<String>,
}

#[derive(Default)]
pub struct CsatMutation;

#[Object]
impl CsatMutation {
    /// Changes a queue's CSAT setting. Each resolution of one of its conversations then
    /// asks once, while the customer's 24-hour window is open.
    async fn update_queue_csat(
        &self,
        ctx: &Context<'_>,
        queue_id: ID,
        input: QueueCsatInput,
    ) -> GqlResult<Queue> {
        let queue: QueueId = parse_id("queueId", &queue_id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = CsatInput {
            enabled: input.enabled,
            question: input.question,
        };
        state.csat.update(&access, queue, input).await?;
        Ok(Queue(
            state.queues.get_in(access.tenant(), queue).await?,
            access.tenant(),
        ))
    }
}
