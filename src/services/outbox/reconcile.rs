//! Reconciling uncertain sends before any resend. A send is uncertain when its request
//! timed out after it left, or when a worker died between recording the start of a call
//! and its outcome (the attempt is still `IN_FLIGHT`). POST /messages is idempotent on
//! neither provider (PROVIDERS.md §3.2), so the provider is asked first: Twilio lists its
//! messages; Meta cannot be asked, so the job waits a grace period for a status webhook
//! carrying our id (which settles the message and makes the worker skip it), and only then
//! sends again, recorded as a possible duplicate.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::ending::{self, backoff, Change, Ending, Row, Stop};
use super::prepare::{Call, Ready};
use super::OutboxWorker;
use crate::domain::records::AttemptRecord;
use crate::domain::{AttemptOutcome, MessageStatus};
use crate::providers::{ProviderError, Reconciled, SendReceipt};
use crate::store::outbox::JobNext;
use crate::store::StoreError;

/// What the attempts so far say about the last send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pending {
    /// Nothing uncertain: send.
    Clear,
    /// The last send may have reached the provider; it started at `since`.
    Uncertain {
        since: DateTime<Utc>,
        /// Its worker died mid-request (the attempt is still `IN_FLIGHT`).
        interrupted: bool,
    },
    /// The status grace period for an unanswerable provider has passed.
    GraceOver,
}

/// Reads the attempts, newest first, skipping failed lookups.
pub(super) fn pending(history: &[AttemptRecord]) -> Pending {
    for attempt in history.iter().rev() {
        match attempt.outcome {
            AttemptOutcome::ReconcileError => continue,
            AttemptOutcome::AwaitingStatus => return Pending::GraceOver,
            AttemptOutcome::InFlight => {
                return Pending::Uncertain {
                    since: attempt.started_at,
                    interrupted: true,
                }
            }
            AttemptOutcome::Interrupted | AttemptOutcome::Timeout => {
                return Pending::Uncertain {
                    since: attempt.started_at,
                    interrupted: false,
                }
            }
            _ => return Pending::Clear,
        }
    }
    Pending::Clear
}

/// Sends the provider answered (a crash is not the message's fault, so interrupted calls
/// do not use up its retries).
pub(super) fn answered_sends(history: &[AttemptRecord]) -> i32 {
    history.iter().filter(|a| a.outcome.answered()).count() as i32
}

/// Failed lookups since the last send, for their backoff.
fn lookup_failures(history: &[AttemptRecord]) -> i32 {
    history
        .iter()
        .rev()
        .take_while(|a| a.outcome == AttemptOutcome::ReconcileError)
        .count() as i32
}

/// The send that follows a reconciliation.
pub(super) struct Go {
    /// The send's attempt number: one past a reconciliation step recorded just before.
    pub number: i32,
    /// Marks a possible duplicate.
    pub note: Option<String>,
}

impl OutboxWorker {
    /// The reconcile step: clears the way for the send, or stops the attempt with what the
    /// provider said about the uncertain one.
    pub(super) async fn reconcile(&self, ready: &Ready, call: &Call) -> Result<Go, Stop> {
        let since = match ready.pending {
            Pending::Clear => {
                return Ok(Go {
                    number: ready.number,
                    note: None,
                })
            }
            Pending::GraceOver => {
                let note = "no status carrying our id came within the grace period; sent again, possibly a duplicate";
                tracing::warn!(tenant.id = %ready.tenant, message.id = %ready.message.id, provider = ready.channel.provider().as_str(), outcome = %AttemptOutcome::Unreconciled, "an uncertain send could not be reconciled; sending again");
                let step = lookup(ready, Utc::now(), 0, AttemptOutcome::Unreconciled);
                self.record_step(ready, step, note).await?;
                return Ok(Go {
                    number: ready.number + 1,
                    note: Some(
                        "possible duplicate: an earlier request may have been delivered".into(),
                    ),
                });
            }
            Pending::Uncertain { since, .. } => since,
        };
        self.look_up(ready, call, since).await
    }

