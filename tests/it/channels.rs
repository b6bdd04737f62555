//! Channels: creation with write-only sealed credentials, validation, numbers that are
//! unique in a tenant (deployment-wide claims are in `claims`), tenancy, updates, deletion
//! and key rotation.

use serde_json::{json, Value};

use crate::support::fixtures::{
    create_channel, meta_input, twilio_input, ALL_FIELDS, META_APP_SECRET, META_TOKEN,
    TWILIO_KEY_SECRET, TWILIO_TOKEN,
};
use crate::support::TestApp;

pub(crate) fn assert_no_secret(text: &str) {
    for secret in [TWILIO_TOKEN, TWILIO_KEY_SECRET, META_TOKEN, META_APP_SECRET] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

#[tokio::test]
async fn a_twilio_channel_shows_its_urls_and_never_its_secrets() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = create_channel(&tenant, twilio_input("+1 415 523 8886")).await;
    assert_eq!(channel["provider"], "TWILIO");
    assert_eq!(channel["phoneNumber"], "+14155238886");
    assert_eq!(channel["credentialHint"], "…cdef");
    let webhook = channel["webhookUrl"].as_str().unwrap();
    assert!(
        webhook.starts_with(&format!("http://{}/webhooks/twilio/", app.addr)),
        "{webhook}"
    );
    assert!(webhook.rsplit('/').next().unwrap().len() >= 32);
    assert_eq!(channel["statusCallbackUrl"], webhook);
    assert!(channel["webhookUrlWithRetries"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{webhook}#")));
    assert!(channel["verifyToken"].is_null());
    assert_eq!(
        channel["twilio"]["apiKeySid"],
        "SK00000000000000000000000000000001"
    );
    assert!(channel["meta"].is_null());
    assert!(channel["verifiedAt"].is_null());
    assert_eq!(channel["settings"]["maxRetries"], 3);
    assert_eq!(channel["settings"]["messagesPerSecond"], 80);
    assert_eq!(channel["capabilities"]["textMaxLength"], 1600);
    assert_no_secret(&channel.to_string());

    let listed = tenant
        .owner
        .gql
        .query(&format!("{{ channels {{ {ALL_FIELDS} }} }}"), json!({}))
        .await;
    assert_eq!(listed.data()["channels"].as_array().unwrap().len(), 1);
    assert_no_secret(&listed.body.to_string());
}

#[tokio::test]
async fn a_meta_channel_has_a_verify_token_and_meta_capabilities() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = create_channel(&tenant, meta_input("+15550783881", "106540352242922")).await;
    assert_eq!(channel["provider"], "META");
    assert!(channel["webhookUrl"]
        .as_str()
        .unwrap()
        .contains("/webhooks/meta/"));
    assert!(channel["verifyToken"].as_str().unwrap().len() >= 24);
    assert!(channel["statusCallbackUrl"].is_null());
    assert_eq!(channel["meta"]["phoneNumberId"], "106540352242922");
    assert_eq!(channel["capabilities"]["textMaxLength"], 4096);
    assert_eq!(channel["capabilities"]["maxButtons"], 3);
    assert!(channel["capabilities"]["contentKinds"]
        .as_array()
        .unwrap()
        .contains(&json!("REACTION")));
    assert_no_secret(&channel.to_string());
}

#[tokio::test]
async fn validation_names_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut i = twilio_input("+14155238886");
                i["phoneNumber"] = json!("4155238886");
                i
            },
            "phoneNumber",
        ),
        (
            {
                let mut i = twilio_input("+14155238886");
                i["twilio"]["accountSid"] = json!("AC123");
                i
            },
            "twilio.accountSid",
        ),
        (
            {
                let mut i = twilio_input("+14155238886");
                i["twilio"]["authToken"] = Value::Null;
                i
            },
            "twilio.authToken",
        ),
        (
            {
                let mut i = twilio_input("+14155238886");
                i["twilio"]["apiKeySecret"] = Value::Null;
                i
            },
            "twilio.apiKeySecret",
        ),
        (
            {
                let mut i = twilio_input("+14155238886");
                i["twilio"]["messagingServiceSid"] = json!("MGnope");
                i
            },
            "twilio.messagingServiceSid",
        ),
        (
            {
                let mut i = twilio_input("+14155238886");
                i.as_object_mut().unwrap().remove("twilio");
                i
            },
            "twilio",
        ),
        (
            {
                let mut i = twilio_input("+14155238886");
                i["meta"] = meta_input("+1", "1")["meta"].clone();
                i
            },
            "meta",
        ),
        (
            {
                let mut i = meta_input("+15550783881", "1065403522");
                i["meta"]["phoneNumberId"] = json!("abc");
                i
            },
            "meta.phoneNumberId",
        ),
        (
            {
                let mut i = meta_input("+15550783881", "1065403522");
                i["meta"]["appSecret"] = json!("");
                i
            },
            "meta.appSecret",
        ),
        (
            {
                let mut i = meta_input("+15550783881", "1065403522");
                i["name"] = json!(" ");
                i
            },
            "name",
        ),
        (
            {
                let mut i = meta_input("+15550783881", "1065403522");
                i["settings"] = json!({ "maxRetries": 6 });
                i
            },
            "settings.maxRetries",
        ),
        (
            {
                let mut i = meta_input("+15550783881", "1065403522");
                i["settings"] = json!({ "retryWaitSeconds": 0 });
                i
            },
            "settings.retryWaitSeconds",
        ),
        (
            {
                let mut i = meta_input("+15550783881", "1065403522");
                i["settings"] = json!({ "messagesPerSecond": 5000 });
                i
            },
            "settings.messagesPerSecond",
        ),
        (
            {
                let mut i = meta_input("+15550783881", "1065403522");
                i["settings"] = json!({ "allowedMediaTypes": ["pdf"] });
                i
            },
            "settings.allowedMediaTypes",
        ),
        (
            {
                let mut i = meta_input("+15550783881", "1065403522");
                i["settings"] = json!({ "language": "English" });
                i
            },
            "settings.language",
        ),
    ];
    for (input, field) in cases {
        let answer = tenant
            .owner
            .gql
            .query(
                "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{field}: {}", answer.body);
        assert_eq!(
            answer.body["errors"][0]["extensions"]["field"], field,
            "{}",
            answer.body
        );
        assert_no_secret(&answer.body.to_string());
    }
    let none = tenant
        .owner
        .gql
        .query("{ channels { id } }", json!({}))
        .await;
    assert_eq!(none.data()["channels"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_number_or_phone_number_id_belongs_to_one_channel_of_a_tenant() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    create_channel(&acme, twilio_input("+14155238886")).await;
    create_channel(&acme, meta_input("+15550783881", "106540352242922")).await;
    for input in [
        twilio_input("+14155238886"),
        meta_input("+14155238886", "999999999"),
        meta_input("+15550000001", "106540352242922"),
    ] {
        let answer = acme
            .owner
            .gql
            .query(
                "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await;
        assert_eq!(answer.code(), "CONFLICT", "{}", answer.body);
    }
    // Creating proves no ownership, so it claims nothing beyond the tenant: another tenant
    // is neither blocked nor told that the number is in use (see `claims`).
    create_channel(&globex, twilio_input("+14155238886")).await;
    create_channel(&globex, meta_input("+15550000001", "106540352242922")).await;
    // A deleted channel frees its number within the tenant.
    let channels = acme
        .owner
        .gql
        .query("{ channels { id provider } }", json!({}))
        .await;
    let twilio_id = channels.data()["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["provider"] == "TWILIO")
        .unwrap()["id"]
        .clone();
    let deleted = acme
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deleteChannel(id: $id) }",
            json!({ "id": twilio_id }),
        )
        .await;
    assert_eq!(deleted.data()["deleteChannel"], true);
    create_channel(&acme, twilio_input("+14155238886")).await;
}

#[tokio::test]
async fn another_tenants_channel_is_not_found() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let channel = create_channel(&globex, meta_input("+15550783881", "106540352242922")).await;
    let id = channel["id"].as_str().unwrap();
    for (query, vars) in [
        (
            "query($id: ID!) { channel(id: $id) { name } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { updateChannel(id: $id, input: { name: \"Mine\" }) { name } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { deleteChannel(id: $id) }",
            json!({ "id": id }),
        ),
    ] {
        assert_eq!(
            acme.owner.gql.query(query, vars).await.code(),
            "NOT_FOUND",
            "{query}"
        );
    }
    let listed = acme.owner.gql.query("{ channels { id } }", json!({})).await;
    assert_eq!(listed.data()["channels"].as_array().unwrap().len(), 0);
    let still = globex
        .owner
        .gql
        .query(
            "query($id: ID!) { channel(id: $id) { name } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(still.data()["channel"]["name"], "Sales (Meta)");
}

#[tokio::test]
async fn agents_see_channels_but_only_admins_change_them() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = create_channel(&tenant, meta_input("+15550783881", "106540352242922")).await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let seen = agent
        .gql
        .query(&format!("{{ channels {{ {ALL_FIELDS} }} }}"), json!({}))
        .await;
    assert_eq!(seen.data()["channels"].as_array().unwrap().len(), 1);
    let denied = agent
        .gql
        .query(
            "mutation($id: ID!) { updateChannel(id: $id, input: { name: \"x\" }) { name } }",
            json!({ "id": channel["id"] }),
        )
        .await;
    assert_eq!(denied.code(), "FORBIDDEN");
    let denied = agent
        .gql
        .query(
            "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
            json!({ "i": twilio_input("+14155238886") }),
        )
        .await;
    assert_eq!(denied.code(), "FORBIDDEN");
}

