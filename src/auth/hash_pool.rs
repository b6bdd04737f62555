//! Bounded password hashing. An argon2id hash or verification takes 19 MiB and tens of
//! milliseconds of a core; run without a bound, every concurrent sign-in takes a blocking
//! thread and its own 19 MiB, so a few dozen clients grow the process by gigabytes. At most
//! `concurrency` hashes run at once; at most `queue` more wait for a slot, and an attempt
//! beyond that is refused at once (RATE_LIMITED) rather than piling up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::AppError;

/// What a refused attempt is told to wait: a slot frees within a hash's time.
const RETRY_AFTER: Duration = Duration::from_secs(1);

pub struct HashPool {
    slots: Arc<Semaphore>,
    /// Attempts running or waiting for a slot.
    admitted: AtomicUsize,
    max_admitted: usize,
}

/// Takes an attempt back out of the admitted count, however its future ends.
struct Admitted<'a>(&'a AtomicUsize);

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashPool {
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            slots: Arc::new(Semaphore::new(concurrency)),
            admitted: AtomicUsize::new(0),
            max_admitted: concurrency + queue,
        }
    }

    /// Runs `job` on the blocking pool once a slot is free.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        if self.admitted.fetch_add(1, Ordering::AcqRel) >= self.max_admitted {
            self.admitted.fetch_sub(1, Ordering::AcqRel);
            return Err(AppError::RateLimited {
                retry_after: RETRY_AFTER,
            });
        }
        let _admitted = Admitted(&self.admitted);
        let slot = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        // The slot moves into the job: a cancelled request still holds it until its hash
        // is done, so the bound holds for the work actually running.
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            job()
        })
        .await
        .map_err(AppError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn attempts_beyond_the_queue_are_refused_at_once() {
        let pool = Arc::new(HashPool::new(1, 1));
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(std::sync::Mutex::new(gate));
        let running = {
            let pool = Arc::clone(&pool);
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = gate.lock().map(|g| g.recv());
                })
                .await
            })
        };
        let waiting = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { pool.run(|| ()).await })
        };
        while pool.admitted.load(Ordering::Acquire) < 2 {
            tokio::task::yield_now().await;
        }
        let refused = pool.run(|| ()).await;
        assert!(matches!(refused, Err(AppError::RateLimited { .. })));
        release.send(()).unwrap();
        running.await.unwrap().unwrap();
        waiting.await.unwrap().unwrap();
        assert_eq!(pool.admitted.load(Ordering::Acquire), 0);
        pool.run(|| ()).await.unwrap();
    }
}
