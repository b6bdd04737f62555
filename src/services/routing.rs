//! Routing: a tenant's ordered rules, and the decision that puts each new conversation in a
//! queue. The first enabled rule whose conditions all hold picks the queue; when none does,
//! the channel's default queue, else the tenant's, takes it. `test` answers what a message
//! would get without storing anything.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use crate::domain::business_hours::BusinessHours;
use crate::domain::free_text::{self, Lines};
use crate::domain::records::{ChannelRecord, QueueRecord, RoutingRecord, RoutingRuleRecord};
use crate::domain::routing::{self, Arrival, ConditionSpec, Rule, MAX_CONDITIONS, MAX_RULES};
use crate::domain::{ChannelId, ContactId, QueueId, RoutingRuleId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::store::{Store, StoreError, TenantScope};

/// The longest rule name.
const NAME_MAX: usize = 80;

/// A rule's fields as given; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct RuleInput {
    pub name: Option<String>,
    pub queue: Option<QueueId>,
    pub conditions: Option<Vec<ConditionSpec>>,
    pub enabled: Option<bool>,
    /// Where it goes in the order, from 0; past the end is the end.
    pub position: Option<i64>,
}

/// A message to route without storing it.
#[derive(Debug)]
pub struct TestInput {
    pub channel: ChannelId,
    pub text: String,
    /// Takes the contact's language and attributes, unless given here.
    pub contact: Option<ContactId>,
    pub language: Option<String>,
    pub attributes: Option<Vec<(String, String)>>,
    /// Now, unless given.
    pub at: Option<DateTime<Utc>>,
}

/// What decided a conversation's queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutedBy {
    Rule,
    ChannelDefault,
    TenantDefault,
}

/// A routing decision with what it rests on.
#[derive(Clone, Debug)]
pub struct Routed {
    pub rule: Option<RoutingRuleRecord>,
    pub queue: QueueRecord,
    pub by: RoutedBy,
}

#[derive(Clone)]
pub struct RoutingService {
    store: Store,
}

