//! Outbox figures: messages per second from `sendMessage` (QUEUED) to SENT
//! through the real outbox worker and provider adapters to the in-process fake Meta and
//! Twilio with no effective rate limit, and how closely a channel's messages-per-second limit
//! holds, measured from the times the fake received the sends.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures::StreamExt;
use serde_json::json;

use super::harness::{BenchChannel, Harness};
use super::report::Figure;
use chrono::Utc;

use crate::domain::channel::MAX_MESSAGES_PER_SECOND;
use crate::domain::records::MessageRecord;
use crate::domain::{
    ChannelId, ContactId, Direction, MessageContent, MessageId, MessageStatus, TenantId,
};
use crate::fakes::meta::FakeInbound;
use crate::fakes::twilio::InboundParams;
use crate::store::{Store, TenantScope};

pub struct OutboxOptions {
    /// `None`: a fresh SQLite file in a temporary folder.
    pub database_url: Option<String>,
    /// Messages per provider for the throughput runs.
    pub messages: usize,
    /// Concurrent `sendMessage` calls.
    pub concurrency: usize,
    /// Customers the messages are spread over.
    pub contacts: usize,
    /// The channel limit whose accuracy is measured (messages per second).
    pub rate: u32,
    /// How long the limited channel sends at its steady rate, after its burst.
    pub rate_seconds: u32,
}

const SEND: &str = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }";
const QUEUED: &str = "query($c: ID!) { messages(filter: { channelId: $c, status: QUEUED }, first: 1) { edges { node { id } } } }";
const FAILED: &str = "query($c: ID!) { messages(filter: { channelId: $c, status: FAILED }, first: 1) { edges { node { lastError { code message } } } } }";

/// How many sends the outbox worker has in flight at most; the fake's ceiling is measured
/// with as many concurrent requests.
const WORKER_CONCURRENCY: usize = 32;

/// A request the fake received, to send again: path, headers and body.
type Replay = (String, Vec<(String, String)>, Vec<u8>);

