//! `switchboard bench`: measured figures on SQLite or PostgreSQL. `ingest` (here): signed
//! webhooks persisted per second end to end, and the webhook-to-subscriber latency with many
//! live subscribers, beside a bare axum server answering the same requests as the baseline.
//! `outbox`: sends per second through the outbox and the accuracy of a channel's rate
//! limit. `history`: the history query's latency over a large seeded history.

mod harness;
mod history;
mod outbox;

pub use history::{history, HistoryOptions};
pub use outbox::{outbox, OutboxOptions};

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::app::App;
use crate::config::Config;
use crate::crypto::Secret;
use crate::fakes::meta::{hub_signature, meta_json};

pub struct IngestOptions {
    /// `None`: a fresh SQLite file in a temporary folder.
    pub database_url: Option<String>,
    pub messages: usize,
    pub concurrency: usize,
    pub subscribers: usize,
    pub latency_samples: usize,
}

const ADMIN: &str = "bench@switchboard.local";
const PASSWORD: &str = "Measure-Password-2026";
const APP_SECRET: &str = "bench-app-secret-0123456789abcdef";
const PNID: &str = "100000000000001";

async fn graphql(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let mut request = http
        .post(url)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body: Value = request.send().await?.json().await?;
    if body.get("errors").is_some() {
        bail!("GraphQL error: {}", body["errors"]);
    }
    Ok(body["data"].clone())
}

/// A signed Meta notification carrying one text message.
fn webhook(index: usize, text: &str) -> (Vec<u8>, String) {
    let customer = format!("3460000{:04}", index % 50);
    let payload = json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "100000000000002", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "15550000001", "phone_number_id": PNID },
            "contacts": [{ "profile": { "name": "Bench" }, "wa_id": customer }],
            "messages": [{ "from": customer, "id": format!("wamid.BENCH{index}"), "timestamp": chrono::Utc::now().timestamp().to_string(),
                           "type": "text", "text": { "body": text } }]
        } }] }]
    });
    let body = meta_json(&payload);
    let signature = hub_signature(APP_SECRET, &body);
    (body, signature)
}

