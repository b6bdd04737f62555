//! `switchboard bench` on the command line: no subcommand (or `all`) runs every
//! measurement; `ingest`, `outbox` and `history` run one on one database.

use clap::{Args, Subcommand};

#[derive(Args, Clone, Debug, Default)]
pub struct AllArgs {
    /// The PostgreSQL cluster to measure as well (each measurement creates and drops its
    /// own database there); skipped when not given.
    #[arg(long, value_name = "URL")]
    postgres_url: Option<String>,
    /// Small sizes throughout: checks the whole run works; its figures mean nothing.
    #[arg(long)]
    quick: bool,
    /// History sizes, measured in turn (default 1000000,10000000).
    #[arg(long, value_delimiter = ',', value_name = "N,N")]
    history_sizes: Option<Vec<usize>>,
    /// Idle subscriptions for the memory figure (default 10000).
    #[arg(long)]
    subscriptions: Option<usize>,
    /// Only these measurements: ingest, outbox, fairness, history, memory.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Measure PostgreSQL only.
    #[arg(long)]
    skip_sqlite: bool,
}

#[derive(Subcommand)]
pub enum BenchAction {
    /// Every measurement (the default).
    All(AllArgs),
    /// Signed webhooks stored per second, and webhook-to-subscriber latency.
    Ingest {
        /// A PostgreSQL database to measure instead of a fresh SQLite file; use an empty one.
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long, default_value_t = 2000)]
        messages: usize,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        #[arg(long, default_value_t = 100)]
        subscribers: usize,
        #[arg(long, default_value_t = 200)]
        latency_samples: usize,
        /// Webhooks per transaction at most (the server's SWITCHBOARD_INGEST_BATCH);
        /// 1 stores each in its own, for comparison.
        #[arg(long)]
        ingest_batch: Option<usize>,
    },
    /// Messages per second through the outbox to the fake providers, and how closely a
    /// channel's rate limit holds.
    Outbox {
        /// A PostgreSQL database to measure instead of a fresh SQLite file; use an empty one.
        #[arg(long)]
        database_url: Option<String>,
        /// Messages per provider for the throughput runs.
        #[arg(long, default_value_t = 5000)]
        messages: usize,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Customers the messages are spread over.
        #[arg(long, default_value_t = 100)]
        contacts: usize,
        /// The channel limit to check, in messages per second.
        #[arg(long, default_value_t = 50)]
        rate: u32,
        /// Seconds of steady sending at that limit, after the burst.
        #[arg(long, default_value_t = 10)]
        rate_seconds: u32,
    },
    /// History page latency (p50/p99) over a large seeded message history.
    History {
        /// A PostgreSQL database to measure instead of a fresh SQLite file; use an empty one.
        #[arg(long)]
        database_url: Option<String>,
        /// History sizes, measured in turn.
        #[arg(long, value_delimiter = ',', default_value = "1000000")]
        messages: Vec<usize>,
        #[arg(long, default_value_t = 3)]
        channels: usize,
        /// Customers per channel.
        #[arg(long, default_value_t = 100)]
        contacts: usize,
        /// Timed runs per case.
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Messages per page.
        #[arg(long, default_value_t = 50)]
        page: usize,
    },
}

pub async fn bench(action: Option<BenchAction>, args: AllArgs) -> anyhow::Result<()> {
    let all = |a: AllArgs| super::AllOptions {
        postgres_url: a.postgres_url,
        quick: a.quick,
        history_sizes: a.history_sizes,
        subscriptions: a.subscriptions,
        only: a.only,
        skip_sqlite: a.skip_sqlite,
    };
    match action {
        None => super::all(all(args)).await,
        Some(BenchAction::All(args)) => super::all(all(args)).await,
        Some(BenchAction::Ingest {
            database_url,
            messages,
            concurrency,
            subscribers,
            latency_samples,
            ingest_batch,
        }) => {
            super::ingest(super::IngestOptions {
                database_url,
                messages,
                concurrency,
                subscribers,
                latency_samples,
                ingest_batch,
            })
            .await
        }
        Some(BenchAction::Outbox {
            database_url,
            messages,
            concurrency,
            contacts,
            rate,
            rate_seconds,
        }) => {
            super::outbox(super::OutboxOptions {
                database_url,
                messages,
                concurrency,
                contacts,
                rate,
                rate_seconds,
            })
            .await
        }
        Some(BenchAction::History {
            database_url,
            messages,
            channels,
            contacts,
            runs,
            page,
        }) => {
            super::history(super::HistoryOptions {
                database_url,
                sizes: messages,
                channels,
                contacts,
                runs,
                page,
            })
            .await
        }
    }
}
