//! A conversation's lifecycle: its states, the acts that move it between them, and the rule
//! for each act. Pure: the store keeps the answer, the services decide who may act.

use chrono::{DateTime, Utc};

use super::{QueueId, UserId};

/// Where a conversation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConversationStatus {
    /// Waiting in its queue for an agent.
    Open,
    /// An agent works it.
    Assigned,
    /// Waiting on the customer, or snoozed until a time.
    Pending,
    /// Done. A new customer message reopens it within the tenant's grace.
    Resolved,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Assigned => "ASSIGNED",
            Self::Pending => "PENDING",
            Self::Resolved => "RESOLVED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "OPEN" => Self::Open,
            "ASSIGNED" => Self::Assigned,
            "PENDING" => Self::Pending,
            "RESOLVED" => Self::Resolved,
            _ => return None,
        })
    }
}

/// What happened to a conversation, as its history records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    Opened,
    Assigned,
    Unassigned,
    Transferred,
    Snoozed,
    /// Back from PENDING: the customer wrote, or the snooze ended.
    Resumed,
    Resolved,
    Reopened,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "OPENED",
            Self::Assigned => "ASSIGNED",
            Self::Unassigned => "UNASSIGNED",
            Self::Transferred => "TRANSFERRED",
            Self::Snoozed => "SNOOZED",
            Self::Resumed => "RESUMED",
            Self::Resolved => "RESOLVED",
            Self::Reopened => "REOPENED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "OPENED" => Self::Opened,
            "ASSIGNED" => Self::Assigned,
            "UNASSIGNED" => Self::Unassigned,
            "TRANSFERRED" => Self::Transferred,
            "SNOOZED" => Self::Snoozed,
            "RESUMED" => Self::Resumed,
            "RESOLVED" => Self::Resolved,
            "REOPENED" => Self::Reopened,
            _ => return None,
        })
    }
}

/// The part of a conversation its lifecycle moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub status: ConversationStatus,
    pub queue: Option<QueueId>,
    pub assignee: Option<UserId>,
    /// When a snoozed conversation comes back by itself.
    pub snoozed_until: Option<DateTime<Utc>>,
}

/// An act on a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    Assign(UserId),
    Unassign,
    /// To another agent (the queue stays) or another queue (waiting there, unassigned).
    TransferTo(Target),
    /// PENDING until the time, or until the customer writes.
    Snooze(Option<DateTime<Utc>>),
    Resume,
    Resolve,
    Reopen,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Agent(UserId),
    Queue(QueueId),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LifecycleError {
    #[error("the conversation is resolved; reopen it first")]
    Resolved,
    #[error("the conversation is already there")]
    AlreadyThere,
}

impl Standing {
    /// The standing after `act`, with the kind of change it records; `None` when the act
    /// changes nothing (assigning the assignee, resolving a resolved conversation), so
    /// repeating an act is harmless and records nothing.
    pub fn after(&self, act: Act) -> Result<Option<(Standing, ChangeKind)>, LifecycleError> {
        use ConversationStatus::*;
        let resolved = self.status == Resolved;
        let next = match act {
            Act::Assign(user) | Act::TransferTo(Target::Agent(user)) => {
                if resolved {
                    return Err(LifecycleError::Resolved);
                }
                if self.assignee == Some(user) {
                    return match act {
                        Act::Assign(_) => Ok(None),
                        _ => Err(LifecycleError::AlreadyThere),
                    };
                }
                let kind = match (act, self.assignee) {
                    (Act::TransferTo(_), _) | (Act::Assign(_), Some(_)) => ChangeKind::Transferred,
                    _ => ChangeKind::Assigned,
                };
                let status = if self.status == Pending {
                    Pending
                } else {
                    Assigned
                };
                (self.with(status, self.queue, Some(user)), kind)
            }
            Act::Unassign => {
                if resolved {
                    return Err(LifecycleError::Resolved);
                }
                if self.assignee.is_none() {
                    return Ok(None);
                }
                let status = if self.status == Pending {
                    Pending
                } else {
                    Open
                };
                (self.with(status, self.queue, None), ChangeKind::Unassigned)
            }
            Act::TransferTo(Target::Queue(queue)) => {
                if resolved {
                    return Err(LifecycleError::Resolved);
                }
                if self.queue == Some(queue) && self.assignee.is_none() {
                    return Err(LifecycleError::AlreadyThere);
                }
                (self.with(Open, Some(queue), None), ChangeKind::Transferred)
            }
            Act::Snooze(until) => {
                if resolved {
                    return Err(LifecycleError::Resolved);
                }
                if self.status == Pending && self.snoozed_until == until {
                    return Ok(None);
                }
                let mut next = self.with(Pending, self.queue, self.assignee);
                next.snoozed_until = until;
                (next, ChangeKind::Snoozed)
            }
            Act::Resume => {
                if self.status != Pending {
                    return Ok(None);
                }
                (self.working(), ChangeKind::Resumed)
            }
            Act::Resolve => {
                if resolved {
                    return Ok(None);
                }
                (
                    self.with(Resolved, self.queue, self.assignee),
                    ChangeKind::Resolved,
                )
            }
            Act::Reopen => {
                if !resolved {
                    return Ok(None);
                }
                (self.working(), ChangeKind::Reopened)
            }
        };
        Ok(Some(next))
    }

