//! Schema migrations, one file per change, in order. A landed migration is never edited.

pub use sea_orm_migration::prelude::*;

mod columns;

mod m20261124_000001_foundation;
mod m20261124_000002_channels;
mod m20261124_000003_conversations;
mod m20261124_000004_outbox;
mod m20261124_000005_templates;
mod m20261124_000006_campaigns;
mod m20261124_000007_history_indexes;
mod m20261124_000008_uploads;
mod m20261205_000009_accounts_per_tenant;
mod m20261205_000010_channel_claims;
mod m20261205_000011_message_parts;
mod m20261206_000012_pending_status_marketing_opt_out;
mod m20261206_000013_queues;
mod m20261206_000014_presence;
mod m20261206_000015_labels;
mod m20261206_000016_routing;
mod m20261206_000017_lifecycle;
mod m20261206_000018_quick_replies_notes;
mod m20261206_000019_reads;
mod m20261206_000020_automations;
mod m20261206_000021_csat;
mod m20261207_000022_outgoing_webhooks;
mod m20261207_000023_click_to_chat;
mod m20261207_000025_contact_consent;
mod m20261207_000026_message_search;
mod m20261207_000028_event_log;
mod m20261207_000029_channel_pace;
mod m20261207_000030_message_search_order;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_foundation::Migration),
            Box::new(m20261124_000002_channels::Migration),
            Box::new(m20261124_000003_conversations::Migration),
            Box::new(m20261124_000004_outbox::Migration),
            Box::new(m20261124_000005_templates::Migration),
            Box::new(m20261124_000006_campaigns::Migration),
            Box::new(m20261124_000007_history_indexes::Migration),
            Box::new(m20261124_000008_uploads::Migration),
            Box::new(m20261205_000009_accounts_per_tenant::Migration),
            Box::new(m20261205_000010_channel_claims::Migration),
            Box::new(m20261205_000011_message_parts::Migration),
            Box::new(m20261206_000012_pending_status_marketing_opt_out::Migration),
            Box::new(m20261206_000013_queues::Migration),
            Box::new(m20261206_000014_presence::Migration),
            Box::new(m20261206_000015_labels::Migration),
            Box::new(m20261206_000016_routing::Migration),
            Box::new(m20261206_000017_lifecycle::Migration),
            Box::new(m20261206_000018_quick_replies_notes::Migration),
            Box::new(m20261206_000019_reads::Migration),
            Box::new(m20261206_000020_automations::Migration),
            Box::new(m20261206_000021_csat::Migration),
            Box::new(m20261207_000022_outgoing_webhooks::Migration),
            Box::new(m20261207_000023_click_to_chat::Migration),
            Box::new(m20261207_000025_contact_consent::Migration),
            Box::new(m20261207_000026_message_search::Migration),
            Box::new(m20261207_000028_event_log::Migration),
            Box::new(m20261207_000029_channel_pace::Migration),
            Box::new(m20261207_000030_message_search_order::Migration),
        ]
    }
}
