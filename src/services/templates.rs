//! Message templates as a service: create, edit, delete and submit them at the channel's
//! provider and keep the local copy in step; sync a channel's templates from the provider.
//! Provider calls run outside transactions; what they answer is then stored.

use std::collections::HashSet;

use chrono::Utc;

use crate::domain::audit::{AuditEvent, TemplateChange};
use crate::domain::records::{ChannelRecord, Template};
use crate::domain::template::{
    check_language, check_name, placeholders, ParameterFormat, TemplateCategory, TemplateDraft,
    TemplateError, TemplateStatus,
};
use crate::domain::{ChannelId, TemplateId, TenantId};
use crate::error::AppError;
use crate::providers::{NewTemplate, ProviderKind, ProviderTemplate};
use crate::services::auth::{Access, Admin, Agent};
use crate::services::channels::{provider_error, ChannelService};
use crate::store::{Store, StoreError};

/// A template to create on a channel.
pub struct CreateTemplate {
    pub channel: ChannelId,
    pub name: String,
    pub language: String,
    pub category: TemplateCategory,
    pub draft: TemplateDraft,
}

/// Changes to a template; `None` keeps a field. An empty header or footer removes it.
#[derive(Default)]
pub struct UpdateTemplate {
    pub category: Option<TemplateCategory>,
    pub body: Option<String>,
    pub header_text: Option<String>,
    pub footer: Option<String>,
    pub quick_replies: Option<Vec<String>>,
    pub examples: Option<Vec<String>>,
}

#[derive(Clone)]
pub struct TemplateService {
    store: Store,
    channels: ChannelService,
    bus: crate::services::events::EventBus,
}

fn bad(error: TemplateError) -> AppError {
    AppError::bad_input(error.field, error.reason)
}

/// The template as its provider knows it.
fn at_provider(t: &Template) -> Result<ProviderTemplate, AppError> {
    Ok(ProviderTemplate {
        provider_id: t.provider_template_id.clone().ok_or_else(|| {
            AppError::bad_input(
                "id",
                "the template is not at the provider; sync the channel",
            )
        })?,
        name: t.name.clone(),
        language: t.language.clone(),
        category: t.category.map(|c| c.as_str().to_owned()),
        status: t.status.as_str().to_owned(),
        rejection_reason: t.rejection_reason.clone(),
        body: t.body.clone(),
    })
}

fn new_template(
    name: &str,
    language: &str,
    category: TemplateCategory,
    draft: &TemplateDraft,
) -> NewTemplate {
    NewTemplate {
        name: name.to_owned(),
        language: language.to_owned(),
        category: category.as_str().to_owned(),
        body: draft.body.clone(),
        examples: draft.examples.clone(),
        header_text: draft.header_text.clone(),
        footer: draft.footer.clone(),
        quick_replies: draft.quick_replies.clone(),
    }
}

fn status_of(word: &str) -> TemplateStatus {
    TemplateStatus::from_provider(word).unwrap_or(TemplateStatus::Unknown)
}

impl TemplateService {
    pub fn new(
        store: Store,
        channels: ChannelService,
        bus: crate::services::events::EventBus,
    ) -> Self {
        Self {
            store,
            channels,
            bus,
        }
    }

    /// Stores the change to `template` in one unit of work with its audit entry.
    async fn save(
        &self,
        access: &Access<Admin>,
        change: TemplateChange,
        template: &Template,
    ) -> Result<Template, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let templates = unit.scope().templates();
        let stored = match change {
            TemplateChange::Created => templates.insert(template).await?,
            TemplateChange::Updated | TemplateChange::Submitted => {
                templates.update(template).await?
            }
            TemplateChange::Deleted => {
                templates.delete(template.id).await?;
                template.clone()
            }
        };
        let event = AuditEvent::Template {
            template: stored.id,
            change,
            name: &stored.name,
            language: &stored.language,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(stored)
    }

    /// The tenant's templates, or one channel's (NOT_FOUND for another tenant's channel).
    pub async fn list(
        &self,
        access: &Access<Agent>,
        channel: Option<ChannelId>,
    ) -> Result<Vec<Template>, AppError> {
        let scope = self.store.tenant(access.tenant());
        if let Some(channel) = channel {
            scope.channels().get(channel).await?;
        }
        Ok(scope.templates().list(channel).await?)
    }

