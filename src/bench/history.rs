//! `switchboard bench history`: seeds a large message history with batched inserts into a
//! fresh database (real contacts and conversations made through webhooks, messages spread
//! over them and over a year), then times the GraphQL `messages` query over HTTP for the
//! first page, a deep page by cursor, and each filter.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionTrait};
use serde_json::{json, Value};
use uuid::Uuid;

use super::harness::Harness;
use super::percentile;
use crate::domain::MessageContent;
use crate::fakes::meta::FakeInbound;
use crate::graphql::connection::encode_cursor;
use crate::store::entities::message;
use crate::store::Store;

pub struct HistoryOptions {
    /// `None`: a fresh SQLite file in a temporary folder.
    pub database_url: Option<String>,
    pub messages: usize,
    pub channels: usize,
    /// Customers per channel.
    pub contacts: usize,
    /// Timed runs per case.
    pub runs: usize,
    /// Messages per page.
    pub page: usize,
}

const WORDS: [&str; 16] = [
    "hello", "order", "delivery", "thanks", "tomorrow", "payment", "address", "please", "status",
    "refund", "ticket", "shipping", "question", "today", "morning", "great",
];
/// One message in 200 mentions it, capitalised, for the case-insensitive search.
const RARE_WORD: &str = "Invoice";
const BATCH: usize = 1000;
const SPREAD_DAYS: i64 = 365;

/// Channel, contact and conversation of one real conversation.
#[derive(Clone)]
struct Thread {
    channel: Uuid,
    contact: Uuid,
    conversation: Uuid,
}

/// A small deterministic generator, so every run seeds the same history.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn uuid_of(value: &Value) -> anyhow::Result<Uuid> {
    value
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .with_context(|| format!("not an id: {value}"))
}

/// Real contacts and conversations: each customer writes once to each channel.
async fn threads(h: &Harness, channels: usize, contacts: usize) -> anyhow::Result<Vec<Thread>> {
    for c in 0..channels {
        let pnid = format!("2000000000000{c:02}");
        let channel = h
            .meta_channel(&format!("+1555100{c:04}"), &pnid, 80)
            .await?;
        for i in 0..contacts {
            let delivered = h
                .meta
                .deliver_inbound(
                    &channel.webhook,
                    &pnid,
                    &FakeInbound::text(&format!("3470{i:07}"), "hello"),
                )
                .await
                .context("delivering an inbound message")?;
            if delivered.status != 200 {
                bail!("the Meta webhook answered {}", delivered.status);
            }
        }
    }
    let mut found = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = h
            .query(
                "query($a: String) { conversations(first: 100, after: $a) { edges { cursor node { id channel { id } contact { id } } } pageInfo { hasNextPage } } }",
                json!({ "a": after }),
            )
            .await?;
        let conversations = &page["conversations"];
        for edge in conversations["edges"].as_array().into_iter().flatten() {
            let node = &edge["node"];
            found.push(Thread {
                channel: uuid_of(&node["channel"]["id"])?,
                contact: uuid_of(&node["contact"]["id"])?,
                conversation: uuid_of(&node["id"])?,
            });
            after = edge["cursor"].as_str().map(str::to_owned);
        }
        if conversations["pageInfo"]["hasNextPage"] != true {
            break;
        }
    }
    if found.is_empty() {
        bail!("no conversations to seed");
    }
    Ok(found)
}

/// Inserts `total` messages, oldest first, evenly over the last year; answers their ids in
/// that order.
async fn seed(
    store: &Store,
    tenant: Uuid,
    threads: &[Thread],
    total: usize,
) -> anyhow::Result<Vec<Uuid>> {
    let mut rng = Lcg(0x5eed);
    let now = Utc::now();
    let start = now - chrono::Duration::days(SPREAD_DAYS);
    let step = chrono::Duration::days(SPREAD_DAYS)
        .num_microseconds()
        .unwrap_or(1)
        / total.max(1) as i64;
    let mut ids = Vec::with_capacity(total);
    let mut done = 0;
    while done < total {
        let count = BATCH.min(total - done);
        let mut rows = Vec::with_capacity(count);
        for i in done..done + count {
            let created: DateTime<Utc> = start + chrono::Duration::microseconds(step * i as i64);
            let id = Uuid::new_v7(uuid::Timestamp::from_unix(
                uuid::NoContext,
                created.timestamp() as u64,
                created.timestamp_subsec_nanos(),
            ));
            ids.push(id);
            let thread = &threads[rng.next() as usize % threads.len()];
            let outbound = rng.next() % 2 == 0;
            let roll = rng.next() % 1000;
            let status = match (outbound, roll) {
                (false, _) => "RECEIVED",
                (true, 0..=9) => "FAILED",
                (true, 10..=109) => "SENT",
                (true, 110..=409) => "DELIVERED",
                (true, _) => "READ",
            };
            let mut body: Vec<&str> = (0..6)
                .map(|_| WORDS[rng.next() as usize % WORDS.len()])
                .collect();
            if rng.next() % 200 == 0 {
                body.push(RARE_WORD);
            }
            let content = MessageContent::Text {
                body: body.join(" "),
                preview_url: false,
            };
            let failed = status == "FAILED";
            rows.push(message::ActiveModel {
                tenant_id: Set(tenant),
                id: Set(id),
                revision: Set(id),
                channel_id: Set(thread.channel),
                conversation_id: Set(Some(thread.conversation)),
                contact_id: Set(thread.contact),
                direction: Set(if outbound { "OUTBOUND" } else { "INBOUND" }.to_owned()),
                status: Set(status.to_owned()),
                provider_message_id: Set(Some(format!("wamid.SEED{i}"))),
                kind: Set(content.kind().to_owned()),
                text: Set(content.text().map(str::to_owned)),
                content: Set(serde_json::to_string(&content)?),
                reply_to_provider_id: Set(None),
                forwarded: Set(false),
                referral: Set(None),
                error_code: Set(failed.then(|| "131026".to_owned())),
                error_message: Set(failed.then(|| "Message undeliverable".to_owned())),
                sent_at: Set(created),
                idempotency_key: Set(None),
                split_of: Set(None),
                part_number: Set(1),
                part_count: Set(1),
                created_at: Set(created),
                updated_at: Set(created),
            });
        }
        let txn = store.connection().begin().await?;
        message::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        done += count;
    }
    Ok(ids)
}

