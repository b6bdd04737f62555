//! Trace export over OTLP (HTTP, protobuf): `tracing` spans become OpenTelemetry spans,
//! batched and posted to `<endpoint>/v1/traces` from the SDK's own thread, so a slow or
//! absent collector never holds up a request. The SDK reads the other standard variables
//! itself (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`,
//! `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_BSP_*`).

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use opentelemetry_sdk::Resource;
use tracing_opentelemetry::OpenTelemetryLayer;
use tracing_subscriber::registry::LookupSpan;

/// The span pipeline, flushed and stopped by [`Exporter::shutdown`].
pub(super) struct Exporter {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
}

impl Exporter {
    /// Starts export to `endpoint`; a failure is printed and the server runs without it.
    pub(super) fn start(endpoint: &str) -> Option<Self> {
        let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(url)
            .build();
        let exporter = match exporter {
            Ok(exporter) => exporter,
            Err(error) => {
                // The log output is not installed yet.
                eprintln!("switchboard: trace export is off: {error}");
                return None;
            }
        };
        let mut resource = Resource::builder();
        // The SDK names the service from OTEL_SERVICE_NAME, else "unknown_service".
        if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
            resource = resource.with_service_name("switchboard");
        }
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource.build())
            .build();
        let tracer = provider.tracer("switchboard");
        Some(Self { provider, tracer })
    }

    pub(super) fn layer<S>(&self) -> OpenTelemetryLayer<S, SdkTracer>
    where
        S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    {
        tracing_opentelemetry::layer().with_tracer(self.tracer.clone())
    }

    /// Exports what is still buffered, then stops.
    pub(super) fn shutdown(self) {
        if let Err(error) = self.provider.shutdown() {
            eprintln!("switchboard: flushing traces at exit failed: {error}");
        }
    }
}