/// The fake provider's own ceiling: the requests it received, replayed to it directly
/// (same paths, headers and bodies) `WORKER_CONCURRENCY` at a time; sends per second.
async fn ceiling(
    http: &reqwest::Client,
    base_url: &str,
    requests: Vec<Replay>,
) -> anyhow::Result<f64> {
    let count = requests.len();
    let base = base_url.trim_end_matches('/');
    let started = Instant::now();
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(requests)
        .map(|(path, headers, body)| async move {
            let mut request = http.post(format!("{base}{path}")).body(body);
            for (name, value) in headers {
                if name == "authorization" || name == "content-type" {
                    request = request.header(name, value);
                }
            }
            let status = request.send().await?.status();
            if !status.is_success() {
                bail!("the fake answered a replayed send {status}");
            }
            Ok(())
        })
        .buffer_unordered(WORKER_CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect::<anyhow::Result<()>>()?;
    Ok(per_second(count, started.elapsed()))
}

/// One run's figures.
struct Run {
    enqueue: Duration,
    /// From the first `sendMessage` until no message of the channel is QUEUED.
    to_sent: Duration,
    /// Receive times at the fake, sorted.
    received: Vec<Instant>,
}

/// Customers `+3460000000..` who each wrote to the Meta channel first, so its window is open.
pub(super) async fn meta_customers(
    h: &Harness,
    channel: &BenchChannel,
    phone_number_id: &str,
    count: usize,
    offset: usize,
) -> anyhow::Result<Vec<String>> {
    let mut customers = Vec::with_capacity(count);
    for i in 0..count {
        let wa_id = format!("3460{:07}", offset + i);
        // Refused while the ingest queue is full (503), delivered again as Meta does.
        let mut tries = 0;
        loop {
            let delivered = h
                .meta
                .deliver_inbound(
                    &channel.webhook,
                    phone_number_id,
                    &FakeInbound::text(&wa_id, "hello"),
                )
                .await
                .context("delivering an inbound message")?;
            match delivered.status {
                200 => break,
                503 if tries < super::BUSY_TRIES => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                status => bail!("the Meta webhook answered {status}"),
            }
        }
        customers.push(format!("+{wa_id}"));
    }
    Ok(customers)
}

async fn twilio_customers(
    h: &Harness,
    channel: &BenchChannel,
    account: &crate::fakes::twilio::FakeAccount,
    sender: &str,
    count: usize,
) -> anyhow::Result<Vec<String>> {
    let mut customers = Vec::with_capacity(count);
    for i in 0..count {
        let customer = format!("+3461{:07}", i);
        let params = InboundParams::text(&account.sid, &customer, sender, "hello");
        let delivered = h
            .twilio
            .deliver_inbound(&channel.webhook, &account.auth_token, &params)
            .await
            .context("delivering an inbound message")?;
        if delivered.status != 200 {
            bail!("the Twilio webhook answered {}", delivered.status);
        }
        customers.push(customer);
    }
    Ok(customers)
}

/// Sends `messages` through `channel`, spread over `customers`, and waits until they left.
async fn run(
    h: &Harness,
    channel: &str,
    customers: &[String],
    messages: usize,
    concurrency: usize,
    received: impl Fn() -> Vec<Instant>,
) -> anyhow::Result<Run> {
    let before = received().len();
    let started = Instant::now();
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(0..messages)
        .map(|i| {
            let to = &customers[i % customers.len()];
            async move {
                h.query(SEND, json!({ "i": { "channelId": channel, "to": to, "content": { "text": { "body": format!("Order {i} is on its way") } } } }))
                    .await
                    .map(|_| ())
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    results.into_iter().collect::<anyhow::Result<()>>()?;
    let enqueue = started.elapsed();
    let deadline =
        Instant::now() + Duration::from_secs(120) + Duration::from_millis(messages as u64 * 20);
    loop {
        let queued = h.query(QUEUED, json!({ "c": channel })).await?;
        let empty = queued["messages"]["edges"]
            .as_array()
            .is_some_and(|edges| edges.is_empty());
        if empty && received().len() >= before + messages {
            break;
        }
        if Instant::now() > deadline {
            bail!("the outbox did not send {messages} messages in time");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let to_sent = started.elapsed();
    let failed = h.query(FAILED, json!({ "c": channel })).await?;
    if let Some(edge) = failed["messages"]["edges"].get(0) {
        bail!("a message failed: {}", edge["node"]["lastError"]);
    }
    let mut times = received();
    times.sort();
    Ok(Run {
        enqueue,
        to_sent,
        received: times.split_off(before),
    })
}

fn per_second(count: usize, span: Duration) -> f64 {
    count as f64 / span.as_secs_f64().max(f64::EPSILON)
}

/// The most receive times within any window of `width`.
fn busiest(times: &[Instant], width: Duration) -> usize {
    let mut best = 0;
    let mut start = 0;
    for (end, t) in times.iter().enumerate() {
        while t.duration_since(times[start]) >= width {
            start += 1;
        }
        best = best.max(end + 1 - start);
    }
    best
}

/// The rate over the last `window` of sends: by then the bucket's initial burst is long
/// spent and the channel sends at its steady rate.
fn tail_rate(times: &[Instant], window: Duration) -> f64 {
    let Some(last) = times.last() else {
        return 0.0;
    };
    let count = times
        .iter()
        .filter(|t| last.duration_since(**t) < window)
        .count();
    per_second(count, window)
}

/// Stores `messages` QUEUED with their outbox jobs in one transaction, as `sendMessage`
/// does one by one, so the worker finds a backlog, addressed to the owner's contacts whose
/// numbers start with `phone_prefix`.
pub(super) async fn enqueue(
    h: &Harness,
    channel: &str,
    phone_prefix: &str,
    messages: usize,
) -> anyhow::Result<()> {
    let me = h.query("{ me { tenant { id } } }", json!({})).await?;
    let tenant: TenantId =
        uuid::Uuid::parse_str(me["me"]["tenant"]["id"].as_str().unwrap_or_default())
            .context("the tenant id")?
            .into();
    let channel: ChannelId = uuid::Uuid::parse_str(channel)
        .context("the channel id")?
        .into();
    let mut contacts: Vec<ContactId> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = h
            .query(
                "query($a: String) { contacts(first: 100, after: $a) { edges { cursor node { id phoneNumber } } pageInfo { hasNextPage } } }",
                json!({ "a": after }),
            )
            .await?;
        for edge in page["contacts"]["edges"].as_array().into_iter().flatten() {
            after = edge["cursor"].as_str().map(str::to_owned);
            let node = &edge["node"];
            let number = node["phoneNumber"].as_str().unwrap_or_default();
            if let (true, Some(id)) = (
                number.starts_with(phone_prefix),
                node["id"]
                    .as_str()
                    .and_then(|id| uuid::Uuid::parse_str(id).ok()),
            ) {
                contacts.push(id.into());
            }
        }
        if page["contacts"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
    }
    if contacts.is_empty() {
        bail!("no contacts for the backlog");
    }
    let store = Store::connect(&h.database_url)
        .await
        .context("connecting to the database")?;
    let now = Utc::now();
    let txn = store.begin_write().await?;
    let scope = TenantScope::new(&txn, tenant);
    for i in 0..messages {
        let record = MessageRecord {
            id: MessageId::new(),
            revision: uuid::Uuid::now_v7(),
            channel,
            conversation: None,
            contact: contacts[i % contacts.len()],
            direction: Direction::Outbound,
            status: MessageStatus::Queued,
            provider_message_id: None,
            content: MessageContent::Text {
                body: format!("Backlog {i}"),
                preview_url: false,
            },
            reply_to_provider_id: None,
            forwarded: false,
            referral: None,
            idempotency_key: None,
            error_code: None,
            error_message: None,
            part: crate::domain::records::Part::WHOLE,
            sent_at: now,
            created_at: now,
            updated_at: now,
        };
        scope.messages().insert(&record, &[], now).await?;
        scope
            .outbox()
            .enqueue(record.id, channel, None, now)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A backlog of `messages` (see [`enqueue`]); answers the time it took the worker to send
/// them all, and their receive times at the fake.
async fn backlog(
    h: &Harness,
    channel: &str,
    phone_prefix: &str,
    messages: usize,
    received: impl Fn() -> Vec<Instant>,
) -> anyhow::Result<(Duration, Vec<Instant>)> {
    let before = received().len();
    enqueue(h, channel, phone_prefix, messages).await?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(120) + Duration::from_millis(messages as u64 * 20);
    while received().len() < before + messages {
        if Instant::now() > deadline {
            bail!("the outbox did not drain {messages} messages in time");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    let mut times = received();
    times.sort();
    Ok((elapsed, times.split_off(before)))
}

pub async fn measure(h: &Harness, options: &OutboxOptions) -> anyhow::Result<Vec<Figure>> {
    let meta_requests = |pnid: &'static str| {
        let suffix = format!("/{pnid}/messages");
        let meta = &h.meta;
        move || {
            meta.requests()
                .into_iter()
                .filter(|r| r.method == "POST" && r.path.ends_with(&suffix))
                .map(|r| r.received_at)
                .collect::<Vec<_>>()
        }
    };
    let twilio_requests = || {
        h.twilio
            .requests_to("/Messages.json")
            .into_iter()
            .filter(|r| r.method == "POST")
            .map(|r| r.received_at)
            .collect::<Vec<_>>()
    };

    let fast = h
        .meta_channel("+15550000001", "100000000000001", MAX_MESSAGES_PER_SECOND)
        .await?;
    let customers = meta_customers(h, &fast, "100000000000001", options.contacts, 0).await?;
    let meta = run(
        h,
        &fast.id,
        &customers,
        options.messages,
        options.concurrency,
        meta_requests("100000000000001"),
    )
    .await?;
    let meta_backlog = backlog(
        h,
        &fast.id,
        "+3460",
        options.messages,
        meta_requests("100000000000001"),
    )
    .await?;
    let replay: Vec<_> = h
        .meta
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/100000000000001/messages"))
        .map(|r| (r.path, r.headers, r.raw_body))
        .collect();
    let meta_ceiling = ceiling(&h.http, h.meta.base_url(), replay).await?;

    let sender = "+15550000002";
    let (twilio_channel, account) = h.twilio_channel(sender, MAX_MESSAGES_PER_SECOND).await?;
    let customers =
        twilio_customers(h, &twilio_channel, &account, sender, options.contacts).await?;
    let twilio = run(
        h,
        &twilio_channel.id,
        &customers,
        options.messages,
        options.concurrency,
        twilio_requests,
    )
    .await?;
    let twilio_backlog = backlog(
        h,
        &twilio_channel.id,
        "+3461",
        options.messages,
        twilio_requests,
    )
    .await?;
    let replay: Vec<_> = h
        .twilio
        .requests_to("/Messages.json")
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| (r.path, r.headers, r.body))
        .collect();
    let twilio_ceiling = ceiling(&h.http, h.twilio.base_url(), replay).await?;

    let rate = options.rate.max(1);
    let burst = rate as usize;
    let limited = h
        .meta_channel("+15550000003", "100000000000003", rate)
        .await?;
    let customers = meta_customers(
        h,
        &limited,
        "100000000000003",
        options.contacts.min(10),
        options.contacts,
    )
    .await?;
    // Two seconds more than measured, so the measured window lies past the burst.
    let window = Duration::from_secs(u64::from(options.rate_seconds.max(1)));
    let sends = burst + (rate * (options.rate_seconds.max(1) + 2)) as usize;
    let paced = run(
        h,
        &limited.id,
        &customers,
        sends,
        options.concurrency,
        meta_requests("100000000000003"),
    )
    .await?;

    let how = format!(
        "{} messages per provider over {} customers, {} concurrent sendMessage; channels at the {MAX_MESSAGES_PER_SECOND}/s maximum; ceiling: the same requests replayed straight to the fake, {WORKER_CONCURRENCY} at a time (the worker's concurrency)",
        options.messages, options.contacts, options.concurrency
    );
    let mut figures = Vec::new();
    for (name, run, backlog, ceiling) in [
        ("Meta", &meta, &meta_backlog, meta_ceiling),
        ("Twilio", &twilio, &twilio_backlog, twilio_ceiling),
    ] {
        let first = figures.is_empty();
        let mut figure = Figure::new(
            format!("outbox sendMessage → SENT, fake {name}"),
            per_second(options.messages, run.to_sent),
            "/s",
        )
        .baseline(ceiling, "fake's ceiling")
        .aim("≥ 2,000 /s")
        .note(format!(
            "sendMessage alone {:.0} /s",
            per_second(options.messages, run.enqueue)
        ));
        if first {
            figure = figure.note(format!(
                "{how}; sendMessage alone {:.0} /s",
                per_second(options.messages, run.enqueue)
            ));
        }
        figures.push(figure);
        figures.push(
            Figure::new(
                format!("outbox backlog drained, fake {name}"),
                per_second(options.messages, backlog.0),
                "/s",
            )
            .baseline(ceiling, "fake's ceiling")
            .aim("≥ 2,000 /s"),
        );
    }
    let achieved = tail_rate(&paced.received, window);
    figures.push(
        Figure::new(format!("channel limit {rate}/s: sends at the fake"), achieved, "/s")
            .baseline(f64::from(rate), "configured")
            .aim("ratio 0.95–1.05")
            .note(format!(
                "{sends} sends; rate over the last {} s; busiest 1 s window {} sends (limit + a burst of up to {burst})",
                window.as_secs(),
                busiest(&paced.received, Duration::from_secs(1))
            )),
    );
    Ok(figures)
}
