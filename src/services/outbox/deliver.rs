//! The steps around the provider call: wait for the channel's rate limiter (pace), store
//! the attempt as begun (begin), and call the provider (send). The provider's answer becomes
//! an [`Ending`] for the record step.

use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};

use super::ending::{Change, Ending, Failure, Row, Stop};
use super::prepare::{Call, Ready};
use super::OutboxWorker;
use crate::domain::pace::{micros, Pace};
use crate::domain::records::AttemptRecord;
use crate::domain::AttemptOutcome;
use crate::providers::error::RateScope;
use crate::providers::ProviderError;
use crate::store::outbox::JobNext;

/// An attempt stored as begun, before its provider call.
pub(super) struct Begun {
    pub id: uuid::Uuid,
    /// The lease renewed for the call.
    pub held: Option<DateTime<Utc>>,
    pub attempt: AttemptRecord,
}

impl OutboxWorker {
    /// Reserves the channel's next send slot, shared by every instance, and waits for it.
    /// Answers the lease the job is held under after the wait.
    pub(super) async fn pace(&self, ready: &Ready) -> Result<Option<DateTime<Utc>>, Stop> {
        let channel = &ready.channel;
        let pace = Pace::per_second(channel.settings.messages_per_second);
        let now = Utc::now();
        let unit = self.inner.store.write(ready.tenant).await?;
        let reserved = unit
            .scope()
            .pacing()
            .reserve(channel.id, pace, micros(now))
            .await?;
        let wait = (pace.send_at(reserved) - micros(now)).max(0);
        let mut held = ready.job.lease_until;
        // A wait that outlasts half the lease would let another worker claim the job and
        // send it too: hold the job through the wait first.
        let wake_at = now + chrono::Duration::microseconds(wait);
        if wait > 0 && held.is_none_or(|until| wake_at > until - self.lease() / 2) {
            let until = (wake_at + self.lease()).trunc_subsecs(6);
            if !unit
                .scope()
                .outbox()
                .renew_lease(&ready.job, held, until)
                .await?
            {
                return Err(Stop::LostLease);
            }
            held = Some(until);
        }
        unit.commit().await?;
        if wait > 0 {
            tokio::time::sleep(Duration::from_micros(wait.unsigned_abs())).await;
        }
        Ok(held)
    }

    /// Holds the channel's sends, on every instance, after the provider said it sends too
    /// fast; the job's own retry follows its backoff.
    async fn pause(&self, ready: &Ready, error: &ProviderError) {
        let ProviderError::RateLimited {
            retry_after,
            scope: RateScope::Channel,
            ..
        } = error
        else {
            return;
        };
        let channel = &ready.channel;
        let wait = retry_after.unwrap_or(Duration::from_secs(u64::from(
            channel.settings.retry_wait_seconds,
        )));
        let until = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
        let paused = async {
            let unit = self.inner.store.write(ready.tenant).await?;
            unit.scope()
                .pacing()
                .pause(
                    channel.id,
                    Pace::per_second(channel.settings.messages_per_second),
                    micros(until),
                )
                .await?;
            unit.commit().await
        }
        .await;
        if let Err(e) = paused {
            tracing::warn!(target: super::LOG_TARGET, { channel.id = %channel.id, error = %e }, "could not pause the channel after the provider's rate limit");
        }
    }

    /// Stores the attempt as begun (`IN_FLIGHT`) and renews the lease for the call.
    pub(super) async fn begin(
        &self,
        ready: &Ready,
        number: i32,
        held: Option<DateTime<Utc>>,
    ) -> Result<Begun, Stop> {
        let attempt = ready.attempt(number, ready.summary.clone());
        // Committed before the call: a worker that dies mid-request leaves this row, and the
        // next one reconciles instead of sending blindly.
        let until = (attempt.started_at + self.lease()).trunc_subsecs(6);
        let unit = self.inner.store.write(ready.tenant).await?;
        let Some(id) = unit
            .scope()
            .outbox()
            .begin_attempt(&ready.job, &attempt, held, until)
            .await?
        else {
            return Err(Stop::LostLease);
        };
        unit.commit().await?;
        Ok(Begun {
            id,
            held: Some(until),
            attempt,
        })
    }

    /// Calls the provider. `note` marks a possible duplicate on a send that goes through.
    pub(super) async fn send(
        &self,
        ready: &Ready,
        call: &Call,
        begun: Begun,
        note: Option<String>,
    ) -> Ending {
        let mut attempt = begun.attempt;
        let clock = Instant::now();
        let answer = call.provider.send_attempt(&call.request).await;
        let elapsed = clock.elapsed();
        attempt.duration_ms = elapsed.as_millis() as i64;
        crate::telemetry::metrics::send_finished(
            ready.channel.provider(),
            elapsed,
            answer.outcome.as_ref().err(),
        );
        attempt.http_status = answer.http_status.map(i32::from);
        let row = Row::Begun {
            id: begun.id,
            held: begun.held,
        };
        match answer.outcome {
            Ok(receipt) => Ending {
                row,
                attempt: AttemptRecord {
                    outcome: AttemptOutcome::Sent,
                    provider_message: note,
                    provider_message_id: Some(receipt.provider_message_id.clone()),
                    ..attempt
                },
                next: JobNext::Done,
                change: Change::Sent(receipt),
            },
            Err(error) => {
                self.pause(ready, &error).await;
                self.failure(ready, row, attempt, Failure::Provider(error))
            }
        }
    }
}
