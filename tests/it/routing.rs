//! Routing rules: the first enabled rule whose conditions all hold picks a new
//! conversation's queue, else the channel's default, else the tenant's; each condition
//! kind, business hours across a daylight-saving change and on a holiday, `testRouting`,
//! the order, the decision recorded on the conversation, roles and other tenants' ids.

use serde_json::{json, Value};

use crate::support::fixtures::{
    conversations, default_meta_channel, meta_inbound, twilio_channel, twilio_inbound,
};
use crate::support::graphql::Answer;
use crate::support::{TestApp, TestTenant};

const RULE: &str =
    "id name position enabled queue { id name } conditions { kind channelId key value queueId }";
const TEST: &str = "query($i: TestRoutingInput!) { testRouting(input: $i) { routedBy rule { id name } queue { id name } } }";

fn field(answer: &Answer) -> &str {
    answer.code();
    answer.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
}

async fn queue(tenant: &TestTenant, input: Value) -> String {
    let answer = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateQueueInput!) { createQueue(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    answer.data()["createQueue"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn create_rule(tenant: &TestTenant, input: Value) -> Answer {
    tenant
        .owner
        .gql
        .query(
            &format!("mutation($i: CreateRoutingRuleInput!) {{ createRoutingRule(input: $i) {{ {RULE} }} }}"),
            json!({ "i": input }),
        )
        .await
}

async fn rule(tenant: &TestTenant, input: Value) -> Value {
    create_rule(tenant, input).await.data()["createRoutingRule"].clone()
}

async fn test_routing(tenant: &TestTenant, input: Value) -> Value {
    let answer = tenant.owner.gql.query(TEST, json!({ "i": input })).await;
    answer.data()["testRouting"].clone()
}

async fn rule_names(tenant: &TestTenant) -> Vec<String> {
    let answer = tenant
        .owner
        .gql
        .query(&format!("{{ routingRules {{ {RULE} }} }}"), json!({}))
        .await;
    let list = answer.data()["routingRules"].as_array().unwrap().clone();
    for (i, rule) in list.iter().enumerate() {
        assert_eq!(rule["position"], i, "positions run from 0 without gaps");
    }
    list.iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_first_rule_that_holds_routes_the_conversation_and_is_recorded() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let billing = queue(&tenant, json!({ "name": "Billing" })).await;
    let sales = queue(&tenant, json!({ "name": "Sales" })).await;
    let invoices = rule(
        &tenant,
        json!({ "name": "Invoices", "queueId": billing,
                "conditions": [{ "kind": "KEYWORD", "value": " Invoice " }] }),
    )
    .await;
    assert_eq!(invoices["conditions"][0]["value"], "Invoice");
    let prices = rule(
        &tenant,
        json!({ "name": "Prices", "queueId": sales,
                "conditions": [{ "kind": "PATTERN", "value": "(?i)\\bprices?\\b" },
                               { "kind": "CHANNEL", "channelId": meta.id }] }),
    )
    .await;

    meta_inbound(
        &app,
        &meta,
        "34600000001",
        "Where is my INVOICE? And your prices",
    )
    .await;
    meta_inbound(&app, &meta, "34600000002", "What are your prices?").await;
    meta_inbound(&app, &meta, "34600000003", "Hello there").await;
    let answer = tenant
        .owner
        .gql
        .query(
            "{ conversations { edges { node { contact { waId } queue { id name isDefault }
                routing { ruleId rule { name } queueId routedAt } } } } }",
            json!({}),
        )
        .await;
    let edges = answer.data()["conversations"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let of = |wa_id: &str| -> Value {
        edges
            .iter()
            .map(|e| e["node"].clone())
            .find(|n| n["contact"]["waId"] == wa_id)
            .unwrap()
    };
    let first = of("34600000001");
    assert_eq!(
        first["queue"]["id"],
        billing.as_str(),
        "the first rule wins"
    );
    assert_eq!(first["routing"]["ruleId"], invoices["id"]);
    assert_eq!(first["routing"]["rule"]["name"], "Invoices");
    assert_eq!(first["routing"]["queueId"], billing.as_str());
    assert!(first["routing"]["routedAt"].is_string());
    let second = of("34600000002");
    assert_eq!(second["queue"]["id"], sales.as_str());
    assert_eq!(second["routing"]["ruleId"], prices["id"]);
    let third = of("34600000003");
    assert_eq!(
        third["queue"]["isDefault"], true,
        "no rule holds: the default"
    );
    assert_eq!(third["routing"]["ruleId"], Value::Null);

    // A later message in an open conversation does not route it again.
    meta_inbound(&app, &meta, "34600000003", "my invoice").await;
    let edges = conversations(&tenant).await;
    assert_eq!(edges.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn each_condition_kind_is_tested_without_storing_anything() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let twilio = twilio_channel(&app, &tenant).await;
    let spanish = queue(&tenant, json!({ "name": "Spanish" })).await;
    let vip = queue(&tenant, json!({ "name": "VIP" })).await;
    let whatsapp_us = queue(&tenant, json!({ "name": "Twilio line" })).await;
    rule(
        &tenant,
        json!({ "name": "VIP", "queueId": vip,
        "conditions": [{ "kind": "ATTRIBUTE", "key": "tier", "value": "gold" }] }),
    )
    .await;
    rule(
        &tenant,
        json!({ "name": "Spanish", "queueId": spanish,
        "conditions": [{ "kind": "LANGUAGE", "value": "es" }] }),
    )
    .await;
    rule(
        &tenant,
        json!({ "name": "Twilio", "queueId": whatsapp_us,
        "conditions": [{ "kind": "CHANNEL", "channelId": twilio.id }] }),
    )
    .await;

    let on = |channel: &str, extra: Value| {
        let mut input = json!({ "channelId": channel, "text": "hello" });
        for (k, v) in extra.as_object().unwrap() {
            input[k] = v.clone();
        }
        input
    };
    let gold = test_routing(
        &tenant,
        on(
            &meta.id,
            json!({ "attributes": [{ "key": "tier", "value": "gold" }], "language": "es-MX" }),
        ),
    )
    .await;
    assert_eq!(
        (gold["routedBy"].as_str(), gold["rule"]["name"].as_str()),
        (Some("RULE"), Some("VIP"))
    );
    let silver = test_routing(
        &tenant,
        on(
            &meta.id,
            json!({ "attributes": [{ "key": "tier", "value": "silver" }], "language": "es-MX" }),
        ),
    )
    .await;
    assert_eq!(silver["rule"]["name"], "Spanish", "es matches es-MX");
    let english = test_routing(&tenant, on(&meta.id, json!({ "language": "en" }))).await;
    assert_eq!(english["rule"], Value::Null);
    assert_eq!(english["routedBy"], "TENANT_DEFAULT");
    let by_channel = test_routing(&tenant, on(&twilio.id, json!({}))).await;
    assert_eq!(by_channel["queue"]["id"], whatsapp_us.as_str());

    // A channel's own default queue takes what no rule holds.
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!, $q: ID) { updateChannel(id: $id, input: { settings: { defaultQueueId: $q } }) { id } }",
            json!({ "id": meta.id, "q": spanish }),
        )
        .await
        .data();
    let fallback = test_routing(&tenant, on(&meta.id, json!({}))).await;
    assert_eq!(fallback["routedBy"], "CHANNEL_DEFAULT");
    assert_eq!(fallback["queue"]["name"], "Spanish");

    // Nothing was stored: no conversation exists.
    assert_eq!(conversations(&tenant).await.as_array().unwrap().len(), 0);
    twilio_inbound(&app, &twilio, "hi").await;
    let edges = conversations(&tenant).await;
    assert_eq!(edges.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn business_hours_hold_across_a_daylight_saving_change_and_not_on_a_holiday() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let weekly: Vec<Value> = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
        .iter()
        .map(|day| json!({ "day": day, "opens": "09:00", "closes": "17:00" }))
        .collect();
    let office = queue(
        &tenant,
        json!({ "name": "Office", "hours": {
            "timeZone": "Europe/Madrid",
            "weekly": weekly,
            "exceptions": [{ "date": "2026-12-25" }]
        } }),
    )
    .await;
    let after_hours = queue(&tenant, json!({ "name": "After hours" })).await;
    rule(
        &tenant,
        json!({ "name": "Closed", "queueId": after_hours,
        "conditions": [{ "kind": "OUTSIDE_HOURS", "queueId": office }] }),
    )
    .await;
    rule(
        &tenant,
        json!({ "name": "Open", "queueId": office,
        "conditions": [{ "kind": "INSIDE_HOURS" }] }),
    )
    .await;
    let at = |when: &str| json!({ "channelId": meta.id, "text": "hi", "at": when });
    for (when, expected) in [
        // 07:30 UTC is 08:30 in Madrid in winter (closed) and 09:30 in summer time (open):
        // the clocks went forward on 29 March 2026.
        ("2026-03-23T07:30:00Z", "Closed"),
        ("2026-03-30T07:30:00Z", "Open"),
        ("2026-03-23T16:30:00Z", "Closed"),
        ("2026-03-23T15:59:00Z", "Open"),
        // A Friday that is a holiday, and the Friday before it.
        ("2026-12-25T10:00:00Z", "Closed"),
        ("2026-12-18T10:00:00Z", "Open"),
        ("2026-12-19T10:00:00Z", "Closed"),
    ] {
        let decision = test_routing(&tenant, at(when)).await;
        assert_eq!(decision["rule"]["name"], expected, "{when}");
    }
}

