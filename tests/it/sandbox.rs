//! Twilio sandbox channels: several tenants' channels on Twilio's shared sandbox number,
//! each reached only through its own webhook key and showing its join instruction, while
//! outside sandbox mode a number still belongs to one channel.

use serde_json::{json, Value};
use switchboard::fakes::twilio::{FakeAccount, InboundParams};

use crate::claims::{create, verify};
use crate::support::graphql::Answer;
use crate::support::{TestApp, TestTenant};

const SANDBOX: &str = "+14155238886";
const FIELDS: &str =
    "id webhookUrl phoneNumber sandbox { joinCode joinMessage number instruction joinUrl }";
const CHANNEL: &str = "query($id: ID!) { channel(id: $id) { id phoneNumber
    sandbox { joinCode joinMessage number instruction joinUrl } } }";
const UPDATE: &str =
    "mutation($id: ID!, $i: UpdateChannelInput!) { updateChannel(id: $id, input: $i) {
    id verifiedAt sandbox { joinCode } } }";
const EVENTS: &str = "{ conversations { edges { node { contact { phoneNumber }
    messages { edges { node { text } } } } } } }";

fn twilio(number: &str, account: &FakeAccount) -> Value {
    json!({ "name": "Sandbox", "provider": "TWILIO", "phoneNumber": number,
            "twilio": { "accountSid": account.sid, "authToken": account.auth_token } })
}

fn sandbox(account: &FakeAccount, code: &str) -> Value {
    let mut input = twilio(SANDBOX, account);
    input["sandbox"] = json!(true);
    input["sandboxJoinCode"] = json!(code);
    input
}

/// The field an error names (`extensions.field`).
fn field(answer: &Answer) -> &str {
    answer.code();
    answer.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
}

async fn create_with_fields(tenant: &TestTenant, input: Value) -> Answer {
    tenant
        .owner
        .gql
        .query(
            &format!(
                "mutation($i: CreateChannelInput!) {{ createChannel(input: $i) {{ {FIELDS} }} }}"
            ),
            json!({ "i": input }),
        )
        .await
}

/// What each customer wrote to the tenant, by number.
async fn received(tenant: &TestTenant) -> Vec<(String, Vec<String>)> {
    let answer = tenant.owner.gql.query(EVENTS, json!({})).await;
    let mut all: Vec<(String, Vec<String>)> = answer.data()["conversations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let node = &e["node"];
            let texts = node["messages"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["node"]["text"].as_str().unwrap_or_default().to_owned())
                .collect();
            (
                node["contact"]["phoneNumber"].as_str().unwrap().to_owned(),
                texts,
            )
        })
        .collect();
    all.sort();
    all
}

#[tokio::test]
async fn tenants_share_the_sandbox_number_and_each_receives_only_its_own_messages() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let acme_account = app.twilio.add_account("Acme", SANDBOX);
    // Twilio lists the sandbox number among no account's senders.
    let globex_account = app.twilio.add_account("Globex", "+14155550177");

    let answer = create_with_fields(&acme, sandbox(&acme_account, "plenty-mouse")).await;
    let acme_channel = answer.data()["createChannel"].clone();
    assert_eq!(
        acme_channel["sandbox"],
        json!({
            "joinCode": "plenty-mouse",
            "joinMessage": "join plenty-mouse",
            "number": SANDBOX,
            "instruction": "Send `join plenty-mouse` to +1 415 523 8886 on WhatsApp",
            "joinUrl": "https://wa.me/14155238886?text=join%20plenty-mouse",
        })
    );
    // The code is taken as the console shows it, keyword included.
    let answer = create_with_fields(&globex, sandbox(&globex_account, "join Silver-Fox")).await;
    let globex_channel = answer.data()["createChannel"].clone();
    assert_eq!(globex_channel["sandbox"]["joinCode"], "silver-fox");

    // A second sandbox channel of the same tenant shares the number too.
    let second = app.twilio.add_account("Acme test", SANDBOX);
    let answer = create_with_fields(&acme, sandbox(&second, "other-code")).await;
    assert!(answer.data()["createChannel"]["id"].is_string());

    // Both verify: the account is checked, not its senders, and a sandbox channel claims
    // the shared number for nobody.
    for (tenant, channel) in [(&acme, &acme_channel), (&globex, &globex_channel)] {
        let verified = verify(tenant, &channel["id"]).await;
        assert!(
            verified.data()["verifyChannel"]["verifiedAt"].is_string(),
            "{}",
            verified.body
        );
    }
    // Agents see the instruction.
    let agent = app.new_user(&acme, "agent@acme.test", "AGENT").await;
    let seen = agent
        .gql
        .query(CHANNEL, json!({ "id": acme_channel["id"] }))
        .await;
    assert_eq!(
        seen.data()["channel"]["sandbox"]["joinMessage"],
        "join plenty-mouse"
    );

    // Each customer writes to the one sandbox number; Twilio posts to the URL of the
    // account they joined, signed with that account's token.
    let deliveries = [
        (&acme_channel, &acme_account, "+34600000001", "hello acme"),
        (
            &globex_channel,
            &globex_account,
            "+34600000002",
            "hello globex",
        ),
    ];
    for (channel, account, customer, text) in deliveries {
        let params = InboundParams::text(&account.sid, customer, SANDBOX, text);
        let delivered = app
            .twilio
            .deliver_inbound(
                channel["webhookUrl"].as_str().unwrap(),
                &account.auth_token,
                &params,
            )
            .await
            .unwrap();
        assert_eq!(delivered.status, 200);
    }
    // One account's signature does not open the other's channel.
    let forged = InboundParams::text(&acme_account.sid, "+34600000003", SANDBOX, "forged");
    let refused = app
        .twilio
        .deliver_inbound(
            globex_channel["webhookUrl"].as_str().unwrap(),
            &acme_account.auth_token,
            &forged,
        )
        .await
        .unwrap();
    assert_eq!(refused.status, 403);

    assert_eq!(
        received(&acme).await,
        vec![("+34600000001".to_owned(), vec!["hello acme".to_owned()])]
    );
    assert_eq!(
        received(&globex).await,
        vec![("+34600000002".to_owned(), vec!["hello globex".to_owned()])]
    );
}

