//! The HTTP surface: `/graphql`, `/graphql/ws`, health checks and the landing page.

pub mod graphql;
pub mod health;
pub mod media;
pub mod router;
pub mod serve;
pub mod webhooks;
pub mod ws;

pub use router::router;
