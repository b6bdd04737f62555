//! Claims settled by verification: the provider must show the number in the account, the
//! operator may override at creation, the migration releases unverified claims, and two
//! verifications at once leave one owner.

use crate::support::fixtures::META_APP_SECRET;
use crate::support::TestApp;
use serde_json::json;
use switchboard::fakes::meta::FakePhoneNumber;

use crate::claims::{assert_healthy, create, meta, twilio, verified_at, verify, NUMBER};

#[tokio::test]
async fn twilio_verification_needs_the_sender_online_in_the_account() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let account = app.twilio.add_account("Acme", "+14155230001");
    let channel = create(
        &acme,
        twilio("Acme", NUMBER, &account.sid, &account.auth_token),
    )
    .await;
    let id = channel.data()["createChannel"]["id"].clone();

    let absent = verify(&acme, &id).await;
    assert_eq!(absent.code(), "PROVIDER_ERROR");
    assert_eq!(
        absent.body["errors"][0]["extensions"]["providerCode"],
        "SENDER_NOT_FOUND"
    );

    app.twilio.add_sender(&account.sid, NUMBER);
    app.twilio
        .set_sender_status(&account.sid, NUMBER, "OFFLINE");
    let offline = verify(&acme, &id).await;
    assert_eq!(
        offline.body["errors"][0]["extensions"]["providerCode"], "SENDER_NOT_ONLINE",
        "{}",
        offline.body
    );
    assert!(offline.message().contains("OFFLINE"));
    assert!(verified_at(&acme, &id).await.is_null());

    // Found on the second page of one sender each, and ONLINE:UPDATING still sends.
    app.twilio.add_sender(&account.sid, "+14155230002");
    app.twilio
        .set_sender_status(&account.sid, NUMBER, "ONLINE:UPDATING");
    app.twilio.configure(|s| s.senders_page_size = 1);
    let before = app.twilio.requests_to("/v2/Channels/Senders").len();
    let verified = verify(&acme, &id).await;
    assert!(
        verified.data()["verifyChannel"]["verifiedAt"].is_string(),
        "{}",
        verified.body
    );
    assert_eq!(
        app.twilio.requests_to("/v2/Channels/Senders").len() - before,
        2,
        "the sender is the second of the account's"
    );
    assert_healthy(&app).await;
}

#[tokio::test]
async fn meta_verification_needs_the_channels_own_number() {
    const TOKEN: &str = "EAAGacmeAccessTokenValue1234567890";
    let app = TestApp::spawn().await;
    let mut number = FakePhoneNumber::new("106540352242922", "102290129340398", TOKEN);
    number.display_phone_number = "+1 555-078-3881".to_owned();
    app.meta.add_phone_number(number);
    let acme = app.new_tenant("Acme").await;
    let channel = create(
        &acme,
        meta(
            "Wrong",
            "+15550783899",
            "106540352242922",
            TOKEN,
            META_APP_SECRET,
        ),
    )
    .await;
    let id = channel.data()["createChannel"]["id"].clone();
    let mismatch = verify(&acme, &id).await;
    assert_eq!(mismatch.code(), "PROVIDER_ERROR", "{}", mismatch.body);
    assert_eq!(
        mismatch.body["errors"][0]["extensions"]["providerCode"],
        "NUMBER_MISMATCH"
    );
    assert!(verified_at(&acme, &id).await.is_null());
    let fixed = acme
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateChannel(id: $id, input: { phoneNumber: \"+15550783881\" }) { id } }",
            json!({ "id": id }),
        )
        .await;
    fixed.data();
    assert!(verify(&acme, &id).await.data()["verifyChannel"]["verifiedAt"].is_string());
}

#[tokio::test]
async fn the_operator_override_claims_numbers_at_creation() {
    let app = TestApp::spawn_with(|c| c.channel_claims_without_verification = true).await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let input = |name: &str| {
        twilio(
            name,
            NUMBER,
            "AC00000000000000000000000000000001",
            "0123456789abcdef0123456789abcdef",
        )
    };
    create(&acme, input("Acme")).await.data();
    let taken = create(&globex, input("Globex")).await;
    assert_eq!(taken.code(), "CONFLICT", "{}", taken.body);
    assert_healthy(&app).await;
}

#[tokio::test]
async fn the_migration_releases_the_claims_of_channels_never_verified() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let account = app.twilio.add_account("Acme", NUMBER);
    let verified = create(
        &acme,
        twilio("Verified", NUMBER, &account.sid, &account.auth_token),
    )
    .await;
    let verified = verified.data()["createChannel"]["id"].clone();
    verify(&acme, &verified).await.data();
    create(
        &acme,
        twilio(
            "Unverified",
            "+14155230009",
            &account.sid,
            &account.auth_token,
        ),
    )
    .await
    .data();

    let keys = |db: sea_orm::DatabaseConnection| async move {
        let rows = db
            .query_all(Statement::from_string(
                db.get_database_backend(),
                "SELECT key FROM channel_keys WHERE key NOT LIKE 'webhook:%' ORDER BY key",
            ))
            .await
            .unwrap();
        let keys: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String>("", "key").unwrap())
            .collect();
        db.close().await.ok();
        keys
    };
    let store = switchboard::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    // Back to the schema where creation claimed every number deployment-wide.
    crate::support::db::revert_through(&store, "m20261205_000010_channel_claims").await;
    let old = keys(Database::connect(&app.database_url).await.unwrap()).await;
    assert_eq!(old, vec!["number:+14155230009", "number:+14155238886"]);
    store.migrate_up().await.unwrap();
    let new = keys(Database::connect(&app.database_url).await.unwrap()).await;
    let tenant = &acme.id;
    assert_eq!(
        new,
        vec![
            "number:+14155238886".to_owned(),
            format!("tenant:{tenant}:number:+14155230009"),
            format!("tenant:{tenant}:number:+14155238886"),
        ]
    );
}

#[tokio::test]
async fn two_verifications_at_once_leave_one_owner() {
    let app = TestApp::spawn().await;
    let mut contenders = Vec::new();
    for name in ["Acme", "Globex", "Initech"] {
        let tenant = app.new_tenant(name).await;
        let account = app.twilio.add_account(name, NUMBER);
        let created = create(
            &tenant,
            twilio(name, NUMBER, &account.sid, &account.auth_token),
        )
        .await;
        let id = created.data()["createChannel"]["id"].clone();
        contenders.push((tenant, id));
    }
    let answers =
        futures::future::join_all(contenders.iter().map(|(tenant, id)| verify(tenant, id))).await;
    let codes: Vec<Option<String>> = answers
        .iter()
        .map(|a| {
            a.body["errors"][0]["extensions"]["code"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(
        codes.iter().filter(|c| c.is_none()).count(),
        1,
        "exactly one verification wins: {codes:?}"
    );
    assert_eq!(
        codes
            .iter()
            .filter(|c| c.as_deref() == Some("CONFLICT"))
            .count(),
        2,
        "{codes:?}"
    );
    let mut verified = 0;
    for (tenant, id) in &contenders {
        verified += usize::from(verified_at(tenant, id).await.is_string());
    }
    assert_eq!(verified, 1);
    assert_healthy(&app).await;
}
