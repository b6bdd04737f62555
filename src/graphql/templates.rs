//! Message templates in the API. Agents read them; owners and admins change them.

use async_graphql::{Context, Enum, InputObject, Object, ID};
use chrono::{DateTime, Utc};

use super::channels::Channel;
use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::records::Template as TemplateRecord;
use crate::domain::template::TemplateDraft;
use crate::domain::{ChannelId, TemplateId};
use crate::services::auth::Agent;
use crate::services::templates::{CreateTemplate, TemplateService, UpdateTemplate};
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "TemplateCategory",
    remote = "crate::domain::template::TemplateCategory"
)]
pub enum TemplateCategoryGql {
    Marketing,
    Utility,
    Authentication,
}

/// Where a template stands with WhatsApp. Only APPROVED templates send.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "TemplateStatus",
    remote = "crate::domain::template::TemplateStatus"
)]
pub enum TemplateStatusGql {
    Unsubmitted,
    Pending,
    Approved,
    Rejected,
    Paused,
    Disabled,
    InAppeal,
    Flagged,
    PendingDeletion,
    Deleted,
    Archived,
    LimitExceeded,
    Locked,
    Unknown,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "TemplateParameterFormat",
    remote = "crate::domain::template::ParameterFormat"
)]
pub enum ParameterFormatGql {
    /// `{{1}}`, `{{2}}`…
    Positional,
    /// `{{first_name}}`…
    Named,
}

/// A message template of a channel, as its provider holds it.
pub struct Template(pub TemplateRecord);

#[Object]
impl Template {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn channel_id(&self) -> ID {
        ID(self.0.channel.to_string())
    }
    async fn channel(&self, ctx: &Context<'_>) -> GqlResult<Channel> {
        let tenant = viewer(ctx)?.access::<Agent>()?.tenant();
        Ok(Channel(
            super::loaders::channel(ctx, tenant, self.0.channel).await?,
        ))
    }
    /// Lowercase letters, digits and underscores.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// `en`, `en_US`, `pt_BR`…
    async fn language(&self) -> &str {
        &self.0.language
    }
    async fn category(&self) -> Option<TemplateCategoryGql> {
        self.0.category.map(Into::into)
    }
    async fn status(&self) -> TemplateStatusGql {
        self.0.status.into()
    }
    /// Why WhatsApp rejected it, as the provider says.
    async fn rejection_reason(&self) -> Option<&str> {
        self.0.rejection_reason.as_deref()
    }
    /// The body with `{{1}}` or `{{name}}` placeholders.
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn header_text(&self) -> Option<&str> {
        self.0.header_text.as_deref()
    }
    async fn footer(&self) -> Option<&str> {
        self.0.footer.as_deref()
    }
    async fn quick_replies(&self) -> &[String] {
        &self.0.quick_replies
    }
    /// The body's placeholder keys in order: what a send must give values for.
    async fn variables(&self) -> &[String] {
        &self.0.variables
    }
    async fn parameter_format(&self) -> ParameterFormatGql {
        self.0.parameter_format.into()
    }
    /// Twilio's `HX…` content SID or Meta's template id.
    async fn provider_template_id(&self) -> Option<&str> {
        self.0.provider_template_id.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When the provider last confirmed this template.
    async fn synced_at(&self) -> Option<DateTime<Utc>> {
        self.0.synced_at
    }
}

#[derive(InputObject)]
pub struct CreateTemplateInput {
    pub channel_id: ID,
    /// Lowercase letters, digits and underscores.
    pub name: String,
    /// `en`, `en_US`, `pt_BR`…
    pub language: String,
    pub category: TemplateCategoryGql,
    /// Up to 1024 characters, with `{{1}}`… or (Meta) `{{name}}` placeholders.
    pub body: String,
    /// Up to 60 characters, no variables (Twilio folds it into the body).
    pub header_text: Option<String>,
    /// Up to 60 characters, no variables (Twilio folds it into the body).
    pub footer: Option<String>,
    /// Up to 10 quick-reply titles of up to 25 characters.
    pub quick_replies: Option<Vec<String>>,
    /// One example value per placeholder, in their order; providers require them.
    pub examples: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct UpdateTemplateInput {
    pub category: Option<TemplateCategoryGql>,
    pub body: Option<String>,
    /// An empty string removes the header.
    pub header_text: Option<String>,
    /// An empty string removes the footer.
    pub footer: Option<String>,
    pub quick_replies: Option<Vec<String>>,
    /// One example value per placeholder of the (new) body.
    pub examples: Option<Vec<String>>,
}

fn service(state: &Services) -> &TemplateService {
    &state.templates
}

#[derive(Default)]
pub struct TemplateQuery;

#[Object]
impl TemplateQuery {
    /// The tenant's templates, or one channel's.
    async fn templates(
        &self,
        ctx: &Context<'_>,
        channel_id: Option<ID>,
    ) -> GqlResult<Vec<Template>> {
        let channel: Option<ChannelId> = channel_id
            .as_ref()
            .map(|id| parse_id("channelId", id))
            .transpose()?;
        let state = ctx.data_unchecked::<Services>();
        let list = service(state)
            .list(&viewer(ctx)?.access()?, channel)
            .await?;
        Ok(list.into_iter().map(Template).collect())
    }

