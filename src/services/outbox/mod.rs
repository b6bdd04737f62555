//! The outbox worker: claims due send jobs under a lease, and runs each attempt as a
//! pipeline of small steps: prepare (`prepare.rs`: read the message, channel and contact,
//! open the credentials), reconcile (`reconcile.rs`: an uncertain earlier send), pace and
//! send (`deliver.rs`: the channel's send slot, shared by every instance, the attempt stored
//! as begun, the provider call), record (`ending.rs`). Every step goes on or stops; every failure, before the
//! provider or from it, takes the one path in `ending.rs` to an ending: SENT, a retry with
//! backoff and jitter, or FAILED with the provider's code. A job whose worker died is
//! claimed again when its lease runs out.

pub mod content;
mod deliver;
mod ending;
mod prepare;
mod reconcile;
mod recorder;
pub mod send;
pub mod template_send;
pub mod text_limits;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{SubsecRound, Utc};
use tokio::sync::{Notify, Semaphore};

use crate::domain::records::JobRecord;
use crate::domain::{ChannelId, MessageId, PublicUrls, TenantId};
use crate::services::channels::ChannelService;
use crate::services::events::EventBus;
use crate::store::system::ClaimSkip;
use crate::store::{Store, StoreError};
use ending::{Ending, Stop};
use prepare::Ready;

/// How long a claim keeps other workers off a job, and how long a Meta send whose answer
/// was lost waits for a status before it is sent again.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Longer than any provider call (the configuration checks it).
    pub lease: Duration,
    pub status_grace: Duration,
}

/// How many of an instance's sends in flight one channel, and one tenant, may hold.
#[derive(Clone, Copy, Debug)]
pub struct Shares {
    pub channel: usize,
    pub tenant: usize,
}

impl Default for Shares {
    fn default() -> Self {
        Self {
            channel: 24,
            tenant: 24,
        }
    }
}

/// Sends in flight on this instance, by channel and by tenant.
#[derive(Default)]
struct InFlight {
    channels: HashMap<ChannelId, usize>,
    tenants: HashMap<TenantId, usize>,
}

impl InFlight {
    fn add(&mut self, job: &JobRecord) {
        *self.channels.entry(job.channel).or_default() += 1;
        *self.tenants.entry(job.tenant).or_default() += 1;
    }

    fn remove(&mut self, job: &JobRecord) {
        fn down<K: std::hash::Hash + Eq>(counts: &mut HashMap<K, usize>, key: K) {
            if let Some(n) = counts.get_mut(&key) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(&key);
                }
            }
        }
        down(&mut self.channels, job.channel);
        down(&mut self.tenants, job.tenant);
    }

    /// Whether `job` may go in flight beside what is, within the shares.
    fn has_room(&self, job: &JobRecord, shares: Shares) -> bool {
        self.channels.get(&job.channel).copied().unwrap_or(0) < shares.channel
            && self.tenants.get(&job.tenant).copied().unwrap_or(0) < shares.tenant
    }

    /// Channels and tenants at their share: a claim passes over their jobs.
    fn full(&self, shares: Shares) -> ClaimSkip {
        ClaimSkip {
            channels: full(&self.channels, shares.channel),
            tenants: full(&self.tenants, shares.tenant),
        }
    }
}

fn full<K: Copy>(counts: &HashMap<K, usize>, share: usize) -> Vec<K> {
    counts
        .iter()
        .filter(|(_, n)| **n >= share)
        .map(|(k, _)| *k)
        .collect()
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            status_grace: Duration::from_secs(30),
        }
    }
}
/// The log target of the worker's lines, wherever in this folder they are written: the
/// lines operators and their alerts match on keep the name they always had.
const LOG_TARGET: &str = "switchboard::services::outbox";
/// Sends in flight at once per instance.
const CONCURRENCY: usize = 32;
const POLL: Duration = Duration::from_millis(500);
/// How long a provider may take to fetch uploaded media we send.
const UPLOAD_LINK_SECONDS: i64 = 3600;

