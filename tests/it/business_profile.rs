//! A channel's WhatsApp business profile through the API against the fake Meta: every field
//! and the photo read back after a change, input checked before Meta is asked, Meta's
//! refusals reported, Twilio channels UNSUPPORTED, agents only reading, other tenants' ids.

use serde_json::{json, Value};

use crate::support::fixtures::{default_meta_channel, meta_channel, twilio_channel, MetaChannel};
use crate::support::graphql::{Answer, Gql};
use crate::support::{TestApp, TestTenant};

const FIELDS: &str = "about address description email websites vertical photoUrl";

fn read_query() -> String {
    format!("query($c: ID!) {{ businessProfile(channelId: $c) {{ {FIELDS} }} }}")
}

fn update_query() -> String {
    format!(
        "mutation($c: ID!, $i: UpdateBusinessProfileInput!) {{ updateBusinessProfile(channelId: $c, input: $i) {{ {FIELDS} }} }}"
    )
}

async fn read(gql: &Gql, channel: &str) -> Answer {
    gql.query(&read_query(), json!({ "c": channel })).await
}

async fn update(gql: &Gql, channel: &str, input: Value) -> Answer {
    gql.query(&update_query(), json!({ "c": channel, "i": input }))
        .await
}

/// The field an error names (`extensions.field`).
fn field(answer: &Answer) -> String {
    answer.code();
    answer.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Uploads `bytes` as the tenant's owner and answers the upload's id.
async fn upload(app: &TestApp, tenant: &TestTenant, content_type: &str, bytes: &[u8]) -> String {
    let response = app
        .http
        .post(app.url("/media"))
        .header("content-type", content_type)
        .bearer_auth(&tenant.owner.access_token)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// How many profile changes reached the fake Meta.
fn profile_posts(app: &TestApp, channel: &MetaChannel) -> usize {
    let path = format!("{}/whatsapp_business_profile", channel.phone_number_id);
    app.meta
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(&path))
        .count()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR profile photo";

#[tokio::test]
async fn every_profile_field_and_the_photo_round_trip_through_meta() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let gql = &tenant.owner.gql;

    let before = read(gql, &meta.id).await;
    let before = &before.data()["businessProfile"];
    assert_eq!(before["about"], "Hey there! I am using WhatsApp.");
    assert_eq!(before["vertical"], "UNDEFINED");
    assert_eq!(before["websites"], json!([]));
    assert_eq!(before["photoUrl"], Value::Null);

    let photo = upload(&app, &tenant, "image/png", PNG).await;
    let changed = update(
        gql,
        &meta.id,
        json!({
            "about": "  Succulent specialists!  ",
            "address": "1 Hacker Way, Menlo Park, CA 94025",
            "description": "Plants for every shelf.\nDelivered on Fridays.",
            "email": "Shop@Acme.example",
            "websites": ["https://acme.example", "https://acme.example/shop"],
            "vertical": "RETAIL",
            "photoMediaId": photo,
        }),
    )
    .await;
    let changed = changed.data()["updateBusinessProfile"].clone();
    assert_eq!(changed["about"], "Succulent specialists!", "trimmed");
    assert_eq!(changed["address"], "1 Hacker Way, Menlo Park, CA 94025");
    assert_eq!(
        changed["description"],
        "Plants for every shelf.\nDelivered on Fridays."
    );
    assert_eq!(changed["email"], "shop@acme.example");
    assert_eq!(
        changed["websites"],
        json!(["https://acme.example", "https://acme.example/shop"])
    );
    assert_eq!(changed["vertical"], "RETAIL");

    // The photo went through the Resumable Upload API: the fake holds the handle and
    // serves the same bytes at the profile's photo URL.
    let held = app.meta.business_profile(&meta.phone_number_id);
    assert!(
        held.picture_handle
            .as_deref()
            .is_some_and(|h| h.starts_with("2:")),
        "{held:?}"
    );
    let url = changed["photoUrl"].as_str().expect("a photo URL");
    let served = app.http.get(url).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);

    let again = read(gql, &meta.id).await;
    assert_eq!(again.data()["businessProfile"], changed);

    // Fields left out stay; empty ones clear.
    let cleared = update(
        gql,
        &meta.id,
        json!({ "address": "", "websites": [], "vertical": "PROF_SERVICES" }),
    )
    .await;
    let cleared = &cleared.data()["updateBusinessProfile"];
    assert_eq!(cleared["address"], Value::Null);
    assert_eq!(cleared["websites"], json!([]));
    assert_eq!(cleared["vertical"], "PROF_SERVICES");
    assert_eq!(cleared["about"], "Succulent specialists!");
    assert_eq!(cleared["email"], "shop@acme.example");
    assert_eq!(cleared["photoUrl"], changed["photoUrl"]);

    let log = gql
        .query(
            "{ auditLog(first: 50) { edges { node { action targetId } } } }",
            json!({}),
        )
        .await;
    let updates = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["node"]["targetId"] == meta.id.as_str()
                && e["node"]["action"] == "channel.business_profile.update"
        })
        .count();
    assert_eq!(updates, 2);
}

