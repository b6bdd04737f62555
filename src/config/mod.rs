//! Configuration: defaults, then an optional TOML file (`--config`), then `SWITCHBOARD_*`
//! environment variables. Every reader names its variable in its error, and start-up stops
//! with that one line when a value is wrong.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::crypto::Secret;

mod telemetry;
mod webhooks;
pub use telemetry::TelemetrySettings;
pub use webhooks::WebhookSettings;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// The whole configuration. Each field's default is given in its `///` line; the README's
/// table mirrors them.
#[derive(Clone)]
pub struct Config {
    /// `SWITCHBOARD_DATABASE_URL`: default `sqlite://<data dir>/switchboard.db?mode=rwc`.
    pub database_url: String,
    /// `SWITCHBOARD_LISTEN`: default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// `SWITCHBOARD_PUBLIC_URL`: default `http://<listen>`; base of webhook URLs.
    pub public_url: String,
    /// `SWITCHBOARD_DATA_DIR`: default `./data`.
    pub data_dir: PathBuf,
    /// `SWITCHBOARD_MASTER_KEYS`: default generated into `<data dir>/master.keys`.
    pub master_keys: Option<Secret>,
    /// `SWITCHBOARD_JWT_SECRET`: default generated into `<data dir>/jwt.secret`.
    pub jwt_secret: Option<Secret>,
    /// `SWITCHBOARD_ADMIN_EMAIL`: the platform admin created on first start.
    pub admin_email: Option<String>,
    /// `SWITCHBOARD_ADMIN_PASSWORD`: that admin's password; generated and printed when unset.
    pub admin_password: Option<Secret>,
    /// `SWITCHBOARD_TWILIO_API_URL`: default `https://api.twilio.com`.
    pub twilio_api_url: String,
    /// `SWITCHBOARD_TWILIO_CONTENT_URL`: default `https://content.twilio.com`.
    pub twilio_content_url: String,
    /// `SWITCHBOARD_TWILIO_MESSAGING_URL`: default `https://messaging.twilio.com`.
    pub twilio_messaging_url: String,
    /// `SWITCHBOARD_META_GRAPH_URL`: default `https://graph.facebook.com`.
    pub meta_graph_url: String,
    /// `SWITCHBOARD_META_API_VERSION`: default `v23.0`.
    pub meta_api_version: String,
    /// `SWITCHBOARD_MEDIA_MAX_BYTES`: default 16777216; larger inbound media is refused.
    pub media_max_bytes: u64,
    /// `SWITCHBOARD_CLIENT_IP_HEADER`: none by default. Behind a proxy, the header it sets
    /// with the client's address (`x-forwarded-for`); its last entry is used for throttling.
    pub client_ip_header: Option<String>,
    /// `SWITCHBOARD_PROVIDER_TIMEOUT`: default 15 seconds for one call to a provider.
    pub provider_timeout: Duration,
    /// `SWITCHBOARD_OUTBOX_LEASE_SECONDS`: default 60; how long a worker keeps a claimed send
    /// job before another may take it. Must be longer than the provider timeout.
    pub outbox_lease: Duration,
    /// `SWITCHBOARD_OUTBOX_STATUS_GRACE_SECONDS`: default 30; how long a Meta send whose
    /// answer was lost waits for a status carrying our id before it is sent again.
    pub outbox_status_grace: Duration,
    /// `SWITCHBOARD_OUTBOX_CHANNEL_SHARE`: default 24 of an instance's 32 sends in flight
    /// that one channel may hold, so other channels' messages are claimed past its backlog.
    pub outbox_channel_share: usize,
    /// `SWITCHBOARD_OUTBOX_TENANT_SHARE`: default 24 of an instance's 32 sends in flight
    /// that one tenant may hold, so one tenant's campaign never queues ahead of another's
    /// `sendMessage`.
    pub outbox_tenant_share: usize,
    /// `SWITCHBOARD_PRESENCE_GRACE_SECONDS`: default 60; how long an ONLINE or AWAY agent may
    /// be without a live WebSocket (none open, or closed since) before they become OFFLINE.
    pub presence_grace: Duration,
    /// `SWITCHBOARD_PRESENCE_LEASE_SECONDS`: default 30; how long an instance's hold on an
    /// open WebSocket lasts unless renewed (every third of it): after a crash, its agents
    /// count as connected this long, then the grace runs.
    pub presence_lease: Duration,
    /// `SWITCHBOARD_LOG`: default `info`; a tracing filter such as `switchboard=debug`.
    pub log_filter: String,
    /// `SWITCHBOARD_LOG_FORMAT`: `human` (default) or `json`.
    pub log_format: LogFormat,
    /// `SWITCHBOARD_ACCESS_TOKEN_TTL`: default 900 seconds.
    pub access_token_ttl: Duration,
    /// `SWITCHBOARD_REFRESH_TOKEN_TTL`: default 2592000 seconds (30 days).
    pub refresh_token_ttl: Duration,
    /// `SWITCHBOARD_LOGIN_MAX_FAILURES`: default 5 failed logins per account per window.
    pub login_max_failures: u32,
    /// `SWITCHBOARD_LOGIN_MAX_FAILURES_PER_ADDRESS`: default 30 per client address per window.
    pub login_max_failures_per_address: u32,
    /// `SWITCHBOARD_LOGIN_WINDOW`: default 900 seconds.
    pub login_window: Duration,
    /// `SWITCHBOARD_GRAPHQL_MAX_DEPTH`: default 15.
    pub graphql_max_depth: usize,
    /// `SWITCHBOARD_GRAPHQL_MAX_COMPLEXITY`: default 50000; every field costs 1, a connection
    /// costs its page size times what each item selects.
    pub graphql_max_complexity: usize,
    /// `SWITCHBOARD_GRAPHQL_MAX_ALIASES`: default 30, counted with fragments expanded.
    pub graphql_max_aliases: usize,
    /// `SWITCHBOARD_GRAPHQL_MAX_NESTING`: default 64; brackets (`{`, `[`, `(`) nested deeper in
    /// a document are refused before it is parsed.
    pub graphql_max_nesting: usize,
    /// `SWITCHBOARD_BODY_LIMIT`: default 1048576 bytes for a GraphQL request.
    pub body_limit: usize,
    /// `SWITCHBOARD_SHUTDOWN_GRACE`: default 30 seconds for in-flight requests at shutdown.
    pub shutdown_grace: Duration,
    /// `SWITCHBOARD_HEADER_READ_TIMEOUT`: default 10 seconds for a client to send a request's
    /// headers; a connection that has not by then is closed.
    pub header_read_timeout: Duration,
    /// `SWITCHBOARD_MAX_CONNECTIONS`: default 512 open connections (WebSockets included);
    /// further clients wait to be accepted. Keep it below the open-file limit (`ulimit -n`).
    pub max_connections: usize,
    /// `SWITCHBOARD_WS_MAX_SUBSCRIPTIONS`: default 100 active subscriptions per WebSocket.
    pub ws_max_subscriptions: usize,
    /// `SWITCHBOARD_PASSWORD_HASH_CONCURRENCY`: default the number of cores; password hashes
    /// (19 MiB each) run at once.
    pub password_hash_concurrency: usize,
    /// `SWITCHBOARD_PASSWORD_HASH_QUEUE`: default 64 sign-ins waiting for a hash slot; more
    /// answer RATE_LIMITED at once.
    pub password_hash_queue: usize,
    /// `SWITCHBOARD_WEBHOOK_MAX_EVENTS`: default 1000 messages and statuses in one webhook;
    /// a larger delivery answers 413 and nothing of it is stored.
    pub webhook_max_events: usize,
    /// `SWITCHBOARD_INGEST_BATCH`: default 256 webhooks stored in one transaction at most
    /// (group commit); 1 stores each webhook in a transaction of its own.
    pub ingest_batch: usize,
    /// `SWITCHBOARD_INGEST_TENANT_QUEUE`: default 256 webhooks of one tenant waiting for the
    /// writer at most, so a flood from one tenant never queues ahead of another tenant's
    /// webhook; one more is refused (503), a Twilio webhook after waiting a while for room.
    pub ingest_tenant_queue: usize,
    /// `SWITCHBOARD_INGEST_WRITERS`: default 4 batches committed side by side on PostgreSQL,
    /// each for its share of the conversations (SQLite always has one writer).
    pub ingest_writers: usize,
    /// `SWITCHBOARD_EVENT_RETENTION_HOURS`: default 168 (a week). Events older than this
    /// are pruned from the event log; a subscriber resuming from an older cursor is told to
    /// fetch the current state again.
    pub event_retention_hours: u32,
    /// `SWITCHBOARD_GRAPHQL_ANONYMOUS_INTROSPECTION`: default false; when true, a request
    /// without a token may read the schema (`__schema`, `__type`).
    pub graphql_anonymous_introspection: bool,
    /// `SWITCHBOARD_LOGIN_REQUIRES_TENANT`: default false; when true, tenant accounts sign
    /// in only with `tenantId`, and a sign-in without it tries only platform admins.
    pub login_requires_tenant: bool,
    /// `SWITCHBOARD_CHANNEL_CLAIMS_WITHOUT_VERIFICATION`: default false. When true, a channel
    /// claims its number and Meta phone number id for the whole deployment at creation, as
    /// for a single organisation; when false, only once the provider has verified them.
    pub channel_claims_without_verification: bool,
    /// `SWITCHBOARD_OUTGOING_WEBHOOK_*`: see [`WebhookSettings`].
    pub webhooks: WebhookSettings,
    /// `SWITCHBOARD_METRICS_*` and `OTEL_EXPORTER_OTLP_ENDPOINT`: see [`TelemetrySettings`].
    pub telemetry: TelemetrySettings,
}