#[tokio::test]
async fn rules_are_reordered_disabled_moved_and_deleted() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let a = queue(&tenant, json!({ "name": "A" })).await;
    let b = queue(&tenant, json!({ "name": "B" })).await;
    let every = |name: &str, q: &str| json!({ "name": name, "queueId": q });
    let first = rule(&tenant, every("first", &a)).await;
    let second = rule(&tenant, every("second", &b)).await;
    let zeroth = rule(
        &tenant,
        json!({ "name": "zeroth", "queueId": a, "position": 0, "enabled": false }),
    )
    .await;
    assert_eq!(rule_names(&tenant).await, ["zeroth", "first", "second"]);
    let hello = json!({ "channelId": meta.id, "text": "hello" });
    assert_eq!(
        test_routing(&tenant, hello.clone()).await["rule"]["name"],
        "first",
        "a disabled rule is skipped"
    );

    let reordered = tenant
        .owner
        .gql
        .query(
            "mutation($ids: [ID!]!) { reorderRoutingRules(ids: $ids) { name } }",
            json!({ "ids": [second["id"], zeroth["id"], first["id"]] }),
        )
        .await;
    assert_eq!(reordered.data()["reorderRoutingRules"][0]["name"], "second");
    assert_eq!(rule_names(&tenant).await, ["second", "zeroth", "first"]);
    assert_eq!(
        test_routing(&tenant, hello.clone()).await["rule"]["name"],
        "second"
    );

    let incomplete = tenant
        .owner
        .gql
        .query(
            "mutation($ids: [ID!]!) { reorderRoutingRules(ids: $ids) { name } }",
            json!({ "ids": [second["id"], first["id"]] }),
        )
        .await;
    assert_eq!(field(&incomplete), "ids");

    let moved = tenant
        .owner
        .gql
        .query(
            &format!("mutation($id: ID!, $i: UpdateRoutingRuleInput!) {{ updateRoutingRule(id: $id, input: $i) {{ {RULE} }} }}"),
            json!({ "id": zeroth["id"], "i": { "position": 0, "enabled": true, "name": "now first" } }),
        )
        .await;
    assert_eq!(moved.data()["updateRoutingRule"]["position"], 0);
    assert_eq!(rule_names(&tenant).await, ["now first", "second", "first"]);
    assert_eq!(
        test_routing(&tenant, hello.clone()).await["rule"]["name"],
        "now first"
    );

    let deleted = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deleteRoutingRule(id: $id) }",
            json!({ "id": zeroth["id"] }),
        )
        .await;
    assert_eq!(deleted.data()["deleteRoutingRule"], true);
    assert_eq!(rule_names(&tenant).await, ["second", "first"]);

    // A queue a rule names goes only with somewhere for the rule to point.
    let refused = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deleteQueue(id: $id) }",
            json!({ "id": b }),
        )
        .await;
    assert_eq!(refused.code(), "CONFLICT");
    let gone = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!, $to: ID) { deleteQueue(id: $id, moveTo: $to) }",
            json!({ "id": b, "to": a }),
        )
        .await;
    assert_eq!(gone.data()["deleteQueue"], true);
    let followed = test_routing(&tenant, hello).await;
    assert_eq!(followed["rule"]["name"], "second");
    assert_eq!(followed["queue"]["id"], a.as_str());
}

