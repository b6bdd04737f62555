//! `/metrics`: the Prometheus text format after a signed webhook, a send through the fake
//! provider and an open subscription; its names, types and labels; what it must not show;
//! and the optional bearer token.
//!
//! Tests share one process and so one recorder: counters are compared before and after,
//! and gauges are checked for what this test alone makes true.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::json;
use switchboard::crypto::Secret;

use crate::subscriptions::subscribe;
use crate::support::fixtures::{meta_conversation, settled, CUSTOMER, META_APP_SECRET, SEND};
use crate::support::{eventually, TestApp};

/// One sample: its name, its labels and its value.
#[derive(Clone, Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A scrape, parsed.
#[derive(Debug, Default)]
struct Scrape {
    types: BTreeMap<String, String>,
    helps: BTreeSet<String>,
    samples: Vec<Sample>,
    text: String,
}

impl Scrape {
    fn parse(text: &str) -> Self {
        let mut scrape = Scrape {
            text: text.to_owned(),
            ..Scrape::default()
        };
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
                scrape.types.insert(name.to_owned(), kind.to_owned());
                continue;
            }
            if let Some(rest) = line.strip_prefix("# HELP ") {
                scrape
                    .helps
                    .insert(rest.split(' ').next().unwrap().to_owned());
                continue;
            }
            assert!(!line.starts_with('#'), "an unknown comment: {line}");
            let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("a value: {line}"));
            let (name, labels) = match series.split_once('{') {
                None => (series.to_owned(), BTreeMap::new()),
                Some((name, rest)) => {
                    let body = rest.strip_suffix('}').expect("labels end with }");
                    let mut labels = BTreeMap::new();
                    for pair in body.split("\",").filter(|p| !p.is_empty()) {
                        let (key, value) = pair.split_once("=\"").expect("label=\"value\"");
                        labels.insert(key.to_owned(), value.trim_end_matches('"').to_owned());
                    }
                    (name.to_owned(), labels)
                }
            };
            scrape.samples.push(Sample {
                name,
                labels,
                value,
            });
        }
        scrape
    }

    /// The value of the series `name` whose labels include `labels`, summed over the rest.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|s| s.name == name)
            .filter(|s| {
                labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|s| s.value)
            .sum()
    }

    fn has(&self, name: &str, labels: &[(&str, &str)]) -> bool {
        self.samples.iter().any(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }
}

async fn scrape(app: &TestApp) -> Scrape {
    let response = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    Scrape::parse(&response.text().await.unwrap())
}

const WEBHOOKS: &str = "switchboard_webhooks_received_total";
const SEND_SECONDS: &str = "switchboard_send_duration_seconds";
const ERRORS: &str = "switchboard_provider_errors_total";
const DEPTH: &str = "switchboard_outbox_depth_jobs";
const DUE_AGE: &str = "switchboard_outbox_oldest_due_age_seconds";

/// Every metric with its type.
const TYPES: &[(&str, &str)] = &[
    (WEBHOOKS, "counter"),
    ("switchboard_ingest_batch_events", "histogram"),
    ("switchboard_ingest_commit_duration_seconds", "histogram"),
    ("switchboard_ingest_queued_webhooks", "gauge"),
    (DEPTH, "gauge"),
    (DUE_AGE, "gauge"),
    (SEND_SECONDS, "histogram"),
    (ERRORS, "counter"),
    ("switchboard_subscriptions_active", "gauge"),
    ("switchboard_subscription_renderings_shared", "gauge"),
    ("switchboard_websocket_connections_active", "gauge"),
    ("switchboard_db_pool_connections", "gauge"),
    ("switchboard_db_pool_max_connections", "gauge"),
    ("switchboard_event_log_lag_seconds", "gauge"),
    ("switchboard_event_log_position", "gauge"),
];

