//! Automated messages per queue: the kinds, each queue's settings for one kind, and the
//! rules for their fields. When and how they are sent is the services'.

use chrono::{DateTime, Utc};

use crate::domain::free_text::{self, TextError};
use crate::domain::{QueueId, TemplateId};

/// The longest wait a WAITING automation may be set to: one week.
pub const AFTER_MINUTES_MAX: u32 = 7 * 24 * 60;

/// What an automated message answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AutomationKind {
    /// The first message of a new conversation.
    Welcome,
    /// A new conversation while its queue is outside its business hours.
    OutOfHours,
    /// A conversation waiting unassigned longer than the queue allows.
    Waiting,
    /// A conversation resolved.
    Resolved,
}

impl AutomationKind {
    pub const ALL: [Self; 4] = [
        Self::Welcome,
        Self::OutOfHours,
        Self::Waiting,
        Self::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Welcome => "WELCOME",
            Self::OutOfHours => "OUT_OF_HOURS",
            Self::Waiting => "WAITING",
            Self::Resolved => "RESOLVED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A queue's settings for one kind. A kind never configured is disabled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Automation {
    pub queue: QueueId,
    pub kind: AutomationKind,
    pub enabled: bool,
    /// What is sent while the 24-hour window is open.
    pub text: Option<String>,
    /// What is sent instead while the window is closed; without one nothing is sent then.
    pub template: Option<TemplateId>,
    pub template_variables: Vec<(String, String)>,
    /// WAITING only: how long a conversation waits unassigned before it is sent; 0 sends
    /// it at the first sweep that sees the conversation waiting.
    pub after_minutes: Option<u32>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl Automation {
    /// The settings of a kind never configured.
    pub fn disabled(queue: QueueId, kind: AutomationKind) -> Self {
        Self {
            queue,
            kind,
            enabled: false,
            text: None,
            template: None,
            template_variables: Vec::new(),
            after_minutes: None,
            updated_at: None,
        }
    }
}

/// Why an automation's field is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AutomationError {
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("an enabled automation needs a text")]
    TextMissing,
    #[error("must be between 0 and {AFTER_MINUTES_MAX} minutes")]
    AfterMinutes,
    #[error("an enabled WAITING automation needs afterMinutes")]
    AfterMinutesMissing,
    #[error("only a WAITING automation waits")]
    AfterMinutesNotWaiting,
}

/// The text of an automated message: written like any message (kept as written).
pub fn check_text(text: &str) -> Result<(), AutomationError> {
    Ok(free_text::check_message(text)?)
}

/// The wait of a WAITING automation; other kinds have none.
pub fn check_after_minutes(
    kind: AutomationKind,
    enabled: bool,
    minutes: Option<i64>,
) -> Result<Option<u32>, AutomationError> {
    match (kind, minutes) {
        (AutomationKind::Waiting, Some(m)) => u32::try_from(m)
            .ok()
            .filter(|m| *m <= AFTER_MINUTES_MAX)
            .map(Some)
            .ok_or(AutomationError::AfterMinutes),
        (AutomationKind::Waiting, None) if enabled => Err(AutomationError::AfterMinutesMissing),
        (_, Some(_)) => Err(AutomationError::AfterMinutesNotWaiting),
        (_, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_written() {
        for kind in AutomationKind::ALL {
            assert_eq!(AutomationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AutomationKind::parse("welcome"), None);
    }

    #[test]
    fn only_waiting_waits_and_within_a_week() {
        let w = AutomationKind::Waiting;
        assert_eq!(check_after_minutes(w, true, Some(0)), Ok(Some(0)));
        assert_eq!(check_after_minutes(w, true, Some(10_080)), Ok(Some(10_080)));
        assert_eq!(
            check_after_minutes(w, true, Some(10_081)),
            Err(AutomationError::AfterMinutes)
        );
        assert_eq!(
            check_after_minutes(w, true, Some(-1)),
            Err(AutomationError::AfterMinutes)
        );
        assert_eq!(
            check_after_minutes(w, true, None),
            Err(AutomationError::AfterMinutesMissing)
        );
        assert_eq!(check_after_minutes(w, false, None), Ok(None));
        assert_eq!(
            check_after_minutes(AutomationKind::Welcome, true, Some(5)),
            Err(AutomationError::AfterMinutesNotWaiting)
        );
    }

    #[test]
    fn a_text_is_written_like_a_message() {
        assert_eq!(check_text("Hello!\nWe answer soon."), Ok(()));
        assert!(check_text("  ").is_err());
    }
}
