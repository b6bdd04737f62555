//! Labels in the API: every member reads them and puts them on conversations; owners and
//! admins define them.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, ID};
use chrono::{DateTime, Utc};

use super::conversations::Conversation;
use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::records::LabelRecord;
use crate::domain::{ConversationId, LabelId};
use crate::services::auth::Agent;
use crate::services::labels::LabelInput;
use crate::services::Services;

/// A tenant's tag for conversations.
pub struct Label(pub LabelRecord);

#[Object]
impl Label {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Unique in the tenant, in any case.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// `#rrggbb`, in lower case.
    async fn color(&self) -> &str {
        &self.0.color
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(InputObject)]
pub struct CreateLabelInput {
    /// 1 to 50 characters; unique in the tenant, in any case.
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    pub description: Option<String>,
}

/// Fields left out stay as they are; a null description removes it.
#[derive(InputObject)]
pub struct UpdateLabelInput {
    pub name: Option<String>,
    pub color: Option<String>,
    pub description: MaybeUndefined<String>,
}

fn label_ids(ids: &[ID]) -> GqlResult<Vec<LabelId>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| Ok(parse_id(&format!("labelIds[{i}]"), id)?))
        .collect()
}

#[derive(Default)]
pub struct LabelQuery;

#[Object]
impl LabelQuery {
    /// The tenant's labels by name.
    async fn labels(&self, ctx: &Context<'_>) -> GqlResult<Vec<Label>> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let list = state.labels.list(&access).await?;
        Ok(list.into_iter().map(Label).collect())
    }
}

#[derive(Default)]
pub struct LabelMutation;

#[Object]
impl LabelMutation {
    async fn create_label(&self, ctx: &Context<'_>, input: CreateLabelInput) -> GqlResult<Label> {
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = LabelInput {
            name: Some(input.name),
            color: Some(input.color),
            description: Some(input.description),
        };
        Ok(Label(state.labels.create(&access, input).await?))
    }

    /// Changes a label; fields left out stay as they are.
    async fn update_label(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateLabelInput,
    ) -> GqlResult<Label> {
        let id: LabelId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let input = LabelInput {
            name: input.name,
            color: input.color,
            description: match input.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(text) => Some(Some(text)),
            },
        };
        Ok(Label(state.labels.update(&access, id, input).await?))
    }

    /// Deletes a label and takes it off every conversation.
    async fn delete_label(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let id: LabelId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.labels.delete(&access, id).await?)
    }

    /// Puts labels on a conversation; those it has already stay.
    async fn label_conversation(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
        label_ids: Vec<ID>,
    ) -> GqlResult<Conversation> {
        let id: ConversationId = parse_id("conversationId", &conversation_id)?;
        let labels = self::label_ids(&label_ids)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let conversation = state
            .labels
            .label_conversation(&access, id, &labels)
            .await?;
        Ok(Conversation(conversation, access.tenant()))
    }

    /// Takes labels off a conversation; those it does not have are no matter.
    async fn unlabel_conversation(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
        label_ids: Vec<ID>,
    ) -> GqlResult<Conversation> {
        let id: ConversationId = parse_id("conversationId", &conversation_id)?;
        let labels = self::label_ids(&label_ids)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let conversation = state
            .labels
            .unlabel_conversation(&access, id, &labels)
            .await?;
        Ok(Conversation(conversation, access.tenant()))
    }
}
