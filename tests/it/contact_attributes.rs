//! Contact attributes and `updateContact`: defining typed attributes, values checked against
//! their type, a contact's name and language, roles, and other tenants' ids.

use serde_json::{json, Value};

use crate::support::fixtures::{meta_channel, meta_conversation, meta_inbound, CUSTOMER};
use crate::support::graphql::{Answer, Gql};
use crate::support::{TestApp, TestTenant};

const FIELDS: &str = "id key displayName type choices";
const UPDATE_CONTACT: &str =
    "mutation($id: ID!, $i: UpdateContactInput!) { updateContact(id: $id, input: $i) {
    id name language attributes { key value attribute { type } } } }";
const UPDATE: &str = "mutation($id: ID!, $i: UpdateContactAttributeInput!) { updateContactAttribute(id: $id, input: $i) { id key displayName type choices } }";
const DELETE: &str = "mutation($id: ID!) { deleteContactAttribute(id: $id) }";
const CONTACT: &str =
    "query($id: ID!) { contact(id: $id) { name language attributes { key value } } }";

fn create_query() -> String {
    format!("mutation($i: CreateContactAttributeInput!) {{ createContactAttribute(input: $i) {{ {FIELDS} }} }}")
}

/// The field an error names (`extensions.field`).
fn field(answer: &Answer) -> &str {
    answer.code();
    answer.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
}

async fn create(gql: &Gql, input: Value) -> Answer {
    gql.query(&create_query(), json!({ "i": input })).await
}

async fn created(tenant: &TestTenant, input: Value) -> Value {
    create(&tenant.owner.gql, input).await.data()["createContactAttribute"].clone()
}

async fn attributes(gql: &Gql) -> Vec<Value> {
    let answer = gql
        .query(
            &format!("{{ contactAttributes {{ {FIELDS} }} }}"),
            json!({}),
        )
        .await;
    answer.data()["contactAttributes"]
        .as_array()
        .unwrap()
        .clone()
}

