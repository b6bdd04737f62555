//! Message templates: placeholders in a body, the rules a template must meet before a
//! provider sees it, the variables a send must give, and rendering for the history.
//!
//! Placeholders are `{{1}}`, `{{2}}`… (positional) or `{{first_name}}` (named), as both
//! providers write them (PROVIDERS.md §1.9, §2.8). Whitespace inside the braces is
//! tolerated (`{{ 1 }}`); anything else between braces is literal text.

use std::collections::BTreeMap;
use std::fmt;

/// Longest body a template may have: Meta's limit on the (hydrated) body text (§2.10).
pub const MAX_BODY_CHARS: usize = 1024;
/// Longest value of one variable: it can never make the hydrated body longer than Meta's
/// 1024-character limit (§2.10).
pub const MAX_VARIABLE_CHARS: usize = 1024;
/// Longest text header and footer (§2.10: header/footer 60).
pub const MAX_HEADER_CHARS: usize = 60;
pub const MAX_FOOTER_CHARS: usize = 60;
/// Quick-reply buttons of one template, and the longest title.
pub const MAX_QUICK_REPLIES: usize = 10;
pub const MAX_QUICK_REPLY_CHARS: usize = 25;
/// Template names: Meta's limit (§2.8; the Twilio approval name follows the same rule).
pub const MAX_NAME_CHARS: usize = 512;

enum Segment<'a> {
    Literal(&'a str),
    Placeholder(&'a str),
}

fn is_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The body cut into literal text and placeholders, in order.
fn segments(body: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut literal_start = 0;
    let mut search = 0;
    while let Some(found) = body[search..].find("{{") {
        let open = search + found;
        let inner_start = open + 2;
        let Some(len) = body[inner_start..].find("}}") else {
            break;
        };
        let key = body[inner_start..inner_start + len].trim();
        if is_key(key) {
            if open > literal_start {
                out.push(Segment::Literal(&body[literal_start..open]));
            }
            out.push(Segment::Placeholder(key));
            literal_start = inner_start + len + 2;
            search = literal_start;
        } else {
            // Not a placeholder: look again one character further (`{{{1}}}` holds `{{1}}`).
            search = open + 1;
        }
    }
    if literal_start < body.len() {
        out.push(Segment::Literal(&body[literal_start..]));
    }
    out
}

/// The distinct placeholder keys of a body, in order of first appearance.
pub fn placeholders(body: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for segment in segments(body) {
        if let Segment::Placeholder(key) = segment {
            if !keys.iter().any(|k| k == key) {
                keys.push(key.to_owned());
            }
        }
    }
    keys
}

/// Why a send's variables do not fit its template. Each names the variable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateVariableError {
    #[error("variable {{{{{0}}}}} is missing")]
    Missing(String),
    #[error("variable {0} is not in the template")]
    Unknown(String),
    #[error("variable {{{{{0}}}}} must not be empty")]
    Empty(String),
    #[error("variable {{{{{key}}}}} must be at most {max} characters")]
    TooLong { key: String, max: usize },
}

impl TemplateVariableError {
    /// The variable the error is about.
    pub fn variable(&self) -> &str {
        match self {
            Self::Missing(key) | Self::Unknown(key) | Self::Empty(key) => key,
            Self::TooLong { key, .. } => key,
        }
    }
}

/// Checks the given values against a template's placeholders and answers them in the
/// placeholders' order. Every placeholder needs a non-blank value of at most
/// [`MAX_VARIABLE_CHARS`]; a value for a key the template lacks is refused.
pub fn check_variables(
    placeholders: &[String],
    given: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, TemplateVariableError> {
    let mut out = Vec::with_capacity(placeholders.len());
    for key in placeholders {
        let value = given
            .get(key)
            .ok_or_else(|| TemplateVariableError::Missing(key.clone()))?;
        if value.trim().is_empty() {
            return Err(TemplateVariableError::Empty(key.clone()));
        }
        if value.chars().count() > MAX_VARIABLE_CHARS {
            return Err(TemplateVariableError::TooLong {
                key: key.clone(),
                max: MAX_VARIABLE_CHARS,
            });
        }
        out.push((key.clone(), value.clone()));
    }
    if let Some(unknown) = given.keys().find(|k| !placeholders.contains(k)) {
        return Err(TemplateVariableError::Unknown(unknown.clone()));
    }
    Ok(out)
}

/// The body with each placeholder replaced by its value, in one pass (a value that itself
/// looks like a placeholder stays as written). Placeholders without a value stay as they are.
pub fn render(body: &str, values: &[(String, String)]) -> String {
    let mut out = String::with_capacity(body.len());
    for segment in segments(body) {
        match segment {
            Segment::Literal(text) => out.push_str(text),
            Segment::Placeholder(key) => match values.iter().find(|(k, _)| k == key) {
                Some((_, value)) => out.push_str(value),
                None => {
                    out.push_str("{{");
                    out.push_str(key);
                    out.push_str("}}");
                }
            },
        }
    }
    out
}

/// How a template's variables are addressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParameterFormat {
    /// `{{1}}`, `{{2}}`…
    Positional,
    /// `{{first_name}}`…
    Named,
}

