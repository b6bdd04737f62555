//! Two server processes on one database share the outbox: a channel's messages-per-second
//! limit holds for both together, each message is sent once, and one tenant's backlog does
//! not hold up another tenant's `sendMessage`.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;
use switchboard::domain::records::{MessageRecord, Part};
use switchboard::domain::{Direction, MessageContent, MessageId, MessageStatus};
use switchboard::fakes::meta::{FakeInbound, FakePhoneNumber};
use switchboard::store::{Store, TenantScope};

use crate::support::campaign_run::Rig;
use crate::support::fixtures::{
    conversation_id, create_channel, meta_input, send_text, settled, META_APP_SECRET, META_TOKEN,
};
use crate::support::process::free_port;
use crate::support::{eventually, metric, TestTenant};

/// Receive times of the fake Meta's message sends for `phone_number_id`, sorted.
fn sends_at(rig: &Rig, phone_number_id: &str) -> Vec<Instant> {
    let suffix = format!("/{phone_number_id}/messages");
    let mut times: Vec<Instant> = rig
        .meta
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(&suffix))
        .map(|r| r.received_at)
        .collect();
    times.sort();
    times
}

#[tokio::test]
async fn a_channel_limit_holds_across_two_instances() {
    const RATE: usize = 10;
    // A second's burst, then twelve seconds at the limit.
    const MESSAGES: usize = RATE + 12 * RATE;
    let rig = Rig::new().await;
    let (a_listen, b_listen) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let _a = rig.serve(&a_listen).await;
    let _b = rig.serve(&b_listen).await;
    let pnid = "106540352242903";
    let (tenant, channel, contact) = meta_tenant(
        &rig,
        &format!("http://{a_listen}"),
        "Acme",
        pnid,
        "+15550783803",
        RATE as u32,
    )
    .await;
    backlog(&rig, &tenant.id, &channel, &contact, MESSAGES).await;

    let times = eventually(
        120,
        "every message reaches the fake",
        || std::future::ready(sends_at(&rig, pnid)),
        |t| t.len() >= MESSAGES,
    )
    .await;
    // From the end of the burst's second (send 2 × rate) to the last: about eleven seconds.
    let from = 2 * RATE;
    let last = times.len() - 1;
    let span = times[last].duration_since(times[from]).as_secs_f64();
    let steady = (last - from) as f64 / span;
    let burst = times
        .iter()
        .filter(|t| t.duration_since(times[0]) < Duration::from_secs(1))
        .count();
    println!(
        "shared limit: {MESSAGES} sends at {RATE}/s through two instances; \
         {steady:.2}/s over the {span:.1} s after the burst, {burst} in the first second"
    );
    assert!(
        (steady / RATE as f64 - 1.0).abs() <= 0.05,
        "{steady}/s against a limit of {RATE}/s"
    );
    // Both instances sent, and each message reached the fake once.
    for listen in [&a_listen, &b_listen] {
        let sent = metric(&rig.http, listen, "switchboard_send_duration_seconds_count").await;
        assert!(sent > 0.0, "the instance at {listen} sent nothing");
    }
    let mut ids: Vec<String> = rig
        .meta
        .sent_messages()
        .into_iter()
        .filter(|m| m.phone_number_id == pnid)
        .filter_map(|m| m.correlation)
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), MESSAGES, "each message once");
    assert_eq!(times.len(), MESSAGES, "no message twice");
}

