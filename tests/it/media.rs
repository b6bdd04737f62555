//! Inbound media: fetched after the commit with the provider's auth, size- and type-checked,
//! retried, and served only to the owning tenant or by a signed link.

use serde_json::{json, Value};
use switchboard::fakes::meta::{FakeInbound, InboundKind};
use switchboard::fakes::twilio::InboundParams;

use crate::support::fixtures::{default_meta_channel, twilio_channel, CUSTOMER, SENDER};
use crate::support::{TestApp, TestTenant};

const ATTACHMENTS: &str = "{ messages(first: 1) { edges { node { attachments { id url state contentType sizeBytes attempts lastError } } } } }";

/// The newest message's attachments once none is pending.
async fn settled_attachments(tenant: &TestTenant) -> Vec<Value> {
    crate::support::eventually(
        15,
        "the attachments settle",
        || async {
            let answer = tenant.owner.gql.query(ATTACHMENTS, json!({})).await;
            answer.data()["messages"]["edges"][0]["node"]["attachments"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        },
        |list| !list.is_empty() && list.iter().all(|a| a["state"] != "PENDING"),
    )
    .await
}

#[tokio::test]
async fn twilio_media_is_fetched_with_auth_and_served_only_to_its_tenant() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let other = app.new_tenant("Globex").await;
    let channel = twilio_channel(&app, &tenant).await;
    let bytes = b"\xff\xd8\xff\xe0 a small jpeg".to_vec();
    let url = app
        .twilio
        .add_media(&channel.account.sid, "image/jpeg", bytes.clone());
    let params = InboundParams::media(
        &channel.account.sid,
        CUSTOMER,
        SENDER,
        "look",
        &[(url, "image/jpeg".into())],
    );
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
    let attachments = settled_attachments(&tenant).await;
    let attachment = &attachments[0];
    assert_eq!(attachment["state"], "READY", "{attachment}");
    assert_eq!(attachment["sizeBytes"], bytes.len());
    let fetch = app
        .twilio
        .requests()
        .into_iter()
        .find(|r| r.path.contains("/Media/"))
        .expect("the fake served the media");
    assert!(
        fetch.basic_auth().is_some(),
        "media is fetched with Basic auth"
    );

    let id = attachment["id"].as_str().unwrap();
    let direct = app.url(&format!("/media/{id}"));
    let owner = app
        .http
        .get(&direct)
        .bearer_auth(&tenant.owner.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(owner.status().as_u16(), 200);
    assert_eq!(owner.headers()["content-type"], "image/jpeg");
    assert_eq!(owner.bytes().await.unwrap().to_vec(), bytes);
    let stranger = app
        .http
        .get(&direct)
        .bearer_auth(&other.owner.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status().as_u16(), 404);
    assert_eq!(
        app.http
            .get(&direct)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );

    let link = attachment["url"].as_str().unwrap();
    let linked = app.http.get(link).send().await.unwrap();
    assert_eq!(linked.status().as_u16(), 200);
    assert_eq!(linked.bytes().await.unwrap().to_vec(), bytes);
    let tampered = format!("{}0", link);
    assert_eq!(
        app.http
            .get(&tampered)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
}

#[tokio::test]
async fn meta_media_is_fetched_in_two_steps() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let media_id = app
        .meta
        .add_media(b"%PDF-1.7 invoice".to_vec(), "application/pdf");
    let inbound = FakeInbound::new(
        "34600000000",
        InboundKind::Document {
            media_id,
            filename: "invoice.pdf".into(),
            caption: None,
        },
    );
    app.meta
        .deliver_inbound(&meta.webhook, &meta.phone_number_id, &inbound)
        .await
        .unwrap();
    let attachments = settled_attachments(&tenant).await;
    assert_eq!(attachments[0]["state"], "READY", "{:?}", attachments[0]);
    assert_eq!(attachments[0]["contentType"], "application/pdf");
    let served = app
        .http
        .get(attachments[0]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(served.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("invoice.pdf"));
}

#[tokio::test]
async fn oversized_and_refused_types_fail_but_the_message_is_kept() {
    let app = TestApp::spawn_with(|c| c.media_max_bytes = 1024).await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let big = app
        .twilio
        .add_media(&channel.account.sid, "image/jpeg", vec![7u8; 4096]);
    let params = InboundParams::media(
        &channel.account.sid,
        CUSTOMER,
        SENDER,
        "big",
        &[(big, "image/jpeg".into())],
    );
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
    let attachments = settled_attachments(&tenant).await;
    assert_eq!(attachments[0]["state"], "FAILED");
    assert!(attachments[0]["url"].is_null());

    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateChannel(id: $id, input: { settings: { allowedMediaTypes: [\"application/pdf\"] } }) { id } }",
            json!({ "id": channel.id }),
        )
        .await
        .data();
    let photo = app
        .twilio
        .add_media(&channel.account.sid, "image/png", vec![1, 2, 3]);
    let params = InboundParams::media(
        &channel.account.sid,
        CUSTOMER,
        SENDER,
        "png",
        &[(photo, "image/png".into())],
    );
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
    let attachments = settled_attachments(&tenant).await;
    assert_eq!(attachments[0]["state"], "FAILED");
    assert!(attachments[0]["lastError"]
        .as_str()
        .unwrap()
        .contains("image/png"));
    let texts = tenant
        .owner
        .gql
        .query("{ messages { edges { node { text } } } }", json!({}))
        .await;
    assert_eq!(
        texts.data()["messages"]["edges"].as_array().unwrap().len(),
        2,
        "both messages kept"
    );
}

#[tokio::test]
async fn a_failed_fetch_is_retried() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let url = app
        .twilio
        .add_media(&channel.account.sid, "image/jpeg", vec![1, 2, 3]);
    app.twilio.fail_next(20500, 1);
    let params = InboundParams::media(
        &channel.account.sid,
        CUSTOMER,
        SENDER,
        "retry",
        &[(url, "image/jpeg".into())],
    );
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
    let attachments = settled_attachments(&tenant).await;
    assert_eq!(attachments[0]["state"], "READY", "{:?}", attachments[0]);
    assert_eq!(attachments[0]["attempts"], 2);
}
