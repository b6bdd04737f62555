//! The use cases: every operation the API and the webhooks offer, each one unit of work over
//! the store, the providers and the event bus. `graphql` and `http` reach the rest of the
//! system only through here.

pub mod accounts;
pub mod auth;
pub mod campaigns;
pub mod channels;
pub mod events;
pub mod inbound;
pub mod key_rotation;
pub mod media;
pub mod outbox;
pub mod templates;
