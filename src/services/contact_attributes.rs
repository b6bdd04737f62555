//! Contact attributes: a tenant's typed fields kept for each contact. Owners and admins
//! define them; a definition's key and type are fixed once made, its display name and
//! choices may change.

use crate::domain::audit::{AttributeChange, AuditEvent};
use crate::domain::contact_attribute::{self, AttributeKind};
use crate::domain::records::ContactAttributeRecord;
use crate::domain::ContactAttributeId;
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::services::definitions::{bad, taken, within_limit};
use crate::store::Store;

/// A new attribute as given.
#[derive(Debug)]
pub struct NewAttribute {
    pub key: String,
    pub name: String,
    pub kind: AttributeKind,
    pub choices: Vec<String>,
}

/// An attribute's changes; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct AttributeUpdate {
    pub name: Option<String>,
    /// Replaces the whole list (CHOICE only).
    pub choices: Option<Vec<String>>,
}

#[derive(Clone)]
pub struct ContactAttributeService {
    store: Store,
}

impl ContactAttributeService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The tenant's attributes by key.
    pub async fn list(
        &self,
        access: &Access<Agent>,
    ) -> Result<Vec<ContactAttributeRecord>, AppError> {
        Ok(self
            .store
            .tenant(access.tenant())
            .contact_attributes()
            .list()
            .await?)
    }

    pub async fn create(
        &self,
        access: &Access<Admin>,
        input: NewAttribute,
    ) -> Result<ContactAttributeRecord, AppError> {
        let key = contact_attribute::parse_key(&input.key).map_err(bad("key"))?;
        let name = contact_attribute::parse_name(&input.name).map_err(bad("displayName"))?;
        let choices = parse_choices(input.kind, &input.choices)?;
        let unit = self.store.write(access.tenant()).await?;
        let attributes = unit.scope().contact_attributes();
        within_limit(
            attributes.count().await?,
            contact_attribute::ATTRIBUTES_MAX,
            "contact attributes",
        )?;
        let record = ContactAttributeRecord {
            id: ContactAttributeId::new(),
            key,
            name,
            kind: input.kind,
            choices,
            created_at: unit.now(),
            updated_at: unit.now(),
        };
        attributes
            .insert(&record)
            .await
            .map_err(taken("key", "another attribute has this key"))?;
        let record = attributes.get(record.id).await?;
        let event = AuditEvent::ContactAttribute {
            attribute: record.id,
            change: AttributeChange::Created,
            key: &record.key,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(record)
    }

    /// Changes an attribute's display name or choices. A choice that contacts hold cannot
    /// be removed (CONFLICT): clear it from them first.
    pub async fn update(
        &self,
        access: &Access<Admin>,
        id: ContactAttributeId,
        input: AttributeUpdate,
    ) -> Result<ContactAttributeRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let attributes = unit.scope().contact_attributes();
        let mut record = attributes.get(id).await?;
        if let Some(name) = input.name {
            record.name = contact_attribute::parse_name(&name).map_err(bad("displayName"))?;
        }
        if let Some(choices) = input.choices {
            let choices = parse_choices(record.kind, &choices)?;
            let removed: Vec<String> = record
                .choices
                .iter()
                .filter(|c| !choices.contains(c))
                .cloned()
                .collect();
            let holding = attributes.count_holding(id, &removed).await?;
            if holding > 0 {
                return Err(AppError::Conflict(format!(
                    "{holding} contacts hold a choice this removes; clear it from them first"
                )));
            }
            record.choices = choices;
        }
        record.updated_at = unit.now();
        attributes.update(&record).await?;
        let record = attributes.get(id).await?;
        let event = AuditEvent::ContactAttribute {
            attribute: id,
            change: AttributeChange::Updated,
            key: &record.key,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(record)
    }

    /// Deletes an attribute and every contact's value of it.
    pub async fn delete(
        &self,
        access: &Access<Admin>,
        id: ContactAttributeId,
    ) -> Result<bool, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let attributes = unit.scope().contact_attributes();
        let record = attributes.get(id).await?;
        let values = attributes.delete(id).await?;
        let event = AuditEvent::ContactAttribute {
            attribute: id,
            change: AttributeChange::Deleted { values },
            key: &record.key,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(true)
    }
}

fn parse_choices(kind: AttributeKind, raw: &[String]) -> Result<Vec<String>, AppError> {
    contact_attribute::parse_choices(kind, raw).map_err(|(at, e)| match at {
        Some(i) => AppError::bad_input(format!("choices[{i}]"), e),
        None => AppError::bad_input("choices", e),
    })
}
