//! A channel's send pace as the generic cell rate algorithm (GCRA): one number per channel,
//! the theoretical arrival time (TAT) of its next send, which each send moves forward by
//! the channel's interval. A send may go once it is no more than one second's burst ahead
//! of its TAT: a channel sends at most its messages-per-second, with bursts of up to one
//! second's worth. Kept in the database, the number is shared by every instance.
//!
//! Times are microseconds since the Unix epoch.

use chrono::{DateTime, Utc};

/// One second, in microseconds: the burst window.
const SECOND: i64 = 1_000_000;

/// The pace of a channel limited to some messages per second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    /// Microseconds between two sends at the steady rate.
    pub interval: i64,
}

impl Pace {
    pub fn per_second(rate: u32) -> Self {
        Self {
            interval: (SECOND / i64::from(rate.max(1))).max(1),
        }
    }

    /// The TAT a send reserved at `now` sets when the channel's TAT was `tat` (none yet:
    /// the channel is idle).
    pub fn reserve(&self, tat: Option<i64>, now: i64) -> i64 {
        tat.map_or(now, |tat| tat.max(now)) + self.interval
    }

    /// When the send that set the TAT to `reserved` may go: a second's burst ahead of it.
    pub fn send_at(&self, reserved: i64) -> i64 {
        reserved - SECOND
    }

    /// The TAT after the provider asked the channel to wait until `until`: the next
    /// reservation's send goes no earlier than that.
    pub fn paused_until(&self, tat: Option<i64>, until: i64) -> i64 {
        let paused = until + SECOND - self.interval;
        tat.map_or(paused, |tat| tat.max(paused))
    }
}

/// `at` in microseconds since the Unix epoch.
pub fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reserves `n` sends at `now` in a row; answers how long each waits.
    fn waits(pace: Pace, tat: &mut Option<i64>, now: i64, n: usize) -> Vec<i64> {
        (0..n)
            .map(|_| {
                let reserved = pace.reserve(*tat, now);
                *tat = Some(reserved);
                (pace.send_at(reserved) - now).max(0)
            })
            .collect()
    }

    #[test]
    fn an_idle_channel_sends_a_second_s_worth_at_once_then_at_its_rate() {
        let pace = Pace::per_second(5);
        let mut tat = None;
        let waits = waits(pace, &mut tat, 10 * SECOND, 8);
        assert_eq!(&waits[..5], &[0, 0, 0, 0, 0]);
        assert_eq!(&waits[5..], &[200_000, 400_000, 600_000]);
    }

    #[test]
    fn a_channel_refills_as_time_passes() {
        let pace = Pace::per_second(10);
        let mut tat = None;
        waits(pace, &mut tat, 0, 10);
        // Half a second later, five more go at once, and the sixth waits its interval.
        let later = waits(pace, &mut tat, SECOND / 2, 6);
        assert_eq!(&later[..5], &[0, 0, 0, 0, 0]);
        assert_eq!(later[5], 100_000);
        // Long idle: no more than a second's burst is saved up.
        let idle = waits(pace, &mut tat, 100 * SECOND, 11);
        assert_eq!(idle.iter().filter(|w| **w == 0).count(), 10);
    }

    #[test]
    fn sends_over_a_long_run_keep_to_the_rate() {
        let pace = Pace::per_second(50);
        let mut tat = None;
        let waits = waits(pace, &mut tat, 0, 50 + 500);
        // 500 sends after the burst take ten seconds.
        assert_eq!(*waits.last().unwrap(), 10 * SECOND);
    }

    #[test]
    fn a_pause_delays_the_next_send_until_it_ends_then_the_rate_resumes() {
        let pace = Pace::per_second(100);
        let now = 5 * SECOND;
        let mut tat = Some(pace.paused_until(None, now + 2 * SECOND));
        let waits = waits(pace, &mut tat, now, 3);
        assert_eq!(
            waits,
            vec![2 * SECOND, 2 * SECOND + 10_000, 2 * SECOND + 20_000]
        );
        // A pause shorter than the reservations already made changes nothing.
        let before = tat;
        assert_eq!(Some(pace.paused_until(tat, now)), before);
    }

    #[test]
    fn a_rate_of_zero_is_one_a_second() {
        assert_eq!(Pace::per_second(0).interval, SECOND);
    }
}
