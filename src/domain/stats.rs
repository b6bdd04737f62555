//! Queue figures: durations summarised by nearest-rank percentiles; message volume over a
//! period, per time bucket and by outcome.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Direction, MessageStatus};

/// The nearest-rank `p`-th percentile (0 < p ≤ 100) of `values`: the smallest value with at
/// least p % of them at or below it. None for no values.
pub fn percentile(values: &[TimeDelta], p: u32) -> Option<TimeDelta> {
    if values.is_empty() || p == 0 || p > 100 {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort();
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100);
    let index = usize::try_from(rank.saturating_sub(1)).unwrap_or(0);
    sorted.get(index).copied()
}

/// The median and 90th percentile of some durations, and how many there were.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spread {
    pub median: Option<TimeDelta>,
    pub p90: Option<TimeDelta>,
    pub count: u64,
}

impl Spread {
    pub fn of(values: &[TimeDelta]) -> Self {
        Self {
            median: percentile(values, 50),
            p90: percentile(values, 90),
            count: values.len() as u64,
        }
    }
}

/// The average of ratings 1 to 5, and how many there were.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Satisfaction {
    pub average: Option<f64>,
    pub responses: u64,
}

impl Satisfaction {
    pub fn of(ratings: &[u8]) -> Self {
        let responses = ratings.len() as u64;
        let average = (responses > 0)
            .then(|| ratings.iter().map(|r| f64::from(*r)).sum::<f64>() / responses as f64);
        Self { average, responses }
    }
}

/// Messages in and out in one time bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolumeBucket {
    pub start: DateTime<Utc>,
    pub inbound: u64,
    pub outbound: u64,
}

/// Outbound messages of a period by where they stand now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcomes {
    pub queued: u64,
    pub sent: u64,
    pub delivered: u64,
    pub read: u64,
    pub failed: u64,
}

impl Outcomes {
    /// Those that left Switchboard: handed to the provider, whatever came next.
    pub fn settled(&self) -> u64 {
        self.sent + self.delivered + self.read + self.failed
    }

    /// Of those settled, the share delivered (read ones were delivered too); None for none.
    pub fn delivery_rate(&self) -> Option<f64> {
        self.share(self.delivered + self.read)
    }

    /// Of those settled, the share read.
    pub fn read_rate(&self) -> Option<f64> {
        self.share(self.read)
    }

    fn share(&self, part: u64) -> Option<f64> {
        let all = self.settled();
        (all > 0).then(|| part as f64 / all as f64)
    }
}

/// Messages of `[from, from + bucket × buckets)`, per bucket, and the outbound ones' outcomes.
#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    pub buckets: Vec<VolumeBucket>,
    pub inbound: u64,
    pub outbound: Outcomes,
}

impl Volume {
    /// Sums counted rows (`bucket index`, direction, status, count) into `buckets` buckets of
    /// `bucket` from `from`; rows outside them are ignored.
    pub fn gather(
        from: DateTime<Utc>,
        bucket: TimeDelta,
        buckets: usize,
        rows: impl IntoIterator<Item = (i64, Direction, MessageStatus, u64)>,
    ) -> Self {
        let mut volume = Volume {
            buckets: (0..buckets)
                .map(|i| VolumeBucket {
                    start: from + bucket * i32::try_from(i).unwrap_or(i32::MAX),
                    inbound: 0,
                    outbound: 0,
                })
                .collect(),
            inbound: 0,
            outbound: Outcomes::default(),
        };
        for (index, direction, status, n) in rows {
            let Some(slot) = usize::try_from(index)
                .ok()
                .and_then(|i| volume.buckets.get_mut(i))
            else {
                continue;
            };
            match direction {
                Direction::Inbound => {
                    slot.inbound += n;
                    volume.inbound += n;
                }
                Direction::Outbound => {
                    slot.outbound += n;
                    let o = &mut volume.outbound;
                    match status {
                        MessageStatus::Received | MessageStatus::Queued => o.queued += n,
                        MessageStatus::Sent => o.sent += n,
                        MessageStatus::Delivered => o.delivered += n,
                        MessageStatus::Read => o.read += n,
                        MessageStatus::Failed => o.failed += n,
                    }
                }
            }
        }
        volume
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_sums_rows_into_buckets_and_outcomes() {
        let from = DateTime::parse_from_rfc3339("2026-01-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let rows = [
            (0, Direction::Inbound, MessageStatus::Received, 3),
            (0, Direction::Outbound, MessageStatus::Read, 2),
            (2, Direction::Outbound, MessageStatus::Delivered, 1),
            (2, Direction::Outbound, MessageStatus::Failed, 1),
            (2, Direction::Outbound, MessageStatus::Queued, 4),
            (3, Direction::Inbound, MessageStatus::Received, 9),
            (-1, Direction::Inbound, MessageStatus::Received, 9),
        ];
        let v = Volume::gather(from, TimeDelta::minutes(5), 3, rows);
        assert_eq!(v.buckets.len(), 3);
        assert_eq!(v.buckets[1].start, from + TimeDelta::minutes(5));
        assert_eq!((v.buckets[0].inbound, v.buckets[0].outbound), (3, 2));
        assert_eq!((v.buckets[2].inbound, v.buckets[2].outbound), (0, 6));
        assert_eq!(v.inbound, 3);
        assert_eq!(v.outbound.settled(), 4);
        assert_eq!(v.outbound.delivery_rate(), Some(0.75));
        assert_eq!(v.outbound.read_rate(), Some(0.5));
        assert_eq!(Outcomes::default().read_rate(), None);
    }

    fn secs(values: &[i64]) -> Vec<TimeDelta> {
        values.iter().map(|s| TimeDelta::seconds(*s)).collect()
    }

    #[test]
    fn nearest_rank_percentiles() {
        let values = secs(&[180, 60]);
        assert_eq!(percentile(&values, 50), Some(TimeDelta::seconds(60)));
        assert_eq!(percentile(&values, 90), Some(TimeDelta::seconds(180)));
        let ten = secs(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(percentile(&ten, 50), Some(TimeDelta::seconds(5)));
        assert_eq!(percentile(&ten, 90), Some(TimeDelta::seconds(9)));
        assert_eq!(percentile(&ten, 100), Some(TimeDelta::seconds(10)));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn satisfaction_averages_the_ratings() {
        assert_eq!(Satisfaction::of(&[]).average, None);
        let s = Satisfaction::of(&[5, 4, 2]);
        assert_eq!(s.responses, 3);
        assert!((s.average.unwrap() - 11.0 / 3.0).abs() < 1e-9);
    }
}
