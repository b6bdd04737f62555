//! The event log behind subscriptions: every event has a place given by the database in
//! commit order, a subscriber that reconnects with its last cursor gets what it missed once
//! and in order, and instances sharing a database hear each other's events through the log,
//! whatever happens to the instance that committed them or to the listener's connection.

use std::collections::HashSet;

use base64::Engine;
use serde_json::{json, Value};
use switchboard::fakes::twilio::InboundParams;

use crate::subscriptions::{next_payload, subscribe, subscribe_at, subscribe_unconfirmed, Socket};
use crate::support::campaign_run::Rig;
use crate::support::fixtures::{twilio_channel, SENDER};
use crate::support::process::{free_port, login};
use crate::support::{db, TestApp, PASSWORD};

const EVENTS: &str = "subscription($after: String) { messageEvents(after: $after) { kind cursor message { text } } }";

/// The log position a cursor names.
fn position(cursor: &str) -> i64 {
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .unwrap();
    String::from_utf8(text)
        .unwrap()
        .strip_prefix("evt:")
        .unwrap()
        .parse()
        .unwrap()
}

/// The next message event's text and cursor.
async fn next_message(socket: &mut Socket) -> (String, String) {
    let payload = next_payload(socket).await;
    let event = &payload["data"]["messageEvents"];
    assert_eq!(event["kind"], "RECEIVED", "{payload}");
    (
        event["message"]["text"].as_str().unwrap().to_owned(),
        event["cursor"].as_str().unwrap().to_owned(),
    )
}

/// A customer of their own for each `n`, so messages commit in parallel transactions.
fn customer(n: usize) -> String {
    format!("+3461{n:07}")
}

#[tokio::test]
async fn a_reconnecting_subscriber_resumes_from_its_cursor_with_no_gap_and_no_duplicate() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let token = tenant.owner.access_token.clone();
    let mut socket = subscribe(&app, &token, EVENTS, json!({})).await;

    // Webhooks from many customers at once: their transactions commit in any order.
    const TOTAL: usize = 60;
    let twilio = &app.twilio;
    let (url, sid, auth) = (
        &channel.webhook,
        &channel.account.sid,
        &channel.account.auth_token,
    );
    let senders = futures::future::join_all((0..6).map(|worker| async move {
        for n in (worker..TOTAL).step_by(6) {
            let params = InboundParams::text(sid, &customer(n), SENDER, &format!("m{n}"));
            let answer = twilio.deliver_inbound(url, auth, &params).await.unwrap();
            assert_eq!(answer.status, 200);
        }
    }));
    // Away after the first 20, while the rest commit.
    let first_20 = async move {
        let mut seen: Vec<(String, i64)> = Vec::new();
        let mut last_cursor = String::new();
        for _ in 0..20 {
            let (text, cursor) = next_message(&mut socket).await;
            seen.push((text, position(&cursor)));
            last_cursor = cursor;
        }
        (seen, last_cursor)
    };
    let (_, (mut seen, last_cursor)) = tokio::join!(senders, first_20);
    let mut socket =
        subscribe_unconfirmed(&app, &token, EVENTS, json!({ "after": last_cursor })).await;
    while seen.len() < TOTAL {
        let (text, cursor) = next_message(&mut socket).await;
        seen.push((text, position(&cursor)));
    }
    let texts: HashSet<&str> = seen.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts.len(), TOTAL, "every message once: {seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0].1 < w[1].1),
        "in log order: {seen:?}"
    );
    // Nothing more is pending: a new message comes next, live.
    let params = InboundParams::text(&channel.account.sid, &customer(999), SENDER, "live");
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
    let (text, cursor) = next_message(&mut socket).await;
    assert_eq!(text, "live");
    assert!(position(&cursor) > seen.last().unwrap().1);

    // The change feed from the same cursor finds the same messages, each once.
    let gql = &tenant.owner.gql;
    let mut after = Value::Null;
    let mut fed = Vec::new();
    loop {
        let page = gql
            .query(
                "query($a: String) { messages(after: $a, first: 25) { edges { cursor node { text } } pageInfo { hasNextPage } } }",
                json!({ "a": if after.is_null() { json!(last_cursor_of(&seen, 19)) } else { after.clone() } }),
            )
            .await;
        let messages = &page.data()["messages"];
        for edge in messages["edges"].as_array().unwrap() {
            fed.push(edge["node"]["text"].as_str().unwrap().to_owned());
            after = edge["cursor"].clone();
        }
        if messages["pageInfo"]["hasNextPage"] != true {
            break;
        }
    }
    let expected: Vec<&str> = seen[20..]
        .iter()
        .map(|(t, _)| t.as_str())
        .chain(["live"])
        .collect();
    assert_eq!(fed, expected);
}

/// The cursor of the `i`th event seen.
fn last_cursor_of(seen: &[(String, i64)], i: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("evt:{}", seen[i].1))
}

