//! A tenant's contact attributes and each contact's values of them. A CHOICE's choices are
//! kept as a JSON array in the attribute's row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Select,
};

use super::entities::{contact_attribute, contact_attribute_value};
use super::StoreError;
use crate::domain::contact_attribute::AttributeKind;
use crate::domain::records::{AttributeValueRecord, ContactAttributeRecord};
use crate::domain::{ContactAttributeId, ContactId, TenantId};

fn choices_json(choices: &[String]) -> Option<String> {
    (!choices.is_empty()).then(|| serde_json::to_string(choices).unwrap_or_default())
}

fn record(row: contact_attribute::Model) -> Result<ContactAttributeRecord, StoreError> {
    let kind = AttributeKind::parse(&row.kind)
        .ok_or_else(|| StoreError::Corrupt(format!("contact attribute kind {}", row.kind)))?;
    let choices = match row.choices.as_deref() {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| StoreError::Corrupt(format!("contact attribute choices: {e}")))?,
        None => Vec::new(),
    };
    Ok(ContactAttributeRecord {
        id: row.id.into(),
        key: row.key,
        name: row.name,
        kind,
        choices,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub struct ContactAttributes<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> ContactAttributes<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<contact_attribute::Entity> {
        contact_attribute::Entity::find()
            .filter(contact_attribute::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    fn values(&self) -> Select<contact_attribute_value::Entity> {
        contact_attribute_value::Entity::find()
            .filter(contact_attribute_value::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    /// The tenant's attributes by key.
    pub async fn list(&self) -> Result<Vec<ContactAttributeRecord>, StoreError> {
        self.scoped()
            .order_by_asc(contact_attribute::Column::Key)
            .all(self.db)
            .await?
            .into_iter()
            .map(record)
            .collect()
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.scoped().count(self.db).await?)
    }

    pub async fn get(&self, id: ContactAttributeId) -> Result<ContactAttributeRecord, StoreError> {
        record(
            self.scoped()
                .filter(contact_attribute::Column::Id.eq(id.into_uuid()))
                .one(self.db)
                .await?
                .ok_or(StoreError::NotFound)?,
        )
    }

    /// Stores a new attribute. A key the tenant already uses is a `Conflict`.
    pub async fn insert(&self, attribute: &ContactAttributeRecord) -> Result<(), StoreError> {
        contact_attribute::Entity::insert(contact_attribute::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(attribute.id.into()),
            key: Set(attribute.key.clone()),
            name: Set(attribute.name.clone()),
            kind: Set(attribute.kind.as_str().to_owned()),
            choices: Set(choices_json(&attribute.choices)),
            created_at: Set(attribute.created_at),
            updated_at: Set(attribute.updated_at),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Stores an attribute's name and choices; its key and kind never change.
    pub async fn update(&self, attribute: &ContactAttributeRecord) -> Result<(), StoreError> {
        let result = contact_attribute::Entity::update_many()
            .filter(contact_attribute::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(contact_attribute::Column::Id.eq(attribute.id.into_uuid()))
            .col_expr(
                contact_attribute::Column::Name,
                Expr::value(attribute.name.clone()),
            )
            .col_expr(
                contact_attribute::Column::Choices,
                Expr::value(choices_json(&attribute.choices)),
            )
            .col_expr(
                contact_attribute::Column::UpdatedAt,
                Expr::value(attribute.updated_at),
            )
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes an attribute with every contact's value of it; answers how many values went.
    pub async fn delete(&self, id: ContactAttributeId) -> Result<u64, StoreError> {
        let values = contact_attribute_value::Entity::delete_many()
            .filter(contact_attribute_value::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(contact_attribute_value::Column::AttributeId.eq(id.into_uuid()))
            .exec(self.db)
            .await?
            .rows_affected;
        let result = contact_attribute::Entity::delete_many()
            .filter(contact_attribute::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(contact_attribute::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(values)
    }

    /// How many contacts hold one of `values` for the attribute.
    pub async fn count_holding(
        &self,
        id: ContactAttributeId,
        values: &[String],
    ) -> Result<u64, StoreError> {
        if values.is_empty() {
            return Ok(0);
        }
        Ok(self
            .values()
            .filter(contact_attribute_value::Column::AttributeId.eq(id.into_uuid()))
            .filter(contact_attribute_value::Column::Value.is_in(values.iter().cloned()))
            .count(self.db)
            .await?)
    }

    /// Sets (or, with `None`, clears) the contact's value of the attribute.
    pub async fn put_value(
        &self,
        contact: ContactId,
        attribute: ContactAttributeId,
        value: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(value) = value else {
            contact_attribute_value::Entity::delete_many()
                .filter(contact_attribute_value::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(contact_attribute_value::Column::ContactId.eq(contact.into_uuid()))
                .filter(contact_attribute_value::Column::AttributeId.eq(attribute.into_uuid()))
                .exec(self.db)
                .await?;
            return Ok(());
        };
        contact_attribute_value::Entity::insert(contact_attribute_value::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            contact_id: Set(contact.into()),
            attribute_id: Set(attribute.into()),
            value: Set(value.to_owned()),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                contact_attribute_value::Column::TenantId,
                contact_attribute_value::Column::ContactId,
                contact_attribute_value::Column::AttributeId,
            ])
            .update_columns([
                contact_attribute_value::Column::Value,
                contact_attribute_value::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// The contact's values with their attributes, by key.
    pub async fn values_of(
        &self,
        contact: ContactId,
    ) -> Result<Vec<AttributeValueRecord>, StoreError> {
        let rows = self
            .values()
            .filter(contact_attribute_value::Column::ContactId.eq(contact.into_uuid()))
            .all(self.db)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut attributes: HashMap<ContactAttributeId, ContactAttributeRecord> =
            self.list().await?.into_iter().map(|a| (a.id, a)).collect();
        let mut found: Vec<AttributeValueRecord> = rows
            .into_iter()
            .filter_map(|row| {
                let attribute = attributes.remove(&row.attribute_id.into())?;
                Some(AttributeValueRecord {
                    attribute,
                    value: row.value,
                    updated_at: row.updated_at,
                })
            })
            .collect();
        found.sort_by(|a, b| a.attribute.key.cmp(&b.attribute.key));
        Ok(found)
    }

    /// The values of each of these contacts, by attribute key; a contact without any is
    /// absent.
    pub async fn values_of_many(
        &self,
        contacts: &[ContactId],
    ) -> Result<HashMap<ContactId, std::collections::BTreeMap<String, String>>, StoreError> {
        let keys: HashMap<ContactAttributeId, String> = self
            .list()
            .await?
            .into_iter()
            .map(|a| (a.id, a.key))
            .collect();
        let mut found: HashMap<ContactId, std::collections::BTreeMap<String, String>> =
            HashMap::new();
        for chunk in contacts.chunks(500) {
            let rows = self
                .values()
                .filter(
                    contact_attribute_value::Column::ContactId
                        .is_in(chunk.iter().map(|c| c.into_uuid())),
                )
                .all(self.db)
                .await?;
            for row in rows {
                if let Some(key) = keys.get(&row.attribute_id.into()) {
                    found
                        .entry(row.contact_id.into())
                        .or_default()
                        .insert(key.clone(), row.value);
                }
            }
        }
        Ok(found)
    }
}
