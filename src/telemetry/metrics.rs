//! The process's Prometheus metrics: one recorder installed once per process, rendered by
//! the `/metrics` route, and the small functions the rest of the server calls to feed it.
//!
//! Labels stay bounded: a provider, an outcome word, a provider error code (checked to look
//! like one) and at most a channel id. Nothing here ever carries a tenant id, a contact, a
//! phone number, a message id or any text a customer or a provider wrote.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::domain::{ChannelId, ProviderKind};
use crate::providers::ProviderError;

pub const WEBHOOKS_RECEIVED: &str = "switchboard_webhooks_received_total";
pub const INGEST_BATCH_EVENTS: &str = "switchboard_ingest_batch_events";
pub const INGEST_COMMIT_SECONDS: &str = "switchboard_ingest_commit_duration_seconds";
pub const INGEST_QUEUED: &str = "switchboard_ingest_queued_webhooks";
pub const INGEST_WAITING: &str = "switchboard_ingest_waiting_webhooks";
pub const OUTBOX_DEPTH: &str = "switchboard_outbox_depth_jobs";
pub const OUTBOX_OLDEST_DUE_AGE: &str = "switchboard_outbox_oldest_due_age_seconds";
pub const SEND_SECONDS: &str = "switchboard_send_duration_seconds";
pub const PROVIDER_ERRORS: &str = "switchboard_provider_errors_total";
pub const SUBSCRIPTIONS: &str = "switchboard_subscriptions_active";
pub const SHARED_RENDERINGS: &str = "switchboard_subscription_renderings_shared";
pub const WEBSOCKETS: &str = "switchboard_websocket_connections_active";
pub const DB_POOL_CONNECTIONS: &str = "switchboard_db_pool_connections";
pub const DB_POOL_MAX: &str = "switchboard_db_pool_max_connections";
pub const EVENT_LOG_LAG: &str = "switchboard_event_log_lag_seconds";
pub const EVENT_LOG_POSITION: &str = "switchboard_event_log_position";

/// Seconds, from a fast commit or provider answer to one that is close to timing out.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Events per ingest transaction: one webhook's few, up to a full batch.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder, once per process: tests build many servers in one process and
/// they share it. Answers whether `/metrics` has something to render.
pub fn install() -> bool {
    HANDLE.get_or_init(build).is_some()
}

fn build() -> Option<PrometheusHandle> {
    let mut builder = PrometheusBuilder::new();
    for (name, buckets) in [
        (INGEST_BATCH_EVENTS, BATCH_BUCKETS),
        (INGEST_COMMIT_SECONDS, LATENCY_BUCKETS),
        (SEND_SECONDS, LATENCY_BUCKETS),
    ] {
        builder = match builder.set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets) {
            Ok(builder) => builder,
            Err(error) => {
                tracing::error!(%error, metric = name, "metrics are off: bad histogram buckets");
                return None;
            }
        };
    }
    let recorder = builder.build_recorder();
    let handle = recorder.handle();
    if let Err(error) = metrics::set_global_recorder(recorder) {
        tracing::error!(%error, "metrics are off: another recorder is installed");
        return None;
    }
    describe();
    Some(handle)
}