impl ParameterFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Positional => "POSITIONAL",
            Self::Named => "NAMED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "POSITIONAL" => Some(Self::Positional),
            "NAMED" => Some(Self::Named),
            _ => None,
        }
    }

    /// The format of a body's placeholders (positional when it has none).
    pub fn of(placeholders: &[String]) -> Self {
        if placeholders
            .iter()
            .all(|k| k.chars().all(|c| c.is_ascii_digit()))
        {
            Self::Positional
        } else {
            Self::Named
        }
    }
}

/// Meta's template categories (Twilio passes them through).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TemplateCategory {
    Marketing,
    Utility,
    Authentication,
}

impl TemplateCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Marketing => "MARKETING",
            Self::Utility => "UTILITY",
            Self::Authentication => "AUTHENTICATION",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_uppercase().as_str() {
            "MARKETING" => Some(Self::Marketing),
            "UTILITY" => Some(Self::Utility),
            "AUTHENTICATION" => Some(Self::Authentication),
            _ => None,
        }
    }
}

/// Where a template stands with WhatsApp. Only `Approved` sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TemplateStatus {
    /// Created at Twilio, not yet submitted for WhatsApp approval.
    Unsubmitted,
    /// In review (Meta `PENDING`, Twilio `received`/`pending`).
    Pending,
    Approved,
    Rejected,
    Paused,
    Disabled,
    InAppeal,
    Flagged,
    PendingDeletion,
    Deleted,
    Archived,
    LimitExceeded,
    Locked,
    /// A word this version does not know.
    Unknown,
}

impl TemplateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unsubmitted => "UNSUBMITTED",
            Self::Pending => "PENDING",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Paused => "PAUSED",
            Self::Disabled => "DISABLED",
            Self::InAppeal => "IN_APPEAL",
            Self::Flagged => "FLAGGED",
            Self::PendingDeletion => "PENDING_DELETION",
            Self::Deleted => "DELETED",
            Self::Archived => "ARCHIVED",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::Locked => "LOCKED",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// A provider's status word or Meta's status-update event, in any case. `None` for an
    /// event that names no status of its own (`UNARCHIVED`, `UNLOCKED`: back to whatever it
    /// was), and for words this version does not know.
    pub fn from_provider(word: &str) -> Option<Self> {
        Some(match word.trim().to_ascii_uppercase().as_str() {
            "UNSUBMITTED" => Self::Unsubmitted,
            "PENDING" | "RECEIVED" | "IN_REVIEW" => Self::Pending,
            // Meta reinstates a paused or disabled template as approved.
            "APPROVED" | "REINSTATED" => Self::Approved,
            "REJECTED" => Self::Rejected,
            "PAUSED" => Self::Paused,
            "DISABLED" => Self::Disabled,
            "IN_APPEAL" => Self::InAppeal,
            "FLAGGED" => Self::Flagged,
            "PENDING_DELETION" => Self::PendingDeletion,
            "DELETED" => Self::Deleted,
            "ARCHIVED" => Self::Archived,
            "LIMIT_EXCEEDED" => Self::LimitExceeded,
            "LOCKED" => Self::Locked,
            "UNKNOWN" => Self::Unknown,
            _ => return None,
        })
    }
}

