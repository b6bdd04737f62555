//! Outgoing webhooks survive a crash: the real binary, delivering many queued events to a
//! slow receiver, is killed with SIGKILL while deliveries are pending and some in flight,
//! then restarted on the same database. Every event reaches the receiver at least once,
//! and twice only if its request was in flight at the kill.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::json;
use switchboard::fakes::meta::{FakeInbound, FakeMeta, FakePhoneNumber};

use crate::support::fixtures::{create_channel, meta_input, META_APP_SECRET, META_TOKEN};
use crate::support::process::{self, free_port, login};
use crate::support::receiver::{Receiver, Reply};
use crate::support::{db, eventually, TestTenant, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};
use crate::webhooks::{deliveries, register};

const PNID: &str = "106540352242922";
const CUSTOMERS: usize = 10;
const MESSAGES_EACH: usize = 4;
const CONCURRENCY: usize = 3;

#[tokio::test]
async fn a_sigkilled_server_delivers_every_event_after_restart_repeating_only_those_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();
    let meta = FakeMeta::spawn().await;
    let listen = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{listen}");
    let concurrency = CONCURRENCY.to_string();
    let env: Vec<(&str, &str)> = vec![
        ("SWITCHBOARD_LISTEN", &listen),
        ("SWITCHBOARD_ADMIN_EMAIL", ADMIN_EMAIL),
        ("SWITCHBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("SWITCHBOARD_META_GRAPH_URL", meta.base_url()),
        ("SWITCHBOARD_OUTGOING_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"),
        ("SWITCHBOARD_OUTGOING_WEBHOOK_CONCURRENCY", &concurrency),
        ("SWITCHBOARD_OUTGOING_WEBHOOK_TIMEOUT", "2"),
        ("SWITCHBOARD_OUTGOING_WEBHOOK_BACKOFF_MS", "100"),
    ];
    let mut server = process::serve(dir.path(), &database_url, &env).await;
    let http = reqwest::Client::new();
    let admin = login(&http, &base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let tenant_id = admin
        .gql
        .query(
            "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }",
            json!({ "i": { "name": "Acme", "ownerEmail": "owner@acme.test", "ownerPassword": PASSWORD } }),
        )
        .await
        .data()["createTenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tenant = TestTenant {
        id: tenant_id,
        owner: login(&http, &base, "owner@acme.test", PASSWORD).await,
        owner_email: "owner@acme.test".into(),
    };
    meta.set_app_secret(META_APP_SECRET);
    meta.add_phone_number(FakePhoneNumber::new(PNID, "102290129340398", META_TOKEN));
    let channel = create_channel(&tenant, meta_input("+15550783881", PNID)).await;
    let hook = channel["webhookUrl"].as_str().unwrap().to_owned();

    // A receiver slow to answer, so deliveries queue up behind the concurrency limit.
    let receiver = Receiver::start().await;
    receiver.always(Reply::slow(Duration::from_millis(300)));
    let (endpoint, _) = register(&tenant, &receiver.url, &["MESSAGE_RECEIVED"]).await;
    // Ten customers, each a conversation of its own, so several deliveries can be in flight.
    for round in 0..MESSAGES_EACH {
        for customer in 0..CUSTOMERS {
            let wa_id = format!("3460000{customer:04}");
            meta.deliver_inbound(
                &hook,
                PNID,
                &FakeInbound::text(&wa_id, &format!("message {round} from {customer}")),
            )
            .await
            .unwrap();
        }
    }
    let total = CUSTOMERS * MESSAGES_EACH;

    // Killed once a few went out, while some are in flight and most still wait.
    eventually(
        30,
        "some deliveries are done and others in flight",
        || async { (receiver.received().len(), receiver.in_flight()) },
        |(got, in_flight)| *got >= 4 * CONCURRENCY && *in_flight == CONCURRENCY,
    )
    .await;
    let in_flight_at_kill = receiver.in_flight();
    server.child.kill().await.expect("SIGKILL");
    let before: Vec<String> = receiver.received().iter().map(|r| r.event_id()).collect();
    assert!(
        before.len() < total,
        "deliveries were still pending at the kill"
    );
    let _server = process::serve(dir.path(), &database_url, &env).await;

    // Every event delivered, each recorded DELIVERED.
    let log = eventually(
        60,
        "every delivery is delivered after the restart",
        || deliveries(&tenant, &endpoint),
        |d| d.len() == total && d.iter().all(|d| d["state"] == "DELIVERED"),
    )
    .await;
    let events: HashSet<String> = log
        .iter()
        .map(|d| d["eventId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events.len(), total, "one event per message");
    let got = receiver.received();
    let mut times: HashMap<String, usize> = HashMap::new();
    for request in &got {
        *times.entry(request.event_id()).or_default() += 1;
    }
    let received: HashSet<String> = times.keys().cloned().collect();
    assert_eq!(received, events, "every event id is received");
    let duplicated: Vec<&String> = times
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    let duplicates: usize = times.values().map(|n| n - 1).sum();
    eprintln!(
        "webhook crash: {total} events, {} received before the kill ({in_flight_at_kill} in flight), {duplicates} duplicate deliveries after the restart",
        before.len()
    );
    assert!(
        duplicates <= CONCURRENCY,
        "at most the deliveries in flight at the kill are repeated: {duplicates}"
    );
    for id in &duplicated {
        assert!(
            before.contains(id),
            "{id} was repeated without being sent before the kill"
        );
        assert_eq!(times[*id], 2, "{id} is repeated once");
    }
}
