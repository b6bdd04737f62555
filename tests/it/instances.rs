//! Several instances on one database, as operators run them behind a load balancer: two
//! server processes dispatch the same campaigns and share the outbox. Each recipient is
//! messaged once, and no campaign ever holds more than its window of queued messages. A
//! send whose lease ran out while it waited for the database is taken over by the other
//! instance, and its late answer never ends the job behind that instance's back.

use std::time::Duration;

use chrono::{SubsecRound, Utc};
use switchboard::domain::records::AttemptRecord;
use switchboard::store::outbox::JobNext;
use switchboard::store::system::System;
use switchboard::store::{Store, TenantScope};

use crate::reconcile;
use crate::support::campaign_run::{self, Rig, MESSAGES_PER_SECOND, RECIPIENTS_PER_CAMPAIGN};
use crate::support::db;
use crate::support::fixtures::{send_text, twilio_channel, twilio_inbound};
use crate::support::process::free_port;
use crate::support::TestApp;

#[tokio::test]
async fn two_instances_dispatch_the_same_campaigns_and_message_each_recipient_once() {
    let rig = Rig::new().await;
    let first = format!("127.0.0.1:{}", free_port());
    let second = format!("127.0.0.1:{}", free_port());
    let started = std::time::Instant::now();
    let mut a = rig.serve(&first).await;
    let (tenant, campaigns) = rig.campaigns(&format!("http://{first}")).await;
    let mut b = rig.serve(&second).await;
    // Slow answers keep both outboxes busy while both dispatchers queue batches.
    rig.twilio
        .configure(|s| s.answer_delay = Duration::from_millis(150));
    rig.meta.set_answer_delay(Duration::from_millis(150));
    campaign_run::start(&tenant, &campaigns).await;

    // Watch every campaign's queue until both are done.
    let window = 2 * MESSAGES_PER_SECOND;
    let most_queued = std::cell::Cell::new(0);
    crate::support::eventually(
        40,
        "every campaign completes",
        || async {
            let mut done = 0;
            for c in &campaigns {
                let c = campaign_run::campaign(&tenant.owner, &c.id).await;
                let queued = c["counts"]["queued"].as_u64().unwrap();
                most_queued.set(most_queued.get().max(queued));
                if c["state"] == "COMPLETED" {
                    done += 1;
                }
            }
            done
        },
        |done| *done == campaigns.len(),
    )
    .await;
    let most_queued = most_queued.get();

    let recipients_of = campaign_run::finished(&tenant, &campaigns, Duration::from_secs(20)).await;
    let tally =
        campaign_run::check_each_messaged_once(&tenant, &campaigns, &recipients_of, &rig.reached())
            .await;
    // Twilio's status callback names the instance that sent.
    let sent_by = |listen: &str| {
        rig.twilio
            .messages()
            .iter()
            .filter(|m| {
                m.status_callback
                    .as_deref()
                    .is_some_and(|u| u.contains(listen))
            })
            .count()
    };
    let (sent_by_first, sent_by_second) = (sent_by(&first), sent_by(&second));
    println!(
        "two instances ({}): recipients={} batches(twilio, meta)={:?} most_queued={most_queued} window={window} twilio_sends_by_instance=({sent_by_first}, {sent_by_second}) duplicates={} elapsed={:.1}s",
        if db::on_postgres() { "postgres" } else { "sqlite" },
        2 * RECIPIENTS_PER_CAMPAIGN,
        tally.batches,
        tally.duplicated("META") + tally.duplicated("TWILIO"),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(tally.duplicated("META") + tally.duplicated("TWILIO"), 0);
    assert!(
        most_queued <= window,
        "a campaign held {most_queued} queued messages, over its window of {window}"
    );
    assert!(
        sent_by_first > 0 && sent_by_second > 0,
        "both outboxes sent: {sent_by_first} and {sent_by_second}"
    );
    a.child.kill().await.ok();
    b.child.kill().await.ok();
}

/// One instance's send is answered only after its lease ran out and another instance took
/// the job over: that instance marked the send interrupted and, as Meta cannot be asked,
/// scheduled a wait for a status. The late answer is recorded, the job stays with the
/// instance that took it over, and it ends with a final attempt; the message went once.
#[tokio::test]
async fn a_send_answered_after_another_instance_took_its_job_over_still_ends_its_job() {
    let app = TestApp::spawn_with(|config| {
        config.provider_timeout = Duration::from_secs(3);
        config.outbox_lease = Duration::from_secs(4);
        config.outbox_status_grace = Duration::from_secs(1);
    })
    .await;
    let (tenant, _meta, conversation) = reconcile::meta_setup(&app).await;
    let other = Store::connect(&app.database_url).await.unwrap();
    app.meta.set_answer_delay(Duration::from_secs(1));
    let id = send_text(&tenant, &conversation, "On its way").await;
    crate::support::eventually(
        10,
        "the send reaches Meta",
        || std::future::ready(app.meta.sent_messages().len()),
        |sent| *sent > 0,
    )
    .await;

    // Meta holds its answer. The other instance, whose clock is past the lease, takes the job
    // over while holding the database (SQLite) or the job's row (PostgreSQL), so the first
    // instance can record its answer only after the takeover committed.
    let now = Utc::now();
    let past_lease = now + chrono::Duration::seconds(5);
    let txn = other.begin_write().await.unwrap();
    let jobs = System::new(&txn)
        .claim_jobs(
            past_lease,
            (past_lease + chrono::Duration::seconds(4)).trunc_subsecs(6),
            10,
            &Default::default(),
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let job = &jobs[0];
    assert_eq!(job.message.to_string(), id);
    let message_id = job.message;
    let scope = TenantScope::new(&txn, job.tenant);
    let history = scope.outbox().attempts(message_id).await.unwrap();
    let before: Vec<&str> = history.iter().map(|a| a.outcome.as_str()).collect();
    assert_eq!(before, ["IN_FLIGHT"], "the first send awaits its answer");
    scope.outbox().mark_interrupted(message_id).await.unwrap();
    let awaiting = AttemptRecord {
        number: 2,
        started_at: now,
        duration_ms: 0,
        request: "reconcile".into(),
        http_status: None,
        outcome: switchboard::domain::AttemptOutcome::AwaitingStatus,
        provider_code: None,
        provider_message: None,
        provider_message_id: None,
    };
    // Due well after Meta's answer (a second away) has been recorded.
    let next = JobNext::RetryAt(now + chrono::Duration::seconds(3));
    assert!(scope
        .outbox()
        .finish(job, job.lease_until, &awaiting, next, now)
        .await
        .unwrap());
    txn.commit().await.unwrap();
    other.close().await;

    let done = reconcile::until(&tenant, &id, |m| {
        reconcile::outcomes(m)
            .last()
            .is_some_and(|o| campaign_run::FINAL_OUTCOMES.contains(&o.as_str()))
    })
    .await;
    assert_eq!(done["status"], "SENT", "{done}");
    assert_eq!(
        reconcile::outcomes(&done),
        ["SENT", "AWAITING_STATUS", "SKIPPED"],
        "{done}"
    );
    assert_eq!(app.meta.sent_messages().len(), 1, "sent once");
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

/// Twilio's "queued" callback can come before the answer to the send, with the same word as
/// the answer's status. The answer still moves the message to SENT: an instance that takes
/// the job over tells from the message's status that the send happened.
#[tokio::test]
async fn a_twilio_send_answered_after_its_queued_callback_is_sent() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    twilio_inbound(&app, &channel, "hi").await;
    let conversation = reconcile::first_conversation(&tenant).await;
    // Only the "queued" callback comes, well before the answer.
    app.twilio.configure(|s| {
        s.callback_delay = Duration::from_millis(50);
        s.answer_delay = Duration::from_millis(800);
        s.callbacks_dropped = vec!["sent".into(), "delivered".into(), "read".into()];
    });
    let id = send_text(&tenant, &conversation, "Shipped").await;
    // The message and its attempts are read one after the other, so one answer can show the
    // SENT attempt beside the status read just before both committed: wait for both.
    let done = reconcile::until(&tenant, &id, |m| {
        m["status"] != "QUEUED" && reconcile::outcomes(m).last().map(String::as_str) == Some("SENT")
    })
    .await;
    assert_eq!(done["status"], "SENT", "{done}");
    assert_eq!(reconcile::outcomes(&done), ["SENT"], "{done}");
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
