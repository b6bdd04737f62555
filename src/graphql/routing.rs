//! Routing rules in the API, `testRouting`, and the decision a conversation records.
//! Every member reads the rules; owners and admins change them.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::errors::GqlResult;
use super::guards::viewer;
use super::queues::Queue;
use super::types::parse_id;
use crate::domain::records::{RoutingRecord, RoutingRuleRecord};
use crate::domain::routing::ConditionSpec;
use crate::domain::{RoutingRuleId, TenantId};
use crate::error::AppError;
use crate::services::routing::{Routed, RuleInput, TestInput};
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum RoutingConditionKind {
    /// The conversation arrives on the channel `channelId`.
    Channel,
    /// The first message has the word `value` (any case).
    Keyword,
    /// The first message matches the regular expression `value` (Rust syntax; `(?i)` for
    /// any case).
    Pattern,
    /// The contact's language is `value` (`es` also matches `es-MX`).
    Language,
    /// The contact's attribute `key` has the value `value`.
    Attribute,
    /// The queue `queueId` (default: the rule's queue) is inside its business hours.
    InsideHours,
    /// The queue `queueId` (default: the rule's queue) is outside its business hours.
    OutsideHours,
}

/// One condition of a rule; which fields it has depends on its kind.
#[derive(SimpleObject)]
pub struct RoutingCondition {
    kind: RoutingConditionKind,
    channel_id: Option<ID>,
    key: Option<String>,
    value: Option<String>,
    queue_id: Option<ID>,
}

impl From<&ConditionSpec> for RoutingCondition {
    fn from(spec: &ConditionSpec) -> Self {
        let mut condition = RoutingCondition {
            kind: RoutingConditionKind::Channel,
            channel_id: None,
            key: None,
            value: None,
            queue_id: None,
        };
        match spec {
            ConditionSpec::Channel { channel } => {
                condition.channel_id = Some(ID(channel.to_string()));
            }
            ConditionSpec::Keyword { value } => {
                condition.kind = RoutingConditionKind::Keyword;
                condition.value = Some(value.clone());
            }
            ConditionSpec::Pattern { value } => {
                condition.kind = RoutingConditionKind::Pattern;
                condition.value = Some(value.clone());
            }
            ConditionSpec::Language { value } => {
                condition.kind = RoutingConditionKind::Language;
                condition.value = Some(value.clone());
            }
            ConditionSpec::Attribute { key, value } => {
                condition.kind = RoutingConditionKind::Attribute;
                condition.key = Some(key.clone());
                condition.value = Some(value.clone());
            }
            ConditionSpec::Hours { inside, queue } => {
                condition.kind = if *inside {
                    RoutingConditionKind::InsideHours
                } else {
                    RoutingConditionKind::OutsideHours
                };
                condition.queue_id = queue.map(|q| ID(q.to_string()));
            }
        }
        condition
    }
}

#[derive(InputObject)]
pub struct RoutingConditionInput {
    pub kind: RoutingConditionKind,
    pub channel_id: Option<ID>,
    pub key: Option<String>,
    pub value: Option<String>,
    pub queue_id: Option<ID>,
}

