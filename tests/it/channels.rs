//! Channels: creation with write-only sealed credentials, validation, numbers that are
//! unique in a tenant (deployment-wide claims are in `claims`), tenancy, updates, deletion
//! and key rotation.

use serde_json::{json, Value};

use crate::support::{TestApp, TestTenant};

pub const TWILIO_TOKEN: &str = "0123456789abcdef0123456789abcdef";
pub const TWILIO_KEY_SECRET: &str = "twilio-api-key-secret-value-9876";
pub const META_TOKEN: &str = "EAAGmetaAccessTokenValue1234567890";
pub const META_APP_SECRET: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

pub const ALL_FIELDS: &str = "id name provider phoneNumber credentialHint webhookUrl webhookUrlWithRetries statusCallbackUrl verifyToken
    twilio { accountSid apiKeySid messagingServiceSid } meta { phoneNumberId businessAccountId }
    verifiedAt verification { verifiedAt displayName displayNumber qualityRating }
    settings { language defaultQueueId maxRetries retryWaitSeconds messagesPerSecond inboundMedia allowedMediaTypes }
    capabilities { contentKinds textMaxLength captionMaxLength media { kind mimeTypes maxBytes } maxButtons maxListRows replyContext readReceipts }
    createdAt updatedAt";

pub fn twilio_input(number: &str) -> Value {
    json!({
        "name": "Support (Twilio)",
        "provider": "TWILIO",
        "phoneNumber": number,
        "twilio": {
            "accountSid": "AC00000000000000000000000000000001",
            "authToken": TWILIO_TOKEN,
            "apiKeySid": "SK00000000000000000000000000000001",
            "apiKeySecret": TWILIO_KEY_SECRET
        }
    })
}

pub fn meta_input(number: &str, phone_number_id: &str) -> Value {
    json!({
        "name": "Sales (Meta)",
        "provider": "META",
        "phoneNumber": number,
        "meta": {
            "accessToken": META_TOKEN,
            "appSecret": META_APP_SECRET,
            "phoneNumberId": phone_number_id,
            "businessAccountId": "102290129340398"
        }
    })
}

pub async fn create_channel(tenant: &TestTenant, input: Value) -> Value {
    let answer = tenant
        .owner
        .gql
        .query(
            &format!("mutation($i: CreateChannelInput!) {{ createChannel(input: $i) {{ {ALL_FIELDS} }} }}"),
            json!({ "i": input }),
        )
        .await;
    answer.data()["createChannel"].clone()
}

fn assert_no_secret(text: &str) {
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
async fn the_database_holds_no_plaintext_secret() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    create_channel(&tenant, twilio_input("+14155238886")).await;
    create_channel(&tenant, meta_input("+15550783881", "106540352242922")).await;
    let db = Database::connect(&app.database_url).await.unwrap();
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT * FROM channels",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let token: String = row.try_get("", "sealed_token").unwrap();
        let secret: Option<String> = row.try_get("", "sealed_secret").unwrap();
        assert!(token.starts_with("v1:test1:"), "{token}");
        let dump = format!(
            "{token} {secret:?} {}",
            row.try_get::<String>("", "provider_config").unwrap()
        );
        assert_no_secret(&dump);
    }
    db.close().await.ok();
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

#[tokio::test]
async fn key_rotation_reseals_everything_and_old_keys_can_go() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    use switchboard::crypto::KeyRing;

    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    create_channel(&tenant, twilio_input("+14155238886")).await;
    create_channel(&tenant, meta_input("+15550783881", "106540352242922")).await;
    let database_url = app.database_url.clone();
    let dir = app.stop().await;

    let old = "test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let new = KeyRing::generate_text("new1");
    let rotate = |ring: String| {
        let mut cmd = crate::support::process::command(dir.path());
        cmd.args(["keys", "rotate"])
            .env("SWITCHBOARD_DATABASE_URL", &database_url)
            .env("SWITCHBOARD_MASTER_KEYS", ring);
        cmd
    };
    let first = rotate(format!("{},{old}", *new)).output().await.unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("re-sealed 2"));
    let again = rotate(format!("{},{old}", *new)).output().await.unwrap();
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("re-sealed 0"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );

    let db = Database::connect(&database_url).await.unwrap();
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT sealed_token, sealed_secret FROM channels",
        ))
        .await
        .unwrap();
    for row in &rows {
        let token: String = row.try_get("", "sealed_token").unwrap();
        let secret: Option<String> = row.try_get("", "sealed_secret").unwrap();
        assert!(token.starts_with("v1:new1:"), "{token}");
        assert!(secret.unwrap().starts_with("v1:new1:"));
    }
    db.close().await.ok();

    // With the new key alone the secrets open; a ring that lacks it names the missing key.
    let store = switchboard::store::Store::connect(&database_url)
        .await
        .unwrap();
    let only_new = std::sync::Arc::new(KeyRing::parse(&new).unwrap());
    let service = switchboard::services::channels::ChannelService::new(
        store.clone(),
        only_new,
        std::sync::Arc::new(|_| unreachable!("no provider is called")),
    );
    let tenant_id: switchboard::domain::TenantId = tenant.id.parse().unwrap();
    for record in store.tenant(tenant_id).channels().list().await.unwrap() {
        service
            .credentials(&record)
            .expect("opens under the new key alone");
    }
    store.close().await;
    let stranger = KeyRing::generate_text("other");
    let refused = rotate(stranger.to_string()).output().await.unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("\"new1\""), "{stderr}");
    assert!(!stderr.contains(TWILIO_TOKEN));
}

