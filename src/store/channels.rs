//! A tenant's channels, and the keys each one owns in `channel_keys`:
//!
//! - `webhook:<key>`, claimed at creation: the unguessable key in the channel's webhook URLs.
//! - `tenant:<tenant>:number:<E.164>` and `tenant:<tenant>:meta_phone:<id>`, claimed at
//!   creation and update: one number and one Meta phone number id per tenant. They are scoped
//!   to the tenant, so a conflict tells a tenant only about its own channels.
//! - `number:<E.164>` and `meta_phone:<id>`, the deployment-wide claims: held only by a
//!   channel whose credentials the provider has verified for that number (or, with
//!   `SWITCHBOARD_CHANNEL_CLAIMS_WITHOUT_VERIFICATION`, from creation). Claiming them at
//!   creation would let any tenant take another's number first.
//!
//! A channel on Twilio's shared sandbox number claims no number key, within its tenant or
//! for the deployment.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};

use super::entities::{channel, channel_key};
use super::StoreError;
use crate::domain::records::channel::{ChannelRecord, ProviderConfig, Verification};
use crate::domain::{ChannelId, QueueId, TenantId};

/// The deployment-wide claims on a channel's number and Meta phone number id. A channel on
/// Twilio's shared sandbox number claims nothing: any number of channels, of any tenants,
/// share it, each reached by its own webhook key.
fn number_claims(record: &ChannelRecord) -> Vec<String> {
    if record.config.sandbox_join_code().is_some() {
        return Vec::new();
    }
    let mut keys = vec![format!("{NUMBER_PREFIX}{}", record.phone_number)];
    if let ProviderConfig::Meta {
        phone_number_id, ..
    } = &record.config
    {
        keys.push(format!("{META_PHONE_PREFIX}{phone_number_id}"));
    }
    keys
}

/// The keys that keep a number and a Meta phone number id to one channel of the tenant.
fn tenant_keys(record: &ChannelRecord) -> Vec<String> {
    number_claims(record)
        .iter()
        .map(|claim| tenant_key(record.tenant, claim))
        .collect()
}

const NUMBER_PREFIX: &str = "number:";
const META_PHONE_PREFIX: &str = "meta_phone:";
const TENANT_PREFIX: &str = "tenant:";

/// A deployment-wide claim's twin within one tenant.
fn tenant_key(tenant: TenantId, claim: &str) -> String {
    format!("{TENANT_PREFIX}{}:{claim}", tenant.into_uuid())
}

