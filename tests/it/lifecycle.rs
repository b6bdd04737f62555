//! The conversation lifecycle: assign, transfer (to an agent or a queue, with a note),
//! unassign, snooze (until a time, or until the customer writes), resolve and reopen; each
//! change timed and attributed, live on `conversationEvents`; a customer's message reopens
//! a resolved conversation within the tenant's grace and opens a new one after it; and
//! other tenants' ids.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::subscriptions::{next_payload, subscribe};
use crate::support::fixtures::{meta_conversation, meta_inbound, CUSTOMER};
use crate::support::graphql::{Answer, Gql};
use crate::support::{deadline, eventually, TestApp, TestTenant};

const FIELDS: &str = "id status queueId assigneeId snoozedUntil waitingSince resolvedAt";
const CHANGES: &str = "query($id: ID!) { conversation(id: $id) { changes(first: 50) { edges { node { kind at actorId status queueId assigneeId note until } } } } }";

/// Runs one lifecycle mutation with the variables it takes (`u` user, `q` queue, `n`
/// note, `t` time); others given are left out.
pub async fn run(gql: &Gql, mutation: &str, id: &str, vars: Value) -> Answer {
    let (declared, args, names): (&str, &str, &[&str]) = match mutation {
        "assignConversation" => (", $u: ID!", ", userId: $u", &["u"]),
        "transferConversation" => (
            ", $u: ID, $q: ID, $n: String",
            ", input: { userId: $u, queueId: $q, note: $n }",
            &["u", "q", "n"],
        ),
        "snoozeConversation" => (", $t: DateTime", ", until: $t", &["t"]),
        _ => ("", "", &[]),
    };
    let mut variables = json!({ "id": id });
    for name in names {
        if let Some(value) = vars.get(*name) {
            variables[*name] = value.clone();
        }
    }
    let query =
        format!("mutation($id: ID!{declared}) {{ {mutation}(id: $id{args}) {{ {FIELDS} }} }}");
    gql.query(&query, variables).await
}

async fn done(gql: &Gql, mutation: &str, id: &str, vars: Value) -> Value {
    run(gql, mutation, id, vars).await.data()[mutation].clone()
}

/// The field an error names (`extensions.field`).
fn field(answer: &Answer) -> &str {
    answer.code();
    answer.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
}