#[tokio::test]
async fn outside_sandbox_mode_a_number_still_belongs_to_one_channel() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let number = "+14155550100";
    let acme_account = app.twilio.add_account("Acme", number);
    let globex_account = app.twilio.add_account("Globex", number);

    let owned = create(&acme, twilio(number, &acme_account)).await;
    let owned = owned.data()["createChannel"]["id"].clone();
    assert!(verify(&acme, &owned).await.data()["verifyChannel"]["verifiedAt"].is_string());

    // Another tenant's channel on the taken number is refused at verification.
    let second = create(&globex, twilio(number, &globex_account)).await;
    let second = second.data()["createChannel"]["id"].clone();
    assert_eq!(verify(&globex, &second).await.code(), "CONFLICT");
    // The same tenant's second channel on it is refused at once.
    let again = create(&acme, twilio(number, &acme_account)).await;
    assert_eq!(again.code(), "CONFLICT");

    // A channel taken off the sandbox claims the sandbox number like any number: the
    // other tenants' sandbox channels keep working, but no second ordinary channel can
    // take it.
    let sandboxed = app.twilio.add_account("Acme sandbox", SANDBOX);
    let channel = create_with_fields(&acme, sandbox(&sandboxed, "plenty-mouse")).await;
    let channel = channel.data()["createChannel"]["id"].clone();
    let off = acme
        .owner
        .gql
        .query(UPDATE, json!({ "id": channel, "i": { "sandbox": false } }))
        .await;
    assert_eq!(off.data()["updateChannel"]["sandbox"], Value::Null);
    assert!(verify(&acme, &channel).await.data()["verifyChannel"]["verifiedAt"].is_string());
    let shared = app.twilio.add_account("Globex sandbox", SANDBOX);
    let answer = create_with_fields(&globex, sandbox(&shared, "silver-fox")).await;
    let globex_sandbox = answer.data()["createChannel"]["id"].clone();
    assert!(
        verify(&globex, &globex_sandbox).await.data()["verifyChannel"]["verifiedAt"].is_string()
    );
    let ordinary = create(&globex, twilio(SANDBOX, &globex_account)).await;
    let ordinary = ordinary.data()["createChannel"]["id"].clone();
    app.twilio.add_sender(&globex_account.sid, SANDBOX);
    assert_eq!(verify(&globex, &ordinary).await.code(), "CONFLICT");
}

#[tokio::test]
async fn sandbox_settings_are_checked() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let account = app.twilio.add_account("Acme", SANDBOX);

    let mut meta = crate::claims::meta(
        "Meta",
        "+15550783881",
        "106540352242922",
        "EAAGmetaAccessTokenValue1234567890",
        "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    );
    meta["sandbox"] = json!(true);
    meta["sandboxJoinCode"] = json!("plenty-mouse");
    let refused = create(&acme, meta).await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert_eq!(field(&refused), "sandbox");

    let mut elsewhere = sandbox(&account, "plenty-mouse");
    elsewhere["phoneNumber"] = json!("+14155550100");
    assert_eq!(field(&create(&acme, elsewhere).await), "phoneNumber");
    let mut no_code = sandbox(&account, "x");
    no_code.as_object_mut().unwrap().remove("sandboxJoinCode");
    assert_eq!(field(&create(&acme, no_code).await), "sandboxJoinCode");
    assert_eq!(
        field(&create(&acme, sandbox(&account, "plenty mouse")).await),
        "sandboxJoinCode"
    );

    // A new code replaces the old one; taking the channel off the sandbox clears it, and a
    // Meta channel cannot be put on it later either.
    let channel = create(&acme, sandbox(&account, "plenty-mouse")).await;
    let channel = channel.data()["createChannel"]["id"].clone();
    let changed = acme
        .owner
        .gql
        .query(
            UPDATE,
            json!({ "id": channel, "i": { "sandboxJoinCode": "join quiet-river" } }),
        )
        .await;
    assert_eq!(
        changed.data()["updateChannel"]["sandbox"]["joinCode"],
        "quiet-river"
    );
    let moved = acme
        .owner
        .gql
        .query(
            UPDATE,
            json!({ "id": channel, "i": { "phoneNumber": "+14155550100" } }),
        )
        .await;
    assert_eq!(field(&moved), "phoneNumber");

    let meta_channel = crate::support::fixtures::default_meta_channel(&app, &acme).await;
    let refused = acme
        .owner
        .gql
        .query(
            UPDATE,
            json!({ "id": meta_channel.id, "i": { "sandbox": true, "sandboxJoinCode": "plenty-mouse" } }),
        )
        .await;
    assert_eq!(field(&refused), "sandbox");

    // Another tenant's channel answers NOT_FOUND.
    let globex = app.new_tenant("Globex").await;
    let refused = globex
        .owner
        .gql
        .query(UPDATE, json!({ "id": channel, "i": { "sandbox": false } }))
        .await;
    assert_eq!(refused.code(), "NOT_FOUND");
}
