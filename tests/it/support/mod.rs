//! The test harness: `TestApp::spawn()` runs the real server and hands out signed-in
//! clients.

pub mod campaign_run;
pub mod db;
pub mod fixtures;
pub mod graphql;
pub mod outbox;
pub mod process;
pub mod receiver;

use std::net::SocketAddr;
use std::path::Path;

use serde_json::{json, Value};
use switchboard::app::App;
use switchboard::config::Config;
use switchboard::crypto::Secret;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub use graphql::{Gql, Session};

pub const ADMIN_EMAIL: &str = "root@platform.test";
pub const ADMIN_PASSWORD: &str = "platform-Secret-pass-2026";

/// A strong password for test users.
pub const PASSWORD: &str = "correct-Horse-battery-9";

pub struct TestApp {
    pub addr: SocketAddr,
    pub meta: switchboard::fakes::meta::FakeMeta,
    pub twilio: switchboard::fakes::twilio::FakeTwilio,
    pub http: reqwest::Client,
    pub database_url: String,
    /// The statements the server has sent to its database so far.
    pub statements: switchboard::store::StatementCount,
    /// Dropped after the server stops (or, if it never does, forcibly) on teardown.
    database: Option<db::TestDatabase>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    dir: Option<TempDir>,
}

/// What a stopped server leaves: its directory (and so its SQLite database) and its
/// database, both kept until this goes away or a restart takes them over.
pub struct Stopped {
    pub dir: TempDir,
    database: Option<db::TestDatabase>,
}