mod verify {
    use serde_json::json;
    use switchboard::fakes::meta::{FakePhoneNumber, Fault};

    use super::{create_channel, meta_input, META_TOKEN};
    use crate::support::TestApp;

    const VERIFY: &str = "mutation($id: ID!) { verifyChannel(id: $id) { verifiedAt verification { displayName displayNumber qualityRating } } }";

    #[tokio::test]
    async fn a_meta_channel_verifies_against_the_provider() {
        let app = TestApp::spawn().await;
        let mut number = FakePhoneNumber::new("106540352242922", "102290129340398", META_TOKEN);
        number.display_phone_number = "+1 555-078-3881".to_owned();
        app.meta.add_phone_number(number);
        let tenant = app.new_tenant("Acme").await;
        let channel = create_channel(&tenant, meta_input("+15550783881", "106540352242922")).await;
        let verified = tenant
            .owner
            .gql
            .query(VERIFY, json!({ "id": channel["id"] }))
            .await;
        let v = &verified.data()["verifyChannel"];
        assert!(v["verifiedAt"].is_string());
        assert_eq!(v["verification"]["displayName"], "Switchboard Test");
        assert_eq!(v["verification"]["qualityRating"], "GREEN");
        let request = app
            .meta
            .requests()
            .into_iter()
            .last()
            .expect("the fake was called");
        assert!(
            request.path.contains("/106540352242922"),
            "{}",
            request.path
        );
    }

    #[tokio::test]
    async fn wrong_meta_credentials_answer_provider_error_and_stay_unverified() {
        let app = TestApp::spawn().await;
        app.meta.add_phone_number(FakePhoneNumber::new(
            "106540352242922",
            "102290129340398",
            "another-token-entirely",
        ));
        let tenant = app.new_tenant("Acme").await;
        let channel = create_channel(&tenant, meta_input("+15550783881", "106540352242922")).await;
        let refused = tenant
            .owner
            .gql
            .query(VERIFY, json!({ "id": channel["id"] }))
            .await;
        assert_eq!(refused.code(), "PROVIDER_ERROR");
        assert_eq!(
            refused.body["errors"][0]["extensions"]["providerCode"],
            "190"
        );
        assert!(!refused.body.to_string().contains(META_TOKEN));
        let after = tenant
            .owner
            .gql
            .query(
                "query($id: ID!) { channel(id: $id) { verifiedAt } }",
                json!({ "id": channel["id"] }),
            )
            .await;
        assert!(after.data()["channel"]["verifiedAt"].is_null());
    }

    #[tokio::test]
    async fn a_provider_that_does_not_answer_in_time_says_so() {
        let app =
            TestApp::spawn_with(|c| c.provider_timeout = std::time::Duration::from_secs(1)).await;
        app.meta.add_phone_number(FakePhoneNumber::new(
            "106540352242922",
            "102290129340398",
            META_TOKEN,
        ));
        app.meta
            .inject(Fault::Delay(std::time::Duration::from_secs(3)), 1);
        let tenant = app.new_tenant("Acme").await;
        let channel = create_channel(&tenant, meta_input("+15550783881", "106540352242922")).await;
        let slow = tenant
            .owner
            .gql
            .query(VERIFY, json!({ "id": channel["id"] }))
            .await;
        assert_eq!(slow.code(), "PROVIDER_ERROR");
        assert_eq!(
            slow.body["errors"][0]["extensions"]["providerCode"],
            "TIMEOUT"
        );
    }

