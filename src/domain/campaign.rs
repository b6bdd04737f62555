//! Campaign rules without I/O: the states a campaign moves through, why a recipient is
//! skipped, and reading recipients from CSV.

use std::collections::BTreeMap;
use std::fmt;

use super::MessageStatus;

/// Where a campaign is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CampaignState {
    /// Created; nothing is sent until it is started.
    Draft,
    /// Started with a start time still ahead.
    Scheduled,
    Running,
    Paused,
    /// Every recipient was dispatched or skipped, and no message waits to be sent.
    Completed,
    Cancelled,
}

impl CampaignState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Scheduled => "SCHEDULED",
            Self::Running => "RUNNING",
            Self::Paused => "PAUSED",
            Self::Completed => "COMPLETED",
            Self::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "DRAFT" => Self::Draft,
            "SCHEDULED" => Self::Scheduled,
            "RUNNING" => Self::Running,
            "PAUSED" => Self::Paused,
            "COMPLETED" => Self::Completed,
            "CANCELLED" => Self::Cancelled,
            _ => return None,
        })
    }

    /// No further change is possible.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled)
    }
}

impl fmt::Display for CampaignState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a recipient gets no message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// The number is not E.164.
    InvalidNumber,
    /// The number is already earlier in the list.
    Duplicate,
    /// The contact opted out of all messages.
    OptedOut,
    /// The contact stopped marketing messages (the provider said so on a send) and the
    /// template is marketing.
    OptedOutMarketing,
    /// A variable of the template has no value for this recipient.
    MissingVariable,
    /// A variable's value is unusable (blank or too long).
    InvalidVariable,
    /// The template is not APPROVED, so nobody can be sent it.
    TemplateNotApproved,
    /// The campaign was cancelled before this recipient's turn.
    Cancelled,
}

impl SkipReason {
    pub const ALL: [SkipReason; 8] = [
        Self::InvalidNumber,
        Self::Duplicate,
        Self::OptedOut,
        Self::OptedOutMarketing,
        Self::MissingVariable,
        Self::InvalidVariable,
        Self::TemplateNotApproved,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidNumber => "INVALID_NUMBER",
            Self::Duplicate => "DUPLICATE",
            Self::OptedOut => "OPTED_OUT",
            Self::OptedOutMarketing => "OPTED_OUT_MARKETING",
            Self::MissingVariable => "MISSING_VARIABLE",
            Self::InvalidVariable => "INVALID_VARIABLE",
            Self::TemplateNotApproved => "TEMPLATE_NOT_APPROVED",
            Self::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What became of a recipient: waiting, skipped, or following their message's status to
/// its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecipientState {
    /// Not yet handed to the outbox.
    Pending,
    /// Handed to the outbox; the provider has not accepted the message yet.
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
    /// Gets no message; the skip reason says why.
    Skipped,
}

impl RecipientState {
    /// The state of a dispatched recipient whose message has `status`.
    pub fn of_message(status: MessageStatus) -> Self {
        match status {
            MessageStatus::Received | MessageStatus::Queued => Self::Queued,
            MessageStatus::Sent => Self::Sent,
            MessageStatus::Delivered => Self::Delivered,
            MessageStatus::Read => Self::Read,
            MessageStatus::Failed => Self::Failed,
        }
    }

    /// The message status that puts a dispatched recipient in this state, if it is one
    /// that follows the message.
    pub fn message_status(self) -> Option<MessageStatus> {
        match self {
            Self::Queued => Some(MessageStatus::Queued),
            Self::Sent => Some(MessageStatus::Sent),
            Self::Delivered => Some(MessageStatus::Delivered),
            Self::Read => Some(MessageStatus::Read),
            Self::Failed => Some(MessageStatus::Failed),
            Self::Pending | Self::Skipped => None,
        }
    }
}

/// One recipient as given: the number and the template variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientRow {
    pub phone: String,
    pub variables: BTreeMap<String, String>,
}

/// A CSV that cannot be read, with the 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CsvError {
    pub line: usize,
    pub message: String,
}

