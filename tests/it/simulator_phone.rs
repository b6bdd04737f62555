//! The simulator's phone page in a browser, and the failures and locations it scripts.

use crate::support::TestTenant;
use serde_json::{json, Value};

use crate::simulator::{
    app_on, control_api, demo_channels, message_delivered, message_status, say, start_simulator,
};

/// Headless Chromium on the simulator's page (`tests/browser/simulator.spec.mjs`): a
/// business message with reply buttons shows delivered ticks, turns read when the customer
/// opens the thread, and the tapped button reaches Switchboard as a button reply.
#[tokio::test]
async fn the_phone_page_reads_and_taps_in_a_browser() {
    use std::path::Path;

    const CUSTOMER: &str = "+34600000007";
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        Path::new(&chromium).exists(),
        "this test needs Chromium at {chromium} (Debian: apt-get install chromium; tests/run installs it)"
    );
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        scripts.join("node_modules/playwright-core").is_dir(),
        "this test needs the npm packages of {}: run `npm ci` there (tests/run does)",
        scripts.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    let (twilio, meta) = demo_channels(&tenant).await;
    // Two customers side by side, one per provider.
    let mut sent = Vec::new();
    for (provider, channel) in [("meta", &meta), ("twilio", &twilio)] {
        let (ok, _, err) = say(
            dir.path(),
            &sim,
            provider,
            channel["webhookUrl"].as_str().unwrap(),
            &[
                "--from",
                CUSTOMER,
                "--name",
                "Ana",
                "--text",
                "Can I change my order?",
            ],
        )
        .await;
        assert!(ok, "{err}");
        let answer = tenant
            .owner
            .gql
            .query(
                "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }",
                json!({ "i": { "channelId": channel["id"], "to": CUSTOMER, "content": { "interactive": { "buttons": {
                    "body": "Change the delivery day?",
                    "buttons": [{ "id": "change-yes", "title": "Yes, change it" }, { "id": "change-no", "title": "No" }] } } } } }),
            )
            .await;
        let id = answer.data()["sendMessage"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        message_delivered(&tenant, &id).await;
        sent.push((channel, id));
    }

    let mut command = tokio::process::Command::new("node");
    command
        .arg(scripts.join("simulator.spec.mjs"))
        .args([
            sim.control.as_str(),
            "Yes, change it",
            &format!("meta:{CUSTOMER}"),
            &format!("twilio:{CUSTOMER}"),
        ])
        .current_dir(&scripts)
        .env("CHROMIUM", &chromium)
        .env(
            "SWITCHBOARD_TEST_TIME_SCALE",
            crate::support::time_scale().to_string(),
        )
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(crate::support::deadline(180), command.output())
        .await
        .expect("the browser test ends within its deadline")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser test failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("simulator page: ok"), "{stdout}\n{stderr}");

    for (channel, id) in sent {
        let status = tenant
            .owner
            .gql
            .query(
                "query($id: ID!) { message(id: $id) { status } }",
                json!({ "id": id }),
            )
            .await
            .data()["message"]["status"]
            .clone();
        assert_eq!(status, "READ", "{}", channel["provider"]);
        crate::support::eventually(
            10,
            &format!("a button reply on {}", channel["provider"]),
            || async {
                tenant
                    .owner
                    .gql
                    .query(
                        "query($c: ID!) { messages(filter: { channelId: $c, direction: INBOUND }, first: 10) { edges { node { content { __typename ... on ButtonReplyContent { id title } } } } } }",
                        json!({ "c": channel["id"] }),
                    )
                    .await
                    .data()["messages"]["edges"]
                    .clone()
            },
            |inbound| {
                inbound.as_array().unwrap().iter().any(|e| {
                    e["node"]["content"]
                        == json!({ "__typename": "ButtonReplyContent", "id": "change-yes", "title": "Yes, change it" })
                })
            },
        )
        .await;
    }
}

/// Waits until the business message `id` failed; answers its provider error code.
async fn message_failed(tenant: &TestTenant, id: &str) -> String {
    let m = crate::support::eventually(
        15,
        "the message fails",
        || message_status(tenant, id),
        |m| m["status"] == "FAILED",
    )
    .await;
    m["lastError"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_phone_scripts_failures_and_sends_locations() {
    const CUSTOMER: &str = "+34600000008";
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    let (twilio, meta) = demo_channels(&tenant).await;
    for (provider, channel, code) in [("twilio", &twilio, "63003"), ("meta", &meta, "131026")] {
        let said = app
            .http
            .post(format!("{}/say", sim.control))
            .json(&json!({ "provider": provider, "webhookUrl": channel["webhookUrl"], "from": CUSTOMER,
                           "name": "Ana", "kind": "location", "latitude": 41.3874, "longitude": 2.1686 }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            said.status().as_u16(),
            200,
            "{}",
            said.text().await.unwrap()
        );
        let inbound = tenant
            .owner
            .gql
            .query(
                "query($c: ID!) { messages(filter: { channelId: $c, direction: INBOUND }, first: 1) { edges { node { content { __typename ... on LocationContent { latitude longitude } } } } } }",
                json!({ "c": channel["id"] }),
            )
            .await
            .data()["messages"]["edges"][0]["node"]["content"]
            .clone();
        assert_eq!(
            inbound,
            json!({ "__typename": "LocationContent", "latitude": 41.3874, "longitude": 2.1686 })
        );

        let scripted = app
            .http
            .post(format!("{}/failure", sim.control))
            .json(&json!({ "provider": provider, "number": CUSTOMER, "failure": "unreachable" }))
            .send()
            .await
            .unwrap();
        assert_eq!(scripted.status().as_u16(), 204);
        let sent = tenant
            .owner
            .gql
            .query(
                "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }",
                json!({ "i": { "channelId": channel["id"], "to": CUSTOMER, "content": { "text": { "body": "Got it." } } } }),
            )
            .await;
        let id = sent.data()["sendMessage"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(message_failed(&tenant, &id).await, code);

        let threads: Vec<Value> = control_api(&app, &sim, "/threads").await;
        let thread = threads
            .iter()
            .find(|t| t["customer"]["provider"] == provider)
            .unwrap();
        assert_eq!(thread["customer"]["failure"], "unreachable");
        let kinds: Vec<(&str, &str)> = thread["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["side"].as_str().unwrap(), m["kind"].as_str().unwrap()))
            .collect();
        assert_eq!(kinds, [("in", "location"), ("out", "text")]);
        assert_eq!(thread["messages"][1]["status"], "failed");
    }
    let unknown = app
        .http
        .post(format!("{}/failure", sim.control))
        .json(&json!({ "provider": "meta", "number": "+34699999999", "failure": "opted_out" }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
}