/// A wrong configuration value, named by its environment variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid {variable}: {reason}")]
    Invalid {
        variable: &'static str,
        reason: String,
    },
    #[error("cannot read the configuration file {path}: {reason}")]
    File { path: PathBuf, reason: String },
}

/// Every variable, so the TOML file can mirror them by their names without the prefix.
const VARIABLES: &[&str] = &[
    "DATABASE_URL",
    "LISTEN",
    "PUBLIC_URL",
    "DATA_DIR",
    "MASTER_KEYS",
    "JWT_SECRET",
    "ADMIN_EMAIL",
    "ADMIN_PASSWORD",
    "TWILIO_API_URL",
    "TWILIO_CONTENT_URL",
    "TWILIO_MESSAGING_URL",
    "META_GRAPH_URL",
    "META_API_VERSION",
    "PROVIDER_TIMEOUT",
    "OUTBOX_LEASE_SECONDS",
    "OUTBOX_STATUS_GRACE_SECONDS",
    "PRESENCE_GRACE_SECONDS",
    "PRESENCE_LEASE_SECONDS",
    "CLIENT_IP_HEADER",
    "MEDIA_MAX_BYTES",
    "LOG",
    "LOG_FORMAT",
    "ACCESS_TOKEN_TTL",
    "REFRESH_TOKEN_TTL",
    "LOGIN_MAX_FAILURES",
    "LOGIN_MAX_FAILURES_PER_ADDRESS",
    "LOGIN_WINDOW",
    "GRAPHQL_MAX_DEPTH",
    "GRAPHQL_MAX_COMPLEXITY",
    "GRAPHQL_MAX_ALIASES",
    "GRAPHQL_MAX_NESTING",
    "BODY_LIMIT",
    "SHUTDOWN_GRACE",
    "HEADER_READ_TIMEOUT",
    "MAX_CONNECTIONS",
    "WS_MAX_SUBSCRIPTIONS",
    "PASSWORD_HASH_CONCURRENCY",
    "PASSWORD_HASH_QUEUE",
    "WEBHOOK_MAX_EVENTS",
    "OUTBOX_CHANNEL_SHARE",
    "OUTBOX_TENANT_SHARE",
    "INGEST_BATCH",
    "INGEST_TENANT_QUEUE",
    "INGEST_WRITERS",
    "EVENT_RETENTION_HOURS",
    "GRAPHQL_ANONYMOUS_INTROSPECTION",
    "LOGIN_REQUIRES_TENANT",
    "CHANNEL_CLAIMS_WITHOUT_VERIFICATION",
];