async fn changes(tenant: &TestTenant, id: &str) -> Vec<Value> {
    let answer = tenant.owner.gql.query(CHANGES, json!({ "id": id })).await;
    answer.data()["conversation"]["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn kinds(list: &[Value]) -> Vec<&str> {
    list.iter().map(|c| c["kind"].as_str().unwrap()).collect()
}

/// A MANUAL queue whose `members` are agents who work its conversations.
async fn new_queue(tenant: &TestTenant, name: &str, members: &[&str]) -> String {
    let members: Vec<Value> = members
        .iter()
        .map(|m| json!({ "userId": m, "capacity": 10 }))
        .collect();
    let answer = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateQueueInput!) { createQueue(input: $i) { id } }",
            json!({ "i": { "name": name, "members": members } }),
        )
        .await;
    answer.data()["createQueue"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn conversation(tenant: &TestTenant, id: &str) -> Value {
    let query = format!("query($id: ID!) {{ conversation(id: $id) {{ {FIELDS} }} }}");
    let answer = tenant.owner.gql.query(&query, json!({ "id": id })).await;
    answer.data()["conversation"].clone()
}

async fn conversation_ids(tenant: &TestTenant) -> Vec<String> {
    let answer = tenant
        .owner
        .gql
        .query(
            "{ conversations { edges { node { id status } } } }",
            json!({}),
        )
        .await;
    answer.data()["conversations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every lifecycle mutation on conversation `id` by `gql` answers NOT_FOUND.
async fn none_found(gql: &Gql, id: &str, user: &str, queue: &str) {
    for mutation in [
        "assignConversation",
        "unassignConversation",
        "snoozeConversation",
        "resolveConversation",
        "reopenConversation",
        "transferConversation",
    ] {
        let vars = if mutation == "transferConversation" {
            json!({ "q": queue })
        } else {
            json!({ "u": user })
        };
        let answer = run(gql, mutation, id, vars).await;
        assert_eq!(answer.code(), "NOT_FOUND", "{mutation}");
    }
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_conversation_is_assigned_transferred_snoozed_resolved_and_reopened() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, id) = meta_conversation(&app, "Hello").await;
    let owner = &tenant.owner;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let bo = app.new_user(&tenant, "bo@acme.test", "ADMIN").await;
    let billing = new_queue(&tenant, "Billing", &[&ana.user_id]).await;
    let mut events = subscribe(
        &app,
        &owner.access_token,
        "subscription { conversationEvents { kind conversation { id status assigneeId queueId } } }",
        json!({}),
    )
    .await;

    let opened = conversation(&tenant, &id).await;
    assert_eq!(opened["status"], "OPEN");
    assert!(opened["waitingSince"].is_string(), "{opened}");
    let first_queue = opened["queueId"].as_str().unwrap().to_owned();

    let assigned = done(
        &owner.gql,
        "assignConversation",
        &id,
        json!({ "u": ana.user_id }),
    )
    .await;
    assert_eq!(assigned["status"], "ASSIGNED");
    assert_eq!(assigned["assigneeId"], ana.user_id.as_str());
    assert_eq!(assigned["waitingSince"], Value::Null);
    let again = done(
        &owner.gql,
        "assignConversation",
        &id,
        json!({ "u": ana.user_id }),
    )
    .await;
    assert_eq!(
        again["status"], "ASSIGNED",
        "assigning the assignee changes nothing"
    );

    let to_bo = done(
        &ana.gql,
        "transferConversation",
        &id,
        json!({ "u": bo.user_id, "n": "  Wants a refund: over my limit. " }),
    )
    .await;
    assert_eq!(to_bo["assigneeId"], bo.user_id.as_str());
    assert_eq!(to_bo["queueId"], first_queue.as_str(), "the queue stays");

    let to_billing = done(
        &bo.gql,
        "transferConversation",
        &id,
        json!({ "q": billing, "n": "Billing handles refunds" }),
    )
    .await;
    assert_eq!(to_billing["status"], "OPEN", "it waits in the new queue");
    assert_eq!(to_billing["queueId"], billing.as_str());
    assert_eq!(to_billing["assigneeId"], Value::Null);
    let twice = run(
        &bo.gql,
        "transferConversation",
        &id,
        json!({ "q": billing }),
    )
    .await;
    assert_eq!(twice.code(), "BAD_USER_INPUT");
    assert_eq!(field(&twice), "queueId");

    let taken = done(
        &ana.gql,
        "assignConversation",
        &id,
        json!({ "u": ana.user_id }),
    )
    .await;
    assert_eq!(taken["status"], "ASSIGNED");
    let until = Utc::now() + Duration::hours(2);
    let snoozed = done(
        &ana.gql,
        "snoozeConversation",
        &id,
        json!({ "t": until.to_rfc3339() }),
    )
    .await;
    assert_eq!(snoozed["status"], "PENDING");
    assert_eq!(
        snoozed["assigneeId"],
        ana.user_id.as_str(),
        "a snooze keeps the agent"
    );
    assert!(
        (time(&snoozed["snoozedUntil"]) - until)
            .num_milliseconds()
            .abs()
            < 1000
    );

    let resolved = done(&ana.gql, "resolveConversation", &id, json!({})).await;
    assert_eq!(resolved["status"], "RESOLVED");
    assert!(resolved["resolvedAt"].is_string());
    assert_eq!(resolved["snoozedUntil"], Value::Null);
    let on_resolved = run(
        &owner.gql,
        "assignConversation",
        &id,
        json!({ "u": bo.user_id }),
    )
    .await;
    assert_eq!(on_resolved.code(), "CONFLICT", "reopen first");
    let resolve_again = done(&ana.gql, "resolveConversation", &id, json!({})).await;
    assert_eq!(
        resolve_again["resolvedAt"], resolved["resolvedAt"],
        "changes nothing"
    );

    let reopened = done(&owner.gql, "reopenConversation", &id, json!({})).await;
    assert_eq!(reopened["status"], "ASSIGNED", "back to its agent");
    assert_eq!(reopened["resolvedAt"], Value::Null);
    let unassigned = done(&owner.gql, "unassignConversation", &id, json!({})).await;
    assert_eq!(unassigned["status"], "OPEN");
    assert_eq!(unassigned["assigneeId"], Value::Null);

    let history = changes(&tenant, &id).await;
    assert_eq!(
        kinds(&history),
        [
            "OPENED",
            "ASSIGNED",
            "TRANSFERRED",
            "TRANSFERRED",
            "ASSIGNED",
            "SNOOZED",
            "RESOLVED",
            "REOPENED",
            "UNASSIGNED"
        ]
    );
    let actors: Vec<&Value> = history.iter().map(|c| &c["actorId"]).collect();
    assert_eq!(actors[0], &Value::Null, "routing opened it");
    assert_eq!(actors[1], owner.user_id.as_str());
    assert_eq!(actors[2], ana.user_id.as_str());
    assert_eq!(actors[3], bo.user_id.as_str());
    assert_eq!(history[2]["note"], "Wants a refund: over my limit.");
    assert_eq!(history[3]["note"], "Billing handles refunds");
    assert_eq!(history[3]["queueId"], billing.as_str());
    assert_eq!(history[5]["status"], "PENDING");
    assert!(history[5]["until"].is_string());
    let times: Vec<DateTime<Utc>> = history.iter().map(|c| time(&c["at"])).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "in order: {times:?}"
    );

    // Subscribers saw every change, in order, with the conversation as it was left.
    let mut seen = Vec::new();
    while seen.len() < 8 {
        let payload = tokio::time::timeout(deadline(10), next_payload(&mut events))
            .await
            .expect("a conversation event in time");
        let event = payload["data"]["conversationEvents"].clone();
        assert_eq!(event["conversation"]["id"], id.as_str());
        seen.push(event);
    }
    assert_eq!(
        kinds(&seen),
        [
            "ASSIGNED",
            "TRANSFERRED",
            "TRANSFERRED",
            "ASSIGNED",
            "SNOOZED",
            "RESOLVED",
            "REOPENED",
            "UNASSIGNED"
        ]
    );
    assert_eq!(seen[2]["conversation"]["queueId"], billing.as_str());
    assert_eq!(seen[4]["conversation"]["status"], "PENDING");
}

#[tokio::test]
async fn a_customer_message_resumes_a_pending_conversation_and_reopens_one_within_the_grace() {
    let app = TestApp::spawn().await;
    let (tenant, meta, id) = meta_conversation(&app, "Hello").await;
    let owner = &tenant.owner;
    let wa_id = &CUSTOMER[1..];
    done(
        &owner.gql,
        "assignConversation",
        &id,
        json!({ "u": owner.user_id }),
    )
    .await;

    // Waiting on the customer: their answer brings it back to the agent.
    let pending = done(&owner.gql, "snoozeConversation", &id, json!({})).await;
    assert_eq!(pending["status"], "PENDING");
    assert_eq!(pending["snoozedUntil"], Value::Null);
    meta_inbound(&app, &meta, wa_id, "Here is my order number").await;
    let back = eventually(
        10,
        "the customer's answer resumes the conversation",
        || conversation(&tenant, &id),
        |c| c["status"] == "ASSIGNED",
    )
    .await;
    assert_eq!(back["assigneeId"], owner.user_id.as_str());

    // Resolved, then the customer writes again within the grace: the same one reopens.
    done(&owner.gql, "resolveConversation", &id, json!({})).await;
    meta_inbound(&app, &meta, wa_id, "One more thing").await;
    eventually(
        10,
        "the message reopens the conversation",
        || conversation(&tenant, &id),
        |c| c["status"] == "ASSIGNED",
    )
    .await;
    assert_eq!(conversation_ids(&tenant).await, vec![id.clone()]);
    let history = changes(&tenant, &id).await;
    assert_eq!(
        kinds(&history),
        ["OPENED", "ASSIGNED", "SNOOZED", "RESUMED", "RESOLVED", "REOPENED"]
    );
    assert_eq!(history[3]["actorId"], Value::Null, "the customer's doing");
    assert_eq!(history[5]["actorId"], Value::Null);

    // With no grace, a message after the resolution opens a new conversation.
    let settings = owner
        .gql
        .query(
            "mutation { updateTenantSettings(input: { reopenGraceMinutes: 0 }) { reopenGraceMinutes } }",
            json!({}),
        )
        .await;
    assert_eq!(
        settings.data()["updateTenantSettings"]["reopenGraceMinutes"],
        0
    );
    done(&owner.gql, "resolveConversation", &id, json!({})).await;
    meta_inbound(&app, &meta, wa_id, "Hello again").await;
    let both = eventually(
        10,
        "a new conversation opens",
        || conversation_ids(&tenant),
        |ids| ids.len() == 2,
    )
    .await;
    let new = both.iter().find(|c| **c != id).unwrap();
    assert_eq!(conversation(&tenant, new).await["status"], "OPEN");
    assert_eq!(conversation(&tenant, &id).await["status"], "RESOLVED");
    // The old one cannot reopen beside it.
    let reopen = run(&owner.gql, "reopenConversation", &id, json!({})).await;
    assert_eq!(reopen.code(), "CONFLICT");
    assert!(
        reopen.message().contains("another open conversation"),
        "{}",
        reopen.message()
    );

    let out_of_range = owner
        .gql
        .query(
            "mutation { updateTenantSettings(input: { reopenGraceMinutes: 43201 }) { reopenGraceMinutes } }",
            json!({}),
        )
        .await;
    assert_eq!(field(&out_of_range), "reopenGraceMinutes");
}

#[tokio::test]
async fn a_snoozed_conversation_comes_back_when_its_time_comes() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, id) = meta_conversation(&app, "Hello").await;
    let owner = &tenant.owner;
    let until = Utc::now() + Duration::seconds(2);
    let snoozed = done(
        &owner.gql,
        "snoozeConversation",
        &id,
        json!({ "t": until.to_rfc3339() }),
    )
    .await;
    assert_eq!(snoozed["status"], "PENDING");
    let back = eventually(
        15,
        "the snooze ends",
        || conversation(&tenant, &id),
        |c| c["status"] != "PENDING",
    )
    .await;
    assert_eq!(back["status"], "OPEN", "unassigned: it waits in its queue");
    assert!(Utc::now() >= until);
    let history = changes(&tenant, &id).await;
    assert_eq!(kinds(&history), ["OPENED", "SNOOZED", "RESUMED"]);
    assert!(time(&history[2]["at"]) >= until, "not before its time");
}

