//! Agent presence: members set their status, admins read every agent with their load and
//! follow changes live, an agent reads only themselves, and a status nobody attends lapses
//! to OFFLINE once the member's last socket has been closed for the grace period (but not
//! while another socket lives, nor across a quick reconnect), on one instance or several.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use switchboard::store::Store;
use tokio_tungstenite::tungstenite::Message;

use crate::subscriptions::{connect_to, next, next_payload, Socket};
use crate::support::fixtures::meta_conversation;
use crate::support::graphql::Answer;
use crate::support::{deadline, eventually, Session, TestApp};

const AGENT_FIELDS: &str = "userId status since openConversations user { email role }";
const EVENTS: &str = "subscription($u: ID) { presenceEvents(userId: $u) { userId status since openConversations user { email } } }";
/// Any subscription holds a socket open; this one is open to every role.
const HOLD: &str = "subscription { conversationEvents { kind } }";

fn set_query() -> String {
    format!("mutation($s: PresenceStatus!) {{ setPresence(status: $s) {{ {AGENT_FIELDS} }} }}")
}

async fn set(session: &Session, status: &str) -> Answer {
    session
        .gql
        .query(&set_query(), json!({ "s": status }))
        .await
}

async fn agent(session: &Session, user: &str) -> Answer {
    session
        .gql
        .query(
            &format!("query($u: ID!) {{ agent(userId: $u) {{ {AGENT_FIELDS} }} }}"),
            json!({ "u": user }),
        )
        .await
}

async fn status_of(admin: &Session, user: &str) -> String {
    agent(admin, user).await.data()["agent"]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

/// A socket of `token` on the server at `addr`, holding `query` once the server took it in.
async fn hold(addr: &str, token: &str, query: &str, variables: Value) -> Socket {
    let mut socket = connect_to(addr).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    let ack: Value = serde_json::from_str(next(&mut socket).await.to_text().unwrap()).unwrap();
    assert_eq!(ack["type"], "connection_ack");
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    // Answered in order: the second pong comes after the subscription registered.
    for _ in 0..2 {
        socket
            .send(Message::text(json!({ "type": "ping" }).to_string()))
            .await
            .unwrap();
        loop {
            let message: Value =
                serde_json::from_str(next(&mut socket).await.to_text().unwrap()).unwrap();
            match message["type"].as_str() {
                Some("pong") => break,
                Some("ping") => continue,
                _ => panic!("before the subscription settled: {message}"),
            }
        }
    }
    socket
}

async fn close(mut socket: Socket) {
    socket.close(None).await.unwrap();
    // Until the server's answer: it has then stopped serving the socket.
    while let Ok(Some(Ok(_))) = tokio::time::timeout(deadline(5), socket.next()).await {}
}

/// The next presence event, within `seconds`.
async fn presence_event(socket: &mut Socket, seconds: u64) -> Value {
    let payload = tokio::time::timeout(deadline(seconds), next_payload(socket))
        .await
        .expect("a presence event in time");
    payload["data"]["presenceEvents"].clone()
}

/// Nothing arrives on `socket` for `wait`.
async fn quiet(socket: &mut Socket, wait: Duration) {
    let got = tokio::time::timeout(wait, socket.next()).await;
    assert!(got.is_err(), "expected nothing, got {got:?}");
}

fn with_grace(grace: Duration) -> impl FnOnce(&mut switchboard::config::Config) {
    move |config| config.presence_grace = grace
}

async fn assign(admin: &Session, conversation: &str, user: &str) {
    let query = "mutation($c: ID!, $u: ID!) { assignConversation(id: $c, userId: $u) { status } }";
    let answer = admin
        .gql
        .query(query, json!({ "c": conversation, "u": user }))
        .await;
    assert_eq!(answer.data()["assignConversation"]["status"], "ASSIGNED");
}

async fn resolve(admin: &Session, conversation: &str) {
    let query = "mutation($c: ID!) { resolveConversation(id: $c) { status } }";
    let answer = admin.gql.query(query, json!({ "c": conversation })).await;
    assert_eq!(answer.data()["resolveConversation"]["status"], "RESOLVED");
}

#[tokio::test]
async fn members_set_their_presence_and_admins_read_every_agent_with_their_load() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "Hello").await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;

    let online = set(&ana, "ONLINE").await;
    let online = &online.data()["setPresence"];
    assert_eq!(online["status"], "ONLINE");
    assert_eq!(online["userId"], ana.user_id.as_str());
    assert_eq!(online["user"]["email"], "ana@acme.test");
    let since = time(&online["since"]);
    assert!((Utc::now() - since).num_seconds().abs() < 60);
    // The same status again keeps its time.
    let again = set(&ana, "ONLINE").await;
    assert_eq!(time(&again.data()["setPresence"]["since"]), since);
    let away = set(&ana, "AWAY").await;
    assert_eq!(away.data()["setPresence"]["status"], "AWAY");
    assert!(time(&away.data()["setPresence"]["since"]) >= since);

    assign(&tenant.owner, &conversation, &ana.user_id).await;
    let all = tenant
        .owner
        .gql
        .query(&format!("{{ agents {{ {AGENT_FIELDS} }} }}"), json!({}))
        .await;
    let all = all.data()["agents"].as_array().unwrap().clone();
    assert_eq!(all.len(), 2, "{all:?}");
    let of = |user: &str| all.iter().find(|a| a["userId"] == user).unwrap().clone();
    let owner = of(&tenant.owner.user_id);
    assert_eq!(owner["status"], "OFFLINE");
    assert_eq!(owner["since"], Value::Null);
    assert_eq!(owner["openConversations"], 0);
    assert_eq!(owner["user"]["role"], "OWNER");
    let agent_row = of(&ana.user_id);
    assert_eq!(agent_row["status"], "AWAY");
    assert_eq!(agent_row["openConversations"], 1);

    // A resolved conversation is no longer load.
    resolve(&tenant.owner, &conversation).await;
    let read = agent(&tenant.owner, &ana.user_id).await;
    assert_eq!(read.data()["agent"]["openConversations"], 0);
    let me = ana
        .gql
        .query(
            "{ me { presence { status openConversations } } }",
            json!({}),
        )
        .await;
    assert_eq!(me.data()["me"]["presence"]["status"], "AWAY");
    let offline = set(&ana, "OFFLINE").await;
    assert_eq!(offline.data()["setPresence"]["status"], "OFFLINE");
}

