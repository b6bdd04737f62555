//! Counting requests a fake has received and not yet answered, so a test can act while a
//! call is in flight (a crash test kills the server at such a moment).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Requests received and not yet answered.
#[derive(Default)]
pub(crate) struct InFlight(AtomicUsize);

impl InFlight {
    /// Counts a request until the guard drops (answered, or abandoned by the client).
    pub fn enter(&self) -> InFlightGuard<'_> {
        self.0.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(&self.0)
    }

    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

pub(crate) struct InFlightGuard<'a>(&'a AtomicUsize);

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
