//! Login throttling. Kept in memory, per instance; memory stays bounded by pruning expired
//! entries.
//!
//! The policy: a stranger can slow guessing against an account down, but cannot lock its
//! owner out of it.
//!
//! - **Per address and account.** After `per_account` failures from one client address
//!   against one account within the window, that address may not try that account again
//!   (not even with the right password) until the window ends. This stops one address
//!   guessing one account; it does not touch the account's owner at another address.
//! - **Per address.** After `per_address` failures from one address within the window,
//!   across all accounts, that address may not sign in, except to accounts it has signed in
//!   to successfully before (a *known* address of that account). This stops one address
//!   spraying guesses over many accounts; a shared address (a proxy without
//!   `SWITCHBOARD_CLIENT_IP_HEADER`, a NAT) keeps working for the people who already use it.
//! - **Per account, from everywhere.** Once an account has collected `2 × per_account`
//!   failures within the window from all addresses together (a guessing campaign spread over
//!   many addresses), addresses that are not known to the account get one attempt per delay,
//!   and the delay doubles with each further failure (5 s, 10 s, 20 s, … up to the window).
//!   Known addresses are never delayed, so the owner keeps signing in from where they
//!   usually do.
//! - **Concurrency is not failure.** An attempt in flight counts against the limits only
//!   while its password is checked: attempts beyond what the remaining budget allows wait
//!   for the earlier ones to settle instead of being refused, so many parallel correct
//!   sign-ins all succeed, and parallel guesses cannot overrun a limit.
//!
//! A success clears the failures of that address against that account and makes the address
//! known to the account; it does not clear the account's or the address's wider counts.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// Beyond this many tracked keys in one map, expired ones are pruned on the next insert.
const PRUNE_AT: usize = 10_000;
/// How many addresses an account remembers as known; the least recent is forgotten first.
const KNOWN_PER_ACCOUNT: usize = 16;
/// How long a successful sign-in keeps an address known to its account.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 86_400);
/// The first delay of an account under a spread-out guessing campaign.
const FIRST_DELAY: Duration = Duration::from_secs(5);

#[derive(Clone, Copy)]
struct Counter {
    started: Instant,
    failures: u32,
    last_failure: Instant,
    /// Attempts admitted and not yet settled.
    pending: u32,
}

impl Counter {
    fn new(now: Instant) -> Self {
        Self {
            started: now,
            failures: 0,
            last_failure: now,
            pending: 0,
        }
    }

    /// Failures within the current window; an expired window starts again.
    fn current(&mut self, now: Instant, window: Duration) -> u32 {
        if now.duration_since(self.started) >= window {
            self.started = now;
            self.failures = 0;
        }
        self.failures
    }

    fn left(&self, now: Instant, window: Duration) -> Duration {
        window.saturating_sub(now.duration_since(self.started))
    }

    fn idle(&self, now: Instant, window: Duration) -> bool {
        self.pending == 0 && now.duration_since(self.started) >= window
    }
}

type Pair = (String, IpAddr);

#[derive(Default)]
struct State {
    pairs: HashMap<Pair, Counter>,
    addresses: HashMap<IpAddr, Counter>,
    accounts: HashMap<String, Counter>,
    known: HashMap<String, Vec<(IpAddr, Instant)>>,
}

fn entry<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, Counter>,
    key: K,
    now: Instant,
    window: Duration,
) -> &mut Counter {
    if map.len() >= PRUNE_AT {
        map.retain(|_, c| !c.idle(now, window));
    }
    map.entry(key).or_insert_with(|| Counter::new(now))
}

/// What [`LoginThrottle::admit`] decided.
enum Admission {
    Go { known: bool },
    Wait,
    Refuse(Duration),
}

pub struct LoginThrottle {
    window: Duration,
    per_account: u32,
    per_address: u32,
    state: Mutex<State>,
    settled: Notify,
}

