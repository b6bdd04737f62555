//! Automatic assignment: which online member of a queue takes its next waiting
//! conversation.

use chrono::{DateTime, Utc};

use super::queue::AssignmentMode;
use super::UserId;

/// An online member of the queue, with their load in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub user: UserId,
    /// Their conversations of the queue that are not resolved.
    pub load: u32,
    pub capacity: u32,
    /// When the queue last gave them a conversation; none: never.
    pub last_assigned_at: Option<DateTime<Utc>>,
}

impl Candidate {
    fn free(&self) -> bool {
        self.load < self.capacity
    }
}

/// The candidate who takes the next conversation, if any has capacity left. ROUND_ROBIN
/// takes members in turn: the one who was given a conversation longest ago (never: first).
/// LEAST_BUSY takes the one with the fewest open conversations, idle longest on a tie.
/// MANUAL assigns nobody. Remaining ties go by user id, so every instance decides alike.
pub fn pick(mode: AssignmentMode, candidates: &[Candidate]) -> Option<usize> {
    let free = candidates.iter().enumerate().filter(|(_, c)| c.free());
    let turn = |c: &Candidate| (c.last_assigned_at, c.user.into_uuid());
    match mode {
        AssignmentMode::Manual => None,
        AssignmentMode::RoundRobin => free.min_by_key(|(_, c)| turn(c)).map(|(i, _)| i),
        AssignmentMode::LeastBusy => free.min_by_key(|(_, c)| (c.load, turn(c))).map(|(i, _)| i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn candidate(load: u32, capacity: u32, ago_minutes: Option<i64>) -> Candidate {
        Candidate {
            user: UserId::new(),
            load,
            capacity,
            last_assigned_at: ago_minutes.map(|m| Utc::now() - TimeDelta::minutes(m)),
        }
    }

    #[test]
    fn round_robin_takes_turns_among_members_with_room() {
        let mut members = vec![
            candidate(0, 5, Some(1)),
            candidate(0, 5, None),
            candidate(5, 5, Some(60)),
        ];
        assert_eq!(
            pick(AssignmentMode::RoundRobin, &members),
            Some(1),
            "never assigned first"
        );
        members[1].last_assigned_at = Some(Utc::now());
        assert_eq!(
            pick(AssignmentMode::RoundRobin, &members),
            Some(0),
            "the full member is skipped"
        );
    }

    #[test]
    fn least_busy_takes_the_fewest_open_then_the_longest_idle() {
        let members = vec![
            candidate(2, 5, Some(90)),
            candidate(1, 5, Some(1)),
            candidate(1, 5, Some(30)),
        ];
        assert_eq!(pick(AssignmentMode::LeastBusy, &members), Some(2));
    }

    #[test]
    fn nobody_is_picked_without_room_or_in_manual_queues() {
        let full = vec![candidate(3, 3, None)];
        assert_eq!(pick(AssignmentMode::LeastBusy, &full), None);
        assert_eq!(pick(AssignmentMode::RoundRobin, &[]), None);
        let free = vec![candidate(0, 3, None)];
        assert_eq!(pick(AssignmentMode::Manual, &free), None);
    }
}