    /// A template of a tenant the caller reached, if it still exists.
    pub async fn find_in(
        &self,
        tenant: TenantId,
        id: TemplateId,
    ) -> Result<Option<Template>, AppError> {
        match self.store.tenant(tenant).templates().get(id).await {
            Ok(t) => Ok(Some(t)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get(&self, access: &Access<Agent>, id: TemplateId) -> Result<Template, AppError> {
        let scope = self.store.tenant(access.tenant());
        Ok(scope.templates().get(id).await?)
    }

    /// Creates the template at the provider (Meta reviews it at once: PENDING; Twilio
    /// creates an unsubmitted content) and stores it.
    pub async fn create(
        &self,
        access: &Access<Admin>,
        input: CreateTemplate,
    ) -> Result<Template, AppError> {
        let tenant = access.tenant();
        check_name(&input.name).map_err(bad)?;
        check_language(&input.language).map_err(bad)?;
        let scope = self.store.tenant(tenant);
        let channel = scope.channels().get(input.channel).await?;
        let variables = input
            .draft
            .check(channel.provider() == ProviderKind::Twilio)
            .map_err(bad)?;
        if scope
            .templates()
            .find(channel.id, &input.name, &input.language)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(
                "the channel already has a template with this name and language".into(),
            ));
        }
        let created = self
            .channels
            .provider(&channel)?
            .create_template(&new_template(
                &input.name,
                &input.language,
                input.category,
                &input.draft,
            ))
            .await
            .map_err(provider_error)?;
        let now = Utc::now();
        let template = Template {
            id: TemplateId::new(),
            channel: channel.id,
            name: input.name,
            language: input.language,
            category: created
                .category
                .as_deref()
                .and_then(TemplateCategory::parse)
                .or(Some(input.category)),
            status: status_of(&created.status),
            rejection_reason: created.rejection_reason,
            body: input.draft.body,
            header_text: input.draft.header_text,
            footer: input.draft.footer,
            quick_replies: input.draft.quick_replies,
            parameter_format: ParameterFormat::of(&variables),
            variables,
            provider_template_id: Some(created.provider_id),
            created_at: now,
            updated_at: now,
            synced_at: Some(now),
        };
        self.save(access, TemplateChange::Created, &template).await
    }

    /// Edits the template at the provider, then here. Meta reviews it again (PENDING); a
    /// Twilio content is replaced by a new, unsubmitted one.
    pub async fn update(
        &self,
        access: &Access<Admin>,
        id: TemplateId,
        input: UpdateTemplate,
    ) -> Result<Template, AppError> {
        let tenant = access.tenant();
        let scope = self.store.tenant(tenant);
        let current = scope.templates().get(id).await?;
        let channel = scope.channels().get(current.channel).await?;
        let clear = |given: Option<String>, old: &Option<String>| match given {
            Some(text) if text.is_empty() => None,
            Some(text) => Some(text),
            None => old.clone(),
        };
        let draft = TemplateDraft {
            body: input.body.unwrap_or_else(|| current.body.clone()),
            header_text: clear(input.header_text, &current.header_text),
            footer: clear(input.footer, &current.footer),
            quick_replies: input
                .quick_replies
                .unwrap_or_else(|| current.quick_replies.clone()),
            examples: input.examples.unwrap_or_default(),
        };
        let variables = draft
            .check(channel.provider() == ProviderKind::Twilio)
            .map_err(bad)?;
        let category = input
            .category
            .or(current.category)
            .unwrap_or(TemplateCategory::Utility);
        let edited = self
            .channels
            .provider(&channel)?
            .edit_template(
                &at_provider(&current)?,
                &new_template(&current.name, &current.language, category, &draft),
            )
            .await
            .map_err(provider_error)?;
        let now = Utc::now();
        let template = Template {
            category: Some(category),
            status: status_of(&edited.status),
            rejection_reason: edited.rejection_reason,
            body: draft.body,
            header_text: draft.header_text,
            footer: draft.footer,
            quick_replies: draft.quick_replies,
            parameter_format: ParameterFormat::of(&variables),
            variables,
            provider_template_id: Some(edited.provider_id),
            updated_at: now,
            synced_at: Some(now),
            ..current
        };
        self.save(access, TemplateChange::Updated, &template).await
    }

    /// Deletes the template at the provider, then here. A provider refusal keeps it.
    pub async fn delete(&self, access: &Access<Admin>, id: TemplateId) -> Result<bool, AppError> {
        let tenant = access.tenant();
        let scope = self.store.tenant(tenant);
        let template = scope.templates().get(id).await?;
        let channel = scope.channels().get(template.channel).await?;
        if template.provider_template_id.is_some() {
            self.channels
                .provider(&channel)?
                .delete_template(&at_provider(&template)?)
                .await
                .map_err(provider_error)?;
        }
        self.save(access, TemplateChange::Deleted, &template)
            .await?;
        Ok(true)
    }

    /// Asks for WhatsApp approval (Twilio); Meta reviews on creation, so there this reads
    /// the template's current state.
    pub async fn submit(
        &self,
        access: &Access<Admin>,
        id: TemplateId,
    ) -> Result<Template, AppError> {
        let tenant = access.tenant();
        let scope = self.store.tenant(tenant);
        let current = scope.templates().get(id).await?;
        let channel = scope.channels().get(current.channel).await?;
        let submitted = self
            .channels
            .provider(&channel)?
            .submit_template(&at_provider(&current)?)
            .await
            .map_err(provider_error)?;
        let now = Utc::now();
        let template = Template {
            category: submitted
                .category
                .as_deref()
                .and_then(TemplateCategory::parse)
                .or(current.category),
            status: status_of(&submitted.status),
            rejection_reason: submitted.rejection_reason,
            updated_at: now,
            synced_at: Some(now),
            ..current
        };
        self.save(access, TemplateChange::Submitted, &template)
            .await
    }

    /// Reads the channel's templates at the provider: each is stored or refreshed, and
    /// local ones the provider no longer has are removed.
    pub async fn sync(
        &self,
        access: &Access<Admin>,
        channel: ChannelId,
    ) -> Result<Vec<Template>, AppError> {
        let tenant = access.tenant();
        let channel = self.store.tenant(tenant).channels().get(channel).await?;
        let listed = self
            .channels
            .provider(&channel)?
            .list_templates()
            .await
            .map_err(provider_error)?;
        let unit = self.store.write(tenant).await?;
        let templates = unit.scope().templates();
        let mut seen = HashSet::new();
        let mut keep = Vec::new();
        let mut events = Vec::new();
        for listed in &listed {
            if check_name(&listed.name).is_err()
                || listed.language.is_empty()
                || !seen.insert((&listed.name, &listed.language))
            {
                tracing::warn!(channel.id = %channel.id, "a provider template without a usable name or language, or a duplicate, was skipped");
                continue;
            }
            keep.push(listed.provider_id.clone());
            let existing = templates
                .find(channel.id, &listed.name, &listed.language)
                .await?;
            let before = existing.as_ref().map(|t| t.status);
            let stored = templates
                .upsert(&synced(&channel, existing, listed.clone(), unit.now()))
                .await?;
            if before.is_some_and(|b| b != stored.status) {
                events.push(crate::services::events::Event::Template {
                    tenant,
                    template: Box::new(stored),
                });
            }
        }
        let removed = templates.delete_missing(channel.id, &keep).await?;
        let committed = crate::services::webhooks::journal::commit(unit, &events).await?;
        self.bus.publish(committed);
        tracing::info!(channel.id = %channel.id, templates = keep.len(), removed, "templates synced");
        Ok(self
            .store
            .tenant(tenant)
            .templates()
            .list(Some(channel.id))
            .await?)
    }
}

/// A listed template as stored. What the provider does not list (header, footer, buttons
/// of a local row) is kept while the provider's body still carries the local body (Twilio
/// folds header and footer around it).
fn synced(
    channel: &ChannelRecord,
    existing: Option<Template>,
    listed: ProviderTemplate,
    now: chrono::DateTime<Utc>,
) -> Template {
    let status = status_of(&listed.status);
    let category = listed.category.as_deref().and_then(TemplateCategory::parse);
    match existing {
        Some(local) if listed.body.contains(&local.body) => Template {
            category: category.or(local.category),
            status,
            rejection_reason: listed.rejection_reason,
            provider_template_id: Some(listed.provider_id),
            updated_at: now,
            synced_at: Some(now),
            ..local
        },
        other => {
            let variables = placeholders(&listed.body);
            Template {
                id: other.as_ref().map(|t| t.id).unwrap_or_default(),
                channel: channel.id,
                name: listed.name,
                language: listed.language,
                category,
                status,
                rejection_reason: listed.rejection_reason,
                body: listed.body,
                header_text: None,
                footer: None,
                quick_replies: Vec::new(),
                parameter_format: ParameterFormat::of(&variables),
                variables,
                provider_template_id: Some(listed.provider_id),
                created_at: other.map(|t| t.created_at).unwrap_or(now),
                updated_at: now,
                synced_at: Some(now),
            }
        }
    }
}
