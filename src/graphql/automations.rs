//! Automated messages per queue in the API: `Queue.automations` for every member, and
//! `updateQueueAutomations` for owners and admins.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::content::TemplateVariableView;
use super::errors::GqlResult;
use super::guards::viewer;
use super::sending::TemplateVariableInput;
use super::templates::Template;
use super::types::parse_id;
use crate::domain::automation::{Automation, AutomationKind};
use crate::domain::QueueId;
use crate::error::AppError;
use crate::services::auth::Agent;
use crate::services::automations::AutomationInput;
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "AutomationKind",
    remote = "crate::domain::automation::AutomationKind"
)]
pub enum AutomationKindGql {
    /// The first message of a new conversation.
    Welcome,
    /// A new conversation while its queue is outside its business hours.
    OutOfHours,
    /// A conversation waiting unassigned for `afterMinutes`.
    Waiting,
    /// A conversation resolved.
    Resolved,
}

/// A queue's automated message of one kind. Each goes at most once per conversation,
/// through the outbox, from Switchboard: the text inside the 24-hour window, the template
/// outside it (nothing without one).
pub struct QueueAutomation(pub Automation);

#[Object]
impl QueueAutomation {
    async fn kind(&self) -> AutomationKindGql {
        self.0.kind.into()
    }
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// Sent while the 24-hour window is open, as written.
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }
    async fn template_id(&self) -> Option<ID> {
        self.0.template.map(|id| ID(id.to_string()))
    }
    /// Sent while the window is closed: this template, or the one of the conversation's
    /// channel with its name and language. Null when none is set or it was deleted.
    async fn template(&self, ctx: &Context<'_>) -> GqlResult<Option<Template>> {
        let Some(id) = self.0.template else {
            return Ok(None);
        };
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        match state.templates.get(&access, id).await {
            Ok(t) => Ok(Some(Template(t))),
            Err(AppError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
    async fn template_variables(&self) -> Vec<TemplateVariableView> {
        self.0
            .template_variables
            .iter()
            .map(|(key, value)| TemplateVariableView {
                key: key.clone(),
                value: value.clone(),
            })
            .collect()
    }
    /// WAITING only: minutes a conversation waits unassigned before it is sent; 0 sends
    /// it as soon as the next sweep (about a second) sees it waiting.
    async fn after_minutes(&self) -> Option<i32> {
        self.0.after_minutes.map(|m| m as i32)
    }
    /// Null while never configured.
    async fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.0.updated_at
    }
}

/// A queue's automated messages, one per kind.
#[derive(SimpleObject)]
pub struct QueueAutomations {
    welcome: QueueAutomation,
    out_of_hours: QueueAutomation,
    waiting: QueueAutomation,
    resolved: QueueAutomation,
}

impl From<Vec<Automation>> for QueueAutomations {
    fn from(list: Vec<Automation>) -> Self {
        let mut list = list.into_iter();
        let mut take = |kind: AutomationKind| {
            QueueAutomation(
                list.find(|a| a.kind == kind)
                    .unwrap_or_else(|| Automation::disabled(QueueId::new(), kind)),
            )
        };
        Self {
            welcome: take(AutomationKind::Welcome),
            out_of_hours: take(AutomationKind::OutOfHours),
            waiting: take(AutomationKind::Waiting),
            resolved: take(AutomationKind::Resolved),
        }
    }
}

/// One kind's settings; they replace what the kind had.
#[derive(InputObject)]
pub struct QueueAutomationInput {
    pub enabled: bool,
    /// Required when enabled; written like a message.
    pub text: Option<String>,
    /// A template of the tenant, sent when the window is closed.
    pub template_id: Option<ID>,
    #[graphql(default)]
    pub template_variables: Vec<TemplateVariableInput>,
    /// WAITING only, 0 to 10080; required when it is enabled.
    pub after_minutes: Option<i32>,
}

/// The kinds to change; those left out stay as they are.
#[derive(InputObject)]
pub struct QueueAutomationsInput {
    pub welcome: Option<QueueAutomationInput>,
    pub out_of_hours: Option<QueueAutomationInput>,
    pub waiting: Option<QueueAutomationInput>,
    pub resolved: Option<QueueAutomationInput>,
}

fn automation_input(
    kind: AutomationKind,
    field: &str,
    given: QueueAutomationInput,
) -> GqlResult<AutomationInput> {
    Ok(AutomationInput {
        kind,
        enabled: given.enabled,
        text: given.text,
        template: given
            .template_id
            .as_ref()
            .map(|id| parse_id(&format!("{field}.templateId"), id))
            .transpose()?,
        template_variables: given
            .template_variables
            .into_iter()
            .map(|v| (v.key, v.value))
            .collect(),
        after_minutes: given.after_minutes.map(i64::from),
    })
}

#[derive(Default)]
pub struct AutomationMutation;

#[Object]
impl AutomationMutation {
    /// Sets a queue's automated messages (owners and admins).
    async fn update_queue_automations(
        &self,
        ctx: &Context<'_>,
        queue_id: ID,
        input: QueueAutomationsInput,
    ) -> GqlResult<QueueAutomations> {
        let queue: QueueId = parse_id("queueId", &queue_id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let kinds = [
            (AutomationKind::Welcome, "welcome", input.welcome),
            (AutomationKind::OutOfHours, "outOfHours", input.out_of_hours),
            (AutomationKind::Waiting, "waiting", input.waiting),
            (AutomationKind::Resolved, "resolved", input.resolved),
        ];
        let inputs = kinds
            .into_iter()
            .filter_map(|(kind, field, given)| given.map(|g| automation_input(kind, field, g)))
            .collect::<GqlResult<Vec<_>>>()?;
        let stored = state.automations.update(&access, queue, inputs).await?;
        Ok(stored.into())
    }
}

/// `Queue.automations`.
pub async fn of_queue(ctx: &Context<'_>, queue: QueueId) -> GqlResult<QueueAutomations> {
    let access = viewer(ctx)?.access::<Agent>()?;
    let state = ctx.data_unchecked::<Services>();
    Ok(state.automations.of_queue(&access, queue).await?.into())
}
