//! Internal notes: what members write on a conversation for each other. A note is never
//! sent to the customer: nothing here reaches the outbox. Any member adds one; its author,
//! or an owner or admin, changes or deletes it.

use crate::domain::note;
use crate::domain::records::NoteRecord;
use crate::domain::{ConversationId, NoteId, Page, PageRequest, Role, TenantId, UserId};
use crate::error::AppError;
use crate::services::auth::{Access, Agent};
use crate::services::definitions::bad;
use crate::services::events::{ConversationEventKind, Event, EventBus};
use crate::store::Store;

#[derive(Clone)]
pub struct NoteService {
    store: Store,
    events: EventBus,
}

impl NoteService {
    pub fn new(store: Store, events: EventBus) -> Self {
        Self { store, events }
    }

    /// Adds a note by the caller (an API key writes as its creator); publishes `NoteAdded`
    /// on the conversation after the commit.
    pub async fn add(
        &self,
        access: &Access<Agent>,
        conversation: ConversationId,
        text: &str,
    ) -> Result<NoteRecord, AppError> {
        let author = author(access)?;
        let text = note::parse_text(text).map_err(bad("text"))?;
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let visibility = super::visibility::of(&scope, access).await?;
        let record = super::visibility::conversation(&scope, &visibility, conversation).await?;
        let id = NoteId::new();
        scope
            .notes()
            .insert(id, conversation, author, &text, unit.now())
            .await?;
        let note = scope.notes().get(id).await?;
        let events = [Event::Conversation {
            tenant: access.tenant(),
            kind: ConversationEventKind::NoteAdded,
            conversation: record,
        }];
        let committed = crate::services::webhooks::journal::commit(unit, &events).await?;
        self.events.publish(committed);
        Ok(note)
    }

    /// Changes a note's text: its author's, or any note for an owner or admin.
    pub async fn edit(
        &self,
        access: &Access<Agent>,
        id: NoteId,
        text: &str,
    ) -> Result<NoteRecord, AppError> {
        let text = note::parse_text(text).map_err(bad("text"))?;
        let unit = self.store.write(access.tenant()).await?;
        let notes = unit.scope().notes();
        let note = notes.get(id).await?;
        seen(&unit.scope(), access, &note).await?;
        may_change(access, &note)?;
        notes.update_text(id, &text, unit.now()).await?;
        let note = notes.get(id).await?;
        unit.commit().await?;
        Ok(note)
    }

    /// Deletes a note: its author's, or any note for an owner or admin.
    pub async fn delete(&self, access: &Access<Agent>, id: NoteId) -> Result<bool, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let notes = unit.scope().notes();
        let note = notes.get(id).await?;
        seen(&unit.scope(), access, &note).await?;
        may_change(access, &note)?;
        notes.delete(id).await?;
        unit.commit().await?;
        Ok(true)
    }

    /// A page of the notes of a conversation of a tenant the caller reached, oldest first.
    pub async fn of_conversation(
        &self,
        tenant: TenantId,
        conversation: ConversationId,
        page: PageRequest,
    ) -> Result<Page<NoteRecord>, AppError> {
        Ok(self
            .store
            .tenant(tenant)
            .notes()
            .list(conversation, page)
            .await?)
    }
}

/// The user a note is written by: the signed-in user, or an API key's creator.
/// A note of a conversation the caller does not see is NOT_FOUND, as the conversation is.
async fn seen<C: sea_orm::ConnectionTrait>(
    scope: &crate::store::TenantScope<'_, C>,
    access: &Access<Agent>,
    note: &NoteRecord,
) -> Result<(), AppError> {
    let visibility = super::visibility::of(scope, access).await?;
    super::visibility::conversation(scope, &visibility, note.conversation).await?;
    Ok(())
}

fn author(access: &Access<Agent>) -> Result<UserId, AppError> {
    access.acting_user().ok_or(AppError::Forbidden(
        "a note is written by a user; this key has none",
    ))
}

fn may_change(access: &Access<Agent>, note: &NoteRecord) -> Result<(), AppError> {
    if access.role().includes(Role::Admin) || access.acting_user() == Some(note.author) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the note's author, an owner or an admin changes a note",
        ))
    }
}
