//! Answers that tell the whole truth: recipients follow their messages to the end, skip
//! counts have one shape, type names are the API's own, and errors say what is wrong, where.

use serde_json::{json, Value};
use switchboard::fakes::meta::UNDELIVERABLE;

use crate::campaigns::setup;
use crate::support::fixtures::default_meta_channel;
use crate::support::{TestApp, TestTenant};

const RECIPIENTS: &str = "query($id: ID!, $state: RecipientState) { campaign(id: $id) { recipients(state: $state, first: 50) { edges { node { phone state skipReason message { status } } } } } }";

async fn campaign(tenant: &TestTenant, id: &str) -> Value {
    tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { campaign(id: $id) { state counts { total pending queued sent delivered read failed skipped skippedByReason { reason count } } } }",
            json!({ "id": id }),
        )
        .await
        .data()["campaign"]
        .clone()
}

async fn recipients(tenant: &TestTenant, id: &str, state: Option<&str>) -> Vec<Value> {
    tenant
        .owner
        .gql
        .query(RECIPIENTS, json!({ "id": id, "state": state }))
        .await
        .data()["campaign"]["recipients"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn campaign_recipients_follow_their_messages_to_the_end() {
    let app = TestApp::spawn().await;
    let (tenant, meta, template) = setup(&app).await;
    let read_by = "+34611000001";
    let undeliverable = format!("+{UNDELIVERABLE}");
    let vars = json!([{ "key": "1", "value": "Ana" }, { "key": "2", "value": "10%" }]);
    let created = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": { "name": "Truth", "channelId": meta.id, "templateId": template, "recipients": [
                { "to": read_by, "variables": vars },
                { "to": undeliverable, "variables": vars },
                { "to": "+12", "variables": vars },
            ] } }),
        )
        .await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { startCampaign(id: $id) { state } }",
            json!({ "id": id }),
        )
        .await
        .data();

    // Meta reads the first message and reports the second undeliverable (131026).
    let end = crate::support::eventually(
        30,
        "the campaign completes, one read and one failed",
        || campaign(&tenant, &id),
        |now| {
            now["state"] == "COMPLETED"
                && now["counts"]["read"] == 1
                && now["counts"]["failed"] == 1
        },
    )
    .await;
    let counts = &end["counts"];
    assert_eq!(counts["total"], 3, "{end}");
    assert_eq!(counts["pending"], 0, "{end}");
    assert_eq!(counts["queued"], 0, "{end}");
    assert_eq!(counts["sent"], 1, "{end}");
    assert_eq!(counts["delivered"], 1, "{end}");
    assert_eq!(counts["skipped"], 1, "{end}");
    assert_eq!(
        counts["skippedByReason"],
        json!([{ "reason": "INVALID_NUMBER", "count": 1 }])
    );

    // Each recipient's state is its message's final status.
    let all = recipients(&tenant, &id, None).await;
    let states: Vec<(&str, &str)> = all
        .iter()
        .map(|r| (r["phone"].as_str().unwrap(), r["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            (read_by, "READ"),
            (undeliverable.as_str(), "FAILED"),
            ("+12", "SKIPPED")
        ]
    );
    for r in &all[..2] {
        assert_eq!(r["state"], r["message"]["status"], "{r}");
    }

    // The filter sees the same states, and nobody is left QUEUED.
    let failed = recipients(&tenant, &id, Some("FAILED")).await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["phone"], undeliverable.as_str());
    let read = recipients(&tenant, &id, Some("READ")).await;
    assert_eq!(read.len(), 1);
    assert_eq!(read[0]["phone"], read_by);
    assert!(recipients(&tenant, &id, Some("QUEUED")).await.is_empty());
    assert!(recipients(&tenant, &id, Some("SENT")).await.is_empty());

    // The preview counts skips in the same shape as the campaign.
    let preview = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { previewCampaign(id: $id) { total sendable skipped skippedByReason { reason count } } }",
            json!({ "id": id }),
        )
        .await;
    let preview = &preview.data()["previewCampaign"];
    assert_eq!(preview["total"], 3, "{preview}");
    assert_eq!(preview["sendable"], 2, "{preview}");
    assert_eq!(preview["skipped"], 1, "{preview}");
    assert_eq!(preview["skippedByReason"], counts["skippedByReason"]);

    // Another tenant sees neither the campaign nor its recipients.
    let other = app.new_tenant("Globex").await;
    let answer = other
        .owner
        .gql
        .query(RECIPIENTS, json!({ "id": id, "state": "FAILED" }))
        .await;
    assert_eq!(answer.code(), "NOT_FOUND");
}