    /// One template; another tenant's answers NOT_FOUND.
    async fn template(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Template>> {
        let id: TemplateId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        Ok(Some(Template(
            service(state).get(&viewer(ctx)?.access()?, id).await?,
        )))
    }
}

#[derive(Default)]
pub struct TemplateMutation;

#[Object]
impl TemplateMutation {
    /// Creates the template at the channel's provider: Meta reviews it (PENDING); Twilio
    /// creates a content that `submitTemplate` sends for approval (UNSUBMITTED).
    async fn create_template(
        &self,
        ctx: &Context<'_>,
        input: CreateTemplateInput,
    ) -> GqlResult<Template> {
        let state = ctx.data_unchecked::<Services>();
        let input = CreateTemplate {
            channel: parse_id("channelId", &input.channel_id)?,
            name: input.name,
            language: input.language,
            category: input.category.into(),
            draft: TemplateDraft {
                body: input.body,
                header_text: input.header_text,
                footer: input.footer,
                quick_replies: input.quick_replies.unwrap_or_default(),
                examples: input.examples.unwrap_or_default(),
            },
        };
        Ok(Template(
            service(state)
                .create(&viewer(ctx)?.access()?, input)
                .await?,
        ))
    }

    /// Edits the template at the provider: Meta reviews it again; Twilio replaces the
    /// content with a new, unsubmitted one.
    async fn update_template(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateTemplateInput,
    ) -> GqlResult<Template> {
        let state = ctx.data_unchecked::<Services>();
        let id: TemplateId = parse_id("id", &id)?;
        let input = UpdateTemplate {
            category: input.category.map(Into::into),
            body: input.body,
            header_text: input.header_text,
            footer: input.footer,
            quick_replies: input.quick_replies,
            examples: input.examples,
        };
        Ok(Template(
            service(state)
                .update(&viewer(ctx)?.access()?, id, input)
                .await?,
        ))
    }

    /// Deletes the template at the provider and here.
    async fn delete_template(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let state = ctx.data_unchecked::<Services>();
        let id: TemplateId = parse_id("id", &id)?;
        Ok(service(state).delete(&viewer(ctx)?.access()?, id).await?)
    }

    /// Requests WhatsApp approval (Twilio). Meta reviews on creation; there this refreshes
    /// the status.
    async fn submit_template(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Template> {
        let state = ctx.data_unchecked::<Services>();
        let id: TemplateId = parse_id("id", &id)?;
        Ok(Template(
            service(state).submit(&viewer(ctx)?.access()?, id).await?,
        ))
    }

    /// Reads the channel's templates at the provider, stores them and removes the ones the
    /// provider no longer has.
    async fn sync_templates(&self, ctx: &Context<'_>, channel_id: ID) -> GqlResult<Vec<Template>> {
        let state = ctx.data_unchecked::<Services>();
        let channel: ChannelId = parse_id("channelId", &channel_id)?;
        let list = service(state)
            .sync(&viewer(ctx)?.access()?, channel)
            .await?;
        Ok(list.into_iter().map(Template).collect())
    }
}