/// Header names that hold the number; every other column is a template variable named by
/// its header (`1`, `2`, … or a named variable).
const PHONE_HEADERS: [&str; 4] = ["phone", "to", "number", "phone_number"];

/// Reads recipients from CSV (RFC 4180: quoted fields, `""` escapes, CRLF or LF). The first
/// row is the header; it needs a `phone` column. Empty cells leave that variable unset, and
/// blank lines are ignored.
pub fn parse_csv(text: &str) -> Result<Vec<RecipientRow>, CsvError> {
    let records = records(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    let mut rows = records.into_iter().filter(|(_, r)| !is_blank(r));
    let Some((_, header)) = rows.next() else {
        return Err(CsvError {
            line: 1,
            message: "the CSV is empty; its first row must name the columns".into(),
        });
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let phone = header
        .iter()
        .position(|h| PHONE_HEADERS.contains(&h.to_ascii_lowercase().as_str()))
        .ok_or_else(|| CsvError {
            line: 1,
            message: "no phone column (name one `phone`)".into(),
        })?;
    if let Some(blank) = header.iter().position(String::is_empty) {
        return Err(CsvError {
            line: 1,
            message: format!("column {} has no name", blank + 1),
        });
    }
    rows.map(|(line, record)| {
        if record.len() != header.len() {
            return Err(CsvError {
                line,
                message: format!(
                    "{} fields where the header has {}",
                    record.len(),
                    header.len()
                ),
            });
        }
        let variables = header
            .iter()
            .zip(&record)
            .enumerate()
            .filter(|(i, (_, value))| *i != phone && !value.trim().is_empty())
            .map(|(_, (key, value))| (key.clone(), value.trim().to_owned()))
            .collect();
        Ok(RecipientRow {
            phone: record[phone].trim().to_owned(),
            variables,
        })
    })
    .collect()
}

fn is_blank(record: &[String]) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}

/// The records of a CSV text, each with the line it starts on.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut start = 1;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, '"') => {
                return Err(CsvError {
                    line,
                    message: "a quote inside an unquoted field".into(),
                })
            }
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                out.push((start, std::mem::take(&mut record)));
                line += 1;
                start = line;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError {
            line: start,
            message: "a quoted field is not closed".into(),
        });
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push((start, record));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_fields_crlf_and_named_variables() {
        let csv = "\u{feff}Phone,1,first_name\r\n+34600000001,\"Ana, of \"\"Acme\"\"\",Ana\r\n\r\n+34600000002,\"two\nlines\",\n";
        let rows = parse_csv(csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].phone, "+34600000001");
        assert_eq!(rows[0].variables["1"], "Ana, of \"Acme\"");
        assert_eq!(rows[0].variables["first_name"], "Ana");
        assert_eq!(rows[1].variables["1"], "two\nlines");
        assert!(!rows[1].variables.contains_key("first_name"));
    }

    #[test]
    fn names_the_line_of_a_bad_row() {
        let err = parse_csv("phone,1\n+34600000001,a\n+34600000002\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(parse_csv("name,1\nx,y\n")
            .unwrap_err()
            .message
            .contains("phone"));
        assert_eq!(parse_csv("phone\n\"open\n").unwrap_err().line, 2);
        assert_eq!(parse_csv("").unwrap_err().line, 1);
        assert!(parse_csv("phone,a\"b\n").is_err());
    }

    #[test]
    fn a_last_line_without_newline_counts() {
        let rows = parse_csv("to\n+34600000001\n+34600000002").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].phone, "+34600000002");
    }

    #[test]
    fn states_and_reasons_round_trip() {
        for reason in SkipReason::ALL {
            assert_eq!(SkipReason::parse(reason.as_str()), Some(reason));
        }
        for state in [
            "DRAFT",
            "SCHEDULED",
            "RUNNING",
            "PAUSED",
            "COMPLETED",
            "CANCELLED",
        ] {
            assert_eq!(CampaignState::parse(state).unwrap().as_str(), state);
        }
    }
}