#[tokio::test]
async fn an_agent_reads_only_their_own_presence() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let admin = app.new_user(&tenant, "boss@acme.test", "ADMIN").await;

    let list = ana.gql.query("{ agents { userId } }", json!({})).await;
    assert_eq!(list.code(), "FORBIDDEN");
    assert_eq!(agent(&ana, &tenant.owner.user_id).await.code(), "FORBIDDEN");
    let own = agent(&ana, &ana.user_id).await;
    assert_eq!(own.data()["agent"]["status"], "OFFLINE");
    let me = ana
        .gql
        .query("{ me { presence { userId status } } }", json!({}))
        .await;
    assert_eq!(me.data()["me"]["presence"]["userId"], ana.user_id.as_str());

    // An admin reads anyone; an agent may not follow the others.
    assert_eq!(
        agent(&admin, &ana.user_id).await.data()["agent"]["status"],
        "OFFLINE"
    );
    let mut socket = connect_to(&app.addr.to_string()).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", ana.access_token) } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    next(&mut socket).await;
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": EVENTS } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    let refused: Value = serde_json::from_str(next(&mut socket).await.to_text().unwrap()).unwrap();
    assert_eq!(refused["type"], "next", "{refused}");
    assert_eq!(refused["payload"]["data"], Value::Null);
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn admins_see_presence_changes_live() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let bob = app.new_user(&tenant, "bob@acme.test", "AGENT").await;
    let addr = app.addr.to_string();
    let token = &tenant.owner.access_token;
    let mut all = hold(&addr, token, EVENTS, json!({ "u": null })).await;
    let mut only_bob = hold(&addr, token, EVENTS, json!({ "u": bob.user_id })).await;

    let set_at = set(&ana, "ONLINE").await.data()["setPresence"]["since"].clone();
    let event = presence_event(&mut all, 5).await;
    assert_eq!(event["userId"], ana.user_id.as_str());
    assert_eq!(event["status"], "ONLINE");
    assert_eq!(event["since"], set_at);
    assert_eq!(event["openConversations"], 0);
    assert_eq!(event["user"]["email"], "ana@acme.test");
    // Setting the same status again changes nothing and tells nobody.
    set(&ana, "ONLINE").await.data();
    set(&bob, "AWAY").await.data();
    let event = presence_event(&mut all, 5).await;
    assert_eq!(
        (event["userId"].as_str(), event["status"].as_str()),
        (Some(bob.user_id.as_str()), Some("AWAY"))
    );
    let event = presence_event(&mut only_bob, 5).await;
    assert_eq!(event["userId"], bob.user_id.as_str());
    quiet(&mut only_bob, Duration::from_millis(300)).await;

    // Another tenant's changes never reach this one.
    let globex = app.new_tenant("Globex").await;
    set(&globex.owner, "ONLINE").await.data();
    quiet(&mut all, Duration::from_millis(300)).await;
}