#[tokio::test]
async fn bad_rules_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let q = queue(&tenant, json!({ "name": "Q" })).await;
    let with = |conditions: Value| json!({ "name": "R", "queueId": q, "conditions": conditions });
    let cases = [
        (json!({ "name": " ", "queueId": q }), "name"),
        (json!({ "name": "R", "queueId": "nope" }), "queueId"),
        (
            json!({ "name": "R", "queueId": q, "position": -1 }),
            "position",
        ),
        (
            with(json!([{ "kind": "PATTERN", "value": "(unclosed" }])),
            "conditions[0].value",
        ),
        (
            with(json!([{ "kind": "PATTERN", "value": "x".repeat(201) }])),
            "conditions[0].value",
        ),
        (
            with(json!([{ "kind": "KEYWORD", "value": "two words" }])),
            "conditions[0].value",
        ),
        (with(json!([{ "kind": "KEYWORD" }])), "conditions[0].value"),
        (
            with(json!([{ "kind": "KEYWORD", "value": "ok" }, { "kind": "CHANNEL" }])),
            "conditions[1].channelId",
        ),
        (
            with(json!([{ "kind": "ATTRIBUTE", "value": "gold" }])),
            "conditions[0].key",
        ),
        (
            with(json!([{ "kind": "ATTRIBUTE", "key": " ", "value": "gold" }])),
            "conditions[0].key",
        ),
        (
            with(json!([{ "kind": "LANGUAGE", "value": "" }])),
            "conditions[0].value",
        ),
        (
            with(json!([{ "kind": "INSIDE_HOURS", "queueId": "x" }])),
            "conditions[0].queueId",
        ),
        (
            with(json!(vec![json!({ "kind": "KEYWORD", "value": "a" }); 21])),
            "conditions",
        ),
    ];
    for (input, expected) in cases {
        let answer = create_rule(&tenant, input.clone()).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(field(&answer), expected, "{input}: {}", answer.body);
    }
    assert!(
        rule_names(&tenant).await.is_empty(),
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn agents_test_routing_and_only_admins_change_rules() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let agent = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let q = queue(&tenant, json!({ "name": "Q" })).await;
    let r = rule(&tenant, json!({ "name": "R", "queueId": q })).await;
    let tested = agent
        .gql
        .query(TEST, json!({ "i": { "channelId": meta.id, "text": "hi" } }))
        .await;
    assert_eq!(tested.data()["testRouting"]["rule"]["name"], "R");
    let read = agent
        .gql
        .query("{ routingRules { name } }", json!({}))
        .await;
    assert_eq!(read.data()["routingRules"][0]["name"], "R");
    for (query, vars) in [
        (
            "mutation($q: ID!) { createRoutingRule(input: { name: \"X\", queueId: $q }) { id } }",
            json!({ "q": q }),
        ),
        (
            "mutation($id: ID!) { updateRoutingRule(id: $id, input: { name: \"X\" }) { id } }",
            json!({ "id": r["id"] }),
        ),
        (
            "mutation($id: ID!) { deleteRoutingRule(id: $id) }",
            json!({ "id": r["id"] }),
        ),
        (
            "mutation($id: ID!) { reorderRoutingRules(ids: [$id]) { id } }",
            json!({ "id": r["id"] }),
        ),
    ] {
        assert_eq!(
            agent.gql.query(query, vars).await.code(),
            "FORBIDDEN",
            "{query}"
        );
    }
}

