//! History figures: seeds a large message history with batched inserts into a
//! fresh database (real contacts and conversations made through webhooks, messages spread
//! over them and over a year), then times the GraphQL `messages` query over HTTP for the
//! first page, a deep page by cursor, and each filter.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    QueryTrait, Statement, TransactionTrait,
};
use serde_json::{json, Value};
use uuid::Uuid;

use super::harness::Harness;
use super::percentile;
use super::report::{ms, Figure};
use crate::domain::MessageContent;
use crate::fakes::meta::FakeInbound;
use crate::graphql::connection::encode_cursor;
use crate::store::entities::message;

pub struct HistoryOptions {
    /// `None`: a fresh SQLite file in a temporary folder.
    pub database_url: Option<String>,
    /// History sizes measured in turn, each seeded on top of the previous one.
    pub sizes: Vec<usize>,
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
/// Rows per INSERT (24 columns: within both databases' bind limits) and per transaction.
const BATCH: usize = 1000;
const PER_TRANSACTION: usize = 50;
const SPREAD_DAYS: i64 = 365;
/// How long one case is timed at most.
const CASE_BUDGET: Duration = Duration::from_secs(20);

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

/// The seeder's own connection: one session, on SQLite with the journal in WAL and
/// synchronous off (a crash during seeding loses only the benchmark), on PostgreSQL with
/// synchronous_commit off for the same reason.
async fn seeding_connection(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Off)
                .busy_timeout(Duration::from_secs(30))
        });
    }
    let db = Database::connect(options).await?;
    if !url.starts_with("sqlite:") {
        db.execute_unprepared("SET synchronous_commit = off")
            .await?;
    }
    Ok(db)
}

/// Adds `count` messages spread evenly over the last year (numbered from `first`, so each
/// call adds new rows between the earlier ones). The statements are built on a blocking
/// thread while the previous ones run; `PER_TRANSACTION` statements share a transaction.
async fn seed(
    db: &DatabaseConnection,
    tenant: Uuid,
    threads: &[Thread],
    first: usize,
    count: usize,
) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    let threads = threads.to_vec();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<anyhow::Result<Statement>>(4);
    let generator = tokio::task::spawn_blocking(move || {
        let mut rng = Lcg(0x5eed ^ first as u64);
        let now = Utc::now();
        let start = now - chrono::Duration::days(SPREAD_DAYS);
        let step = chrono::Duration::days(SPREAD_DAYS)
            .num_microseconds()
            .unwrap_or(1)
            / count.max(1) as i64;
        let mut done = 0;
        while done < count {
            let n = BATCH.min(count - done);
            let rows = (done..done + n)
                .map(|i| row(&mut rng, tenant, &threads, start, step, first, i))
                .collect::<anyhow::Result<Vec<_>>>();
            let statement = rows.map(|rows| message::Entity::insert_many(rows).build(backend));
            if tx.blocking_send(statement).is_err() {
                return;
            }
            done += n;
        }
    });
    let mut txn = db.begin().await?;
    let mut in_txn = 0;
    while let Some(statement) = rx.recv().await {
        txn.execute(statement?).await?;
        in_txn += 1;
        if in_txn == PER_TRANSACTION {
            txn.commit().await?;
            txn = db.begin().await?;
            in_txn = 0;
        }
    }
    txn.commit().await?;
    generator.await?;
    Ok(())
}

/// Message `i` of a seeding call.
fn row(
    rng: &mut Lcg,
    tenant: Uuid,
    threads: &[Thread],
    start: DateTime<Utc>,
    step: i64,
    first: usize,
    i: usize,
) -> anyhow::Result<message::ActiveModel> {
    let created: DateTime<Utc> = start + chrono::Duration::microseconds(step * i as i64);
    let id = id_at(created);
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
    Ok(message::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(id),
        revision: Set(id),
        channel_id: Set(thread.channel),
        conversation_id: Set(Some(thread.conversation)),
        contact_id: Set(thread.contact),
        direction: Set(if outbound { "OUTBOUND" } else { "INBOUND" }.to_owned()),
        status: Set(status.to_owned()),
        provider_message_id: Set(Some(format!("wamid.SEED{}", first + i))),
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
    })
}

/// A time-ordered id at `at`, as messages get.
fn id_at(at: DateTime<Utc>) -> Uuid {
    Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        at.timestamp() as u64,
        at.timestamp_subsec_nanos(),
    ))
}

const FIELDS: &str = "edges { cursor node { id direction status text createdAt lastError { code message } statusHistory { status at } attempts { number outcome } } } pageInfo { hasNextPage }";

/// Times `query` with `variables`: three warm-up runs, then `runs` timed ones (sorted), or
/// as many as fit in `CASE_BUDGET`.
async fn time(
    h: &Harness,
    query: &str,
    variables: &Value,
    runs: usize,
) -> anyhow::Result<(usize, Vec<Duration>)> {
    let mut rows = 0;
    for _ in 0..3 {
        h.query(query, variables.clone()).await?;
    }
    let mut times = Vec::with_capacity(runs);
    let budget = Instant::now() + CASE_BUDGET;
    for _ in 0..runs.max(1) {
        // A slow case stops at its budget (with at least 20 runs), so it cannot hold up
        // the whole benchmark.
        if times.len() >= 20 && Instant::now() > budget {
            break;
        }
        let started = Instant::now();
        let page = h.query(query, variables.clone()).await?;
        times.push(started.elapsed());
        rows = page["messages"]["edges"].as_array().map_or(0, Vec::len);
    }
    times.sort();
    Ok((rows, times))
}