#[tokio::test]
async fn a_cursor_older_than_the_log_keeps_is_refused() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let mut socket = subscribe(&app, &tenant.owner.access_token, EVENTS, json!({})).await;
    let params = InboundParams::text(&channel.account.sid, &customer(1), SENDER, "old");
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
    let (_, cursor) = next_message(&mut socket).await;
    let params = InboundParams::text(&channel.account.sid, &customer(1), SENDER, "newer");
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
    next_message(&mut socket).await;

    // The retention setting prunes by age; here everything is pruned at once.
    let store = switchboard::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    let future = chrono::Utc::now() + chrono::Duration::hours(1);
    assert!(store.event_log().prune(future, 10_000).await.unwrap() >= 2);

    let mut resumed = subscribe_unconfirmed(
        &app,
        &tenant.owner.access_token,
        EVENTS,
        json!({ "after": cursor }),
    )
    .await;
    let answer: Value = loop {
        let frame = crate::subscriptions::next(&mut resumed).await;
        let message: Value = serde_json::from_str(frame.to_text().unwrap()).unwrap();
        if message["type"] != "ping" {
            break message;
        }
    };
    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
    let feed = tenant
        .owner
        .gql
        .query(
            "query($a: String) { messages(after: $a) { edges { cursor } } }",
            json!({ "a": cursor }),
        )
        .await;
    assert_eq!(crate::support::code(&feed.body), "BAD_USER_INPUT");
}

const OWN_NUMBER: &str = "+14155550199";

/// Delivers `texts` from one customer each to the instance at `addr`, all acknowledged.
async fn deliver(rig: &Rig, addr: &str, key: &str, sid: &str, auth: &str, texts: &[String]) {
    let url = format!("http://{addr}/webhooks/twilio/{key}");
    for (n, text) in texts.iter().enumerate() {
        let params = InboundParams::text(sid, &customer(n), OWN_NUMBER, text);
        let answer = rig
            .twilio
            .deliver_inbound(&url, auth, &params)
            .await
            .unwrap();
        assert_eq!(answer.status, 200, "{text}");
    }
}

/// Reads message events until every one of `texts` has arrived; answers how often each did.
async fn receive_all(socket: &mut Socket, texts: &[String]) -> Vec<String> {
    let wanted: HashSet<&String> = texts.iter().collect();
    let mut got: Vec<String> = Vec::new();
    while !wanted.iter().all(|t| got.contains(t)) {
        let (text, _) = next_message(socket).await;
        got.push(text);
    }
    got
}

#[tokio::test]
async fn a_subscriber_on_one_instance_hears_every_event_another_commits_through_kills_and_cuts() {
    let rig = Rig::new().await;
    let a_listen = format!("127.0.0.1:{}", free_port());
    let b_listen = format!("127.0.0.1:{}", free_port());
    let mut a = rig.serve(&a_listen).await;
    let b = rig.serve(&b_listen).await;
    let (tenant, _) = rig.campaigns(&format!("http://{a_listen}")).await;
    // A number of its own: the rig's tenant has a channel on SENDER already.
    let account = rig.twilio.add_account("Acme events", OWN_NUMBER);
    let created = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id webhookUrl } }",
            json!({ "i": { "name": "Events", "provider": "TWILIO", "phoneNumber": OWN_NUMBER,
                   "twilio": { "accountSid": account.sid, "authToken": account.auth_token } } }),
        )
        .await;
    let url = created.data()["createChannel"]["webhookUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = url.rsplit('/').next().unwrap().to_owned();
    let on_b = login(
        &rig.http,
        &format!("http://{b_listen}"),
        "owner@acme.test",
        PASSWORD,
    )
    .await;
    let mut watching = subscribe_at(&b.addr, &on_b.access_token, EVENTS, json!({})).await;

    // Committed by A, which is killed the moment the last one is acknowledged.
    let first: Vec<String> = (0..20).map(|n| format!("before the kill {n}")).collect();
    deliver(
        &rig,
        &a_listen,
        &key,
        &account.sid,
        &account.auth_token,
        &first,
    )
    .await;
    a.child.start_kill().unwrap();
    a.child.wait().await.unwrap();
    let got = receive_all(&mut watching, &first).await;
    assert_eq!(got.len(), first.len(), "each once: {got:?}");

    if db::on_postgres() {
        // B's listening connection is cut: it reconnects, and reads what it missed.
        let admin = switchboard::store::Store::connect(&rig.database_url)
            .await
            .unwrap();
        use sea_orm::ConnectionTrait;
        let cut = admin
            .connection()
            .execute_unprepared(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
            )
            .await
            .unwrap();
        assert!(cut.rows_affected() >= 1, "a listener was cut");
    }
    // A comes back and commits more while B's listener may still be reconnecting.
    let a = rig.serve(&a_listen).await;
    let second: Vec<String> = (0..20).map(|n| format!("after the cut {n}")).collect();
    deliver(
        &rig,
        &a_listen,
        &key,
        &account.sid,
        &account.auth_token,
        &second,
    )
    .await;
    let got = receive_all(&mut watching, &second).await;
    assert_eq!(got.len(), second.len(), "each once: {got:?}");
    drop((a, b));
}