    /// Asks the provider for an uncertain send that started at `since`.
    async fn look_up(&self, ready: &Ready, call: &Call, since: DateTime<Utc>) -> Result<Go, Stop> {
        let started_at = Utc::now();
        let clock = Instant::now();
        let answer = call.provider.find_sent(&call.request, since).await;
        let duration_ms = clock.elapsed().as_millis() as i64;
        let provider = ready.channel.provider().as_str();
        let found = match answer {
            Ok(Reconciled::Found(candidates)) => self.unclaimed(ready, candidates).await?,
            Ok(Reconciled::NotFound) => None,
            Ok(Reconciled::Unknown) => {
                return Err(self.awaiting_status(ready, started_at, duration_ms))
            }
            Err(error) => return Err(lookup_failed(ready, started_at, duration_ms, error)),
        };
        if let Some(receipt) = found {
            tracing::info!(tenant.id = %ready.tenant, message.id = %ready.message.id, provider, outcome = %AttemptOutcome::Reconciled, duration_ms, "an uncertain send was found at the provider; not sending again");
            let attempt = AttemptRecord {
                provider_message: Some("found at the provider; not sent again".into()),
                provider_message_id: Some(receipt.provider_message_id.clone()),
                ..lookup(ready, started_at, duration_ms, AttemptOutcome::Reconciled)
            };
            return Err(Stop::end(Ending {
                change: Change::Sent(receipt),
                ..moved_on(attempt, JobNext::Done)
            }));
        }
        tracing::info!(tenant.id = %ready.tenant, message.id = %ready.message.id, provider, outcome = %AttemptOutcome::NotFound, duration_ms, "an uncertain send is not at the provider; sending again");
        let step = lookup(ready, started_at, duration_ms, AttemptOutcome::NotFound);
        self.record_step(ready, step, "the provider holds no such message")
            .await?;
        Ok(Go {
            number: ready.number + 1,
            note: None,
        })
    }

    /// The provider cannot be asked (Meta): the job waits the grace period for a status
    /// carrying our id.
    fn awaiting_status(&self, ready: &Ready, started_at: DateTime<Utc>, duration_ms: i64) -> Stop {
        let provider = ready.channel.provider().as_str();
        let grace = self.inner.timing.status_grace;
        tracing::info!(tenant.id = %ready.tenant, message.id = %ready.message.id, provider, outcome = %AttemptOutcome::AwaitingStatus, grace_s = grace.as_secs_f64(), "an uncertain send cannot be looked up; waiting for a status carrying its id");
        let at = started_at + chrono::Duration::from_std(grace).unwrap_or_default();
        let attempt = AttemptRecord {
            provider_message: Some(
                "the provider has no lookup; waiting for a status webhook".into(),
            ),
            ..lookup(
                ready,
                started_at,
                duration_ms,
                AttemptOutcome::AwaitingStatus,
            )
        };
        Stop::end(moved_on(attempt, JobNext::RetryAt(at)))
    }

