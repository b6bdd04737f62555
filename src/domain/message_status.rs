//! Message status and its forward-only order (PROVIDERS.md §3.1).

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "INBOUND",
            Direction::Outbound => "OUTBOUND",
        }
    }
}

impl FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "INBOUND" => Ok(Direction::Inbound),
            "OUTBOUND" => Ok(Direction::Outbound),
            other => Err(format!("unknown direction {other}")),
        }
    }
}

/// Where a message stands. Outbound messages move QUEUED < SENT < DELIVERED < READ, and
/// FAILED ends them unless they were already delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    Received,
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl MessageStatus {
    fn rank(self) -> u8 {
        match self {
            MessageStatus::Received | MessageStatus::Queued => 0,
            MessageStatus::Sent => 1,
            MessageStatus::Delivered => 2,
            MessageStatus::Read => 3,
            MessageStatus::Failed => 4,
        }
    }

    /// The status after `next` arrives: forward only; a failure after delivery is recorded
    /// in the timeline but does not undo the delivery; nothing leaves FAILED.
    pub fn advance(self, next: MessageStatus) -> MessageStatus {
        match (self, next) {
            (MessageStatus::Failed, _) => MessageStatus::Failed,
            (current, MessageStatus::Failed)
                if current.rank() >= MessageStatus::Delivered.rank() =>
            {
                current
            }
            (current, next) if next.rank() > current.rank() => next,
            (current, _) => current,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Received => "RECEIVED",
            MessageStatus::Queued => "QUEUED",
            MessageStatus::Sent => "SENT",
            MessageStatus::Delivered => "DELIVERED",
            MessageStatus::Read => "READ",
            MessageStatus::Failed => "FAILED",
        }
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MessageStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "RECEIVED" => MessageStatus::Received,
            "QUEUED" => MessageStatus::Queued,
            "SENT" => MessageStatus::Sent,
            "DELIVERED" => MessageStatus::Delivered,
            "READ" => MessageStatus::Read,
            "FAILED" => MessageStatus::Failed,
            other => return Err(format!("unknown status {other}")),
        })
    }
}

/// One step of a message's status timeline, as [`lifecycle_order`] sees it.
#[derive(Clone, Copy, Debug)]
pub struct TimelineStep {
    pub status: MessageStatus,
    pub at: chrono::DateTime<chrono::Utc>,
    /// A manual retry: the lifecycle starts again here.
    pub restarts: bool,
    /// Stamped by our clock as it happened (our acceptance of the provider's answer, our
    /// failures and retries), not reported by the provider.
    pub ours: bool,
}

/// The indices of `steps`, given in the order they were recorded, in the order they
/// happened.
///
/// Two clocks stamp a timeline: ours, to the microsecond (our acceptance of the provider's
/// answer, failures, retries), and the provider's, to the whole second (Meta's statuses).
/// By time alone a provider's `sent` at 12:00:00 sorts before our acceptance at
/// 12:00:00.345, and a provider clock a little behind ours does the same across seconds.
/// Within one send a message only moves forward through the lifecycle, so steps sort by
/// send (a retry starts the next), then lifecycle rank, then ours before the provider's
/// (the provider reports a send only after accepting it, and its report can reach us
/// before its answer does), then time to the second, then the order they were recorded.
pub fn lifecycle_order(steps: &[TimelineStep]) -> Vec<usize> {
    let mut round = 0u32;
    let mut keyed: Vec<_> = steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            if step.restarts {
                round += 1;
            }
            let key = (
                round,
                step.status.rank(),
                !step.ours,
                step.at.timestamp(),
                i,
            );
            (key, i)
        })
        .collect();
    keyed.sort_unstable_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// How long after the customer's last message free-form replies are allowed.
pub const CUSTOMER_SERVICE_WINDOW: chrono::Duration = chrono::Duration::hours(24);

#[cfg(test)]
mod tests {
    use super::MessageStatus::*;

    #[test]
    fn status_never_moves_backwards() {
        assert_eq!(Read.advance(Delivered), Read);
        assert_eq!(Delivered.advance(Sent), Delivered);
        assert_eq!(Queued.advance(Read), Read);
        assert_eq!(Sent.advance(Delivered), Delivered);
    }

    #[test]
    fn failure_ends_a_message_unless_it_was_delivered() {
        assert_eq!(Sent.advance(Failed), Failed);
        assert_eq!(Queued.advance(Failed), Failed);
        assert_eq!(Delivered.advance(Failed), Delivered);
        assert_eq!(Read.advance(Failed), Read);
        assert_eq!(Failed.advance(Read), Failed);
    }

    fn step(status: super::MessageStatus, at: &str, restarts: bool) -> super::TimelineStep {
        super::TimelineStep {
            status,
            at: at.parse().unwrap(),
            restarts,
            ours: at.contains('.'),
        }
    }

    #[test]
    fn provider_seconds_sort_after_our_acceptance_of_the_same_send() {
        let steps = [
            step(Sent, "2026-12-05T12:00:00.345Z", false),
            step(Sent, "2026-12-05T12:00:00Z", false),
            step(Delivered, "2026-12-05T12:00:00Z", false),
            step(Read, "2026-12-05T12:00:00Z", false),
        ];
        assert_eq!(super::lifecycle_order(&steps), [0, 1, 2, 3]);
    }

    #[test]
    fn a_provider_report_recorded_before_its_answer_still_follows_it() {
        let steps = [
            step(Sent, "2026-12-05T12:00:00Z", false),
            step(Delivered, "2026-12-05T12:00:00Z", false),
            step(Sent, "2026-12-05T12:00:00.345Z", false),
        ];
        assert_eq!(super::lifecycle_order(&steps), [2, 0, 1]);
    }

    #[test]
    fn the_lifecycle_wins_over_a_provider_clock_behind_ours() {
        let steps = [
            step(Sent, "2026-12-05T12:00:01.050Z", false),
            step(Read, "2026-12-05T12:00:03Z", false),
            step(Delivered, "2026-12-05T12:00:00Z", false),
        ];
        assert_eq!(super::lifecycle_order(&steps), [0, 2, 1]);
    }

    #[test]
    fn a_retry_starts_the_lifecycle_again() {
        let steps = [
            step(Failed, "2026-12-05T12:00:00.100Z", false),
            step(Queued, "2026-12-05T12:00:05.000Z", true),
            step(Sent, "2026-12-05T12:00:05.200Z", false),
            step(Delivered, "2026-12-05T12:00:05Z", false),
        ];
        assert_eq!(super::lifecycle_order(&steps), [0, 1, 2, 3]);
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for s in [Received, Queued, Sent, Delivered, Read, Failed] {
            assert_eq!(s.as_str().parse::<super::MessageStatus>().unwrap(), s);
        }
    }
}
