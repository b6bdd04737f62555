//! The use cases: every operation the API and the webhooks offer, each one unit of work over
//! the store, the providers and the event bus. `graphql` and `http` reach the rest of the
//! system only through [`Services`], built once by the app.

pub mod accounts;
pub mod assignment;
pub mod auth;
pub mod automations;
pub mod business_profile;
pub mod campaigns;
pub mod channels;
pub mod click_to_chat;
pub mod contact_attributes;
pub mod contact_files;
pub mod contacts;
pub mod conversations;
pub mod csat;
pub(crate) mod definitions;
pub mod directory;
pub mod erasure;
pub mod events;
pub mod gauges;
pub mod history;
pub mod inbound;
pub mod intake;
pub mod key_rotation;
pub mod labels;
pub mod lifecycle;
pub mod media;
pub mod notes;
pub mod outbox;
pub mod presence;
pub mod queue_stats;
pub mod queues;
pub mod quick_replies;
pub mod reads;
pub mod routing;
pub mod templates;
pub mod timeline;
pub mod visibility;
pub mod webhooks;

use std::sync::Arc;

use anyhow::Context as _;

use crate::config::Config;
use crate::crypto::{JwtKeys, KeyRing};
use crate::domain::PublicUrls;
use crate::store::Store;

/// Every use case, as the API and the webhooks reach them.
#[derive(Clone)]
pub struct Services {
    pub auth: auth::Auth,
    pub accounts: accounts::Accounts,
    pub directory: directory::Directory,
    pub channels: channels::ChannelService,
    pub business_profiles: business_profile::BusinessProfileService,
    pub templates: templates::TemplateService,
    pub conversations: conversations::ConversationService,
    pub queues: queues::QueueService,
    pub automations: automations::AutomationService,
    pub csat: csat::CsatService,
    pub routing: routing::RoutingService,
    pub presence: presence::PresenceService,
    pub labels: labels::LabelService,
    pub quick_replies: quick_replies::QuickReplyService,
    pub click_to_chat: click_to_chat::ClickToChatService,
    pub notes: notes::NoteService,
    pub contacts: contacts::ContactService,
    pub contact_files: contact_files::ContactFileService,
    pub erasure: erasure::ErasureService,
    pub contact_attributes: contact_attributes::ContactAttributeService,
    pub history: history::HistoryService,
    pub visibility: visibility::VisibilityService,
    pub sending: outbox::send::SendService,
    pub campaigns: campaigns::CampaignService,
    pub intake: intake::Intake,
    pub files: media::files::MediaFiles,
    pub webhooks: webhooks::WebhookService,
    pub events: events::EventBus,
    pub urls: PublicUrls,
    store: Store,
}

/// The workers the app runs beside the server.
pub struct Workers {
    pub media: media::MediaFetcher,
    pub outbox: outbox::OutboxWorker,
    pub campaigns: campaigns::CampaignService,
    pub presence: presence::PresenceService,
    pub assigner: assignment::Assigner,
    pub webhooks: (webhooks::sender::Sender, events::EventBus),
}

