//! Fake Twilio and Meta servers that speak the real wire formats, for the integration tests
//! and for `switchboard simulator`. They bind to 127.0.0.1, check credentials, validate
//! requests as the real APIs do, record what they receive, take scripted faults and send
//! correctly signed webhooks.

pub mod meta;
pub mod twilio;

mod in_flight;

pub(crate) use in_flight::InFlight;