    #[tokio::test]
    async fn swapped_ciphertexts_open_for_neither_channel() {
        use sea_orm::{ConnectionTrait, Database, Statement};
        let app = TestApp::spawn().await;
        app.meta.add_phone_number(FakePhoneNumber::new(
            "106540352242922",
            "102290129340398",
            META_TOKEN,
        ));
        app.meta.add_phone_number(FakePhoneNumber::new(
            "106540352242923",
            "102290129340398",
            META_TOKEN,
        ));
        let tenant = app.new_tenant("Acme").await;
        let a = create_channel(&tenant, meta_input("+15550783881", "106540352242922")).await;
        let b = create_channel(&tenant, meta_input("+15550783882", "106540352242923")).await;
        let db = Database::connect(&app.database_url).await.unwrap();
        let backend = db.get_database_backend();
        let rows = db
            .query_all(Statement::from_string(
                backend,
                "SELECT id, sealed_token FROM channels ORDER BY id",
            ))
            .await
            .unwrap();
        let token_of = |i: usize| rows[i].try_get::<String>("", "sealed_token").unwrap();
        let id_of = |i: usize| rows[i].try_get::<uuid::Uuid>("", "id").unwrap();
        for (target, source) in [(0, 1), (1, 0)] {
            db.execute(Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DatabaseBackend::Postgres => {
                        "UPDATE channels SET sealed_token = $1 WHERE id = $2"
                    }
                    _ => "UPDATE channels SET sealed_token = ? WHERE id = ?",
                },
                [token_of(source).into(), id_of(target).into()],
            ))
            .await
            .unwrap();
        }
        db.close().await.ok();
        app.meta.clear_requests();
        for channel in [&a, &b] {
            let answer = tenant
                .owner
                .gql
                .query(VERIFY, json!({ "id": channel["id"] }))
                .await;
            assert_eq!(answer.code(), "INTERNAL");
            assert_eq!(answer.message(), "internal error");
        }
        assert!(
            app.meta.requests().is_empty(),
            "no credential left for the provider"
        );
    }
}

mod verify_twilio {
    use serde_json::json;

    use super::{create_channel, ALL_FIELDS};
    use crate::support::{TestApp, TestTenant};

    const VERIFY: &str = "mutation($id: ID!) { verifyChannel(id: $id) { verifiedAt verification { displayName displayNumber } } }";

    fn input(sid: &str, token: &str, api_key: Option<(&str, &str)>) -> serde_json::Value {
        let mut twilio = json!({ "accountSid": sid, "authToken": token });
        if let Some((key, secret)) = api_key {
            twilio["apiKeySid"] = json!(key);
            twilio["apiKeySecret"] = json!(secret);
        }
        json!({ "name": "Support", "provider": "TWILIO", "phoneNumber": "+14155238886", "twilio": twilio })
    }

    async fn verify(
        tenant: &TestTenant,
        channel: &serde_json::Value,
    ) -> crate::support::graphql::Answer {
        tenant
            .owner
            .gql
            .query(VERIFY, json!({ "id": channel["id"] }))
            .await
    }

    #[tokio::test]
    async fn a_twilio_channel_verifies_with_its_token_or_its_api_key() {
        let app = TestApp::spawn().await;
        let account = app.twilio.add_account("Acme Support", "+14155238886");
        let (key, secret) = app.twilio.add_api_key(&account.sid);
        let tenant = app.new_tenant("Acme").await;
        let channel = create_channel(
            &tenant,
            input(&account.sid, &account.auth_token, Some((&key, &secret))),
        )
        .await;
        let verified = verify(&tenant, &channel).await;
        assert_eq!(
            verified.data()["verifyChannel"]["verification"]["displayName"],
            "Acme Support"
        );
        // The REST call used the API key, as configured.
        let call = app
            .twilio
            .requests_to(&format!("/Accounts/{}.json", account.sid))
            .pop()
            .unwrap();
        assert_eq!(call.basic_auth().map(|(user, _)| user), Some(key.clone()));
        let listed = tenant
            .owner
            .gql
            .query(&format!("{{ channels {{ {ALL_FIELDS} }} }}"), json!({}))
            .await;
        let text = listed.body.to_string();
        assert!(!text.contains(&account.auth_token) && !text.contains(&secret));
    }

    #[tokio::test]
    async fn wrong_twilio_credentials_answer_20003_and_stay_unverified() {
        let app = TestApp::spawn().await;
        let account = app.twilio.add_account("Acme Support", "+14155238886");
        let tenant = app.new_tenant("Acme").await;
        let channel = create_channel(
            &tenant,
            input(&account.sid, "ffffffffffffffffffffffffffffffff", None),
        )
        .await;
        let refused = verify(&tenant, &channel).await;
        assert_eq!(refused.code(), "PROVIDER_ERROR");
        assert_eq!(
            refused.body["errors"][0]["extensions"]["providerCode"],
            "20003"
        );
        let after = tenant
            .owner
            .gql
            .query(
                "query($id: ID!) { channel(id: $id) { verifiedAt } }",
                json!({ "id": channel["id"] }),
            )
            .await;
        assert!(after.data()["channel"]["verifiedAt"].is_null());
    }

