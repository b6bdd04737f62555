//! Customer satisfaction: after a conversation is resolved the customer may be asked to rate
//! it from 1 to 5. The rules for the question, how it is put on each provider, and which
//! replies are a rating.

use chrono::{DateTime, TimeDelta, Utc};

use super::content::{Choice, ChoiceSection};
use super::free_text::{self, Lines, TextError};
use super::provider::ProviderKind;
use super::{ConversationId, MessageContent, MessageId, QueueId, UserId};

/// The longest question, in characters (an interactive body allows 1024).
pub const QUESTION_MAX: usize = 500;
/// The question a queue asks unless it sets its own.
pub const DEFAULT_QUESTION: &str = "How would you rate the help you received?";
/// How long after asking a reply may still answer the question.
pub const ANSWER_WITHIN: TimeDelta = TimeDelta::hours(24);
/// What a list row's id starts with; the rating follows (`csat:4`).
const CHOICE_PREFIX: &str = "csat:";
/// The labels of the rows of the Meta list, 1 to 5.
const LABELS: [&str; 5] = ["Very bad", "Bad", "OK", "Good", "Great"];

/// A rating from 1 (bad) to 5 (great).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

impl Rating {
    pub fn new(value: u8) -> Option<Self> {
        (1..=5).contains(&value).then_some(Self(value))
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// The rating a customer's message gives: a list or button reply chosen from the
    /// question (`csat:N`), or a text that is just one digit from 1 to 5.
    pub fn of_reply(content: &MessageContent) -> Option<Self> {
        let digit = |text: &str| match text.trim().as_bytes() {
            [d @ b'1'..=b'5'] => Self::new(d - b'0'),
            _ => None,
        };
        match content {
            MessageContent::ListReply { choice } | MessageContent::ButtonReply { choice } => {
                digit(choice.id.strip_prefix(CHOICE_PREFIX)?)
            }
            MessageContent::Text { body, .. } => digit(body),
            _ => None,
        }
    }
}

/// A queue's CSAT setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsatSettings {
    /// Whether resolving one of the queue's conversations asks the customer.
    pub enabled: bool,
    pub question: String,
}

impl Default for CsatSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            question: DEFAULT_QUESTION.to_owned(),
        }
    }
}

/// A question as given: trimmed, 1 to [`QUESTION_MAX`] characters, line breaks allowed.
pub fn parse_question(text: &str) -> Result<String, TextError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TextError::Empty);
    }
    free_text::check(text, QUESTION_MAX, Lines::Many)?;
    Ok(text.to_owned())
}

/// The message that asks `question` on a provider: on Meta a list of five rows (reply
/// buttons allow three at most), on Twilio a text answered with a number.
pub fn question_content(provider: ProviderKind, question: &str) -> MessageContent {
    match provider {
        ProviderKind::Meta => MessageContent::List {
            header: None,
            body: question.to_owned(),
            footer: None,
            button: "Rate".to_owned(),
            sections: vec![ChoiceSection {
                title: None,
                rows: (1u8..=5)
                    .zip(LABELS)
                    .map(|(n, label)| Choice {
                        id: format!("{CHOICE_PREFIX}{n}"),
                        title: format!("{n} - {label}"),
                        description: None,
                    })
                    .collect(),
            }],
        },
        ProviderKind::Twilio => MessageContent::Text {
            body: format!("{question}\nReply with a number from 1 (bad) to 5 (great)."),
            preview_url: false,
        },
    }
}

/// A question asked after a resolution, and its answer once given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyRecord {
    /// The message that asked.
    pub message: MessageId,
    pub conversation: ConversationId,
    pub channel: super::ChannelId,
    pub contact: super::ContactId,
    pub queue: Option<QueueId>,
    /// Who the conversation was assigned to when resolved.
    pub agent: Option<UserId>,
    pub asked_at: DateTime<Utc>,
    pub rating: Option<Rating>,
    pub answered_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> MessageContent {
        MessageContent::Text {
            body: body.into(),
            preview_url: false,
        }
    }

    fn list_reply(id: &str) -> MessageContent {
        MessageContent::ListReply {
            choice: Choice {
                id: id.into(),
                title: "x".into(),
                description: None,
            },
        }
    }

    #[test]
    fn a_lone_digit_or_a_chosen_row_is_a_rating() {
        assert_eq!(Rating::of_reply(&text(" 4 ")).map(Rating::value), Some(4));
        assert_eq!(
            Rating::of_reply(&list_reply("csat:5")).map(Rating::value),
            Some(5)
        );
        assert_eq!(Rating::of_reply(&text("0")), None);
        assert_eq!(Rating::of_reply(&text("6")), None);
        assert_eq!(Rating::of_reply(&text("45")), None);
        assert_eq!(Rating::of_reply(&text("4 stars")), None);
        assert_eq!(Rating::of_reply(&list_reply("other:3")), None);
        assert_eq!(Rating::of_reply(&list_reply("csat:9")), None);
    }

    #[test]
    fn meta_asks_with_five_rows_and_twilio_with_a_numbered_text() {
        let MessageContent::List { sections, .. } = question_content(ProviderKind::Meta, "Q?")
        else {
            panic!("a list");
        };
        let ids: Vec<_> = sections[0].rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["csat:1", "csat:2", "csat:3", "csat:4", "csat:5"]);
        assert!(sections[0]
            .rows
            .iter()
            .all(|r| r.title.chars().count() <= 24));
        let MessageContent::Text { body, .. } = question_content(ProviderKind::Twilio, "Q?") else {
            panic!("a text");
        };
        assert!(body.starts_with("Q?\n") && body.contains("1 (bad) to 5 (great)"));
    }

    #[test]
    fn a_question_is_trimmed_and_bounded() {
        assert_eq!(parse_question("  Rate us \n").unwrap(), "Rate us");
        assert_eq!(parse_question("   "), Err(TextError::Empty));
        assert!(parse_question(&"x".repeat(QUESTION_MAX + 1)).is_err());
    }
}
