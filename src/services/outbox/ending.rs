//! How an attempt ends, and the one place that stores it. Every step of an attempt goes on
//! or answers a [`Stop`]; every way a send can fail is a [`Failure`] that
//! [`OutboxWorker::failure`] turns into an [`Ending`] (the attempt, the retry with its
//! backoff or the final failure, and the log line), and [`write`] stores an ending (which
//! [`OutboxWorker::record`] commits, with other sends' endings, before publishing).

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::ConnectionTrait;

use super::prepare::Ready;
use super::{reconcile, OutboxWorker, LOG_TARGET};
use crate::domain::records::{AttemptRecord, StatusRecord};
use crate::domain::{AttemptOutcome, MessageStatus};
use crate::providers::error::RateScope;
use crate::providers::{ProviderError, SendReceipt};
use crate::services::events::{Event, MessageEventKind};
use crate::store::outbox::JobNext;
use crate::store::{StoreError, TenantScope};

/// The least wait after a pair-rate refusal.
const PAIR_RATE_WAIT: Duration = Duration::from_secs(6);

/// Why a step does not hand on to the next one.
pub(super) enum Stop {
    /// The attempt ends here; [`OutboxWorker::record`] stores the ending.
    End(Box<Ending>),
    /// Another worker or instance claimed the job: this one leaves it, storing nothing.
    LostLease,
    /// The step already stored where the job goes next (or found another worker holds it).
    Settled,
    /// Storage failed: the lease runs out and another round takes the job.
    Store(StoreError),
}

impl Stop {
    pub(super) fn end(ending: Ending) -> Self {
        Self::End(Box::new(ending))
    }
}

impl From<StoreError> for Stop {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<sea_orm::DbErr> for Stop {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Store(error.into())
    }
}

/// Every way a send fails.
pub(super) enum Failure {
    /// The message cannot go to the provider (content, number, credentials): it fails at
    /// once, without a provider call.
    Refused {
        code: &'static str,
        reason: &'static str,
    },
    /// The provider call failed or the provider refused.
    Provider(ProviderError),
}

/// The end of an attempt: the attempt row, where the job goes, and what the message
/// becomes.
#[derive(Clone)]
pub(super) struct Ending {
    pub row: Row,
    pub attempt: AttemptRecord,
    pub next: JobNext,
    pub change: Change,
}

/// Which attempt row an ending writes, fenced on which lease.
#[derive(Clone, Copy)]
pub(super) enum Row {
    /// A new row, fenced on the claimed lease. If the job was taken over, nothing is stored.
    New,
    /// The row stored before the provider call. It takes the provider's answer even when
    /// the job was taken over during the call; the job moves only if it still holds `held`.
    Begun {
        id: uuid::Uuid,
        held: Option<DateTime<Utc>>,
    },
}

/// What an ending does to the message.
#[derive(Clone)]
pub(super) enum Change {
    None,
    /// The provider took the message: it moves to SENT, announced to subscribers.
    Sent(SendReceipt),
    /// The message ends FAILED; `announce` publishes the change (it is not, for a message
    /// refused before the provider call).
    Failed {
        step: StatusRecord,
        announce: bool,
    },
}

impl OutboxWorker {
    /// The one failure path: the attempt's outcome, the retry with its backoff or the final
    /// failure, and the log line.
    pub(super) fn failure(
        &self,
        ready: &Ready,
        row: Row,
        attempt: AttemptRecord,
        failure: Failure,
    ) -> Ending {
        let error = match failure {
            Failure::Refused { code, reason } => return refused(ready, row, attempt, code, reason),
            Failure::Provider(ProviderError::Timeout { maybe_sent: true }) => {
                return timed_out(ready, row, attempt)
            }
            Failure::Provider(error) => error,
        };
        let channel = &ready.channel;
        let number = attempt.number;
        let attempt = AttemptRecord {
            provider_code: error.code().map(str::to_owned),
            provider_message: Some(error.to_string()),
            ..attempt
        };
        let retries = i32::from(channel.settings.max_retries);
        let base = Duration::from_secs(u64::from(channel.settings.retry_wait_seconds));
        let answered = reconcile::answered_sends(&ready.history) + 1;
        let now = Utc::now();
        if error.is_retryable() && answered <= retries {
            let wait = backoff(base, answered, &error);
            tracing::info!(target: LOG_TARGET, { tenant.id = %ready.tenant, channel.id = %channel.id, message.id = %ready.message.id, provider = channel.provider().as_str(), provider_code = error.code().unwrap_or("-"), error = %error, attempt = number, retry_in_s = wait.as_secs_f64() }, "a send attempt failed; retrying");
            return Ending {
                row,
                attempt: AttemptRecord {
                    outcome: AttemptOutcome::Retry,
                    ..attempt
                },
                next: JobNext::RetryAt(now + chrono::Duration::from_std(wait).unwrap_or_default()),
                change: Change::None,
            };
        }
        tracing::warn!(target: LOG_TARGET, { tenant.id = %ready.tenant, channel.id = %channel.id, message.id = %ready.message.id, provider = channel.provider().as_str(), provider_code = error.code().unwrap_or("-"), error = %error, attempt = number }, "a send failed");
        let mut step = failed_status(number, error.code().unwrap_or("ERROR"), &error.to_string());
        step.marketing_opt_out = error.marketing_opt_out();
        Ending {
            row,
            attempt: AttemptRecord {
                outcome: AttemptOutcome::Failed,
                ..attempt
            },
            next: JobNext::Failed,
            change: Change::Failed {
                step,
                announce: true,
            },
        }
    }

