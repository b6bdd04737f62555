//! Channels: connecting a WhatsApp number through a provider, with sealed credentials.
//! Each service call takes the caller's leave (`Access`), validates the input into domain values,
//! writes in one transaction with its audit entry, and returns the stored record.
//!
//! A number is claimed for the whole deployment only when the provider has verified the
//! channel's credentials for it (see `store::channels`): creating a channel proves nothing,
//! so it claims the number only within its own tenant.

use std::sync::Arc;

use chrono::Utc;
use zeroize::Zeroizing;

use crate::crypto::Secret;
use crate::crypto::{random_token, KeyRing, SealContext};
use crate::domain::audit::{AuditEvent, Verified};
use crate::domain::channel::credential_hint;
use crate::domain::records::{ChannelRecord, ProviderConfig, Verification};
use crate::domain::{ChannelId, ChannelSettings, PhoneNumber, TenantId};
use crate::error::AppError;
use crate::providers::{Credentials, MetaCredentials, Provider, ProviderKind, TwilioCredentials};
use crate::services::auth::{Access, Admin, Agent};
use crate::store::{Store, StoreError};

mod answers;
mod input;

use answers::proves_number;
pub use answers::provider_error;
use input::{apply_sandbox, apply_settings, parse_name};
pub use input::{ChannelInput, MetaInput, SettingsInput, TwilioInput, MAX_ALLOWED_MEDIA_TYPES};

/// Builds a channel's provider adapter from its opened credentials.
pub type ProviderFactory = Arc<dyn Fn(Credentials) -> Box<dyn Provider> + Send + Sync>;

#[derive(Clone)]
pub struct ChannelService {
    store: Store,
    keys: Arc<KeyRing>,
    providers: ProviderFactory,
    /// `SWITCHBOARD_CHANNEL_CLAIMS_WITHOUT_VERIFICATION`.
    claims_without_verification: bool,
}

const TOKEN_FIELD: [&str; 2] = ["twilio.auth_token", "meta.access_token"];
const SECRET_FIELD: [&str; 2] = ["twilio.api_key_secret", "meta.app_secret"];

fn field_index(kind: ProviderKind) -> usize {
    match kind {
        ProviderKind::Twilio => 0,
        ProviderKind::Meta => 1,
    }
}

/// The sealing context of a channel's token (`secret == false`) or second secret.
pub fn seal_context(record: &ChannelRecord, secret: bool) -> SealContext<'static> {
    let index = field_index(record.provider());
    SealContext {
        tenant: record.tenant.into_uuid(),
        owner: record.id.into_uuid(),
        field: if secret {
            SECRET_FIELD[index]
        } else {
            TOKEN_FIELD[index]
        },
    }
}

impl ChannelService {
    pub fn new(store: Store, keys: Arc<KeyRing>, providers: ProviderFactory) -> Self {
        Self {
            store,
            keys,
            providers,
            claims_without_verification: false,
        }
    }

    /// Claims numbers deployment-wide at create and update, without proof of ownership (for
    /// single-organisation deployments, or providers whose verification cannot prove it).
    pub fn with_claims_without_verification(mut self, on: bool) -> Self {
        self.claims_without_verification = on;
        self
    }

    /// The adapter for a channel.
    pub fn provider(&self, record: &ChannelRecord) -> Result<Box<dyn Provider>, AppError> {
        Ok((self.providers)(self.credentials(record)?))
    }

