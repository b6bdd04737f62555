//! A queue's statistics in the API.

use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, TimeDelta, Utc};

use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::stats::{Satisfaction as SatisfactionFigures, Spread};
use crate::domain::QueueId;
use crate::services::queue_stats::{AgentStats, QueueStats as Figures};
use crate::services::Services;

/// How long something took: the median and the 90th percentile (nearest rank), in whole
/// seconds; null when nothing was measured.
#[derive(SimpleObject)]
pub struct DurationSpread {
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    /// How many durations were measured.
    pub count: u64,
}

impl From<Spread> for DurationSpread {
    fn from(spread: Spread) -> Self {
        let secs = |d: Option<TimeDelta>| d.map(|d| d.num_seconds());
        Self {
            median_seconds: secs(spread.median),
            p90_seconds: secs(spread.p90),
            count: spread.count,
        }
    }
}

/// Customer satisfaction: the average rating (1 to 5) and how many answered.
#[derive(SimpleObject)]
pub struct Satisfaction {
    pub average: Option<f64>,
    pub responses: u64,
}

impl From<SatisfactionFigures> for Satisfaction {
    fn from(s: SatisfactionFigures) -> Self {
        Self {
            average: s.average,
            responses: s.responses,
        }
    }
}

/// One agent's figures in a queue.
pub struct AgentQueueStats(AgentStats);

#[Object]
impl AgentQueueStats {
    async fn user_id(&self) -> ID {
        ID(self.0.user.to_string())
    }
    /// Their unresolved conversations of the queue now.
    async fn open(&self) -> u64 {
        self.0.open
    }
    /// Conversations they resolved in the period.
    async fn resolved(&self) -> u64 {
        self.0.resolved
    }
    /// First responses of the conversations opened in the period and assigned to them.
    async fn first_response(&self) -> DurationSpread {
        self.0.first_response.into()
    }
    async fn resolution(&self) -> DurationSpread {
        self.0.resolution.into()
    }
    async fn csat(&self) -> Satisfaction {
        self.0.satisfaction.into()
    }
}

/// A queue's figures: now, and over a period.
pub struct QueueStats(Figures);

#[Object]
impl QueueStats {
    /// Conversations waiting for an agent now.
    async fn waiting(&self) -> u64 {
        self.0.now.waiting
    }
    /// Since when the longest waiting conversation waits.
    async fn oldest_waiting_since(&self) -> Option<DateTime<Utc>> {
        self.0.now.oldest_waiting_since
    }
    /// Conversations an agent works now.
    async fn assigned(&self) -> u64 {
        self.0.now.assigned
    }
    /// Conversations waiting on the customer or snoozed now.
    async fn pending(&self) -> u64 {
        self.0.now.pending
    }
    /// Conversations opened in the period (in the queue now).
    async fn opened(&self) -> u64 {
        self.0.opened
    }
    /// Resolutions in the period while in the queue.
    async fn resolved(&self) -> u64 {
        self.0.resolved
    }
    /// From opening to the first message sent, for conversations opened in the period.
    async fn first_response(&self) -> DurationSpread {
        self.0.first_response.into()
    }
    /// Of those, how many were answered within the queue's `firstResponseMinutes`; null
    /// without a target.
    async fn first_response_within_target(&self) -> Option<u64> {
        self.0.first_response_within_target
    }
    /// From opening to resolution, for resolutions in the period.
    async fn resolution(&self) -> DurationSpread {
        self.0.resolution.into()
    }
    async fn csat(&self) -> Satisfaction {
        self.0.satisfaction.into()
    }
    /// Per agent: the assignee at resolution, or now for first responses; everyone with
    /// open conversations in the queue.
    async fn agents(&self) -> Vec<AgentQueueStats> {
        self.0.agents.iter().cloned().map(AgentQueueStats).collect()
    }
}

#[derive(Default)]
pub struct QueueStatsQuery;

#[Object]
impl QueueStatsQuery {
    /// A queue's statistics for `[from, to)` (at most 366 days), for owners and admins.
    async fn queue_stats(
        &self,
        ctx: &Context<'_>,
        queue_id: ID,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<QueueStats> {
        let id: QueueId = parse_id("queueId", &queue_id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(QueueStats(state.queues.stats(&access, id, from, to).await?))
    }
}
