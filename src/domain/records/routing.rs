//! A routing rule as stored, and the decision recorded on a conversation.

use chrono::{DateTime, Utc};

use crate::domain::routing::ConditionSpec;
use crate::domain::{QueueId, RoutingRuleId};

#[derive(Clone, Debug)]
pub struct RoutingRuleRecord {
    pub id: RoutingRuleId,
    /// Where it stands in the tenant's order, from 0.
    pub position: u32,
    pub name: String,
    pub queue: QueueId,
    /// All must hold; none holds always.
    pub conditions: Vec<ConditionSpec>,
    /// A disabled rule is kept but skipped.
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How a conversation found its queue when it opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoutingRecord {
    /// None: no rule held, and the channel's or the tenant's default queue took it.
    pub rule: Option<RoutingRuleId>,
    pub queue: QueueId,
    pub at: DateTime<Utc>,
}