fn conditions(list: Vec<RoutingConditionInput>) -> GqlResult<Vec<ConditionSpec>> {
    list.into_iter()
        .enumerate()
        .map(|(i, c)| {
            let field = |name: &str| format!("conditions[{i}].{name}");
            let required = |value: Option<String>, name: &str| {
                value.ok_or_else(|| AppError::bad_input(field(name), "is required for this kind"))
            };
            Ok(match c.kind {
                RoutingConditionKind::Channel => {
                    let id = c.channel_id.ok_or_else(|| {
                        AppError::bad_input(field("channelId"), "is required for this kind")
                    })?;
                    ConditionSpec::Channel {
                        channel: parse_id(&field("channelId"), &id)?,
                    }
                }
                RoutingConditionKind::Keyword => ConditionSpec::Keyword {
                    value: required(c.value, "value")?,
                },
                RoutingConditionKind::Pattern => ConditionSpec::Pattern {
                    value: required(c.value, "value")?,
                },
                RoutingConditionKind::Language => ConditionSpec::Language {
                    value: required(c.value, "value")?,
                },
                RoutingConditionKind::Attribute => ConditionSpec::Attribute {
                    key: required(c.key, "key")?,
                    value: required(c.value, "value")?,
                },
                RoutingConditionKind::InsideHours | RoutingConditionKind::OutsideHours => {
                    ConditionSpec::Hours {
                        inside: c.kind == RoutingConditionKind::InsideHours,
                        queue: c
                            .queue_id
                            .as_ref()
                            .map(|q| parse_id(&field("queueId"), q))
                            .transpose()?,
                    }
                }
            })
        })
        .collect()
}

/// A routing rule: when all its conditions hold for a new conversation, it goes to the
/// rule's queue. Rules are tried in order; the first that holds wins.
pub struct RoutingRule(pub RoutingRuleRecord, pub TenantId);

#[Object]
impl RoutingRule {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Its place in the order, from 0.
    async fn position(&self) -> i32 {
        self.0.position as i32
    }
    /// A disabled rule is kept but skipped.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    async fn queue(&self, ctx: &Context<'_>) -> GqlResult<Queue> {
        let state = ctx.data_unchecked::<Services>();
        Ok(Queue(
            state.queues.get_in(self.1, self.0.queue).await?,
            self.1,
        ))
    }
    /// All must hold; a rule without conditions takes every conversation that reaches it.
    async fn conditions(&self) -> Vec<RoutingCondition> {
        self.0.conditions.iter().map(Into::into).collect()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "RoutedBy", remote = "crate::services::routing::RoutedBy")]
pub enum RoutedByGql {
    /// A routing rule held.
    Rule,
    /// No rule held; the channel's default queue took it.
    ChannelDefault,
    /// No rule held and the channel names no queue; the tenant's default queue took it.
    TenantDefault,
}

/// Which rule and queue a message gets.
pub struct RoutingDecision(Routed, TenantId);

#[Object]
impl RoutingDecision {
    async fn rule(&self) -> Option<RoutingRule> {
        self.0.rule.clone().map(|r| RoutingRule(r, self.1))
    }
    async fn queue(&self) -> Queue {
        Queue(self.0.queue.clone(), self.1)
    }
    async fn routed_by(&self) -> RoutedByGql {
        self.0.by.into()
    }
}

/// How a conversation found its queue when it opened.
pub struct ConversationRouting(pub RoutingRecord, pub TenantId);