#[tokio::test]
async fn another_tenants_ids_answer_not_found_in_every_routing_field() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let ours = queue(&acme, json!({ "name": "Ours" })).await;
    let acme_meta = default_meta_channel(&app, &acme).await;
    let theirs = queue(&globex, json!({ "name": "Theirs" })).await;
    let their_channel = twilio_channel(&app, &globex).await;
    twilio_inbound(&app, &their_channel, "hi").await;
    let their_contact = globex
        .owner
        .gql
        .query("{ contacts { edges { node { id } } } }", json!({}))
        .await
        .data()["contacts"]["edges"][0]["node"]["id"]
        .clone();
    let their_rule = rule(&globex, json!({ "name": "Theirs", "queueId": theirs })).await;

    for input in [
        json!({ "name": "R", "queueId": theirs }),
        json!({ "name": "R", "queueId": ours, "conditions": [{ "kind": "CHANNEL", "channelId": their_channel.id }] }),
        json!({ "name": "R", "queueId": ours, "conditions": [{ "kind": "OUTSIDE_HOURS", "queueId": theirs }] }),
    ] {
        assert_eq!(
            create_rule(&acme, input.clone()).await.code(),
            "NOT_FOUND",
            "{input}"
        );
    }
    for (query, vars) in [
        (
            "mutation($id: ID!) { updateRoutingRule(id: $id, input: { name: \"X\" }) { id } }",
            json!({ "id": their_rule["id"] }),
        ),
        (
            "mutation($id: ID!) { deleteRoutingRule(id: $id) }",
            json!({ "id": their_rule["id"] }),
        ),
        (
            "mutation($id: ID!) { reorderRoutingRules(ids: [$id]) { id } }",
            json!({ "id": their_rule["id"] }),
        ),
        (
            TEST,
            json!({ "i": { "channelId": their_channel.id, "text": "hi" } }),
        ),
        (
            TEST,
            json!({ "i": { "channelId": acme_meta.id, "text": "hi", "contactId": their_contact } }),
        ),
    ] {
        assert_eq!(
            acme.owner.gql.query(query, vars).await.code(),
            "NOT_FOUND",
            "{query}"
        );
    }
    assert!(rule_names(&acme).await.is_empty());
    assert_eq!(rule_names(&globex).await, ["Theirs"]);
}