/// Raw values by variable name (without prefix), from the file and then the environment.
struct Raw(HashMap<&'static str, String>);

impl Raw {
    fn take(&mut self, name: &'static str) -> Option<String> {
        self.0.remove(name).filter(|v| !v.trim().is_empty())
    }

    fn parse<T>(
        &mut self,
        name: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        match self.take(name) {
            None => Ok(default),
            Some(value) => parse(value.trim()).map_err(|reason| ConfigError::Invalid {
                variable: variable(name),
                reason,
            }),
        }
    }

    /// A whole number from `min` to `max`.
    fn number<T>(
        &mut self,
        name: &'static str,
        default: T,
        min: T,
        max: T,
    ) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + fmt::Display,
    {
        self.parse(name, default, |v| number(v, min, max))
    }

    /// Whole seconds from `min` to `max`.
    fn seconds(
        &mut self,
        name: &'static str,
        default: u64,
        min: u64,
        max: u64,
    ) -> Result<Duration, ConfigError> {
        self.parse(name, Duration::from_secs(default), |v| seconds(v, min, max))
    }

    fn boolean(&mut self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        self.parse(name, default, boolean)
    }

    /// A base URL, without its trailing slash.
    fn url(&mut self, name: &'static str, default: &str) -> Result<String, ConfigError> {
        self.parse(name, default.to_owned(), parse_base_url)
    }
}

/// `SWITCHBOARD_` + name, as a static string for error messages.
fn variable(name: &'static str) -> &'static str {
    Box::leak(format!("SWITCHBOARD_{name}").into_boxed_str())
}

impl Config {
    /// The provider base URLs.
    pub fn provider_urls(&self) -> crate::providers::ProviderUrls {
        crate::providers::ProviderUrls {
            twilio_api: self.twilio_api_url.clone(),
            twilio_content: self.twilio_content_url.clone(),
            twilio_messaging: self.twilio_messaging_url.clone(),
            meta_graph: self.meta_graph_url.clone(),
            meta_api_version: self.meta_api_version.clone(),
        }
    }

    /// Loads the configuration from an optional TOML file and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut raw = HashMap::new();
        if let Some(path) = file {
            raw.extend(read_toml(path)?);
        }
        for name in VARIABLES
            .iter()
            .chain(webhooks::VARIABLES)
            .chain(telemetry::VARIABLES)
        {
            if let Ok(value) = std::env::var(format!("SWITCHBOARD_{name}")) {
                raw.insert(*name, value);
            }
        }
        // The OpenTelemetry variable keeps its standard name, without our prefix.
        if let Ok(value) = std::env::var(telemetry::OTLP_ENDPOINT) {
            raw.insert(telemetry::OTLP_ENDPOINT, value);
        }
        Self::from_raw(Raw(raw))
    }

    fn from_raw(mut raw: Raw) -> Result<Self, ConfigError> {
        let data_dir = raw.parse("DATA_DIR", PathBuf::from("./data"), |v| {
            Ok(PathBuf::from(v))
        })?;
        let listen = raw.parse("LISTEN", SocketAddr::from(([127, 0, 0, 1], 8080)), |v| {
            v.parse()
                .map_err(|_| format!("{v:?} is not an address such as 127.0.0.1:8080"))
        })?;
        let default_db = format!(
            "sqlite://{}/switchboard.db?mode=rwc",
            data_dir.to_string_lossy().trim_end_matches('/')
        );
        let database_url = raw.parse("DATABASE_URL", default_db, database_url)?;
        let public_url = raw.parse("PUBLIC_URL", format!("http://{listen}"), |v| {
            parse_base_url(v)
        })?;
        let master_keys = raw.take("MASTER_KEYS").map(Secret::new);
        if let Some(keys) = &master_keys {
            crate::crypto::KeyRing::parse(keys.expose()).map_err(|e| ConfigError::Invalid {
                variable: "SWITCHBOARD_MASTER_KEYS",
                reason: e.to_string(),
            })?;
        }
        let jwt_secret = raw.take("JWT_SECRET").map(Secret::new);
        if jwt_secret.as_ref().is_some_and(|s| s.expose().len() < 32) {
            return Err(ConfigError::Invalid {
                variable: "SWITCHBOARD_JWT_SECRET",
                reason: "must be at least 32 characters".to_owned(),
            });
        }
        let admin_email = raw.parse("ADMIN_EMAIL", None, |v| {
            crate::domain::Email::parse(v)
                .map(|e| Some(e.as_str().to_owned()))
                .map_err(|e| e.to_string())
        })?;
        let admin_password = raw.take("ADMIN_PASSWORD").map(Secret::new);
        let log_format = raw.parse("LOG_FORMAT", LogFormat::Human, |v| match v {
            "human" => Ok(LogFormat::Human),
            "json" => Ok(LogFormat::Json),
            _ => Err("must be human or json".to_owned()),
        })?;
        let provider_timeout = raw.seconds("PROVIDER_TIMEOUT", 15, 1, 120)?;
        let outbox_lease = raw.seconds("OUTBOX_LEASE_SECONDS", 60, 2, 86_400)?;
        // A lease that ran out while the call was still waiting would let a second worker
        // send the same message.
        if outbox_lease <= provider_timeout {
            return Err(ConfigError::Invalid {
                variable: "SWITCHBOARD_OUTBOX_LEASE_SECONDS",
                reason: format!(
                    "must be longer than SWITCHBOARD_PROVIDER_TIMEOUT ({} s)",
                    provider_timeout.as_secs()
                ),
            });
        }
        let header_read_timeout = raw.seconds("HEADER_READ_TIMEOUT", 10, 1, 300)?;
        let max_connections = raw.number("MAX_CONNECTIONS", 512, 1, 1_000_000)?;
        let ws_max_subscriptions = raw.number("WS_MAX_SUBSCRIPTIONS", 100, 1, 100_000)?;
        let webhooks = webhooks::read(&mut raw)?;
        let telemetry = telemetry::read(&mut raw)?;
        Ok(Self {
            webhooks,
            telemetry,
            header_read_timeout,
            max_connections,
            ws_max_subscriptions,
            database_url,
            listen,
            public_url,
            master_keys,
            jwt_secret,
            admin_email,
            admin_password,
            twilio_api_url: raw.url("TWILIO_API_URL", "https://api.twilio.com")?,
            twilio_content_url: raw.url("TWILIO_CONTENT_URL", "https://content.twilio.com")?,
            twilio_messaging_url: raw
                .url("TWILIO_MESSAGING_URL", "https://messaging.twilio.com")?,
            meta_graph_url: raw.url("META_GRAPH_URL", "https://graph.facebook.com")?,
            meta_api_version: raw.parse("META_API_VERSION", "v23.0".into(), api_version)?,
            media_max_bytes: raw
                .parse("MEDIA_MAX_BYTES", 16 << 20, |v| number(v, 1024, 1 << 30))?,
            client_ip_header: raw.parse("CLIENT_IP_HEADER", None, |v| header_name(v).map(Some))?,
            provider_timeout,
            outbox_lease,
            outbox_status_grace: raw.seconds("OUTBOX_STATUS_GRACE_SECONDS", 30, 1, 86_400)?,
            outbox_channel_share: raw.number("OUTBOX_CHANNEL_SHARE", 24, 1, 32)?,
            outbox_tenant_share: raw.number("OUTBOX_TENANT_SHARE", 24, 1, 32)?,
            presence_grace: raw.seconds("PRESENCE_GRACE_SECONDS", 60, 1, 86_400)?,
            presence_lease: raw.seconds("PRESENCE_LEASE_SECONDS", 30, 3, 3_600)?,
            log_filter: raw.parse("LOG", "info".into(), log_filter)?,
            log_format,
            access_token_ttl: raw.seconds("ACCESS_TOKEN_TTL", 900, 30, 86_400)?,
            refresh_token_ttl: raw.seconds("REFRESH_TOKEN_TTL", 30 * 86_400, 300, 365 * 86_400)?,
            login_max_failures: raw.number("LOGIN_MAX_FAILURES", 5, 1, 1000)?,
            login_max_failures_per_address: raw.number(
                "LOGIN_MAX_FAILURES_PER_ADDRESS",
                30,
                1,
                100_000,
            )?,
            login_window: raw.seconds("LOGIN_WINDOW", 900, 1, 86_400)?,
            graphql_max_depth: raw.number("GRAPHQL_MAX_DEPTH", 15, 3, 100)?,
            graphql_max_complexity: raw.number("GRAPHQL_MAX_COMPLEXITY", 50_000, 10, 1_000_000)?,
            graphql_max_aliases: raw.number("GRAPHQL_MAX_ALIASES", 30, 1, 10_000)?,
            graphql_max_nesting: raw.number("GRAPHQL_MAX_NESTING", 64, 8, 256)?,
            body_limit: raw.number("BODY_LIMIT", 1 << 20, 1024, 64 << 20)?,
            shutdown_grace: raw.seconds("SHUTDOWN_GRACE", 30, 0, 3600)?,
            password_hash_concurrency: raw.parse(
                "PASSWORD_HASH_CONCURRENCY",
                std::thread::available_parallelism().map_or(2, usize::from),
                |v| number(v, 1, 1024),
            )?,
            password_hash_queue: raw.number("PASSWORD_HASH_QUEUE", 64, 0, 100_000)?,
            webhook_max_events: raw.number("WEBHOOK_MAX_EVENTS", 1000, 1, 100_000)?,
            ingest_batch: raw.number("INGEST_BATCH", 256, 1, 10_000)?,
            ingest_tenant_queue: raw.number("INGEST_TENANT_QUEUE", 256, 1, 1_000_000)?,
            ingest_writers: raw.number("INGEST_WRITERS", 4, 1, 64)?,
            event_retention_hours: raw.number("EVENT_RETENTION_HOURS", 168, 1, 24 * 366)?,
            graphql_anonymous_introspection: raw
                .boolean("GRAPHQL_ANONYMOUS_INTROSPECTION", false)?,
            login_requires_tenant: raw.boolean("LOGIN_REQUIRES_TENANT", false)?,
            channel_claims_without_verification: raw
                .boolean("CHANNEL_CLAIMS_WITHOUT_VERIFICATION", false)?,
            data_dir,
        })
    }

    /// A configuration for tests: everything under `dir`, an ephemeral port, fixed keys and a
    /// generous login throttle. Tests adjust fields directly; they never set environment
    /// variables, because tests share one process.
    pub fn for_tests(dir: &Path, database_url: String) -> Self {
        let mut config = Self::from_raw(Raw(HashMap::new())).expect("defaults are valid");
        config.data_dir = dir.to_path_buf();
        config.database_url = database_url;
        config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        // Rewritten to the bound port by `App::build`.
        config.public_url = format!("http://{}", config.listen);
        config.master_keys = Some(Secret::new(
            "test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ));
        config.jwt_secret = Some(Secret::new("test-jwt-secret-0123456789abcdef0123"));
        config.log_filter = "warn".into();
        config.shutdown_grace = Duration::from_secs(5);
        config
    }
}

fn read_toml(path: &Path) -> Result<HashMap<&'static str, String>, ConfigError> {
    let file_error = |reason: String| ConfigError::File {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| file_error(e.message().to_owned()))?;
    let mut out = HashMap::new();
    for (key, value) in table {
        let upper = key.to_ascii_uppercase();
        let name = VARIABLES
            .iter()
            .chain(webhooks::VARIABLES)
            .chain(telemetry::VARIABLES)
            .find(|v| **v == upper)
            .ok_or_else(|| file_error(format!("unknown setting {key:?}")))?;
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(file_error(format!(
                    "{key} must be a string or a number, not {}",
                    other.type_str()
                )))
            }
        };
        out.insert(*name, text);
    }
    Ok(out)
}

