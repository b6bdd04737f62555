//! Queue figures: durations summarised by nearest-rank percentiles.

use chrono::TimeDelta;

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

#[cfg(test)]
mod tests {
    use super::*;

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