impl RoutingService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The tenant's rules, first to last.
    pub async fn list(&self, access: &Access<Agent>) -> Result<Vec<RoutingRuleRecord>, AppError> {
        Ok(self
            .store
            .tenant(access.tenant())
            .routing_rules()
            .list()
            .await?)
    }

    pub async fn get(
        &self,
        access: &Access<Agent>,
        id: RoutingRuleId,
    ) -> Result<RoutingRuleRecord, AppError> {
        Ok(self
            .store
            .tenant(access.tenant())
            .routing_rules()
            .get(id)
            .await?)
    }

    /// A rule of a tenant the caller reached (the tenant of the object that names it).
    pub async fn get_in(
        &self,
        tenant: crate::domain::TenantId,
        id: RoutingRuleId,
    ) -> Result<RoutingRuleRecord, AppError> {
        Ok(self.store.tenant(tenant).routing_rules().get(id).await?)
    }

    pub async fn create(
        &self,
        access: &Access<Admin>,
        input: RuleInput,
    ) -> Result<RoutingRuleRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let rules = scope.routing_rules();
        let count = rules.count().await?;
        if count >= MAX_RULES as u64 {
            return Err(AppError::Conflict(format!(
                "a tenant has at most {MAX_RULES} routing rules"
            )));
        }
        let now = unit.now();
        let (Some(name), Some(queue)) = (input.name.as_deref(), input.queue) else {
            let missing = if input.name.is_none() {
                "name"
            } else {
                "queueId"
            };
            return Err(AppError::bad_input(missing, "is required"));
        };
        let mut rule = RoutingRuleRecord {
            id: RoutingRuleId::new(),
            position: position(input.position, count)?,
            name: parse_name(name)?,
            queue,
            conditions: input.conditions.unwrap_or_default(),
            enabled: input.enabled.unwrap_or(true),
            created_at: now,
            updated_at: now,
        };
        check(&scope, &mut rule).await?;
        rules.insert(&rule).await?;
        let rule = rules.get(rule.id).await?;
        unit.commit().await?;
        Ok(rule)
    }

    pub async fn update(
        &self,
        access: &Access<Admin>,
        id: RoutingRuleId,
        input: RuleInput,
    ) -> Result<RoutingRuleRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let rules = scope.routing_rules();
        let mut rule = rules.get(id).await?;
        if let Some(name) = input.name.as_deref() {
            rule.name = parse_name(name)?;
        }
        if let Some(queue) = input.queue {
            rule.queue = queue;
        }
        if let Some(conditions) = input.conditions {
            rule.conditions = conditions;
        }
        if let Some(enabled) = input.enabled {
            rule.enabled = enabled;
        }
        rule.updated_at = unit.now();
        check(&scope, &mut rule).await?;
        rules.update(&rule).await?;
        if let Some(wanted) = input.position {
            let mut order: Vec<RoutingRuleId> = rules.list().await?.iter().map(|r| r.id).collect();
            order.retain(|r| *r != id);
            let at = position(Some(wanted), order.len() as u64)? as usize;
            order.insert(at, id);
            rules.reorder(&order).await?;
        }
        let rule = rules.get(id).await?;
        unit.commit().await?;
        Ok(rule)
    }

    /// Puts the rules in the order of `ids`, which must name every rule of the tenant once.
    pub async fn reorder(
        &self,
        access: &Access<Admin>,
        ids: Vec<RoutingRuleId>,
    ) -> Result<Vec<RoutingRuleRecord>, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let rules = unit.scope().routing_rules();
        let current = rules.list().await?;
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                return Err(AppError::bad_input(
                    format!("ids[{i}]"),
                    "names a rule twice",
                ));
            }
            if !current.iter().any(|r| r.id == *id) {
                return Err(AppError::NotFound);
            }
        }
        if ids.len() != current.len() {
            return Err(AppError::bad_input(
                "ids",
                format!("must name each of the {} rules once", current.len()),
            ));
        }
        rules.reorder(&ids).await?;
        let list = rules.list().await?;
        unit.commit().await?;
        Ok(list)
    }

    pub async fn delete(
        &self,
        access: &Access<Admin>,
        id: RoutingRuleId,
    ) -> Result<bool, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        unit.scope().routing_rules().delete(id).await?;
        unit.commit().await?;
        Ok(true)
    }

    /// Which rule and queue a message would get, as if it opened a conversation now (or at
    /// `at`).
    pub async fn test(&self, access: &Access<Agent>, input: TestInput) -> Result<Routed, AppError> {
        free_text::check(&input.text, 4096, Lines::Many)
            .map_err(|e| AppError::bad_input("text", e))?;
        let scope = self.store.tenant(access.tenant());
        let channel = scope.channels().get(input.channel).await?;
        if let Some(contact) = input.contact {
            scope.contacts().get(contact).await?;
        }
        let attributes: BTreeMap<String, String> =
            input.attributes.unwrap_or_default().into_iter().collect();
        let arrival = Arrival {
            channel: channel.id,
            text: &input.text,
            language: input.language.as_deref(),
            attributes: &attributes,
            at: input.at.unwrap_or_else(Utc::now),
        };
        Ok(decide(&scope, &channel, &arrival).await?)
    }
}

/// The queue a conversation arriving as `arrival` goes to, and why.
pub async fn decide<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: &ChannelRecord,
    arrival: &Arrival<'_>,
) -> Result<Routed, StoreError> {
    let queues: HashMap<QueueId, QueueRecord> = scope
        .queues()
        .list()
        .await?
        .into_iter()
        .map(|q| (q.id, q))
        .collect();
    let stored = scope.routing_rules().list().await?;
    let rules: Vec<Rule> = stored
        .iter()
        .filter(|r| r.enabled && queues.contains_key(&r.queue))
        .filter_map(|r| match compile(r, &queues) {
            Ok(rule) => Some(rule),
            Err(e) => {
                tracing::warn!(rule.id = %r.id, error = %e, "a routing rule no longer compiles; skipped");
                None
            }
        })
        .collect();
    let fallback = channel
        .settings
        .default_queue_id
        .filter(|q| queues.contains_key(q));
    let tenant_default = queues.values().find(|q| q.is_default).map(|q| q.id);
    let Some(default) = fallback.or(tenant_default) else {
        return Err(StoreError::Corrupt(
            "the tenant has no default queue".into(),
        ));
    };
    let decision = routing::route(&rules, arrival, default);
    let by = match (decision.rule, fallback) {
        (Some(_), _) => RoutedBy::Rule,
        (None, Some(_)) => RoutedBy::ChannelDefault,
        (None, None) => RoutedBy::TenantDefault,
    };
    let queue = queues
        .get(&decision.queue)
        .cloned()
        .ok_or(StoreError::NotFound)?;
    let rule = decision
        .rule
        .and_then(|id| stored.into_iter().find(|r| r.id == id));
    Ok(Routed { rule, queue, by })
}