#[tokio::test]
async fn bad_profile_input_is_refused_naming_the_field_before_meta_is_asked() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let gql = &tenant.owner.gql;
    let pdf = upload(&app, &tenant, "application/pdf", b"%PDF-1.4 not a photo").await;
    for (input, expected) in [
        (json!({}), "input"),
        (json!({ "about": "   " }), "about"),
        (json!({ "about": "a".repeat(140) }), "about"),
        (json!({ "about": "two\nlines" }), "about"),
        (json!({ "address": "a".repeat(257) }), "address"),
        (json!({ "description": "a".repeat(513) }), "description"),
        (json!({ "email": "not an address" }), "email"),
        (
            json!({ "email": format!("{}@acme.example", "a".repeat(120)) }),
            "email",
        ),
        (
            json!({ "websites": ["https://a.example", "https://b.example", "https://c.example"] }),
            "websites",
        ),
        (
            json!({ "websites": ["https://a.example", "acme.example"] }),
            "websites[1]",
        ),
        (
            json!({ "websites": [format!("https://a.example/{}", "x".repeat(250))] }),
            "websites[0]",
        ),
        (json!({ "vertical": "UNDEFINED" }), "vertical"),
        (json!({ "photoMediaId": "not-an-id" }), "photoMediaId"),
        (json!({ "photoMediaId": pdf }), "photoMediaId"),
    ] {
        let answer = update(gql, &meta.id, input.clone()).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(field(&answer), expected, "{input}");
    }
    let bad_channel = update(gql, "x", json!({ "about": "Hi" })).await;
    assert_eq!(field(&bad_channel), "channelId");
    assert_eq!(profile_posts(&app, &meta), 0, "Meta was never asked");

    // What Meta refuses is reported with its code, and nothing changes.
    app.meta.fail_next(100, 1);
    let refused = update(gql, &meta.id, json!({ "about": "Fresh" })).await;
    assert_eq!(refused.code(), "PROVIDER_ERROR");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["providerCode"],
        "100"
    );
    let profile = read(gql, &meta.id).await;
    assert_eq!(
        profile.data()["businessProfile"]["about"],
        "Hey there! I am using WhatsApp."
    );
}

#[tokio::test]
async fn a_twilio_channel_says_its_profile_is_managed_in_the_twilio_console() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let twilio = twilio_channel(&app, &tenant).await;
    let gql = &tenant.owner.gql;
    for answer in [
        read(gql, &twilio.id).await,
        update(gql, &twilio.id, json!({ "about": "Hi" })).await,
    ] {
        assert_eq!(answer.code(), "UNSUPPORTED");
        assert!(
            answer.message().contains("Twilio console"),
            "{}",
            answer.message()
        );
    }
}

#[tokio::test]
async fn agents_read_the_profile_but_only_admins_change_it() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let admin = app.new_user(&tenant, "admin@acme.test", "ADMIN").await;

    let seen = read(&agent.gql, &meta.id).await;
    assert_eq!(
        seen.data()["businessProfile"]["about"],
        "Hey there! I am using WhatsApp."
    );
    let refused = update(&agent.gql, &meta.id, json!({ "about": "Agents rule" })).await;
    assert_eq!(refused.code(), "FORBIDDEN");
    assert_eq!(profile_posts(&app, &meta), 0);

    let changed = update(&admin.gql, &meta.id, json!({ "about": "Admins do" })).await;
    assert_eq!(
        changed.data()["updateBusinessProfile"]["about"],
        "Admins do"
    );
}

#[tokio::test]
async fn another_tenants_channel_and_photo_are_not_found() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let acme_meta = default_meta_channel(&app, &acme).await;
    let globex = app.new_tenant("Globex").await;
    let globex_meta = meta_channel(&app, &globex, "+15550783999", "106540352242999").await;
    let globex_photo = upload(&app, &globex, "image/png", PNG).await;

    let gql = &acme.owner.gql;
    assert_eq!(read(gql, &globex_meta.id).await.code(), "NOT_FOUND");
    let foreign = update(gql, &globex_meta.id, json!({ "about": "Mine now" })).await;
    assert_eq!(foreign.code(), "NOT_FOUND");
    let foreign_photo = update(gql, &acme_meta.id, json!({ "photoMediaId": globex_photo })).await;
    assert_eq!(foreign_photo.code(), "NOT_FOUND");
    assert_eq!(profile_posts(&app, &acme_meta), 0);
    assert_eq!(profile_posts(&app, &globex_meta), 0);
    assert_eq!(
        app.meta.business_profile(&globex_meta.phone_number_id),
        Default::default()
    );
}
