//! Channels in the API: types, queries and mutations. Credentials are write-only: no field
//! returns a secret, only `credentialHint`.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::records::{ChannelRecord, ProviderConfig};
use crate::domain::{ChannelId, PublicUrls};
use crate::providers::capabilities::capabilities;
use crate::providers::ProviderKind;
use crate::services::auth::Agent;
use crate::services::channels::{ChannelInput, MetaInput, SettingsInput, TwilioInput};
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Provider", remote = "crate::domain::ProviderKind")]
pub enum ProviderGql {
    Twilio,
    Meta,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "ContentKind",
    remote = "crate::providers::capabilities::ContentKind"
)]
pub enum ContentKindGql {
    Text,
    Media,
    Template,
    Location,
    Contacts,
    Interactive,
    Reaction,
}

/// A kind of media file WhatsApp carries: in what is sent, what is received and a channel's
/// capabilities.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MediaKind", remote = "crate::domain::MediaKind")]
pub enum MediaKindGql {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

/// A WhatsApp number connected through Twilio or Meta.
pub struct Channel(pub ChannelRecord);

#[derive(SimpleObject)]
pub struct TwilioChannelConfig {
    pub account_sid: String,
    pub api_key_sid: Option<String>,
    pub messaging_service_sid: Option<String>,
}

/// A channel on Twilio's shared WhatsApp sandbox number: people join this account's
/// sandbox by sending `join <code>` to the number, then their messages reach this channel.
#[derive(SimpleObject)]
pub struct TwilioSandbox {
    /// The code after `join`, as the Twilio console shows it (`plenty-mouse`).
    pub join_code: String,
    /// What to send: `join <code>`.
    pub join_message: String,
    /// The sandbox number, E.164.
    pub number: String,
    /// The instruction to show users: "Send `join <code>` to +1 415 523 8886 on WhatsApp".
    pub instruction: String,
    /// A `wa.me` link that opens the chat with the join message prefilled.
    pub join_url: String,
}

impl TwilioSandbox {
    fn new(code: &str) -> Self {
        use crate::providers::twilio::sandbox::{
            join_message, SANDBOX_NUMBER, SANDBOX_NUMBER_DISPLAY,
        };
        let message = join_message(code);
        Self {
            join_code: code.to_owned(),
            instruction: format!("Send `{message}` to {SANDBOX_NUMBER_DISPLAY} on WhatsApp"),
            join_url: crate::domain::click_to_chat::wa_me_url(
                SANDBOX_NUMBER.trim_start_matches('+'),
                Some(&message),
            ),
            number: SANDBOX_NUMBER.to_owned(),
            join_message: message,
        }
    }
}

#[derive(SimpleObject)]
pub struct MetaChannelConfig {
    pub phone_number_id: String,
    pub business_account_id: String,
}

/// What the provider reported at the last successful `verifyChannel`.
#[derive(SimpleObject)]
pub struct ChannelVerification {
    pub verified_at: DateTime<Utc>,
    pub display_name: Option<String>,
    pub display_number: Option<String>,
    /// Meta's quality rating: GREEN, YELLOW, RED or UNKNOWN.
    pub quality_rating: Option<String>,
}

#[derive(SimpleObject)]
#[graphql(name = "ChannelSettings")]
pub struct ChannelSettingsGql {
    pub language: String,
    pub default_queue_id: Option<ID>,
    pub max_retries: i32,
    pub retry_wait_seconds: i32,
    pub messages_per_second: i32,
    pub inbound_media: bool,
    pub allowed_media_types: Vec<String>,
}

#[derive(SimpleObject)]
pub struct MediaCapability {
    pub kind: MediaKindGql,
    pub mime_types: Vec<String>,
    pub max_bytes: u64,
}

/// What this channel's provider accepts.
#[derive(SimpleObject)]
pub struct ChannelCapabilities {
    pub content_kinds: Vec<ContentKindGql>,
    /// Longest text of one message; longer text is sent in parts.
    pub text_max_length: i32,
    pub caption_max_length: i32,
    pub media: Vec<MediaCapability>,
    pub max_buttons: i32,
    pub max_list_rows: i32,
    /// Whether a message can quote an earlier one.
    pub reply_context: bool,
    pub read_receipts: bool,
}

/// The public URLs of the server the request came to.
fn public_urls<'c>(ctx: &Context<'c>) -> &'c PublicUrls {
    &ctx.data_unchecked::<Services>().urls
}

