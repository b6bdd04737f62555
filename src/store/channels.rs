//! A tenant's channels, and the deployment-wide keys (webhook key, number, Meta phone
//! number id) each one owns.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};
use serde::{Deserialize, Serialize};

use super::entities::{channel, channel_key};
use super::StoreError;
use crate::domain::{ChannelId, ChannelSettings, TenantId};
use crate::providers::ProviderKind;

/// A provider's non-secret identifiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "camelCase")]
pub enum ProviderConfig {
    #[serde(rename_all = "camelCase")]
    Twilio {
        account_sid: String,
        api_key_sid: Option<String>,
        messaging_service_sid: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Meta {
        phone_number_id: String,
        business_account_id: String,
    },
}

impl ProviderConfig {
    pub fn kind(&self) -> ProviderKind {
        match self {
            ProviderConfig::Twilio { .. } => ProviderKind::Twilio,
            ProviderConfig::Meta { .. } => ProviderKind::Meta,
        }
    }
}

/// What the provider said when the channel was last verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub at: DateTime<Utc>,
    pub display_name: Option<String>,
    pub display_number: Option<String>,
    pub quality_rating: Option<String>,
}

/// A channel as stored; its secrets stay sealed.
#[derive(Clone, Debug)]
pub struct ChannelRecord {
    pub id: ChannelId,
    pub tenant: TenantId,
    pub name: String,
    pub phone_number: String,
    pub config: ProviderConfig,
    pub sealed_token: String,
    pub sealed_secret: Option<String>,
    pub credential_hint: String,
    pub webhook_key: String,
    pub verify_token: Option<String>,
    pub settings: ChannelSettings,
    pub verification: Option<Verification>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ChannelRecord {
    pub fn provider(&self) -> ProviderKind {
        self.config.kind()
    }

    /// The deployment-wide keys this channel owns.
    pub fn routing_keys(&self) -> Vec<String> {
        let mut keys = vec![
            format!("webhook:{}", self.webhook_key),
            format!("number:{}", self.phone_number),
        ];
        if let ProviderConfig::Meta {
            phone_number_id, ..
        } = &self.config
        {
            keys.push(format!("meta_phone:{phone_number_id}"));
        }
        keys
    }
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

const TAKEN: &str = "this number or phone number id is already connected to a channel";

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

    /// Inserts the channel and claims its keys; a key owned elsewhere is a `Conflict`. Run it
    /// in a transaction.
    pub async fn insert(&self, record: &ChannelRecord) -> Result<(), StoreError> {
        debug_assert_eq!(record.tenant, self.tenant);
        channel::Entity::insert(active_model(record))
            .exec_without_returning(self.db)
            .await?;
        self.claim_keys(record, &record.routing_keys()).await
    }

    async fn claim_keys(&self, record: &ChannelRecord, keys: &[String]) -> Result<(), StoreError> {
        for key in keys {
            channel_key::Entity::insert(channel_key::ActiveModel {
                key: Set(key.clone()),
                tenant_id: Set(self.tenant.into()),
                channel_id: Set(record.id.into()),
            })
            .exec_without_returning(self.db)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(TAKEN),
                other => other,
            })?;
        }
        Ok(())
    }

    /// Saves every field and re-claims the keys (the number or phone number id may have
    /// changed). Run it in a transaction.
    pub async fn update(&self, record: &ChannelRecord) -> Result<(), StoreError> {
        let result = channel::Entity::update(active_model(record))
            .filter(channel::Column::TenantId.eq(self.tenant.into_uuid()))
            .exec(self.db)
            .await;
        match result {
            Ok(_) => {}
            Err(sea_orm::DbErr::RecordNotUpdated) => return Err(StoreError::NotFound),
            Err(e) => return Err(e.into()),
        }
        self.release_keys(record.id).await?;
        self.claim_keys(record, &record.routing_keys()).await
    }

    async fn release_keys(&self, id: ChannelId) -> Result<(), StoreError> {
        channel_key::Entity::delete_many()
            .filter(channel_key::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(channel_key::Column::ChannelId.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        Ok(())
    }

    pub async fn delete(&self, id: ChannelId) -> Result<(), StoreError> {
        self.release_keys(id).await?;
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
