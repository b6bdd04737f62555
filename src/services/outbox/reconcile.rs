//! Reconciling uncertain sends before any resend. A send is uncertain when its request
//! timed out after it left, or when a worker died between recording the start of a call
//! and its outcome (the attempt is still `IN_FLIGHT`). POST /messages is idempotent on
//! neither provider (PROVIDERS.md §3.2), so the provider is asked first: Twilio lists its
//! messages; Meta cannot be asked, so the job waits a grace period for a status webhook
//! carrying our id (which settles the message and makes the worker skip it), and only then
//! sends again, recorded as a possible duplicate.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::{backoff, OutboxWorker};
use crate::domain::records::{AttemptRecord, ChannelRecord, MessageRecord};
use crate::domain::{AttemptOutcome, MessageId, MessageStatus, TenantId};
use crate::providers::{OutboundMessage, Provider, Reconciled, SendReceipt};
use crate::services::events::{Event, MessageEventKind};
use crate::store::entities::outbox_job;
use crate::store::outbox::JobNext;
use crate::store::{StoreError, TenantScope};

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

/// Everything a reconciliation needs about the job.
pub(super) struct Check<'a> {
    pub tenant: TenantId,
    pub job: &'a outbox_job::Model,
    pub message: &'a MessageRecord,
    pub channel: &'a ChannelRecord,
    pub provider: &'a dyn Provider,
    pub request: &'a OutboundMessage,
    pub summary: &'a str,
    pub history: &'a [AttemptRecord],
}

/// What the worker does after a reconciliation.
pub(super) enum Next {
    /// The job moved on (sent, waiting, or asked again later), or another worker holds it
    /// now.
    Settled,
    /// Send now. `recorded` when an attempt row was written (the send takes the next
    /// number); `note` marks a possible duplicate.
    Send {
        recorded: bool,
        note: Option<String>,
    },
}

impl OutboxWorker {
    pub(super) async fn reconcile(
        &self,
        check: &Check<'_>,
        pending: Pending,
        number: i32,
    ) -> Result<Next, StoreError> {
        let since = match pending {
            Pending::Clear => {
                return Ok(Next::Send {
                    recorded: false,
                    note: None,
                })
            }
            Pending::GraceOver => {
                let note = "no status carrying our id came within the grace period; sent again, possibly a duplicate";
                tracing::warn!(tenant.id = %check.tenant, message.id = %check.message.id, provider = check.channel.provider().as_str(), outcome = %AttemptOutcome::Unreconciled, "an uncertain send could not be reconciled; sending again");
                if !self
                    .record(
                        check,
                        number,
                        Utc::now(),
                        0,
                        AttemptOutcome::Unreconciled,
                        note,
                    )
                    .await?
                {
                    return Ok(Next::Settled);
                }
                return Ok(Next::Send {
                    recorded: true,
                    note: Some(
                        "possible duplicate: an earlier request may have been delivered".into(),
                    ),
                });
            }
            Pending::Uncertain { since, .. } => since,
        };
        let started_at = Utc::now();
        let clock = Instant::now();
        let answer = check.provider.find_sent(check.request, since).await;
        let duration_ms = clock.elapsed().as_millis() as i64;
        let provider = check.channel.provider().as_str();
        match answer {
            Ok(Reconciled::Found(candidates)) => {
                if let Some(receipt) = self.unclaimed(check, candidates).await? {
                    tracing::info!(tenant.id = %check.tenant, message.id = %check.message.id, provider, outcome = %AttemptOutcome::Reconciled, duration_ms, "an uncertain send was found at the provider; not sending again");
                    self.settle_found(check, number, started_at, duration_ms, receipt)
                        .await?;
                    return Ok(Next::Settled);
                }
                self.not_found(check, number, started_at, duration_ms).await
            }
            Ok(Reconciled::NotFound) => {
                self.not_found(check, number, started_at, duration_ms).await
            }
            Ok(Reconciled::Unknown) => {
                let grace = self.inner.timing.status_grace;
                tracing::info!(tenant.id = %check.tenant, message.id = %check.message.id, provider, outcome = %AttemptOutcome::AwaitingStatus, grace_s = grace.as_secs_f64(), "an uncertain send cannot be looked up; waiting for a status carrying its id");
                let at = started_at + chrono::Duration::from_std(grace).unwrap_or_default();
                self.record_and_move(
                    check,
                    AttemptRecord {
                        number,
                        started_at,
                        duration_ms,
                        request: format!("reconcile: {}", check.summary),
                        http_status: None,
                        outcome: AttemptOutcome::AwaitingStatus,
                        provider_code: None,
                        provider_message: Some(
                            "the provider has no lookup; waiting for a status webhook".into(),
                        ),
                        provider_message_id: None,
                    },
                    JobNext::RetryAt(at),
                )
                .await?;
                Ok(Next::Settled)
            }
            Err(error) => {
                tracing::warn!(tenant.id = %check.tenant, message.id = %check.message.id, provider, outcome = %AttemptOutcome::ReconcileError, error = %error, "looking up an uncertain send failed; asking again later");
                let base =
                    Duration::from_secs(u64::from(check.channel.settings.retry_wait_seconds));
                let failures = lookup_failures(check.history) + 1;
                let wait = backoff(base, failures, &error);
                self.record_and_move(
                    check,
                    AttemptRecord {
                        number,
                        started_at,
                        duration_ms,
                        request: format!("reconcile: {}", check.summary),
                        http_status: None,
                        outcome: AttemptOutcome::ReconcileError,
                        provider_code: error.code().map(str::to_owned),
                        provider_message: Some(error.to_string()),
                        provider_message_id: None,
                    },
                    JobNext::RetryAt(
                        Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
                    ),
                )
                .await?;
                Ok(Next::Settled)
            }
        }
    }

