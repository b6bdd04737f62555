//! Per-channel token buckets: a channel sends at most its messages-per-second setting, with
//! bursts of up to one second's worth, and a throughput error from the provider pauses it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::ChannelId;

struct Bucket {
    tokens: f64,
    updated: Instant,
    paused_until: Option<Instant>,
}

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<ChannelId, Bucket>>,
}

impl RateLimiter {
    /// How long to wait before this channel may send one more message at `per_second`;
    /// zero when it may send now (the token is then taken).
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
            paused_until: None,
        });
        if let Some(until) = bucket.paused_until {
            if until > now {
                return until - now;
            }
            bucket.paused_until = None;
        }
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * rate).min(rate);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - bucket.tokens) / rate)
        }
    }

    /// Pauses a channel after the provider said it sends too fast.
    pub fn pause(&self, channel: ChannelId, wait: Duration) {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(bucket) = buckets.get_mut(&channel) {
            bucket.paused_until = Some(Instant::now() + wait);
            bucket.tokens = 0.0;
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
}
