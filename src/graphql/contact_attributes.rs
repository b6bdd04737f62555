//! Contact attributes and a contact's profile in the API: every member reads the
//! attributes and changes contacts (`updateContact`); owners and admins define attributes.

use async_graphql::{Context, Enum, InputObject, MaybeUndefined, Object, ID};
use chrono::{DateTime, Utc};

use super::conversations::Contact;
use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::records::{AttributeValueRecord, ContactAttributeRecord};
use crate::domain::{ContactAttributeId, ContactId};
use crate::services::auth::Agent;
use crate::services::contact_attributes::{AttributeUpdate, NewAttribute};
use crate::services::contacts::ContactUpdate;
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "ContactAttributeType",
    remote = "crate::domain::contact_attribute::AttributeKind"
)]
pub enum AttributeKindGql {
    /// Any text, up to 1000 characters.
    Text,
    /// A decimal number such as `42`, `-3` or `19.99`.
    Number,
    /// A calendar date as `YYYY-MM-DD`.
    Date,
    /// `true` or `false`.
    Boolean,
    /// One of the attribute's `choices`.
    Choice,
}

/// A tenant's typed field kept for each contact.
pub struct ContactAttribute(pub ContactAttributeRecord);

#[Object]
impl ContactAttribute {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// An identifier (`a-z`, `0-9`, `_`), unique in the tenant; fixed once made.
    async fn key(&self) -> &str {
        &self.0.key
    }
    async fn display_name(&self) -> &str {
        &self.0.name
    }
    /// Fixed once made.
    #[graphql(name = "type")]
    async fn kind(&self) -> AttributeKindGql {
        self.0.kind.into()
    }
    /// A CHOICE's values, in order; empty for the other types.
    async fn choices(&self) -> &[String] {
        &self.0.choices
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A contact's value of an attribute.
pub struct ContactAttributeValue(pub AttributeValueRecord);

#[Object]
impl ContactAttributeValue {
    async fn key(&self) -> &str {
        &self.0.attribute.key
    }
    /// In its canonical form: a date as `YYYY-MM-DD`, a boolean as `true` or `false`.
    async fn value(&self) -> &str {
        &self.0.value
    }
    async fn attribute(&self) -> ContactAttribute {
        ContactAttribute(self.0.attribute.clone())
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(InputObject)]
pub struct CreateContactAttributeInput {
    pub key: String,
    pub display_name: String,
    #[graphql(name = "type")]
    pub kind: AttributeKindGql,
    /// Required for CHOICE (1 to 100 different values); not allowed for the other types.
    #[graphql(default)]
    pub choices: Vec<String>,
}

/// Fields left out stay as they are. The key and type never change.
#[derive(InputObject)]
pub struct UpdateContactAttributeInput {
    pub display_name: Option<String>,
    /// Replaces a CHOICE's values; one that contacts hold cannot be removed (CONFLICT).
    pub choices: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct ContactAttributeValueInput {
    pub key: String,
    /// Checked against the attribute's type; null clears the contact's value.
    pub value: Option<String>,
}

/// Fields left out stay as they are; a null clears one.
#[derive(InputObject)]
pub struct UpdateContactInput {
    pub name: MaybeUndefined<String>,
    /// A language tag such as `es`, `pt-BR` or `zh-Hant`.
    pub language: MaybeUndefined<String>,
    /// Values to set or clear; the contact's other values stay.
    #[graphql(default)]
    pub attributes: Vec<ContactAttributeValueInput>,
}

fn maybe(value: MaybeUndefined<String>) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[derive(Default)]
pub struct ContactAttributeQuery;

#[Object]
impl ContactAttributeQuery {
    /// The tenant's contact attributes by key.
    async fn contact_attributes(&self, ctx: &Context<'_>) -> GqlResult<Vec<ContactAttribute>> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let list = state.contact_attributes.list(&access).await?;
        Ok(list.into_iter().map(ContactAttribute).collect())
    }
}

#[derive(Default)]
pub struct ContactAttributeMutation;

#[Object]
impl ContactAttributeMutation {
    async fn create_contact_attribute(
        &self,
        ctx: &Context<'_>,
        input: CreateContactAttributeInput,
    ) -> GqlResult<ContactAttribute> {
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = NewAttribute {
            key: input.key,
            name: input.display_name,
            kind: input.kind.into(),
            choices: input.choices,
        };
        Ok(ContactAttribute(
            state.contact_attributes.create(&access, input).await?,
        ))
    }

    async fn update_contact_attribute(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateContactAttributeInput,
    ) -> GqlResult<ContactAttribute> {
        let id: ContactAttributeId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = AttributeUpdate {
            name: input.display_name,
            choices: input.choices,
        };
        Ok(ContactAttribute(
            state.contact_attributes.update(&access, id, input).await?,
        ))
    }

    /// Deletes an attribute and every contact's value of it.
    async fn delete_contact_attribute(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let id: ContactAttributeId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.contact_attributes.delete(&access, id).await?)
    }

    /// Changes a contact's name, language and attribute values, all or none.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateContactInput,
    ) -> GqlResult<Contact> {
        let id: ContactId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let input = ContactUpdate {
            name: maybe(input.name),
            language: maybe(input.language),
            attributes: input
                .attributes
                .into_iter()
                .map(|a| (a.key, a.value))
                .collect(),
        };
        let contact = state.contacts.update_contact(&access, id, input).await?;
        Ok(Contact(contact, access.tenant()))
    }
}
