//! A tenant's outbox jobs and delivery attempts.
//!
//! A worker changes a job only while it holds the job's lease: every move and every appended
//! attempt is fenced on the lease the worker claimed or last renewed (`held`). A worker
//! whose lease ran out (a slow database, a paused process) and whose job another worker or
//! instance then claimed finds its writes refused and leaves the job to the new holder;
//! otherwise it could end a job the new holder had just scheduled again, with a
//! non-final attempt left last.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::entities::{delivery_attempt, outbox_job};
use super::StoreError;
use crate::domain::records::attempt::AttemptRecord;
use crate::domain::records::{JobRecord, JobState};
use crate::domain::{AttemptOutcome, ChannelId, MessageId, TenantId};

const WAITING: &str = "WAITING";
const PENDING: &str = "PENDING";
const DONE: &str = "DONE";
const FAILED: &str = "FAILED";

/// The stored word of a job's state.
pub(super) fn state_word(state: JobState) -> &'static str {
    match state {
        JobState::Waiting => WAITING,
        JobState::Pending => PENDING,
        JobState::Done => DONE,
        JobState::Failed => FAILED,
    }
}

fn parse_state(word: &str) -> Option<JobState> {
    [
        JobState::Waiting,
        JobState::Pending,
        JobState::Done,
        JobState::Failed,
    ]
    .into_iter()
    .find(|state| state_word(*state) == word)
}

impl TryFrom<outbox_job::Model> for JobRecord {
    type Error = StoreError;

    fn try_from(row: outbox_job::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id.into(),
            tenant: row.tenant_id.into(),
            message: row.message_id.into(),
            channel: row.channel_id.into(),
            state: parse_state(&row.state)
                .ok_or_else(|| StoreError::Corrupt(format!("outbox job state {}", row.state)))?,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            lease_until: row.lease_until,
        })
    }
}

/// What happens to a job after an attempt.
#[derive(Clone, Copy, Debug)]
pub enum JobNext {
    Done,
    RetryAt(DateTime<Utc>),
    Failed,
}

