//! Watching the outbox from a test: `drain_outbox` waits until nothing is left to send,
//! and `finish` stops the server and checks that no job was left claimed. The outbox
//! has no API of its own, so these read the jobs from the store.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use switchboard::store::entities::outbox_job;
use switchboard::store::Store;

use super::{eventually, Stopped, TestApp, TestTenant};

/// A job as a failure message shows it.
#[derive(Debug)]
#[expect(dead_code, reason = "read through Debug, in failure messages")]
pub struct JobRow {
    pub message_id: String,
    pub state: String,
    pub attempts: i32,
    pub lease_until: Option<String>,
}

impl From<outbox_job::Model> for JobRow {
    fn from(job: outbox_job::Model) -> Self {
        Self {
            message_id: job.message_id.to_string(),
            state: job.state,
            attempts: job.attempts,
            lease_until: job.lease_until.map(|at| at.to_rfc3339()),
        }
    }
}

/// The jobs still to send (queued, waiting for a predecessor, or being sent), in every
/// tenant or in `tenant` alone.
async fn open_jobs(database_url: &str, tenant: Option<&str>) -> Vec<JobRow> {
    let store = Store::connect(database_url).await.expect("the store opens");
    // The stored words of the states a job is still to send in.
    let mut query =
        outbox_job::Entity::find().filter(outbox_job::Column::State.is_in(["PENDING", "WAITING"]));
    if let Some(tenant) = tenant {
        let tenant: uuid::Uuid = tenant.parse().expect("a tenant id");
        query = query.filter(outbox_job::Column::TenantId.eq(tenant));
    }
    let jobs = query
        .all(store.connection())
        .await
        .expect("the outbox reads");
    store.close().await;
    jobs.into_iter().map(JobRow::from).collect()
}

impl TestApp {
    /// Waits until the tenant has no queued or in-flight outbound job: every message it
    /// sent was either sent or failed for good.
    pub async fn drain_outbox(&self, tenant: &TestTenant) {
        eventually(
            30,
            "the outbox drains",
            || open_jobs(&self.database_url, Some(&tenant.id)),
            |jobs| jobs.is_empty(),
        )
        .await;
    }

    /// Ends a test that sent: waits for the outbox to drain in every tenant, stops the
    /// server, and asserts that no job was left claimed by a worker.
    pub async fn finish(self) -> Stopped {
        eventually(
            30,
            "the outbox drains before the end",
            || open_jobs(&self.database_url, None),
            |jobs| jobs.is_empty(),
        )
        .await;
        let database_url = self.database_url.clone();
        let stopped = self.stop().await;
        let now = Utc::now();
        let claimed: Vec<JobRow> = open_jobs(&database_url, None)
            .await
            .into_iter()
            .filter(|job| {
                job.lease_until.as_deref().is_some_and(|at| {
                    chrono::DateTime::parse_from_rfc3339(at).is_ok_and(|at| at > now)
                })
            })
            .collect();
        assert!(claimed.is_empty(), "jobs left claimed: {claimed:?}");
        stopped
    }
}
