//! The outbox worker: claims due send jobs under a lease, waits for the channel's rate
//! limiter, calls the provider, records the attempt, and moves the message to SENT, retries
//! with backoff and jitter, or ends it FAILED with the provider's code. A job whose worker
//! died is claimed again when its lease runs out.

pub mod content;
pub mod rate;
mod reconcile;
pub mod send;
pub mod template_send;
pub mod text_limits;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{SubsecRound, Utc};
use rand::Rng;
use tokio::sync::{Notify, Semaphore};

use crate::domain::records::{AttemptRecord, StatusRecord};
use crate::domain::{AttemptOutcome, MessageId, MessageStatus, ProviderKind, PublicUrls, TenantId};
use crate::providers::{OutboundMessage, ProviderError};
use crate::services::channels::ChannelService;
use crate::services::events::{Event, EventBus, MessageEventKind};
use crate::store::entities::outbox_job;
use crate::store::outbox::JobNext;
use crate::store::{Store, StoreError, TenantScope};

/// How long a claim keeps other workers off a job, and how long a Meta send whose answer
/// was lost waits for a status before it is sent again.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Longer than any provider call (the configuration checks it).
    pub lease: Duration,
    pub status_grace: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            status_grace: Duration::from_secs(30),
        }
    }
}
/// Sends in flight at once per instance.
const CONCURRENCY: usize = 32;
const POLL: Duration = Duration::from_millis(500);
/// How long a provider may take to fetch uploaded media we send.
const UPLOAD_LINK_SECONDS: i64 = 3600;
/// The least wait after a pair-rate refusal.
const PAIR_RATE_WAIT: Duration = Duration::from_secs(6);

#[derive(Clone)]
pub struct OutboxWorker {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    channels: ChannelService,
    bus: EventBus,
    public_url: String,
    /// Signs the links a provider fetches uploaded media from.
    media_links: crate::services::media::MediaLinks,
    limiter: rate::RateLimiter,
    wake: Notify,
    permits: Arc<Semaphore>,
    stopping: std::sync::atomic::AtomicBool,
    timing: Timing,
}