    /// Worked again: by its assignee, else waiting in its queue.
    fn working(&self) -> Standing {
        let status = if self.assignee.is_some() {
            ConversationStatus::Assigned
        } else {
            ConversationStatus::Open
        };
        self.with(status, self.queue, self.assignee)
    }

    fn with(
        &self,
        status: ConversationStatus,
        queue: Option<QueueId>,
        assignee: Option<UserId>,
    ) -> Standing {
        Standing {
            status,
            queue,
            assignee,
            snoozed_until: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConversationStatus::*;

    fn standing(status: ConversationStatus, assignee: Option<UserId>) -> Standing {
        Standing {
            status,
            queue: Some(QueueId::new()),
            assignee,
            snoozed_until: None,
        }
    }

    #[test]
    fn names_read_back_as_written() {
        for s in [Open, Assigned, Pending, Resolved] {
            assert_eq!(ConversationStatus::parse(s.as_str()), Some(s));
        }
        for k in [
            ChangeKind::Opened,
            ChangeKind::Assigned,
            ChangeKind::Unassigned,
            ChangeKind::Transferred,
            ChangeKind::Snoozed,
            ChangeKind::Resumed,
            ChangeKind::Resolved,
            ChangeKind::Reopened,
        ] {
            assert_eq!(ChangeKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn assigning_works_a_waiting_conversation_and_keeps_a_pending_one_pending() {
        let agent = UserId::new();
        let (next, kind) = standing(Open, None)
            .after(Act::Assign(agent))
            .unwrap()
            .unwrap();
        assert_eq!(
            (next.status, next.assignee, kind),
            (Assigned, Some(agent), ChangeKind::Assigned)
        );
        let (next, _) = standing(Pending, None)
            .after(Act::Assign(agent))
            .unwrap()
            .unwrap();
        assert_eq!(next.status, Pending);
        assert_eq!(
            standing(Assigned, Some(agent)).after(Act::Assign(agent)),
            Ok(None)
        );
        let (_, kind) = standing(Assigned, Some(UserId::new()))
            .after(Act::Assign(agent))
            .unwrap()
            .unwrap();
        assert_eq!(kind, ChangeKind::Transferred);
    }

    #[test]
    fn unassigning_returns_the_conversation_to_its_queue() {
        let (next, kind) = standing(Assigned, Some(UserId::new()))
            .after(Act::Unassign)
            .unwrap()
            .unwrap();
        assert_eq!(
            (next.status, next.assignee, kind),
            (Open, None, ChangeKind::Unassigned)
        );
        assert_eq!(standing(Open, None).after(Act::Unassign), Ok(None));
    }

    #[test]
    fn a_queue_transfer_waits_unassigned_in_the_new_queue() {
        let queue = QueueId::new();
        let (next, _) = standing(Assigned, Some(UserId::new()))
            .after(Act::TransferTo(Target::Queue(queue)))
            .unwrap()
            .unwrap();
        assert_eq!(
            (next.status, next.queue, next.assignee),
            (Open, Some(queue), None)
        );
        let here = standing(Open, None);
        let same = here.queue.unwrap();
        assert_eq!(
            here.after(Act::TransferTo(Target::Queue(same))),
            Err(LifecycleError::AlreadyThere)
        );
    }

    #[test]
    fn snoozing_and_resuming() {
        let agent = UserId::new();
        let until = Utc::now();
        let (snoozed, kind) = standing(Assigned, Some(agent))
            .after(Act::Snooze(Some(until)))
            .unwrap()
            .unwrap();
        assert_eq!(
            (snoozed.status, snoozed.snoozed_until, kind),
            (Pending, Some(until), ChangeKind::Snoozed)
        );
        let (back, kind) = snoozed.after(Act::Resume).unwrap().unwrap();
        assert_eq!(
            (back.status, back.snoozed_until, kind),
            (Assigned, None, ChangeKind::Resumed)
        );
        assert_eq!(back.after(Act::Resume), Ok(None));
    }

    #[test]
    fn a_resolved_conversation_is_reopened_before_anything_else() {
        let agent = UserId::new();
        let done = standing(Resolved, Some(agent));
        assert_eq!(
            done.after(Act::Assign(UserId::new())),
            Err(LifecycleError::Resolved)
        );
        assert_eq!(done.after(Act::Snooze(None)), Err(LifecycleError::Resolved));
        assert_eq!(done.after(Act::Resolve), Ok(None));
        let (again, kind) = done.after(Act::Reopen).unwrap().unwrap();
        assert_eq!((again.status, kind), (Assigned, ChangeKind::Reopened));
        let (waiting, _) = standing(Resolved, None)
            .after(Act::Reopen)
            .unwrap()
            .unwrap();
        assert_eq!(waiting.status, Open);
        assert_eq!(standing(Open, None).after(Act::Reopen), Ok(None));
    }
}