#[Object]
impl ConversationRouting {
    /// The rule that held; null when a default queue took the conversation.
    async fn rule_id(&self) -> Option<ID> {
        self.0.rule.map(|r| ID(r.to_string()))
    }
    /// That rule, while it exists.
    async fn rule(&self, ctx: &Context<'_>) -> GqlResult<Option<RoutingRule>> {
        let Some(id) = self.0.rule else {
            return Ok(None);
        };
        let state = ctx.data_unchecked::<Services>();
        match state.routing.get_in(self.1, id).await {
            Ok(rule) => Ok(Some(RoutingRule(rule, self.1))),
            Err(AppError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
    /// The queue routing chose (the conversation may have moved since).
    async fn queue_id(&self) -> ID {
        ID(self.0.queue.to_string())
    }
    async fn routed_at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

#[derive(InputObject)]
pub struct CreateRoutingRuleInput {
    pub name: String,
    pub queue_id: ID,
    #[graphql(default)]
    pub conditions: Vec<RoutingConditionInput>,
    #[graphql(default = true)]
    pub enabled: bool,
    /// Its place in the order, from 0; the end unless given.
    pub position: Option<i32>,
}

/// Fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateRoutingRuleInput {
    pub name: Option<String>,
    pub queue_id: Option<ID>,
    /// Replaces all the conditions.
    pub conditions: Option<Vec<RoutingConditionInput>>,
    pub enabled: Option<bool>,
    /// Moves the rule to this place in the order.
    pub position: Option<i32>,
}

#[derive(InputObject)]
pub struct RoutingAttributeInput {
    pub key: String,
    pub value: String,
}

#[derive(InputObject)]
pub struct TestRoutingInput {
    pub channel_id: ID,
    /// The first message of the conversation.
    pub text: String,
    /// Takes this contact's language and attributes, unless given below.
    pub contact_id: Option<ID>,
    pub language: Option<String>,
    pub attributes: Option<Vec<RoutingAttributeInput>>,
    /// When it arrives; now unless given.
    pub at: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct RoutingQuery;

#[Object]
impl RoutingQuery {
    /// The tenant's routing rules, in the order they are tried.
    async fn routing_rules(&self, ctx: &Context<'_>) -> GqlResult<Vec<RoutingRule>> {
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let list = state.routing.list(&access).await?;
        Ok(list
            .into_iter()
            .map(|r| RoutingRule(r, access.tenant()))
            .collect())
    }

    /// Which rule and queue a message would get if it opened a conversation; nothing is
    /// stored.
    async fn test_routing(
        &self,
        ctx: &Context<'_>,
        input: TestRoutingInput,
    ) -> GqlResult<RoutingDecision> {
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = TestInput {
            channel: parse_id("channelId", &input.channel_id)?,
            text: input.text,
            contact: input
                .contact_id
                .as_ref()
                .map(|c| parse_id("contactId", c))
                .transpose()?,
            language: input.language,
            attributes: input
                .attributes
                .map(|list| list.into_iter().map(|a| (a.key, a.value)).collect()),
            at: input.at,
        };
        let decision = state.routing.test(&access, input).await?;
        Ok(RoutingDecision(decision, access.tenant()))
    }
}

#[derive(Default)]
pub struct RoutingMutation;

#[Object]
impl RoutingMutation {
    async fn create_routing_rule(
        &self,
        ctx: &Context<'_>,
        input: CreateRoutingRuleInput,
    ) -> GqlResult<RoutingRule> {
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = RuleInput {
            name: Some(input.name),
            queue: Some(parse_id("queueId", &input.queue_id)?),
            conditions: Some(conditions(input.conditions)?),
            enabled: Some(input.enabled),
            position: input.position.map(i64::from),
        };
        let rule = state.routing.create(&access, input).await?;
        Ok(RoutingRule(rule, access.tenant()))
    }

    async fn update_routing_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateRoutingRuleInput,
    ) -> GqlResult<RoutingRule> {
        let id: RoutingRuleId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = RuleInput {
            name: input.name,
            queue: input
                .queue_id
                .as_ref()
                .map(|q| parse_id("queueId", q))
                .transpose()?,
            conditions: input.conditions.map(conditions).transpose()?,
            enabled: input.enabled,
            position: input.position.map(i64::from),
        };
        let rule = state.routing.update(&access, id, input).await?;
        Ok(RoutingRule(rule, access.tenant()))
    }

    async fn delete_routing_rule(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let id: RoutingRuleId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.routing.delete(&access, id).await?)
    }

    /// Puts the rules in this order; `ids` names every rule of the tenant once.
    async fn reorder_routing_rules(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> GqlResult<Vec<RoutingRule>> {
        let ids = ids
            .iter()
            .enumerate()
            .map(|(i, id)| parse_id(&format!("ids[{i}]"), id))
            .collect::<Result<Vec<RoutingRuleId>, _>>()?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let list = state.routing.reorder(&access, ids).await?;
        Ok(list
            .into_iter()
            .map(|r| RoutingRule(r, access.tenant()))
            .collect())
    }
}
