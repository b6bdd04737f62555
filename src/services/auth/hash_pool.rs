//! Bounded password hashing. An argon2id hash or verification takes 19 MiB and tens of
//! milliseconds of a core; run without a bound, every concurrent sign-in takes a blocking
//! thread and its own 19 MiB, so a few dozen clients grow the process by gigabytes. The work
//! runs on `concurrency` threads of its own, kept for the life of the process: the allocator
//! gives each thread its own arena, and a freed 19 MiB block stays in that arena, so hashing
//! on ever new blocking-pool threads would keep one block per thread ever used. At most
//! `queue` more attempts wait for a thread; an attempt beyond that is refused at once
//! (RATE_LIMITED) rather than piling up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::AppError;

/// What a refused attempt is told to wait: a thread frees within a hash's time.
const RETRY_AFTER: Duration = Duration::from_secs(1);

type Job = Box<dyn FnOnce() + Send>;

pub struct HashPool {
    jobs: mpsc::Sender<Job>,
    /// Jobs queued or running; a job takes itself out when it is done, so a cancelled
    /// request still counts until its hash is finished.
    admitted: Arc<AtomicUsize>,
    max_admitted: usize,
}

/// Takes a job back out of the admitted count, however it ends.
struct Admitted(Arc<AtomicUsize>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashPool {
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = concurrency.max(1);
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..concurrency {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || loop {
                    // A panic in a job cannot leave the receiver inconsistent.
                    let job = receiver
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .recv();
                    match job {
                        Ok(job) => job(),
                        // The pool is gone: so is this thread.
                        Err(_) => return,
                    }
                });
            if let Err(err) = spawned {
                tracing::error!(error = %err, "cannot start a password-hash thread");
            }
        }
        Self {
            jobs,
            admitted: Arc::new(AtomicUsize::new(0)),
            max_admitted: concurrency + queue,
        }
    }

    /// Runs `job` on a hashing thread once one is free.
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
        let admitted = Admitted(Arc::clone(&self.admitted));
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                // Counted out before the answer, so whoever got it sees the slot free.
                drop(admitted);
                let _ = done.send(outcome);
            }))
            .map_err(|_| AppError::internal(anyhow::anyhow!("the password-hash pool stopped")))?;
        match result.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(AppError::internal(anyhow::anyhow!(
                "a password hash panicked"
            ))),
            Err(_) => Err(AppError::internal(anyhow::anyhow!(
                "the password-hash pool stopped"
            ))),
        }
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
