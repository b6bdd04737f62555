//! Delivery statuses from webhooks: they move forward only, apply when their message is
//! recorded later, and are kept for messages not known yet.

use crate::support::fixtures::default_meta_channel;
use crate::support::fixtures::meta_inbound;
use crate::support::{TestApp, TestTenant};
use serde_json::json;

/// An outbound message as the outbox will record it, for status tests until sends exist.
async fn outbound_fixture(
    app: &TestApp,
    tenant: &TestTenant,
    channel_id: &str,
    provider_id: &str,
) -> String {
    use switchboard::domain::records::MessageRecord;
    use switchboard::domain::{Direction, MessageContent, MessageId, MessageStatus};
    let store = switchboard::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    let scope = store.tenant(tenant.id.parse().unwrap());
    let conversation = scope
        .conversations()
        .list(
            &switchboard::domain::Visibility::All,
            &Default::default(),
            switchboard::domain::PageRequest {
                first: 1,
                after: None,
            },
        )
        .await
        .unwrap()
        .items
        .remove(0);
    let now = chrono::Utc::now();
    let record = MessageRecord {
        id: MessageId::new(),
        revision: uuid::Uuid::now_v7(),
        channel: channel_id.parse().unwrap(),
        conversation: Some(conversation.id),
        contact: conversation.contact,
        direction: Direction::Outbound,
        status: MessageStatus::Queued,
        provider_message_id: Some(provider_id.to_owned()),
        content: MessageContent::Text {
            body: "We are on it".into(),
            preview_url: false,
        },
        reply_to_provider_id: None,
        forwarded: false,
        referral: None,
        idempotency_key: None,
        error_code: None,
        error_message: None,
        part: switchboard::domain::records::Part::WHOLE,
        sent_at: now,
        created_at: now,
        updated_at: now,
    };
    scope.messages().insert(&record, &[], now).await.unwrap();
    store.close().await;
    record.id.to_string()
}

#[tokio::test]
async fn statuses_move_forward_only_whatever_their_order() {
    use switchboard::fakes::meta::StatusSpec;
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    meta_inbound(&app, &meta, "34600000000", "hi").await;
    let id = outbound_fixture(&app, &tenant, &meta.id, "wamid.OUT1").await;
    let status = |s: &str| StatusSpec::new("wamid.OUT1", s, "34600000000");
    for s in ["read", "sent", "delivered", "read"] {
        app.meta
            .send_status(&meta.webhook, &meta.phone_number_id, status(s))
            .await
            .unwrap();
    }
    let mut failed = status("failed");
    failed.error = Some((131047, "Re-engagement message".into()));
    app.meta
        .send_status(&meta.webhook, &meta.phone_number_id, failed)
        .await
        .unwrap();
    let answer = tenant
        .owner
        .gql
        .query("query($id: ID!) { message(id: $id) { status lastError { code } statusHistory { status providerStatus errorCode } } }", json!({ "id": id }))
        .await;
    let message = &answer.data()["message"];
    assert_eq!(
        message["status"], "READ",
        "a late failure does not undo the read"
    );
    assert!(message["lastError"].is_null());
    let history: Vec<&str> = message["statusHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["providerStatus"].as_str().unwrap())
        .collect();
    assert_eq!(history.len(), 4, "each provider status once: {history:?}");
    assert!(message["statusHistory"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["errorCode"] == "131047"));

    // A failure before delivery ends the message with the provider's code.
    let second = outbound_fixture(&app, &tenant, &meta.id, "wamid.OUT2").await;
    app.meta
        .send_status(
            &meta.webhook,
            &meta.phone_number_id,
            StatusSpec::new("wamid.OUT2", "sent", "34600000000"),
        )
        .await
        .unwrap();
    let mut failed = StatusSpec::new("wamid.OUT2", "failed", "34600000000");
    failed.error = Some((131026, "Message undeliverable".into()));
    app.meta
        .send_status(&meta.webhook, &meta.phone_number_id, failed)
        .await
        .unwrap();
    app.meta
        .send_status(
            &meta.webhook,
            &meta.phone_number_id,
            StatusSpec::new("wamid.OUT2", "delivered", "34600000000"),
        )
        .await
        .unwrap();
    let answer = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { message(id: $id) { status lastError { code message } } }",
            json!({ "id": second }),
        )
        .await;
    assert_eq!(answer.data()["message"]["status"], "FAILED");
    assert_eq!(answer.data()["message"]["lastError"]["code"], "131026");
}

#[tokio::test]
async fn a_status_that_beats_its_message_applies_when_the_message_is_recorded() {
    use switchboard::fakes::meta::StatusSpec;
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    meta_inbound(&app, &meta, "34600000000", "hi").await;
    for s in ["delivered", "sent"] {
        app.meta
            .send_status(
                &meta.webhook,
                &meta.phone_number_id,
                StatusSpec::new("wamid.EARLY", s, "34600000000"),
            )
            .await
            .unwrap();
    }
    let id = outbound_fixture(&app, &tenant, &meta.id, "wamid.EARLY").await;
    let answer = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { message(id: $id) { status statusHistory { providerStatus } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(answer.data()["message"]["status"], "DELIVERED");
    assert_eq!(
        answer.data()["message"]["statusHistory"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_status_for_an_unknown_message_is_kept() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    use switchboard::fakes::meta::StatusSpec;
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    for _ in 0..2 {
        app.meta
            .send_status(
                &meta.webhook,
                &meta.phone_number_id,
                StatusSpec::new("wamid.LATER", "delivered", "34600000000"),
            )
            .await
            .unwrap();
    }
    let db = Database::connect(&app.database_url).await.unwrap();
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT provider_message_id FROM pending_statuses",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "kept once");
    db.close().await.ok();
}