const FIELDS: &str = "edges { cursor node { id direction status text createdAt lastError { code message } statusHistory { status at } attempts { number outcome } } } pageInfo { hasNextPage }";

struct Case {
    name: String,
    filter: Value,
    after: Option<String>,
}

pub async fn history(options: HistoryOptions) -> anyhow::Result<()> {
    let h = Harness::start(options.database_url.clone()).await?;
    let me = h.query("{ me { tenant { id } } }", json!({})).await?;
    let tenant = uuid_of(&me["me"]["tenant"]["id"])?;
    let threads = threads(&h, options.channels.max(1), options.contacts.max(1)).await?;
    let store = Store::connect(&h.database_url)
        .await
        .context("connecting to the database")?;
    let seeding = Instant::now();
    let ids = seed(&store, tenant, &threads, options.messages).await?;
    let seeded = seeding.elapsed();
    if h.backend == "PostgreSQL" {
        // What autovacuum does shortly after a bulk load.
        store
            .connection()
            .execute_unprepared("ANALYZE messages")
            .await?;
    }

    let day = |days_ago: i64| (Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339();
    let thread = &threads[0];
    let mut cases = vec![
        Case {
            name: "newest page".into(),
            filter: json!({}),
            after: None,
        },
        Case {
            name: "deep page (cursor in the middle)".into(),
            filter: json!({}),
            after: ids.get(ids.len() / 2).map(|id| encode_cursor("msg", *id)),
        },
        Case {
            name: "by channel".into(),
            filter: json!({ "channelId": thread.channel }),
            after: None,
        },
        Case {
            name: "by contact (a contact's history)".into(),
            filter: json!({ "contactId": thread.contact }),
            after: None,
        },
        Case {
            name: "by conversation".into(),
            filter: json!({ "conversationId": thread.conversation }),
            after: None,
        },
        Case {
            name: "status FAILED (0.5 %)".into(),
            filter: json!({ "status": "FAILED" }),
            after: None,
        },
        Case {
            name: "direction OUTBOUND".into(),
            filter: json!({ "direction": "OUTBOUND" }),
            after: None,
        },
        Case {
            name: "one day, 6 months ago".into(),
            filter: json!({ "from": day(183), "to": day(182) }),
            after: None,
        },
        Case {
            name: "channel + FAILED + 30 days".into(),
            filter: json!({ "channelId": thread.channel, "status": "FAILED", "from": day(120), "to": day(90) }),
            after: None,
        },
        Case {
            name: "text \"invoice\" (0.5 %)".into(),
            filter: json!({ "text": "invoice" }),
            after: None,
        },
        Case {
            name: "text \"invoice\" + contact".into(),
            filter: json!({ "text": "invoice", "contactId": thread.contact }),
            after: None,
        },
    ];
    cases.retain(|c| c.name != "deep page (cursor in the middle)" || c.after.is_some());

    let query = format!(
        "query($f: MessageFilter, $n: Int, $a: String) {{ messages(filter: $f, first: $n, after: $a) {{ {FIELDS} }} }}"
    );
    let mut results = Vec::new();
    for case in &cases {
        let variables = json!({ "f": case.filter, "n": options.page, "a": case.after });
        let mut rows = 0;
        for _ in 0..3 {
            h.query(&query, variables.clone()).await?;
        }
        let mut times = Vec::with_capacity(options.runs);
        for _ in 0..options.runs.max(1) {
            let started = Instant::now();
            let page = h.query(&query, variables.clone()).await?;
            times.push(started.elapsed());
            rows = page["messages"]["edges"].as_array().map_or(0, Vec::len);
        }
        times.sort();
        results.push((case.name.clone(), rows, times));
    }

    println!(
        "switchboard bench history — {}, {} messages over {} conversations ({} channels × {} contacts), seeded in {:.1} s",
        h.backend,
        options.messages,
        threads.len(),
        options.channels,
        options.contacts,
        seeded.as_secs_f64()
    );
    println!(
        "  GraphQL messages(first: {}) over HTTP with statusHistory, attempts and lastError; {} runs per case",
        options.page, options.runs
    );
    println!(
        "  {:<36} {:>5} {:>10} {:>10}",
        "case", "rows", "p50 ms", "p99 ms"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for (name, rows, times) in results {
        println!(
            "  {name:<36} {rows:>5} {:>10.2} {:>10.2}",
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 99.0))
        );
    }
    Ok(())
}
