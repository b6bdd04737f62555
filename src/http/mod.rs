//! The HTTP surface: `/graphql`, `/graphql/ws`, health checks, `/metrics`, the landing page
//! and the embedded web client.

pub mod graphql;
pub mod health;
pub mod media;
pub mod metrics;
pub mod router;
pub mod serve;
pub mod web_client;
pub mod webhooks;
pub mod ws;

pub use router::router;