impl LoginThrottle {
    pub fn new(window: Duration, per_account: u32, per_address: u32) -> Self {
        Self {
            window,
            per_account,
            per_address,
            state: Mutex::new(State::default()),
            settled: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the maps inconsistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Admits one attempt of `address` at `account`, waiting while attempts in flight use up
    /// the remaining budget; `Err(wait)` when the attempt is refused for `wait`. The ticket
    /// must be settled with [`Ticket::failed`] or [`Ticket::succeeded`]; dropped unsettled
    /// (an error, a cancelled request) it counts as neither.
    pub async fn admit(
        self: &Arc<Self>,
        account: &str,
        address: IpAddr,
    ) -> Result<Ticket, Duration> {
        loop {
            let settled = self.settled.notified();
            tokio::pin!(settled);
            // Registered before the state is read, so a settlement in between is not lost.
            settled.as_mut().enable();
            match self.try_admit(account, address, Instant::now()) {
                Admission::Go { known } => {
                    return Ok(Ticket {
                        throttle: Arc::clone(self),
                        account: account.to_owned(),
                        address,
                        known,
                        settled: false,
                    })
                }
                Admission::Refuse(wait) => return Err(wait),
                Admission::Wait => settled.await,
            }
        }
    }

    fn try_admit(&self, account: &str, address: IpAddr, now: Instant) -> Admission {
        let window = self.window;
        let mut state = self.lock();
        let known = state.known.get(account).is_some_and(|addresses| {
            addresses
                .iter()
                .any(|(a, at)| *a == address && now.duration_since(*at) < KNOWN_FOR)
        });

        let pair = entry(&mut state.pairs, (account.to_owned(), address), now, window);
        let pair_failures = pair.current(now, window);
        if pair_failures >= self.per_account {
            return Admission::Refuse(pair.left(now, window));
        }
        let pair_busy = pair_failures + pair.pending >= self.per_account;

        let per_address = self.per_address;
        let addr = entry(&mut state.addresses, address, now, window);
        let addr_failures = addr.current(now, window);
        if !known && addr_failures >= per_address {
            return Admission::Refuse(addr.left(now, window));
        }
        let addr_busy = !known && addr_failures + addr.pending >= per_address;

        let campaign_at = self.per_account.saturating_mul(2);
        let acct = entry(&mut state.accounts, account.to_owned(), now, window);
        let acct_failures = acct.current(now, window);
        let mut acct_busy = false;
        if !known && acct_failures >= campaign_at {
            let doublings = (acct_failures - campaign_at).min(30);
            let delay = FIRST_DELAY.saturating_mul(1 << doublings).min(window);
            let ready_at = acct.last_failure + delay;
            if now < ready_at {
                return Admission::Refuse(ready_at - now);
            }
            // One unknown address at a time, so parallel guesses cannot share one delay.
            acct_busy = acct.pending > 0;
        }

        if pair_busy || addr_busy || acct_busy {
            return Admission::Wait;
        }
        // The entries exist: they were created above under the same lock.
        if let Some(c) = state.pairs.get_mut(&(account.to_owned(), address)) {
            c.pending += 1;
        }
        if let Some(c) = state.addresses.get_mut(&address) {
            c.pending += 1;
        }
        if !known {
            if let Some(c) = state.accounts.get_mut(account) {
                c.pending += 1;
            }
        }
        Admission::Go { known }
    }

    fn settle(&self, ticket: &Ticket, outcome: Option<bool>) {
        let now = Instant::now();
        let window = self.window;
        {
            let mut state = self.lock();
            let pair_key = (ticket.account.clone(), ticket.address);
            if let Some(c) = state.pairs.get_mut(&pair_key) {
                c.pending = c.pending.saturating_sub(1);
            }
            if let Some(c) = state.addresses.get_mut(&ticket.address) {
                c.pending = c.pending.saturating_sub(1);
            }
            if !ticket.known {
                if let Some(c) = state.accounts.get_mut(&ticket.account) {
                    c.pending = c.pending.saturating_sub(1);
                }
            }
            match outcome {
                Some(false) => {
                    let pair = entry(&mut state.pairs, pair_key, now, window);
                    pair.current(now, window);
                    pair.failures += 1;
                    pair.last_failure = now;
                    let addr = entry(&mut state.addresses, ticket.address, now, window);
                    addr.current(now, window);
                    addr.failures += 1;
                    addr.last_failure = now;
                    let acct = entry(&mut state.accounts, ticket.account.clone(), now, window);
                    acct.current(now, window);
                    acct.failures += 1;
                    acct.last_failure = now;
                }
                Some(true) => {
                    state.pairs.remove(&pair_key);
                    if state.known.len() >= PRUNE_AT {
                        state.known.retain(|_, addresses| {
                            addresses.retain(|(_, at)| now.duration_since(*at) < KNOWN_FOR);
                            !addresses.is_empty()
                        });
                    }
                    let addresses = state.known.entry(ticket.account.clone()).or_default();
                    addresses.retain(|(a, _)| *a != ticket.address);
                    if addresses.len() >= KNOWN_PER_ACCOUNT {
                        addresses.remove(0);
                    }
                    addresses.push((ticket.address, now));
                }
                None => {}
            }
        }
        self.settled.notify_waiters();
    }
}

/// One admitted attempt, counted as in flight until settled or dropped.
pub struct Ticket {
    throttle: Arc<LoginThrottle>,
    account: String,
    address: IpAddr,
    known: bool,
    settled: bool,
}

impl Ticket {
    /// The password was wrong (or the account unknown).
    pub fn failed(mut self) {
        self.settled = true;
        self.throttle.settle(&self, Some(false));
    }

    /// The password was right.
    pub fn succeeded(mut self) {
        self.settled = true;
        self.throttle.settle(&self, Some(true));
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if !self.settled {
            self.throttle.settle(self, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    fn throttle(per_account: u32, per_address: u32) -> Arc<LoginThrottle> {
        Arc::new(LoginThrottle::new(
            Duration::from_secs(60),
            per_account,
            per_address,
        ))
    }

    async fn fail(t: &Arc<LoginThrottle>, account: &str, address: IpAddr) {
        t.admit(account, address).await.unwrap().failed();
    }

    #[tokio::test]
    async fn an_address_is_stopped_at_an_account_but_another_address_is_not() {
        let t = throttle(3, 100);
        for _ in 0..3 {
            fail(&t, "a@example.com", A).await;
        }
        assert!(t.admit("a@example.com", A).await.is_err());
        assert!(t.admit("b@example.com", A).await.is_ok());
        assert!(t.admit("a@example.com", B).await.is_ok());
    }

    #[tokio::test]
    async fn an_address_is_stopped_across_accounts_except_where_it_is_known() {
        let t = throttle(100, 2);
        t.admit("owner@example.com", A).await.unwrap().succeeded();
        fail(&t, "x@example.com", A).await;
        fail(&t, "y@example.com", A).await;
        assert!(t.admit("z@example.com", A).await.is_err());
        assert!(t.admit("owner@example.com", A).await.is_ok());
    }

    #[tokio::test]
    async fn a_spread_out_campaign_delays_unknown_addresses_only() {
        let t = throttle(2, 100);
        t.admit("a@example.com", A).await.unwrap().succeeded();
        for n in 0..4u8 {
            let guesser = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, n));
            fail(&t, "a@example.com", guesser).await;
        }
        assert!(t.admit("a@example.com", B).await.is_err());
        assert!(t.admit("a@example.com", A).await.is_ok());
    }

    #[tokio::test]
    async fn parallel_attempts_wait_instead_of_being_refused() {
        let t = throttle(2, 2);
        let first = t.admit("a@example.com", A).await.unwrap();
        let second = t.admit("a@example.com", A).await.unwrap();
        let third = tokio::spawn({
            let t = Arc::clone(&t);
            async move { t.admit("a@example.com", A).await.map(Ticket::succeeded) }
        });
        tokio::task::yield_now().await;
        assert!(!third.is_finished());
        first.succeeded();
        second.succeeded();
        third.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn parallel_guesses_cannot_overrun_the_limit() {
        let t = throttle(2, 100);
        let first = t.admit("a@example.com", A).await.unwrap();
        let second = t.admit("a@example.com", A).await.unwrap();
        let third = tokio::spawn({
            let t = Arc::clone(&t);
            async move { t.admit("a@example.com", A).await.is_err() }
        });
        first.failed();
        second.failed();
        assert!(third.await.unwrap(), "the third guess is refused");
    }

    #[tokio::test]
    async fn the_window_expires() {
        let t = Arc::new(LoginThrottle::new(Duration::from_millis(20), 1, 100));
        fail(&t, "a@example.com", A).await;
        assert!(t.admit("a@example.com", A).await.is_err());
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(t.admit("a@example.com", A).await.is_ok());
    }
}
