//! The first steps of an attempt: read the job's message, channel and contact, and turn
//! them into the provider call. What stops a send here (a message that already left, content
//! or a number that cannot be sent, credentials that do not open) becomes an [`Ending`].

use chrono::Utc;

use super::ending::{Change, Ending, Failure, Row, Stop};
use super::{content, reconcile, OutboxWorker, LOG_TARGET};
use crate::domain::records::{AttemptRecord, ChannelRecord, JobRecord, MessageRecord};
use crate::domain::{
    AttemptOutcome, MessageStatus, PhoneNumber, ProviderKind, PublicUrls, TenantId,
};
use crate::providers::{OutboundMessage, Provider};
use crate::store::outbox::JobNext;
use crate::store::StoreError;

/// A claimed job with what its attempt reads once, at the start.
pub(super) struct Ready {
    pub tenant: TenantId,
    pub job: JobRecord,
    pub message: MessageRecord,
    pub channel: ChannelRecord,
    /// The contact's number, as stored.
    pub to: String,
    /// The attempts so far, oldest first.
    pub history: Vec<AttemptRecord>,
    pub pending: reconcile::Pending,
    /// The number of the next attempt row.
    pub number: i32,
    /// What the request carries, for the attempt rows.
    pub summary: String,
}

/// The provider call of an attempt.
pub(super) struct Call {
    pub provider: Box<dyn Provider>,
    pub request: OutboundMessage,
}

impl OutboxWorker {
    /// Reads what the attempt needs. An attempt left in flight by a worker that died is
    /// marked interrupted here, before anything else looks at the history.
    pub(super) async fn prepare(&self, job: &JobRecord) -> Result<Ready, StoreError> {
        let tenant = job.tenant;
        let scope = self.inner.store.tenant(tenant);
        let message_id = job.message;
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
            tracing::warn!(target: LOG_TARGET, { tenant.id = %tenant, message.id = %message_id }, "a send was cut off mid-request by a stopped worker; reconciling before any resend");
            scope.outbox().mark_interrupted(message_id).await?;
        }
        Ok(Ready {
            tenant,
            number: next_number(job, &history),
            summary: content::summary(&message.content, &contact.phone_number),
            job: job.clone(),
            message,
            channel,
            to: contact.phone_number,
            history,
            pending,
        })
    }

    /// The provider call for the message, or the failure that keeps it from the provider.
    pub(super) fn compose(&self, ready: &Ready) -> Result<Call, Stop> {
        let refuse = |code, reason| {
            let attempt = ready.attempt(ready.number, ready.summary.clone());
            Stop::end(self.failure(ready, Row::New, attempt, Failure::Refused { code, reason }))
        };
        let tenant = ready.tenant;
        let Some(outbound) =
            content::outbound(&ready.message.content, |id| self.upload_url(tenant, id))
        else {
            return Err(refuse("UNSENDABLE", "this content cannot be sent"));
        };
        let Ok(to) = PhoneNumber::parse(&ready.to) else {
            return Err(refuse("BAD_RECIPIENT", "the contact's number is not E.164"));
        };
        let Ok(provider) = self.inner.channels.provider(&ready.channel) else {
            return Err(refuse(
                "CREDENTIALS",
                "the channel's credentials could not be opened",
            ));
        };
        let request = OutboundMessage {
            to,
            content: outbound,
            reply_to: ready.message.reply_to_provider_id.clone(),
            correlation_id: Some(ready.message.id.to_string()),
            status_callback_url: Some(
                PublicUrls::new(&self.inner.public_url)
                    .webhook(ProviderKind::Twilio, &ready.channel.webhook_key),
            ),
        };
        Ok(Call { provider, request })
    }
}

impl Ready {
    /// Stops at a message that is no longer QUEUED: a status callback may already have
    /// settled a message whose answer was lost. The job ends DONE with a SKIPPED attempt.
    pub(super) fn still_queued(&self) -> Result<(), Stop> {
        if self.message.status == MessageStatus::Queued {
            return Ok(());
        }
        let attempt = AttemptRecord {
            outcome: AttemptOutcome::Skipped,
            ..self.attempt(self.number, "skipped: the message already left".into())
        };
        Err(Stop::end(Ending {
            row: Row::New,
            attempt,
            next: JobNext::Done,
            change: Change::None,
        }))
    }

    /// An attempt row numbered `number` that starts now, its outcome still to come.
    pub(super) fn attempt(&self, number: i32, request: String) -> AttemptRecord {
        AttemptRecord {
            number,
            started_at: Utc::now(),
            duration_ms: 0,
            request,
            http_status: None,
            outcome: AttemptOutcome::InFlight,
            provider_code: None,
            provider_message: None,
            provider_message_id: None,
        }
    }
}

/// The number of the next attempt row.
fn next_number(job: &JobRecord, history: &[AttemptRecord]) -> i32 {
    history
        .iter()
        .map(|a| a.number)
        .max()
        .unwrap_or(0)
        .max(job.attempts)
        + 1
}