#[tokio::test]
async fn a_campaign_needs_an_approved_template() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let pending = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id status } }",
            json!({ "i": { "channelId": meta.id, "name": "later", "language": "en", "category": "MARKETING", "body": "Soon", "examples": [] } }),
        )
        .await;
    assert_eq!(pending.data()["createTemplate"]["status"], "PENDING");
    let pending = pending.data()["createTemplate"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let create = |template: &str| json!({ "i": { "name": "Soon", "channelId": meta.id, "templateId": template, "recipients": [{ "to": "+34600000001" }] } });
    const CREATE: &str = "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }";
    let refused = tenant.owner.gql.query(CREATE, create(&pending)).await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"], "templateId",
        "{}",
        refused.body
    );
    assert!(
        refused.message().contains("PENDING") && refused.message().contains("APPROVED"),
        "{}",
        refused.body
    );
    let listed = tenant
        .owner
        .gql
        .query("{ campaigns { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(listed.data()["campaigns"]["edges"], json!([]));

    // Another tenant's template is not found, whatever its status.
    let other = app.new_tenant("Globex").await;
    let theirs =
        crate::support::fixtures::meta_channel(&app, &other, "+15550783882", "106540352242923")
            .await;
    let answer = other
        .owner
        .gql
        .query(
            CREATE,
            json!({ "i": { "name": "Soon", "channelId": theirs.id, "templateId": pending, "recipients": [{ "to": "+34600000001" }] } }),
        )
        .await;
    assert_eq!(answer.code(), "NOT_FOUND");
}

#[tokio::test]
async fn output_type_names_are_the_apis_own() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let answer = tenant
        .owner
        .gql
        .query(
            "{ __schema { subscriptionType { name } types { name kind } } }",
            json!({}),
        )
        .await;
    let schema = &answer.data()["__schema"];
    assert_eq!(schema["subscriptionType"]["name"], "Subscription");
    let leaks: Vec<&str> = schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] != "INPUT_OBJECT")
        .map(|t| t["name"].as_str().unwrap())
        .filter(|name| {
            ["Gql", "Input", "View", "Root", "Record", "Row"]
                .iter()
                .any(|suffix| name.ends_with(suffix))
                || name.contains("Gql")
        })
        .collect();
    assert!(leaks.is_empty(), "implementation names: {leaks:?}");
    for name in ["CampaignCounts", "MessageContent", "ContactCard", "Choice"] {
        assert!(
            schema["types"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == name),
            "{name} is missing"
        );
    }
}

