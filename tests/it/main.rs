//! Integration tests: the real server on a random port, over HTTP and WebSocket, on SQLite
//! or, when `SWITCHBOARD_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL database per test.

mod support;

mod accounts;
mod answers;
mod api_keys;
mod auth;
mod campaigns;
mod channels;
mod claims;
mod cli;
mod cookbook;
mod crash;
mod edge;
mod graphql_http;
mod graphql_limits;
mod history;
mod inbound;
mod inbound_limits;
mod instances;
mod media;
mod message_answers;
mod operator_logs;
mod outbound;
mod outbound_content;
mod providers_meta;
mod providers_twilio;
mod reconcile;
mod roles;
mod shutdown;
mod simulator;
mod subscriptions;
mod templates;
mod tenancy;
mod uploads;
mod users;
mod web_client;
