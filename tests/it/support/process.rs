//! The `switchboard` binary as a child process, for what only a process shows: start-up,
//! exit codes, signals.

use std::path::Path;
use std::process::Stdio;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::graphql::{Gql, Session};
use super::PASSWORD;

pub fn command(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    cmd.current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SWITCHBOARD_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// A running server process and the address it printed.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub stdout: Vec<String>,
}

/// Starts `switchboard serve` on an ephemeral port and waits for its "running" line.
pub async fn serve(cwd: &Path, database_url: &str, extra_env: &[(&str, &str)]) -> Server {
    serve_with_args(cwd, database_url, extra_env, &[]).await
}

/// As [`serve`], with arguments before the subcommand (`--config FILE`).
pub async fn serve_with_args(
    cwd: &Path,
    database_url: &str,
    extra_env: &[(&str, &str)],
    args: &[&str],
) -> Server {
    let mut cmd = command(cwd);
    cmd.args(args)
        .arg("serve")
        .env("SWITCHBOARD_LISTEN", "127.0.0.1:0")
        .env("SWITCHBOARD_DATABASE_URL", database_url);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    let addr = tokio::time::timeout(crate::support::deadline(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            seen.push(line.clone());
            if let Some(rest) = line.strip_prefix("Switchboard is running. Open http://") {
                return rest.split('/').next().unwrap().to_owned();
            }
        }
        panic!("the server exited before it was running: {seen:?}");
    })
    .await
    .expect("the server starts within 30 s");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Server {
        child,
        addr,
        stdout: seen,
    }
}

/// Sends SIGTERM.
pub async fn terminate(child: &Child) {
    let pid = child.id().expect("the child runs").to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(status.success());
}

/// A port that was free a moment ago, so every restart listens where the fakes call back.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Signs in over the server at `base`.
pub async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> Session {
    let answer = Gql::new(http.clone(), format!("{base}/graphql"), None)
        .query(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { id } } }",
            json!({ "e": email, "p": password }),
        )
        .await;
    let login = answer.data()["login"].clone();
    let token = login["accessToken"].as_str().unwrap().to_owned();
    Session {
        gql: Gql::new(http.clone(), format!("{base}/graphql"), Some(token.clone())),
        access_token: token,
        refresh_token: login["refreshToken"].as_str().unwrap().to_owned(),
        user_id: login["user"]["id"].as_str().unwrap().to_owned(),
    }
}

/// `switchboard serve` with `env`, its stderr collected as it is written.
pub struct Logged {
    pub server: tokio::process::Child,
    pub addr: String,
    pub stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

pub async fn serve_logged(dir: &std::path::Path, env: &[(&str, &str)]) -> Logged {
    use tokio::io::AsyncBufReadExt;
    let mut cmd = command(dir);
    cmd.arg("serve").env("SWITCHBOARD_LISTEN", "127.0.0.1:0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut server = cmd.spawn().expect("the binary starts");
    let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut errors = tokio::io::BufReader::new(server.stderr.take().unwrap()).lines();
    let sink = stderr.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = errors.next_line().await {
            let mut all = sink.lock().unwrap();
            all.push_str(&line);
            all.push('\n');
        }
    });
    let mut lines = tokio::io::BufReader::new(server.stdout.take().unwrap()).lines();
    let addr = tokio::time::timeout(super::deadline(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.strip_prefix("Switchboard is running. Open http://") {
                return rest.split('/').next().unwrap().to_owned();
            }
        }
        panic!("the server exited before it was running");
    })
    .await
    .expect("the server starts");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Logged {
        server,
        addr,
        stderr,
    }
}

pub const ADMIN: (&str, &str) = (super::ADMIN_EMAIL, super::ADMIN_PASSWORD);

/// A tenant owner's token on the server at `base`.
pub async fn owner_token(http: &reqwest::Client, base: &str) -> String {
    let admin = login(http, base, ADMIN.0, ADMIN.1).await;
    admin
        .gql
        .query(
            "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }",
            json!({ "i": { "name": "Acme", "ownerEmail": "owner@acme.test", "ownerPassword": PASSWORD } }),
        )
        .await
        .data();
    login(http, base, "owner@acme.test", PASSWORD)
        .await
        .access_token
}