#[tokio::test]
async fn a_syntax_error_is_one_sentence_with_its_location() {
    let app = TestApp::spawn().await;
    let body: Value = app
        .http
        .post(app.url("/graphql"))
        .header("accept", "application/json")
        .json(&json!({ "query": "{\n  me { user ( } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let error = &body["errors"][0];
    assert_eq!(
        error["message"], "syntax error at line 2, column 15: expected name",
        "{body}"
    );
    assert_eq!(error["locations"], json!([{ "line": 2, "column": 15 }]));
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn every_input_error_names_its_field() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;
    let create_channel = "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }";
    let meta = json!({ "accessToken": "t", "appSecret": "s", "businessAccountId": "1" });
    let cases = [
        // Coercion of a variable: a missing nested field, a wrong type, an unknown enum value
        // or field, a list element.
        (
            create_channel,
            json!({ "i": { "name": "x", "provider": "META", "phoneNumber": "+15550001111", "meta": meta } }),
            "meta.phoneNumberId",
        ),
        (
            create_channel,
            json!({ "i": { "name": "x", "provider": "META", "phoneNumber": "+15550001111", "settings": { "messagesPerSecond": "fast" } } }),
            "settings.messagesPerSecond",
        ),
        (
            create_channel,
            json!({ "i": { "name": "x", "provider": "NOPE", "phoneNumber": "+15550001111" } }),
            "provider",
        ),
        (
            create_channel,
            json!({ "i": { "name": "x", "provider": "META", "phoneNumber": "+15550001111", "colour": "red" } }),
            "colour",
        ),
        (
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": { "name": "x", "channelId": "1", "templateId": "2", "recipients": [{ "to": "+34600000001" }, { "variables": [] }] } }),
            "recipients[1].to",
        ),
        (
            "query($f: Int) { campaigns(first: $f) { edges { cursor } } }",
            json!({ "f": "many" }),
            "first",
        ),
        // The same in a literal.
        (
            "mutation { createChannel(input: { name: \"x\", provider: META, phoneNumber: \"+15550001111\", meta: { accessToken: \"t\", appSecret: \"s\", businessAccountId: \"1\" } }) { id } }",
            json!({}),
            "meta.phoneNumberId",
        ),
        // The services' own checks.
        (
            create_channel,
            json!({ "i": { "name": "x", "provider": "META", "phoneNumber": "555", "meta": { "accessToken": "t", "appSecret": "s", "businessAccountId": "1", "phoneNumberId": "2" } } }),
            "phoneNumber",
        ),
        (
            create_channel,
            json!({ "i": { "name": "x", "provider": "TWILIO", "phoneNumber": "+15550001111", "settings": { "maxRetries": -1 }, "twilio": { "accountSid": "AC00000000000000000000000000000000", "authToken": "0123456789abcdef0123456789abcdef" } } }),
            "settings.maxRetries",
        ),
        (
            create_channel,
            json!({ "i": { "name": "x", "provider": "TWILIO", "phoneNumber": "+15550001111", "twilio": { "accountSid": "AC00000000000000000000000000000000", "authToken": "t" } } }),
            "twilio.authToken",
        ),
    ];
    for (query, variables, field) in cases {
        let answer = gql.query(query, variables.clone()).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{variables}");
        let error = &answer.body["errors"][0];
        assert_eq!(error["extensions"]["field"], field, "{}", answer.body);
        assert!(
            error["message"].as_str().unwrap().starts_with(field),
            "{}",
            answer.body
        );
    }
}

#[tokio::test]
async fn a_subscription_input_error_names_its_field_on_the_socket() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let mut socket = crate::subscriptions::subscribe_unconfirmed(
        &app,
        &tenant.owner.access_token,
        "subscription($c: ID) { messageEvents(channelId: $c) { cursor } }",
        json!({ "c": { "not": "an id" } }),
    )
    .await;
    let message: Value = serde_json::from_str(
        crate::subscriptions::next(&mut socket)
            .await
            .to_text()
            .unwrap(),
    )
    .unwrap();
    // async-graphql answers a request error as one `next` carrying only errors.
    assert_eq!(message["type"], "next", "{message}");
    let error = &message["payload"]["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{message}");
    assert_eq!(error["extensions"]["field"], "channelId", "{message}");
}

#[tokio::test]
async fn every_broken_password_rule_is_reported_at_once() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let create = "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }";
    let answer = tenant
        .owner
        .gql
        .query(
            create,
            json!({ "i": { "email": "bob@acme.test", "password": "bobbb", "role": "AGENT" } }),
        )
        .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    let error = &answer.body["errors"][0];
    assert_eq!(error["extensions"]["field"], "password");
    assert_eq!(
        error["extensions"]["rules"],
        json!(["MIN_LENGTH", "DISTINCT_CHARACTERS", "NO_EMAIL_NAME"])
    );
    assert_eq!(
        error["message"],
        "password: must be at least 10 characters long; must use at least 5 different characters; \
         must not contain the e-mail address's name (the part before the @)"
    );

    // The e-mail's name is what is refused, and said so; a well-known password is named.
    let answer = tenant
        .owner
        .gql
        .query(
            create,
            json!({ "i": { "email": "maria@acme.test", "password": "MARIA-rocks-2026", "role": "AGENT" } }),
        )
        .await;
    assert_eq!(
        answer.body["errors"][0]["extensions"]["rules"],
        json!(["NO_EMAIL_NAME"])
    );
    let answer = tenant
        .owner
        .gql
        .query(
            "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }",
            json!({ "c": crate::support::PASSWORD, "n": "password123" }),
        )
        .await;
    let error = &answer.body["errors"][0];
    assert_eq!(
        error["extensions"]["field"], "newPassword",
        "{}",
        answer.body
    );
    assert_eq!(error["extensions"]["rules"], json!(["NOT_COMMON"]));
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("must not be a well-known password"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn an_expired_token_gets_the_same_answer_on_every_field_and_on_the_socket() {
    use futures::SinkExt;
    use switchboard::crypto::JwtKeys;

    const JWT_SECRET: &str = "answers-test-jwt-secret-0123456789abcdef";
    let app = TestApp::spawn_with(|c| {
        c.jwt_secret = Some(switchboard::crypto::Secret::new(JWT_SECRET.to_owned()));
    })
    .await;
    let tenant = app.new_tenant("Acme").await;
    // The owner's own live session, in a token whose time is up.
    let keys = JwtKeys::new(JWT_SECRET.as_bytes());
    let claims = keys
        .verify(&tenant.owner.access_token)
        .expect("the server signs with the configured secret");
    let expired = keys.issue(
        claims.user(),
        claims.session(),
        claims.tenant(),
        chrono::Utc::now() - chrono::Duration::hours(2),
        chrono::Duration::minutes(15),
    );
    assert!(keys.verify(&expired).is_none());

    let bearer = format!("Bearer {expired}");
    let header = Some(bearer.as_str());
    let garbage =
        crate::subscriptions::http_refusal(&app, Some("Bearer nonsense"), "{ me { role } }").await;
    let mut answers = Vec::new();
    for query in [
        "{ me { role } }",
        "{ channels { id } }",
        "{ campaigns { edges { cursor } } }",
        "{ users { edges { node { id } } } }",
        "mutation { createApiKey(name: \"k\") { secret } }",
        "mutation { logout }",
    ] {
        answers.push((
            query,
            crate::subscriptions::http_refusal(&app, header, query).await,
        ));
    }
    for (query, answer) in &answers {
        assert_eq!(answer.0, "UNAUTHENTICATED", "{query}");
        assert_eq!(*answer, garbage, "{query}");
    }

    let mut socket = crate::subscriptions::connect(&app).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": bearer } });
    socket
        .send(tokio_tungstenite::tungstenite::Message::text(
            init.to_string(),
        ))
        .await
        .unwrap();
    let (code, reason) =
        crate::subscriptions::close_frame(crate::subscriptions::next(&mut socket).await);
    assert_eq!(code, 4403);
    assert_eq!(reason, garbage.1);

    // The session itself still works with a fresh token.
    tenant
        .owner
        .gql
        .query("{ me { role } }", json!({}))
        .await
        .data();
}
