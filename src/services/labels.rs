//! Labels: a tenant's tags for conversations. Owners and admins define them; any member
//! puts them on and takes them off the conversations they see.

use std::collections::HashMap;

use crate::domain::audit::{AuditEvent, LabelChange};
use crate::domain::label;
use crate::domain::records::{ConversationRecord, LabelRecord};
use crate::domain::{ConversationId, LabelId, TenantId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::services::definitions::{bad, taken, within_limit};
use crate::store::{Store, TenantScope};

const NAME_TAKEN: &str = "another label has this name";

/// A label's fields as given; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct LabelInput {
    pub name: Option<String>,
    pub color: Option<String>,
    /// `Some(None)` (or an empty text) removes the description.
    pub description: Option<Option<String>>,
}

#[derive(Clone)]
pub struct LabelService {
    store: Store,
}

impl LabelService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The tenant's labels by name.
    pub async fn list(&self, access: &Access<Agent>) -> Result<Vec<LabelRecord>, AppError> {
        Ok(self.store.tenant(access.tenant()).labels().list().await?)
    }

    pub async fn create(
        &self,
        access: &Access<Admin>,
        input: LabelInput,
    ) -> Result<LabelRecord, AppError> {
        if input.name.is_none() {
            return Err(AppError::bad_input("name", "is required"));
        }
        if input.color.is_none() {
            return Err(AppError::bad_input("color", "is required"));
        }
        let now = chrono::Utc::now();
        let mut record = LabelRecord {
            id: LabelId::new(),
            name: String::new(),
            color: String::new(),
            description: None,
            created_at: now,
            updated_at: now,
        };
        apply(&mut record, input)?;
        let unit = self.store.write(access.tenant()).await?;
        let labels = unit.scope().labels();
        within_limit(labels.count().await?, label::LABELS_MAX, "labels")?;
        record.created_at = unit.now();
        record.updated_at = unit.now();
        labels
            .insert(&record)
            .await
            .map_err(taken("name", NAME_TAKEN))?;
        let record = labels.get(record.id).await?;
        let event = AuditEvent::Label {
            label: record.id,
            change: LabelChange::Created,
            name: &record.name,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(record)
    }

    pub async fn update(
        &self,
        access: &Access<Admin>,
        id: LabelId,
        input: LabelInput,
    ) -> Result<LabelRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let labels = unit.scope().labels();
        let mut record = labels.get(id).await?;
        apply(&mut record, input)?;
        record.updated_at = unit.now();
        labels
            .update(&record)
            .await
            .map_err(taken("name", NAME_TAKEN))?;
        let record = labels.get(id).await?;
        let event = AuditEvent::Label {
            label: id,
            change: LabelChange::Updated,
            name: &record.name,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(record)
    }

    /// Deletes a label, taking it off every conversation that has it.
    pub async fn delete(&self, access: &Access<Admin>, id: LabelId) -> Result<bool, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let labels = unit.scope().labels();
        let record = labels.get(id).await?;
        let conversations = labels.delete(id).await?;
        let event = AuditEvent::Label {
            label: id,
            change: LabelChange::Deleted { conversations },
            name: &record.name,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(true)
    }

    /// Puts labels on a conversation (those it has stay); answers the conversation.
    pub async fn label_conversation(
        &self,
        access: &Access<Agent>,
        conversation: ConversationId,
        ids: &[LabelId],
    ) -> Result<ConversationRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let visibility = super::visibility::of(&scope, access).await?;
        let record = super::visibility::conversation(&scope, &visibility, conversation).await?;
        check_labels(&scope, "labelIds", ids).await?;
        scope.labels().attach(conversation, ids, unit.now()).await?;
        unit.commit().await?;
        Ok(record)
    }

    /// Takes labels off a conversation (those it lacks are no matter); answers the
    /// conversation.
    pub async fn unlabel_conversation(
        &self,
        access: &Access<Agent>,
        conversation: ConversationId,
        ids: &[LabelId],
    ) -> Result<ConversationRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let visibility = super::visibility::of(&scope, access).await?;
        let record = super::visibility::conversation(&scope, &visibility, conversation).await?;
        check_labels(&scope, "labelIds", ids).await?;
        scope.labels().detach(conversation, ids).await?;
        unit.commit().await?;
        Ok(record)
    }

    /// The labels of conversations of a tenant the caller reached, each list by name.
    pub async fn of_conversations(
        &self,
        tenant: TenantId,
        conversations: &[ConversationId],
    ) -> Result<HashMap<ConversationId, Vec<LabelRecord>>, AppError> {
        Ok(self
            .store
            .tenant(tenant)
            .labels()
            .of_conversations(conversations)
            .await?)
    }
}

/// At most [`label::PER_REQUEST_MAX`] labels, each the tenant's: another tenant's (or a
/// deleted one) answers NOT_FOUND.
pub(crate) async fn check_labels<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    field: &str,
    ids: &[LabelId],
) -> Result<(), AppError> {
    if ids.len() > label::PER_REQUEST_MAX {
        return Err(AppError::bad_input(
            field,
            format!("at most {} labels at once", label::PER_REQUEST_MAX),
        ));
    }
    let found = scope.labels().find_many(ids).await?;
    if ids.iter().all(|id| found.iter().any(|l| l.id == *id)) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

fn apply(record: &mut LabelRecord, input: LabelInput) -> Result<(), AppError> {
    if let Some(name) = input.name {
        record.name = label::parse_name(&name).map_err(bad("name"))?;
    }
    if let Some(color) = input.color {
        record.color = label::parse_color(&color).map_err(bad("color"))?;
    }
    if let Some(description) = input.description {
        record.description = match description {
            Some(text) => label::parse_description(&text).map_err(bad("description"))?,
            None => None,
        };
    }
    Ok(())
}
