//! Verifying channels against the fake providers: what the provider answers, wrong
//! credentials, and providers that do not answer in time.

use crate::support::fixtures::{create_channel, meta_input, ALL_FIELDS, META_TOKEN};

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