    async fn not_found(
        &self,
        check: &Check<'_>,
        number: i32,
        started_at: DateTime<Utc>,
        duration_ms: i64,
    ) -> Result<Next, StoreError> {
        tracing::info!(tenant.id = %check.tenant, message.id = %check.message.id, provider = check.channel.provider().as_str(), outcome = %AttemptOutcome::NotFound, duration_ms, "an uncertain send is not at the provider; sending again");
        if !self
            .record(
                check,
                number,
                started_at,
                duration_ms,
                AttemptOutcome::NotFound,
                "the provider holds no such message",
            )
            .await?
        {
            return Ok(Next::Settled);
        }
        Ok(Next::Send {
            recorded: true,
            note: None,
        })
    }

    /// The first candidate that is not already another message's.
    async fn unclaimed(
        &self,
        check: &Check<'_>,
        candidates: Vec<SendReceipt>,
    ) -> Result<Option<SendReceipt>, StoreError> {
        let scope = self.inner.store.tenant(check.tenant);
        for candidate in candidates {
            let owner = scope
                .messages()
                .find_by_provider_id(check.channel.id, &candidate.provider_message_id)
                .await?;
            if owner.is_none_or(|m| m.id == check.message.id) {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    async fn settle_found(
        &self,
        check: &Check<'_>,
        number: i32,
        started_at: DateTime<Utc>,
        duration_ms: i64,
        receipt: SendReceipt,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let message_id: MessageId = check.message.id;
        let attempt = AttemptRecord {
            number,
            started_at,
            duration_ms,
            request: format!("reconcile: {}", check.summary),
            http_status: None,
            outcome: AttemptOutcome::Reconciled,
            provider_code: None,
            provider_message: Some("found at the provider; not sent again".into()),
            provider_message_id: Some(receipt.provider_message_id.clone()),
        };
        let txn = self.inner.store.begin_write().await?;
        let scope = TenantScope::new(&txn, check.tenant);
        let raw = receipt.status.unwrap_or_else(|| "accepted".into());
        let sent = scope
            .messages()
            .record_sent(message_id, &receipt.provider_message_id, &raw, now)
            .await?;
        if !scope
            .outbox()
            .finish(
                check.job,
                check.job.lease_until,
                &attempt,
                JobNext::Done,
                now,
            )
            .await?
        {
            // The worker that holds the job now reconciles it too.
            self.lost_lease(check.tenant, message_id);
            return Ok(());
        }
        scope.outbox().release_followers(message_id, now).await?;
        txn.commit().await?;
        self.inner.bus.publish(vec![Event::Message {
            tenant: check.tenant,
            kind: MessageEventKind::Sent,
            message: Box::new(sent),
            queue: None,
        }]);
        Ok(())
    }

    /// Records a reconciliation step without moving the job (the send follows at once).
    /// False, recording nothing, when another worker took the job over; false too when the
    /// message has left meanwhile (the answer to an earlier request, late behind a busy
    /// database, moved it on): the job then ends with a SKIPPED attempt instead of a resend.
    async fn record(
        &self,
        check: &Check<'_>,
        number: i32,
        started_at: DateTime<Utc>,
        duration_ms: i64,
        outcome: AttemptOutcome,
        text: &str,
    ) -> Result<bool, StoreError> {
        let attempt = AttemptRecord {
            number,
            started_at,
            duration_ms,
            request: format!("reconcile: {}", check.summary),
            http_status: None,
            outcome,
            provider_code: None,
            provider_message: Some(text.to_owned()),
            provider_message_id: None,
        };
        let txn = self.inner.store.begin_write().await?;
        let scope = TenantScope::new(&txn, check.tenant);
        // Read under the write lock (SQLite) or the message's row lock (PostgreSQL): an
        // answer that landed while this worker waited for it stops the resend. One landing
        // later still leaves a possible duplicate, which the UNRECONCILED attempt marks.
        if scope.messages().lock(check.message.id).await?.status != MessageStatus::Queued {
            let skipped = AttemptRecord {
                request: "skipped: the message already left".into(),
                outcome: AttemptOutcome::Skipped,
                provider_message: None,
                ..attempt
            };
            if scope
                .outbox()
                .finish(
                    check.job,
                    check.job.lease_until,
                    &skipped,
                    JobNext::Done,
                    Utc::now(),
                )
                .await?
            {
                // The parts after it (of a split text) go now.
                scope
                    .outbox()
                    .release_followers(check.message.id, Utc::now())
                    .await?;
                txn.commit().await?;
            } else {
                self.lost_lease(check.tenant, check.message.id);
            }
            return Ok(false);
        }
        if !scope
            .outbox()
            .record_attempt(check.job, check.job.lease_until, &attempt)
            .await?
        {
            self.lost_lease(check.tenant, check.message.id);
            return Ok(false);
        }
        txn.commit().await?;
        Ok(true)
    }

    async fn record_and_move(
        &self,
        check: &Check<'_>,
        attempt: AttemptRecord,
        next: JobNext,
    ) -> Result<(), StoreError> {
        let txn = self.inner.store.begin_write().await?;
        if TenantScope::new(&txn, check.tenant)
            .outbox()
            .finish(check.job, check.job.lease_until, &attempt, next, Utc::now())
            .await?
        {
            txn.commit().await?;
        } else {
            self.lost_lease(check.tenant, check.message.id);
        }
        Ok(())
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
