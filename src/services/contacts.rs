//! A contact's profile: the name the business gives it, its language and its attribute
//! values. `updateContact` changes them; [`contact_profile`] answers them to the rules that
//! decide by them (routing).

use std::collections::BTreeMap;

use crate::domain::audit::AuditEvent;
use crate::domain::contact_attribute;
use crate::domain::contact_profile::ContactProfile;
use crate::domain::free_text::{self, Lines};
use crate::domain::language_tag::LanguageTag;
use crate::domain::records::{AttributeValueRecord, ContactRecord};
use crate::domain::{ContactId, TenantId};
use crate::error::AppError;
use crate::services::auth::{Access, Agent};
use crate::store::{Store, TenantScope};

/// The longest name the business gives a contact.
pub const NAME_MAX: usize = 200;

/// A contact's changes; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct ContactUpdate {
    pub name: Option<Option<String>>,
    pub language: Option<Option<String>>,
    /// Values by attribute key; a `None` value clears the contact's value.
    pub attributes: Vec<(String, Option<String>)>,
}

#[derive(Clone)]
pub struct ContactService {
    store: Store,
}

impl ContactService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Changes a contact's name, language and attribute values, all or none. A value is
    /// checked against its attribute's type, naming `attributes[i].value` when refused.
    pub async fn update_contact(
        &self,
        access: &Access<Agent>,
        id: ContactId,
        input: ContactUpdate,
    ) -> Result<ContactRecord, AppError> {
        let name = input
            .name
            .map(|n| n.map(parse_name).transpose())
            .transpose()?;
        let language = input
            .language
            .map(|l| {
                l.map(|l| LanguageTag::parse(&l).map_err(|e| AppError::bad_input("language", e)))
                    .transpose()
            })
            .transpose()?;
        if input.attributes.len() > contact_attribute::ATTRIBUTES_MAX {
            return Err(AppError::bad_input(
                "attributes",
                format!(
                    "at most {} values at once",
                    contact_attribute::ATTRIBUTES_MAX
                ),
            ));
        }
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        scope.contacts().get(id).await?;
        let defined = scope.contact_attributes().list().await?;
        let mut fields: Vec<String> = [("name", name.is_some()), ("language", language.is_some())]
            .into_iter()
            .filter(|(_, given)| *given)
            .map(|(field, _)| field.to_owned())
            .collect();
        let mut values = Vec::with_capacity(input.attributes.len());
        for (i, (key, value)) in input.attributes.iter().enumerate() {
            let Some(attribute) = defined.iter().find(|a| a.key == *key) else {
                return Err(AppError::bad_input(
                    format!("attributes[{i}].key"),
                    "is not one of the tenant's contact attributes",
                ));
            };
            if values.iter().any(|(a, _)| a == &attribute.id) {
                return Err(AppError::bad_input(
                    format!("attributes[{i}].key"),
                    "names the attribute twice",
                ));
            }
            let value = value
                .as_deref()
                .map(|v| contact_attribute::parse_value(attribute.kind, &attribute.choices, v))
                .transpose()
                .map_err(|e| AppError::bad_input(format!("attributes[{i}].value"), e))?;
            values.push((attribute.id, value));
            fields.push(format!("attributes.{key}"));
        }
        let now = unit.now();
        scope
            .contacts()
            .update_profile(id, name, language, now)
            .await?;
        for (attribute, value) in &values {
            scope
                .contact_attributes()
                .put_value(id, *attribute, value.as_deref(), now)
                .await?;
        }
        if !fields.is_empty() {
            let event = AuditEvent::ContactUpdated {
                contact: id,
                fields,
            };
            unit.audit(access.actor(), event).await?;
        }
        let contact = scope.contacts().get(id).await?;
        unit.commit().await?;
        Ok(contact)
    }

    /// The attribute values of a contact of a tenant the caller reached, by key.
    pub async fn attributes(
        &self,
        tenant: TenantId,
        id: ContactId,
    ) -> Result<Vec<AttributeValueRecord>, AppError> {
        Ok(self
            .store
            .tenant(tenant)
            .contact_attributes()
            .values_of(id)
            .await?)
    }

    /// A contact's language and attribute values (see [`contact_profile`]).
    pub async fn profile(
        &self,
        tenant: TenantId,
        id: ContactId,
    ) -> Result<ContactProfile, AppError> {
        contact_profile(&self.store.tenant(tenant), id).await
    }
}

/// A contact's language and attribute values by key, as rules decide by them; usable
/// inside a unit of work (`&unit.scope()`). Another tenant's contact answers NOT_FOUND.
pub async fn contact_profile<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    id: ContactId,
) -> Result<ContactProfile, AppError> {
    let contact = scope.contacts().get(id).await?;
    let attributes: BTreeMap<String, String> = scope
        .contact_attributes()
        .values_of(id)
        .await?
        .into_iter()
        .map(|v| (v.attribute.key, v.value))
        .collect();
    Ok(ContactProfile {
        language: contact.language,
        attributes,
    })
}

/// A name, trimmed: one line, not empty (null clears it), at most [`NAME_MAX`] characters.
fn parse_name(raw: String) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::bad_input(
            "name",
            "must not be empty; null clears it",
        ));
    }
    free_text::check(name, NAME_MAX, Lines::One).map_err(|e| AppError::bad_input("name", e))?;
    Ok(name.to_owned())
}