#[tokio::test]
async fn lifecycle_input_is_checked_and_other_tenants_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, id) = meta_conversation(&app, "Hello").await;
    let owner = &tenant.owner;
    let (other, _other_meta, theirs) = {
        let other = app.new_tenant("Globex").await;
        let meta = crate::support::fixtures::default_meta_channel(&app, &other).await;
        meta_inbound(&app, &meta, "34611111111", "hi").await;
        let theirs = conversation_ids(&other).await.remove(0);
        (other, meta, theirs)
    };
    let their_queue = new_queue(&other, "Theirs", &[]).await;

    let past = run(
        &owner.gql,
        "snoozeConversation",
        &id,
        json!({ "t": (Utc::now() - Duration::minutes(1)).to_rfc3339() }),
    )
    .await;
    assert_eq!(field(&past), "until");
    let far = run(
        &owner.gql,
        "snoozeConversation",
        &id,
        json!({ "t": (Utc::now() + Duration::days(400)).to_rfc3339() }),
    )
    .await;
    assert_eq!(field(&far), "until");
    let neither = run(&owner.gql, "transferConversation", &id, json!({})).await;
    assert_eq!(field(&neither), "input");
    let both = run(
        &owner.gql,
        "transferConversation",
        &id,
        json!({ "u": owner.user_id, "q": their_queue }),
    )
    .await;
    assert_eq!(field(&both), "input");
    let long_note = run(
        &owner.gql,
        "transferConversation",
        &id,
        json!({ "u": owner.user_id, "n": "x".repeat(2001) }),
    )
    .await;
    assert_eq!(field(&long_note), "note");
    let bad_id = run(&owner.gql, "resolveConversation", "not-an-id", json!({})).await;
    assert_eq!(field(&bad_id), "id");

    // Another tenant's conversation, member or queue answers NOT_FOUND, and changes nothing.
    none_found(&owner.gql, &theirs, &owner.user_id, &their_queue).await;
    let to_their_user = run(
        &owner.gql,
        "assignConversation",
        &id,
        json!({ "u": other.owner.user_id }),
    )
    .await;
    assert_eq!(to_their_user.code(), "NOT_FOUND");
    let to_their_queue = run(
        &owner.gql,
        "transferConversation",
        &id,
        json!({ "q": their_queue }),
    )
    .await;
    assert_eq!(to_their_queue.code(), "NOT_FOUND");
    assert_eq!(conversation(&tenant, &id).await["status"], "OPEN");
    assert_eq!(kinds(&changes(&other, &theirs).await), ["OPENED"]);
    let their_history = tenant
        .owner
        .gql
        .query(CHANGES, json!({ "id": theirs }))
        .await;
    assert_eq!(their_history.code(), "NOT_FOUND");
}

