//! Automated messages per queue: welcome, out of hours, waiting too long and resolved.
//! Owners and admins set them per queue; each goes through the outbox like any message,
//! from Switchboard, at most once per conversation and kind, sent in the transaction of
//! the change that causes it (see `triggers`).

mod triggers;

use std::collections::BTreeMap;

use crate::domain::automation::{self, Automation, AutomationError, AutomationKind};
use crate::domain::template::check_variables;
use crate::domain::{QueueId, TemplateId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::store::{Store, TenantScope};

pub use triggers::{on_change, on_open, sweep_waiting};

/// One kind's settings as given; they replace what the kind had.
#[derive(Debug)]
pub struct AutomationInput {
    pub kind: AutomationKind,
    pub enabled: bool,
    pub text: Option<String>,
    pub template: Option<TemplateId>,
    pub template_variables: Vec<(String, String)>,
    pub after_minutes: Option<i64>,
}

#[derive(Clone)]
pub struct AutomationService {
    store: Store,
}

impl AutomationService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The queue's automations, one per kind; another tenant's queue answers NOT_FOUND.
    pub async fn of_queue(
        &self,
        access: &Access<Agent>,
        queue: QueueId,
    ) -> Result<Vec<Automation>, AppError> {
        let scope = self.store.tenant(access.tenant());
        scope.queues().get(queue).await?;
        Ok(scope.automations().of_queue(queue).await?)
    }

    /// Replaces the settings of the kinds given; the others stay as they are.
    pub async fn update(
        &self,
        access: &Access<Admin>,
        queue: QueueId,
        inputs: Vec<AutomationInput>,
    ) -> Result<Vec<Automation>, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        scope.queues().get(queue).await?;
        for input in inputs {
            let automation = check(&scope, queue, input).await?;
            scope.automations().put(&automation, unit.now()).await?;
        }
        let stored = scope.automations().of_queue(queue).await?;
        unit.commit().await?;
        Ok(stored)
    }
}

/// The input field of a kind.
fn field_of(kind: AutomationKind) -> &'static str {
    match kind {
        AutomationKind::Welcome => "welcome",
        AutomationKind::OutOfHours => "outOfHours",
        AutomationKind::Waiting => "waiting",
        AutomationKind::Resolved => "resolved",
    }
}

async fn check<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    queue: QueueId,
    input: AutomationInput,
) -> Result<Automation, AppError> {
    let prefix = field_of(input.kind);
    let bad = |field: &str, e: AutomationError| AppError::bad_input(format!("{prefix}.{field}"), e);
    let text = input.text.filter(|t| !t.trim().is_empty());
    match &text {
        Some(t) => automation::check_text(t).map_err(|e| bad("text", e))?,
        None if input.enabled => return Err(bad("text", AutomationError::TextMissing)),
        None => {}
    }
    let after_minutes =
        automation::check_after_minutes(input.kind, input.enabled, input.after_minutes)
            .map_err(|e| bad("afterMinutes", e))?;
    let variables_field = format!("{prefix}.templateVariables");
    let template_variables = match input.template {
        Some(id) => {
            // Another tenant's template answers NOT_FOUND.
            let template = scope.templates().get(id).await?;
            let mut given = BTreeMap::new();
            for (key, value) in input.template_variables {
                if given.insert(key, value).is_some() {
                    return Err(AppError::bad_input(
                        variables_field,
                        "names a variable twice",
                    ));
                }
            }
            check_variables(&template.variables, &given)
                .map_err(|e| AppError::bad_input(variables_field, e))?
        }
        None if !input.template_variables.is_empty() => {
            return Err(AppError::bad_input(
                variables_field,
                "variables need a templateId",
            ))
        }
        None => Vec::new(),
    };
    Ok(Automation {
        queue,
        kind: input.kind,
        enabled: input.enabled,
        text,
        template: input.template,
        template_variables,
        after_minutes,
        updated_at: None,
    })
}
