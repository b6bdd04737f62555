//! What became of one attempt to hand a message to its provider.

use std::fmt;

/// The outcome of a delivery attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttemptOutcome {
    /// The provider call has started and not ended: left behind by a worker that stopped
    /// mid-request, it marks the send as uncertain.
    InFlight,
    /// An `InFlight` attempt the next worker found: its worker stopped during the call.
    Interrupted,
    /// The provider accepted the message.
    Sent,
    /// The provider refused for now; tried again later.
    Retry,
    /// The provider refused for good, or the message could not be sent.
    Failed,
    /// The request left but no answer came in time: looked up before any resend.
    Timeout,
    /// The lookup found the message at the provider: recorded as sent, not sent again.
    Reconciled,
    /// The lookup found no such message: sent again.
    NotFound,
    /// The provider cannot be asked: waiting for a status carrying our id.
    AwaitingStatus,
    /// No status came within the grace period: sent again, possibly a duplicate.
    Unreconciled,
    /// Asking the provider failed: asked again later.
    ReconcileError,
    /// Nothing was sent: the message had already left.
    Skipped,
}

impl AttemptOutcome {
    pub const ALL: [AttemptOutcome; 12] = [
        Self::InFlight,
        Self::Interrupted,
        Self::Sent,
        Self::Retry,
        Self::Failed,
        Self::Timeout,
        Self::Reconciled,
        Self::NotFound,
        Self::AwaitingStatus,
        Self::Unreconciled,
        Self::ReconcileError,
        Self::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InFlight => "IN_FLIGHT",
            Self::Interrupted => "INTERRUPTED",
            Self::Sent => "SENT",
            Self::Retry => "RETRY",
            Self::Failed => "FAILED",
            Self::Timeout => "TIMEOUT",
            Self::Reconciled => "RECONCILED",
            Self::NotFound => "NOT_FOUND",
            Self::AwaitingStatus => "AWAITING_STATUS",
            Self::Unreconciled => "UNRECONCILED",
            Self::ReconcileError => "RECONCILE_ERROR",
            Self::Skipped => "SKIPPED",
        }
    }

    /// The outcome stored as `text`, if it names one.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// Whether the provider answered this attempt's send (a stopped worker is not the
    /// message's fault, so such attempts do not use up its retries).
    pub fn answered(self) -> bool {
        matches!(
            self,
            Self::Sent | Self::Retry | Self::Failed | Self::Timeout
        )
    }
}

impl fmt::Display for AttemptOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_reads_back_from_its_stored_word() {
        for outcome in AttemptOutcome::ALL {
            assert_eq!(AttemptOutcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(AttemptOutcome::parse("sent"), None);
    }
}