    #[tokio::test]
    async fn a_slow_twilio_answer_is_a_timeout() {
        let app =
            TestApp::spawn_with(|c| c.provider_timeout = std::time::Duration::from_secs(1)).await;
        let account = app.twilio.add_account("Acme Support", "+14155238886");
        app.twilio.delay_next(std::time::Duration::from_secs(3), 1);
        let tenant = app.new_tenant("Acme").await;
        let channel = create_channel(&tenant, input(&account.sid, &account.auth_token, None)).await;
        let slow = verify(&tenant, &channel).await;
        assert_eq!(slow.code(), "PROVIDER_ERROR");
        assert_eq!(
            slow.body["errors"][0]["extensions"]["providerCode"],
            "TIMEOUT"
        );
    }

    #[tokio::test]
    async fn new_credentials_clear_the_verification() {
        let app = TestApp::spawn().await;
        let account = app.twilio.add_account("Acme Support", "+14155238886");
        let tenant = app.new_tenant("Acme").await;
        let channel = create_channel(&tenant, input(&account.sid, &account.auth_token, None)).await;
        verify(&tenant, &channel).await.data();
        let updated = tenant
            .owner
            .gql
            .query(
                "mutation($id: ID!, $i: UpdateChannelInput!) { updateChannel(id: $id, input: $i) { verifiedAt credentialHint } }",
                json!({ "id": channel["id"], "i": { "twilio": { "accountSid": account.sid, "authToken": "00000000000000000000000000001234" } } }),
            )
            .await;
        assert!(updated.data()["updateChannel"]["verifiedAt"].is_null());
        assert_eq!(updated.data()["updateChannel"]["credentialHint"], "…1234");
    }
}

#[tokio::test]
async fn secrets_never_reach_the_logs_or_error_messages() {
    use crate::support::{db, process, Gql};
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();
    let twilio = switchboard::fakes::twilio::FakeTwilio::spawn()
        .await
        .unwrap();
    let meta = switchboard::fakes::meta::FakeMeta::spawn().await;
    let server = process::serve(
        dir.path(),
        &database_url,
        &[
            ("SWITCHBOARD_LOG_FORMAT", "json"),
            ("SWITCHBOARD_LOG", "debug"),
            ("SWITCHBOARD_ADMIN_EMAIL", "root@platform.test"),
            ("SWITCHBOARD_ADMIN_PASSWORD", "platform-Secret-pass-2026"),
            ("SWITCHBOARD_TWILIO_API_URL", twilio.base_url()),
            ("SWITCHBOARD_META_GRAPH_URL", meta.base_url()),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let anonymous = Gql::new(
        http.clone(),
        format!("http://{}/graphql", server.addr),
        None,
    );
    let login =
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }";
    let admin = anonymous
        .query(
            login,
            json!({ "e": "root@platform.test", "p": "platform-Secret-pass-2026" }),
        )
        .await;
    let admin = Gql::new(
        http.clone(),
        format!("http://{}/graphql", server.addr),
        admin.data()["login"]["accessToken"]
            .as_str()
            .map(str::to_owned),
    );
    admin
        .query("mutation { createTenant(input: { name: \"Acme\", ownerEmail: \"o@acme.test\", ownerPassword: \"correct-Horse-battery-9\" }) { id } }", json!({}))
        .await
        .data();
    let owner = anonymous
        .query(
            login,
            json!({ "e": "o@acme.test", "p": "correct-Horse-battery-9" }),
        )
        .await;
    let owner = Gql::new(
        http,
        format!("http://{}/graphql", server.addr),
        owner.data()["login"]["accessToken"]
            .as_str()
            .map(str::to_owned),
    );
    let mut bodies = String::new();
    for input in [
        twilio_input("+14155238886"),
        meta_input("+15550783881", "106540352242922"),
    ] {
        let created = owner
            .query(&format!("mutation($i: CreateChannelInput!) {{ createChannel(input: $i) {{ {ALL_FIELDS} }} }}"), json!({ "i": input }))
            .await;
        let id = created.data()["createChannel"]["id"].clone();
        // The fakes know none of these credentials: both verifications are refused.
        let refused = owner
            .query(
                "mutation($id: ID!) { verifyChannel(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(refused.code(), "PROVIDER_ERROR");
        bodies.push_str(&created.body.to_string());
        bodies.push_str(&refused.body.to_string());
    }
    process::terminate(&server.child).await;
    let output = server.child.wait_with_output().await.unwrap();
    let logs = String::from_utf8(output.stderr).unwrap();
    assert!(logs.contains("channel created"), "the logs were captured");
    for text in [&logs, &bodies] {
        assert_no_secret(text);
    }
    // What the fakes received carried the secrets, as it must: they were used, not shown.
    assert!(twilio
        .requests()
        .iter()
        .any(|r| r.basic_auth().is_some_and(|(_, p)| p == TWILIO_KEY_SECRET)));
}