#[Object]
impl Channel {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn provider(&self) -> ProviderGql {
        self.0.provider().into()
    }
    /// The sender number, E.164.
    async fn phone_number(&self) -> &str {
        &self.0.phone_number
    }
    /// The last four characters of the token, to tell credentials apart.
    async fn credential_hint(&self) -> &str {
        &self.0.credential_hint
    }
    /// Where the provider must send this channel's webhooks.
    async fn webhook_url(&self, ctx: &Context<'_>) -> String {
        public_urls(ctx).webhook(self.0.provider(), &self.0.webhook_key)
    }
    /// Twilio: the webhook URL with connection overrides that make Twilio retry a failed
    /// delivery; configure this one on the sender.
    async fn webhook_url_with_retries(&self, ctx: &Context<'_>) -> Option<String> {
        (self.0.provider() == ProviderKind::Twilio)
            .then(|| public_urls(ctx).twilio_webhook_with_retries(&self.0.webhook_key))
    }
    /// Twilio: the status callback URL sent with each message.
    async fn status_callback_url(&self, ctx: &Context<'_>) -> Option<String> {
        (self.0.provider() == ProviderKind::Twilio)
            .then(|| public_urls(ctx).webhook(ProviderKind::Twilio, &self.0.webhook_key))
    }
    /// Meta: the verify token to enter with the callback URL.
    async fn verify_token(&self) -> Option<&str> {
        self.0.verify_token.as_deref()
    }
    async fn twilio(&self) -> Option<TwilioChannelConfig> {
        match &self.0.config {
            ProviderConfig::Twilio {
                account_sid,
                api_key_sid,
                messaging_service_sid,
                ..
            } => Some(TwilioChannelConfig {
                account_sid: account_sid.clone(),
                api_key_sid: api_key_sid.clone(),
                messaging_service_sid: messaging_service_sid.clone(),
            }),
            ProviderConfig::Meta { .. } => None,
        }
    }
    /// Twilio sandbox channels: how people join this account's sandbox. Null for any other
    /// channel.
    async fn sandbox(&self) -> Option<TwilioSandbox> {
        self.0.config.sandbox_join_code().map(TwilioSandbox::new)
    }
    async fn meta(&self) -> Option<MetaChannelConfig> {
        match &self.0.config {
            ProviderConfig::Meta {
                phone_number_id,
                business_account_id,
            } => Some(MetaChannelConfig {
                phone_number_id: phone_number_id.clone(),
                business_account_id: business_account_id.clone(),
            }),
            ProviderConfig::Twilio { .. } => None,
        }
    }
    /// When `verifyChannel` last succeeded; null until then and after credentials change.
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.verification.as_ref().map(|v| v.at)
    }
    async fn verification(&self) -> Option<ChannelVerification> {
        self.0.verification.as_ref().map(|v| ChannelVerification {
            verified_at: v.at,
            display_name: v.display_name.clone(),
            display_number: v.display_number.clone(),
            quality_rating: v.quality_rating.clone(),
        })
    }
    async fn settings(&self) -> ChannelSettingsGql {
        let s = &self.0.settings;
        ChannelSettingsGql {
            language: s.language.clone(),
            default_queue_id: s.default_queue_id.map(|q| ID(q.to_string())),
            max_retries: i32::from(s.max_retries),
            retry_wait_seconds: i32::from(s.retry_wait_seconds),
            messages_per_second: s.messages_per_second as i32,
            inbound_media: s.inbound_media,
            allowed_media_types: s.allowed_media_types.clone(),
        }
    }
    async fn capabilities(&self) -> ChannelCapabilities {
        let c = capabilities(self.0.provider());
        ChannelCapabilities {
            content_kinds: c.content_kinds.iter().copied().map(Into::into).collect(),
            text_max_length: c.text_max_length as i32,
            caption_max_length: c.caption_max_length as i32,
            media: c
                .media
                .into_iter()
                .map(|m| MediaCapability {
                    kind: m.kind.into(),
                    mime_types: m.mime_types.iter().map(|t| (*t).to_owned()).collect(),
                    max_bytes: m.max_bytes,
                })
                .collect(),
            max_buttons: c.max_buttons as i32,
            max_list_rows: c.max_list_rows as i32,
            reply_context: c.reply_context,
            read_receipts: c.read_receipts,
        }
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(InputObject)]
pub struct TwilioCredentialsInput {
    pub account_sid: String,
    /// Required on create: Twilio signs webhooks with it. Left out on update: unchanged.
    pub auth_token: Option<String>,
    pub api_key_sid: Option<String>,
    pub api_key_secret: Option<String>,
    pub messaging_service_sid: Option<String>,
}

