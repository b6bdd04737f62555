//! Per-channel token buckets: a channel sends at most its messages-per-second setting, with
//! bursts of up to one second's worth, and a throughput error from the provider pauses it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::ChannelId;

/// A channel's bucket. `tokens` goes below zero when sends are reserved ahead: each caller
/// takes its token at once and waits for its own slot, so callers that wait together do not
/// all send together when the wait is over. `updated` may lie in the future after a pause:
/// nothing refills before it.
struct Bucket {
    tokens: f64,
    updated: Instant,
}

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<ChannelId, Bucket>>,
}

impl RateLimiter {
    /// How long to wait before this channel may send one more message at `per_second`;
    /// zero when it may send now. The token is taken either way: the caller sends after
    /// the wait without asking again.
    pub fn reserve(&self, channel: ChannelId, per_second: u32) -> Duration {
        let rate = f64::from(per_second.max(1));
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets.entry(channel).or_insert(Bucket {
            tokens: rate,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(rate);
        bucket.updated = bucket.updated.max(now);
        bucket.tokens -= 1.0;
        let refill_wait = if bucket.tokens >= 0.0 {
            0.0
        } else {
            -bucket.tokens / rate
        };
        (bucket.updated - now) + Duration::from_secs_f64(refill_wait)
    }

    /// Pauses a channel after the provider said it sends too fast: the next send waits out
    /// the pause, and the ones after it follow at the channel's rate.
    pub fn pause(&self, channel: ChannelId, wait: Duration) {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(bucket) = buckets.get_mut(&channel) {
            bucket.updated = bucket.updated.max(Instant::now() + wait);
            bucket.tokens = bucket.tokens.min(0.0) + 1.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_gets_a_second_of_burst_then_waits() {
        let limiter = RateLimiter::default();
        let channel = ChannelId::new();
        for _ in 0..5 {
            assert_eq!(limiter.reserve(channel, 5), Duration::ZERO);
        }
        let wait = limiter.reserve(channel, 5);
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(200),
            "{wait:?}"
        );
        assert_eq!(
            limiter.reserve(ChannelId::new(), 5),
            Duration::ZERO,
            "channels are apart"
        );
    }

    #[test]
    fn a_paused_channel_waits_out_the_pause() {
        let limiter = RateLimiter::default();
        let channel = ChannelId::new();
        limiter.reserve(channel, 100);
        limiter.pause(channel, Duration::from_secs(2));
        assert!(limiter.reserve(channel, 100) > Duration::from_secs(1));
    }

    #[test]
    fn callers_that_wait_together_get_slots_one_interval_apart() {
        let limiter = RateLimiter::default();
        let channel = ChannelId::new();
        for _ in 0..10 {
            assert_eq!(limiter.reserve(channel, 10), Duration::ZERO);
        }
        let waits: Vec<Duration> = (0..5).map(|_| limiter.reserve(channel, 10)).collect();
        for pair in waits.windows(2) {
            let gap = pair[1].saturating_sub(pair[0]);
            assert!(
                gap >= Duration::from_millis(95) && gap <= Duration::from_millis(105),
                "{waits:?}"
            );
        }
        assert!(waits[4] >= Duration::from_millis(450), "{waits:?}");
    }
}
