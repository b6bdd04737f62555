//! Metrics and trace export settings.

use std::time::Duration;

use super::{ConfigError, Raw};
use crate::crypto::Secret;

#[derive(Clone)]
pub struct TelemetrySettings {
    /// `SWITCHBOARD_METRICS_TOKEN`: none by default, and `/metrics` answers anyone who
    /// reaches it (keep it off the public load balancer). When set, a scrape must send
    /// `Authorization: Bearer <token>`; at least 16 characters.
    pub metrics_token: Option<Secret>,
    /// `SWITCHBOARD_METRICS_INTERVAL`: default 15 seconds between refreshes of the gauges
    /// read from the database (outbox depth and age, pool use).
    pub metrics_interval: Duration,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (the standard OpenTelemetry variable, without prefix):
    /// none by default. When set, spans are exported to `<endpoint>/v1/traces` over OTLP
    /// (HTTP, protobuf).
    pub otlp_endpoint: Option<String>,
}

pub(super) const VARIABLES: &[&str] = &["METRICS_TOKEN", "METRICS_INTERVAL"];

/// The standard variable naming the OTLP collector.
pub(super) const OTLP_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";

pub(super) fn read(raw: &mut Raw) -> Result<TelemetrySettings, ConfigError> {
    let metrics_token = raw.take("METRICS_TOKEN").map(|t| Secret::new(t.trim()));
    if metrics_token
        .as_ref()
        .is_some_and(|t| t.expose().trim().len() < 16)
    {
        return Err(ConfigError::Invalid {
            variable: "SWITCHBOARD_METRICS_TOKEN",
            reason: "must be at least 16 characters".to_owned(),
        });
    }
    let otlp_endpoint = match raw.take(OTLP_ENDPOINT) {
        None => None,
        Some(v) => {
            Some(
                super::parse_base_url(v.trim()).map_err(|reason| ConfigError::Invalid {
                    variable: OTLP_ENDPOINT,
                    reason,
                })?,
            )
        }
    };
    Ok(TelemetrySettings {
        metrics_token,
        metrics_interval: raw.seconds("METRICS_INTERVAL", 15, 1, 3_600)?,
        otlp_endpoint,
    })
}
