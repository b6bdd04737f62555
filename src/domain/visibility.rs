//! What a caller may see of a tenant's conversations and messages. Owners and admins see
//! everything; an agent sees the conversations of the queues they belong to and those
//! assigned to them, and the messages of those conversations. Contacts are not bound to a
//! queue: every member sees them, their history filtered like any other list of messages.

use crate::domain::records::ConversationRecord;
use crate::domain::{QueueId, Role, UserId};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Every conversation and message of the tenant (owners and admins).
    All,
    /// The conversations of `queues` and those assigned to `user`. An API key has no user:
    /// one with the AGENT role belongs to no queue and so sees no conversation.
    Agent {
        user: Option<UserId>,
        queues: Vec<QueueId>,
    },
}

impl Visibility {
    /// Whether a caller of `role` sees everything without asking which queues they are in.
    pub fn sees_all(role: Role) -> bool {
        role.includes(Role::Admin)
    }

    /// Whether a conversation waiting in `queue` and assigned to `assignee` is seen.
    pub fn sees(&self, queue: Option<QueueId>, assignee: Option<UserId>) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Agent { user, queues } => {
                queue.is_some_and(|q| queues.contains(&q)) || (user.is_some() && assignee == *user)
            }
        }
    }

    pub fn sees_conversation(&self, conversation: &ConversationRecord) -> bool {
        self.sees(conversation.queue, conversation.assignee)
    }

    /// Whether a message is seen: by its conversation's queue and assignee. One outside any
    /// conversation (a campaign's, a template to a number with no open conversation) is
    /// seen only by those who see all.
    pub fn sees_message(
        &self,
        in_conversation: bool,
        queue: Option<QueueId>,
        assignee: Option<UserId>,
    ) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Agent { .. } => in_conversation && self.sees(queue, assignee),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_and_admins_see_all_and_agents_do_not() {
        assert!(Visibility::sees_all(Role::Owner));
        assert!(Visibility::sees_all(Role::Admin));
        assert!(!Visibility::sees_all(Role::Agent));
        assert!(!Visibility::sees_all(Role::PlatformAdmin));
    }

    #[test]
    fn an_agent_sees_their_queues_and_their_assignments() {
        let (me, other) = (UserId::new(), UserId::new());
        let (mine, theirs) = (QueueId::new(), QueueId::new());
        let agent = Visibility::Agent {
            user: Some(me),
            queues: vec![mine],
        };
        assert!(agent.sees(Some(mine), None));
        assert!(agent.sees(Some(theirs), Some(me)));
        assert!(agent.sees(None, Some(me)));
        assert!(!agent.sees(Some(theirs), Some(other)));
        assert!(!agent.sees(None, None));
        assert!(Visibility::All.sees(None, None));
    }

    #[test]
    fn a_message_outside_any_conversation_is_seen_only_by_those_who_see_all() {
        let queue = QueueId::new();
        let agent = Visibility::Agent {
            user: Some(UserId::new()),
            queues: vec![queue],
        };
        assert!(agent.sees_message(true, Some(queue), None));
        assert!(!agent.sees_message(false, None, None));
        assert!(Visibility::All.sees_message(false, None, None));
    }

    #[test]
    fn a_key_without_a_user_sees_no_unassigned_conversation() {
        let key = Visibility::Agent {
            user: None,
            queues: vec![],
        };
        assert!(!key.sees(None, None));
        assert!(!key.sees(Some(QueueId::new()), None));
    }
}
