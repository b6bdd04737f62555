//! A channel's WhatsApp business profile in the API: any member reads it, owners and
//! admins change it. Both ask the channel's provider; Twilio channels answer UNSUPPORTED.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};

use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::business_profile::BusinessProfile as Profile;
use crate::domain::ChannelId;
use crate::services::auth::Agent;
use crate::services::business_profile::ProfileUpdate;
use crate::services::Services;

/// The industry a business says it is in, from WhatsApp's list.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "BusinessVertical",
    remote = "crate::domain::business_profile::BusinessVertical"
)]
pub enum VerticalChoice {
    /// Never chosen; a profile cannot be set back to it.
    Undefined,
    /// Any other industry.
    Other,
    /// Automotive.
    Auto,
    /// Beauty, spa and salon.
    Beauty,
    /// Clothing and apparel.
    Apparel,
    /// Education.
    Edu,
    /// Entertainment.
    Entertain,
    /// Event planning and service.
    EventPlan,
    /// Finance and banking.
    Finance,
    /// Food and grocery.
    Grocery,
    /// Public service.
    Govt,
    /// Hotel and lodging.
    Hotel,
    /// Medical and health.
    Health,
    /// Non-profit.
    Nonprofit,
    /// Professional services.
    ProfServices,
    /// Shopping and retail.
    Retail,
    /// Travel and transportation.
    Travel,
    /// Restaurant.
    Restaurant,
    /// Not a business.
    NotABiz,
}

/// What WhatsApp users see about the business behind a number.
#[derive(SimpleObject)]
pub struct BusinessProfile {
    /// The line under the profile photo (1 to 139 characters).
    pub about: Option<String>,
    /// At most 256 characters.
    pub address: Option<String>,
    /// At most 512 characters.
    pub description: Option<String>,
    /// The contact e-mail address.
    pub email: Option<String>,
    /// Up to two http(s) addresses.
    pub websites: Vec<String>,
    /// Null when the provider answered a vertical this server does not know yet.
    pub vertical: Option<VerticalChoice>,
    /// Where the provider serves the profile photo now; such links expire, so read it
    /// again rather than storing it.
    pub photo_url: Option<String>,
}

impl From<Profile> for BusinessProfile {
    fn from(profile: Profile) -> Self {
        Self {
            about: profile.about,
            address: profile.address,
            description: profile.description,
            email: profile.email,
            websites: profile.websites,
            vertical: profile.vertical.map(Into::into),
            photo_url: profile.photo_url,
        }
    }
}

/// Fields left out stay as they are. An empty address, description or e-mail, or an empty
/// list of websites, clears it; the about text cannot be empty.
#[derive(InputObject)]
pub struct UpdateBusinessProfileInput {
    /// 1 to 139 characters on one line.
    pub about: Option<String>,
    /// At most 256 characters.
    pub address: Option<String>,
    /// At most 512 characters; line breaks allowed.
    pub description: Option<String>,
    /// A valid address of at most 128 characters.
    pub email: Option<String>,
    /// At most two `http://` or `https://` addresses of at most 256 characters each.
    pub websites: Option<Vec<String>>,
    /// Any value but UNDEFINED.
    pub vertical: Option<VerticalChoice>,
    /// A JPEG or PNG of at most 5 MB to become the profile photo: the id `POST /media`
    /// answered, or a received attachment's id.
    pub photo_media_id: Option<ID>,
}

#[derive(Default)]
pub struct BusinessProfileQuery;

#[Object]
impl BusinessProfileQuery {
    /// The channel's WhatsApp business profile, as its provider shows it now. Twilio
    /// channels answer UNSUPPORTED: their profile is managed in the Twilio console.
    async fn business_profile(
        &self,
        ctx: &Context<'_>,
        channel_id: ID,
    ) -> GqlResult<BusinessProfile> {
        let channel: ChannelId = parse_id("channelId", &channel_id)?;
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.business_profiles.read(&access, channel).await?.into())
    }
}

#[derive(Default)]
pub struct BusinessProfileMutation;

#[Object]
impl BusinessProfileMutation {
    /// Changes the channel's WhatsApp business profile at its provider (owners and admins);
    /// answers the profile as the provider shows it afterwards.
    async fn update_business_profile(
        &self,
        ctx: &Context<'_>,
        channel_id: ID,
        input: UpdateBusinessProfileInput,
    ) -> GqlResult<BusinessProfile> {
        let channel: ChannelId = parse_id("channelId", &channel_id)?;
        let photo = input
            .photo_media_id
            .map(|id| parse_id("photoMediaId", &id))
            .transpose()?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let update = ProfileUpdate {
            about: input.about,
            address: input.address,
            description: input.description,
            email: input.email,
            websites: input.websites,
            vertical: input.vertical.map(Into::into),
            photo,
        };
        Ok(state
            .business_profiles
            .update(&access, channel, update)
            .await?
            .into())
    }
}