/// The id of the contact of the tenant's only conversation.
async fn contact_id(tenant: &TestTenant) -> String {
    let answer = tenant
        .owner
        .gql
        .query(
            "{ conversations { edges { node { contact { id } } } } }",
            json!({}),
        )
        .await;
    answer.data()["conversations"]["edges"][0]["node"]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A tenant whose customer wrote in, with one attribute of each type.
async fn tenant_with_attributes(app: &TestApp) -> (TestTenant, String) {
    let (tenant, _meta, _conversation) = meta_conversation(app, "hello").await;
    for input in [
        json!({ "key": "tier", "displayName": "Tier", "type": "CHOICE", "choices": ["gold", "silver"] }),
        json!({ "key": "orders", "displayName": "Orders", "type": "NUMBER" }),
        json!({ "key": "birthday", "displayName": "Birthday", "type": "DATE" }),
        json!({ "key": "vip", "displayName": "VIP", "type": "BOOLEAN" }),
        json!({ "key": "address", "displayName": "Address", "type": "TEXT" }),
    ] {
        created(&tenant, input).await;
    }
    let contact = contact_id(&tenant).await;
    (tenant, contact)
}

async fn update_contact(gql: &Gql, id: &str, input: Value) -> Answer {
    gql.query(UPDATE_CONTACT, json!({ "id": id, "i": input }))
        .await
}

#[tokio::test]
async fn attributes_are_defined_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let (tenant, contact) = tenant_with_attributes(&app).await;
    let gql = &tenant.owner.gql;
    let list = attributes(gql).await;
    let keys: Vec<&str> = list.iter().map(|a| a["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["address", "birthday", "orders", "tier", "vip"],
        "by key"
    );
    let tier = list.iter().find(|a| a["key"] == "tier").unwrap().clone();
    assert_eq!(tier["type"], "CHOICE");
    assert_eq!(tier["displayName"], "Tier");
    assert_eq!(tier["choices"], json!(["gold", "silver"]));
    let orders = list.iter().find(|a| a["key"] == "orders").unwrap().clone();
    assert_eq!(orders["choices"], json!([]));

    let changed = gql
        .query(
            UPDATE,
            json!({ "id": tier["id"], "i": { "displayName": "Customer tier", "choices": ["gold", "silver", "bronze"] } }),
        )
        .await;
    let changed = &changed.data()["updateContactAttribute"];
    assert_eq!(changed["displayName"], "Customer tier");
    assert_eq!(changed["key"], "tier", "the key stays");
    assert_eq!(changed["type"], "CHOICE", "the type stays");
    assert_eq!(changed["choices"], json!(["gold", "silver", "bronze"]));

    // A choice contacts hold cannot be removed until it is cleared from them.
    update_contact(
        gql,
        &contact,
        json!({ "attributes": [{ "key": "tier", "value": "silver" }] }),
    )
    .await
    .data();
    let held = gql
        .query(
            UPDATE,
            json!({ "id": tier["id"], "i": { "choices": ["gold", "bronze"] } }),
        )
        .await;
    assert_eq!(held.code(), "CONFLICT");
    update_contact(
        gql,
        &contact,
        json!({ "attributes": [{ "key": "tier", "value": null }] }),
    )
    .await
    .data();
    let removed = gql
        .query(
            UPDATE,
            json!({ "id": tier["id"], "i": { "choices": ["gold", "bronze"] } }),
        )
        .await;
    assert_eq!(
        removed.data()["updateContactAttribute"]["choices"],
        json!(["gold", "bronze"])
    );

    // Deleting an attribute takes every contact's value of it.
    update_contact(
        gql,
        &contact,
        json!({ "attributes": [{ "key": "orders", "value": "3" }, { "key": "vip", "value": "true" }] }),
    )
    .await
    .data();
    let deleted = gql.query(DELETE, json!({ "id": orders["id"] })).await;
    assert_eq!(deleted.data()["deleteContactAttribute"], true);
    let read = gql.query(CONTACT, json!({ "id": contact })).await;
    assert_eq!(
        read.data()["contact"]["attributes"],
        json!([{ "key": "vip", "value": "true" }])
    );
    assert_eq!(attributes(gql).await.len(), 4);
    let again = gql.query(DELETE, json!({ "id": orders["id"] })).await;
    assert_eq!(again.code(), "NOT_FOUND");
    // The key is free again, for any type.
    let reused = created(
        &tenant,
        json!({ "key": "orders", "displayName": "Orders", "type": "TEXT" }),
    )
    .await;
    assert_eq!(reused["type"], "TEXT");
}

#[tokio::test]
async fn bad_attribute_definitions_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;
    let tier = created(
        &tenant,
        json!({ "key": "tier", "displayName": "Tier", "type": "CHOICE", "choices": ["gold"] }),
    )
    .await;
    let note = created(
        &tenant,
        json!({ "key": "note", "displayName": "Note", "type": "TEXT" }),
    )
    .await;
    let text = |key: &str, name: &str| json!({ "key": key, "displayName": name, "type": "TEXT" });
    let cases = [
        (text("Tier2", "T"), "key"),
        (text("2nd", "T"), "key"),
        (text("has-dash", "T"), "key"),
        (text("", "T"), "key"),
        (text(&"k".repeat(65), "T"), "key"),
        (text("tier", "T"), "key"),
        (text("other", "  "), "displayName"),
        (text("other", &"x".repeat(81)), "displayName"),
        (
            json!({ "key": "c", "displayName": "C", "type": "CHOICE" }),
            "choices",
        ),
        (
            json!({ "key": "c", "displayName": "C", "type": "CHOICE", "choices": ["a", " a "] }),
            "choices[1]",
        ),
        (
            json!({ "key": "c", "displayName": "C", "type": "CHOICE", "choices": ["a", ""] }),
            "choices[1]",
        ),
        (
            json!({ "key": "c", "displayName": "C", "type": "TEXT", "choices": ["a"] }),
            "choices",
        ),
    ];
    for (input, expected) in cases {
        let answer = create(gql, input.clone()).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(field(&answer), expected, "{input}: {}", answer.body);
    }
    for (id, input, expected) in [
        (&tier["id"], json!({ "choices": [] }), "choices"),
        (&tier["id"], json!({ "displayName": "" }), "displayName"),
        (&note["id"], json!({ "choices": ["a"] }), "choices"),
    ] {
        let answer = gql.query(UPDATE, json!({ "id": id, "i": input })).await;
        assert_eq!(field(&answer), expected, "{input}");
    }
    assert_eq!(attributes(gql).await.len(), 2, "nothing refused was stored");
}

