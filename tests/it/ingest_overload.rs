//! A tenant's ingest queue is bounded: one delivery more is refused with 503 at once when
//! the provider delivers it again (Meta), and waits for room when it does not (Twilio), so
//! a flood holds a bounded number of connections.

use serde_json::json;
use switchboard::fakes::meta::FakeInbound;
use switchboard::fakes::twilio::InboundParams;

use crate::support::db::hold_writes;
use crate::support::fixtures::{default_meta_channel, twilio_channel, SENDER};
use crate::support::{eventually, metric, metric_labelled, TestApp};

/// The `switchboard_webhooks_received_total` sample of `provider` and `result`.
async fn received(app: &TestApp, provider: &str, result: &str) -> f64 {
    let labels = format!("provider=\"{provider}\",result=\"{result}\"");
    let listen = app.addr.to_string();
    metric_labelled(
        &app.http,
        &listen,
        "switchboard_webhooks_received_total",
        &labels,
    )
    .await
}

#[tokio::test]
async fn a_full_tenant_queue_refuses_meta_at_once_and_keeps_twilio_waiting() {
    let app = TestApp::spawn_with(|c| c.ingest_tenant_queue = 1).await;
    app.meta.set_webhook_retries(0);
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let twilio = twilio_channel(&app, &tenant).await;
    let listen = app.addr.to_string();
    let queued = || metric(&app.http, &listen, "switchboard_ingest_queued_webhooks");
    let waiting = || metric(&app.http, &listen, "switchboard_ingest_waiting_webhooks");

    let held = hold_writes(&app.database_url).await;
    let deliver_meta = |from: &'static str, text: &'static str| {
        let (meta, fake) = (&meta, &app.meta);
        async move {
            fake.deliver_inbound(
                &meta.webhook,
                &meta.phone_number_id,
                &FakeInbound::text(from, text),
            )
            .await
            .unwrap()
            .status
        }
    };
    let params = InboundParams::text(&twilio.account.sid, "+34600000003", SENDER, "third");
    let deliver_twilio = async {
        app.twilio
            .deliver_inbound(&twilio.webhook, &twilio.account.auth_token, &params)
            .await
            .unwrap()
            .status
    };
    // The first takes the tenant's one place and waits for the writer.
    let (first, third) = tokio::join!(deliver_meta("34600000001", "first"), async {
        eventually(20, "the first delivery holds the queue", queued, |n| {
            *n == 1.0
        })
        .await;
        // Meta delivers a refused webhook again: the next one is refused at once.
        assert_eq!(deliver_meta("34600000002", "refused").await, 503);
        assert_eq!(received(&app, "meta", "busy").await, 1.0);
        // Twilio does not: its webhook waits for room.
        let (third, ()) = tokio::join!(deliver_twilio, async {
            eventually(20, "the Twilio delivery waits", waiting, |n| *n == 1.0).await;
            held.rollback().await.unwrap();
        });
        third
    });
    assert_eq!(first, 200);
    assert_eq!(third, 200);
    eventually(20, "the queue is empty again", queued, |n| *n == 0.0).await;
    assert_eq!(waiting().await, 0.0);
    // Delivered again with room, it is stored.
    assert_eq!(
        deliver_meta("34600000002", "refused, then delivered again").await,
        200
    );

    let answer = tenant
        .owner
        .gql
        .query("{ messages(first: 10) { nodes { text } } }", json!({}))
        .await;
    let mut texts: Vec<String> = answer.data()["messages"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap().to_owned())
        .collect();
    texts.sort();
    assert_eq!(texts, ["first", "refused, then delivered again", "third"]);
    assert_eq!(received(&app, "twilio", "busy").await, 0.0);
}

#[tokio::test]
async fn floods_from_many_tenants_hold_at_most_half_the_connections() {
    // 20 deliveries of all tenants at most; 10 of one tenant.
    let app = TestApp::spawn_with(|c| {
        c.max_connections = 40;
        c.ingest_tenant_queue = 10;
    })
    .await;
    app.meta.set_webhook_retries(0);
    let mut channels = Vec::new();
    let mut tenants = Vec::new();
    for name in ["Acme", "Globex", "Initech"] {
        let tenant = app.new_tenant(name).await;
        channels.push(default_meta_channel(&app, &tenant).await);
        tenants.push(tenant);
    }
    let listen = app.addr.to_string();
    let queued = || metric(&app.http, &listen, "switchboard_ingest_queued_webhooks");
    let deliver = |channel: usize, n: usize| {
        let (channel, fake) = (&channels[channel], &app.meta);
        async move {
            let text = format!("flood {n}");
            fake.deliver_inbound(
                &channel.webhook,
                &channel.phone_number_id,
                &FakeInbound::text(&format!("3460000{n:04}"), &text),
            )
            .await
            .unwrap()
            .status
        }
    };

    let held = hold_writes(&app.database_url).await;
    let floods = (0..20).map(|n| deliver(n % 2, n));
    let (answers, ()) = tokio::join!(futures::future::join_all(floods), async {
        eventually(20, "two floods fill the overall queue", queued, |n| {
            *n == 20.0
        })
        .await;
        // The third tenant's queue is empty, yet nothing more is taken in.
        assert_eq!(deliver(2, 100).await, 503);
        assert_eq!(received(&app, "meta", "busy").await, 1.0);
        // The API still answers.
        let answer = tenants[2]
            .owner
            .gql
            .query("{ messages(first: 5) { nodes { id } } }", json!({}))
            .await;
        assert_eq!(answer.data()["messages"]["nodes"], json!([]));
        held.rollback().await.unwrap();
    });
    assert_eq!(answers, vec![200; 20]);
    assert_eq!(deliver(2, 101).await, 200);
}
