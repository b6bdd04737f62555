//! `switchboard bench` (or `bench all`): every measurement, on SQLite and then on the
//! PostgreSQL cluster given by `--postgres-url`, each in a fresh database, printed as one
//! table per database: the figure, its baseline measured in the same run, the ratio and
//! the aim. A measurement that fails is reported in its place and the rest go on.

use std::time::Instant;

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database, Statement};

use super::fairness::{self, FairnessOptions};
use super::harness::Harness;
use super::history::{self, HistoryOptions};
use super::ingest::{self, IngestOptions};
use super::memory::{self, MemoryOptions};
use super::outbox::{self, OutboxOptions};
use super::report::{self, Figure};
use super::target::{Fresh, Target};

pub struct AllOptions {
    pub postgres_url: Option<String>,
    /// Small sizes throughout: a smoke test of the whole run, not figures.
    pub quick: bool,
    /// History sizes (default 1M and 10M; `--quick` 2k and 5k).
    pub history_sizes: Option<Vec<usize>>,
    /// Idle subscriptions for the memory figure (default 10,000; `--quick` 200).
    pub subscriptions: Option<usize>,
    /// Only these measurements (ingest, outbox, fairness, history, memory); all when empty.
    pub only: Vec<String>,
    /// Leave SQLite out (PostgreSQL only).
    pub skip_sqlite: bool,
}

pub const MEASUREMENTS: [&str; 5] = ["ingest", "outbox", "fairness", "history", "memory"];

/// A measurement's failure, in the table where its figures would be.
fn failed(name: &str, error: &anyhow::Error) -> Figure {
    Figure::new(format!("{name}: FAILED"), f64::NAN, "").note(format!("{error:#}"))
}

async fn postgres_settings(url: &str) -> anyhow::Result<String> {
    let db = Database::connect(url).await?;
    let mut out = Vec::new();
    for setting in ["server_version", "fsync", "synchronous_commit"] {
        let row = db
            .query_one(Statement::from_string(
                db.get_database_backend(),
                format!("SHOW {setting}"),
            ))
            .await?;
        let value: String = row
            .map(|r| r.try_get_by_index(0))
            .transpose()?
            .unwrap_or_default();
        out.push(format!("{setting}={value}"));
    }
    db.close().await.ok();
    Ok(out.join(", "))
}

/// One measurement in a fresh database; its figures, or its failure as a row.
async fn one(target: &Target, name: &str, o: &AllOptions) -> Vec<Figure> {
    let started = Instant::now();
    eprintln!("bench: {} {name} …", target.name());
    let result = async {
        let fresh = Fresh::create(target).await?;
        let figures = if name == "memory" {
            let subscriptions = o
                .subscriptions
                .unwrap_or(if o.quick { 200 } else { 10_000 });
            memory::measure(&MemoryOptions {
                database_url: fresh.url.clone(),
                subscriptions,
            })
            .await
        } else {
            let h = Harness::start(fresh.url.clone()).await?;
            let figures = measure(&h, name, o).await;
            drop(h);
            figures
        };
        // The server's pool may still be closing; the drop forces its sessions out.
        fresh
            .remove()
            .await
            .context("removing the benchmark database")?;
        figures
    }
    .await;
    eprintln!(
        "bench: {} {name} done in {:.1} s",
        target.name(),
        started.elapsed().as_secs_f64()
    );
    result.unwrap_or_else(|e| vec![failed(name, &e)])
}

async fn measure(h: &Harness, name: &str, o: &AllOptions) -> anyhow::Result<Vec<Figure>> {
    let quick = o.quick;
    match name {
        "ingest" => {
            ingest::measure(
                h,
                &IngestOptions {
                    database_url: None,
                    messages: if quick { 300 } else { 5_000 },
                    concurrency: 32,
                    subscribers: if quick { 10 } else { 100 },
                    latency_samples: if quick { 20 } else { 500 },
                    ingest_batch: None,
                },
            )
            .await
        }
        "outbox" => {
            outbox::measure(
                h,
                &OutboxOptions {
                    database_url: None,
                    messages: if quick { 100 } else { 5_000 },
                    concurrency: 16,
                    contacts: if quick { 10 } else { 100 },
                    rate: if quick { 20 } else { 50 },
                    rate_seconds: if quick { 2 } else { 10 },
                },
            )
            .await
        }
        "fairness" => {
            fairness::measure(
                h,
                &FairnessOptions {
                    samples: if quick { 10 } else { 100 },
                    backlog: if quick { 200 } else { 20_000 },
                    flood_concurrency: if quick { 8 } else { 32 },
                },
            )
            .await
        }
        "history" => {
            let sizes = o.history_sizes.clone().unwrap_or_else(|| {
                if quick {
                    vec![2_000, 5_000]
                } else {
                    vec![1_000_000, 10_000_000]
                }
            });
            history::measure(
                h,
                &HistoryOptions {
                    database_url: None,
                    sizes,
                    channels: if quick { 2 } else { 3 },
                    contacts: if quick { 10 } else { 100 },
                    runs: if quick { 20 } else { 200 },
                    page: 50,
                },
            )
            .await
        }
        other => anyhow::bail!("no measurement named {other}"),
    }
}

pub async fn all(o: AllOptions) -> anyhow::Result<()> {
    for name in &o.only {
        if !MEASUREMENTS.contains(&name.as_str()) {
            anyhow::bail!(
                "no measurement named {name}; choose from {}",
                MEASUREMENTS.join(", ")
            );
        }
    }
    let chosen: Vec<&str> = MEASUREMENTS
        .into_iter()
        .filter(|m| o.only.is_empty() || o.only.iter().any(|n| n == m))
        .collect();
    println!(
        "switchboard bench{} — {} build, {} CPUs, {}",
        if o.quick {
            " --quick (smoke sizes)"
        } else {
            ""
        },
        if cfg!(debug_assertions) {
            "debug (figures not representative)"
        } else {
            "release"
        },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
    );
    let mut targets = Vec::new();
    if !o.skip_sqlite {
        targets.push((
            Target::Sqlite,
            "SQLite (WAL, synchronous NORMAL)".to_owned(),
        ));
    }
    match &o.postgres_url {
        Some(url) => {
            let settings = postgres_settings(url)
                .await
                .with_context(|| format!("reading the settings of {url}"))?;
            targets.push((
                Target::Postgres {
                    admin_url: url.clone(),
                },
                format!("PostgreSQL ({settings})"),
            ));
        }
        None => println!("\nPostgreSQL: skipped (give --postgres-url URL to measure it)."),
    }
    for (target, title) in targets {
        let mut figures = Vec::new();
        for name in &chosen {
            figures.extend(one(&target, name, &o).await);
        }
        println!("{}", report::table(&title, &figures));
    }
    Ok(())
}
