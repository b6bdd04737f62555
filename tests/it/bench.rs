//! `switchboard bench` runs end to end with small sizes and prints its figures. Only that
//! it runs and what it prints are checked: speed belongs to the benchmark itself.

use crate::support::{db, process};

/// Runs `switchboard bench ARGS` and answers its standard output.
async fn run_bench(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = process::command(dir.path());
    cmd.arg("bench").args(args);
    let output = cmd.output().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The table rows (`| figure | value | baseline | ratio | aim |`) after the header.
fn rows(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| figure "))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

/// The number a cell starts with.
fn number(cell: &str) -> f64 {
    cell.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a number: {cell:?}"))
}

/// A single-database run is given a database the test made (PostgreSQL) or makes its own
/// SQLite file.
async fn run_single(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let mut all: Vec<&str> = args.to_vec();
    if db::on_postgres() {
        all.extend(["--database-url", &database.url]);
    }
    run_bench(&all).await
}

#[tokio::test]
async fn the_whole_quick_benchmark_prints_every_figure_with_its_baseline() {
    let postgres = std::env::var(db::POSTGRES_ENV).ok();
    let mut args = vec!["--quick", "--subscriptions", "100"];
    // SQLite alone, or PostgreSQL alone when the tests run on it.
    if let Some(url) = &postgres {
        args.extend(["--postgres-url", url, "--skip-sqlite"]);
    }
    let stdout = run_bench(&args).await;
    let rows = rows(&stdout);
    for figure in [
        "signed webhooks stored",
        "webhook → subscriber p50",
        "webhook → subscriber p99",
        "outbox sendMessage → SENT, fake Meta",
        "outbox backlog drained, fake Twilio",
        "channel limit 20/s: sends at the fake",
        "other tenant's webhook ack p99 during a flood",
        "other tenant's sendMessage → SENT p99 during a flood",
        "history page p50 at 2k",
        "history page p99 at 5k",
        "text search p99 at 5k",
        "memory per idle subscription (100 sockets × 1, each its own)",
    ] {
        let row = rows
            .iter()
            .find(|r| r[0] == figure)
            .unwrap_or_else(|| panic!("no row {figure:?}: {stdout}"));
        assert_eq!(row.len(), 5, "{row:?}");
        number(&row[1]);
        number(&row[2]);
        number(&row[3]);
    }
    // A measurement that could not run is a row named "<measurement>: FAILED".
    assert!(!rows.iter().any(|r| r[0].ends_with(": FAILED")), "{stdout}");
    if postgres.is_some() {
        assert!(
            stdout.contains("### PostgreSQL (server_version="),
            "{stdout}"
        );
        assert!(stdout.contains("fsync="), "{stdout}");
    } else {
        assert!(stdout.contains("### SQLite"), "{stdout}");
        assert!(stdout.contains("PostgreSQL: skipped"), "{stdout}");
    }
}

#[tokio::test]
async fn one_measurement_runs_alone_on_the_given_database() {
    let stdout = run_single(&[
        "ingest",
        "--messages",
        "30",
        "--concurrency",
        "4",
        "--subscribers",
        "3",
        "--latency-samples",
        "3",
    ])
    .await;
    let rows = rows(&stdout);
    for figure in ["signed webhooks stored", "webhook → subscriber p99"] {
        let row = rows
            .iter()
            .find(|r| r[0] == figure)
            .unwrap_or_else(|| panic!("no row {figure:?}: {stdout}"));
        number(&row[1]);
    }
}

#[tokio::test]
async fn the_history_measurement_reads_full_pages_at_each_size() {
    let stdout = run_single(&[
        "history",
        "--messages",
        "300,600",
        "--channels",
        "2",
        "--contacts",
        "3",
        "--runs",
        "2",
        "--page",
        "10",
    ])
    .await;
    assert!(stdout.contains("300 messages added"), "{stdout}");
    assert!(
        stdout.contains("to reach 600 over 6 conversations"),
        "{stdout}"
    );
    assert!(stdout.contains("newest page (10 rows)"), "{stdout}");
    for figure in ["history page p99 at 300", "text search p50 at 600"] {
        assert!(rows(&stdout).iter().any(|r| r[0] == figure), "{stdout}");
    }
}