pub struct Outbox<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> Outbox<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    /// Queues the send of `message`: due now, or once `follows` has been sent.
    pub async fn enqueue(
        &self,
        message: MessageId,
        channel: ChannelId,
        follows: Option<MessageId>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        outbox_job::Entity::insert(outbox_job::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(uuid::Uuid::now_v7()),
            message_id: Set(message.into()),
            channel_id: Set(channel.into()),
            follows: Set(follows.map(Into::into)),
            state: Set(state_word(if follows.is_some() {
                JobState::Waiting
            } else {
                JobState::Pending
            })
            .to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            lease_until: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Puts a message's job back in the queue, due now (a manual retry).
    pub async fn requeue(&self, message: MessageId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let result = outbox_job::Entity::update_many()
            .col_expr(outbox_job::Column::State, Expr::value(PENDING))
            .col_expr(outbox_job::Column::NextAttemptAt, Expr::value(now))
            .col_expr(
                outbox_job::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(outbox_job::Column::UpdatedAt, Expr::value(now))
            .filter(outbox_job::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(outbox_job::Column::MessageId.eq(message.into_uuid()))
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Ends an attempt: records it and moves the job on. False, recording nothing, when
    /// the job no longer holds `held` (see [`Self::renew_lease`]).
    pub async fn finish(
        &self,
        job: &JobRecord,
        held: Option<DateTime<Utc>>,
        attempt: &AttemptRecord,
        next: JobNext,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if !self.move_job(job, held, attempt.number, next, now).await? {
            return Ok(false);
        }
        self.insert_attempt(job, attempt).await?;
        Ok(true)
    }

    /// Moves the job's lease from `held` (the lease this worker claimed or last renewed) to
    /// `until`. False when the job no longer holds `held`: the lease ran out while this
    /// worker waited (for the rate limiter, a slow database) and another worker or
    /// instance claimed the job, so this one must not send it too. `until` should have
    /// whole microseconds, so it compares equal once stored.
    pub async fn renew_lease(
        &self,
        job: &JobRecord,
        held: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let renew = outbox_job::Entity::update_many()
            .col_expr(outbox_job::Column::LeaseUntil, Expr::value(Some(until)))
            .filter(outbox_job::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(outbox_job::Column::Id.eq(job.id.into_uuid()));
        Ok(Self::held_by(renew, held)
            .exec(self.db)
            .await?
            .rows_affected
            == 1)
    }

    /// Records that a provider call is about to start (outcome [`AttemptOutcome::InFlight`]) and renews the
    /// job's lease for the call. Committed before the call, so a crash leaves the evidence.
    /// `None`, recording nothing, when the job no longer holds `held` (see
    /// [`Self::renew_lease`]).
    pub async fn begin_attempt(
        &self,
        job: &JobRecord,
        attempt: &AttemptRecord,
        held: Option<DateTime<Utc>>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<uuid::Uuid>, StoreError> {
        if !self.renew_lease(job, held, lease_until).await? {
            return Ok(None);
        }
        self.insert_attempt(job, attempt).await.map(Some)
    }

    /// Ends an attempt begun with [`Self::begin_attempt`]: its row takes the outcome, which
    /// is what the provider answered whoever holds the job now, and the job moves on if it
    /// still holds `held`. False when another worker took the job over during the call: that
    /// worker finds this outcome (or reconciles the send) and ends the job itself.
    pub async fn finish_begun(
        &self,
        job: &JobRecord,
        held: Option<DateTime<Utc>>,
        attempt_id: uuid::Uuid,
        attempt: &AttemptRecord,
        next: JobNext,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delivery_attempt::Entity::update_many()
            .col_expr(
                delivery_attempt::Column::DurationMs,
                Expr::value(attempt.duration_ms),
            )
            .col_expr(
                delivery_attempt::Column::HttpStatus,
                Expr::value(attempt.http_status),
            )
            .col_expr(
                delivery_attempt::Column::Outcome,
                Expr::value(attempt.outcome.as_str()),
            )
            .col_expr(
                delivery_attempt::Column::ProviderCode,
                Expr::value(attempt.provider_code.clone()),
            )
            .col_expr(
                delivery_attempt::Column::ProviderMessage,
                Expr::value(attempt.provider_message.clone()),
            )
            .col_expr(
                delivery_attempt::Column::ProviderMessageId,
                Expr::value(attempt.provider_message_id.clone()),
            )
            .filter(delivery_attempt::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(delivery_attempt::Column::Id.eq(attempt_id))
            .exec(self.db)
            .await?;
        self.move_job(job, held, attempt.number, next, now).await
    }

    /// Marks a message's attempts left [`AttemptOutcome::InFlight`] by a worker that died as
    /// [`AttemptOutcome::Interrupted`].
    pub async fn mark_interrupted(&self, message: MessageId) -> Result<(), StoreError> {
        delivery_attempt::Entity::update_many()
            .col_expr(
                delivery_attempt::Column::Outcome,
                Expr::value(AttemptOutcome::Interrupted.as_str()),
            )
            .col_expr(
                delivery_attempt::Column::ProviderMessage,
                Expr::value(Some(
                    "the worker stopped during the call; the outcome is unknown".to_owned(),
                )),
            )
            .filter(delivery_attempt::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(delivery_attempt::Column::MessageId.eq(message.into_uuid()))
            .filter(delivery_attempt::Column::Outcome.eq(AttemptOutcome::InFlight.as_str()))
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Records an attempt without moving the job (a step that the next one follows at once).
    /// False, recording nothing, when the job no longer holds `held`.
    pub async fn record_attempt(
        &self,
        job: &JobRecord,
        held: Option<DateTime<Utc>>,
        attempt: &AttemptRecord,
    ) -> Result<bool, StoreError> {
        if !self.holds(job, held).await? {
            return Ok(false);
        }
        self.insert_attempt(job, attempt).await?;
        Ok(true)
    }

    /// Whether the job is still pending under `held`. A write of the lease onto itself, so
    /// that on PostgreSQL it also takes the job's row lock, as a claim's update does, until
    /// the caller's transaction ends.
    async fn holds(
        &self,
        job: &JobRecord,
        held: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let touch = outbox_job::Entity::update_many()
            .col_expr(
                outbox_job::Column::LeaseUntil,
                Expr::col(outbox_job::Column::LeaseUntil).into(),
            )
            .filter(outbox_job::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(outbox_job::Column::Id.eq(job.id.into_uuid()));
        Ok(Self::held_by(touch, held)
            .exec(self.db)
            .await?
            .rows_affected
            == 1)
    }

    /// Narrows an update of a job to the job while it is pending under `held`.
    fn held_by(
        update: sea_orm::UpdateMany<outbox_job::Entity>,
        held: Option<DateTime<Utc>>,
    ) -> sea_orm::UpdateMany<outbox_job::Entity> {
        let update = update.filter(outbox_job::Column::State.eq(PENDING));
        match held {
            Some(held) => update.filter(outbox_job::Column::LeaseUntil.eq(held)),
            None => update.filter(outbox_job::Column::LeaseUntil.is_null()),
        }
    }

    async fn insert_attempt(
        &self,
        job: &JobRecord,
        attempt: &AttemptRecord,
    ) -> Result<uuid::Uuid, StoreError> {
        let id = uuid::Uuid::now_v7();
        delivery_attempt::Entity::insert(delivery_attempt::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(id),
            message_id: Set(job.message.into()),
            number: Set(attempt.number),
            started_at: Set(attempt.started_at),
            duration_ms: Set(attempt.duration_ms),
            request: Set(attempt.request.clone()),
            http_status: Set(attempt.http_status),
            outcome: Set(attempt.outcome.as_str().to_owned()),
            provider_code: Set(attempt.provider_code.clone()),
            provider_message: Set(attempt.provider_message.clone()),
            provider_message_id: Set(attempt.provider_message_id.clone()),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(id)
    }

    /// Moves the job on, if it is still pending under `held`; false when it was not.
    async fn move_job(
        &self,
        job: &JobRecord,
        held: Option<DateTime<Utc>>,
        number: i32,
        next: JobNext,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (state, at) = match next {
            JobNext::Done => (DONE, job.next_attempt_at),
            JobNext::RetryAt(at) => (PENDING, at),
            JobNext::Failed => (FAILED, job.next_attempt_at),
        };
        let update = outbox_job::Entity::update_many()
            .col_expr(outbox_job::Column::State, Expr::value(state))
            .col_expr(outbox_job::Column::Attempts, Expr::value(number))
            .col_expr(outbox_job::Column::NextAttemptAt, Expr::value(at))
            .col_expr(
                outbox_job::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(outbox_job::Column::UpdatedAt, Expr::value(now))
            .filter(outbox_job::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(outbox_job::Column::Id.eq(job.id.into_uuid()));
        Ok(Self::held_by(update, held)
            .exec(self.db)
            .await?
            .rows_affected
            == 1)
    }

    pub async fn attempts(&self, message: MessageId) -> Result<Vec<AttemptRecord>, StoreError> {
        Ok(self
            .attempts_of(&[message])
            .await?
            .remove(&message)
            .unwrap_or_default())
    }

    /// The attempts of several messages in one query (a history page).
    pub async fn attempts_of(
        &self,
        messages: &[MessageId],
    ) -> Result<std::collections::HashMap<MessageId, Vec<AttemptRecord>>, StoreError> {
        let mut attempts: std::collections::HashMap<MessageId, Vec<AttemptRecord>> =
            std::collections::HashMap::new();
        let rows = delivery_attempt::Entity::find()
            .filter(delivery_attempt::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(
                delivery_attempt::Column::MessageId.is_in(messages.iter().map(|id| id.into_uuid())),
            )
            .order_by_asc(delivery_attempt::Column::Number)
            .order_by_asc(delivery_attempt::Column::Id)
            .all(self.db)
            .await?;
        for a in rows {
            attempts
                .entry(a.message_id.into())
                .or_default()
                .push(AttemptRecord {
                    number: a.number,
                    started_at: a.started_at,
                    duration_ms: a.duration_ms,
                    request: a.request,
                    http_status: a.http_status,
                    outcome: AttemptOutcome::parse(&a.outcome).ok_or_else(|| {
                        StoreError::Corrupt(format!("attempt outcome {}", a.outcome))
                    })?,
                    provider_code: a.provider_code,
                    provider_message: a.provider_message,
                    provider_message_id: a.provider_message_id,
                });
        }
        Ok(attempts)
    }

    /// Releases the jobs waiting for `message`, now that it was sent.
    pub async fn release_followers(
        &self,
        message: MessageId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        outbox_job::Entity::update_many()
            .col_expr(outbox_job::Column::State, Expr::value(PENDING))
            .col_expr(outbox_job::Column::NextAttemptAt, Expr::value(now))
            .col_expr(outbox_job::Column::UpdatedAt, Expr::value(now))
            .filter(outbox_job::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(outbox_job::Column::Follows.eq(message.into_uuid()))
            .filter(outbox_job::Column::State.eq(WAITING))
            .exec(self.db)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_state_reads_back_from_its_stored_word() {
        for state in [
            JobState::Waiting,
            JobState::Pending,
            JobState::Done,
            JobState::Failed,
        ] {
            assert_eq!(parse_state(state_word(state)), Some(state));
        }
        assert_eq!(parse_state("SENT"), None);
    }
}