impl fmt::Display for TemplateStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a template definition cannot be sent to a provider. `field` names the input field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct TemplateError {
    pub field: &'static str,
    pub reason: String,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> TemplateError {
    TemplateError {
        field,
        reason: reason.into(),
    }
}

/// Names: lowercase letters, digits and `_` (PROVIDERS.md §2.8).
pub fn check_name(name: &str) -> Result<(), TemplateError> {
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(
            "name",
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(invalid(
            "name",
            "may contain only lowercase letters, digits and underscores",
        ));
    }
    Ok(())
}

/// Language codes as WhatsApp writes them: `en`, `pt_BR`, `es_MX`.
pub fn check_language(language: &str) -> Result<(), TemplateError> {
    let (base, region) = match language.split_once('_') {
        Some((base, region)) => (base, Some(region)),
        None => (language, None),
    };
    let base_ok = (2..=3).contains(&base.len()) && base.chars().all(|c| c.is_ascii_lowercase());
    let region_ok =
        region.is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_uppercase()));
    if base_ok && region_ok {
        Ok(())
    } else {
        Err(invalid(
            "language",
            "must be a WhatsApp language code such as en, en_US or pt_BR",
        ))
    }
}

/// What a new or edited template says, checked before any provider sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateDraft {
    pub body: String,
    pub header_text: Option<String>,
    pub footer: Option<String>,
    pub quick_replies: Vec<String>,
    /// One example per placeholder, in the placeholders' order.
    pub examples: Vec<String>,
}

impl TemplateDraft {
    /// Checks the body, header, footer, buttons and examples; answers the placeholders.
    /// `positional_only` is for providers that take only `{{1}}`-style variables (Twilio).
    pub fn check(&self, positional_only: bool) -> Result<Vec<String>, TemplateError> {
        let length = self.body.chars().count();
        if self.body.trim().is_empty() || length > MAX_BODY_CHARS {
            return Err(invalid(
                "body",
                format!("must be 1 to {MAX_BODY_CHARS} characters"),
            ));
        }
        let keys = placeholders(&self.body);
        let format = ParameterFormat::of(&keys);
        match format {
            ParameterFormat::Positional => {
                let expected: Vec<String> = (1..=keys.len()).map(|n| n.to_string()).collect();
                let mut sorted = keys.clone();
                sorted.sort_by_key(|k| k.parse::<u32>().unwrap_or(u32::MAX));
                if sorted != expected {
                    return Err(invalid(
                        "body",
                        "positional variables must be numbered {{1}}, {{2}}… without gaps",
                    ));
                }
            }
            ParameterFormat::Named => {
                if positional_only {
                    return Err(invalid(
                        "body",
                        "this provider takes numbered variables only ({{1}}, {{2}}…)",
                    ));
                }
                let ok = keys.iter().all(|k| {
                    k.starts_with(|c: char| c.is_ascii_lowercase())
                        && k.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                });
                if !ok {
                    return Err(invalid(
                        "body",
                        "variables are either all numbered or all named in lowercase letters, digits and underscores",
                    ));
                }
            }
        }
        for (field, text, max) in [
            ("headerText", &self.header_text, MAX_HEADER_CHARS),
            ("footer", &self.footer, MAX_FOOTER_CHARS),
        ] {
            if let Some(text) = text {
                if text.trim().is_empty() || text.chars().count() > max {
                    return Err(invalid(field, format!("must be 1 to {max} characters")));
                }
                if !placeholders(text).is_empty() {
                    return Err(invalid(field, "must not contain variables"));
                }
            }
        }
        if self.quick_replies.len() > MAX_QUICK_REPLIES {
            return Err(invalid(
                "quickReplies",
                format!("at most {MAX_QUICK_REPLIES} buttons"),
            ));
        }
        if self
            .quick_replies
            .iter()
            .any(|t| t.trim().is_empty() || t.chars().count() > MAX_QUICK_REPLY_CHARS)
        {
            return Err(invalid(
                "quickReplies",
                format!("each title must be 1 to {MAX_QUICK_REPLY_CHARS} characters"),
            ));
        }
        if self.examples.len() != keys.len() {
            return Err(invalid(
                "examples",
                format!(
                    "give one example per variable: the body has {}, {} given",
                    keys.len(),
                    self.examples.len()
                ),
            ));
        }
        if self.examples.iter().any(|e| e.trim().is_empty()) {
            return Err(invalid("examples", "examples must not be empty"));
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests;