#[tokio::test]
async fn metrics_show_webhooks_sends_subscriptions_and_the_pool() {
    let app = TestApp::spawn_with(|c| c.telemetry.metrics_interval = Duration::from_secs(1)).await;
    let before = scrape(&app).await;

    // A signed webhook is stored; one with a wrong signature is refused.
    let (tenant, channel, conversation) = meta_conversation(&app, "where is my order?").await;
    let forged = app
        .http
        .post(&channel.webhook)
        .header("x-hub-signature-256", format!("sha256={}", "0".repeat(64)))
        .header("content-type", "application/json")
        .body(r#"{"object":"whatsapp_business_account","entry":[]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    // An open subscription on its socket.
    let _socket = subscribe(
        &app,
        &tenant.owner.access_token,
        "subscription { conversationEvents { kind } }",
        json!({}),
    )
    .await;

    // One send held by the provider long enough for a refresh to see it queued, then one the
    // provider refuses with its code.
    let hold = crate::support::deadline(4);
    app.meta.delay_next(hold, 1);
    let held = send(&tenant, &conversation, "your order ships today").await;
    let queued = eventually(
        10,
        "the held send shows in the outbox depth",
        || scrape(&app),
        |s| s.value(DEPTH, &[("channel", &channel.id)]) >= 1.0,
    )
    .await;
    assert!(queued.has(DUE_AGE, &[("channel", &channel.id)]));
    settled(&tenant, &held, |m| m["status"] != "QUEUED").await;
    app.meta.fail_next(131026, 1);
    let refused = send(&tenant, &conversation, "and a second note").await;
    settled(&tenant, &refused, |m| m["status"] == "FAILED").await;

    let after = eventually(
        10,
        "the emptied outbox reads 0 for the channel",
        || scrape(&app),
        |s| {
            s.has(DEPTH, &[("channel", &channel.id)])
                && s.value(DEPTH, &[("channel", &channel.id)]) == 0.0
        },
    )
    .await;

    // Names, HELP and TYPE lines.
    for (name, kind) in TYPES {
        assert_eq!(
            after.types.get(*name).map(String::as_str),
            Some(*kind),
            "TYPE of {name}"
        );
        assert!(after.helps.contains(*name), "HELP of {name}");
    }

    // What moved.
    let moved = |name: &str, labels: &[(&str, &str)]| {
        after.value(name, labels) - before.value(name, labels)
    };
    assert!(moved(WEBHOOKS, &[("provider", "meta"), ("result", "stored")]) >= 1.0);
    assert!(
        moved(
            WEBHOOKS,
            &[("provider", "meta"), ("result", "bad_signature")]
        ) >= 1.0
    );
    assert!(moved("switchboard_ingest_batch_events_count", &[]) >= 1.0);
    assert!(moved("switchboard_ingest_commit_duration_seconds_count", &[]) >= 1.0);
    assert!(
        moved(
            "switchboard_send_duration_seconds_count",
            &[("provider", "meta"), ("outcome", "sent")]
        ) >= 1.0
    );
    assert!(
        moved(
            "switchboard_send_duration_seconds_count",
            &[("provider", "meta"), ("outcome", "error")]
        ) >= 1.0
    );
    assert!(after.has(
        "switchboard_send_duration_seconds_bucket",
        &[("provider", "meta"), ("le", "+Inf")]
    ));
    assert!(moved(ERRORS, &[("provider", "meta"), ("code", "131026")]) >= 1.0);
    assert!(after.value("switchboard_subscriptions_active", &[]) >= 1.0);
    assert!(after.value("switchboard_websocket_connections_active", &[]) >= 1.0);
    assert!(after.value("switchboard_db_pool_max_connections", &[]) >= 1.0);
    assert!(after.has("switchboard_db_pool_connections", &[("state", "in_use")]));
    assert!(after.has("switchboard_db_pool_connections", &[("state", "idle")]));
    assert!(after.has("switchboard_event_log_lag_seconds", &[]));

    // Labels are bounded words and channel ids; nothing names a tenant, a customer, a
    // message or a secret.
    let allowed: BTreeSet<&str> = [
        "provider", "result", "class", "code", "channel", "state", "outcome", "le", "quantile",
    ]
    .into();
    for sample in &after.samples {
        for (key, value) in &sample.labels {
            assert!(
                allowed.contains(key.as_str()),
                "label {key} on {}",
                sample.name
            );
            if key == "channel" {
                assert!(uuid::Uuid::parse_str(value).is_ok(), "channel {value}");
            }
        }
    }
    let webhook_key = channel.webhook.rsplit('/').next().unwrap();
    for secret in [
        tenant.id.as_str(),
        &CUSTOMER[1..],
        "where is my order",
        "your order ships today",
        held.as_str(),
        webhook_key,
        META_APP_SECRET,
        tenant.owner.access_token.as_str(),
        tenant.owner_email.as_str(),
    ] {
        assert!(!after.text.contains(secret), "/metrics shows {secret:?}");
    }
    app.finish().await;
}

async fn send(tenant: &crate::support::TestTenant, conversation: &str, body: &str) -> String {
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": body } } } }))
        .await;
    sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn with_a_token_set_a_scrape_must_bring_it() {
    let token = "scrape-token-0123456789";
    let app = TestApp::spawn_with(|c| c.telemetry.metrics_token = Some(Secret::new(token))).await;
    let get = |auth: Option<&str>| {
        let mut request = app.http.get(app.url("/metrics"));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        request.send()
    };
    assert_eq!(get(None).await.unwrap().status(), 401);
    assert_eq!(
        get(Some("Bearer wrong-token-000000000"))
            .await
            .unwrap()
            .status(),
        401
    );
    let ok = get(Some(&format!("Bearer {token}"))).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.text().await.unwrap().contains("# TYPE switchboard_"));
    app.finish().await;
}