#[tokio::test]
async fn an_agent_goes_offline_once_their_last_socket_has_been_closed_for_the_grace() {
    let grace = Duration::from_secs(1);
    let app = TestApp::spawn_with(with_grace(grace)).await;
    let tenant = app.new_tenant("Acme").await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let addr = app.addr.to_string();
    let mut watching = hold(
        &addr,
        &tenant.owner.access_token,
        EVENTS,
        json!({ "u": ana.user_id }),
    )
    .await;

    let first = hold(&addr, &ana.access_token, HOLD, json!({})).await;
    let second = hold(&addr, &ana.access_token, HOLD, json!({})).await;
    set(&ana, "ONLINE").await.data();
    assert_eq!(presence_event(&mut watching, 5).await["status"], "ONLINE");

    // One socket closes; the other still lives, so the status stays well past the grace.
    close(first).await;
    quiet(&mut watching, grace * 3).await;
    assert_eq!(status_of(&tenant.owner, &ana.user_id).await, "ONLINE");

    let closed_at = Utc::now();
    close(second).await;
    let event = presence_event(&mut watching, 10).await;
    assert_eq!(event["status"], "OFFLINE");
    let offline_at = time(&event["since"]);
    assert!(
        offline_at >= closed_at + chrono::Duration::from_std(grace).unwrap(),
        "offline at {offline_at}, only {:?} after the last socket closed at {closed_at}",
        offline_at - closed_at
    );
    let read = agent(&tenant.owner, &ana.user_id).await;
    assert_eq!(read.data()["agent"]["status"], "OFFLINE");
    assert_eq!(time(&read.data()["agent"]["since"]), offline_at);
}

#[tokio::test]
async fn an_agent_who_reconnects_within_the_grace_keeps_their_status() {
    let grace = Duration::from_secs(3);
    let app = TestApp::spawn_with(with_grace(grace)).await;
    let tenant = app.new_tenant("Acme").await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let addr = app.addr.to_string();
    let mut watching = hold(
        &addr,
        &tenant.owner.access_token,
        EVENTS,
        json!({ "u": ana.user_id }),
    )
    .await;

    // A socket alone does not make an agent ONLINE.
    let socket = hold(&addr, &ana.access_token, HOLD, json!({})).await;
    assert_eq!(status_of(&tenant.owner, &ana.user_id).await, "OFFLINE");
    set(&ana, "ONLINE").await.data();
    assert_eq!(presence_event(&mut watching, 5).await["status"], "ONLINE");

    close(socket).await;
    let socket = hold(&addr, &ana.access_token, HOLD, json!({})).await;
    quiet(&mut watching, grace * 2).await;
    assert_eq!(status_of(&tenant.owner, &ana.user_id).await, "ONLINE");

    close(socket).await;
    assert_eq!(presence_event(&mut watching, 15).await["status"], "OFFLINE");
}

#[tokio::test]
async fn a_status_without_any_socket_lapses_after_the_grace_and_offline_stays() {
    let grace = Duration::from_secs(1);
    let app = TestApp::spawn_with(with_grace(grace)).await;
    let tenant = app.new_tenant("Acme").await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let mut watching = hold(
        &app.addr.to_string(),
        &tenant.owner.access_token,
        EVENTS,
        json!({ "u": ana.user_id }),
    )
    .await;
    let chosen = time(&set(&ana, "AWAY").await.data()["setPresence"]["since"]);
    assert_eq!(presence_event(&mut watching, 5).await["status"], "AWAY");
    let event = presence_event(&mut watching, 10).await;
    assert_eq!(event["status"], "OFFLINE");
    assert!(time(&event["since"]) >= chosen + chrono::Duration::from_std(grace).unwrap());
    quiet(&mut watching, grace * 2).await;
}