fn parse_base_url(v: &str) -> Result<String, String> {
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .ok_or_else(|| format!("{v:?} must start with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) || v.contains(['?', '#']) {
        return Err(format!("{v:?} is not a base URL"));
    }
    Ok(v.trim_end_matches('/').to_owned())
}

fn database_url(v: &str) -> Result<String, String> {
    if v.starts_with("sqlite:") || v.starts_with("postgres://") || v.starts_with("postgresql://") {
        Ok(v.to_owned())
    } else {
        Err("must start with sqlite: or postgres://".to_owned())
    }
}

/// A Graph API version such as `v23.0`.
fn api_version(v: &str) -> Result<String, String> {
    let ok = v
        .strip_prefix('v')
        .and_then(|n| n.split_once('.'))
        .is_some_and(|(a, b)| !a.is_empty() && a.chars().all(|c| c.is_ascii_digit()) && b == "0");
    if ok {
        Ok(v.to_owned())
    } else {
        Err("must look like v23.0".to_owned())
    }
}

fn header_name(v: &str) -> Result<String, String> {
    axum::http::HeaderName::from_bytes(v.as_bytes())
        .map(|h| h.as_str().to_owned())
        .map_err(|_| format!("{v:?} is not a header name"))
}

fn log_filter(v: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(v)
        .map(|_| v.to_owned())
        .map_err(|e| e.to_string())
}

fn number<T: std::str::FromStr + PartialOrd + fmt::Display>(
    v: &str,
    min: T,
    max: T,
) -> Result<T, String> {
    match v.parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(format!("{v:?} must be a whole number from {min} to {max}")),
    }
}

fn boolean(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("{v:?} is not true or false")),
    }
}

fn seconds(v: &str, min: u64, max: u64) -> Result<Duration, String> {
    number(v, min, max).map(Duration::from_secs)
}

#[cfg(test)]
mod tests;