impl TryFrom<channel::Model> for ChannelRecord {
    type Error = StoreError;
    fn try_from(row: channel::Model) -> Result<Self, StoreError> {
        let corrupt =
            |what: &str, e: serde_json::Error| StoreError::Corrupt(format!("channel {what}: {e}"));
        Ok(Self {
            id: row.id.into(),
            tenant: row.tenant_id.into(),
            name: row.name,
            phone_number: row.phone_number,
            config: serde_json::from_str(&row.provider_config).map_err(|e| corrupt("config", e))?,
            sealed_token: row.sealed_token,
            sealed_secret: row.sealed_secret,
            credential_hint: row.credential_hint,
            webhook_key: row.webhook_key,
            verify_token: row.verify_token,
            settings: serde_json::from_str(&row.settings).map_err(|e| corrupt("settings", e))?,
            verification: row.verified_at.map(|at| Verification {
                at,
                display_name: row.verified_name,
                display_number: row.verified_number,
                quality_rating: row.quality_rating,
            }),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn active_model(record: &ChannelRecord) -> channel::ActiveModel {
    let verification = record.verification.as_ref();
    channel::ActiveModel {
        tenant_id: Set(record.tenant.into()),
        id: Set(record.id.into()),
        name: Set(record.name.clone()),
        provider: Set(record.provider().as_str().to_owned()),
        phone_number: Set(record.phone_number.clone()),
        provider_config: Set(serde_json::to_string(&record.config).expect("config serialises")),
        sealed_token: Set(record.sealed_token.clone()),
        sealed_secret: Set(record.sealed_secret.clone()),
        credential_hint: Set(record.credential_hint.clone()),
        webhook_key: Set(record.webhook_key.clone()),
        verify_token: Set(record.verify_token.clone()),
        settings: Set(serde_json::to_string(&record.settings).expect("settings serialise")),
        verified_at: Set(verification.map(|v| v.at)),
        verified_name: Set(verification.and_then(|v| v.display_name.clone())),
        verified_number: Set(verification.and_then(|v| v.display_number.clone())),
        quality_rating: Set(verification.and_then(|v| v.quality_rating.clone())),
        created_at: Set(record.created_at),
        updated_at: Set(record.updated_at),
    }
}

/// A deployment-wide claim held elsewhere, met at create or update (only with
/// `SWITCHBOARD_CHANNEL_CLAIMS_WITHOUT_VERIFICATION`).
const TAKEN: &str = "this number or phone number id is already connected to a channel";
/// Another channel of the same tenant has the number or phone number id.
const TAKEN_HERE: &str =
    "another channel of this organisation already has this number or phone number id";
/// At verification: the caller has just proven the number is theirs, so saying it is in use
/// here tells them nothing they do not own; who uses it is never said.
pub const CLAIMED_ELSEWHERE: &str = "this number is already connected to a channel elsewhere on \
this deployment; the operator of this deployment can help";

pub struct Channels<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Channels<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<channel::Entity> {
        channel::Entity::find().filter(channel::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    pub async fn list(&self) -> Result<Vec<ChannelRecord>, StoreError> {
        self.scoped()
            .order_by_asc(channel::Column::Id)
            .all(self.db)
            .await?
            .into_iter()
            .map(ChannelRecord::try_from)
            .collect()
    }

    pub async fn get(&self, id: ChannelId) -> Result<ChannelRecord, StoreError> {
        self.scoped()
            .filter(channel::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    /// Those of `ids` that are this tenant's, in one query.
    pub async fn get_many(&self, ids: &[ChannelId]) -> Result<Vec<ChannelRecord>, StoreError> {
        self.scoped()
            .filter(channel::Column::Id.is_in(ids.iter().map(|id| id.into_uuid())))
            .all(self.db)
            .await?
            .into_iter()
            .map(ChannelRecord::try_from)
            .collect()
    }

    /// This tenant's Meta channel with `phone_number_id`, verified or not.
    pub async fn find_by_phone_number_id(
        &self,
        phone_number_id: &str,
    ) -> Result<Option<ChannelRecord>, StoreError> {
        let key = tenant_key(
            self.tenant,
            &format!("{META_PHONE_PREFIX}{phone_number_id}"),
        );
        let Some(owner) = channel_key::Entity::find_by_id(key)
            .filter(channel_key::Column::TenantId.eq(self.tenant.into_uuid()))
            .one(self.db)
            .await?
        else {
            return Ok(None);
        };
        self.scoped()
            .filter(channel::Column::Id.eq(owner.channel_id))
            .one(self.db)
            .await?
            .map(ChannelRecord::try_from)
            .transpose()
    }

    /// Inserts the channel and claims its webhook key and its keys within the tenant, and,
    /// when `claim_numbers`, the deployment-wide claims too. Run it in a transaction.
    pub async fn insert(
        &self,
        record: &ChannelRecord,
        claim_numbers: bool,
    ) -> Result<(), StoreError> {
        debug_assert_eq!(record.tenant, self.tenant);
        channel::Entity::insert(active_model(record))
            .exec_without_returning(self.db)
            .await?;
        self.claim(record, &[format!("webhook:{}", record.webhook_key)], TAKEN)
            .await?;
        self.claim(record, &tenant_keys(record), TAKEN_HERE).await?;
        if claim_numbers {
            self.claim(record, &number_claims(record), TAKEN).await?;
        }
        Ok(())
    }

    async fn claim(
        &self,
        record: &ChannelRecord,
        keys: &[String],
        taken: &'static str,
    ) -> Result<(), StoreError> {
        for key in keys {
            channel_key::Entity::insert(channel_key::ActiveModel {
                key: Set(key.clone()),
                tenant_id: Set(self.tenant.into()),
                channel_id: Set(record.id.into()),
            })
            .exec_without_returning(self.db)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(taken),
                other => other,
            })?;
        }
        Ok(())
    }

    /// Saves every field and re-claims the keys within the tenant (the number or phone
    /// number id may have changed). The deployment-wide claims stay with a channel that is
    /// still verified; an unverified one gives them up, unless `claim_numbers` takes them
    /// again at once. Run it in a transaction.
    pub async fn update(
        &self,
        record: &ChannelRecord,
        claim_numbers: bool,
    ) -> Result<(), StoreError> {
        let result = channel::Entity::update(active_model(record))
            .filter(channel::Column::TenantId.eq(self.tenant.into_uuid()))
            .exec(self.db)
            .await;
        match result {
            Ok(_) => {}
            Err(sea_orm::DbErr::RecordNotUpdated) => return Err(StoreError::NotFound),
            Err(e) => return Err(e.into()),
        }
        self.release(record.id, &[TENANT_PREFIX]).await?;
        self.claim(record, &tenant_keys(record), TAKEN_HERE).await?;
        if claim_numbers || record.verification.is_none() {
            self.release_number_claims(record.id).await?;
        }
        if claim_numbers {
            self.claim(record, &number_claims(record), TAKEN).await?;
        }
        Ok(())
    }

    /// Takes the deployment-wide claims for a channel the provider has just verified. A
    /// claim another channel holds is a `Conflict` with [`CLAIMED_ELSEWHERE`]. No statement
    /// fails on the way (a taken key inserts nothing), so the transaction stays usable to
    /// record the refusal, on PostgreSQL too.
    pub async fn claim_verified(&self, record: &ChannelRecord) -> Result<(), StoreError> {
        use sea_orm::sea_query::OnConflict;
        for key in number_claims(record) {
            let inserted = channel_key::Entity::insert(channel_key::ActiveModel {
                key: Set(key.clone()),
                tenant_id: Set(self.tenant.into()),
                channel_id: Set(record.id.into()),
            })
            .on_conflict(
                OnConflict::column(channel_key::Column::Key)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(self.db)
            .await?;
            if inserted > 0 {
                continue;
            }
            let owner = channel_key::Entity::find_by_id(key).one(self.db).await?;
            let ours = owner.is_some_and(|o| {
                o.tenant_id == self.tenant.into_uuid() && o.channel_id == record.id.into_uuid()
            });
            if !ours {
                return Err(StoreError::Conflict(CLAIMED_ELSEWHERE));
            }
        }
        Ok(())
    }

    /// Gives up the deployment-wide claims on the channel's number and phone number id.
    pub async fn release_number_claims(&self, id: ChannelId) -> Result<(), StoreError> {
        self.release(id, &[NUMBER_PREFIX, META_PHONE_PREFIX]).await
    }

    /// Releases the channel's keys that start with one of `prefixes` (all when empty).
    async fn release(&self, id: ChannelId, prefixes: &[&str]) -> Result<(), StoreError> {
        use sea_orm::Condition;
        let mut kinds = Condition::any();
        for prefix in prefixes {
            kinds = kinds.add(channel_key::Column::Key.starts_with(*prefix));
        }
        let mut delete = channel_key::Entity::delete_many()
            .filter(channel_key::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(channel_key::Column::ChannelId.eq(id.into_uuid()));
        if !prefixes.is_empty() {
            delete = delete.filter(kinds);
        }
        delete.exec(self.db).await?;
        Ok(())
    }

    /// Points the channels whose default queue is `from` at `to` (none: the tenant's
    /// default). Only their settings change.
    pub async fn replace_default_queue(
        &self,
        from: QueueId,
        to: Option<QueueId>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        use sea_orm::sea_query::Expr;
        for mut record in self.list().await? {
            if record.settings.default_queue_id != Some(from) {
                continue;
            }
            record.settings.default_queue_id = to;
            let settings = serde_json::to_string(&record.settings)
                .map_err(|e| StoreError::Corrupt(format!("channel settings: {e}")))?;
            channel::Entity::update_many()
                .filter(channel::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(channel::Column::Id.eq(record.id.into_uuid()))
                .col_expr(channel::Column::Settings, Expr::value(settings))
                .col_expr(channel::Column::UpdatedAt, Expr::value(now))
                .exec(self.db)
                .await?;
        }
        Ok(())
    }

    pub async fn delete(&self, id: ChannelId) -> Result<(), StoreError> {
        self.release(id, &[]).await?;
        super::pacing::Pacing::new(self.db, self.tenant)
            .forget(id)
            .await?;
        let result = channel::Entity::delete_many()
            .filter(channel::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(channel::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records the outcome of a verification; `None` marks the channel unverified.
    pub async fn set_verification(
        &self,
        id: ChannelId,
        verification: Option<&Verification>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        use sea_orm::sea_query::Expr;
        let result = channel::Entity::update_many()
            .col_expr(
                channel::Column::VerifiedAt,
                Expr::value(verification.map(|v| v.at)),
            )
            .col_expr(
                channel::Column::VerifiedName,
                Expr::value(verification.and_then(|v| v.display_name.clone())),
            )
            .col_expr(
                channel::Column::VerifiedNumber,
                Expr::value(verification.and_then(|v| v.display_number.clone())),
            )
            .col_expr(
                channel::Column::QualityRating,
                Expr::value(verification.and_then(|v| v.quality_rating.clone())),
            )
            .col_expr(channel::Column::UpdatedAt, Expr::value(now))
            .filter(channel::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(channel::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
