//! A conversation's timeline: its messages, internal notes and lifecycle changes (assigned,
//! transferred, snoozed, resolved, …) merged in the order they happened. Every entry's id is
//! a UUIDv7 minted when it was stored, so one id orders all three and serves as the cursor.

use crate::domain::records::{
    ConversationChangeRecord, MessageFilter, MessageOrder, MessageRecord, NoteRecord,
};
use crate::domain::{ConversationId, Page, PageRequest};
use crate::error::AppError;
use crate::services::auth::{Access, Agent};
use crate::services::conversations::ConversationService;

/// One entry of a timeline.
#[derive(Clone, Debug)]
pub enum TimelineEntry {
    Message(Box<MessageRecord>),
    Note(NoteRecord),
    Change(ConversationChangeRecord),
}

impl TimelineEntry {
    /// Its place in the timeline.
    pub fn id(&self) -> uuid::Uuid {
        match self {
            TimelineEntry::Message(m) => m.id.into_uuid(),
            TimelineEntry::Note(n) => n.id.into_uuid(),
            TimelineEntry::Change(c) => c.id,
        }
    }
}

impl ConversationService {
    /// A page of the conversation's timeline, oldest first.
    pub async fn timeline(
        &self,
        access: &Access<Agent>,
        id: ConversationId,
        page: PageRequest,
    ) -> Result<Page<TimelineEntry>, AppError> {
        let scope = self.store.tenant(access.tenant());
        let visibility = super::visibility::of(&scope, access).await?;
        super::visibility::conversation(&scope, &visibility, id).await?;
        let filter = MessageFilter {
            conversation: Some(id),
            ..MessageFilter::default()
        };
        let messages = scope
            .messages()
            .list(&visibility, &filter, MessageOrder::Oldest, page)
            .await?;
        let notes = scope.notes().list(id, page).await?;
        let changes = scope.conversations().changes(id, page).await?;
        Ok(merge(
            [
                wrap(messages, |m| TimelineEntry::Message(Box::new(m))),
                wrap(notes, TimelineEntry::Note),
                wrap(changes, TimelineEntry::Change),
            ],
            page.first,
        ))
    }
}

fn wrap<T>(page: Page<T>, entry: impl Fn(T) -> TimelineEntry) -> Page<TimelineEntry> {
    Page {
        items: page.items.into_iter().map(entry).collect(),
        has_next: page.has_next,
    }
}

/// The first `first` entries of sources that each hold their first `first` after the
/// cursor, in id order; more follow if any source had more or some were cut.
fn merge<const N: usize>(sources: [Page<TimelineEntry>; N], first: u64) -> Page<TimelineEntry> {
    let mut has_next = sources.iter().any(|s| s.has_next);
    let mut items: Vec<TimelineEntry> = sources.into_iter().flat_map(|s| s.items).collect();
    items.sort_by_key(TimelineEntry::id);
    let first = usize::try_from(first).unwrap_or(usize::MAX);
    if items.len() > first {
        items.truncate(first);
        has_next = true;
    }
    Page { items, has_next }
}
