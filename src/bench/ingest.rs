//! Signed webhooks persisted per second beside a bare axum route answering the same
//! requests, and webhook-to-subscriber latency under half that load with many live GraphQL
//! subscribers, beside a bare axum route that hands each body to a tokio broadcast feeding
//! plain WebSockets (the least any server must do to move a webhook to a socket).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::ws::{Message as AxumMessage, WebSocketUpgrade};
use axum::extract::State;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc, Semaphore};

use super::harness::Harness;
use super::report::{ms, Figure};
use super::ws::{self, Socket};
use super::{percentile, post_all, webhook, PNID};

pub struct IngestOptions {
    /// `None`: a fresh SQLite file in a temporary folder.
    pub database_url: Option<String>,
    pub messages: usize,
    pub concurrency: usize,
    pub subscribers: usize,
    pub latency_samples: usize,
    /// The server's `SWITCHBOARD_INGEST_BATCH`, when not its default (1: a transaction per
    /// webhook, for comparison).
    pub ingest_batch: Option<usize>,
}

const EVENTS: &str = "subscription { messageEvents { message { text } } }";

/// The text of a subscription event or of the baseline's broadcast (same shape).
fn event_text(value: &Value) -> Option<&str> {
    value["payload"]["data"]["messageEvents"]["message"]["text"].as_str()
}

/// Reads `socket` until it ends, reporting each latency marker's arrival.
fn listen(mut socket: Socket, tx: mpsc::UnboundedSender<(usize, Instant)>) {
    tokio::spawn(async move {
        while let Some(text) = ws::next_text(&mut socket).await {
            let at = Instant::now();
            // Most frames are the background load's: only the marked ones are parsed, so
            // the clients (on the same cores) take as little from the server as they can.
            if !text.contains("latency-") {
                continue;
            }
            let value: Value = serde_json::from_str(&text).unwrap_or_default();
            let index = event_text(&value)
                .and_then(|t| t.strip_prefix("latency-"))
                .and_then(|i| i.parse().ok());
            if let Some(index) = index {
                if tx.send((index, at)).is_err() {
                    break;
                }
            }
        }
    });
}

/// The bare baseline: `/hook` reads the webhook's text and broadcasts it in the shape of a
/// subscription event; `/ws` forwards the broadcast to a plain WebSocket.
async fn bare_server() -> anyhow::Result<(String, String, tokio::task::JoinHandle<()>)> {
    let (events, _) = broadcast::channel::<String>(65_536);
    let router = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |State(events): State<broadcast::Sender<String>>, body: axum::body::Bytes| async move {
                    let value: Value = serde_json::from_slice(&body).unwrap_or_default();
                    let text = &value["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"];
                    let event = json!({ "type": "next", "id": "1", "payload": { "data": { "messageEvents": { "message": { "text": text } } } } });
                    let _ = events.send(event.to_string());
                    "ok"
                },
            ),
        )
        .route(
            "/ws",
            axum::routing::get(
                |State(events): State<broadcast::Sender<String>>, upgrade: WebSocketUpgrade| async move {
                    upgrade.on_upgrade(move |mut socket| async move {
                        let mut rx = events.subscribe();
                        while let Ok(event) = rx.recv().await {
                            if socket.send(AxumMessage::text(event)).await.is_err() {
                                break;
                            }
                        }
                    })
                },
            ),
        )
        .with_state(events);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((
        format!("http://{addr}/hook"),
        format!("ws://{addr}/ws"),
        server,
    ))
}

