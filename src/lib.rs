//! Switchboard: a multi-tenant WhatsApp integration backend with a GraphQL API.

pub mod app;
pub mod bench;
pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod fakes;
pub mod graphql;
pub mod http;
pub mod providers;
pub mod services;
pub mod simulator;
pub mod store;
pub mod telemetry;
#[cfg(test)]
mod time_bound;
