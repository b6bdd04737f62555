//! The GraphQL schema: queries, mutations, guards, limits and the error-code mapping.

pub mod automations;
pub mod business_profile;
pub mod campaigns;
pub mod channels;
pub mod click_to_chat;
pub mod connection;
pub mod contact_attributes;
pub mod contact_files;
pub mod content;
pub mod conversations;
pub mod csat;
pub mod document;
pub mod errors;
pub mod guards;
pub mod hooks;
pub mod integration_events;
pub mod labels;
pub mod lifecycle;
pub mod limits;
pub mod loaders;
pub mod message_volume;
pub mod messages;
pub mod mutation;
pub mod notes;
pub mod order;
pub mod presence;
pub mod query;
pub mod queue_stats;
pub mod queues;
pub mod quick_replies;
pub mod request_errors;
pub mod routing;
pub mod sending;
pub mod shared;
pub mod subscriptions;
pub mod templates;
pub mod types;
pub mod webhook_render;
pub mod webhooks;

use async_graphql::{MergedObject, MergedSubscription, Schema};

use crate::services::Services;

#[derive(MergedObject, Default)]
pub struct Query(
    query::AccountQuery,
    channels::ChannelQuery,
    conversations::ConversationQuery,
    messages::MessageQuery,
    templates::TemplateQuery,
    campaigns::CampaignQuery,
    queues::QueueQuery,
    queue_stats::QueueStatsQuery,
    message_volume::MessageVolumeQuery,
    routing::RoutingQuery,
    presence::PresenceQuery,
    labels::LabelQuery,
    contact_attributes::ContactAttributeQuery,
    quick_replies::QuickReplyQuery,
    webhooks::WebhookQuery,
    contact_files::ContactFileQuery,
    business_profile::BusinessProfileQuery,
    click_to_chat::ClickToChatQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    mutation::AccountMutation,
    channels::ChannelMutation,
    conversations::ConversationMutation,
    sending::SendingMutation,
    templates::TemplateMutation,
    campaigns::CampaignMutation,
    queues::QueueMutation,
    automations::AutomationMutation,
    routing::RoutingMutation,
    presence::PresenceMutation,
    labels::LabelMutation,
    lifecycle::LifecycleMutation,
    contact_attributes::ContactAttributeMutation,
    quick_replies::QuickReplyMutation,
    notes::NoteMutation,
    csat::CsatMutation,
    webhooks::WebhookMutation,
    contact_files::ContactFileMutation,
    business_profile::BusinessProfileMutation,
    click_to_chat::ClickToChatMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(
    subscriptions::SubscriptionRoot,
    integration_events::IntegrationSubscription,
);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Limits a request must stay within.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
    pub aliases: usize,
    pub nesting: usize,
    pub anonymous_introspection: bool,
}

impl Limits {
    /// The bounds checked on a document's text and shape before the library parses it.
    pub fn document(&self) -> limits::DocumentLimits {
        limits::DocumentLimits {
            nesting: self.nesting,
            // Every field costs at least 1, so more fields than the complexity limit can never
            // run; refusing them early keeps the library from walking a fan-out of fragments.
            fields: self.complexity,
            aliases: self.aliases,
            directives: MAX_DIRECTIVES_PER_SELECTION,
            anonymous_introspection: self.anonymous_introspection,
        }
    }
}

/// More directives than this on one selection is an attack, not a query: `@skip` and
/// `@include` are the only ones, and each is meaningful once.
pub const MAX_DIRECTIVES_PER_SELECTION: usize = 4;

/// The schema without data, for printing its SDL.
pub fn schema_builder(
    limits: Limits,
) -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity)
    .limit_directives(MAX_DIRECTIVES_PER_SELECTION)
    .extension(hooks::Hooks::new(limits.document()))
}

pub fn build_schema(services: Services, limits: Limits) -> AppSchema {
    let details = async_graphql::dataloader::DataLoader::new(
        loaders::MessageDetails {
            history: services.history.clone(),
        },
        tokio::spawn,
    );
    let labels = async_graphql::dataloader::DataLoader::new(
        loaders::ConversationLabels {
            labels: services.labels.clone(),
        },
        tokio::spawn,
    );
    let unread = async_graphql::dataloader::DataLoader::new(
        loaders::ConversationUnread {
            conversations: services.conversations.clone(),
        },
        tokio::spawn,
    );
    let related = async_graphql::dataloader::DataLoader::new(
        loaders::Related {
            channels: services.channels.clone(),
            conversations: services.conversations.clone(),
            history: services.history.clone(),
        },
        tokio::spawn,
    );
    schema_builder(limits)
        .data(services)
        .data(related)
        .data(details)
        .data(labels)
        .data(unread)
        .finish()
}

/// The SDL as committed in `schema.graphql`.
pub fn sdl() -> String {
    let limits = Limits {
        depth: 0,
        complexity: 0,
        aliases: 0,
        nesting: 0,
        anonymous_introspection: false,
    };
    schema_builder(limits).finish().sdl()
}