#[tokio::test]
async fn contact_values_are_checked_against_their_type() {
    let app = TestApp::spawn().await;
    let (tenant, contact) = tenant_with_attributes(&app).await;
    let gql = &tenant.owner.gql;
    let value = |key: &str, value: &str| json!({ "attributes": [{ "key": key, "value": value }] });
    let cases = [
        (value("orders", "abc"), "attributes[0].value"),
        (value("orders", "1e3"), "attributes[0].value"),
        (value("birthday", "2026-02-30"), "attributes[0].value"),
        (value("birthday", "06/12/2026"), "attributes[0].value"),
        (value("vip", "yes"), "attributes[0].value"),
        (value("tier", "platinum"), "attributes[0].value"),
        (value("tier", "Gold"), "attributes[0].value"),
        (value("address", "  "), "attributes[0].value"),
        (value("address", &"x".repeat(1001)), "attributes[0].value"),
        (value("unknown", "1"), "attributes[0].key"),
        (
            json!({ "attributes": [{ "key": "vip", "value": "true" }, { "key": "vip", "value": "false" }] }),
            "attributes[1].key",
        ),
        (json!({ "language": "english" }), "language"),
        (json!({ "language": "es-" }), "language"),
        (json!({ "name": "  " }), "name"),
        (json!({ "name": "a\u{0}b" }), "name"),
        // Everything or nothing: a good name with a bad value stores neither.
        (
            json!({ "name": "Ana", "attributes": [{ "key": "vip", "value": "true" }, { "key": "orders", "value": "many" }] }),
            "attributes[1].value",
        ),
    ];
    for (input, expected) in cases {
        let answer = update_contact(gql, &contact, input.clone()).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(field(&answer), expected, "{input}: {}", answer.body);
    }
    let read = gql.query(CONTACT, json!({ "id": contact })).await;
    assert_eq!(
        read.data()["contact"],
        json!({ "name": null, "language": null, "attributes": [] }),
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn update_contact_sets_and_clears_name_language_and_values() {
    let app = TestApp::spawn().await;
    let (tenant, contact) = tenant_with_attributes(&app).await;
    let gql = &tenant.owner.gql;
    let answer = update_contact(
        gql,
        &contact,
        json!({
            "name": "  Ana García ",
            "language": "pt_br",
            "attributes": [
                { "key": "tier", "value": "gold" },
                { "key": "orders", "value": " 42 " },
                { "key": "birthday", "value": "1990-05-17" },
                { "key": "vip", "value": "TRUE" },
                { "key": "address", "value": "Calle Mayor 1\nMadrid" }
            ]
        }),
    )
    .await;
    let updated = &answer.data()["updateContact"];
    assert_eq!(updated["name"], "Ana García");
    assert_eq!(updated["language"], "pt-BR", "kept in canonical form");
    assert_eq!(
        updated["attributes"],
        json!([
            { "key": "address", "value": "Calle Mayor 1\nMadrid", "attribute": { "type": "TEXT" } },
            { "key": "birthday", "value": "1990-05-17", "attribute": { "type": "DATE" } },
            { "key": "orders", "value": "42", "attribute": { "type": "NUMBER" } },
            { "key": "tier", "value": "gold", "attribute": { "type": "CHOICE" } },
            { "key": "vip", "value": "true", "attribute": { "type": "BOOLEAN" } }
        ])
    );

    // Fields left out stay; a null clears; values not named stay.
    let answer = update_contact(
        gql,
        &contact,
        json!({
            "language": "es",
            "attributes": [{ "key": "orders", "value": "-3.5" }, { "key": "address", "value": null }]
        }),
    )
    .await;
    let updated = &answer.data()["updateContact"];
    assert_eq!(updated["name"], "Ana García");
    assert_eq!(updated["language"], "es");
    let keys: Vec<(&str, &str)> = updated["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["key"].as_str().unwrap(), a["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        keys,
        [
            ("birthday", "1990-05-17"),
            ("orders", "-3.5"),
            ("tier", "gold"),
            ("vip", "true")
        ]
    );
    let cleared = update_contact(gql, &contact, json!({ "name": null, "language": null })).await;
    let cleared = &cleared.data()["updateContact"];
    assert_eq!(cleared["name"], Value::Null);
    assert_eq!(cleared["language"], Value::Null);
    assert_eq!(cleared["attributes"].as_array().unwrap().len(), 4);

    // The contact reads the same from the conversation, and the change is audited by field.
    let read = gql
        .query(
            "{ conversations { edges { node { contact { language attributes { key value } } } } } }",
            json!({}),
        )
        .await;
    let seen = &read.data()["conversations"]["edges"][0]["node"]["contact"];
    assert_eq!(seen["language"], Value::Null);
    assert_eq!(
        seen["attributes"][1],
        json!({ "key": "orders", "value": "-3.5" })
    );
    let log = gql
        .query(
            "{ auditLog(first: 50) { edges { node { action targetId details } } } }",
            json!({}),
        )
        .await;
    let entry = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["action"] == "contact.update" && n["targetId"] == contact.as_str())
        .expect("the change is audited")
        .clone();
    let details: Value = match &entry["details"] {
        Value::String(text) => serde_json::from_str(text).unwrap(),
        other => other.clone(),
    };
    assert!(details["fields"].is_array(), "{details}");
    assert!(
        !entry["details"].to_string().contains("Ana"),
        "the audit names fields, not values"
    );
}

#[tokio::test]
async fn agents_update_contacts_and_only_admins_define_attributes() {
    let app = TestApp::spawn().await;
    let (tenant, contact) = tenant_with_attributes(&app).await;
    let agent = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let admin = app.new_user(&tenant, "al@acme.test", "ADMIN").await;
    let tier = attributes(&agent.gql)
        .await
        .into_iter()
        .find(|a| a["key"] == "tier")
        .unwrap();
    let updated = update_contact(
        &agent.gql,
        &contact,
        json!({ "language": "es", "attributes": [{ "key": "tier", "value": "gold" }] }),
    )
    .await;
    assert_eq!(updated.data()["updateContact"]["language"], "es");
    for (query, vars) in [
        (
            create_query(),
            json!({ "i": { "key": "mine", "displayName": "Mine", "type": "TEXT" } }),
        ),
        (
            UPDATE.to_owned(),
            json!({ "id": tier["id"], "i": { "displayName": "Mine" } }),
        ),
        (DELETE.to_owned(), json!({ "id": tier["id"] })),
    ] {
        assert_eq!(
            agent.gql.query(&query, vars).await.code(),
            "FORBIDDEN",
            "{query}"
        );
    }
    let by_admin = create(
        &admin.gql,
        json!({ "key": "mine", "displayName": "Mine", "type": "TEXT" }),
    )
    .await;
    assert_eq!(by_admin.data()["createContactAttribute"]["key"], "mine");
}

#[tokio::test]
async fn another_tenants_contact_or_attribute_answers_not_found() {
    let app = TestApp::spawn().await;
    let (acme, our_contact) = tenant_with_attributes(&app).await;
    let globex = app.new_tenant("Globex").await;
    let their_channel = meta_channel(&app, &globex, "+15550783999", "106540352242999").await;
    meta_inbound(&app, &their_channel, &CUSTOMER[1..], "hi").await;
    let their_contact = contact_id(&globex).await;
    let theirs = created(
        &globex,
        json!({ "key": "region", "displayName": "Region", "type": "TEXT" }),
    )
    .await;
    let gql = &acme.owner.gql;

    let answers = [
        update_contact(gql, &their_contact, json!({ "name": "Mine" })).await,
        update_contact(gql, &their_contact, json!({})).await,
        gql.query(
            UPDATE,
            json!({ "id": theirs["id"], "i": { "displayName": "Mine" } }),
        )
        .await,
        gql.query(DELETE, json!({ "id": theirs["id"] })).await,
        gql.query(CONTACT, json!({ "id": their_contact })).await,
    ];
    for answer in &answers {
        assert_eq!(answer.code(), "NOT_FOUND", "{}", answer.body);
    }
    let their_key = update_contact(
        gql,
        &our_contact,
        json!({ "attributes": [{ "key": "region", "value": "EU" }] }),
    )
    .await;
    assert_eq!(
        field(&their_key),
        "attributes[0].key",
        "another tenant's attribute is no attribute here"
    );
    let bad_id = update_contact(gql, "nope", json!({})).await;
    assert_eq!(field(&bad_id), "id");

    let read = globex
        .owner
        .gql
        .query(CONTACT, json!({ "id": their_contact }))
        .await;
    assert_eq!(
        read.data()["contact"],
        json!({ "name": null, "language": null, "attributes": [] })
    );
    assert_eq!(attributes(&globex.owner.gql).await.len(), 1);
    let same_key = created(
        &globex,
        json!({ "key": "tier", "displayName": "Tier", "type": "TEXT" }),
    )
    .await;
    assert_eq!(
        same_key["key"], "tier",
        "keys are unique within a tenant only"
    );
}

#[tokio::test]
async fn the_contact_profile_answers_language_and_values_by_key() {
    use switchboard::domain::{ContactId, TenantId};
    use switchboard::services::contacts::contact_profile;
    let app = TestApp::spawn().await;
    let (tenant, contact) = tenant_with_attributes(&app).await;
    update_contact(
        &tenant.owner.gql,
        &contact,
        json!({
            "language": "es_mx",
            "attributes": [{ "key": "tier", "value": "gold" }, { "key": "vip", "value": "False" }]
        }),
    )
    .await
    .data();
    let store = switchboard::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    let tenant_id: TenantId = tenant.id.parse().unwrap();
    let contact_id: ContactId = contact.parse().unwrap();
    let profile = contact_profile(&store.tenant(tenant_id), contact_id)
        .await
        .unwrap();
    assert_eq!(profile.language(), Some("es-MX"));
    assert_eq!(
        profile.attributes,
        std::collections::BTreeMap::from([
            ("tier".to_owned(), "gold".to_owned()),
            ("vip".to_owned(), "false".to_owned())
        ])
    );
    let other: TenantId = app.new_tenant("Globex").await.id.parse().unwrap();
    assert!(
        contact_profile(&store.tenant(other), contact_id)
            .await
            .is_err(),
        "another tenant's contact is not found"
    );
    store.close().await;
}
