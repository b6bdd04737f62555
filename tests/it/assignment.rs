//! Automatic assignment: ROUND_ROBIN shares conversations evenly, LEAST_BUSY fills the
//! least loaded member first, nobody goes over capacity even when conversations arrive all
//! at once (also with two instances on one database), and a conversation that cannot be
//! assigned waits and is assigned, oldest first, when a member comes online or frees room.

use std::collections::HashMap;

use futures::future::join_all;
use serde_json::{json, Value};

use crate::lifecycle::run;
use crate::support::fixtures::{default_meta_channel, meta_inbound, MetaChannel};
use crate::support::{eventually, Session, TestApp, TestTenant};

/// The tenant's default queue, set to `mode` with `members` (each with `capacity`).
async fn default_queue(tenant: &TestTenant, mode: &str, members: &[&Session], capacity: u32) {
    let id = crate::visibility::default_queue(tenant).await;
    let members: Vec<Value> = members
        .iter()
        .map(|m| json!({ "userId": m.user_id, "capacity": capacity }))
        .collect();
    let answer = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!, $i: UpdateQueueInput!) { updateQueue(id: $id, input: $i) { id } }",
            json!({ "id": id, "i": { "assignmentMode": mode, "members": members } }),
        )
        .await;
    answer.data();
}

async fn agents(app: &TestApp, tenant: &TestTenant, n: usize) -> Vec<Session> {
    let mut sessions = Vec::new();
    for i in 0..n {
        let email = format!("agent{i}@acme.test");
        sessions.push(app.new_user(tenant, &email, "AGENT").await);
    }
    sessions
}

async fn set_presence(session: &Session, status: &str) {
    let answer = session
        .gql
        .query(
            "mutation($s: PresenceStatus!) { setPresence(status: $s) { status } }",
            json!({ "s": status }),
        )
        .await;
    assert_eq!(answer.data()["setPresence"]["status"], status);
}

/// Customer `i` writes in, opening their conversation.
async fn customer_writes(app: &TestApp, meta: &MetaChannel, i: usize) {
    meta_inbound(app, meta, &format!("3461{i:07}"), "Hello").await;
}

/// Every conversation (up to 250), oldest first: id, status, assignee.
async fn all(tenant: &TestTenant) -> Vec<Value> {
    let mut found = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let answer = tenant
            .owner
            .gql
            .query(
                "query($a: String) { conversations(first: 100, after: $a) { edges { cursor node { id status assigneeId waitingSince } } pageInfo { hasNextPage } } }",
                json!({ "a": after }),
            )
            .await;
        let page = answer.data()["conversations"].clone();
        for edge in page["edges"].as_array().unwrap() {
            found.push(edge["node"].clone());
            after = Some(edge["cursor"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
    }
    found.reverse();
    found
}

/// Each agent's conversations that are not resolved.
fn load(conversations: &[Value]) -> HashMap<String, usize> {
    let mut load = HashMap::new();
    for c in conversations.iter().filter(|c| c["status"] != "RESOLVED") {
        if let Some(user) = c["assigneeId"].as_str() {
            *load.entry(user.to_owned()).or_default() += 1;
        }
    }
    load
}

fn count(conversations: &[Value], status: &str) -> usize {
    conversations
        .iter()
        .filter(|c| c["status"] == status)
        .count()
}

#[tokio::test]
async fn round_robin_shares_conversations_evenly_among_online_agents() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let team = agents(&app, &tenant, 6).await;
    let refs: Vec<&Session> = team.iter().collect();
    default_queue(&tenant, "ROUND_ROBIN", &refs, 100).await;
    for agent in &team[..5] {
        set_presence(agent, "ONLINE").await;
    }
    set_presence(&team[5], "AWAY").await;

    for i in 0..200 {
        customer_writes(&app, &meta, i).await;
    }
    let conversations = eventually(
        60,
        "all 200 conversations are assigned",
        || all(&tenant),
        |list| list.len() == 200 && count(list, "ASSIGNED") == 200,
    )
    .await;
    let load = load(&conversations);
    for agent in &team[..5] {
        assert_eq!(load.get(&agent.user_id), Some(&40), "{load:?}");
    }
    assert_eq!(
        load.get(&team[5].user_id),
        None,
        "an AWAY member gets nothing"
    );
}

#[tokio::test]
async fn least_busy_fills_the_least_loaded_member_first() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let team = agents(&app, &tenant, 2).await;
    let (ana, bo) = (&team[0], &team[1]);
    default_queue(&tenant, "LEAST_BUSY", &[ana, bo], 10).await;

    // Nobody online: two conversations wait, and Ana takes both by hand.
    for i in 0..2 {
        customer_writes(&app, &meta, i).await;
    }
    let waiting = eventually(10, "two wait", || all(&tenant), |l| l.len() == 2).await;
    for c in &waiting {
        let id = c["id"].as_str().unwrap();
        let taken = run(
            &ana.gql,
            "assignConversation",
            id,
            json!({ "u": ana.user_id }),
        )
        .await;
        assert_eq!(taken.data()["assignConversation"]["status"], "ASSIGNED");
    }
    set_presence(ana, "ONLINE").await;
    set_presence(bo, "ONLINE").await;

    // Bo has none: the next two go to him; then they are even, and the one idle longest
    // (Ana, whom the queue never gave one) takes the next.
    let mut expected = vec![&bo.user_id, &bo.user_id, &ana.user_id];
    for i in 2..5 {
        customer_writes(&app, &meta, i).await;
        let list = eventually(
            10,
            "the new conversation is assigned",
            || all(&tenant),
            |l| l.len() == i + 1 && l[i]["status"] == "ASSIGNED",
        )
        .await;
        assert_eq!(
            list[i]["assigneeId"],
            expected.remove(0).as_str(),
            "conversation {i}"
        );
    }
}

