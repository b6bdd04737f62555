//! `messageVolume`: a dashboard's counts of messages in and out per time bucket, with the
//! outbound ones' delivery and read rates; its bounds, roles and other tenants' channels.

use chrono::{DurationRound, TimeDelta, Utc};
use serde_json::{json, Value};

use switchboard::fakes::meta::StatusSpec;

use crate::support::fixtures::{meta_conversation, send_text, settled, CUSTOMER};
use crate::support::{TestApp, TestTenant};

const VOLUME: &str = "query($f: DateTime!, $t: DateTime!, $b: Int, $c: ID) {
    messageVolume(from: $f, to: $t, bucketMinutes: $b, channelId: $c) {
        points { start inbound outbound } inbound
        outbound { queued sent delivered read failed deliveryRate readRate } } }";

fn period(minutes: i64, bucket: i64) -> Value {
    let to = Utc::now().duration_trunc(TimeDelta::minutes(1)).unwrap() + TimeDelta::minutes(1);
    let from = to - TimeDelta::minutes(minutes);
    json!({ "f": from.to_rfc3339(), "t": to.to_rfc3339(), "b": bucket })
}

async fn volume(tenant: &TestTenant, variables: Value) -> Value {
    let answer = tenant.owner.gql.query(VOLUME, variables).await;
    answer.data()["messageVolume"].clone()
}

#[tokio::test]
async fn counts_messages_per_bucket_with_delivery_rates() {
    let app = TestApp::spawn().await;
    let (tenant, meta, conversation) = meta_conversation(&app, "Hello").await;
    // The customer reads the first reply; the second is only delivered.
    for (body, status, shown) in [("One", "read", "READ"), ("Two", "delivered", "DELIVERED")] {
        let id = send_text(&tenant, &conversation, body).await;
        let sent = settled(&tenant, &id, |m| m["status"] == "SENT").await;
        let wamid = sent["providerMessageId"].as_str().unwrap();
        let status = StatusSpec::new(wamid, status, &CUSTOMER[1..]);
        app.meta
            .send_status(&meta.webhook, &meta.phone_number_id, status)
            .await
            .unwrap();
        settled(&tenant, &id, |m| m["status"] == shown).await;
    }

    let v = volume(&tenant, period(60, 1)).await;
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 60, "one point per minute: {v}");
    let sum = |key: &str| points.iter().map(|p| p[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!((sum("inbound"), sum("outbound")), (1, 2), "{v}");
    assert_eq!(v["inbound"], 1);
    let out = &v["outbound"];
    let counts = (out["delivered"].as_u64(), out["read"].as_u64());
    assert_eq!(counts, (Some(1), Some(1)), "{v}");
    let rates = (out["deliveryRate"].as_f64(), out["readRate"].as_f64());
    assert_eq!(rates, (Some(1.0), Some(0.5)), "{v}");
    // The points are consecutive minutes, oldest first, and this minute holds the messages.
    let first = chrono::DateTime::parse_from_rfc3339(points[0]["start"].as_str().unwrap()).unwrap();
    let second =
        chrono::DateTime::parse_from_rfc3339(points[1]["start"].as_str().unwrap()).unwrap();
    assert_eq!(second - first, TimeDelta::minutes(1));
    assert!(points[59]["inbound"].as_u64().unwrap() + points[58]["inbound"].as_u64().unwrap() >= 1);

    // Wider buckets hold the same messages; one channel's volume is its own.
    let hourly = volume(&tenant, period(120, 60)).await;
    assert_eq!(hourly["points"].as_array().unwrap().len(), 2);
    assert_eq!(hourly["inbound"], 1);
    let mut of_channel = period(60, 5);
    of_channel["c"] = json!(meta.id);
    let channel = volume(&tenant, of_channel).await;
    assert_eq!(
        (
            channel["inbound"].as_u64(),
            channel["points"].as_array().unwrap().len()
        ),
        (Some(1), 12)
    );

    // Another tenant sees none of it, and its channel id is NOT_FOUND here.
    let other = app.new_tenant("Other").await;
    let theirs = volume(&other, period(60, 1)).await;
    assert_eq!(theirs["inbound"], 0);
    assert_eq!(theirs["outbound"]["deliveryRate"], Value::Null);
    let mut foreign = period(60, 1);
    foreign["c"] = json!(meta.id);
    let answer = other.owner.gql.query(VOLUME, foreign).await;
    assert_eq!(answer.code(), "NOT_FOUND");
}

#[tokio::test]
async fn the_period_is_bounded_and_agents_are_refused() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    for (variables, field) in [
        (period(60, 0), "bucketMinutes"),
        (period(60, 1441), "bucketMinutes"),
        (period(2 * 1440, 1), "from"),
        (
            json!({ "f": "2026-01-02T00:00:00Z", "t": "2026-01-01T00:00:00Z" }),
            "to",
        ),
    ] {
        let answer = tenant.owner.gql.query(VOLUME, variables.clone()).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{variables}");
        assert!(answer.body.to_string().contains(field), "{}", answer.body);
    }
    // A day by the minute is the most one request may ask.
    assert_eq!(
        volume(&tenant, period(1440, 1)).await["points"]
            .as_array()
            .unwrap()
            .len(),
        1440
    );
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    assert_eq!(
        agent.gql.query(VOLUME, period(60, 1)).await.code(),
        "FORBIDDEN"
    );
}
