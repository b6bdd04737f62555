//! Unit tests' time bounds: work that must finish within a budget runs on its own thread and
//! fails the test when it overruns or panics. `SWITCHBOARD_TEST_TIME_SCALE` (as for the
//! integration tests) stretches every budget on a slow or busy machine.

use std::sync::mpsc;
use std::time::Duration;

/// `seconds`, multiplied by `SWITCHBOARD_TEST_TIME_SCALE` (at least 1).
pub fn budget(seconds: f64) -> Duration {
    let scale = std::env::var("SWITCHBOARD_TEST_TIME_SCALE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| *v >= 1.0)
        .unwrap_or(1.0);
    Duration::from_secs_f64(seconds * scale)
}

/// Runs `work` on its own thread: its value, or why it failed (panicked or took longer than
/// `budget(seconds)`). An overrunning thread is left to finish on its own.
pub fn within<T: Send + 'static>(
    seconds: f64,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    match rx.recv_timeout(budget(seconds)) {
        Ok(value) => Ok(value),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            Err(format!("took longer than its budget of {seconds} s"))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("panicked".into()),
    }
}