#[derive(InputObject)]
pub struct MetaCredentialsInput {
    pub access_token: String,
    pub app_secret: String,
    pub phone_number_id: String,
    pub business_account_id: String,
}

#[derive(InputObject)]
#[graphql(name = "ChannelSettingsInput")]
pub struct ChannelSettingsInput {
    pub language: Option<String>,
    /// The queue new conversations on this channel go to when no routing rule picks one;
    /// null: the tenant's default queue. Another tenant's queue answers NOT_FOUND.
    pub default_queue_id: async_graphql::MaybeUndefined<ID>,
    pub max_retries: Option<i32>,
    pub retry_wait_seconds: Option<i32>,
    pub messages_per_second: Option<i32>,
    pub inbound_media: Option<bool>,
    pub allowed_media_types: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct CreateChannelInput {
    pub name: String,
    pub provider: ProviderGql,
    /// The sender, E.164.
    pub phone_number: String,
    pub twilio: Option<TwilioCredentialsInput>,
    pub meta: Option<MetaCredentialsInput>,
    pub settings: Option<ChannelSettingsInput>,
    /// Twilio only: the channel is on Twilio's shared WhatsApp sandbox number
    /// (+14155238886), which channels of any organisation may share. Needs
    /// `sandboxJoinCode`. A Meta channel answers BAD_USER_INPUT.
    pub sandbox: Option<bool>,
    /// The sandbox's join code from the Twilio console (`plenty-mouse`, or
    /// `join plenty-mouse`).
    pub sandbox_join_code: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateChannelInput {
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub twilio: Option<TwilioCredentialsInput>,
    pub meta: Option<MetaCredentialsInput>,
    pub settings: Option<ChannelSettingsInput>,
    /// Twilio only: true puts the channel on the sandbox number (with a join code given
    /// now or before), false takes it off; left out: unchanged.
    pub sandbox: Option<bool>,
    /// A new join code for a sandbox channel.
    pub sandbox_join_code: Option<String>,
}

fn twilio_input(t: TwilioCredentialsInput) -> TwilioInput {
    TwilioInput {
        account_sid: t.account_sid,
        auth_token: t.auth_token,
        api_key_sid: t.api_key_sid,
        api_key_secret: t.api_key_secret,
        messaging_service_sid: t.messaging_service_sid,
    }
}

fn meta_input(m: MetaCredentialsInput) -> MetaInput {
    MetaInput {
        access_token: m.access_token,
        app_secret: m.app_secret,
        phone_number_id: m.phone_number_id,
        business_account_id: m.business_account_id,
    }
}

fn settings_input(s: ChannelSettingsInput) -> GqlResult<SettingsInput> {
    let default_queue_id = match s.default_queue_id {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(id) => {
            Some(Some(parse_id("settings.defaultQueueId", &id)?))
        }
    };
    Ok(SettingsInput {
        language: s.language,
        default_queue_id,
        max_retries: s.max_retries,
        retry_wait_seconds: s.retry_wait_seconds,
        messages_per_second: s.messages_per_second,
        inbound_media: s.inbound_media,
        allowed_media_types: s.allowed_media_types,
    })
}

#[derive(Default)]
pub struct ChannelQuery;

#[Object]
impl ChannelQuery {
    /// The tenant's channels.
    async fn channels(&self, ctx: &Context<'_>) -> GqlResult<Vec<Channel>> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let state = ctx.data_unchecked::<Services>();
        let list = state.channels.list(&access).await?;
        Ok(list.into_iter().map(Channel).collect())
    }

    /// One channel; another tenant's answers NOT_FOUND.
    async fn channel(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Channel>> {
        let tenant = viewer(ctx)?.access::<Agent>()?.tenant();
        let id: ChannelId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        Ok(Some(Channel(state.channels.get_in(tenant, id).await?)))
    }
}

#[derive(Default)]
pub struct ChannelMutation;

#[Object]
impl ChannelMutation {
    /// Connects a number. Credentials are sealed at rest and never shown again. The number
    /// and Meta phone number id are unique within the tenant (CONFLICT); they are claimed
    /// for the whole deployment only by `verifyChannel`. Twilio sandbox channels share the
    /// sandbox number and claim nothing.
    async fn create_channel(
        &self,
        ctx: &Context<'_>,
        input: CreateChannelInput,
    ) -> GqlResult<Channel> {
        let state = ctx.data_unchecked::<Services>();
        let input = ChannelInput {
            name: Some(input.name),
            provider: Some(input.provider.into()),
            phone_number: Some(input.phone_number),
            twilio: input.twilio.map(twilio_input),
            meta: input.meta.map(meta_input),
            settings: input.settings.map(settings_input).transpose()?,
            sandbox: input.sandbox,
            sandbox_join_code: input.sandbox_join_code,
        };
        Ok(Channel(
            state
                .channels
                .create(&viewer(ctx)?.access()?, input)
                .await?,
        ))
    }

    /// Changes a channel. New credentials or a new number clear `verifiedAt` and give up the
    /// number's deployment-wide claim until the next `verifyChannel`.
    async fn update_channel(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateChannelInput,
    ) -> GqlResult<Channel> {
        let state = ctx.data_unchecked::<Services>();
        let id: ChannelId = parse_id("id", &id)?;
        let input = ChannelInput {
            name: input.name,
            provider: None,
            phone_number: input.phone_number,
            twilio: input.twilio.map(twilio_input),
            meta: input.meta.map(meta_input),
            settings: input.settings.map(settings_input).transpose()?,
            sandbox: input.sandbox,
            sandbox_join_code: input.sandbox_join_code,
        };
        Ok(Channel(
            state
                .channels
                .update(&viewer(ctx)?.access()?, id, input)
                .await?,
        ))
    }

    /// Asks the provider whether the credentials work and own the channel's number (Twilio:
    /// the account, with the number among its ONLINE WhatsApp senders; Meta: the phone number
    /// id, showing the channel's number) and records `verifiedAt`, the display name, number
    /// and quality rating. The channel then claims its number for the deployment; CONFLICT
    /// when another channel holds that claim.
    async fn verify_channel(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Channel> {
        let state = ctx.data_unchecked::<Services>();
        let id: ChannelId = parse_id("id", &id)?;
        Ok(Channel(
            state.channels.verify(&viewer(ctx)?.access()?, id).await?,
        ))
    }

    async fn delete_channel(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let state = ctx.data_unchecked::<Services>();
        let id: ChannelId = parse_id("id", &id)?;
        Ok(state.channels.delete(&viewer(ctx)?.access()?, id).await?)
    }
}