#[derive(Clone)]
pub struct OutboxWorker {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    channels: ChannelService,
    public_url: String,
    /// Signs the links a provider fetches uploaded media from.
    media_links: crate::services::media::MediaLinks,
    wake: Notify,
    permits: Arc<Semaphore>,
    stopping: std::sync::atomic::AtomicBool,
    timing: Timing,
    shares: Shares,
    in_flight: std::sync::Mutex<InFlight>,
    /// The last claim passed over jobs of a channel or tenant at its share: a send that
    /// ends then makes room, and wakes the worker to claim again at once.
    held_back: std::sync::atomic::AtomicBool,
    /// Stores the sends' endings, many to a transaction.
    recorder: recorder::Recorder,
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
        shares: Shares,
    ) -> Self {
        let recorder = recorder::Recorder::new(store.clone(), bus.clone());
        Self {
            inner: Arc::new(Inner {
                store,
                channels,
                public_url,
                media_links,
                wake: Notify::new(),
                permits: Arc::new(Semaphore::new(CONCURRENCY)),
                stopping: std::sync::atomic::AtomicBool::new(false),
                timing,
                shares,
                in_flight: std::sync::Mutex::default(),
                held_back: std::sync::atomic::AtomicBool::new(false),
                recorder,
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
                            worker.attempt(&job).await;
                            worker.in_flight().remove(&job);
                            drop(permit);
                            if worker
                                .inner
                                .held_back
                                .load(std::sync::atomic::Ordering::SeqCst)
                            {
                                worker.wake();
                            }
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

    fn in_flight(&self) -> std::sync::MutexGuard<'_, InFlight> {
        self.inner
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Claims as many due jobs as there are free send slots, passing over channels and
    /// tenants that hold their share of the sends in flight; the jobs claimed count as in
    /// flight from here.
    async fn claim(&self) -> Result<Vec<JobRecord>, StoreError> {
        let available = self.inner.permits.available_permits().max(1) as u64;
        let shares = self.inner.shares;
        let now = Utc::now();
        let (skip, mut planned) = {
            let in_flight = self.in_flight();
            let skip = in_flight.full(shares);
            let planned = InFlight {
                channels: in_flight.channels.clone(),
                tenants: in_flight.tenants.clone(),
            };
            (skip, planned)
        };
        let mut held_back = !skip.channels.is_empty() || !skip.tenants.is_empty();
        let unit = self.inner.store.write_system().await?;
        let jobs = unit
            .system()
            .claim_jobs(
                now,
                (now + self.lease()).trunc_subsecs(6),
                available,
                &skip,
                |job| {
                    let room = planned.has_room(job, shares);
                    if room {
                        planned.add(job);
                    } else {
                        held_back = true;
                    }
                    room
                },
            )
            .await?;
        unit.commit().await?;
        self.inner
            .held_back
            .store(held_back, std::sync::atomic::Ordering::SeqCst);
        let mut in_flight = self.in_flight();
        for job in &jobs {
            in_flight.add(job);
        }
        Ok(jobs)
    }

    async fn attempt(&self, job: &JobRecord) {
        if let Err(e) = self.try_attempt(job).await {
            // The lease runs out and another round picks the job up again.
            tracing::error!(tenant.id = %job.tenant, message.id = %job.message, error = %e, "an outbox attempt could not be recorded");
        }
    }

    /// One attempt at a claimed job: prepare, then the steps up to the provider's answer,
    /// each of which goes on or stops; whatever ending they reach, early or not, is stored
    /// by the one [`Self::record`].
    async fn try_attempt(&self, job: &JobRecord) -> Result<(), StoreError> {
        let ready = self.prepare(job).await?;
        let ending = match self.steps(&ready).await {
            Ok(ending) => ending,
            Err(Stop::End(ending)) => *ending,
            Err(Stop::LostLease) => {
                lost_lease(ready.tenant, ready.message.id);
                return Ok(());
            }
            Err(Stop::Settled) => return Ok(()),
            Err(Stop::Store(e)) => return Err(e),
        };
        self.record(ready, ending).await
    }

    /// reconcile → pace → send. The message is stored before any of this, and the attempt
    /// is stored as begun before the provider call, so a worker that dies anywhere here
    /// leaves what the next one needs to reconcile instead of sending blindly.
    async fn steps(&self, ready: &Ready) -> Result<Ending, Stop> {
        ready.still_queued()?;
        let call = self.compose(ready)?;
        let go = self.reconcile(ready, &call).await?;
        let held = self.pace(ready).await?;
        let begun = self.begin(ready, go.number, held).await?;
        Ok(self.send(ready, &call, begun, go.note).await)
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.inner.timing.lease).unwrap_or_default()
    }
}

/// Notes that the job's lease ran out before this worker's next step and that another
/// worker or instance claimed the job: this worker leaves it to that one.
fn lost_lease(tenant: TenantId, message_id: MessageId) {
    tracing::warn!(tenant.id = %tenant, message.id = %message_id, "the job's lease ran out and another worker took it over; this worker leaves it");
}
