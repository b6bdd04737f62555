//! Outgoing webhooks' settings: where they may go and how hard they try.

use std::time::Duration;

use super::{ConfigError, Raw};

#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// `SWITCHBOARD_OUTGOING_WEBHOOK_ALLOWED_HOSTS`: none by default. Comma-separated hosts
    /// (names or addresses, as written in URLs) that endpoints may reach over plain http and
    /// at private, loopback or link-local addresses; every other endpoint must be https to
    /// a public address.
    pub allowed_hosts: Vec<String>,
    /// `SWITCHBOARD_OUTGOING_WEBHOOK_TIMEOUT`: default 10 seconds for a receiver to answer.
    pub timeout: Duration,
    /// `SWITCHBOARD_OUTGOING_WEBHOOK_CONCURRENCY`: default 4 deliveries in flight per
    /// endpoint (per instance).
    pub concurrency: usize,
    /// `SWITCHBOARD_OUTGOING_WEBHOOK_RETRY_SECONDS`: default 86400; how long a delivery is
    /// retried after its first attempt before it is given up.
    pub retry_for: Duration,
    /// `SWITCHBOARD_OUTGOING_WEBHOOK_BACKOFF_MS`: default 10000; the first retry's wait,
    /// doubled after each failure (with jitter).
    pub backoff_base: Duration,
    /// `SWITCHBOARD_OUTGOING_WEBHOOK_BACKOFF_MAX_SECONDS`: default 3600; the longest wait.
    pub backoff_max: Duration,
    /// `SWITCHBOARD_OUTGOING_WEBHOOK_DISABLE_AFTER_SECONDS`: default 86400; an endpoint
    /// whose every attempt failed for this long is disabled, saying why.
    pub disable_after: Duration,
}

pub(super) const VARIABLES: &[&str] = &[
    "OUTGOING_WEBHOOK_ALLOWED_HOSTS",
    "OUTGOING_WEBHOOK_TIMEOUT",
    "OUTGOING_WEBHOOK_CONCURRENCY",
    "OUTGOING_WEBHOOK_RETRY_SECONDS",
    "OUTGOING_WEBHOOK_BACKOFF_MS",
    "OUTGOING_WEBHOOK_BACKOFF_MAX_SECONDS",
    "OUTGOING_WEBHOOK_DISABLE_AFTER_SECONDS",
];

pub(super) fn read(raw: &mut Raw) -> Result<WebhookSettings, ConfigError> {
    let allowed_hosts = raw.parse("OUTGOING_WEBHOOK_ALLOWED_HOSTS", Vec::new(), |v| {
        let hosts: Vec<String> = v
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        match hosts.iter().find(|h| h.contains(['/', ' ', '@'])) {
            Some(bad) => Err(format!(
                "{bad:?} is not a host (give names or addresses, no scheme or path)"
            )),
            None => Ok(hosts),
        }
    })?;
    let backoff_ms: u64 = raw.number("OUTGOING_WEBHOOK_BACKOFF_MS", 10_000, 10, 3_600_000)?;
    Ok(WebhookSettings {
        allowed_hosts,
        timeout: raw.seconds("OUTGOING_WEBHOOK_TIMEOUT", 10, 1, 120)?,
        concurrency: raw.number("OUTGOING_WEBHOOK_CONCURRENCY", 4, 1, 64)?,
        retry_for: raw.seconds("OUTGOING_WEBHOOK_RETRY_SECONDS", 86_400, 1, 7 * 86_400)?,
        backoff_base: Duration::from_millis(backoff_ms),
        backoff_max: raw.seconds("OUTGOING_WEBHOOK_BACKOFF_MAX_SECONDS", 3600, 1, 86_400)?,
        disable_after: raw.seconds(
            "OUTGOING_WEBHOOK_DISABLE_AFTER_SECONDS",
            86_400,
            1,
            30 * 86_400,
        )?,
    })
}
