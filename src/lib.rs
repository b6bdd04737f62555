//! Switchboard: a multi-tenant WhatsApp integration backend with a GraphQL API.

pub mod accounts;
pub mod app;
pub mod auth;
pub mod bench;
pub mod bootstrap;
pub mod campaigns;
pub mod channels;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod events;
pub mod fakes;
pub mod graphql;
pub mod http;
pub mod inbound;
pub mod key_rotation;
pub mod media;
pub mod outbox;
pub mod providers;
pub mod simulator;
pub mod store;
pub mod telemetry;
pub mod templates;
#[cfg(test)]
mod time_bound;
