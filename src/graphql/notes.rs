//! Internal notes in the API: any member writes them on a conversation; the author, an
//! owner or an admin changes or deletes one. Notes are never sent to the customer.

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, ID};
use chrono::{DateTime, Utc};

use super::connection::{connection, page_request};
use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::records::NoteRecord;
use crate::domain::{ConversationId, NoteId, TenantId};
use crate::error::AppError;
use crate::services::auth::Agent;
use crate::services::Services;

/// What members write on a conversation for each other; the customer never sees it.
pub struct ConversationNote(pub NoteRecord);

#[Object]
impl ConversationNote {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn conversation_id(&self) -> ID {
        ID(self.0.conversation.to_string())
    }
    /// The text as written (Markdown allowed).
    async fn text(&self) -> &str {
        &self.0.text
    }
    async fn author_id(&self) -> ID {
        ID(self.0.author.to_string())
    }
    /// The author's name, when their account has one.
    async fn author_name(&self) -> Option<&str> {
        self.0.author_name.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the text last changed; null while it is as first written.
    async fn edited_at(&self) -> Option<DateTime<Utc>> {
        self.0.edited_at
    }
}

/// A page of a conversation's notes, oldest first.
pub async fn note_page(
    state: &Services,
    tenant: TenantId,
    conversation: ConversationId,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, ConversationNote>, AppError> {
    let has_previous = after.is_some();
    let page = page_request("note", first, after)?;
    let rows = state
        .notes
        .of_conversation(tenant, conversation, page)
        .await?;
    Ok(connection(
        "note",
        rows,
        has_previous,
        |n| n.id.into_uuid(),
        ConversationNote,
    ))
}

#[derive(Default)]
pub struct NoteMutation;

#[Object]
impl NoteMutation {
    /// Writes a note on a conversation as the caller; subscribers of `conversationEvents`
    /// see `NOTE_ADDED`. Nothing is sent to the customer.
    async fn add_conversation_note(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
        text: String,
    ) -> GqlResult<ConversationNote> {
        let id: ConversationId = parse_id("conversationId", &conversation_id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(ConversationNote(state.notes.add(&access, id, &text).await?))
    }

    /// Changes a note's text: the author's own, or any for an owner or admin.
    async fn edit_conversation_note(
        &self,
        ctx: &Context<'_>,
        id: ID,
        text: String,
    ) -> GqlResult<ConversationNote> {
        let id: NoteId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(ConversationNote(
            state.notes.edit(&access, id, &text).await?,
        ))
    }

    /// Deletes a note: the author's own, or any for an owner or admin.
    async fn delete_conversation_note(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let id: NoteId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.notes.delete(&access, id).await?)
    }
}
