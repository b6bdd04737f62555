//! Reconciling uncertain sends: a request that timed out after it left is looked up at the
//! provider (Twilio) or waits for a status carrying our id (Meta) before any resend.

use std::time::Duration;

use serde_json::{json, Value};
use switchboard::config::Config;
use switchboard::fakes::meta::StatusSpec;

use crate::support::fixtures::{
    conversations, default_meta_channel, meta_inbound, send_text, twilio_channel, twilio_inbound,
    CUSTOMER, SENDER,
};
use crate::support::{TestApp, TestTenant};

const MESSAGE: &str = "query($id: ID!) { message(id: $id) { status providerMessageId attempts { number outcome providerCode providerMessage providerMessageId startedAt } } }";
const WA_ID: &str = "34600000000";

/// Calls time out after a second; the Meta grace is `grace`.
fn short_timeouts(grace: Duration) -> impl FnOnce(&mut Config) {
    move |config| {
        config.provider_timeout = Duration::from_secs(1);
        config.outbox_lease = Duration::from_secs(3);
        config.outbox_status_grace = grace;
    }
}

async fn message(tenant: &TestTenant, id: &str) -> Value {
    tenant
        .owner
        .gql
        .query(MESSAGE, json!({ "id": id }))
        .await
        .data()["message"]
        .clone()
}

/// The message once `done` says so.
pub(crate) async fn until(tenant: &TestTenant, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    crate::support::eventually(20, "the message", || message(tenant, id), done).await
}

