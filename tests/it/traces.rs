//! Trace export: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, the server posts its spans to
//! `<endpoint>/v1/traces` as OTLP protobuf. The endpoint is an environment variable read at
//! start-up, so the server runs as its own process.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, Uri};

use crate::support::{db, eventually, process};

/// One request the collector stand-in received: its path, content type and body size.
type Export = (String, String, usize);

#[tokio::test]
async fn a_request_is_exported_to_the_otlp_endpoint() {
    let received: Arc<Mutex<Vec<Export>>> = Arc::default();
    let collector = axum::Router::new().fallback({
        let received = received.clone();
        move |uri: Uri, headers: HeaderMap, body: axum::body::Bytes| {
            let received = received.clone();
            async move {
                let kind = headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                received
                    .lock()
                    .unwrap()
                    .push((uri.path().to_owned(), kind, body.len()));
                axum::http::StatusCode::OK
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, collector).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let server = process::serve(
        dir.path(),
        &database.url,
        &[
            ("SWITCHBOARD_LOG", "info"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            // Export every 100 ms instead of every 5 s.
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
    )
    .await;
    let health = reqwest::get(format!("http://{}/healthz", server.addr))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    let exports = eventually(
        20,
        "a span export reaches the collector",
        || async { received.lock().unwrap().clone() },
        |r: &Vec<Export>| !r.is_empty(),
    )
    .await;
    let (path, kind, size) = &exports[0];
    assert_eq!(path, "/v1/traces");
    assert_eq!(kind, "application/x-protobuf");
    assert!(*size > 0);
    process::terminate(&server.child).await;
}
