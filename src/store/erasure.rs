//! Erasing a contact: every row of the tenant that holds the contact, its conversations or
//! its messages, in one place. [`ERASED`] lists the tables, children before the rows they
//! refer to; a new table keyed by a contact, a conversation or a message is one more line
//! there (and the erasure test finds any table that was forgotten by its column names).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entities::{attachment, outbox_job, upload};
use super::{for_update, StoreError};
use crate::domain::records::JobState;
use crate::domain::{ContactId, TenantId};

/// How a table's rows are reached from the contact.
#[derive(Clone, Copy, Debug)]
enum Via {
    /// The column holds the contact's id.
    Contact,
    /// The column holds the id of one of the contact's conversations.
    Conversation,
    /// The column holds the id of one of the contact's messages.
    Message,
    /// The column holds the provider's id of one of the contact's messages.
    ProviderMessageId,
}

/// Every table with rows of a contact, as (table, column, how the column is reached), in
/// the order they are deleted: children before the rows they refer to.
const ERASED: &[(&str, &str, Via)] = &[
    ("delivery_attempts", "message_id", Via::Message),
    ("message_statuses", "message_id", Via::Message),
    ("attachments", "message_id", Via::Message),
    ("outbox_jobs", "message_id", Via::Message),
    ("campaign_recipients", "message_id", Via::Message),
    (
        "pending_statuses",
        "provider_message_id",
        Via::ProviderMessageId,
    ),
    ("csat_surveys", "contact_id", Via::Contact),
    (
        "conversation_automations",
        "conversation_id",
        Via::Conversation,
    ),
    ("conversation_changes", "conversation_id", Via::Conversation),
    ("conversation_labels", "conversation_id", Via::Conversation),
    ("conversation_notes", "conversation_id", Via::Conversation),
    ("conversation_reads", "conversation_id", Via::Conversation),
    ("messages", "contact_id", Via::Contact),
    ("conversations", "contact_id", Via::Contact),
    ("contact_attribute_values", "contact_id", Via::Contact),
    ("contacts", "id", Via::Contact),
];

