//! Group commit for webhooks. Verified deliveries queue for a writer, which stores many of
//! them in one transaction, reading what they need for the whole batch at once (tenant
//! settings, which messages are new), and answers every delivery of the batch once the
//! batch has committed: a request is acknowledged only when what it carries
//! is durable, and a thousand webhooks cost a few commits instead of a thousand. SQLite has
//! one writer; PostgreSQL several side by side ([`Batching::writers`]), a conversation's
//! deliveries always with the same one ([`shard`]).
//!
//! - **Fair.** Each tenant has its own queue, and a batch takes one delivery from each
//!   tenant in turn, so one tenant's flood delays another's webhook by at most a batch.
//!   A tenant has at most [`Batching::per_tenant`] deliveries queued; more are
//!   refused (503), at once when the provider delivers a refused webhook again (Meta),
//!   after waiting a while for room when it does not (Twilio). All tenants together have
//!   at most [`Batching::total`] queued or waiting, and one more is refused at once, so
//!   floods hold a bounded number of connections and never take the API's place.
//! - **Isolated.** The deliveries go straight into the transaction; when one fails, the
//!   batch is dropped and stored again with each delivery in a savepoint of its own. A
//!   delivery that fails there is undone alone (its savepoint)
//!   and tried again on its own after the commit, with the deliveries of its channel that
//!   came after it, so a channel's deliveries are stored in the order they came. When the
//!   batch itself cannot commit, every delivery of it is tried on its own; a storage
//!   outage fails each one, and the provider delivers it again.
//! - **Ordered.** A tenant's deliveries leave its queue in arrival order.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore, TryAcquireError};

use super::Ingest;
use crate::domain::records::ChannelRecord;
use crate::domain::TenantId;
use crate::providers::WebhookEvent;
use crate::services::events::{Committed, EventBus};
use crate::services::media::MediaFetcher;
use crate::services::webhooks::journal;
use crate::store::{Store, StoreError};

/// One delivery's events for one channel, waiting for the writer.
struct Job {
    channel: ChannelRecord,
    events: Vec<WebhookEvent>,
    reply: oneshot::Sender<Result<(), StoreError>>,
    /// The tenant's queue slot, given back when the job is answered.
    _slot: Slot,
}

/// A place in a tenant's queue, counted in the queued-webhooks gauge while held.
struct Slot {
    _tenant: OwnedSemaphorePermit,
    _overall: OwnedSemaphorePermit,
}

impl Slot {
    fn new(tenant: OwnedSemaphorePermit, overall: OwnedSemaphorePermit) -> Self {
        crate::telemetry::metrics::ingest_queued(1.0);
        Self {
            _tenant: tenant,
            _overall: overall,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        crate::telemetry::metrics::ingest_queued(-1.0);
    }
}

/// A delivery waiting for a place in its tenant's full queue, counted while it waits.
struct Waiting;

impl Waiting {
    fn new() -> Self {
        crate::telemetry::metrics::ingest_waiting(1.0);
        Self
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        crate::telemetry::metrics::ingest_waiting(-1.0);
    }
}

/// Why a delivery was not stored.
#[derive(Debug)]
pub enum NotStored {
    /// The tenant's queue stayed full for the delivery's patience.
    Full,
    Failed(StoreError),
}

fn stopped() -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(
        "the ingest writer has stopped".into(),
    ))
}

/// How deliveries are batched.
#[derive(Clone, Copy, Debug)]
pub struct Batching {
    /// Deliveries in one transaction at most.
    pub batch: usize,
    /// One tenant's deliveries waiting at most.
    pub per_tenant: usize,
    /// All tenants' deliveries waiting at most, those waiting for room in a full tenant
    /// queue included: one more is refused at once.
    pub total: usize,
    /// Writers committing batches side by side on PostgreSQL, each for its share of the
    /// conversations (SQLite has one writer: its write lock admits one transaction at a
    /// time).
    pub writers: usize,
}

/// The handle deliveries are stored through.
#[derive(Clone)]
pub struct Writer {
    /// One queue per writer; a conversation's deliveries always go to the same one.
    writers: Vec<mpsc::UnboundedSender<Job>>,
    slots: Arc<Mutex<HashMap<TenantId, Arc<Semaphore>>>>,
    per_tenant: usize,
    /// Places for all tenants' deliveries, queued or waiting.
    total: Arc<Semaphore>,
}