impl Services {
    /// Builds every service over `store` with the settings of `config`.
    pub async fn new(store: Store, config: &Config) -> anyhow::Result<(Self, Workers)> {
        let jwt_secret = config
            .jwt_secret
            .as_ref()
            .context("the JWT secret is missing")?;
        let bus = events::EventBus::default();
        bus.start(
            store.clone(),
            &config.database_url,
            Some(chrono::Duration::hours(config.event_retention_hours.into())),
        )
        .await
        .context("reading the event log")?;
        let auth = auth::Auth::new(
            store.clone(),
            JwtKeys::new(jwt_secret.expose().as_bytes()),
            auth::LoginThrottle::new(
                config.login_window,
                config.login_max_failures,
                config.login_max_failures_per_address,
            ),
            auth::HashPool::new(config.password_hash_concurrency, config.password_hash_queue),
            auth::AuthSettings {
                access_ttl: chrono::Duration::from_std(config.access_token_ttl)?,
                refresh_ttl: chrono::Duration::from_std(config.refresh_token_ttl)?,
                sign_in_names_tenant: config.login_requires_tenant,
            },
            bus.clone(),
        );
        let keys = Arc::new(
            KeyRing::parse(
                config
                    .master_keys
                    .as_ref()
                    .context("the key ring is missing")?
                    .expose(),
            )
            .context("reading SWITCHBOARD_MASTER_KEYS")?,
        );
        let webhooks =
            webhooks::WebhookService::new(store.clone(), keys.clone(), config.webhooks.clone());
        let channels = channels::ChannelService::new(store.clone(), keys, {
            let urls = config.provider_urls();
            let timeout = config.provider_timeout;
            let http = crate::providers::connect::http_client(timeout);
            Arc::new(move |credentials| {
                crate::providers::connect::connect(&urls, &http, timeout, credentials)
            })
        })
        .with_claims_without_verification(config.channel_claims_without_verification);
        let media_store: Arc<dyn media::MediaStore> =
            Arc::new(media::LocalMediaStore::new(config.data_dir.join("media")));
        let fetcher = media::MediaFetcher::new(
            store.clone(),
            channels.clone(),
            media_store.clone(),
            config.media_max_bytes,
        );
        let urls = PublicUrls::new(&config.public_url);
        let media_links = media::MediaLinks::new(jwt_secret.expose().as_bytes());
        let outbox = outbox::OutboxWorker::new(
            store.clone(),
            channels.clone(),
            bus.clone(),
            config.public_url.clone(),
            media_links.clone(),
            outbox::Timing {
                lease: config.outbox_lease,
                status_grace: config.outbox_status_grace,
            },
            outbox::Shares {
                channel: config.outbox_channel_share,
                tenant: config.outbox_tenant_share,
            },
        );
        let campaigns = campaigns::CampaignService::new(store.clone(), outbox.clone(), bus.clone());
        let presence = presence::PresenceService::new(
            store.clone(),
            bus.clone(),
            presence::PresenceTiming {
                grace: config.presence_grace,
                lease: config.presence_lease,
            },
        );
        let files = media::files::MediaFiles::new(
            store.clone(),
            media_store,
            media_links.clone(),
            config.media_max_bytes,
        );
        let (store_for_workers, bus_for_workers) = (store.clone(), bus.clone());
        let memberships = visibility::Memberships::default();
        let services = Self {
            accounts: accounts::Accounts::new(store.clone(), auth.clone(), bus.clone()),
            directory: directory::Directory::new(store.clone()),
            templates: templates::TemplateService::new(
                store.clone(),
                channels.clone(),
                bus.clone(),
            ),
            conversations: conversations::ConversationService::new(store.clone(), bus.clone()),
            queues: queues::QueueService::new(store.clone(), memberships.clone()),
            automations: automations::AutomationService::new(store.clone()),
            csat: csat::CsatService::new(store.clone()),
            visibility: visibility::VisibilityService::new(store.clone(), memberships),
            routing: routing::RoutingService::new(store.clone()),
            presence: presence.clone(),
            labels: labels::LabelService::new(store.clone()),
            quick_replies: quick_replies::QuickReplyService::new(store.clone()),
            click_to_chat: click_to_chat::ClickToChatService::new(store.clone()),
            notes: notes::NoteService::new(store.clone(), bus.clone()),
            contacts: contacts::ContactService::new(store.clone()),
            contact_attributes: contact_attributes::ContactAttributeService::new(store.clone()),
            history: history::HistoryService::new(store.clone(), urls.clone(), media_links.clone()),
            sending: outbox::send::SendService::new(store.clone(), outbox.clone()),
            campaigns: campaigns.clone(),
            intake: intake::Intake::new(
                store.clone(),
                channels.clone(),
                bus.clone(),
                fetcher.clone(),
                urls.clone(),
                config.webhook_max_events,
                intake::Batching {
                    batch: config.ingest_batch,
                    per_tenant: config.ingest_tenant_queue,
                    // Webhooks never hold more than half the connections: the API keeps
                    // the rest, whatever the number of tenants flooding.
                    total: (config.max_connections / 2).max(1),
                    writers: config.ingest_writers,
                },
            ),
            contact_files: contact_files::ContactFileService::new(store.clone()),
            erasure: erasure::ErasureService::new(store.clone(), files.clone()),
            business_profiles: business_profile::BusinessProfileService::new(
                store.clone(),
                channels.clone(),
                files.clone(),
            ),
            files,
            webhooks: webhooks.clone(),
            events: bus,
            urls,
            channels,
            auth,
            store,
        };
        let workers = Workers {
            media: fetcher,
            outbox,
            campaigns,
            assigner: assignment::Assigner::new(
                store_for_workers,
                bus_for_workers.clone(),
                presence.clone(),
            ),
            webhooks: (webhooks.sender(), bus_for_workers),
            presence,
        };
        Ok((services, workers))
    }

    /// Whether the database answers and every migration is applied; the reason when not.
    pub async fn ready(&self) -> Result<(), String> {
        self.store.ready().await
    }
}