/// What an erasure removed: rows by table, and the media files no row refers to any more.
#[derive(Clone, Debug, Default)]
pub struct Erased {
    pub rows: Vec<(&'static str, u64)>,
    pub files: Vec<String>,
}

impl Erased {
    pub fn count(&self, table: &str) -> u64 {
        self.rows
            .iter()
            .filter(|(t, _)| *t == table)
            .map(|(_, n)| n)
            .sum()
    }
}

pub struct Erasure<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Erasure<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn ids_of(&self, table: &str, column: &str, contact: ContactId) -> SelectStatement {
        Query::select()
            .column(Alias::new(column))
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new("tenant_id")).eq(self.tenant.into_uuid()))
            .and_where(Expr::col(Alias::new("contact_id")).eq(contact.into_uuid()))
            .to_owned()
    }

    /// How many of the contact's messages a worker is handing to the provider at this
    /// moment (a job under a live lease). Their jobs stay locked until the unit ends on
    /// PostgreSQL, so no worker claims another one meanwhile.
    pub async fn sending(&self, contact: ContactId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let messages = self.ids_of("messages", "id", contact);
        let query = outbox_job::Entity::find()
            .filter(outbox_job::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(outbox_job::Column::MessageId.in_subquery(messages));
        let jobs = for_update(query, self.db).all(self.db).await?;
        Ok(jobs
            .iter()
            .filter(|j| {
                j.state == super::outbox::state_word(JobState::Pending)
                    && j.lease_until.is_some_and(|l| l > now)
            })
            .count() as u64)
    }

    /// Deletes every row of the contact. Answers the rows deleted by table and the storage
    /// keys of its media that no other attachment or upload uses, for the caller to remove
    /// from the media store once the unit commits.
    pub async fn erase_contact(&self, contact: ContactId) -> Result<Erased, StoreError> {
        let keys: Vec<String> = attachment::Entity::find()
            .select_only()
            .column(attachment::Column::StorageKey)
            .filter(attachment::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(
                attachment::Column::MessageId.in_subquery(self.ids_of("messages", "id", contact)),
            )
            .filter(attachment::Column::StorageKey.is_not_null())
            .into_tuple::<Option<String>>()
            .all(self.db)
            .await?
            .into_iter()
            .flatten()
            .collect();
        let phone = self.phone_of(contact).await?;
        let mut erased = Erased::default();
        // Outgoing webhooks' deliveries about the contact, its conversations or messages
        // (their payloads carry what they selected of them).
        let mut subjects = vec![contact.into_uuid()];
        for table in ["conversations", "messages"] {
            let statement = self.ids_of(table, "id", contact);
            let backend = self.db.get_database_backend();
            for row in self.db.query_all(backend.build(&statement)).await? {
                subjects.push(row.try_get::<uuid::Uuid>("", "id")?);
            }
        }
        super::webhooks::Webhooks::new(self.db, self.tenant)
            .forget(&subjects)
            .await?;
        for (table, column, via) in ERASED {
            let target = Expr::col(Alias::new(*column));
            let which = match via {
                Via::Contact => target.eq(contact.into_uuid()),
                Via::Conversation => {
                    target.in_subquery(self.ids_of("conversations", "id", contact))
                }
                Via::Message => target.in_subquery(self.ids_of("messages", "id", contact)),
                Via::ProviderMessageId => target.in_subquery(
                    self.ids_of("messages", "provider_message_id", contact)
                        .and_where(Expr::col(Alias::new("provider_message_id")).is_not_null())
                        .to_owned(),
                ),
            };
            let delete = Query::delete()
                .from_table(Alias::new(*table))
                .and_where(Expr::col(Alias::new("tenant_id")).eq(self.tenant.into_uuid()))
                .and_where(which)
                .to_owned();
            let backend = self.db.get_database_backend();
            let n = self
                .db
                .execute(backend.build(&delete))
                .await?
                .rows_affected();
            erased.rows.push((table, n));
        }
        // A campaign lists its recipients by number: the contact's row goes even where no
        // message was made for it yet.
        if let Some(phone) = phone {
            let delete = Query::delete()
                .from_table(Alias::new("campaign_recipients"))
                .and_where(Expr::col(Alias::new("tenant_id")).eq(self.tenant.into_uuid()))
                .and_where(Expr::col(Alias::new("phone")).eq(phone))
                .to_owned();
            let backend = self.db.get_database_backend();
            let n = self
                .db
                .execute(backend.build(&delete))
                .await?
                .rows_affected();
            erased.rows.push(("campaign_recipients", n));
        }
        erased.files = self.unreferenced(keys).await?;
        Ok(erased)
    }

    async fn phone_of(&self, contact: ContactId) -> Result<Option<String>, StoreError> {
        let row = self.db.query_one(
            self.db.get_database_backend().build(
                &Query::select()
                    .column(Alias::new("phone_number"))
                    .from(Alias::new("contacts"))
                    .and_where(Expr::col(Alias::new("tenant_id")).eq(self.tenant.into_uuid()))
                    .and_where(Expr::col(Alias::new("id")).eq(contact.into_uuid()))
                    .to_owned(),
            ),
        );
        match row.await? {
            Some(row) => Ok(Some(row.try_get::<String>("", "phone_number")?)),
            None => Ok(None),
        }
    }

    /// The keys no attachment or upload of the tenant refers to any more.
    async fn unreferenced(&self, mut keys: Vec<String>) -> Result<Vec<String>, StoreError> {
        keys.sort();
        keys.dedup();
        let mut free = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(500) {
            let attached: Vec<Option<String>> = attachment::Entity::find()
                .select_only()
                .column(attachment::Column::StorageKey)
                .filter(attachment::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(attachment::Column::StorageKey.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(self.db)
                .await?;
            let uploaded: Vec<String> = upload::Entity::find()
                .select_only()
                .column(upload::Column::StorageKey)
                .filter(upload::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(upload::Column::StorageKey.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(self.db)
                .await?;
            free.extend(
                chunk
                    .iter()
                    .filter(|k| {
                        !attached.iter().flatten().any(|a| a == *k) && !uploaded.contains(k)
                    })
                    .cloned(),
            );
        }
        Ok(free)
    }
}
