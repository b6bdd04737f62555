//! Agent presence: the status a member chose, and the rule by which an unattended status
//! lapses to OFFLINE.

use chrono::{DateTime, TimeDelta, Utc};

/// What a member tells the others about being there to work conversations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PresenceStatus {
    /// Working: automatic assignment offers them conversations.
    Online,
    /// Connected but not taking new conversations.
    Away,
    /// Not working. Every member starts here.
    Offline,
}

impl PresenceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "ONLINE",
            Self::Away => "AWAY",
            Self::Offline => "OFFLINE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ONLINE" => Self::Online,
            "AWAY" => Self::Away,
            "OFFLINE" => Self::Offline,
            _ => return None,
        })
    }
}

/// Whether a status chosen at `since`, by a member last connected until `last_live` (none:
/// no socket since the grace began), has lapsed to OFFLINE at `now`: neither the choice nor
/// any live socket is more recent than `grace`. OFFLINE never lapses.
pub fn lapsed(
    status: PresenceStatus,
    since: DateTime<Utc>,
    last_live: Option<DateTime<Utc>>,
    grace: TimeDelta,
    now: DateTime<Utc>,
) -> bool {
    let cutoff = now - grace;
    status != PresenceStatus::Offline && since < cutoff && last_live.is_none_or(|at| at <= cutoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_as_written() {
        for s in [
            PresenceStatus::Online,
            PresenceStatus::Away,
            PresenceStatus::Offline,
        ] {
            assert_eq!(PresenceStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(PresenceStatus::parse("online"), None);
    }

    #[test]
    fn a_status_lapses_only_once_choice_and_socket_are_older_than_the_grace() {
        let now = Utc::now();
        let grace = TimeDelta::seconds(60);
        let old = now - TimeDelta::seconds(120);
        let recent = now - TimeDelta::seconds(10);
        let online = PresenceStatus::Online;
        assert!(lapsed(online, old, None, grace, now));
        assert!(lapsed(PresenceStatus::Away, old, Some(old), grace, now));
        assert!(!lapsed(online, old, Some(recent), grace, now));
        assert!(!lapsed(online, recent, None, grace, now));
        assert!(!lapsed(PresenceStatus::Offline, old, None, grace, now));
    }
}
