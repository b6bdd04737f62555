//! A tenant's message templates, one per channel, name and language.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};

use super::entities::template;
use super::StoreError;
use crate::domain::records::template::Template;
use crate::domain::template::{ParameterFormat, TemplateCategory, TemplateStatus};
use crate::domain::{ChannelId, TemplateId, TenantId};

impl TryFrom<template::Model> for Template {
    type Error = StoreError;

    fn try_from(row: template::Model) -> Result<Self, StoreError> {
        let list = |text: &str, what: &str| -> Result<Vec<String>, StoreError> {
            serde_json::from_str(text)
                .map_err(|e| StoreError::Corrupt(format!("template {what}: {e}")))
        };
        Ok(Self {
            id: row.id.into(),
            channel: row.channel_id.into(),
            category: row.category.as_deref().and_then(TemplateCategory::parse),
            status: TemplateStatus::from_provider(&row.status).unwrap_or(TemplateStatus::Unknown),
            quick_replies: list(&row.quick_replies, "quick replies")?,
            variables: list(&row.variables, "variables")?,
            parameter_format: ParameterFormat::parse(&row.parameter_format)
                .unwrap_or(ParameterFormat::Positional),
            name: row.name,
            language: row.language,
            rejection_reason: row.rejection_reason,
            body: row.body,
            header_text: row.header_text,
            footer: row.footer,
            provider_template_id: row.provider_template_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
            synced_at: row.synced_at,
        })
    }
}

fn json_list(list: &[String]) -> String {
    serde_json::Value::from(list.to_vec()).to_string()
}

pub struct Templates<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Templates<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<template::Entity> {
        template::Entity::find().filter(template::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    fn active(&self, t: &Template) -> template::ActiveModel {
        template::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(t.id.into()),
            channel_id: Set(t.channel.into()),
            name: Set(t.name.clone()),
            language: Set(t.language.clone()),
            category: Set(t.category.map(|c| c.as_str().to_owned())),
            status: Set(t.status.as_str().to_owned()),
            rejection_reason: Set(t.rejection_reason.clone()),
            body: Set(t.body.clone()),
            header_text: Set(t.header_text.clone()),
            footer: Set(t.footer.clone()),
            quick_replies: Set(json_list(&t.quick_replies)),
            variables: Set(json_list(&t.variables)),
            parameter_format: Set(t.parameter_format.as_str().to_owned()),
            provider_template_id: Set(t.provider_template_id.clone()),
            created_at: Set(t.created_at),
            updated_at: Set(t.updated_at),
            synced_at: Set(t.synced_at),
        }
    }

    pub async fn get(&self, id: TemplateId) -> Result<Template, StoreError> {
        self.scoped()
            .filter(template::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    /// The tenant's templates, or one channel's, by name and language.
    pub async fn list(&self, channel: Option<ChannelId>) -> Result<Vec<Template>, StoreError> {
        let mut query = self.scoped();
        if let Some(channel) = channel {
            query = query.filter(template::Column::ChannelId.eq(channel.into_uuid()));
        }
        query
            .order_by_asc(template::Column::Name)
            .order_by_asc(template::Column::Language)
            .order_by_asc(template::Column::Id)
            .all(self.db)
            .await?
            .into_iter()
            .map(Template::try_from)
            .collect()
    }

    pub async fn find(
        &self,
        channel: ChannelId,
        name: &str,
        language: &str,
    ) -> Result<Option<Template>, StoreError> {
        self.scoped()
            .filter(template::Column::ChannelId.eq(channel.into_uuid()))
            .filter(template::Column::Name.eq(name))
            .filter(template::Column::Language.eq(language))
            .one(self.db)
            .await?
            .map(Template::try_from)
            .transpose()
    }

    /// Inserts; a second template with the channel, name and language answers `Conflict`.
    pub async fn insert(&self, t: &Template) -> Result<Template, StoreError> {
        template::Entity::insert(self.active(t))
            .exec_without_returning(self.db)
            .await?;
        self.get(t.id).await
    }

    /// Writes every field but the id, channel and creation time.
    pub async fn update(&self, t: &Template) -> Result<Template, StoreError> {
        let mut row = self.active(t);
        row.tenant_id = sea_orm::ActiveValue::Unchanged(self.tenant.into());
        row.id = sea_orm::ActiveValue::Unchanged(t.id.into());
        row.channel_id = sea_orm::ActiveValue::NotSet;
        row.created_at = sea_orm::ActiveValue::NotSet;
        let updated = template::Entity::update_many()
            .set(row)
            .filter(template::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(template::Column::Id.eq(t.id.into_uuid()))
            .exec(self.db)
            .await?;
        if updated.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        self.get(t.id).await
    }

    pub async fn delete(&self, id: TemplateId) -> Result<(), StoreError> {
        let deleted = template::Entity::delete_many()
            .filter(template::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(template::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Sync's write: the row of `t`'s channel, name and language takes `t`'s fields but
    /// keeps its id and creation time, or `t` is inserted.
    pub async fn upsert(&self, t: &Template) -> Result<Template, StoreError> {
        match self.find(t.channel, &t.name, &t.language).await? {
            Some(existing) => {
                self.update(&Template {
                    id: existing.id,
                    created_at: existing.created_at,
                    ..t.clone()
                })
                .await
            }
            None => self.insert(t).await,
        }
    }

    /// Removes a channel's templates whose provider id is not in `keep`; answers how many.
    pub async fn delete_missing(
        &self,
        channel: ChannelId,
        keep: &[String],
    ) -> Result<u64, StoreError> {
        let mut delete = template::Entity::delete_many()
            .filter(template::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(template::Column::ChannelId.eq(channel.into_uuid()));
        if !keep.is_empty() {
            delete = delete.filter(
                sea_orm::Condition::any()
                    .add(template::Column::ProviderTemplateId.is_null())
                    .add(template::Column::ProviderTemplateId.is_not_in(keep.to_vec())),
            );
        }
        Ok(delete.exec(self.db).await?.rows_affected)
    }

    /// A provider's status news for its template id (Meta's status webhook); answers how
    /// many rows changed. `status` `None` keeps the status and records only the reason.
    /// The templates the provider knows by `provider_template_id`.
    pub async fn by_provider_id(
        &self,
        provider_template_id: &str,
    ) -> Result<Vec<Template>, StoreError> {
        self.scoped()
            .filter(template::Column::ProviderTemplateId.eq(provider_template_id))
            .all(self.db)
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    pub async fn set_status_by_provider_id(
        &self,
        provider_template_id: &str,
        status: Option<TemplateStatus>,
        rejection_reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut update = template::Entity::update_many()
            .col_expr(
                template::Column::RejectionReason,
                Expr::value(rejection_reason.map(str::to_owned)),
            )
            .col_expr(template::Column::UpdatedAt, Expr::value(now))
            .filter(template::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(template::Column::ProviderTemplateId.eq(provider_template_id));
        if let Some(status) = status {
            update = update.col_expr(template::Column::Status, Expr::value(status.as_str()));
        }
        Ok(update.exec(self.db).await?.rows_affected)
    }
}
