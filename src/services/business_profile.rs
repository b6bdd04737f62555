//! A channel's WhatsApp business profile, read and changed at its provider. Any member
//! reads it; owners and admins change it. A change is checked against WhatsApp's limits
//! before the provider is asked, its photo comes from a file the tenant already has (an
//! upload or a received attachment), and a change the provider took is audited.
//! Providers that do not offer the profile through their API answer UNSUPPORTED, saying
//! where it is managed instead.

use uuid::Uuid;

use crate::domain::audit::AuditEvent;
use crate::domain::business_profile::{self, BusinessProfile, BusinessVertical, ProfileChanges};
use crate::domain::records::ChannelRecord;
use crate::domain::ChannelId;
use crate::error::AppError;
use crate::providers::ProfilePhoto;
use crate::services::auth::{Access, Admin, Agent};
use crate::services::channels::{provider_error, ChannelService};
use crate::services::definitions::bad;
use crate::services::media::files::MediaFiles;
use crate::store::Store;

/// A profile change as given; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfileUpdate {
    pub about: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
    pub websites: Option<Vec<String>>,
    pub vertical: Option<BusinessVertical>,
    /// An upload's or a received attachment's id.
    pub photo: Option<Uuid>,
}

#[derive(Clone)]
pub struct BusinessProfileService {
    store: Store,
    channels: ChannelService,
    files: MediaFiles,
}

impl BusinessProfileService {
    pub fn new(store: Store, channels: ChannelService, files: MediaFiles) -> Self {
        Self {
            store,
            channels,
            files,
        }
    }

    /// The channel's profile as its provider shows it now.
    pub async fn read(
        &self,
        access: &Access<Agent>,
        channel: ChannelId,
    ) -> Result<BusinessProfile, AppError> {
        let record = self.channels.get_in(access.tenant(), channel).await?;
        self.fetch(&record).await
    }

    /// Changes the profile at the provider; answers it as the provider shows it afterwards.
    pub async fn update(
        &self,
        access: &Access<Admin>,
        channel: ChannelId,
        update: ProfileUpdate,
    ) -> Result<BusinessProfile, AppError> {
        let changes = parse(&update)?;
        let mut fields = changes.fields();
        if update.photo.is_some() {
            fields.push("photo");
        }
        if fields.is_empty() {
            return Err(AppError::bad_input(
                "input",
                "name at least one field to change",
            ));
        }
        let tenant = access.tenant();
        let record = self.channels.get_in(tenant, channel).await?;
        let photo = match update.photo {
            Some(id) => Some(self.photo(access, id).await?),
            None => None,
        };
        let provider = self.channels.provider(&record)?;
        if let Err(error) = provider
            .update_business_profile(&changes, photo.as_ref())
            .await
        {
            tracing::info!(tenant.id = %tenant, channel.id = %channel, provider = record.provider().as_str(), provider_code = ?error.code(), "business profile update refused");
            return Err(provider_error(error));
        }
        let unit = self.store.write(tenant).await?;
        let event = AuditEvent::BusinessProfileUpdated { channel, fields };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        tracing::info!(tenant.id = %tenant, channel.id = %channel, provider = record.provider().as_str(), "business profile updated");
        self.fetch(&record).await
    }

    async fn fetch(&self, record: &ChannelRecord) -> Result<BusinessProfile, AppError> {
        let provider = self.channels.provider(record)?;
        provider.business_profile().await.map_err(provider_error)
    }

    /// The bytes of the tenant's file `id`, when it can be a profile photo. Another
    /// tenant's file answers NOT_FOUND.
    async fn photo(&self, access: &Access<Admin>, id: Uuid) -> Result<ProfilePhoto, AppError> {
        let tenant = access.tenant();
        let visibility =
            crate::services::visibility::of(&self.store.tenant(tenant), access).await?;
        let file = self
            .files
            .stored(tenant, &visibility, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let content_type = file.content_type.clone().unwrap_or_default();
        business_profile::check_photo(&content_type, 0).map_err(bad("photoMediaId"))?;
        let bytes = self.files.read(&file).await.map_err(AppError::internal)?;
        business_profile::check_photo(&content_type, bytes.len() as u64)
            .map_err(bad("photoMediaId"))?;
        Ok(ProfilePhoto {
            bytes,
            content_type,
        })
    }
}

/// Checks every given field, naming the first one refused.
fn parse(update: &ProfileUpdate) -> Result<ProfileChanges, AppError> {
    let text = |value: &Option<String>,
                field: &'static str,
                rule: fn(&str) -> Result<String, business_profile::ProfileError>| {
        value.as_deref().map(rule).transpose().map_err(bad(field))
    };
    let websites = match &update.websites {
        None => None,
        Some(given) => Some(business_profile::parse_websites(given).map_err(
            |(index, error)| match index {
                Some(i) => AppError::bad_input(format!("websites[{i}]"), error),
                None => AppError::bad_input("websites", error),
            },
        )?),
    };
    Ok(ProfileChanges {
        about: text(&update.about, "about", business_profile::parse_about)?,
        address: text(&update.address, "address", business_profile::parse_address)?,
        description: text(
            &update.description,
            "description",
            business_profile::parse_description,
        )?,
        email: text(&update.email, "email", business_profile::parse_email)?,
        websites,
        vertical: update
            .vertical
            .map(business_profile::parse_vertical)
            .transpose()
            .map_err(bad("vertical"))?,
    })
}
