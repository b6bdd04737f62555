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

    #[test]
    fn statuses_round_trip_through_text() {
        for s in [Received, Queued, Sent, Delivered, Read, Failed] {
            assert_eq!(s.as_str().parse::<super::MessageStatus>().unwrap(), s);
        }
    }
}