async fn post_all(
    http: &reqwest::Client,
    url: &str,
    bodies: Vec<(Vec<u8>, String)>,
    concurrency: usize,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(bodies)
        .map(|(body, signature)| {
            let http = http.clone();
            async move {
                let status = http
                    .post(url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", signature)
                    .body(body)
                    .send()
                    .await?
                    .status();
                if !status.is_success() {
                    bail!("webhook answered {status}");
                }
                Ok(())
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    results.into_iter().collect::<anyhow::Result<()>>()?;
    Ok(started.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub async fn ingest(options: IngestOptions) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("a temporary folder")?;
    let database_url = options
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
    let backend = if database_url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let mut config = Config::for_tests(dir.path(), database_url);
    config.admin_email = Some(ADMIN.into());
    config.admin_password = Some(Secret::new(PASSWORD));
    config.login_max_failures_per_address = 10_000;
    let app = App::build(config).await?;
    let addr = app.local_addr();
    let server = tokio::spawn(app.run(futures::future::pending()));
    let base = format!("http://{addr}");
    let gql = format!("{base}/graphql");
    let http = reqwest::Client::new();

    let login =
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }";
    let admin = graphql(
        &http,
        &gql,
        None,
        login,
        json!({ "e": ADMIN, "p": PASSWORD }),
    )
    .await?;
    let admin = admin["login"]["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    graphql(&http, &gql, Some(&admin), "mutation { createTenant(input: { name: \"Bench\", ownerEmail: \"owner@bench.test\", ownerPassword: \"Measure-Tenant-2026\" }) { id } }", json!({})).await?;
    let owner = graphql(
        &http,
        &gql,
        None,
        login,
        json!({ "e": "owner@bench.test", "p": "Measure-Tenant-2026" }),
    )
    .await?;
    let owner = owner["login"]["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let channel = graphql(
        &http,
        &gql,
        Some(&owner),
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { webhookUrl } }",
        json!({ "i": { "name": "Bench", "provider": "META", "phoneNumber": "+15550000001",
                       "meta": { "accessToken": "bench-access-token-0123", "appSecret": APP_SECRET, "phoneNumberId": PNID, "businessAccountId": "100000000000002" } } }),
    )
    .await?;
    let hook = channel["createChannel"]["webhookUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // Baseline: a bare axum route reading the same bodies.
    let baseline = axum::Router::new().route(
        "/hook",
        axum::routing::post(|body: axum::body::Bytes| async move { body.len().to_string() }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let baseline_url = format!("http://{}/hook", listener.local_addr()?);
    let baseline_server = tokio::spawn(async move { axum::serve(listener, baseline).await });
    let bodies = |offset: usize| {
        (0..options.messages)
            .map(|i| webhook(offset + i, "throughput"))
            .collect::<Vec<_>>()
    };
    post_all(&http, &baseline_url, bodies(0), options.concurrency).await?;
    let bare = post_all(&http, &baseline_url, bodies(0), options.concurrency).await?;
    let stored = post_all(&http, &hook, bodies(0), options.concurrency).await?;
    let replayed = post_all(&http, &hook, bodies(0), options.concurrency).await?;

    // Latency to live subscribers.
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, Instant)>();
    let mut subscribers = Vec::new();
    for _ in 0..options.subscribers {
        let mut request = format!("ws://{addr}/graphql/ws").into_client_request()?;
        request
            .headers_mut()
            .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
        let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {owner}") } });
        socket.send(Message::text(init.to_string())).await?;
        socket.next().await;
        let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { messageEvents { message { text } } }" } });
        socket.send(Message::text(sub.to_string())).await?;
        let tx = tx.clone();
        subscribers.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let Ok(text) = message.to_text() else {
                    continue;
                };
                let Ok(value) = serde_json::from_str::<Value>(text) else {
                    continue;
                };
                let body = value["payload"]["data"]["messageEvents"]["message"]["text"]
                    .as_str()
                    .unwrap_or_default();
                if let Some(index) = body.strip_prefix("latency-").and_then(|i| i.parse().ok()) {
                    let _ = tx.send((index, Instant::now()));
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut latencies = Vec::with_capacity(options.latency_samples * options.subscribers);
    let mut sent_at: HashMap<usize, Instant> = HashMap::new();
    for sample in 0..options.latency_samples {
        let index = options.messages + sample;
        let (body, signature) = webhook(index, &format!("latency-{index}"));
        sent_at.insert(index, Instant::now());
        post_all(&http, &hook, vec![(body, signature)], 1).await?;
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut got = 0;
        while got < options.subscribers {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(remaining, rx.recv()).await {
                Ok(Some((i, at))) => {
                    if let Some(start) = sent_at.get(&i) {
                        latencies.push(at.duration_since(*start));
                        got += 1;
                    }
                }
                _ => {
                    bail!("subscribers did not all receive message {index} within 5 s ({got} did)")
                }
            }
        }
    }
    latencies.sort();
    for s in subscribers {
        s.abort();
    }
    baseline_server.abort();
    server.abort();

    let rate = |d: Duration| options.messages as f64 / d.as_secs_f64();
    println!(
        "switchboard bench ingest — {backend}, {} webhooks, concurrency {}",
        options.messages, options.concurrency
    );
    println!(
        "  bare axum baseline            {:>9.0} requests/s",
        rate(bare)
    );
    println!(
        "  webhooks verified and stored  {:>9.0} messages/s",
        rate(stored)
    );
    println!(
        "  replays acknowledged (no-op)  {:>9.0} messages/s",
        rate(replayed)
    );
    println!(
        "  webhook → subscriber latency  p50 {:.1} ms, p99 {:.1} ms ({} subscribers, {} samples)",
        percentile(&latencies, 50.0).as_secs_f64() * 1000.0,
        percentile(&latencies, 99.0).as_secs_f64() * 1000.0,
        options.subscribers,
        options.latency_samples
    );
    Ok(())
}