impl Writer {
    /// Starts the writers.
    pub fn new(store: Store, bus: EventBus, media: MediaFetcher, batching: Batching) -> Self {
        let count = if store.is_sqlite() {
            1
        } else {
            batching.writers.max(1)
        };
        let writers = (0..count)
            .map(|_| {
                let (jobs, queue) = mpsc::unbounded_channel();
                let run = Run {
                    ingest: Ingest::new(store.clone()),
                    bus: bus.clone(),
                    media: media.clone(),
                    batch: batching.batch.max(1),
                    queues: Queues::default(),
                };
                tokio::spawn(run.run(queue));
                jobs
            })
            .collect();
        Self {
            writers,
            slots: Arc::default(),
            per_tenant: batching.per_tenant.max(1),
            total: Arc::new(Semaphore::new(batching.total.max(1))),
        }
    }

    /// Stores `events` for `channel`, answering once they are committed. When the tenant's
    /// queue is full the delivery waits at most `patience` for room, then is refused.
    pub async fn store(
        &self,
        channel: &ChannelRecord,
        events: Vec<WebhookEvent>,
        patience: Duration,
    ) -> Result<(), NotStored> {
        let slots = {
            let mut all = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            all.entry(channel.tenant)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_tenant)))
                .clone()
        };
        let overall = match self.total.clone().try_acquire_owned() {
            Ok(place) => place,
            Err(TryAcquireError::Closed) => return Err(NotStored::Failed(stopped())),
            Err(TryAcquireError::NoPermits) => return Err(NotStored::Full),
        };
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(TryAcquireError::Closed) => return Err(NotStored::Failed(stopped())),
            Err(TryAcquireError::NoPermits) if patience.is_zero() => return Err(NotStored::Full),
            Err(TryAcquireError::NoPermits) => {
                let _waiting = Waiting::new();
                match tokio::time::timeout(patience, slots.acquire_owned()).await {
                    Ok(slot) => slot.map_err(|_| NotStored::Failed(stopped()))?,
                    Err(_) => return Err(NotStored::Full),
                }
            }
        };
        let (reply, answer) = oneshot::channel();
        let job = Job {
            channel: channel.clone(),
            events,
            reply,
            _slot: Slot::new(slot, overall),
        };
        let writer = shard(&job.channel, &job.events, self.writers.len());
        self.writers[writer]
            .send(job)
            .map_err(|_| NotStored::Failed(stopped()))?;
        answer
            .await
            .map_err(|_| stopped())
            .and_then(|stored| stored)
            .map_err(NotStored::Failed)
    }
}

/// The writer of a delivery: by its channel and the customer its first message is from
/// (or the message its first status is about), so one conversation's deliveries, and one
/// message's statuses, always go to the same writer in the order they came.
fn shard(channel: &ChannelRecord, events: &[WebhookEvent], writers: usize) -> usize {
    use std::hash::{Hash, Hasher};
    if writers <= 1 {
        return 0;
    }
    let mut hasher = std::hash::DefaultHasher::new();
    channel.id.into_uuid().hash(&mut hasher);
    match events.first() {
        Some(WebhookEvent::MessageReceived(message)) => message.from_wa_id.hash(&mut hasher),
        Some(WebhookEvent::StatusChanged(status)) => status.provider_message_id.hash(&mut hasher),
        _ => {}
    }
    (hasher.finish() % writers as u64) as usize
}

/// Queued jobs by tenant, and the turn of the tenants that have some.
#[derive(Default)]
struct Queues {
    by_tenant: HashMap<TenantId, VecDeque<Job>>,
    turn: VecDeque<TenantId>,
}

impl Queues {
    fn push(&mut self, job: Job) {
        let queue = self.by_tenant.entry(job.channel.tenant).or_default();
        if queue.is_empty() {
            self.turn.push_back(job.channel.tenant);
        }
        queue.push_back(job);
    }

    fn is_empty(&self) -> bool {
        self.turn.is_empty()
    }

    /// Up to `max` jobs, one from each tenant in turn.
    fn take(&mut self, max: usize) -> Vec<Job> {
        let mut taken = Vec::new();
        while taken.len() < max {
            let Some(tenant) = self.turn.pop_front() else {
                break;
            };
            let Some(queue) = self.by_tenant.get_mut(&tenant) else {
                continue;
            };
            if let Some(job) = queue.pop_front() {
                taken.push(job);
            }
            if queue.is_empty() {
                self.by_tenant.remove(&tenant);
            } else {
                self.turn.push_back(tenant);
            }
        }
        taken
    }
}

