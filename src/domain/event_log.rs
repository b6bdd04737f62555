//! What the event log records: the kind of each event, by the name it is stored under.

/// The kind of a logged event. Its name is what the `event_log.kind` column holds, so a
/// name, once used, is never changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    MessageReceived,
    MessageSent,
    MessageStatusChanged,
    ConversationOpened,
    ConversationRouted,
    ConversationAssigned,
    ConversationUnassigned,
    ConversationTransferred,
    ConversationSnoozed,
    ConversationResumed,
    ConversationResolved,
    ConversationReopened,
    ConversationNoteAdded,
    PresenceChanged,
    ContactOptedOut,
    ContactOptedIn,
    TemplateStatusChanged,
    CampaignFinished,
}

impl EventKind {
    pub const ALL: [Self; 18] = [
        Self::MessageReceived,
        Self::MessageSent,
        Self::MessageStatusChanged,
        Self::ConversationOpened,
        Self::ConversationRouted,
        Self::ConversationAssigned,
        Self::ConversationUnassigned,
        Self::ConversationTransferred,
        Self::ConversationSnoozed,
        Self::ConversationResumed,
        Self::ConversationResolved,
        Self::ConversationReopened,
        Self::ConversationNoteAdded,
        Self::PresenceChanged,
        Self::ContactOptedOut,
        Self::ContactOptedIn,
        Self::TemplateStatusChanged,
        Self::CampaignFinished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MessageReceived => "message.received",
            Self::MessageSent => "message.sent",
            Self::MessageStatusChanged => "message.status",
            Self::ConversationOpened => "conversation.opened",
            Self::ConversationRouted => "conversation.routed",
            Self::ConversationAssigned => "conversation.assigned",
            Self::ConversationUnassigned => "conversation.unassigned",
            Self::ConversationTransferred => "conversation.transferred",
            Self::ConversationSnoozed => "conversation.snoozed",
            Self::ConversationResumed => "conversation.resumed",
            Self::ConversationResolved => "conversation.resolved",
            Self::ConversationReopened => "conversation.reopened",
            Self::ConversationNoteAdded => "conversation.note_added",
            Self::PresenceChanged => "presence.changed",
            Self::ContactOptedOut => "contact.opted_out",
            Self::ContactOptedIn => "contact.opted_in",
            Self::TemplateStatusChanged => "template.status",
            Self::CampaignFinished => "campaign.finished",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_by_its_name() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        let names: std::collections::HashSet<_> =
            EventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), EventKind::ALL.len());
        assert_eq!(EventKind::parse("message.unknown"), None);
    }
}
