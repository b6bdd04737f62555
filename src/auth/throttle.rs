//! Login throttling: failed sign-ins counted per account and per client address within a
//! window. Kept in memory, per instance; memory stays bounded by pruning expired entries.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// Beyond this many tracked keys, expired ones are pruned on the next failure.
const PRUNE_AT: usize = 10_000;

pub struct LoginThrottle {
    window: Duration,
    per_account: u32,
    per_address: u32,
    accounts: Mutex<HashMap<String, Window>>,
    addresses: Mutex<HashMap<IpAddr, Window>>,
}

impl LoginThrottle {
    pub fn new(window: Duration, per_account: u32, per_address: u32) -> Self {
        Self {
            window,
            per_account,
            per_address,
            accounts: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(wait)` when this account or address must wait before trying again.
    pub fn check(&self, account: &str, address: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let account_wait = blocked(&self.accounts, account, self.per_account, self.window, now);
        let address_wait = blocked(
            &self.addresses,
            &address,
            self.per_address,
            self.window,
            now,
        );
        account_wait.max(address_wait)
    }

    pub fn record_failure(&self, account: &str, address: IpAddr) {
        let now = Instant::now();
        bump(&self.accounts, account.to_owned(), self.window, now);
        bump(&self.addresses, address, self.window, now);
    }

    /// A successful sign-in clears the account's count (not the address's).
    pub fn record_success(&self, account: &str) {
        lock(&self.accounts).remove(account);
    }

    /// Counts an attempt as a failure before its password is checked, so parallel guesses
    /// cannot all pass the check; answers the wait when the limit is already reached.
    /// `succeeded` takes the count back.
    pub fn reserve(&self, account: &str, address: IpAddr) -> Option<Duration> {
        if let Some(wait) = self.check(account, address) {
            return Some(wait);
        }
        self.record_failure(account, address);
        None
    }

    /// Undoes a reservation whose password was right.
    pub fn succeeded(&self, account: &str, address: IpAddr) {
        lock(&self.accounts).remove(account);
        if let Some(window) = lock(&self.addresses).get_mut(&address) {
            window.failures = window.failures.saturating_sub(1);
        }
    }
}

fn lock<K, V>(map: &Mutex<HashMap<K, V>>) -> std::sync::MutexGuard<'_, HashMap<K, V>> {
    // A panic while holding this lock cannot leave the map inconsistent.
    map.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn blocked<K, Q>(
    map: &Mutex<HashMap<K, Window>>,
    key: &Q,
    max: u32,
    window: Duration,
    now: Instant,
) -> Option<Duration>
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    let map = lock(map);
    let entry = map.get(key)?;
    let elapsed = now.duration_since(entry.started);
    (entry.failures >= max && elapsed < window).then(|| window - elapsed)
}

fn bump<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Window>>,
    key: K,
    window: Duration,
    now: Instant,
) {
    let mut map = lock(map);
    if map.len() >= PRUNE_AT {
        map.retain(|_, w| now.duration_since(w.started) < window);
    }
    let entry = map.entry(key).or_insert(Window {
        started: now,
        failures: 0,
    });
    if now.duration_since(entry.started) >= window {
        *entry = Window {
            started: now,
            failures: 0,
        };
    }
    entry.failures += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDR: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn an_account_is_blocked_after_its_limit() {
        let throttle = LoginThrottle::new(Duration::from_secs(60), 3, 100);
        for _ in 0..3 {
            assert!(throttle.check("a@example.com", ADDR).is_none());
            throttle.record_failure("a@example.com", ADDR);
        }
        assert!(throttle.check("a@example.com", ADDR).is_some());
        assert!(throttle.check("b@example.com", ADDR).is_none());
    }

    #[test]
    fn an_address_is_blocked_across_accounts() {
        let throttle = LoginThrottle::new(Duration::from_secs(60), 100, 2);
        throttle.record_failure("a@example.com", ADDR);
        throttle.record_failure("b@example.com", ADDR);
        assert!(throttle.check("c@example.com", ADDR).is_some());
    }

    #[test]
    fn the_window_expires() {
        let throttle = LoginThrottle::new(Duration::from_millis(20), 1, 100);
        throttle.record_failure("a@example.com", ADDR);
        assert!(throttle.check("a@example.com", ADDR).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(throttle.check("a@example.com", ADDR).is_none());
    }
}
