//! Log output (human-readable by default, JSON when configured) and the Prometheus metrics
//! ([`metrics`]).
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

pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let filter = filter.and(payload_cap());
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
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
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