pub(crate) fn outcomes(message: &Value) -> Vec<String> {
    message["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn first_conversation(tenant: &TestTenant) -> String {
    conversations(tenant).await[0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_twilio_send_that_timed_out_but_arrived_is_found_not_sent_again() {
    let app = TestApp::spawn_with(short_timeouts(Duration::from_secs(2))).await;
    let tenant = app.new_tenant("Acme").await;
    let other = app.new_tenant("Globex").await;
    let channel = twilio_channel(&app, &tenant).await;
    twilio_inbound(&app, &channel, "hi").await;
    let conversation = first_conversation(&tenant).await;
    // Callbacks lost and the answer too late: only the lookup can tell.
    app.twilio.configure(|s| {
        s.status_callbacks = false;
        s.answer_delay = Duration::from_millis(1500);
    });
    let id = send_text(&tenant, &conversation, "Your order shipped").await;
    crate::support::eventually(
        5,
        "the send starts",
        || async { app.twilio.in_flight() },
        |n| *n > 0,
    )
    .await;
    assert_eq!(app.twilio.in_flight(), 1, "one request awaits its answer");

    let settled = until(&tenant, &id, |m| m["status"] != "QUEUED").await;
    assert_eq!(settled["status"], "SENT", "{settled}");
    assert_eq!(outcomes(&settled), ["TIMEOUT", "RECONCILED"], "{settled}");
    let at_fake: Vec<_> = app
        .twilio
        .messages()
        .into_iter()
        .filter(|m| {
            m.status_callback
                .as_deref()
                .is_some_and(|u| u.contains(&id))
        })
        .collect();
    assert_eq!(at_fake.len(), 1, "sent exactly once");
    assert_eq!(settled["providerMessageId"], at_fake[0].sid.as_str());
    assert_eq!(
        settled["attempts"][1]["providerMessageId"],
        at_fake[0].sid.as_str()
    );
    let lookup = app
        .twilio
        .requests_to("/Messages.json")
        .into_iter()
        .find(|r| r.method == "GET")
        .expect("the message list was asked");
    let query: Vec<(String, String)> =
        form_urlencoded::parse(lookup.query.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let value = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(value("To"), Some(format!("whatsapp:{CUSTOMER}").as_str()));
    assert_eq!(value("From"), Some(format!("whatsapp:{SENDER}").as_str()));
    assert!(value("DateSent>").is_some(), "{query:?}");

    // Another tenant sees neither the message nor its attempts.
    let hidden = other.owner.gql.query(MESSAGE, json!({ "id": id })).await;
    assert!(hidden.body["data"]["message"].is_null(), "{}", hidden.body);
}

#[tokio::test]
async fn a_twilio_send_that_never_arrived_is_sent_again_after_the_lookup() {
    let app = TestApp::spawn_with(short_timeouts(Duration::from_secs(2))).await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    twilio_inbound(&app, &channel, "hi").await;
    let conversation = first_conversation(&tenant).await;
    app.twilio.configure(|s| s.status_callbacks = false);
    // Held before Twilio creates anything; the client gives up and the request dies.
    app.twilio.delay_next(Duration::from_millis(1500), 1);
    let id = send_text(&tenant, &conversation, "Second try").await;

    let settled = until(&tenant, &id, |m| m["status"] != "QUEUED").await;
    // An absence to prove: the held request outlives its delay without creating a second
    // message at the fake, and no API shows a request that died. So wait out the delay.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        outcomes(&settled),
        ["TIMEOUT", "NOT_FOUND", "SENT"],
        "{settled}"
    );
    let at_fake: Vec<_> = app
        .twilio
        .messages()
        .into_iter()
        .filter(|m| {
            m.status_callback
                .as_deref()
                .is_some_and(|u| u.contains(&id))
        })
        .collect();
    assert_eq!(at_fake.len(), 1, "{at_fake:?}");
    assert_eq!(settled["providerMessageId"], at_fake[0].sid.as_str());
}

/// A tenant whose Meta channel has a conversation open, with automatic statuses off.
pub(crate) async fn meta_setup(
    app: &TestApp,
) -> (TestTenant, crate::support::fixtures::MetaChannel, String) {
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(app, &tenant).await;
    meta_inbound(app, &meta, WA_ID, "help").await;
    app.meta
        .set_status_knobs(switchboard::fakes::meta::StatusKnobs {
            auto: false,
            ..Default::default()
        });
    let conversation = first_conversation(&tenant).await;
    (tenant, meta, conversation)
}

#[tokio::test]
async fn a_meta_timeout_settled_by_a_status_within_the_grace_is_not_sent_again() {
    let app = TestApp::spawn_with(short_timeouts(Duration::from_secs(3))).await;
    let (tenant, meta, conversation) = meta_setup(&app).await;
    app.meta.set_answer_delay(Duration::from_millis(1500));
    let id = send_text(&tenant, &conversation, "On it").await;

    until(&tenant, &id, |m| {
        outcomes(m).last().map(String::as_str) == Some("AWAITING_STATUS")
    })
    .await;
    let sent = app.meta.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].correlation.as_deref(), Some(id.as_str()));
    let mut status = StatusSpec::new(&sent[0].wamid, "delivered", WA_ID);
    status.correlation = Some(id.clone());
    app.meta
        .send_status(&meta.webhook, &meta.phone_number_id, status)
        .await
        .unwrap();

    let done = until(&tenant, &id, |m| {
        outcomes(m).last().map(String::as_str) == Some("SKIPPED")
    })
    .await;
    assert_eq!(done["status"], "DELIVERED", "{done}");
    assert_eq!(
        outcomes(&done),
        ["TIMEOUT", "AWAITING_STATUS", "SKIPPED"],
        "{done}"
    );
    assert_eq!(done["providerMessageId"], sent[0].wamid.as_str());
    assert_eq!(app.meta.sent_messages().len(), 1, "no resend");
}

#[tokio::test]
async fn the_next_part_of_a_split_text_goes_once_a_status_settles_an_uncertain_first_part() {
    const PARTS: &str = "query($id: ID!) { message(id: $id) { parts { id status } } }";
    let app = TestApp::spawn_with(short_timeouts(Duration::from_secs(3))).await;
    let (tenant, meta, conversation) = meta_setup(&app).await;
    app.meta.set_answer_delay(Duration::from_millis(1500));
    let long = (0..900)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let id = send_text(&tenant, &conversation, &long).await;
    until(&tenant, &id, |m| {
        outcomes(m).last().map(String::as_str) == Some("AWAITING_STATUS")
    })
    .await;
    app.meta.set_answer_delay(Duration::ZERO);
    let sent = app.meta.sent_messages();
    let mut status = StatusSpec::new(&sent[0].wamid, "delivered", WA_ID);
    status.correlation = Some(id.clone());
    app.meta
        .send_status(&meta.webhook, &meta.phone_number_id, status)
        .await
        .unwrap();

    // The first part's job ends SKIPPED, and the part waiting behind it goes.
    let parts = crate::support::eventually(
        20,
        "both parts leave the queue",
        || async {
            let answer = tenant.owner.gql.query(PARTS, json!({ "id": id })).await;
            answer.data()["message"]["parts"]
                .as_array()
                .unwrap()
                .clone()
        },
        |parts| parts.iter().all(|p| p["status"] != "QUEUED"),
    )
    .await;
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert_eq!(app.meta.sent_messages().len(), 2, "each part once");
}

#[tokio::test]
async fn a_meta_timeout_without_a_status_is_sent_again_after_the_grace_as_a_possible_duplicate() {
    let grace = Duration::from_secs(2);
    let app = TestApp::spawn_with(short_timeouts(grace)).await;
    let (tenant, _meta, conversation) = meta_setup(&app).await;
    app.meta.set_answer_delay(Duration::from_millis(1500));
    let id = send_text(&tenant, &conversation, "On it").await;
    until(&tenant, &id, |m| {
        outcomes(m).first().map(String::as_str) == Some("TIMEOUT")
    })
    .await;
    app.meta.set_answer_delay(Duration::ZERO);

    let done = until(&tenant, &id, |m| m["status"] != "QUEUED").await;
    assert_eq!(done["status"], "SENT", "{done}");
    assert_eq!(
        outcomes(&done),
        ["TIMEOUT", "AWAITING_STATUS", "UNRECONCILED", "SENT"],
        "{done}"
    );
    let at = |i: usize| {
        chrono::DateTime::parse_from_rfc3339(done["attempts"][i]["startedAt"].as_str().unwrap())
            .unwrap()
    };
    assert!(
        at(2) - at(1) >= chrono::Duration::from_std(grace).unwrap(),
        "waited the grace"
    );
    assert!(done["attempts"][3]["providerMessage"]
        .as_str()
        .unwrap()
        .contains("possible duplicate"));
    let sent: Vec<_> = app
        .meta
        .sent_messages()
        .into_iter()
        .filter(|m| m.correlation.as_deref() == Some(id.as_str()))
        .collect();
    assert_eq!(sent.len(), 2, "the resend is the recorded duplicate");
    assert_eq!(done["providerMessageId"], sent[1].wamid.as_str());
}
