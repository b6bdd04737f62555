//! A tenant's contacts: customers on WhatsApp, one per WhatsApp id.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::entities::contact;
use super::StoreError;
use crate::domain::contact_file::ContactState;
use crate::domain::language_tag::LanguageTag;
use crate::domain::records::contact::ContactRecord;
use crate::domain::{ContactId, PhoneNumber, TenantId};
use crate::domain::{Page, PageRequest};

impl From<contact::Model> for ContactRecord {
    fn from(row: contact::Model) -> Self {
        Self {
            id: row.id.into(),
            wa_id: row.wa_id,
            phone_number: row.phone_number,
            profile_name: row.profile_name,
            name: row.name,
            language: row
                .language
                .as_deref()
                .and_then(|l| LanguageTag::parse(l).ok()),
            opted_out_at: row.opted_out_at,
            opted_in_at: row.opted_in_at,
            opt_in_source: row.opt_in_source,
            marketing_opted_out_at: row.marketing_opted_out_at,
            last_inbound_at: row.last_inbound_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The sender of an inbound message, as [`Contacts::upsert_inbound`] records it.
#[derive(Clone, Copy, Debug)]
pub struct InboundSender<'a> {
    pub wa_id: &'a str,
    pub phone_number: &'a str,
    pub profile_name: Option<&'a str>,
    /// When the message was sent.
    pub at: DateTime<Utc>,
}

pub struct Contacts<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Contacts<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<contact::Entity> {
        contact::Entity::find().filter(contact::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    pub async fn get(&self, id: ContactId) -> Result<ContactRecord, StoreError> {
        Ok(self
            .scoped()
            .filter(contact::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .into())
    }

    /// Those of `ids` that are this tenant's, in one query.
    pub async fn get_many(&self, ids: &[ContactId]) -> Result<Vec<ContactRecord>, StoreError> {
        Ok(self
            .scoped()
            .filter(contact::Column::Id.is_in(ids.iter().map(|id| id.into_uuid())))
            .all(self.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub async fn find_by_wa_id(&self, wa_id: &str) -> Result<Option<ContactRecord>, StoreError> {
        Ok(self
            .scoped()
            .filter(contact::Column::WaId.eq(wa_id))
            .one(self.db)
            .await?
            .map(Into::into))
    }

    /// Records that the contact stopped marketing messages (kept from the first time).
    pub async fn stop_marketing(&self, id: ContactId, at: DateTime<Utc>) -> Result<(), StoreError> {
        contact::Entity::update_many()
            .col_expr(contact::Column::MarketingOptedOutAt, Expr::value(Some(at)))
            .filter(contact::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(contact::Column::Id.eq(id.into_uuid()))
            .filter(contact::Column::MarketingOptedOutAt.is_null())
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// The contacts of these WhatsApp ids that exist, by WhatsApp id.
    pub async fn find_by_wa_ids(
        &self,
        wa_ids: &[String],
    ) -> Result<std::collections::HashMap<String, ContactRecord>, StoreError> {
        let mut found = std::collections::HashMap::new();
        for chunk in wa_ids.chunks(500) {
            let rows = self
                .scoped()
                .filter(contact::Column::WaId.is_in(chunk.iter().cloned()))
                .all(self.db)
                .await?;
            found.extend(rows.into_iter().map(|r| (r.wa_id.clone(), r.into())));
        }
        Ok(found)
    }

    /// The contact of an inbound message: created on first contact, its profile name kept
    /// current and its last inbound time moved forward (never back, as webhooks reorder).
    /// One statement: an upsert answering the row as it stands after it.
    pub async fn upsert_inbound(
        &self,
        sender: &InboundSender<'_>,
        now: DateTime<Utc>,
    ) -> Result<ContactRecord, StoreError> {
        use sea_orm::FromQueryResult;
        let mut insert = self.inbound_upsert(std::slice::from_ref(sender), now);
        insert.returning_all();
        let statement = self.db.get_database_backend().build(&insert);
        contact::Model::find_by_statement(statement)
            .one(self.db)
            .await?
            .map(Into::into)
            .ok_or_else(|| StoreError::Corrupt("the contact upsert answered no row".into()))
    }

    /// [`Contacts::upsert_inbound`] for many messages' senders at once, a few statements
    /// for all: the contacts end as if each sender had been upserted in turn.
    pub async fn upsert_inbound_many(
        &self,
        senders: &[InboundSender<'_>],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // One row per contact: a statement may not change a row twice.
        let mut merged: Vec<InboundSender<'_>> = Vec::new();
        let mut place = std::collections::HashMap::new();
        for sender in senders {
            match place.get(sender.wa_id) {
                Some(&i) => {
                    let kept: &mut InboundSender<'_> = &mut merged[i];
                    if sender.at >= kept.at {
                        kept.at = sender.at;
                        kept.profile_name = sender.profile_name.or(kept.profile_name);
                    }
                }
                None => {
                    place.insert(sender.wa_id, merged.len());
                    merged.push(*sender);
                }
            }
        }
        for chunk in merged.chunks(500) {
            let insert = self.inbound_upsert(chunk, now);
            self.db
                .execute(self.db.get_database_backend().build(&insert))
                .await?;
        }
        Ok(())
    }

    fn inbound_upsert(
        &self,
        senders: &[InboundSender<'_>],
        now: DateTime<Utc>,
    ) -> sea_orm::sea_query::InsertStatement {
        use sea_orm::sea_query::{OnConflict, Query};
        // Inbound times are whole seconds: a message of the same second is as current.
        const NEWER: &str = r#"("contacts"."last_inbound_at" IS NULL OR "excluded"."last_inbound_at" >= "contacts"."last_inbound_at")"#;
        let keep_or = |column: &str, fresh: &str| {
            Expr::cust(format!(
                r#"CASE WHEN {NEWER}{fresh} THEN "excluded"."{column}" ELSE "contacts"."{column}" END"#
            ))
        };
        let mut insert = Query::insert();
        insert.into_table(contact::Entity).columns([
            contact::Column::TenantId,
            contact::Column::Id,
            contact::Column::WaId,
            contact::Column::PhoneNumber,
            contact::Column::ProfileName,
            contact::Column::LastInboundAt,
            contact::Column::CreatedAt,
            contact::Column::UpdatedAt,
        ]);
        for sender in senders {
            insert.values_panic([
                self.tenant.into_uuid().into(),
                ContactId::new().into_uuid().into(),
                sender.wa_id.into(),
                sender.phone_number.into(),
                sender.profile_name.map(str::to_owned).into(),
                Some(sender.at).into(),
                now.into(),
                now.into(),
            ]);
        }
        insert
            .on_conflict(
                OnConflict::columns([contact::Column::TenantId, contact::Column::WaId])
                    .value(
                        contact::Column::LastInboundAt,
                        keep_or("last_inbound_at", ""),
                    )
                    .value(
                        contact::Column::ProfileName,
                        keep_or(
                            "profile_name",
                            r#" AND "excluded"."profile_name" IS NOT NULL"#,
                        ),
                    )
                    .value(contact::Column::UpdatedAt, keep_or("updated_at", ""))
                    .to_owned(),
            )
            .to_owned()
    }

    /// Sets or clears the opt-out; answers whether it changed. Opting in also ends a
    /// marketing opt-out.
    pub async fn set_opted_out(
        &self,
        id: ContactId,
        at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut update = contact::Entity::update_many()
            .col_expr(contact::Column::OptedOutAt, Expr::value(at))
            .col_expr(contact::Column::UpdatedAt, Expr::value(now))
            .filter(contact::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(contact::Column::Id.eq(id.into_uuid()));
        update = match at {
            Some(_) => update.filter(contact::Column::OptedOutAt.is_null()),
            None => update
                .col_expr(
                    contact::Column::MarketingOptedOutAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(
                    sea_orm::Condition::any()
                        .add(contact::Column::OptedOutAt.is_not_null())
                        .add(contact::Column::MarketingOptedOutAt.is_not_null()),
                ),
        };
        Ok(update.exec(self.db).await?.rows_affected == 1)
    }

    /// Changes the fields given (`Some(None)` clears one); `NotFound` when there is no
    /// such contact.
    pub async fn update_profile(
        &self,
        id: ContactId,
        name: Option<Option<String>>,
        language: Option<Option<LanguageTag>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut update = contact::Entity::update_many()
            .col_expr(contact::Column::UpdatedAt, Expr::value(now))
            .filter(contact::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(contact::Column::Id.eq(id.into_uuid()));
        if let Some(name) = name {
            update = update.col_expr(contact::Column::Name, Expr::value(name));
        }
        if let Some(language) = language {
            update = update.col_expr(
                contact::Column::Language,
                Expr::value(language.map(|l| l.as_str().to_owned())),
            );
        }
        if update.exec(self.db).await?.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Contacts whose name, profile name, number or WhatsApp id contains `search`.
    pub async fn list(
        &self,
        search: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<ContactRecord>, StoreError> {
        let mut query = self.scoped().order_by_asc(contact::Column::Id);
        if let Some(term) = search.map(str::trim).filter(|s| !s.is_empty()) {
            let pattern = format!("%{}%", term.replace(['%', '_'], ""));
            query = query.filter(
                sea_orm::Condition::any()
                    .add(
                        Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(
                            contact::Column::Name,
                        )))
                        .like(pattern.to_lowercase()),
                    )
                    .add(
                        Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(
                            contact::Column::ProfileName,
                        )))
                        .like(pattern.to_lowercase()),
                    )
                    .add(contact::Column::PhoneNumber.like(pattern.clone()))
                    .add(contact::Column::WaId.like(pattern)),
            );
        }
        if let Some(after) = page.after {
            query = query.filter(contact::Column::Id.gt(after));
        }
        let rows = query.limit(page.first + 1).all(self.db).await?;
        Ok(Page::from_fetched(rows, page.first).map(Into::into))
    }

    /// The contact for a number the business writes to first.
    pub async fn find_or_create(
        &self,
        wa_id: &str,
        phone_number: &str,
        now: DateTime<Utc>,
    ) -> Result<ContactRecord, StoreError> {
        if let Some(existing) = self.find_by_wa_id(wa_id).await? {
            return Ok(existing);
        }
        let id = ContactId::new();
        contact::Entity::insert(contact::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(id.into()),
            wa_id: Set(wa_id.to_owned()),
            phone_number: Set(phone_number.to_owned()),
            profile_name: Set(None),
            name: Set(None),
            language: Set(None),
            opted_out_at: Set(None),
            opted_in_at: Set(None),
            opt_in_source: Set(None),
            marketing_opted_out_at: Set(None),
            last_inbound_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        // A webhook or another instance may create the same contact at this moment: the
        // insert then does nothing (waiting for that commit on PostgreSQL), and the lookup
        // below finds their row.
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                contact::Column::TenantId,
                contact::Column::WaId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(self.db)
        .await?;
        self.find_by_wa_id(wa_id).await?.ok_or(StoreError::NotFound)
    }

    /// Creates a contact an import gives, with its fields (attribute values aside).
    pub async fn insert_imported(
        &self,
        phone: &PhoneNumber,
        state: &ContactState,
        now: DateTime<Utc>,
    ) -> Result<ContactId, StoreError> {
        let id = ContactId::new();
        contact::Entity::insert(contact::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(id.into()),
            wa_id: Set(phone.digits().to_owned()),
            phone_number: Set(phone.as_str().to_owned()),
            profile_name: Set(None),
            name: Set(state.name.clone()),
            language: Set(state.language.as_ref().map(|l| l.as_str().to_owned())),
            opted_out_at: Set(state.opted_out_at),
            opted_in_at: Set(state.opted_in_at),
            opt_in_source: Set(state.opt_in_source.clone()),
            marketing_opted_out_at: Set(state.marketing_opted_out_at),
            last_inbound_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(id)
    }

    /// Stores the fields an import sets (attribute values aside).
    pub async fn update_imported(
        &self,
        id: ContactId,
        state: &ContactState,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let result = contact::Entity::update_many()
            .col_expr(contact::Column::Name, Expr::value(state.name.clone()))
            .col_expr(
                contact::Column::Language,
                Expr::value(state.language.as_ref().map(|l| l.as_str().to_owned())),
            )
            .col_expr(contact::Column::OptedOutAt, Expr::value(state.opted_out_at))
            .col_expr(contact::Column::OptedInAt, Expr::value(state.opted_in_at))
            .col_expr(
                contact::Column::OptInSource,
                Expr::value(state.opt_in_source.clone()),
            )
            .col_expr(
                contact::Column::MarketingOptedOutAt,
                Expr::value(state.marketing_opted_out_at),
            )
            .col_expr(contact::Column::UpdatedAt, Expr::value(now))
            .filter(contact::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(contact::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
