//! Memory per idle subscription: the server runs as its own process (so the clients' memory
//! is not counted), and its resident set (`VmRSS` in `/proc/<pid>/status`) is read before
//! and after opening many idle subscriptions, one WebSocket each, as dashboards hold them.
//! The baseline is the same sockets initialised (graphql-transport-ws `connection_ack`)
//! without a subscription: what the connection alone costs.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

use super::harness::{tenant, LOGIN};
use super::report::Figure;
use super::ws::{self, Socket};
use super::{graphql, ADMIN, PASSWORD};

pub struct MemoryOptions {
    /// `None`: a fresh SQLite file.
    pub database_url: Option<String>,
    pub subscriptions: usize,
}

/// How long the server is left to settle before its memory is read.
const SETTLE: Duration = Duration::from_secs(2);

/// Raises this process's open-file limit to its hard limit (the server child inherits it):
/// each socket is a descriptor on both ends.
fn raise_fd_limit() -> anyhow::Result<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    limit.current = limit.maximum;
    setrlimit(Resource::Nofile, limit).context("raising the open-file limit")?;
    Ok(limit.current.unwrap_or(u64::MAX))
}

/// The server's resident set in KiB.
fn rss_kib(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .context("reading the server's /proc status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmRSS in the server's /proc status")
}

/// `switchboard serve` as a child process on an ephemeral port; answers it and its address.
async fn serve(
    dir: &std::path::Path,
    database_url: &str,
    connections: usize,
) -> anyhow::Result<(Child, std::net::SocketAddr)> {
    let exe = std::env::current_exe().context("locating the switchboard binary")?;
    let mut child = Command::new(exe)
        .arg("serve")
        .current_dir(dir)
        .env("SWITCHBOARD_LISTEN", "127.0.0.1:0")
        .env("SWITCHBOARD_DATA_DIR", dir)
        .env("SWITCHBOARD_DATABASE_URL", database_url)
        .env("SWITCHBOARD_ADMIN_EMAIL", ADMIN)
        .env("SWITCHBOARD_ADMIN_PASSWORD", PASSWORD)
        .env("SWITCHBOARD_MAX_CONNECTIONS", connections.to_string())
        .env("SWITCHBOARD_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting switchboard serve")?;
    let stdout = child.stdout.take().context("the server's output")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.strip_prefix("Switchboard is running. Open http://") {
                return Ok(rest.split('/').next().unwrap_or_default().parse()?);
            }
        }
        bail!("the server exited before it was running")
    })
    .await
    .context("the server did not start within 60 s")??;
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, addr))
}

pub async fn measure(o: &MemoryOptions) -> anyhow::Result<Vec<Figure>> {
    let fd_limit = raise_fd_limit()?;
    let dir = tempfile::tempdir().context("a temporary folder")?;
    let database_url = o
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
    let (child, addr) = serve(dir.path(), &database_url, o.subscriptions + 256).await?;
    let pid = child.id().context("the server's process id")?;
    let http = reqwest::Client::new();
    let gql = format!("http://{addr}/graphql");
    let admin = graphql(
        &http,
        &gql,
        None,
        LOGIN,
        json!({ "e": ADMIN, "p": PASSWORD }),
    )
    .await?;
    let admin = admin["login"]["accessToken"].as_str().unwrap_or_default();
    let owner = tenant(&http, &gql, admin, "Bench", "owner@bench.test").await?;

    // Warm up the paths a subscription takes, so one-time allocations are not counted.
    let mut warm = Vec::new();
    for _ in 0..50 {
        warm.push(ws::subscribe(addr, &owner, SUBSCRIPTION).await?);
    }
    drop(warm);
    tokio::time::sleep(SETTLE).await;
    let before = rss_kib(pid)?;

    let opened: Vec<anyhow::Result<Socket>> = futures::stream::iter(0..o.subscriptions)
        .map(|_| ws::initialised(addr, &owner))
        .buffer_unordered(32)
        .collect()
        .await;
    let mut sockets = opened.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    tokio::time::sleep(SETTLE).await;
    let connected = rss_kib(pid)?;

    // Each under its own alias, so none shares its rendering with another: the most a
    // subscription costs.
    for (n, socket) in sockets.iter_mut().enumerate() {
        let query = format!("subscription {{ s{n}: {SELECTION} }}");
        let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": query } });
        socket.send(Message::text(sub.to_string())).await?;
    }
    tokio::time::sleep(SETTLE).await;
    let subscribed = rss_kib(pid)?;
    drop(sockets);
    drop(child);

    let n = o.subscriptions.max(1) as f64;
    Ok(vec![Figure::new(
        format!(
            "memory per idle subscription ({} sockets × 1, each its own)",
            o.subscriptions
        ),
        (subscribed - before) / n,
        "KiB",
    )
    .baseline((connected - before) / n, "socket alone, initialised")
    .aim("≤ 20 KiB")
    .note(format!(
        "server RSS {before:.0} KiB before, {connected:.0} KiB with the sockets initialised, {subscribed:.0} KiB subscribed; server in its own process, open-file limit raised to {fd_limit}"
    ))])
}

const SUBSCRIPTION: &str = "subscription { messageEvents { message { id text status } } }";
/// [`SUBSCRIPTION`]'s selection, for a document of the same size with an alias.
const SELECTION: &str = "messageEvents { message { id text status } }";