/// The writer task's state.
struct Run {
    ingest: Ingest,
    bus: EventBus,
    media: MediaFetcher,
    batch: usize,
    queues: Queues,
}

impl Run {
    async fn run(mut self, mut jobs: mpsc::UnboundedReceiver<Job>) {
        loop {
            if self.queues.is_empty() {
                match jobs.recv().await {
                    Some(job) => self.queues.push(job),
                    None => return,
                }
            }
            // Whatever queued while the last batch committed joins this one.
            while let Ok(job) = jobs.try_recv() {
                self.queues.push(job);
            }
            let batch = self.queues.take(self.batch);
            self.store(batch).await;
        }
    }

    /// Stores `jobs` in one transaction where it can, and answers each.
    async fn store(&self, jobs: Vec<Job>) {
        let started = Instant::now();
        let mut kept = vec![false; jobs.len()];
        let committed = match self.batch(&jobs, &mut kept).await {
            Ok(committed) => {
                let events = jobs
                    .iter()
                    .zip(&kept)
                    .filter(|(_, k)| **k)
                    .map(|(j, _)| j.events.len())
                    .sum();
                crate::telemetry::metrics::ingest_committed(events, started.elapsed());
                for done in committed {
                    self.bus.publish(done);
                }
                self.media.wake();
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, webhooks = jobs.len(), "an ingest batch did not commit; its webhooks are tried one by one");
                false
            }
        };
        for (job, kept) in jobs.into_iter().zip(kept) {
            let answer = if committed && kept {
                Ok(())
            } else {
                match self.ingest.ingest(&job.channel, &job.events).await {
                    Ok(done) => {
                        self.bus.publish(done);
                        self.media.wake();
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            };
            // A requester that went away meanwhile still has its webhook stored.
            let _ = job.reply.send(answer);
        }
    }

    /// One transaction for `jobs`: marks in `kept` those stored, and answers the events to
    /// publish once it has committed. The jobs go straight into the transaction first; if
    /// one of them fails, that transaction is dropped and the batch is stored again with
    /// each job in a savepoint, where a failing job is undone alone and the later jobs of
    /// its channel are left for after the batch, in order.
    async fn batch(&self, jobs: &[Job], kept: &mut [bool]) -> Result<Vec<Committed>, StoreError> {
        if let Some(committed) = self.attempt(jobs, kept, false).await? {
            return Ok(committed);
        }
        kept.fill(false);
        let committed = self.attempt(jobs, kept, true).await?;
        committed.ok_or_else(|| StoreError::Corrupt("an isolated batch was spoiled".into()))
    }

    /// One try of [`Run::batch`]; `None` when a job failed outside a savepoint.
    async fn attempt(
        &self,
        jobs: &[Job],
        kept: &mut [bool],
        isolated: bool,
    ) -> Result<Option<Vec<Committed>>, StoreError> {
        let batch = self.ingest.store().write_batch().await?;
        let deliveries = jobs.iter().map(|j| (&j.channel, j.events.as_slice()));
        let mut known = super::Batched::read(&batch, deliveries, !isolated).await?;
        let mut broken = HashSet::new();
        let mut events = Vec::new();
        for (job, kept) in jobs.iter().zip(kept.iter_mut()) {
            if broken.contains(&job.channel.id) {
                continue;
            }
            let stored = self
                .ingest
                .ingest_in(&batch, isolated, &job.channel, &job.events, &mut known)
                .await;
            match stored {
                Ok(out) => {
                    events.extend(out);
                    *kept = true;
                }
                Err(e) if !isolated => {
                    tracing::debug!(channel.id = %job.channel.id, error = %e, "a webhook failed in its batch; the batch is stored again with each webhook on its own");
                    return Ok(None);
                }
                Err(e) => {
                    tracing::debug!(channel.id = %job.channel.id, error = %e, "a webhook failed in its batch; it is tried again on its own");
                    broken.insert(job.channel.id);
                }
            }
        }
        if let Err(e) = known.write_all(&batch).await {
            // Another instance stored one of its messages meanwhile, say: each webhook on
            // its own finds it.
            tracing::debug!(error = %e, "a batch's plain messages were not stored; the batch is stored again with each webhook on its own");
            return Ok(None);
        }
        let committed = journal::commit_in(&batch, events).await?;
        batch.commit().await?;
        Ok(Some(committed))
    }
}