/// A tenant with its own Meta number at `rate` messages a second and a customer who wrote
/// in; answers the tenant, the channel's id and the customer's contact id.
async fn meta_tenant(
    rig: &Rig,
    base: &str,
    name: &str,
    pnid: &str,
    number: &str,
    rate: u32,
) -> (TestTenant, String, String) {
    let owner = format!("owner@{}.test", name.to_lowercase());
    let tenant = rig.tenant_named(base, name, &owner).await;
    rig.meta.set_app_secret(META_APP_SECRET);
    rig.meta
        .add_phone_number(FakePhoneNumber::new(pnid, "102290129340399", META_TOKEN));
    let channel = create_channel(&tenant, meta_input(number, pnid)).await;
    let channel_id = channel["id"].as_str().unwrap().to_owned();
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!, $r: Int!) { updateChannel(id: $id, input: { settings: { messagesPerSecond: $r } }) { id } }",
            json!({ "id": channel_id, "r": rate }),
        )
        .await
        .data();
    let delivered = rig
        .meta
        .deliver_inbound(
            channel["webhookUrl"].as_str().unwrap(),
            pnid,
            &FakeInbound::text("34600009999", "hello"),
        )
        .await
        .unwrap();
    assert_eq!(delivered.status, 200, "{delivered:?}");
    let contacts = tenant
        .owner
        .gql
        .query(
            "{ contacts(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let contact = contacts.data()["contacts"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (tenant, channel_id, contact)
}

/// `count` text messages QUEUED for `contact` on `channel` at once, with their outbox
/// jobs, in one transaction: a backlog such as a campaign or an import leaves.
async fn backlog(rig: &Rig, tenant: &str, channel: &str, contact: &str, count: usize) {
    let id = |s: &str| uuid::Uuid::parse_str(s).unwrap();
    let (tenant, channel, contact) = (id(tenant).into(), id(channel).into(), id(contact).into());
    let store = Store::connect(&rig.database_url).await.unwrap();
    let now = Utc::now();
    let txn = store.begin_write().await.unwrap();
    let scope = TenantScope::new(&txn, tenant);
    for i in 0..count {
        let record = MessageRecord {
            id: MessageId::new(),
            revision: uuid::Uuid::now_v7(),
            channel,
            conversation: None,
            contact,
            direction: Direction::Outbound,
            status: MessageStatus::Queued,
            provider_message_id: None,
            content: MessageContent::Text {
                body: format!("Backlog {i}"),
                preview_url: false,
            },
            reply_to_provider_id: None,
            forwarded: false,
            referral: None,
            idempotency_key: None,
            error_code: None,
            error_message: None,
            part: Part::WHOLE,
            sent_at: now,
            created_at: now,
            updated_at: now,
        };
        scope.messages().insert(&record, &[], now).await.unwrap();
        scope
            .outbox()
            .enqueue(record.id, channel, None, now)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
}

#[tokio::test]
async fn another_tenant_s_message_is_sent_past_a_backlog() {
    const BACKLOG: usize = 300;
    let rig = Rig::new().await;
    let (a_listen, b_listen) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let _a = rig.serve(&a_listen).await;
    let _b = rig.serve(&b_listen).await;
    let (base_a, base_b) = (format!("http://{a_listen}"), format!("http://{b_listen}"));
    let (acme, acme_channel, acme_contact) =
        meta_tenant(&rig, &base_a, "Acme", "106540352242901", "+15550783801", 25).await;
    let (globex, _, _) = meta_tenant(
        &rig,
        &base_b,
        "Globex",
        "106540352242902",
        "+15550783802",
        25,
    )
    .await;
    let conversation = conversation_id(&globex).await;

    // Acme's backlog: twelve seconds of sends at its channel's limit, all due now.
    backlog(&rig, &acme.id, &acme_channel, &acme_contact, BACKLOG).await;
    eventually(
        30,
        "the backlog is sending",
        || std::future::ready(sends_at(&rig, "106540352242901").len()),
        |n| *n >= 10,
    )
    .await;
    let id = send_text(&globex, &conversation, "Your order is ready").await;
    settled(&globex, &id, |m| m["status"] == "SENT").await;
    let acme_sent = sends_at(&rig, "106540352242901").len();
    println!("fairness: another tenant's message SENT after {acme_sent} of a backlog of {BACKLOG}");
    // First come first served would have sent nearly all of the backlog first.
    assert!(
        acme_sent <= BACKLOG / 3,
        "{acme_sent} of the backlog went first"
    );
}
