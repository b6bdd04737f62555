//! Contacts and conversations: finding them, and a contact's consent.

use crate::domain::audit::AuditEvent;
use crate::domain::free_text::{self, Lines};
use crate::domain::records::ContactRecord;
use crate::domain::records::{ConversationFilter, ConversationRecord};
use crate::domain::{ContactId, ConversationId, TenantId, Visibility};
use crate::domain::{Page, PageRequest};
use crate::error::AppError;
use crate::services::auth::{Access, Agent};
use crate::services::events::{ContactEventKind, Event, EventBus};
use crate::store::Store;

#[derive(Clone)]
pub struct ConversationService {
    pub(super) store: Store,
    pub(super) bus: EventBus,
}

impl ConversationService {
    pub fn new(store: Store, bus: EventBus) -> Self {
        Self { store, bus }
    }

    /// Contacts whose name, profile name or number contains `search`.
    pub async fn contacts(
        &self,
        access: &Access<Agent>,
        search: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<ContactRecord>, AppError> {
        if let Some(term) = search {
            free_text::check(term, free_text::SEARCH_MAX, Lines::One)
                .map_err(|e| AppError::bad_input("search", e))?;
        }
        Ok(self
            .store
            .tenant(access.tenant())
            .contacts()
            .list(search, page)
            .await?)
    }

    /// A contact of a tenant the caller reached (the tenant of the object that names it).
    pub async fn contact(
        &self,
        tenant: TenantId,
        id: ContactId,
    ) -> Result<ContactRecord, AppError> {
        Ok(self.store.tenant(tenant).contacts().get(id).await?)
    }

    /// Those of `ids` that are the tenant's, in one read (for a page's `contact` fields).
    pub async fn contacts_in(
        &self,
        tenant: TenantId,
        ids: &[ContactId],
    ) -> Result<Vec<ContactRecord>, AppError> {
        Ok(self.store.tenant(tenant).contacts().get_many(ids).await?)
    }

    /// Those of `ids` that are the tenant's and `visibility` sees, in one read.
    pub async fn conversations_in(
        &self,
        tenant: TenantId,
        visibility: &Visibility,
        ids: &[ConversationId],
    ) -> Result<Vec<ConversationRecord>, AppError> {
        Ok(self
            .store
            .tenant(tenant)
            .conversations()
            .get_many_visible(visibility, ids)
            .await?)
    }

    /// A conversation of a tenant the caller reached, when `visibility` sees it.
    pub async fn conversation(
        &self,
        tenant: TenantId,
        visibility: &Visibility,
        id: ConversationId,
    ) -> Result<ConversationRecord, AppError> {
        super::visibility::conversation(&self.store.tenant(tenant), visibility, id).await
    }

    /// Conversations, most recently opened first. Another tenant's channel, contact or label
    /// in the filter answers NOT_FOUND, as its id does anywhere. Given labels, the
    /// conversations that have all of them. Only those `visibility` sees are listed.
    pub async fn conversations(
        &self,
        access: &Access<Agent>,
        visibility: &Visibility,
        filter: &ConversationFilter,
        page: PageRequest,
    ) -> Result<Page<ConversationRecord>, AppError> {
        let scope = self.store.tenant(access.tenant());
        if let Some(id) = filter.channel {
            scope.channels().get(id).await?;
        }
        if let Some(id) = filter.contact {
            scope.contacts().get(id).await?;
        }
        if let Some(user) = filter.assignee {
            scope.members().get(user).await?;
        }
        if !filter.labels.is_empty() {
            super::labels::check_labels(&scope, "filter.labelIds", &filter.labels).await?;
        }
        Ok(scope.conversations().list(visibility, filter, page).await?)
    }

    /// Opts a contact out of (or back into) messages from the tenant, as the customer's
    /// keywords would; audited when it changes anything.
    pub async fn set_opt_in(
        &self,
        access: &Access<Agent>,
        id: ContactId,
        opted_in: bool,
    ) -> Result<ContactRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let contacts = unit.scope().contacts();
        contacts.get(id).await?;
        let now = unit.now();
        let changed = contacts
            .set_opted_out(id, (!opted_in).then_some(now), now)
            .await?;
        if changed {
            let event = AuditEvent::Consent {
                contact: id,
                opted_in,
                keyword: None,
            };
            unit.audit(access.actor(), event).await?;
        }
        let contact = contacts.get(id).await?;
        let events: Vec<Event> = changed
            .then(|| Event::Contact {
                tenant: access.tenant(),
                kind: if opted_in {
                    ContactEventKind::OptedIn
                } else {
                    ContactEventKind::OptedOut
                },
                contact: Box::new(contact.clone()),
            })
            .into_iter()
            .collect();
        let committed = crate::services::webhooks::journal::commit(unit, &events).await?;
        self.bus.publish(committed);
        Ok(contact)
    }
}