/// HELP and TYPE lines for every metric, and a first value for those without labels so a
/// scrape lists them before anything happened.
fn describe() {
    describe_counter!(
        WEBHOOKS_RECEIVED,
        Unit::Count,
        "Provider webhooks received, by provider and result (stored, bad_signature, unknown_key, too_large, malformed, unavailable, busy)."
    );
    describe_histogram!(
        INGEST_BATCH_EVENTS,
        Unit::Count,
        "Webhook events stored per ingest transaction."
    );
    describe_histogram!(
        INGEST_COMMIT_SECONDS,
        Unit::Seconds,
        "Time from the start of an ingest transaction to its commit."
    );
    describe_gauge!(
        INGEST_QUEUED,
        Unit::Count,
        "Webhook deliveries waiting in the tenants' ingest queues or being stored."
    );
    describe_gauge!(
        INGEST_WAITING,
        Unit::Count,
        "Webhook deliveries waiting for a place in their tenant's full ingest queue."
    );
    describe_gauge!(
        OUTBOX_DEPTH,
        Unit::Count,
        "Outbox jobs not yet sent (pending or waiting for an earlier part), by channel id."
    );
    describe_gauge!(
        OUTBOX_OLDEST_DUE_AGE,
        Unit::Seconds,
        "How long the oldest due outbox job has been due, by channel id; 0 when none is due."
    );
    describe_histogram!(
        SEND_SECONDS,
        Unit::Seconds,
        "Duration of one provider send call, by provider and outcome (sent, error)."
    );
    describe_counter!(
        PROVIDER_ERRORS,
        Unit::Count,
        "Failed provider send calls, by provider, error class and provider code."
    );
    describe_gauge!(
        SUBSCRIPTIONS,
        Unit::Count,
        "GraphQL subscriptions running on this instance's WebSockets."
    );
    describe_gauge!(
        SHARED_RENDERINGS,
        Unit::Count,
        "Subscriptions rendered once for all the sockets of one caller that ask the same (each counted once here, and once per socket in switchboard_subscriptions_active)."
    );
    describe_gauge!(
        WEBSOCKETS,
        Unit::Count,
        "WebSocket connections open on this instance."
    );
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        Unit::Count,
        "Database pool connections, by state (in_use, idle)."
    );
    describe_gauge!(
        DB_POOL_MAX,
        Unit::Count,
        "The database pool's maximum size."
    );
    describe_gauge!(
        EVENT_LOG_LAG,
        Unit::Seconds,
        "How far this instance's event log tailer is behind the newest committed event."
    );
    describe_gauge!(
        EVENT_LOG_POSITION,
        Unit::Count,
        "The event log sequence this instance's tailer has read up to."
    );
    for name in [
        SUBSCRIPTIONS,
        SHARED_RENDERINGS,
        WEBSOCKETS,
        EVENT_LOG_LAG,
        EVENT_LOG_POSITION,
    ] {
        metrics::gauge!(name).set(0.0);
    }
}

/// The Prometheus text format of everything recorded so far; `None` when metrics are off.
pub fn render() -> Option<String> {
    HANDLE.get().and_then(Option::as_ref).map(|h| h.render())
}

/// Folds recorded histogram samples into their buckets. Run periodically, so samples do not
/// pile up between scrapes (or without any).
pub fn upkeep() {
    if let Some(handle) = HANDLE.get().and_then(Option::as_ref) {
        handle.run_upkeep();
    }
}

fn provider_label(provider: ProviderKind) -> &'static str {
    match provider {
        ProviderKind::Twilio => "twilio",
        ProviderKind::Meta => "meta",
    }
}

/// One webhook request and how it was answered (`stored` or the refusal's word).
pub fn webhook_received(provider: ProviderKind, result: &'static str) {
    metrics::counter!(WEBHOOKS_RECEIVED, "provider" => provider_label(provider), "result" => result)
        .increment(1);
}

/// An ingest transaction committed `events` events after `elapsed`.
pub fn ingest_committed(events: usize, elapsed: Duration) {
    metrics::histogram!(INGEST_BATCH_EVENTS).record(events as f64);
    metrics::histogram!(INGEST_COMMIT_SECONDS).record(elapsed.as_secs_f64());
}

/// A webhook delivery took (1) or gave back (-1) a place in its tenant's ingest queue.
pub fn ingest_queued(change: f64) {
    metrics::gauge!(INGEST_QUEUED).increment(change);
}

/// A webhook delivery began (1) or stopped (-1) waiting for room in a full queue.
pub fn ingest_waiting(change: f64) {
    metrics::gauge!(INGEST_WAITING).increment(change);
}