#[tokio::test]
async fn updates_keep_unsent_secrets_and_settings_apply() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = create_channel(&tenant, twilio_input("+14155238886")).await;
    let updated = tenant
        .owner
        .gql
        .query(
            &format!("mutation($id: ID!, $i: UpdateChannelInput!) {{ updateChannel(id: $id, input: $i) {{ {ALL_FIELDS} }} }}"),
            json!({ "id": channel["id"], "i": {
                "name": "Support EU",
                "twilio": { "accountSid": "AC00000000000000000000000000000001", "messagingServiceSid": "MG00000000000000000000000000000001",
                            "apiKeySid": "SK00000000000000000000000000000001" },
                "settings": { "maxRetries": 0, "retryWaitSeconds": 10, "messagesPerSecond": 20, "inboundMedia": false, "allowedMediaTypes": ["image/JPEG", "application/pdf"], "language": "es" }
            } }),
        )
        .await;
    let c = &updated.data()["updateChannel"];
    assert_eq!(c["name"], "Support EU");
    assert_eq!(c["credentialHint"], "…cdef");
    assert_eq!(
        c["twilio"]["messagingServiceSid"],
        "MG00000000000000000000000000000001"
    );
    assert_eq!(c["settings"]["maxRetries"], 0);
    assert_eq!(c["settings"]["messagesPerSecond"], 20);
    assert_eq!(
        c["settings"]["allowedMediaTypes"],
        json!(["image/jpeg", "application/pdf"])
    );
    assert_eq!(c["webhookUrl"], channel["webhookUrl"]);
    let provider_change = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!, $i: UpdateChannelInput!) { updateChannel(id: $id, input: $i) { id } }",
            json!({ "id": channel["id"], "i": { "meta": meta_input("+1", "1065403522")["meta"] } }),
        )
        .await;
    assert_eq!(provider_change.code(), "BAD_USER_INPUT");
}