#[tokio::test]
async fn an_agent_works_only_the_conversations_they_see() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, id) = meta_conversation(&app, "Hello").await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let elsewhere = new_queue(&tenant, "Elsewhere", &[&ana.user_id]).await;

    // The conversation waits in the default queue, which Ana is not in.
    none_found(&ana.gql, &id, &ana.user_id, &elsewhere).await;
    let read = ana
        .gql
        .query(
            "mutation($id: ID!) { markConversationRead(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(read.code(), "NOT_FOUND");
    let note = ana
        .gql
        .query(
            "mutation($id: ID!) { addConversationNote(conversationId: $id, text: \"hi\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(note.code(), "NOT_FOUND");
    assert_eq!(
        kinds(&changes(&tenant, &id).await),
        ["OPENED"],
        "nothing changed"
    );

    // Assigned to her, she sees it and works it; moved to a queue she is not in, it is gone.
    done(
        &tenant.owner.gql,
        "assignConversation",
        &id,
        json!({ "u": ana.user_id }),
    )
    .await;
    let snoozed = done(&ana.gql, "snoozeConversation", &id, json!({})).await;
    assert_eq!(snoozed["status"], "PENDING");
    let default_queue = changes(&tenant, &id).await[0]["queueId"].clone();
    let moved = run(
        &ana.gql,
        "transferConversation",
        &id,
        json!({ "q": elsewhere }),
    )
    .await;
    assert_eq!(
        moved.data()["transferConversation"]["queueId"],
        elsewhere.as_str()
    );
    let back = run(
        &ana.gql,
        "transferConversation",
        &id,
        json!({ "q": default_queue }),
    )
    .await;
    assert_eq!(back.data()["transferConversation"]["status"], "OPEN");
    let gone = run(
        &ana.gql,
        "assignConversation",
        &id,
        json!({ "u": ana.user_id }),
    )
    .await;
    assert_eq!(gone.code(), "NOT_FOUND", "waiting in a queue she is not in");
}

const TIMELINE: &str = "query($id: ID!, $n: Int, $a: String) { conversation(id: $id) { timeline(first: $n, after: $a) {
    edges { cursor node { __typename ... on Message { text direction } ... on ConversationNote { text } ... on ConversationChange { kind } } }
    pageInfo { hasNextPage } } } }";