#[tokio::test]
async fn waiting_conversations_are_assigned_oldest_first_as_room_frees_and_members_come_online() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let team = agents(&app, &tenant, 2).await;
    let (ana, bo) = (&team[0], &team[1]);
    default_queue(&tenant, "ROUND_ROBIN", &[ana, bo], 2).await;
    set_presence(ana, "ONLINE").await;

    for i in 0..5 {
        customer_writes(&app, &meta, i).await;
        // One at a time, so that "oldest" is well defined.
        eventually(
            10,
            "the conversation opens",
            || all(&tenant),
            |l| l.len() == i + 1,
        )
        .await;
    }
    let list = eventually(
        10,
        "Ana's two slots fill",
        || all(&tenant),
        |l| count(l, "ASSIGNED") == 2,
    )
    .await;
    assert_eq!(count(&list, "OPEN"), 3, "the rest wait");
    assert_eq!(load(&list).get(&ana.user_id), Some(&2));
    assert_eq!(list[0]["assigneeId"], ana.user_id.as_str());
    assert_eq!(list[1]["assigneeId"], ana.user_id.as_str());

    // Ana resolves one: the oldest waiting conversation takes the slot.
    let done = run(
        &ana.gql,
        "resolveConversation",
        list[0]["id"].as_str().unwrap(),
        json!({}),
    )
    .await;
    assert_eq!(done.data()["resolveConversation"]["status"], "RESOLVED");
    let list = eventually(
        10,
        "the oldest waiting is assigned",
        || all(&tenant),
        |l| l[2]["status"] == "ASSIGNED",
    )
    .await;
    assert_eq!(list[2]["assigneeId"], ana.user_id.as_str());
    assert_eq!(count(&list, "OPEN"), 2);

    // Bo comes online: the two left go to him.
    set_presence(bo, "ONLINE").await;
    let list = eventually(
        10,
        "the rest are assigned to Bo",
        || all(&tenant),
        |l| count(l, "OPEN") == 0,
    )
    .await;
    assert_eq!(list[3]["assigneeId"], bo.user_id.as_str());
    assert_eq!(list[4]["assigneeId"], bo.user_id.as_str());
}

#[tokio::test]
async fn conversations_arriving_at_once_never_exceed_capacity_with_two_instances() {
    let first = TestApp::spawn().await;
    let shared = first.database_url.clone();
    let second = TestApp::spawn_with(move |c| c.database_url = shared).await;
    let tenant = first.new_tenant("Acme").await;
    let meta = default_meta_channel(&first, &tenant).await;
    let team = agents(&first, &tenant, 5).await;
    let refs: Vec<&Session> = team.iter().collect();
    default_queue(&tenant, "LEAST_BUSY", &refs, 5).await;
    for agent in &team {
        set_presence(agent, "ONLINE").await;
    }

    // Both instances' workers compete for the same queue.
    join_all((0..50).map(|i| customer_writes(&first, &meta, i))).await;
    let list = eventually(
        30,
        "every slot is taken",
        || all(&tenant),
        |l| l.len() == 50 && count(l, "ASSIGNED") == 25,
    )
    .await;
    assert_eq!(count(&list, "OPEN"), 25, "the rest wait");
    let each = load(&list);
    for agent in &team {
        assert_eq!(each.get(&agent.user_id), Some(&5), "{each:?}");
    }
    // A slot freed on the second instance takes exactly one waiting conversation.
    let agent = second
        .login("agent0@acme.test", crate::support::PASSWORD)
        .await;
    let theirs = list
        .iter()
        .find(|c| c["assigneeId"] == agent.user_id.as_str())
        .unwrap();
    let id = theirs["id"].as_str().unwrap();
    let done = run(&agent.gql, "resolveConversation", id, json!({})).await;
    assert_eq!(done.data()["resolveConversation"]["status"], "RESOLVED");
    let after = eventually(
        15,
        "the freed slot is taken",
        || all(&tenant),
        |l| count(l, "OPEN") == 24,
    )
    .await;
    assert_eq!(count(&after, "ASSIGNED"), 25);
    assert_eq!(
        load(&after).get(&agent.user_id),
        Some(&5),
        "back to capacity, not over"
    );
}

#[tokio::test]
async fn admins_see_an_agents_load_change_live() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    customer_writes(&app, &meta, 1).await;
    let id = eventually(10, "it opens", || all(&tenant), |l| l.len() == 1).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut watching = crate::subscriptions::subscribe(
        &app,
        &tenant.owner.access_token,
        "subscription($u: ID) { presenceEvents(userId: $u) { userId openConversations } }",
        json!({ "u": ana.user_id }),
    )
    .await;
    run(
        &tenant.owner.gql,
        "assignConversation",
        &id,
        json!({ "u": ana.user_id }),
    )
    .await
    .data();
    assert_eq!(load_event(&mut watching).await, 1);
    run(&ana.gql, "resolveConversation", &id, json!({}))
        .await
        .data();
    assert_eq!(load_event(&mut watching).await, 0);
}

/// The open conversations the next presence event announces.
async fn load_event(socket: &mut crate::subscriptions::Socket) -> Value {
    let payload = tokio::time::timeout(
        crate::support::deadline(10),
        crate::subscriptions::next_payload(socket),
    )
    .await
    .expect("a presence event in time");
    payload["data"]["presenceEvents"]["openConversations"].clone()
}