impl Routed {
    /// The decision as the conversation records it.
    pub fn record(&self, at: DateTime<Utc>) -> RoutingRecord {
        RoutingRecord {
            rule: self.rule.as_ref().map(|r| r.id),
            queue: self.queue.id,
            at,
        }
    }
}

fn hours_of(
    queues: &HashMap<QueueId, QueueRecord>,
) -> impl Fn(QueueId) -> Option<BusinessHours> + '_ {
    |id| queues.get(&id).and_then(|q| q.hours.clone())
}

fn compile(
    rule: &RoutingRuleRecord,
    queues: &HashMap<QueueId, QueueRecord>,
) -> Result<Rule, routing::RoutingError> {
    let conditions = rule
        .conditions
        .iter()
        .map(|c| c.compile(rule.queue, hours_of(queues)))
        .collect::<Result<_, _>>()?;
    Ok(Rule {
        id: rule.id,
        queue: rule.queue,
        conditions,
    })
}

/// Checks a rule against the tenant: its queue, the channels and queues its conditions
/// name (another tenant's answer NOT_FOUND), and each condition's own rules. Trims the
/// values it keeps.
async fn check<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    rule: &mut RoutingRuleRecord,
) -> Result<(), AppError> {
    if rule.conditions.len() > MAX_CONDITIONS {
        return Err(AppError::bad_input(
            "conditions",
            format!("at most {MAX_CONDITIONS}"),
        ));
    }
    let queues: HashMap<QueueId, QueueRecord> = scope
        .queues()
        .list()
        .await?
        .into_iter()
        .map(|q| (q.id, q))
        .collect();
    if !queues.contains_key(&rule.queue) {
        return Err(AppError::NotFound);
    }
    for (i, condition) in rule.conditions.iter_mut().enumerate() {
        match condition {
            ConditionSpec::Channel { channel } => {
                scope.channels().get(*channel).await?;
            }
            ConditionSpec::Hours {
                queue: Some(queue), ..
            } if !queues.contains_key(queue) => return Err(AppError::NotFound),
            // A pattern is kept as written: its spaces may matter.
            ConditionSpec::Keyword { value } | ConditionSpec::Language { value } => {
                *value = value.trim().to_owned();
            }
            ConditionSpec::Pattern { .. } => {}
            ConditionSpec::Attribute { key, value } => {
                *key = key.trim().to_owned();
                *value = value.trim().to_owned();
                if key.is_empty() || key.chars().count() > 200 {
                    return Err(AppError::bad_input(
                        format!("conditions[{i}].key"),
                        routing::RoutingError::Length,
                    ));
                }
            }
            ConditionSpec::Hours { .. } => {}
        }
        condition
            .compile(rule.queue, hours_of(&queues))
            .map_err(|e| AppError::bad_input(format!("conditions[{i}].value"), e))?;
    }
    Ok(())
}

fn parse_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::bad_input("name", "must not be empty"));
    }
    free_text::check(name, NAME_MAX, Lines::One).map_err(|e| AppError::bad_input("name", e))?;
    Ok(name.to_owned())
}

/// A position in an order of `len` rules: from 0, past the end meaning the end.
fn position(wanted: Option<i64>, len: u64) -> Result<u32, AppError> {
    match wanted {
        None => Ok(len as u32),
        Some(p) if p < 0 => Err(AppError::bad_input("position", "must be 0 or more")),
        Some(p) => Ok(p.min(len as i64) as u32),
    }
}