    /// The record step: stores an ending, committed with the endings of other sends
    /// ([`recorder`](super::recorder)), then publishes its events.
    pub(super) async fn record(&self, ready: Ready, ending: Ending) -> Result<(), StoreError> {
        self.inner.recorder.record(ready, ending).await
    }
}

/// Writes an ending inside the caller's transaction: the message's change, the attempt and
/// the job's move, and, once the message is sent, the release of the parts after it (of a
/// split text). Answers whether the job moved, and the events to publish after the commit.
/// A new row whose job was taken over writes the job nothing: the caller drops the
/// transaction.
pub(super) async fn write<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    ready: &Ready,
    ending: Ending,
) -> Result<(bool, Vec<Event>), StoreError> {
    let now = Utc::now();
    let (id, tenant) = (ready.message.id, ready.tenant);
    let (queue, assignee) =
        crate::services::events::placement(scope, ready.message.conversation).await?;
    let event = |kind, message| Event::Message {
        tenant,
        kind,
        message: Box::new(message),
        queue,
        assignee,
    };
    let mut events = Vec::new();
    match ending.change {
        Change::None => {}
        Change::Sent(receipt) => {
            let raw = receipt.status.unwrap_or_else(|| "accepted".into());
            let sent = scope
                .messages()
                .record_sent(id, &receipt.provider_message_id, &raw, now)
                .await?;
            events.push(event(MessageEventKind::Sent, sent));
        }
        Change::Failed { step, announce } => {
            let failed = scope
                .messages()
                .apply_status(&ready.message, &step, now)
                .await?;
            if let Some(failed) = failed.filter(|_| announce) {
                events.push(event(MessageEventKind::StatusChanged, failed));
            }
        }
    }
    let done = matches!(ending.next, JobNext::Done);
    let (job, attempt) = (&ready.job, &ending.attempt);
    let moved = match ending.row {
        Row::New => {
            let outbox = scope.outbox();
            if !outbox
                .finish(job, job.lease_until, attempt, ending.next, now)
                .await?
            {
                return Ok((false, events));
            }
            true
        }
        Row::Begun { id, held } => {
            scope
                .outbox()
                .finish_begun(job, held, id, attempt, ending.next, now)
                .await?
        }
    };
    if done {
        scope.outbox().release_followers(id, now).await?;
    }
    Ok((moved, events))
}

/// A message that cannot go to the provider fails at once.
fn refused(
    ready: &Ready,
    row: Row,
    attempt: AttemptRecord,
    code: &'static str,
    reason: &'static str,
) -> Ending {
    tracing::warn!(target: LOG_TARGET, { tenant.id = %ready.tenant, message.id = %ready.job.message, code, reason }, "a send failed before it reached the provider");
    Ending {
        row,
        change: Change::Failed {
            step: failed_status(attempt.number, code, reason),
            announce: false,
        },
        attempt: AttemptRecord {
            outcome: AttemptOutcome::Failed,
            provider_code: Some(code.to_owned()),
            provider_message: Some(reason.to_owned()),
            ..attempt
        },
        next: JobNext::Failed,
    }
}

/// Sending again now could send twice: the next round looks the send up first.
fn timed_out(ready: &Ready, row: Row, attempt: AttemptRecord) -> Ending {
    tracing::warn!(target: LOG_TARGET, { tenant.id = %ready.tenant, message.id = %ready.message.id, provider = ready.channel.provider().as_str() }, "a send timed out after it left; reconciling before any resend");
    Ending {
        row,
        attempt: AttemptRecord {
            outcome: AttemptOutcome::Timeout,
            provider_code: Some("TIMEOUT".into()),
            provider_message: Some(
                "the provider did not answer in time; the request may have been sent".into(),
            ),
            ..attempt
        },
        next: JobNext::RetryAt(Utc::now()),
        change: Change::None,
    }
}

/// The FAILED status of a send refused at attempt `number`.
fn failed_status(number: i32, code: &str, text: &str) -> StatusRecord {
    StatusRecord {
        status: MessageStatus::Failed,
        raw_status: format!("rejected#{number}"),
        error_code: Some(code.to_owned()),
        error_message: Some(text.to_owned()),
        occurred_at: Utc::now(),
        marketing_opt_out: false,
    }
}

/// Exponential backoff from `base` with ±20 % jitter, at least the provider's retry-after.
pub(super) fn backoff(base: Duration, attempt: i32, error: &ProviderError) -> Duration {
    let exponential = base.saturating_mul(1 << (attempt - 1).clamp(0, 10));
    let jitter = rand::thread_rng().gen_range(0.8..1.2);
    let wait = exponential.mul_f64(jitter);
    match error {
        ProviderError::RateLimited {
            retry_after: Some(after),
            ..
        } => wait.max(*after),
        // Meta's pair rate allows about one message per 6 s to one user (PROVIDERS.md §2.10);
        // only this recipient's message waits.
        ProviderError::RateLimited {
            scope: RateScope::Recipient,
            ..
        } => wait.max(PAIR_RATE_WAIT),
        _ => wait,
    }
}
