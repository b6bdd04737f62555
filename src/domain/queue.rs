//! Queues: where conversations wait to be worked. The rules for a queue's fields; the
//! assignment itself happens in the services.

use crate::domain::free_text::{self, Lines};

/// The longest queue name.
pub const NAME_MAX: usize = 80;
/// A member works at most this many conversations at once in a queue.
pub const CAPACITY_MAX: u32 = 100;
/// The longest first-response target: one week.
pub const FIRST_RESPONSE_MAX_MINUTES: u32 = 7 * 24 * 60;
/// At most this many members per queue, and queues per tenant.
pub const MEMBERS_MAX: usize = 500;
pub const QUEUES_MAX: usize = 200;
/// The name of the queue every tenant starts with.
pub const DEFAULT_NAME: &str = "Default";

/// How a queue's waiting conversations find an agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssignmentMode {
    /// Agents pick conversations themselves, or an admin assigns them.
    Manual,
    /// Each new conversation goes to the next online member under capacity, in turn.
    RoundRobin,
    /// Each new conversation goes to the online member with the fewest open conversations,
    /// the one idle longest on a tie.
    LeastBusy,
}

impl AssignmentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "MANUAL",
            Self::RoundRobin => "ROUND_ROBIN",
            Self::LeastBusy => "LEAST_BUSY",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "MANUAL" => Self::Manual,
            "ROUND_ROBIN" => Self::RoundRobin,
            "LEAST_BUSY" => Self::LeastBusy,
            _ => return None,
        })
    }
}

/// Why a queue's field is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("must not be empty")]
    EmptyName,
    #[error(transparent)]
    Text(#[from] free_text::TextError),
    #[error("must be between 1 and {CAPACITY_MAX}")]
    Capacity,
    #[error("must be between 1 and {FIRST_RESPONSE_MAX_MINUTES} minutes")]
    FirstResponse,
    #[error("at most {MEMBERS_MAX} members")]
    TooManyMembers,
    #[error("names the same user twice")]
    RepeatedMember,
}

/// A queue's name, trimmed: one line, not empty, at most [`NAME_MAX`] characters.
pub fn parse_name(raw: &str) -> Result<String, QueueError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(QueueError::EmptyName);
    }
    free_text::check(name, NAME_MAX, Lines::One)?;
    Ok(name.to_owned())
}

/// The form two names are told apart by: "Sales" and "sales" are one queue.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

pub fn check_capacity(capacity: i64) -> Result<u32, QueueError> {
    u32::try_from(capacity)
        .ok()
        .filter(|c| (1..=CAPACITY_MAX).contains(c))
        .ok_or(QueueError::Capacity)
}

pub fn check_first_response(minutes: i64) -> Result<u32, QueueError> {
    u32::try_from(minutes)
        .ok()
        .filter(|m| (1..=FIRST_RESPONSE_MAX_MINUTES).contains(m))
        .ok_or(QueueError::FirstResponse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Sales ").as_deref(), Ok("Sales"));
        assert_eq!(parse_name("   "), Err(QueueError::EmptyName));
        assert!(matches!(
            parse_name(&"x".repeat(NAME_MAX + 1)),
            Err(QueueError::Text(_))
        ));
        assert!(matches!(parse_name("a\nb"), Err(QueueError::Text(_))));
        assert_eq!(name_key("Ventas Ñ"), "ventas ñ");
    }

    #[test]
    fn capacity_and_target_are_bounded() {
        assert_eq!(check_capacity(1), Ok(1));
        assert_eq!(check_capacity(100), Ok(100));
        for bad in [0, -1, 101, i64::MAX] {
            assert_eq!(check_capacity(bad), Err(QueueError::Capacity));
        }
        assert_eq!(check_first_response(10_080), Ok(10_080));
        assert_eq!(check_first_response(0), Err(QueueError::FirstResponse));
    }

    #[test]
    fn modes_round_trip() {
        for mode in [
            AssignmentMode::Manual,
            AssignmentMode::RoundRobin,
            AssignmentMode::LeastBusy,
        ] {
            assert_eq!(AssignmentMode::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(AssignmentMode::parse("manual"), None);
    }
}
