//! What the outbox and history benchmarks share: the server in-process on SQLite or
//! PostgreSQL, the fake Meta and Twilio servers it sends to, and a signed-in tenant owner.

use std::net::SocketAddr;

use anyhow::{bail, Context};
use serde_json::{json, Value};
use tempfile::TempDir;

use super::{graphql, ADMIN, PASSWORD};
use crate::app::App;
use crate::config::Config;
use crate::crypto::Secret;
use crate::fakes::meta::{FakeMeta, FakePhoneNumber};
use crate::fakes::twilio::{FakeAccount, FakeTwilio};

pub const META_TOKEN: &str = "bench-access-token-0123";
pub const META_SECRET: &str = "bench-app-secret-0123456789abcdef";
pub const WABA: &str = "100000000000002";
const OWNER_PASSWORD: &str = "Measure-Tenant-2026";
pub const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }";

pub struct Harness {
    pub backend: &'static str,
    pub database_url: String,
    pub addr: SocketAddr,
    pub gql: String,
    pub http: reqwest::Client,
    pub admin: String,
    pub owner: String,
    pub meta: FakeMeta,
    pub twilio: FakeTwilio,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: TempDir,
}

/// A channel the benchmark created.
pub struct BenchChannel {
    pub id: String,
    pub webhook: String,
}

impl Harness {
    /// Starts the server with `database_url`, or a fresh SQLite file when `None`.
    pub async fn start(database_url: Option<String>) -> anyhow::Result<Self> {
        Self::start_with(database_url, |_| {}).await
    }

    /// As [`Harness::start`], with `adjust` applied to the server's settings.
    pub async fn start_with(
        database_url: Option<String>,
        adjust: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("a temporary folder")?;
        let database_url = database_url
            .unwrap_or_else(|| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
        let backend = if database_url.starts_with("sqlite:") {
            "SQLite"
        } else {
            "PostgreSQL"
        };
        let meta = FakeMeta::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .context("starting the fake Meta")?;
        meta.set_app_secret(META_SECRET);
        let twilio = FakeTwilio::spawn()
            .await
            .context("starting the fake Twilio")?;
        let mut config = Config::for_tests(dir.path(), database_url.clone());
        config.admin_email = Some(ADMIN.into());
        config.admin_password = Some(Secret::new(PASSWORD));
        config.login_max_failures_per_address = 10_000;
        config.meta_graph_url = meta.base_url().to_owned();
        config.twilio_api_url = twilio.base_url().to_owned();
        config.twilio_content_url = twilio.base_url().to_owned();
        config.twilio_messaging_url = twilio.base_url().to_owned();
        adjust(&mut config);
        let app = App::build(config).await?;
        let addr = app.local_addr();
        let server = tokio::spawn(app.run(futures::future::pending()));
        let gql = format!("http://{addr}/graphql");
        let http = reqwest::Client::new();
        let admin = graphql(
            &http,
            &gql,
            None,
            LOGIN,
            json!({ "e": ADMIN, "p": PASSWORD }),
        )
        .await?;
        let admin = admin["login"]["accessToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let owner = tenant(&http, &gql, &admin, "Bench", "owner@bench.test").await?;
        Ok(Self {
            backend,
            database_url,
            addr,
            gql,
            http,
            admin,
            owner,
            meta,
            twilio,
            server,
            _dir: dir,
        })
    }

    /// A GraphQL request as the tenant's owner.
    pub async fn query(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        graphql(&self.http, &self.gql, Some(&self.owner), query, variables).await
    }

    /// A GraphQL request with `token`.
    pub async fn query_as(
        &self,
        token: &str,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<Value> {
        graphql(&self.http, &self.gql, Some(token), query, variables).await
    }

    /// Another tenant; answers its owner's access token.
    pub async fn tenant(&self, name: &str, owner_email: &str) -> anyhow::Result<String> {
        tenant(&self.http, &self.gql, &self.admin, name, owner_email).await
    }

    async fn create_channel(&self, token: &str, input: Value) -> anyhow::Result<BenchChannel> {
        let created = self
            .query_as(
                token,
                "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id webhookUrl } }",
                json!({ "i": input }),
            )
            .await?;
        let channel = &created["createChannel"];
        match (channel["id"].as_str(), channel["webhookUrl"].as_str()) {
            (Some(id), Some(webhook)) => Ok(BenchChannel {
                id: id.to_owned(),
                webhook: webhook.to_owned(),
            }),
            _ => bail!("createChannel answered {created}"),
        }
    }

    /// A Meta channel on the fake, sending at most `per_second`.
    pub async fn meta_channel(
        &self,
        number: &str,
        phone_number_id: &str,
        per_second: u32,
    ) -> anyhow::Result<BenchChannel> {
        self.meta_channel_as(&self.owner, number, phone_number_id, per_second)
            .await
    }

    /// As [`Harness::meta_channel`], for the tenant whose owner holds `token`.
    pub async fn meta_channel_as(
        &self,
        token: &str,
        number: &str,
        phone_number_id: &str,
        per_second: u32,
    ) -> anyhow::Result<BenchChannel> {
        self.meta
            .add_phone_number(FakePhoneNumber::new(phone_number_id, WABA, META_TOKEN));
        self.create_channel(token, json!({ "name": format!("Meta {number}"), "provider": "META", "phoneNumber": number,
            "meta": { "accessToken": META_TOKEN, "appSecret": META_SECRET, "phoneNumberId": phone_number_id, "businessAccountId": WABA },
            "settings": { "messagesPerSecond": per_second } }))
            .await
    }

    /// A Twilio channel on the fake, sending at most `per_second`.
    pub async fn twilio_channel(
        &self,
        number: &str,
        per_second: u32,
    ) -> anyhow::Result<(BenchChannel, FakeAccount)> {
        let account = self.twilio.add_account("Bench", number);
        let channel = self
            .create_channel(&self.owner, json!({ "name": format!("Twilio {number}"), "provider": "TWILIO", "phoneNumber": number,
                "twilio": { "accountSid": account.sid, "authToken": account.auth_token },
                "settings": { "messagesPerSecond": per_second } }))
            .await?;
        Ok((channel, account))
    }
}

/// Creates a tenant as the platform admin and signs its owner in.
pub(super) async fn tenant(
    http: &reqwest::Client,
    gql: &str,
    admin: &str,
    name: &str,
    owner_email: &str,
) -> anyhow::Result<String> {
    graphql(
        http,
        gql,
        Some(admin),
        "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }",
        json!({ "i": { "name": name, "ownerEmail": owner_email, "ownerPassword": OWNER_PASSWORD } }),
    )
    .await?;
    let owner = graphql(
        http,
        gql,
        None,
        LOGIN,
        json!({ "e": owner_email, "p": OWNER_PASSWORD }),
    )
    .await?;
    match owner["login"]["accessToken"].as_str() {
        Some(token) => Ok(token.to_owned()),
        None => bail!("the owner of {name} could not sign in: {owner}"),
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.server.abort();
    }
}