impl Stopped {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A tenant with its signed-in owner.
pub struct TestTenant {
    pub id: String,
    pub owner: Session,
    pub owner_email: String,
}

/// Multiplies every deadline the tests wait on, for slow or busy machines:
/// `SWITCHBOARD_TEST_TIME_SCALE=3` gives each wait three times as long. Default 1.
pub fn time_scale() -> f64 {
    std::env::var("SWITCHBOARD_TEST_TIME_SCALE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| *v >= 1.0)
        .unwrap_or(1.0)
}

/// A deadline of `seconds`, scaled by [`time_scale`].
pub fn deadline(seconds: u64) -> std::time::Duration {
    std::time::Duration::from_secs_f64(seconds as f64 * time_scale())
}

/// How often [`eventually`] looks again.
pub const POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Probes until `done` holds for the answer, and returns that answer. Gives up after
/// [`deadline`]`(seconds)` with a failure naming `what` and showing the last answer.
///
/// `eventually(20, "the message settles", || message(tenant, id), |m| m["status"] != "QUEUED")`
pub async fn eventually<T, F, Fut>(
    seconds: u64,
    what: &str,
    mut probe: F,
    done: impl Fn(&T) -> bool,
) -> T
where
    T: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let give_up = tokio::time::Instant::now() + deadline(seconds);
    loop {
        let value = probe().await;
        if done(&value) {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < give_up,
            "{what}: not within {:?}; last seen: {value:?}",
            deadline(seconds)
        );
        tokio::time::sleep(POLL).await;
    }
}

fn init_logging() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .with_test_writer()
            .try_init();
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with configuration changes, as an operator would make them.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = db::provision(dir.path()).await;
        Self::start(dir, database, adjust).await
    }

    /// Starts again on the directory and database of a stopped server, as a restart (or an
    /// upgrade) would.
    pub async fn restart_on(stopped: Stopped) -> Self {
        let database = stopped
            .database
            .expect("a stopped server keeps its database");
        Self::start(stopped.dir, database, |_| {}).await
    }

    async fn start(
        dir: TempDir,
        database: db::TestDatabase,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        init_logging();
        let database_url = database.url.clone();
        let meta = switchboard::fakes::meta::FakeMeta::spawn().await;
        let mut config = test_config(dir.path(), database_url.clone());
        config.meta_graph_url = meta.base_url().to_owned();
        let twilio = switchboard::fakes::twilio::FakeTwilio::spawn()
            .await
            .expect("the fake Twilio starts");
        config.twilio_api_url = twilio.base_url().to_owned();
        config.twilio_content_url = twilio.base_url().to_owned();
        config.twilio_messaging_url = twilio.base_url().to_owned();
        adjust(&mut config);
        let app = App::build(config).await.expect("the server builds");
        let addr = app.local_addr();
        let statements = app.statements();
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(app.run(async move {
            let _ = rx.await;
        }));
        Self {
            addr,
            meta,
            twilio,
            http: reqwest::Client::new(),
            database_url,
            statements,
            database: Some(database),
            shutdown: Some(tx),
            server: Some(server),
            dir: Some(dir),
        }
    }

    /// The server's data directory: its SQLite file, media store and generated keys.
    pub fn data_dir(&self) -> &Path {
        self.dir
            .as_ref()
            .expect("the directory is kept while running")
            .path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// An anonymous GraphQL client.
    pub fn anonymous(&self) -> Gql {
        Gql::new(self.http.clone(), self.url("/graphql"), None)
    }

    /// A client sending `token` as the bearer.
    pub fn with_token(&self, token: &str) -> Gql {
        Gql::new(
            self.http.clone(),
            self.url("/graphql"),
            Some(token.to_owned()),
        )
    }

    pub async fn login(&self, email: &str, password: &str) -> Session {
        let response = self
            .anonymous()
            .query(
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { id } } }",
                json!({ "e": email, "p": password }),
            )
            .await;
        let login = response.data()["login"].clone();
        Session {
            gql: self.with_token(login["accessToken"].as_str().unwrap()),
            access_token: login["accessToken"].as_str().unwrap().to_owned(),
            refresh_token: login["refreshToken"].as_str().unwrap().to_owned(),
            user_id: login["user"]["id"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn platform_admin(&self) -> Session {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Creates a tenant through the API and signs its owner in.
    pub async fn new_tenant(&self, name: &str) -> TestTenant {
        let admin = self.platform_admin().await;
        let owner_email = format!("owner@{}.test", name.to_lowercase().replace(' ', "-"));
        let created = admin
            .gql
            .query(
                "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id name } }",
                json!({ "i": { "name": name, "ownerEmail": owner_email, "ownerPassword": PASSWORD } }),
            )
            .await;
        let tenant = created.data()["createTenant"].clone();
        let owner = self.login(&owner_email, PASSWORD).await;
        TestTenant {
            id: tenant["id"].as_str().unwrap().to_owned(),
            owner,
            owner_email,
        }
    }

    /// Adds a user with `role` to the tenant and signs them in.
    pub async fn new_user(&self, tenant: &TestTenant, email: &str, role: &str) -> Session {
        tenant
            .owner
            .gql
            .query(
                "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
                json!({ "i": { "email": email, "password": PASSWORD, "role": role } }),
            )
            .await
            .data();
        self.login(email, PASSWORD).await
    }

    /// Stops the server as SIGTERM would, waits for it, and hands back its directory and
    /// database for what comes next.
    pub async fn stop(mut self) -> Stopped {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("the server task")
                .expect("the server stops cleanly");
        }
        Stopped {
            dir: self.dir.take().expect("the directory is kept until stop"),
            database: self.database.take(),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn test_config(dir: &Path, database_url: String) -> Config {
    let mut config = Config::for_tests(dir, database_url);
    config.admin_email = Some(ADMIN_EMAIL.to_owned());
    config.admin_password = Some(Secret::new(ADMIN_PASSWORD));
    config
}

/// The `extensions.code` of the first error.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

/// The sum of every sample of `name` (any labels) that the server at `addr` shows on its
/// `/metrics`; a process's own recorder, so a spawned server's counts are its own.
pub async fn metric(http: &reqwest::Client, addr: &str, name: &str) -> f64 {
    metric_labelled(http, addr, name, "").await
}

/// Like [`metric`], only the samples whose labels contain `labels` (`result="busy"`).
pub async fn metric_labelled(http: &reqwest::Client, addr: &str, name: &str, labels: &str) -> f64 {
    let text = http
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{'))
                && l.contains(labels)
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
