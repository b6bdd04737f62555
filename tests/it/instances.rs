//! Several instances on one database, as operators run them behind a load balancer: two
//! server processes dispatch the same campaigns and share the outbox. Each recipient is
//! messaged once, and no campaign ever holds more than its window of queued messages.

use std::time::Duration;

use crate::support::campaign_run::{self, Rig, MESSAGES_PER_SECOND, RECIPIENTS_PER_CAMPAIGN};
use crate::support::db;
use crate::support::process::free_port;

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
    let mut most_queued = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    loop {
        let mut done = 0;
        for c in &campaigns {
            let c = campaign_run::campaign(&tenant.owner, &c.id).await;
            most_queued = most_queued.max(c["counts"]["queued"].as_u64().unwrap());
            if c["state"] == "COMPLETED" {
                done += 1;
            }
        }
        if done == campaigns.len() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not done in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

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
