//! Queue statistics against a hand-computed fixture: waiting now, first response and
//! resolution times (median and 90th percentile), the first-response target, CSAT (whose
//! question is no one's first response), per agent;
//! the period's bounds, roles and other tenants' queues.

use chrono::{DateTime, Duration, DurationRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use switchboard::store::entities::{conversation, conversation_change, message};
use switchboard::store::Store;

use crate::lifecycle::run;
use crate::support::fixtures::{default_meta_channel, meta_inbound, send_text};
use crate::support::{eventually, TestApp, TestTenant};

const STATS: &str = "query($q: ID!, $f: DateTime!, $t: DateTime!) { queueStats(queueId: $q, from: $f, to: $t) {
    waiting oldestWaitingSince assigned pending opened resolved firstResponseWithinTarget
    firstResponse { medianSeconds p90Seconds count } resolution { medianSeconds p90Seconds count }
    csat { average responses }
    agents { userId open resolved firstResponse { medianSeconds count } resolution { medianSeconds count } csat { average } } } }";

async fn stats(tenant: &TestTenant, queue: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Value {
    let answer = tenant
        .owner
        .gql
        .query(
            STATS,
            json!({ "q": queue, "f": from.to_rfc3339(), "t": to.to_rfc3339() }),
        )
        .await;
    answer.data()["queueStats"].clone()
}

async fn conversation_ids(tenant: &TestTenant) -> Vec<String> {
    let answer = tenant
        .owner
        .gql
        .query("{ conversations { edges { node { id } } } }", json!({}))
        .await;
    let mut ids: Vec<String> = answer.data()["conversations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    ids.reverse();
    ids
}

/// Sets the times of a conversation's life: opened (and waiting) at `opened`, its
/// outbound messages stored `answered` later, and its resolution `resolved` later.
async fn set_times(
    app: &TestApp,
    id: &str,
    opened: DateTime<Utc>,
    answered: Option<Duration>,
    resolved: Option<Duration>,
) {
    let store = Store::connect(&app.database_url).await.unwrap();
    let db = store.connection();
    let id: uuid::Uuid = id.parse().unwrap();
    conversation::Entity::update_many()
        .col_expr(conversation::Column::OpenedAt, Expr::value(opened))
        .col_expr(
            conversation::Column::WaitingSince,
            Expr::value(Some(opened)),
        )
        .filter(conversation::Column::Id.eq(id))
        .filter(conversation::Column::Status.eq("OPEN"))
        .exec(db)
        .await
        .unwrap();
    conversation::Entity::update_many()
        .col_expr(conversation::Column::OpenedAt, Expr::value(opened))
        .filter(conversation::Column::Id.eq(id))
        .exec(db)
        .await
        .unwrap();
    if let Some(after) = answered {
        message::Entity::update_many()
            .col_expr(message::Column::CreatedAt, Expr::value(opened + after))
            .filter(message::Column::ConversationId.eq(id))
            .filter(message::Column::Direction.eq("OUTBOUND"))
            .exec(db)
            .await
            .unwrap();
    }
    if let Some(after) = resolved {
        conversation_change::Entity::update_many()
            .col_expr(conversation_change::Column::At, Expr::value(opened + after))
            .filter(conversation_change::Column::ConversationId.eq(id))
            .filter(conversation_change::Column::Kind.eq("RESOLVED"))
            .exec(db)
            .await
            .unwrap();
    }
    store.close().await;
}

#[tokio::test]
async fn queue_stats_match_a_hand_computed_fixture() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let bo = app.new_user(&tenant, "bo@acme.test", "AGENT").await;
    let queue = crate::visibility::default_queue(&tenant).await;
    let target = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateQueue(id: $id, input: { firstResponseMinutes: 2 }) { id } }",
            json!({ "id": queue }),
        )
        .await;
    target.data();
    let csat = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateQueueCsat(queueId: $id, input: { enabled: true }) { id } }",
            json!({ "id": queue }),
        )
        .await;
    csat.data();
    // A welcome goes to every new conversation: Switchboard's, nobody's first response.
    let welcome = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateQueueAutomations(queueId: $id, input: { welcome: { enabled: true, text: \"Hello! An agent is on the way.\" } }) { welcome { enabled } } }",
            json!({ "id": queue }),
        )
        .await;
    welcome.data();
    for i in 0..3 {
        meta_inbound(&app, &meta, &format!("3463{i:07}"), "Hello").await;
    }
    let ids = eventually(
        10,
        "three open",
        || conversation_ids(&tenant),
        |l| l.len() == 3,
    )
    .await;
    let owner = &tenant.owner.gql;
    for (id, agent) in [(&ids[0], &ana), (&ids[1], &bo)] {
        run(
            owner,
            "assignConversation",
            id,
            json!({ "u": agent.user_id }),
        )
        .await
        .data();
        send_text(&tenant, id, "On it").await;
        run(owner, "resolveConversation", id, json!({}))
            .await
            .data();
    }
    // Ana's customer rates 4, Bo's 2.
    for (i, (id, rating)) in [(&ids[0], 4), (&ids[1], 2)].into_iter().enumerate() {
        meta_inbound(&app, &meta, &format!("3463{i:07}"), &rating.to_string()).await;
        eventually(
            10,
            "the rating is stored",
            || async {
                owner
                    .query(
                        "query($id: ID!) { conversation(id: $id) { csat { rating } } }",
                        json!({ "id": id }),
                    )
                    .await
                    .data()["conversation"]["csat"]["rating"]
                    .clone()
            },
            |r| *r == json!(rating),
        )
        .await;
    }
    // Opened an hour ago: answered after 1 and 3 minutes, resolved after 10 and 20.
    let t0 = (Utc::now() - Duration::hours(1))
        .duration_trunc(Duration::seconds(1))
        .unwrap();
    set_times(
        &app,
        &ids[0],
        t0,
        Some(Duration::seconds(60)),
        Some(Duration::seconds(600)),
    )
    .await;
    set_times(
        &app,
        &ids[1],
        t0,
        Some(Duration::seconds(180)),
        Some(Duration::seconds(1200)),
    )
    .await;
    set_times(&app, &ids[2], t0, None, None).await;

    // The third customer got the welcome, and nothing from an agent.
    let welcomed = owner
        .query(
            "query($id: ID!) { conversation(id: $id) { messages(first: 10) { edges { node { direction text } } } } }",
            json!({ "id": ids[2] }),
        )
        .await;
    assert!(
        welcomed.data()["conversation"]["messages"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["direction"] == "OUTBOUND"
                && e["node"]["text"] == "Hello! An agent is on the way."),
        "{}",
        welcomed.body
    );
    let (from, to) = (t0 - Duration::minutes(1), Utc::now() + Duration::minutes(1));
    let figures = stats(&tenant, &queue, from, to).await;
    assert_eq!(figures["waiting"], 1);
    assert_eq!(
        figures["oldestWaitingSince"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        t0
    );
    assert_eq!(figures["assigned"], 0);
    assert_eq!(figures["pending"], 0);
    assert_eq!(figures["opened"], 3);
    assert_eq!(figures["resolved"], 2);
    assert_eq!(
        figures["firstResponse"],
        json!({ "medianSeconds": 60, "p90Seconds": 180, "count": 2 })
    );
    assert_eq!(
        figures["firstResponseWithinTarget"], 1,
        "60 s within 2 minutes, 180 s not"
    );
    assert_eq!(
        figures["resolution"],
        json!({ "medianSeconds": 600, "p90Seconds": 1200, "count": 2 })
    );
    assert_eq!(figures["csat"], json!({ "average": 3.0, "responses": 2 }));
    let agents = figures["agents"].as_array().unwrap();
    let of = |user: &str| agents.iter().find(|a| a["userId"] == user).unwrap().clone();
    assert_eq!(agents.len(), 2, "{agents:?}");
    let a = of(&ana.user_id);
    assert_eq!(
        (a["open"].clone(), a["resolved"].clone()),
        (json!(0), json!(1))
    );
    assert_eq!(
        a["firstResponse"],
        json!({ "medianSeconds": 60, "count": 1 })
    );
    assert_eq!(a["resolution"], json!({ "medianSeconds": 600, "count": 1 }));
    assert_eq!(a["csat"]["average"], 4.0);
    let b = of(&bo.user_id);
    assert_eq!(
        b["firstResponse"],
        json!({ "medianSeconds": 180, "count": 1 })
    );
    assert_eq!(
        b["resolution"],
        json!({ "medianSeconds": 1200, "count": 1 })
    );

    // A period after all of it: nothing opened or resolved; who waits now stays.
    let later = stats(&tenant, &queue, to, to + Duration::hours(1)).await;
    assert_eq!(
        (later["opened"].clone(), later["resolved"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(later["firstResponse"]["medianSeconds"], Value::Null);
    assert_eq!(later["waiting"], 1);
}

#[tokio::test]
async fn queue_stats_check_the_period_the_role_and_the_tenant() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let queue = crate::visibility::default_queue(&tenant).await;
    let other = app.new_tenant("Globex").await;
    let theirs = crate::visibility::default_queue(&other).await;
    let now = Utc::now();
    let ask = |gql: &crate::support::graphql::Gql, q: &str, f: DateTime<Utc>, t: DateTime<Utc>| {
        let gql = gql.clone();
        let vars = json!({ "q": q, "f": f.to_rfc3339(), "t": t.to_rfc3339() });
        async move { gql.query(STATS, vars).await }
    };
    let backwards = ask(&tenant.owner.gql, &queue, now, now - Duration::hours(1)).await;
    assert_eq!(backwards.body["errors"][0]["extensions"]["field"], "to");
    let too_long = ask(&tenant.owner.gql, &queue, now - Duration::days(400), now).await;
    assert_eq!(too_long.body["errors"][0]["extensions"]["field"], "from");
    let agent = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let by_agent = ask(&agent.gql, &queue, now - Duration::hours(1), now).await;
    assert_eq!(by_agent.code(), "FORBIDDEN");
    let other_tenant = ask(&tenant.owner.gql, &theirs, now - Duration::hours(1), now).await;
    assert_eq!(other_tenant.code(), "NOT_FOUND");
}