fn size_name(size: usize) -> String {
    if size >= 1_000_000 && size % 1_000_000 == 0 {
        format!("{}M", size / 1_000_000)
    } else if size >= 1_000 && size % 1_000 == 0 {
        format!("{}k", size / 1_000)
    } else {
        size.to_string()
    }
}

pub async fn measure(h: &Harness, options: &HistoryOptions) -> anyhow::Result<Vec<Figure>> {
    let me = h.query("{ me { tenant { id } } }", json!({})).await?;
    let tenant = uuid_of(&me["me"]["tenant"]["id"])?;
    let threads = threads(h, options.channels.max(1), options.contacts.max(1)).await?;
    let db = seeding_connection(&h.database_url)
        .await
        .context("connecting to the database")?;
    let query = format!(
        "query($f: MessageFilter, $n: Int, $a: String) {{ messages(filter: $f, first: $n, after: $a) {{ {FIELDS} }} }}"
    );
    // The floor under every figure here: the smallest authenticated GraphQL request.
    let floor = {
        let mut times = Vec::with_capacity(options.runs);
        for _ in 0..options.runs.max(1) {
            let started = Instant::now();
            h.query("{ me { tenant { id } } }", json!({})).await?;
            times.push(started.elapsed());
        }
        times.sort();
        times
    };
    let mut figures = Vec::new();
    let mut seeded = 0;
    let mut sizes = options.sizes.clone();
    sizes.sort_unstable();
    for size in sizes {
        let seeding = Instant::now();
        seed(&db, tenant, &threads, seeded, size.saturating_sub(seeded)).await?;
        let seed_time = seeding.elapsed();
        let added = size.saturating_sub(seeded);
        seeded = seeded.max(size);
        if h.backend == "PostgreSQL" {
            // What autovacuum does shortly after a bulk load.
            db.execute_unprepared("ANALYZE messages").await?;
        }
        let day = |days_ago: i64| (Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339();
        let middle = id_at(Utc::now() - chrono::Duration::days(SPREAD_DAYS / 2));
        let thread = &threads[0];
        let cases = [
            ("newest page", json!({}), None),
            (
                "deep page (cursor mid-year)",
                json!({}),
                Some(encode_cursor("msg", middle)),
            ),
            ("by channel", json!({ "channelId": thread.channel }), None),
            ("by contact", json!({ "contactId": thread.contact }), None),
            (
                "by conversation",
                json!({ "conversationId": thread.conversation }),
                None,
            ),
            ("status FAILED (0.5 %)", json!({ "status": "FAILED" }), None),
            (
                "direction OUTBOUND",
                json!({ "direction": "OUTBOUND" }),
                None,
            ),
            (
                "one day, 6 months ago",
                json!({ "from": day(183), "to": day(182) }),
                None,
            ),
            (
                "channel + FAILED + 30 days",
                json!({ "channelId": thread.channel, "status": "FAILED", "from": day(120), "to": day(90) }),
                None,
            ),
            (
                "text + contact",
                json!({ "text": "invoice", "contactId": thread.contact }),
                None,
            ),
        ];
        let mut worst: Option<(&str, Duration)> = None;
        let mut detail = Vec::new();
        let mut newest = Vec::new();
        for (name, filter, after) in &cases {
            let variables = json!({ "f": filter, "n": options.page, "a": after });
            let (rows, times) = time(h, &query, &variables, options.runs).await?;
            let p99 = percentile(&times, 99.0);
            detail.push(format!(
                "{name} ({rows} rows) {:.1}/{:.1}",
                ms(percentile(&times, 50.0)),
                ms(p99)
            ));
            if worst.is_none_or(|(_, w)| p99 > w) {
                worst = Some((name, p99));
            }
            if *name == "newest page" {
                newest = times;
            }
        }
        let variables = json!({ "f": { "text": "invoice" }, "n": options.page });
        let (_, search) = time(h, &query, &variables, options.runs).await?;
        let at = size_name(size);
        let floor_label = "GraphQL floor ({ me { tenant { id } } })";
        figures.push(
            Figure::new(format!("history page p50 at {at}"), ms(percentile(&newest, 50.0)), "ms")
                .baseline(ms(percentile(&floor, 50.0)), floor_label)
                .note(format!(
                    "{added} messages added in {:.1} s ({:.0} rows/s) to reach {size} over {} conversations; p50/p99 ms per case: {}",
                    seed_time.as_secs_f64(),
                    added as f64 / seed_time.as_secs_f64().max(f64::EPSILON),
                    threads.len(),
                    detail.join("; ")
                )),
        );
        figures.push(
            Figure::new(
                format!("history page p99 at {at}"),
                ms(percentile(&newest, 99.0)),
                "ms",
            )
            .baseline(ms(percentile(&floor, 99.0)), floor_label)
            .aim("≤ 5 ms at 10M"),
        );
        if let Some((name, p99)) = worst {
            figures.push(
                Figure::new(
                    format!("history worst filter p99 at {at} ({name})"),
                    ms(p99),
                    "ms",
                )
                .baseline(ms(percentile(&floor, 99.0)), floor_label)
                .aim("≤ 5 ms at 10M"),
            );
        }
        figures.push(
            Figure::new(
                format!("text search p50 at {at}"),
                ms(percentile(&search, 50.0)),
                "ms",
            )
            .baseline(ms(percentile(&floor, 50.0)), floor_label),
        );
        figures.push(
            Figure::new(
                format!("text search p99 at {at}"),
                ms(percentile(&search, 99.0)),
                "ms",
            )
            .baseline(ms(percentile(&floor, 99.0)), floor_label),
        );
    }
    db.close().await.ok();
    Ok(figures)
}