    /// Asks the provider whether the credentials work and prove the channel's number, and
    /// records what it says. Refused credentials leave the channel unverified and answer
    /// PROVIDER_ERROR with the provider's code. A verified channel takes the deployment-wide
    /// claims on its number in the same transaction; when another channel already holds
    /// them the channel stays unverified and the answer is CONFLICT.
    pub async fn verify(
        &self,
        access: &Access<Admin>,
        id: ChannelId,
    ) -> Result<ChannelRecord, AppError> {
        let tenant = access.tenant();
        let scope = self.store.tenant(tenant);
        let mut record = scope.channels().get(id).await?;
        let provider = self.provider(&record)?;
        let outcome = provider
            .verify()
            .await
            .and_then(|account| proves_number(&record, account));
        let unit = self.store.write(tenant).await?;
        let scope = unit.scope();
        // What was verified must still be what is stored: an update meanwhile may
        // have changed the number or the credentials, and its own verification is
        // still to come.
        let current = scope.channels().get(id).await?;
        if current.phone_number != record.phone_number
            || current.config != record.config
            || current.sealed_token != record.sealed_token
            || current.sealed_secret != record.sealed_secret
        {
            tracing::info!(tenant.id = %tenant, channel.id = %id, provider = record.provider().as_str(), outcome = "changed_meanwhile", "channel verification dropped");
            return Err(AppError::Conflict(
                "the channel changed while it was being verified; verify it again".to_owned(),
            ));
        }
        let claimed = match &outcome {
            Ok(_) => match scope.channels().claim_verified(&record).await {
                Ok(()) => Ok(()),
                Err(StoreError::Conflict(message)) => Err(message),
                Err(e) => return Err(e.into()),
            },
            Err(_) => Ok(()),
        };
        let verification = match (&outcome, &claimed) {
            (Ok(account), Ok(())) => Some(Verification {
                at: unit.now(),
                display_name: account.display_name.clone(),
                display_number: account.display_number.clone(),
                quality_rating: account.quality_rating.clone(),
            }),
            _ => None,
        };
        scope
            .channels()
            .set_verification(id, verification.as_ref(), unit.now())
            .await?;
        if verification.is_none() && !self.claims_without_verification {
            // The claims belong to a verified channel only.
            scope.channels().release_number_claims(id).await?;
        }
        let verified = match (&outcome, &claimed) {
            (Ok(_), Ok(())) => Verified::Yes,
            (Ok(_), Err(_)) => Verified::NumberClaimedElsewhere,
            (Err(e), _) => Verified::Refused {
                provider_code: e.code(),
            },
        };
        let event = AuditEvent::ChannelVerified {
            channel: id,
            outcome: verified,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        self.store.forget_channels();
        match (outcome, claimed) {
            (Ok(_), Ok(())) => {
                record.updated_at = verification.as_ref().map_or(record.updated_at, |v| v.at);
                record.verification = verification;
                tracing::info!(tenant.id = %tenant, channel.id = %id, provider = record.provider().as_str(), outcome = "verified", "channel verified");
                Ok(record)
            }
            (Ok(_), Err(message)) => {
                tracing::warn!(tenant.id = %tenant, channel.id = %id, provider = record.provider().as_str(), outcome = "number_claimed_elsewhere", "channel verified by the provider, but its number is claimed by another channel");
                Err(AppError::Conflict(message.to_owned()))
            }
            (Err(err), _) => {
                tracing::info!(tenant.id = %tenant, channel.id = %id, provider = record.provider().as_str(), outcome = "refused", provider_code = ?err.code(), "channel verification refused");
                Err(provider_error(err))
            }
        }
    }

    /// Seals the input's secrets into `record`, validating shapes; secrets left out keep
    /// their stored value when `record` already has one. True when the credentials changed.
    fn apply_credentials(
        &self,
        record: &mut ChannelRecord,
        input: &ChannelInput,
        creating: bool,
    ) -> Result<bool, AppError> {
        match record.provider() {
            ProviderKind::Twilio => {
                let has_secret = record.sealed_secret.is_some();
                let Some(given) = input::twilio(input, creating, has_secret)? else {
                    return Ok(false);
                };
                record.config = given.config;
                if let Some(token) = given.auth_token {
                    record.sealed_token = self.keys.seal(seal_context(record, false), token);
                    record.credential_hint = credential_hint(token);
                }
                match given.api_key_secret {
                    _ if !given.uses_api_key => record.sealed_secret = None,
                    Some(secret) => {
                        let sealed = self.keys.seal(seal_context(record, true), secret);
                        record.sealed_secret = Some(sealed);
                    }
                    None => {}
                }
            }
            ProviderKind::Meta => {
                let Some(given) = input::meta(input, creating)? else {
                    return Ok(false);
                };
                record.config = given.config;
                record.sealed_token = self.keys.seal(seal_context(record, false), given.token);
                let sealed = self.keys.seal(seal_context(record, true), given.app_secret);
                record.sealed_secret = Some(sealed);
                record.credential_hint = credential_hint(given.token);
            }
        }
        Ok(true)
    }

    pub async fn create(
        &self,
        access: &Access<Admin>,
        input: ChannelInput,
    ) -> Result<ChannelRecord, AppError> {
        let tenant = access.tenant();
        let name = parse_name(input.name.as_deref().unwrap_or_default())?;
        let kind = input
            .provider
            .ok_or_else(|| AppError::bad_input("provider", "is required"))?;
        let phone =
            crate::providers::parse_number(input.phone_number.as_deref().unwrap_or_default())
                .map_err(|e| AppError::bad_input("phoneNumber", e))?;
        let now = Utc::now();
        let placeholder = match kind {
            ProviderKind::Twilio => ProviderConfig::Twilio {
                account_sid: String::new(),
                api_key_sid: None,
                messaging_service_sid: None,
                sandbox_join_code: None,
            },
            ProviderKind::Meta => ProviderConfig::Meta {
                phone_number_id: String::new(),
                business_account_id: String::new(),
            },
        };
        let mut record = ChannelRecord {
            id: ChannelId::new(),
            tenant,
            name,
            phone_number: phone.as_str().to_owned(),
            config: placeholder,
            sealed_token: String::new(),
            sealed_secret: None,
            credential_hint: String::new(),
            webhook_key: random_token(24),
            verify_token: (kind == ProviderKind::Meta).then(|| random_token(24)),
            settings: ChannelSettings::default(),
            verification: None,
            created_at: now,
            updated_at: now,
        };
        self.apply_credentials(&mut record, &input, true)?;
        apply_sandbox(&mut record, &input, None)?;
        if let Some(settings) = input.settings {
            apply_settings(&mut record.settings, settings)?;
        }
        let unit = self.store.write(tenant).await?;
        if let Some(queue) = record.settings.default_queue_id {
            unit.scope().queues().get(queue).await?;
        }
        unit.scope()
            .channels()
            .insert(&record, self.claims_without_verification)
            .await?;
        let event = AuditEvent::ChannelCreated {
            channel: record.id,
            name: &record.name,
            provider: kind,
            masked_number: phone.masked(),
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        tracing::info!(tenant.id = %tenant, channel.id = %record.id, provider = kind.as_str(), "channel created");
        Ok(record)
    }

    pub async fn update(
        &self,
        access: &Access<Admin>,
        id: ChannelId,
        input: ChannelInput,
    ) -> Result<ChannelRecord, AppError> {
        let tenant = access.tenant();
        // Read inside the unit: a concurrent rotation or verification is never overwritten
        // with what was read before it.
        let unit = self.store.write(tenant).await?;
        let scope = unit.scope();
        let mut record = scope.channels().get(id).await?;
        if input.provider.is_some_and(|p| p != record.provider()) {
            return Err(AppError::bad_input(
                "provider",
                "cannot change; create a new channel instead",
            ));
        }
        if let Some(name) = &input.name {
            record.name = parse_name(name)?;
        }
        let mut reverify = false;
        if let Some(phone) = &input.phone_number {
            let phone = crate::providers::parse_number(phone)
                .map_err(|e| AppError::bad_input("phoneNumber", e))?;
            reverify |= phone.as_str() != record.phone_number;
            record.phone_number = phone.as_str().to_owned();
        }
        let before = record.config.sandbox_join_code().map(str::to_owned);
        reverify |= self.apply_credentials(&mut record, &input, false)?;
        reverify |= apply_sandbox(&mut record, &input, before)?;
        if let Some(settings) = input.settings {
            apply_settings(&mut record.settings, settings)?;
        }
        if let Some(queue) = record.settings.default_queue_id {
            scope.queues().get(queue).await?;
        }
        if reverify {
            record.verification = None;
        }
        record.updated_at = unit.now();
        scope
            .channels()
            .update(&record, self.claims_without_verification)
            .await?;
        let event = AuditEvent::ChannelUpdated {
            channel: id,
            name: &record.name,
            credentials_changed: reverify,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        self.store.forget_channels();
        Ok(record)
    }

    pub async fn delete(&self, access: &Access<Admin>, id: ChannelId) -> Result<bool, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        unit.scope().channels().delete(id).await?;
        unit.audit(access.actor(), AuditEvent::ChannelDeleted { channel: id })
            .await?;
        unit.commit().await?;
        self.store.forget_channels();
        Ok(true)
    }

    /// The tenant's channels.
    pub async fn list(&self, access: &Access<Agent>) -> Result<Vec<ChannelRecord>, AppError> {
        Ok(self.store.tenant(access.tenant()).channels().list().await?)
    }

    /// A channel of a tenant the caller reached; another tenant's answers NOT_FOUND.
    pub async fn get_in(&self, tenant: TenantId, id: ChannelId) -> Result<ChannelRecord, AppError> {
        Ok(self.store.tenant(tenant).channels().get(id).await?)
    }

    /// Those of `ids` that are the tenant's, in one read (for a page's `channel` fields).
    pub async fn get_many_in(
        &self,
        tenant: TenantId,
        ids: &[ChannelId],
    ) -> Result<Vec<ChannelRecord>, AppError> {
        Ok(self.store.tenant(tenant).channels().get_many(ids).await?)
    }

    /// Opens only the secret that signs a channel's webhooks: Twilio's auth token, Meta's
    /// app secret.
    pub fn signing_secret(&self, record: &ChannelRecord) -> Result<Secret, AppError> {
        let (sealed, secret) = match record.provider() {
            ProviderKind::Twilio => (Some(record.sealed_token.as_str()), false),
            ProviderKind::Meta => (record.sealed_secret.as_deref(), true),
        };
        let sealed = sealed.ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "channel {} lacks its signing secret",
                record.id
            ))
        })?;
        self.open(record, sealed, secret)
    }

    /// Opens one sealed credential of `record` (`secret`: the second of the pair).
    fn open(&self, record: &ChannelRecord, sealed: &str, secret: bool) -> Result<Secret, AppError> {
        let plain: Zeroizing<String> = self
            .keys
            .open(seal_context(record, secret), sealed)
            .map_err(|e| {
                AppError::internal(anyhow::anyhow!("channel {} credentials: {e}", record.id))
            })?;
        Ok(Secret::new(plain.as_str()))
    }

    /// Opens a channel's credentials for its adapter.
    pub fn credentials(&self, record: &ChannelRecord) -> Result<Credentials, AppError> {
        let open = |sealed: &str, secret: bool| self.open(record, sealed, secret);
        let sender = PhoneNumber::parse(&record.phone_number).map_err(|e| {
            AppError::internal(anyhow::anyhow!("channel {} number: {e}", record.id))
        })?;
        Ok(match &record.config {
            ProviderConfig::Twilio {
                account_sid,
                api_key_sid,
                messaging_service_sid,
                sandbox_join_code,
            } => Credentials::Twilio(TwilioCredentials {
                account_sid: account_sid.clone(),
                auth_token: open(&record.sealed_token, false)?,
                api_key: match (api_key_sid, &record.sealed_secret) {
                    (Some(sid), Some(sealed)) => Some((sid.clone(), open(sealed, true)?)),
                    _ => None,
                },
                messaging_service_sid: messaging_service_sid.clone(),
                sender,
                sandbox: sandbox_join_code.is_some(),
            }),
            ProviderConfig::Meta {
                phone_number_id,
                business_account_id,
            } => Credentials::Meta(MetaCredentials {
                access_token: open(&record.sealed_token, false)?,
                app_secret: open(
                    record.sealed_secret.as_deref().ok_or_else(|| {
                        AppError::internal(anyhow::anyhow!(
                            "channel {} lacks its app secret",
                            record.id
                        ))
                    })?,
                    true,
                )?,
                phone_number_id: phone_number_id.clone(),
                business_account_id: business_account_id.clone(),
            }),
        })
    }
}