/// What a crashed instance leaves: a lease nobody renews. The agent counts as connected
/// until it runs out, then the grace runs.
#[tokio::test]
async fn a_lease_left_by_a_crashed_instance_holds_until_it_runs_out() {
    let grace = Duration::from_secs(1);
    let app = TestApp::spawn_with(with_grace(grace)).await;
    let tenant = app.new_tenant("Acme").await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let mut watching = hold(
        &app.addr.to_string(),
        &tenant.owner.access_token,
        EVENTS,
        json!({ "u": ana.user_id }),
    )
    .await;
    set(&ana, "ONLINE").await.data();
    assert_eq!(presence_event(&mut watching, 5).await["status"], "ONLINE");

    let store = Store::connect(&app.database_url).await.unwrap();
    let runs_out = Utc::now() + chrono::Duration::seconds(3);
    store
        .tenant(tenant.id.parse().unwrap())
        .presence()
        .open_lease(
            uuid::Uuid::now_v7(),
            ana.user_id.parse().unwrap(),
            uuid::Uuid::new_v4(),
            runs_out,
        )
        .await
        .unwrap();
    store.close().await;
    let event = presence_event(&mut watching, 15).await;
    assert_eq!(event["status"], "OFFLINE");
    let offline_at = time(&event["since"]);
    assert!(
        offline_at >= runs_out + chrono::Duration::from_std(grace).unwrap(),
        "offline at {offline_at}, before the lease ran out at {runs_out} and the grace passed"
    );
}

#[tokio::test]
async fn bad_input_api_keys_and_other_tenants_ids_are_refused() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;

    let busy = set(&tenant.owner, "BUSY").await;
    assert_eq!(busy.code(), "BAD_USER_INPUT", "{:?}", busy.body);
    let bad_id = agent(&tenant.owner, "not-an-id").await;
    assert_eq!(bad_id.code(), "BAD_USER_INPUT");
    assert_eq!(bad_id.body["errors"][0]["extensions"]["field"], "userId");

    // Another tenant's member answers NOT_FOUND wherever an id is taken.
    let foreign = agent(&tenant.owner, &globex.owner.user_id).await;
    assert_eq!(foreign.code(), "NOT_FOUND");
    let mut socket = connect_to(&app.addr.to_string()).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", tenant.owner.access_token) } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    next(&mut socket).await;
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": EVENTS, "variables": { "u": globex.owner.user_id } } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    let refused: Value = serde_json::from_str(next(&mut socket).await.to_text().unwrap()).unwrap();
    assert_eq!(refused["type"], "next", "{refused}");
    assert_eq!(refused["payload"]["data"], Value::Null);
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "NOT_FOUND"
    );
    // Each tenant's list holds its own members only.
    let list = globex
        .owner
        .gql
        .query("{ agents { userId } }", json!({}))
        .await;
    assert_eq!(
        list.data()["agents"],
        json!([{ "userId": globex.owner.user_id }])
    );

    // An API key acts for the tenant, but has no presence of its own.
    let key = tenant
        .owner
        .gql
        .query(
            "mutation { createApiKey(name: \"crm\") { secret } }",
            json!({}),
        )
        .await;
    let key = key.data()["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let with_key = app.with_token(&key);
    let answer = with_key.query(&set_query(), json!({ "s": "ONLINE" })).await;
    assert_eq!(answer.code(), "FORBIDDEN");
    let me = with_key
        .query("{ me { presence { status } } }", json!({}))
        .await;
    assert_eq!(me.data()["me"]["presence"], Value::Null);
}

#[tokio::test]
async fn two_instances_agree_on_presence() {
    let grace = Duration::from_secs(1);
    let first = TestApp::spawn_with(with_grace(grace)).await;
    let shared = first.database_url.clone();
    let second = TestApp::spawn_with(move |c| {
        c.database_url = shared;
        c.presence_grace = grace;
    })
    .await;
    let tenant = first.new_tenant("Acme").await;
    first.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let ana = second
        .login("ana@acme.test", crate::support::PASSWORD)
        .await;
    let mut watching = hold(
        &first.addr.to_string(),
        &tenant.owner.access_token,
        EVENTS,
        json!({ "u": ana.user_id }),
    )
    .await;

    // The socket lives on the second instance; the first one's sweeps see its lease.
    let socket = hold(&second.addr.to_string(), &ana.access_token, HOLD, json!({})).await;
    set(&ana, "ONLINE").await.data();
    // Every instance reads the shared event log, on SQLite as on PostgreSQL.
    let event = presence_event(&mut watching, 5).await;
    assert_eq!(event["status"], "ONLINE");
    quiet(&mut watching, grace * 3).await;
    assert_eq!(status_of(&tenant.owner, &ana.user_id).await, "ONLINE");

    close(socket).await;
    let offline = eventually(
        10,
        "the agent goes OFFLINE on both instances",
        || status_of(&tenant.owner, &ana.user_id),
        |s| s == "OFFLINE",
    )
    .await;
    assert_eq!(offline, "OFFLINE");
    // Exactly one instance made the change and told every instance's subscribers.
    assert_eq!(presence_event(&mut watching, 5).await["status"], "OFFLINE");
    quiet(&mut watching, grace * 2).await;
}