/// One provider send call, its duration and, when it failed, its error.
pub fn send_finished(provider: ProviderKind, elapsed: Duration, error: Option<&ProviderError>) {
    let provider = provider_label(provider);
    let outcome = if error.is_some() { "error" } else { "sent" };
    metrics::histogram!(SEND_SECONDS, "provider" => provider, "outcome" => outcome)
        .record(elapsed.as_secs_f64());
    if let Some(error) = error {
        metrics::counter!(
            PROVIDER_ERRORS,
            "provider" => provider,
            "class" => error_class(error),
            "code" => error_code(error),
        )
        .increment(1);
    }
}

fn error_class(error: &ProviderError) -> &'static str {
    match error {
        ProviderError::Retryable { .. } => "retryable",
        ProviderError::RateLimited { .. } => "rate_limited",
        ProviderError::Rejected { .. } => "rejected",
        ProviderError::Unauthorized { .. } => "unauthorized",
        ProviderError::Consent { .. } => "consent",
        ProviderError::Timeout { .. } => "timeout",
        ProviderError::Unreachable(_) => "unreachable",
        ProviderError::BadWebhook(_) => "bad_webhook",
        ProviderError::MediaRefused(_) => "media_refused",
        ProviderError::Unsupported(_) => "unsupported",
    }
}

/// The provider's code when it looks like one (a short word of letters, digits and `_.-`):
/// the provider writes it, so anything else becomes `other` to keep the label bounded.
fn error_code(error: &ProviderError) -> String {
    match error.code() {
        None => "none".to_owned(),
        Some(code)
            if !code.is_empty()
                && code.len() <= 32
                && code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) =>
        {
            code.to_owned()
        }
        Some(_) => "other".to_owned(),
    }
}

/// One channel's outbox as the periodic refresh found it.
pub fn outbox_depth(channel: ChannelId, jobs: u64, oldest_due_age: Duration) {
    let channel = channel.to_string();
    metrics::gauge!(OUTBOX_DEPTH, "channel" => channel.clone()).set(jobs as f64);
    metrics::gauge!(OUTBOX_OLDEST_DUE_AGE, "channel" => channel).set(oldest_due_age.as_secs_f64());
}

/// The database pool as it stands.
pub fn db_pool(in_use: u32, idle: u32, max: u32) {
    metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set(f64::from(in_use));
    metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    metrics::gauge!(DB_POOL_MAX).set(f64::from(max));
}

/// How far behind the newest committed event this instance's event log tailer is.
pub fn event_log_lag(seconds: f64) {
    metrics::gauge!(EVENT_LOG_LAG).set(seconds.max(0.0));
}

/// The event log sequence this instance's tailer has read up to.
pub fn event_log_position(seq: i64) {
    metrics::gauge!(EVENT_LOG_POSITION).set(seq as f64);
}

/// Subscriptions started (`n` > 0) or ended (`n` < 0) on this instance.
pub fn subscriptions_changed(n: i64) {
    metrics::gauge!(SUBSCRIPTIONS).increment(n as f64);
}

/// Shared renderings started (`n` > 0) or ended (`n` < 0) on this instance.
pub fn shared_renderings_changed(n: i64) {
    metrics::gauge!(SHARED_RENDERINGS).increment(n as f64);
}

/// Counts one open WebSocket for as long as it lives.
pub struct WebSocketOpen(());

impl WebSocketOpen {
    pub fn new() -> Self {
        metrics::gauge!(WEBSOCKETS).increment(1.0);
        Self(())
    }
}

impl Default for WebSocketOpen {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for WebSocketOpen {
    fn drop(&mut self) {
        metrics::gauge!(WEBSOCKETS).decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_codes_that_do_not_look_like_codes_become_other() {
        let rejected = |code: &str| ProviderError::Rejected {
            code: code.to_owned(),
            message: String::new(),
        };
        assert_eq!(error_code(&rejected("131047")), "131047");
        assert_eq!(error_code(&rejected("HTTP_500")), "HTTP_500");
        assert_eq!(error_code(&rejected("+15551234567 is not")), "other");
        assert_eq!(error_code(&rejected(&"9".repeat(40))), "other");
        assert_eq!(
            error_code(&ProviderError::Timeout { maybe_sent: false }),
            "none"
        );
    }
}
