//! Tenant fairness: a second tenant's p99 for a webhook's stored acknowledgement and for
//! `sendMessage` → SENT, first on a quiet server (the baseline), then while the first
//! tenant floods it with webhooks and a large outbox backlog (a campaign's worth of QUEUED
//! messages).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use futures::StreamExt;
use serde_json::json;

use super::harness::{BenchChannel, Harness};
use super::report::{ms, Figure};
use super::ws::{self, Socket};
use super::{outbox, percentile, post_all, webhook_to};
use crate::domain::channel::MAX_MESSAGES_PER_SECOND;

pub struct FairnessOptions {
    /// Probes (one webhook and one send each) per phase.
    pub samples: usize,
    /// QUEUED messages of the flooding tenant.
    pub backlog: usize,
    /// Concurrent webhooks of the flooding tenant.
    pub flood_concurrency: usize,
}

const A_PNID: &str = "300000000000001";
const B_PNID: &str = "300000000000002";
/// A probe's send waits this long for SENT before it counts as this slow.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// A phase ends after this long even with probes left.
const PHASE_BUDGET: Duration = Duration::from_secs(60);
const SEND: &str = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }";
const EVENTS: &str =
    "subscription($c: ID) { messageEvents(channelId: $c) { message { id status } } }";

struct Probe {
    ack: Vec<Duration>,
    sent: Vec<Duration>,
    timeouts: usize,
}

/// Waits on `socket` until message `id` is reported SENT (or later).
async fn sent(socket: &mut Socket, id: &str) -> bool {
    while let Some(value) = ws::next_json(socket).await {
        let message = &value["payload"]["data"]["messageEvents"]["message"];
        if message["id"] == id
            && matches!(
                message["status"].as_str(),
                Some("SENT" | "DELIVERED" | "READ")
            )
        {
            return true;
        }
    }
    false
}

/// Tenant B's probes: a webhook timed to its 200, then a `sendMessage` timed to SENT.
async fn probe(
    h: &Harness,
    token: &str,
    channel: &BenchChannel,
    socket: &mut Socket,
    samples: usize,
    offset: usize,
) -> anyhow::Result<Probe> {
    let mut result = Probe {
        ack: Vec::new(),
        sent: Vec::new(),
        timeouts: 0,
    };
    let started = Instant::now();
    for i in 0..samples {
        if started.elapsed() > PHASE_BUDGET {
            break;
        }
        let body = webhook_to(B_PNID, offset + i, "probe");
        let at = Instant::now();
        post_all(&h.http, &channel.webhook, vec![body], 1).await?;
        result.ack.push(at.elapsed());

        let at = Instant::now();
        let created = h
            .query_as(token, SEND, json!({ "i": { "channelId": channel.id, "to": "+34600000000", "content": { "text": { "body": format!("Probe {i}") } } } }))
            .await?;
        let Some(id) = created["sendMessage"]["id"].as_str() else {
            bail!("sendMessage answered {created}");
        };
        match tokio::time::timeout(SEND_TIMEOUT, sent(socket, id)).await {
            Ok(true) => result.sent.push(at.elapsed()),
            Ok(false) => bail!("the subscription ended"),
            Err(_) => {
                result.timeouts += 1;
                result.sent.push(SEND_TIMEOUT);
            }
        }
    }
    result.ack.sort();
    result.sent.sort();
    Ok(result)
}

pub async fn measure(h: &Harness, o: &FairnessOptions) -> anyhow::Result<Vec<Figure>> {
    let a = h
        .meta_channel("+15550000011", A_PNID, MAX_MESSAGES_PER_SECOND)
        .await?;
    let b_token = h.tenant("Other", "owner@other.test").await?;
    let b = h
        .meta_channel_as(&b_token, "+15550000012", B_PNID, MAX_MESSAGES_PER_SECOND)
        .await?;
    // B's customer writes first, so B's window is open at the server and at the fake.
    post_all(&h.http, &b.webhook, vec![webhook_to(B_PNID, 0, "hello")], 1).await?;
    h.meta.open_window(B_PNID, "34600000000");
    let mut socket = subscribe_with(h, &b_token, json!({ "c": b.id })).await?;

    let quiet = probe(h, &b_token, &b, &mut socket, o.samples, 1_000).await?;

    let customers = o.backlog.clamp(1, 100);
    outbox::meta_customers(h, &a, A_PNID, customers, 500_000).await?;
    outbox::enqueue(h, &a.id, "+3460", o.backlog).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let flood = {
        let (http, hook, stop) = (h.http.clone(), a.webhook.clone(), stop.clone());
        let concurrency = o.flood_concurrency.max(1);
        tokio::spawn(async move {
            let mut sent = 0usize;
            let bodies = futures::stream::iter(0..)
                .take_while(|_| futures::future::ready(!stop.load(Ordering::Relaxed)))
                .map(|i| {
                    let (http, hook) = (http.clone(), hook.clone());
                    async move {
                        post_all(
                            &http,
                            &hook,
                            vec![webhook_to(A_PNID, 2_000_000 + i, "flood")],
                            1,
                        )
                        .await
                        .is_ok()
                    }
                })
                .buffer_unordered(concurrency);
            futures::pin_mut!(bodies);
            while let Some(ok) = bodies.next().await {
                sent += usize::from(ok);
            }
            sent
        })
    };
    let flood_started = Instant::now();
    let loaded = probe(h, &b_token, &b, &mut socket, o.samples, 3_000).await;
    stop.store(true, Ordering::Relaxed);
    let flooded = flood.await.unwrap_or_default();
    let flood_time = flood_started.elapsed();
    let loaded = loaded?;

    let note = format!(
        "tenant B probes one webhook then one sendMessage at a time ({} probes quiet, {} during the flood); flood: tenant A's {} QUEUED messages plus {} concurrent webhooks ({:.0} /s acknowledged); sends not SENT within {} s count as {} s ({} quiet, {} flooded)",
        quiet.ack.len(),
        loaded.ack.len(),
        o.backlog,
        o.flood_concurrency,
        flooded as f64 / flood_time.as_secs_f64().max(f64::EPSILON),
        SEND_TIMEOUT.as_secs(),
        SEND_TIMEOUT.as_secs(),
        quiet.timeouts,
        loaded.timeouts
    );
    Ok(vec![
        Figure::new(
            "other tenant's webhook ack p99 during a flood",
            ms(percentile(&loaded.ack, 99.0)),
            "ms",
        )
        .baseline(ms(percentile(&quiet.ack, 99.0)), "without the flood")
        .aim("a bound, measured")
        .note(note),
        Figure::new(
            "other tenant's sendMessage → SENT p99 during a flood",
            ms(percentile(&loaded.sent, 99.0)),
            "ms",
        )
        .baseline(ms(percentile(&quiet.sent, 99.0)), "without the flood")
        .aim("a bound, measured"),
    ])
}

/// A subscription to `EVENTS` with `variables`.
async fn subscribe_with(
    h: &Harness,
    token: &str,
    variables: serde_json::Value,
) -> anyhow::Result<Socket> {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut socket = ws::initialised(h.addr, token).await?;
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": EVENTS, "variables": variables } });
    socket.send(Message::text(sub.to_string())).await?;
    Ok(socket)
}
