//! A queue's statistics over a period: who waits now, how fast its conversations were
//! answered and resolved, and the same per agent.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::stats::{Satisfaction, Spread};
use crate::domain::{QueueId, UserId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin};
use crate::services::queues::QueueService;
use crate::store::stats::Standing;

/// The longest period one request may ask about.
pub const PERIOD_MAX: TimeDelta = TimeDelta::days(366);

#[derive(Clone, Debug, Default)]
pub struct QueueStats {
    pub now: Standing,
    pub opened: u64,
    pub resolved: u64,
    pub first_response: Spread,
    /// Conversations opened in the period first answered within the queue's target.
    pub first_response_within_target: Option<u64>,
    pub resolution: Spread,
    pub satisfaction: Satisfaction,
    pub agents: Vec<AgentStats>,
}

#[derive(Clone, Debug, Default)]
pub struct AgentStats {
    pub user: UserId,
    /// Their unresolved conversations of the queue now.
    pub open: u64,
    pub resolved: u64,
    pub first_response: Spread,
    pub resolution: Spread,
    pub satisfaction: Satisfaction,
}

#[derive(Default)]
struct Gathered {
    first_responses: Vec<TimeDelta>,
    resolutions: Vec<TimeDelta>,
    ratings: Vec<u8>,
}

impl QueueService {
    /// The queue's figures for `[from, to)`: opened and resolved in the period, first
    /// response and resolution times (median and 90th percentile), and the same per agent
    /// (the assignee when resolved, or now for first responses).
    pub async fn stats(
        &self,
        access: &Access<Admin>,
        id: QueueId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<QueueStats, AppError> {
        if to <= from {
            return Err(AppError::bad_input("to", "must be after from"));
        }
        if to - from > PERIOD_MAX {
            return Err(AppError::bad_input(
                "from",
                "the period may span at most 366 days",
            ));
        }
        let scope = self.store.tenant(access.tenant());
        let queue = scope.queues().get(id).await?;
        let stats = scope.stats();
        let now = stats.standing(id).await?;
        let opened = stats.opened(id, from, to).await?;
        let resolutions = stats.resolutions(id, from, to).await?;

        let mut all = Gathered::default();
        let mut per_agent: BTreeMap<UserId, Gathered> = BTreeMap::new();
        let target = queue
            .first_response_minutes
            .map(|m| TimeDelta::minutes(i64::from(m)));
        let mut within_target = 0;
        for o in &opened {
            let Some(answered) = o.first_response_at else {
                continue;
            };
            let took = (answered - o.opened_at).max(TimeDelta::zero());
            if target.is_some_and(|t| took <= t) {
                within_target += 1;
            }
            all.first_responses.push(took);
            if let Some(user) = o.assignee {
                per_agent
                    .entry(user)
                    .or_default()
                    .first_responses
                    .push(took);
            }
        }
        for r in &resolutions {
            let took = (r.at - r.opened_at).max(TimeDelta::zero());
            all.resolutions.push(took);
            if let Some(user) = r.assignee {
                per_agent.entry(user).or_default().resolutions.push(took);
            }
        }
        let load = stats.load(id).await?;
        for user in load.keys() {
            per_agent.entry(*user).or_default();
        }
        let agents = per_agent
            .into_iter()
            .map(|(user, g)| AgentStats {
                user,
                open: load.get(&user).copied().unwrap_or(0),
                resolved: g.resolutions.len() as u64,
                first_response: Spread::of(&g.first_responses),
                resolution: Spread::of(&g.resolutions),
                satisfaction: Satisfaction::of(&g.ratings),
            })
            .collect();
        Ok(QueueStats {
            now,
            opened: opened.len() as u64,
            resolved: resolutions.len() as u64,
            first_response: Spread::of(&all.first_responses),
            first_response_within_target: target.map(|_| within_target),
            resolution: Spread::of(&all.resolutions),
            satisfaction: Satisfaction::of(&all.ratings),
            agents,
        })
    }
}
