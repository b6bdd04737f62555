//! What an operator reads in the logs: a WARN line per failed send and per refused webhook,
//! an INFO line per channel verification, each naming the channel and message but never a
//! secret, a token or a message's text.

use serde_json::{json, Value};
use switchboard::fakes::twilio::{FakeTwilio, InboundParams};

use crate::support::process::{owner_token, serve_logged, terminate, ADMIN};
use crate::support::{db, deadline, Gql};

const CUSTOMER: &str = "+34600000000";
const SENDER: &str = "+14155238886";
const SECRET_TEXT: &str = "the-customers-private-words-4471";

/// Sends `text` and waits until the message leaves QUEUED.
async fn send_and_settle(gql: &Gql, channel: &str, text: &str) -> Value {
    let sent = gql
        .query(
            "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }",
            json!({ "i": { "channelId": channel, "to": CUSTOMER, "content": { "text": { "body": text } } } }),
        )
        .await;
    let id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    crate::support::eventually(
        30,
        "the message settles",
        || async {
            gql.query(
                "query($id: ID!) { message(id: $id) { id status } }",
                json!({ "id": id.as_str() }),
            )
            .await
            .data()["message"]
                .clone()
        },
        |message| !matches!(message["status"].as_str(), Some("QUEUED" | "SENT")),
    )
    .await
}

#[tokio::test]
async fn failed_sends_and_refused_webhooks_leave_one_line_an_operator_can_act_on() {
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();
    let twilio = FakeTwilio::spawn().await.unwrap();
    let account = twilio.add_account("Acme", SENDER);
    let mut logged = serve_logged(
        dir.path(),
        &[
            ("SWITCHBOARD_LOG", "info"),
            ("SWITCHBOARD_DATABASE_URL", &database_url),
            ("SWITCHBOARD_ADMIN_EMAIL", ADMIN.0),
            ("SWITCHBOARD_ADMIN_PASSWORD", ADMIN.1),
            ("SWITCHBOARD_TWILIO_API_URL", twilio.base_url()),
            ("SWITCHBOARD_TWILIO_CONTENT_URL", twilio.base_url()),
            ("SWITCHBOARD_TWILIO_MESSAGING_URL", twilio.base_url()),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let base = format!("http://{}", logged.addr);
    let token = owner_token(&http, &base).await;
    let gql = Gql::new(http.clone(), format!("{base}/graphql"), Some(token.clone()));
    let channel = gql
        .query(
            "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id webhookUrl } }",
            json!({ "i": { "name": "Support", "provider": "TWILIO", "phoneNumber": SENDER,
                    "twilio": { "accountSid": account.sid, "authToken": account.auth_token } } }),
        )
        .await;
    let channel = channel.data()["createChannel"].clone();
    let channel_id = channel["id"].as_str().unwrap().to_owned();
    let webhook = channel["webhookUrl"].as_str().unwrap().to_owned();
    gql.query(
        "mutation($id: ID!) { verifyChannel(id: $id) { verifiedAt } }",
        json!({ "id": channel_id }),
    )
    .await
    .data();
    twilio
        .deliver_inbound(
            &webhook,
            &account.auth_token,
            &InboundParams::text(&account.sid, CUSTOMER, SENDER, "hi"),
        )
        .await
        .unwrap();

    // Refused when sent, and refused later by a status callback.
    twilio.fail_next(63016, 1);
    let refused = send_and_settle(&gql, &channel_id, SECRET_TEXT).await;
    assert_eq!(refused["status"], "FAILED");
    twilio.fail_async_next(30008, 1);
    let undelivered = send_and_settle(&gql, &channel_id, SECRET_TEXT).await;
    assert_eq!(undelivered["status"], "FAILED");
    // A forged webhook.
    let forged = http
        .post(&webhook)
        .header("x-twilio-signature", "AAAA")
        .form(&[("MessageSid", "SM1"), ("Body", SECRET_TEXT)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    terminate(&logged.server).await;
    tokio::time::timeout(deadline(60), logged.server.wait())
        .await
        .expect("the server stops")
        .unwrap();
    let output = logged.stderr.lock().unwrap().clone();
    let lines =
        |needle: &str| -> Vec<&str> { output.lines().filter(|l| l.contains(needle)).collect() };
    let failed = lines("switchboard::services::outbox: a send failed");
    assert_eq!(failed.len(), 1, "{output}");
    for needle in [
        "WARN",
        refused["id"].as_str().unwrap(),
        &channel_id,
        "63016",
    ] {
        assert!(
            failed[0].contains(needle),
            "{needle} missing: {}",
            failed[0]
        );
    }
    let reported = lines("the provider reports a send failed");
    assert_eq!(reported.len(), 1, "{output}");
    for needle in ["WARN", undelivered["id"].as_str().unwrap(), "30008"] {
        assert!(
            reported[0].contains(needle),
            "{needle} missing: {}",
            reported[0]
        );
    }
    let forged = lines("webhook refused: bad or missing signature");
    assert_eq!(forged.len(), 1, "{output}");
    assert!(forged[0].contains("WARN") && forged[0].contains(&channel_id));
    let verified = lines("channel verified");
    assert_eq!(verified.len(), 1, "{output}");
    assert!(verified[0].contains("INFO") && verified[0].contains(&channel_id));
    assert!(
        verified[0].contains("provider=\"TWILIO\"") && verified[0].contains("outcome=\"verified\""),
        "{}",
        verified[0]
    );
    for secret in [
        SECRET_TEXT,
        account.auth_token.as_str(),
        token.rsplit('.').next().unwrap(),
    ] {
        assert!(!output.contains(secret), "{secret} was logged");
    }
}