    /// The first candidate that is not already another message's.
    async fn unclaimed(
        &self,
        ready: &Ready,
        candidates: Vec<SendReceipt>,
    ) -> Result<Option<SendReceipt>, StoreError> {
        let scope = self.inner.store.tenant(ready.tenant);
        for candidate in candidates {
            let owner = scope
                .messages()
                .find_by_provider_id(ready.channel.id, &candidate.provider_message_id)
                .await?;
            if owner.is_none_or(|m| m.id == ready.message.id) {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    /// Records a reconciliation step without moving the job (the send follows at once).
    /// Stops, recording nothing, when another worker took the job over; stops too when the
    /// message has left meanwhile (the answer to an earlier request, late behind a busy
    /// database, moved it on): the job then ends with a SKIPPED attempt instead of a resend.
    async fn record_step(
        &self,
        ready: &Ready,
        attempt: AttemptRecord,
        text: &str,
    ) -> Result<(), Stop> {
        let attempt = AttemptRecord {
            provider_message: Some(text.to_owned()),
            ..attempt
        };
        let unit = self.inner.store.write(ready.tenant).await?;
        let scope = unit.scope();
        // Read under the write lock (SQLite) or the message's row lock (PostgreSQL): an
        // answer that landed while this worker waited for it stops the resend. One landing
        // later still leaves a possible duplicate, which the UNRECONCILED attempt marks.
        if scope.messages().lock(ready.message.id).await?.status != MessageStatus::Queued {
            let skipped = AttemptRecord {
                request: "skipped: the message already left".into(),
                outcome: AttemptOutcome::Skipped,
                provider_message: None,
                ..attempt
            };
            let (moved, _) = ending::write(&scope, ready, moved_on(skipped, JobNext::Done)).await?;
            if moved {
                unit.commit().await?;
            } else {
                super::lost_lease(ready.tenant, ready.message.id);
            }
            return Err(Stop::Settled);
        }
        if !scope
            .outbox()
            .record_attempt(&ready.job, ready.job.lease_until, &attempt)
            .await?
        {
            super::lost_lease(ready.tenant, ready.message.id);
            return Err(Stop::Settled);
        }
        unit.commit().await?;
        Ok(())
    }
}

/// Asking the provider failed: asked again later, with backoff.
fn lookup_failed(
    ready: &Ready,
    started_at: DateTime<Utc>,
    duration_ms: i64,
    error: ProviderError,
) -> Stop {
    let provider = ready.channel.provider().as_str();
    tracing::warn!(tenant.id = %ready.tenant, message.id = %ready.message.id, provider, outcome = %AttemptOutcome::ReconcileError, error = %error, "looking up an uncertain send failed; asking again later");
    let base = Duration::from_secs(u64::from(ready.channel.settings.retry_wait_seconds));
    let failures = lookup_failures(&ready.history) + 1;
    let wait = backoff(base, failures, &error);
    let attempt = AttemptRecord {
        provider_code: error.code().map(str::to_owned),
        provider_message: Some(error.to_string()),
        ..lookup(
            ready,
            started_at,
            duration_ms,
            AttemptOutcome::ReconcileError,
        )
    };
    let at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
    Stop::end(moved_on(attempt, JobNext::RetryAt(at)))
}

/// A reconciliation's attempt row, its text still to come.
fn lookup(
    ready: &Ready,
    started_at: DateTime<Utc>,
    duration_ms: i64,
    outcome: AttemptOutcome,
) -> AttemptRecord {
    AttemptRecord {
        number: ready.number,
        started_at,
        duration_ms,
        request: format!("reconcile: {}", ready.summary),
        http_status: None,
        outcome,
        provider_code: None,
        provider_message: None,
        provider_message_id: None,
    }
}

/// An ending that records `attempt` as a new row and moves the job to `next`.
fn moved_on(attempt: AttemptRecord, next: JobNext) -> Ending {
    Ending {
        row: Row::New,
        attempt,
        next,
        change: Change::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(outcome: AttemptOutcome, minute: u32) -> AttemptRecord {
        AttemptRecord {
            number: 1,
            started_at: DateTime::parse_from_rfc3339(&format!("2026-11-24T10:{minute:02}:00Z"))
                .unwrap()
                .with_timezone(&Utc),
            duration_ms: 0,
            request: String::new(),
            http_status: None,
            outcome,
            provider_code: None,
            provider_message: None,
            provider_message_id: None,
        }
    }

    #[test]
    fn a_send_left_in_flight_or_timed_out_is_uncertain_from_its_start() {
        let at = |m| attempt(AttemptOutcome::Sent, m).started_at;
        assert_eq!(pending(&[]), Pending::Clear);
        assert_eq!(
            pending(&[attempt(AttemptOutcome::Retry, 1)]),
            Pending::Clear
        );
        assert_eq!(
            pending(&[
                attempt(AttemptOutcome::Retry, 1),
                attempt(AttemptOutcome::InFlight, 2)
            ]),
            Pending::Uncertain {
                since: at(2),
                interrupted: true
            }
        );
        assert_eq!(
            pending(&[
                attempt(AttemptOutcome::Timeout, 3),
                attempt(AttemptOutcome::ReconcileError, 4)
            ]),
            Pending::Uncertain {
                since: at(3),
                interrupted: false
            }
        );
        assert_eq!(
            pending(&[
                attempt(AttemptOutcome::Interrupted, 3),
                attempt(AttemptOutcome::AwaitingStatus, 4)
            ]),
            Pending::GraceOver
        );
        assert_eq!(
            pending(&[
                attempt(AttemptOutcome::Timeout, 3),
                attempt(AttemptOutcome::NotFound, 4)
            ]),
            Pending::Clear
        );
    }

    #[test]
    fn interrupted_calls_do_not_use_up_retries() {
        let history = [
            attempt(AttemptOutcome::Retry, 1),
            attempt(AttemptOutcome::Interrupted, 2),
            attempt(AttemptOutcome::NotFound, 3),
            attempt(AttemptOutcome::Timeout, 4),
        ];
        assert_eq!(answered_sends(&history), 2);
    }
}