impl OutboxWorker {
    /// `media_links` signs the links a provider fetches uploaded media from.
    pub fn new(
        store: Store,
        channels: ChannelService,
        bus: EventBus,
        public_url: String,
        media_links: crate::services::media::MediaLinks,
        timing: Timing,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                channels,
                bus,
                public_url,
                media_links,
                limiter: rate::RateLimiter::default(),
                wake: Notify::new(),
                permits: Arc::new(Semaphore::new(CONCURRENCY)),
                stopping: std::sync::atomic::AtomicBool::new(false),
                timing,
            }),
        }
    }

    /// A link the provider can fetch an upload from, valid for an hour.
    fn upload_url(&self, tenant: TenantId, id: crate::domain::UploadId) -> Option<String> {
        let links = &self.inner.media_links;
        let expires = Utc::now().timestamp() + UPLOAD_LINK_SECONDS;
        Some(
            PublicUrls::new(&self.inner.public_url)
                .media(id, &links.query(tenant, id.into_uuid(), expires)),
        )
    }

    /// Asks the worker to look for due jobs now.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Stops claiming and waits, at most `grace`, for the sends in flight: a send cut off
    /// mid-request could reach the provider and be sent again after its lease.
    pub async fn drain(&self, grace: Duration) {
        self.inner
            .stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.wake.notify_one();
        let all = self.inner.permits.acquire_many(CONCURRENCY as u32);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("sends still in flight at shutdown; their leases will expire and they will be retried");
        }
    }

    pub async fn run(self) {
        loop {
            if self
                .inner
                .stopping
                .load(std::sync::atomic::Ordering::SeqCst)
            {
                return;
            }
            match self.claim().await {
                Ok(jobs) if !jobs.is_empty() => {
                    for job in jobs {
                        let permit = match self.inner.permits.clone().acquire_owned().await {
                            Ok(p) => p,
                            Err(_) => return,
                        };
                        let worker = self.clone();
                        tokio::spawn(async move {
                            worker.attempt(job).await;
                            drop(permit);
                        });
                    }
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "claiming outbox jobs failed"),
            }
            let _ = tokio::time::timeout(POLL, self.inner.wake.notified()).await;
        }
    }

    async fn claim(&self) -> Result<Vec<outbox_job::Model>, StoreError> {
        let available = self.inner.permits.available_permits().max(1) as u64;
        let now = Utc::now();
        let txn = self.inner.store.begin_write().await?;
        let jobs = crate::store::system::System::new(&txn)
            .claim_jobs(now, (now + self.lease()).trunc_subsecs(6), available)
            .await?;
        txn.commit().await?;
        Ok(jobs)
    }

    async fn attempt(&self, job: outbox_job::Model) {
        let tenant: TenantId = job.tenant_id.into();
        if let Err(e) = self.try_attempt(tenant, &job).await {
            // The lease runs out and another round picks the job up again.
            tracing::error!(tenant.id = %tenant, message.id = %job.message_id, error = %e, "an outbox attempt could not be recorded");
        }
    }

    async fn try_attempt(
        &self,
        tenant: TenantId,
        job: &outbox_job::Model,
    ) -> Result<(), StoreError> {
        let scope = self.inner.store.tenant(tenant);
        let message_id: MessageId = job.message_id.into();
        // The attempts are read before the message. A worker whose lease ran out mid-send
        // records its outcome and the message's status in one commit; read in this order, a
        // history that shows that outcome comes with a message that shows it too (and is
        // skipped), and an earlier one still shows the attempt in flight (and is
        // reconciled), so the send is never taken for one that did not happen.
        let history = scope.outbox().attempts(message_id).await?;
        let message = scope.messages().get(message_id).await?;
        let channel = scope.channels().get(message.channel).await?;
        let contact = scope.contacts().get(message.contact).await?;
        let pending = reconcile::pending(&history);
        if matches!(
            pending,
            reconcile::Pending::Uncertain {
                interrupted: true,
                ..
            }
        ) {
            tracing::warn!(tenant.id = %tenant, message.id = %message_id, "a send was cut off mid-request by a stopped worker; reconciling before any resend");
            scope.outbox().mark_interrupted(message_id).await?;
        }
        // A status callback may already have settled a message whose answer was lost.
        if message.status != MessageStatus::Queued {
            let txn = self.inner.store.begin_write().await?;
            let mut attempt = self.note(
                job,
                "skipped: the message already left",
                AttemptOutcome::Skipped,
            );
            attempt.number = next_number(job, &history);
            let outbox = TenantScope::new(&txn, tenant).outbox();
            if outbox
                .finish(job, job.lease_until, &attempt, JobNext::Done, Utc::now())
                .await?
            {
                // The parts after it (of a split text) go now.
                outbox.release_followers(message_id, Utc::now()).await?;
                txn.commit().await?;
            } else {
                self.lost_lease(tenant, message_id);
            }
            return Ok(());
        }
        let mut number = next_number(job, &history);
        let request_summary = content::summary(&message.content, &contact.phone_number);
        let Some(outbound) = content::outbound(&message.content, |id| self.upload_url(tenant, id))
        else {
            return self
                .fail(
                    tenant,
                    job,
                    number,
                    request_summary,
                    "UNSENDABLE",
                    "this content cannot be sent",
                )
                .await;
        };
        let to = match crate::domain::PhoneNumber::parse(&contact.phone_number) {
            Ok(p) => p,
            Err(_) => {
                return self
                    .fail(
                        tenant,
                        job,
                        number,
                        request_summary,
                        "BAD_RECIPIENT",
                        "the contact's number is not E.164",
                    )
                    .await
            }
        };
        let provider = match self.inner.channels.provider(&channel) {
            Ok(p) => p,
            Err(_) => {
                return self
                    .fail(
                        tenant,
                        job,
                        number,
                        request_summary,
                        "CREDENTIALS",
                        "the channel's credentials could not be opened",
                    )
                    .await
            }
        };
        let request = OutboundMessage {
            to,
            content: outbound,
            reply_to: message.reply_to_provider_id.clone(),
            correlation_id: Some(message.id.to_string()),
            status_callback_url: Some(
                PublicUrls::new(&self.inner.public_url)
                    .webhook(ProviderKind::Twilio, &channel.webhook_key),
            ),
        };
        let check = reconcile::Check {
            tenant,
            job,
            message: &message,
            channel: &channel,
            provider: provider.as_ref(),
            request: &request,
            summary: &request_summary,
            history: &history,
        };
        let duplicate_risk = match self.reconcile(&check, pending, number).await? {
            reconcile::Next::Settled => return Ok(()),
            reconcile::Next::Send { recorded, note } => {
                if recorded {
                    number += 1;
                }
                note
            }
        };
        let answered = reconcile::answered_sends(&history) + 1;
        let wait = self
            .inner
            .limiter
            .reserve(channel.id, channel.settings.messages_per_second);
        let mut held = job.lease_until;
        if !wait.is_zero() {
            // A wait that outlasts half the lease would let another worker claim the job
            // and send it too: hold the job through the wait first.
            let wake_at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
            if held.is_none_or(|until| wake_at > until - self.lease() / 2) {
                let until = (wake_at + self.lease()).trunc_subsecs(6);
                let txn = self.inner.store.begin_write().await?;
                if !TenantScope::new(&txn, tenant)
                    .outbox()
                    .renew_lease(job, held, until)
                    .await?
                {
                    self.lost_lease(tenant, message_id);
                    return Ok(());
                }
                txn.commit().await?;
                held = Some(until);
            }
            tokio::time::sleep(wait).await;
        }
        let started_at = Utc::now();
        let mut attempt = AttemptRecord {
            number,
            started_at,
            duration_ms: 0,
            request: request_summary,
            http_status: None,
            outcome: AttemptOutcome::InFlight,
            provider_code: None,
            provider_message: None,
            provider_message_id: None,
        };
        // Committed before the call: a worker that dies mid-request leaves this row, and the
        // next one reconciles instead of sending blindly.
        let attempt_id = {
            let until = (started_at + self.lease()).trunc_subsecs(6);
            let txn = self.inner.store.begin_write().await?;
            let Some(id) = TenantScope::new(&txn, tenant)
                .outbox()
                .begin_attempt(job, &attempt, held, until)
                .await?
            else {
                self.lost_lease(tenant, message_id);
                return Ok(());
            };
            txn.commit().await?;
            held = Some(until);
            id
        };
        let clock = Instant::now();
        let answer = provider.send_attempt(&request).await;
        let outcome = answer.outcome;
        attempt.duration_ms = clock.elapsed().as_millis() as i64;
        attempt.http_status = answer.http_status.map(i32::from);
        let now = Utc::now();
        let txn = self.inner.store.begin_write().await?;
        let scope = TenantScope::new(&txn, tenant);
        let mut events = Vec::new();
        let moved = match outcome {
            Ok(receipt) => {
                attempt.outcome = AttemptOutcome::Sent;
                attempt.provider_message = duplicate_risk;
                attempt.provider_message_id = Some(receipt.provider_message_id.clone());
                let raw = receipt.status.clone().unwrap_or_else(|| "accepted".into());
                let sent = scope
                    .messages()
                    .record_sent(message_id, &receipt.provider_message_id, &raw, now)
                    .await?;
                let moved = scope
                    .outbox()
                    .finish_begun(job, held, attempt_id, &attempt, JobNext::Done, now)
                    .await?;
                scope.outbox().release_followers(message_id, now).await?;
                events.push(Event::Message {
                    tenant,
                    kind: MessageEventKind::Sent,
                    message: Box::new(sent),
                    queue: None,
                });
                moved
            }
            Err(ProviderError::Timeout { maybe_sent: true }) => {
                // Sending again now could send twice: the next round looks it up first.
                attempt.outcome = AttemptOutcome::Timeout;
                attempt.provider_code = Some("TIMEOUT".into());
                attempt.provider_message = Some(
                    "the provider did not answer in time; the request may have been sent".into(),
                );
                tracing::warn!(tenant.id = %tenant, message.id = %message_id, provider = channel.provider().as_str(), "a send timed out after it left; reconciling before any resend");
                scope
                    .outbox()
                    .finish_begun(job, held, attempt_id, &attempt, JobNext::RetryAt(now), now)
                    .await?
            }
            Err(error) => {
                attempt.provider_code = error.code().map(str::to_owned);
                attempt.provider_message = Some(error.to_string());
                let retries = i32::from(channel.settings.max_retries);
                let base = Duration::from_secs(u64::from(channel.settings.retry_wait_seconds));
                if let ProviderError::RateLimited {
                    retry_after,
                    scope: crate::providers::error::RateScope::Channel,
                    ..
                } = &error
                {
                    self.inner
                        .limiter
                        .pause(channel.id, retry_after.unwrap_or(base));
                }
                if error.is_retryable() && answered <= retries {
                    attempt.outcome = AttemptOutcome::Retry;
                    let wait = backoff(base, answered, &error);
                    tracing::info!(tenant.id = %tenant, channel.id = %channel.id, message.id = %message_id, provider = channel.provider().as_str(), provider_code = error.code().unwrap_or("-"), error = %error, attempt = number, retry_in_s = wait.as_secs_f64(), "a send attempt failed; retrying");
                    scope
                        .outbox()
                        .finish_begun(
                            job,
                            held,
                            attempt_id,
                            &attempt,
                            JobNext::RetryAt(
                                now + chrono::Duration::from_std(wait).unwrap_or_default(),
                            ),
                            now,
                        )
                        .await?
                } else {
                    attempt.outcome = AttemptOutcome::Failed;
                    tracing::warn!(tenant.id = %tenant, channel.id = %channel.id, message.id = %message_id, provider = channel.provider().as_str(), provider_code = error.code().unwrap_or("-"), error = %error, attempt = number, "a send failed");
                    let step = StatusRecord {
                        status: MessageStatus::Failed,
                        raw_status: format!("rejected#{number}"),
                        error_code: Some(error.code().unwrap_or("ERROR").to_owned()),
                        error_message: Some(error.to_string()),
                        occurred_at: now,
                        marketing_opt_out: error.marketing_opt_out(),
                    };
                    if let Some(failed) =
                        scope.messages().apply_status(&message, &step, now).await?
                    {
                        events.push(Event::Message {
                            tenant,
                            kind: MessageEventKind::StatusChanged,
                            message: Box::new(failed),
                            queue: None,
                        });
                    }
                    scope
                        .outbox()
                        .finish_begun(job, held, attempt_id, &attempt, JobNext::Failed, now)
                        .await?
                }
            }
        };
        txn.commit().await?;
        if !moved {
            tracing::warn!(tenant.id = %tenant, message.id = %message_id, outcome = %attempt.outcome, "the job's lease ran out during the send and another worker took the job over; the outcome is recorded and that worker ends the job");
        }
        self.inner.bus.publish(events);
        Ok(())
    }

    /// Notes that the job's lease ran out before this worker's next step and that another
    /// worker or instance claimed the job: this worker leaves it to that one.
    fn lost_lease(&self, tenant: TenantId, message_id: MessageId) {
        tracing::warn!(tenant.id = %tenant, message.id = %message_id, "the job's lease ran out and another worker took it over; this worker leaves it");
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.inner.timing.lease).unwrap_or_default()
    }

    fn note(
        &self,
        job: &outbox_job::Model,
        request: &str,
        outcome: AttemptOutcome,
    ) -> AttemptRecord {
        AttemptRecord {
            number: job.attempts + 1,
            started_at: Utc::now(),
            duration_ms: 0,
            request: request.to_owned(),
            http_status: None,
            outcome,
            provider_code: None,
            provider_message: None,
            provider_message_id: None,
        }
    }

    async fn fail(
        &self,
        tenant: TenantId,
        job: &outbox_job::Model,
        number: i32,
        request: String,
        code: &str,
        text: &str,
    ) -> Result<(), StoreError> {
        tracing::warn!(tenant.id = %tenant, message.id = %job.message_id, code, reason = text, "a send failed before it reached the provider");
        let now = Utc::now();
        let txn = self.inner.store.begin_write().await?;
        let scope = TenantScope::new(&txn, tenant);
        let message = scope.messages().get(job.message_id.into()).await?;
        let step = StatusRecord {
            status: MessageStatus::Failed,
            raw_status: format!("rejected#{number}"),
            error_code: Some(code.to_owned()),
            error_message: Some(text.to_owned()),
            occurred_at: now,
            marketing_opt_out: false,
        };
        scope.messages().apply_status(&message, &step, now).await?;
        let attempt = AttemptRecord {
            number,
            started_at: now,
            duration_ms: 0,
            request,
            http_status: None,
            outcome: AttemptOutcome::Failed,
            provider_code: Some(code.to_owned()),
            provider_message: Some(text.to_owned()),
            provider_message_id: None,
        };
        if !scope
            .outbox()
            .finish(job, job.lease_until, &attempt, JobNext::Failed, now)
            .await?
        {
            // Dropping the transaction undoes the message's failure too.
            self.lost_lease(tenant, message.id);
            return Ok(());
        }
        txn.commit().await?;
        Ok(())
    }
}

/// The number of the next attempt row.
fn next_number(job: &outbox_job::Model, history: &[AttemptRecord]) -> i32 {
    history
        .iter()
        .map(|a| a.number)
        .max()
        .unwrap_or(0)
        .max(job.attempts)
        + 1
}

/// Exponential backoff from `base` with ±20 % jitter, at least the provider's retry-after.
fn backoff(base: Duration, attempt: i32, error: &ProviderError) -> Duration {
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
            scope: crate::providers::error::RateScope::Recipient,
            ..
        } => wait.max(PAIR_RATE_WAIT),
        _ => wait,
    }
}