/// Webhook-to-subscriber latencies under `rate` webhooks per second of background load:
/// every 20 ms a marked webhook is posted and its arrival at each subscriber timed.
/// Answers the sorted latencies and how many deliveries never arrived within 10 s.
async fn latencies(
    http: &reqwest::Client,
    hook: &str,
    sockets: Vec<Socket>,
    rate: f64,
    samples: usize,
    offset: usize,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let subscribers = sockets.len();
    let (tx, mut rx) = mpsc::unbounded_channel();
    for socket in sockets {
        listen(socket, tx.clone());
    }
    drop(tx);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The background load, paced in 10 ms steps, at most 128 requests in flight (half the
    // tenant's ingest queue, so the marked webhooks find room).
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (http, hook, stop) = (http.clone(), hook.to_owned(), stop.clone());
        tokio::spawn(async move {
            let in_flight = Arc::new(Semaphore::new(128));
            let started = Instant::now();
            let mut sent = 0usize;
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                tick.tick().await;
                let due = (started.elapsed().as_secs_f64() * rate) as usize;
                while sent < due {
                    let Ok(permit) = in_flight.clone().acquire_owned().await else {
                        return;
                    };
                    let body = webhook(offset + 1_000_000 + sent, "load");
                    let (http, hook) = (http.clone(), hook.clone());
                    tokio::spawn(async move {
                        let _ = post_all(&http, &hook, vec![body], 1).await;
                        drop(permit);
                    });
                    sent += 1;
                }
            }
        })
    };

    let sent_at: Arc<Mutex<HashMap<usize, Instant>>> = Arc::default();
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let mut posts = Vec::with_capacity(samples);
    for sample in 0..samples {
        tick.tick().await;
        let index = offset + sample;
        let body = webhook(index, &format!("latency-{index}"));
        let (http, hook, sent_at) = (http.clone(), hook.to_owned(), sent_at.clone());
        posts.push(tokio::spawn(async move {
            if let Ok(mut map) = sent_at.lock() {
                map.insert(index, Instant::now());
            }
            post_all(&http, &hook, vec![body], 1).await
        }));
    }
    let expected = samples * subscribers;
    let mut arrivals = Vec::with_capacity(expected);
    let deadline = Instant::now() + Duration::from_secs(10);
    while arrivals.len() < expected {
        let remaining = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(remaining, rx.recv()).await {
            Ok(Some(arrival)) => arrivals.push(arrival),
            _ => break,
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    load.await.ok();
    for post in posts {
        post.await.context("a marked webhook")??;
    }
    let sent_at = sent_at
        .lock()
        .map_err(|_| anyhow::anyhow!("the send times were poisoned"))?;
    let mut latencies: Vec<Duration> = arrivals
        .iter()
        .filter_map(|(i, at)| sent_at.get(i).map(|s| at.saturating_duration_since(*s)))
        .collect();
    latencies.sort();
    let missed = expected.saturating_sub(latencies.len());
    Ok((latencies, missed))
}

pub async fn measure(h: &Harness, o: &IngestOptions) -> anyhow::Result<Vec<Figure>> {
    let channel = h.meta_channel("+15550000001", PNID, 80).await?;
    let hook = channel.webhook;
    let (bare_hook, bare_ws, bare) = bare_server().await?;
    let bodies = |offset: usize| {
        (0..o.messages)
            .map(|i| webhook(offset + i, "throughput"))
            .collect::<Vec<_>>()
    };
    post_all(&h.http, &bare_hook, bodies(0), o.concurrency).await?;
    let bare_time = post_all(&h.http, &bare_hook, bodies(0), o.concurrency).await?;
    let stored_time = post_all(&h.http, &hook, bodies(0), o.concurrency).await?;
    let replay_time = post_all(&h.http, &hook, bodies(0), o.concurrency).await?;
    let rate = |d: Duration| o.messages as f64 / d.as_secs_f64().max(f64::EPSILON);
    let stored = rate(stored_time);

    let load = stored / 2.0;
    let mut sockets = Vec::with_capacity(o.subscribers);
    for _ in 0..o.subscribers {
        sockets.push(ws::subscribe(h.addr, &h.owner, EVENTS).await?);
    }
    let (ours, missed) = latencies(
        &h.http,
        &hook,
        sockets,
        load,
        o.latency_samples,
        o.messages + 10_000,
    )
    .await?;
    let mut sockets = Vec::with_capacity(o.subscribers);
    for _ in 0..o.subscribers {
        sockets.push(ws::plain(&bare_ws).await?);
    }
    let (base, base_missed) = latencies(
        &h.http,
        &bare_hook,
        sockets,
        load,
        o.latency_samples,
        o.messages + 20_000,
    )
    .await?;
    bare.abort();

    let how = format!(
        "{} subscribers over graphql-transport-ws, {:.0} webhooks/s of background load (half the stored rate), {} marked webhooks 20 ms apart; {missed} deliveries missed (baseline {base_missed}); baseline: bare axum route → tokio broadcast → plain WebSockets at the same load",
        o.subscribers, load, o.latency_samples
    );
    Ok(vec![
        Figure::new("signed webhooks stored", stored, "/s")
            .baseline(rate(bare_time), "bare axum")
            .aim("≥ 10,000 /s and ≥ 0.3×")
            .note(format!(
                "{} webhooks, {} concurrent; replays (no-ops) {:.0} /s",
                o.messages,
                o.concurrency,
                rate(replay_time)
            )),
        Figure::new(
            "webhook → subscriber p50",
            ms(percentile(&ours, 50.0)),
            "ms",
        )
        .baseline(ms(percentile(&base, 50.0)), "bare + broadcast")
        .note(how),
        Figure::new(
            "webhook → subscriber p99",
            ms(percentile(&ours, 99.0)),
            "ms",
        )
        .baseline(ms(percentile(&base, 99.0)), "bare + broadcast")
        .aim("≤ 10 ms"),
    ])
}
