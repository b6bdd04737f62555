//! `switchboard bench`: measured figures on SQLite or PostgreSQL. `ingest` (here): signed
//! webhooks persisted per second end to end, and the webhook-to-subscriber latency with many
//! live subscribers, beside a bare axum server answering the same requests as the baseline.
//! `outbox`: sends per second through the outbox and the accuracy of a channel's rate
//! limit. `history`: the history query's latency over a large seeded history.

mod all;
pub mod cli;
mod fairness;
mod harness;
mod history;
mod ingest;
mod memory;
mod outbox;
mod report;
mod target;
mod ws;

pub use all::{all, AllOptions};
pub use history::HistoryOptions;
pub use ingest::IngestOptions;
pub use outbox::OutboxOptions;
pub use target::Target;

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::bail;
use futures::StreamExt;
use serde_json::{json, Value};

use crate::fakes::meta::{hub_signature, meta_json};
use harness::Harness;
use report::Figure;

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

/// A signed Meta notification carrying one text message to the bench's first number.
fn webhook(index: usize, text: &str) -> (Vec<u8>, String) {
    webhook_to(PNID, index, text)
}

/// A signed Meta notification to the number `pnid` from customer `34600000000 + index % 50`.
fn webhook_to(pnid: &str, index: usize, text: &str) -> (Vec<u8>, String) {
    let customer = format!("3460000{:04}", index % 50);
    let payload = json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "100000000000002", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "15550000001", "phone_number_id": pnid },
            "contacts": [{ "profile": { "name": "Bench" }, "wa_id": customer }],
            "messages": [{ "from": customer, "id": format!("wamid.BENCH{index}"), "timestamp": chrono::Utc::now().timestamp().to_string(),
                           "type": "text", "text": { "body": text } }]
        } }] }]
    });
    let body = meta_json(&payload);
    let signature = hub_signature(APP_SECRET, &body);
    (body, signature)
}

/// Deliveries of a webhook refused as busy (503) before a bench gives up.
const BUSY_TRIES: usize = 30;

/// Posts signed Meta webhooks, `concurrency` at a time; a webhook refused as busy is
/// delivered again after a second. Answers the time taken.
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
                // Refused while the ingest queue is full, delivered again as Meta does.
                for _ in 0..BUSY_TRIES {
                    let status = http
                        .post(url)
                        .header("content-type", "application/json")
                        .header("x-hub-signature-256", &signature)
                        .body(body.clone())
                        .send()
                        .await?
                        .status();
                    match status.as_u16() {
                        200..=299 => return Ok(()),
                        503 => tokio::time::sleep(Duration::from_secs(1)).await,
                        _ => bail!("webhook answered {status}"),
                    }
                }
                bail!("webhook refused as busy {BUSY_TRIES} times")
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

/// Runs one measurement on a fresh database of `database_url`'s kind (the URL itself for
/// PostgreSQL, which must name an empty database) and prints its table.
async fn single<F, Fut>(database_url: Option<String>, title: &str, measure: F) -> anyhow::Result<()>
where
    F: FnOnce(Harness) -> Fut,
    Fut: Future<Output = anyhow::Result<Vec<Figure>>>,
{
    single_with(database_url, |_| {}, title, measure).await
}

/// As [`single`], with `adjust` applied to the server's settings.
async fn single_with<F, Fut>(
    database_url: Option<String>,
    adjust: impl FnOnce(&mut crate::config::Config),
    title: &str,
    measure: F,
) -> anyhow::Result<()>
where
    F: FnOnce(Harness) -> Fut,
    Fut: Future<Output = anyhow::Result<Vec<Figure>>>,
{
    let h = Harness::start_with(database_url, adjust).await?;
    let backend = h.backend;
    let figures = measure(h).await?;
    println!(
        "{}",
        report::table(&format!("{title} — {backend}"), &figures)
    );
    Ok(())
}

pub async fn ingest(options: IngestOptions) -> anyhow::Result<()> {
    let batch = options.ingest_batch;
    single_with(
        options.database_url.clone(),
        |config| {
            if let Some(batch) = batch {
                config.ingest_batch = batch;
            }
        },
        "switchboard bench ingest",
        |h| async move { ingest::measure(&h, &options).await },
    )
    .await
}

pub async fn outbox(options: OutboxOptions) -> anyhow::Result<()> {
    single(
        options.database_url.clone(),
        "switchboard bench outbox",
        |h| async move { outbox::measure(&h, &options).await },
    )
    .await
}

pub async fn history(options: HistoryOptions) -> anyhow::Result<()> {
    single(
        options.database_url.clone(),
        "switchboard bench history",
        |h| async move { history::measure(&h, &options).await },
    )
    .await
}