/// One line per timeline entry, read a page of `n` at a time.
async fn timeline(gql: &Gql, id: &str, n: u32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let answer = gql
            .query(TIMELINE, json!({ "id": id, "n": n, "a": after }))
            .await;
        let page = answer.data()["conversation"]["timeline"].clone();
        for edge in page["edges"].as_array().unwrap() {
            let node = &edge["node"];
            lines.push(match node["__typename"].as_str().unwrap() {
                "Message" => format!(
                    "{} {}",
                    node["direction"].as_str().unwrap(),
                    node["text"].as_str().unwrap()
                ),
                "ConversationNote" => format!("NOTE {}", node["text"].as_str().unwrap()),
                other => format!("{other} {}", node["kind"].as_str().unwrap()),
            });
            after = Some(edge["cursor"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return lines;
        }
    }
}

#[tokio::test]
async fn the_timeline_merges_messages_notes_and_changes_in_order() {
    let app = TestApp::spawn().await;
    let (tenant, meta, id) = meta_conversation(&app, "Hello").await;
    let owner = &tenant.owner;
    done(
        &owner.gql,
        "assignConversation",
        &id,
        json!({ "u": owner.user_id }),
    )
    .await;
    owner
        .gql
        .query(
            "mutation($id: ID!) { addConversationNote(conversationId: $id, text: \"Asked for a refund\") { id } }",
            json!({ "id": id }),
        )
        .await
        .data();
    crate::support::fixtures::send_text(&tenant, &id, "We are on it").await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "Thanks").await;
    eventually(
        10,
        "the customer's thanks is stored",
        || timeline(&owner.gql, &id, 50),
        |lines| lines.len() == 6,
    )
    .await;
    done(&owner.gql, "resolveConversation", &id, json!({})).await;

    let expected = [
        "ConversationChange OPENED",
        "INBOUND Hello",
        "ConversationChange ASSIGNED",
        "NOTE Asked for a refund",
        "OUTBOUND We are on it",
        "INBOUND Thanks",
        "ConversationChange RESOLVED",
    ];
    assert_eq!(timeline(&owner.gql, &id, 50).await, expected);
    assert_eq!(timeline(&owner.gql, &id, 2).await, expected, "page by page");
    assert_eq!(
        timeline(&owner.gql, &id, 1).await,
        expected,
        "one at a time"
    );

    // An agent who does not see the conversation does not see its timeline.
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let hidden = ana.gql.query(TIMELINE, json!({ "id": id, "n": 5 })).await;
    assert_eq!(hidden.code(), "NOT_FOUND");
}
