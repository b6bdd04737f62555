//! Log output (human-readable by default, JSON when configured), the Prometheus metrics
//! ([`metrics`]) and, when a collector is configured, trace export over OTLP.
//!
//! Whatever `SWITCHBOARD_LOG` asks for, the libraries that see raw frames and bodies stay at
//! `info`: at `trace` the WebSocket library prints every frame, `connection_init` with its
//! bearer token and message texts included, and the HTTP libraries print bytes and headers.

use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::{FilterExt, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{Config, LogFormat};

pub mod metrics;
#[cfg(feature = "otel")]
mod otel;

/// Libraries whose debug and trace output carries payloads (frames, headers, bodies).
const PAYLOAD_LOGGERS: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "rustls",
    "async_graphql",
    "sqlx",
    "sea_orm",
];

/// The cap on [`PAYLOAD_LOGGERS`], applied after the configured filter.
fn payload_cap() -> Targets {
    PAYLOAD_LOGGERS.iter().fold(
        Targets::new().with_default(LevelFilter::TRACE),
        |t, name| t.with_target(*name, LevelFilter::INFO),
    )
}

/// The configured filter with [`PAYLOAD_LOGGERS`] capped; spans exported over OTLP pass
/// the same filter as log lines.
fn filter<S>(config: &Config) -> impl tracing_subscriber::layer::Filter<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    EnvFilter::try_new(&config.log_filter)
        .unwrap_or_else(|_| EnvFilter::new("info"))
        .and(payload_cap())
}

/// Keeps trace export running; dropping it sends the spans still buffered.
#[must_use = "dropping it stops trace export"]
pub struct Telemetry {
    #[cfg(feature = "otel")]
    otel: Option<otel::Exporter>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        #[cfg(feature = "otel")]
        if let Some(exporter) = self.otel.take() {
            exporter.shutdown();
        }
    }
}

/// Installs the log output and, with `OTEL_EXPORTER_OTLP_ENDPOINT` set, trace export.
pub fn init(config: &Config) -> Telemetry {
    let filter = filter(config);
    let layer = match config.log_format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_writer(std::io::stderr)
            .boxed(),
        // Colours only on a terminal: a log file or collector gets plain text to search.
        LogFormat::Human => tracing_subscriber::fmt::layer()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(std::io::stderr)
            .boxed(),
    };
    let registry = tracing_subscriber::registry().with(layer.with_filter(filter));
    #[cfg(feature = "otel")]
    {
        let exporter = config
            .telemetry
            .otlp_endpoint
            .as_deref()
            .and_then(otel::Exporter::start);
        let traces = exporter
            .as_ref()
            .map(|e| e.layer().with_filter(self::filter(config)));
        let _ = registry.with(traces).try_init();
        Telemetry { otel: exporter }
    }
    #[cfg(not(feature = "otel"))]
    {
        if config.telemetry.otlp_endpoint.is_some() {
            eprintln!("switchboard: OTEL_EXPORTER_OTLP_ENDPOINT is set, but this build has no trace export (cargo feature `otel`)");
        }
        let _ = registry.try_init();
        Telemetry {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_libraries_stay_at_info_whatever_the_filter() {
        let cap = payload_cap();
        for target in [
            "tungstenite::protocol",
            "tokio_tungstenite",
            "hyper::proto::h1::io",
        ] {
            assert!(cap.would_enable(target, &tracing::Level::INFO), "{target}");
            assert!(
                !cap.would_enable(target, &tracing::Level::DEBUG),
                "{target}"
            );
        }
        assert!(cap.would_enable("switchboard::http", &tracing::Level::TRACE));
    }
}
