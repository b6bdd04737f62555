//! Contact attributes: a tenant's typed fields kept for each contact (a customer tier, a
//! birthday, an account number). The rules for a definition's fields and for the values a
//! type takes. Values are kept as text in a canonical form, so two equal values compare
//! equal as text (routing compares them so).

use chrono::NaiveDate;

use crate::domain::free_text::{self, Lines};

/// The longest key.
pub const KEY_MAX: usize = 64;
/// The longest display name.
pub const NAME_MAX: usize = 80;
/// At most this many attributes per tenant.
pub const ATTRIBUTES_MAX: usize = 100;
/// At most this many choices per attribute, each at most [`CHOICE_MAX`] characters.
pub const CHOICES_MAX: usize = 100;
pub const CHOICE_MAX: usize = 100;
/// The longest TEXT value.
pub const TEXT_MAX: usize = 1000;
/// The longest NUMBER value, in characters.
const NUMBER_MAX: usize = 40;

/// What values an attribute takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttributeKind {
    /// Any text of one or more lines.
    Text,
    /// A decimal number such as `42`, `-3` or `19.99`.
    Number,
    /// A calendar date as `YYYY-MM-DD`.
    Date,
    /// `true` or `false`.
    Boolean,
    /// One of the attribute's choices.
    Choice,
}

impl AttributeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "TEXT",
            Self::Number => "NUMBER",
            Self::Date => "DATE",
            Self::Boolean => "BOOLEAN",
            Self::Choice => "CHOICE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "TEXT" => Self::Text,
            "NUMBER" => Self::Number,
            "DATE" => Self::Date,
            "BOOLEAN" => Self::Boolean,
            "CHOICE" => Self::Choice,
            _ => return None,
        })
    }
}

/// Why a definition's field or a value is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    #[error("must start with a lower-case letter and hold only a-z, 0-9 and _, at most {KEY_MAX} characters")]
    Key,
    #[error("must not be empty")]
    Empty,
    #[error(transparent)]
    Text(#[from] free_text::TextError),
    #[error("a CHOICE attribute needs 1 to {CHOICES_MAX} choices")]
    ChoiceCount,
    #[error("only a CHOICE attribute has choices")]
    ChoicesWithoutChoice,
    #[error("names the choice {0:?} twice")]
    RepeatedChoice(String),
    #[error("must be a number such as 42 or 19.99")]
    Number,
    #[error("must be a date as YYYY-MM-DD")]
    Date,
    #[error("must be true or false")]
    Boolean,
    #[error("must be one of the attribute's choices")]
    NotAChoice,
}

/// An attribute's key: an identifier, fixed once made.
pub fn parse_key(raw: &str) -> Result<String, AttributeError> {
    let ok = raw.len() <= KEY_MAX
        && raw.starts_with(|c: char| c.is_ascii_lowercase())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(AttributeError::Key)
    }
}

/// A display name, trimmed: one line, not empty.
pub fn parse_name(raw: &str) -> Result<String, AttributeError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AttributeError::Empty);
    }
    free_text::check(name, NAME_MAX, Lines::One)?;
    Ok(name.to_owned())
}

/// The choices of an attribute of `kind`, each trimmed: a CHOICE has 1 to [`CHOICES_MAX`]
/// different ones, every other kind none. An error names the offending choice's index.
pub fn parse_choices(
    kind: AttributeKind,
    raw: &[String],
) -> Result<Vec<String>, (Option<usize>, AttributeError)> {
    if kind != AttributeKind::Choice {
        return if raw.is_empty() {
            Ok(Vec::new())
        } else {
            Err((None, AttributeError::ChoicesWithoutChoice))
        };
    }
    if raw.is_empty() || raw.len() > CHOICES_MAX {
        return Err((None, AttributeError::ChoiceCount));
    }
    let mut choices: Vec<String> = Vec::with_capacity(raw.len());
    for (i, choice) in raw.iter().enumerate() {
        let choice = choice.trim();
        if choice.is_empty() {
            return Err((Some(i), AttributeError::Empty));
        }
        free_text::check(choice, CHOICE_MAX, Lines::One).map_err(|e| (Some(i), e.into()))?;
        if choices.iter().any(|c| c == choice) {
            return Err((Some(i), AttributeError::RepeatedChoice(choice.to_owned())));
        }
        choices.push(choice.to_owned());
    }
    Ok(choices)
}

/// A value for an attribute of `kind` with `choices`, in its canonical form: a number
/// trimmed, a date as `YYYY-MM-DD`, a boolean in lower case, a choice exactly as listed.
pub fn parse_value(
    kind: AttributeKind,
    choices: &[String],
    raw: &str,
) -> Result<String, AttributeError> {
    let value = raw.trim();
    match kind {
        AttributeKind::Text => {
            if value.is_empty() {
                return Err(AttributeError::Empty);
            }
            free_text::check(value, TEXT_MAX, Lines::Many)?;
            Ok(value.to_owned())
        }
        AttributeKind::Number => {
            let digits = value.strip_prefix('-').unwrap_or(value);
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
            let is_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
            if value.len() <= NUMBER_MAX && is_digits(whole) && is_digits(fraction) {
                Ok(value.to_owned())
            } else {
                Err(AttributeError::Number)
            }
        }
        AttributeKind::Date => {
            let date = (value.len() == 10)
                .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
                .flatten()
                .ok_or(AttributeError::Date)?;
            Ok(date.format("%Y-%m-%d").to_string())
        }
        AttributeKind::Boolean => match value.to_ascii_lowercase().as_str() {
            "true" => Ok("true".to_owned()),
            "false" => Ok("false".to_owned()),
            _ => Err(AttributeError::Boolean),
        },
        AttributeKind::Choice => choices
            .iter()
            .find(|c| *c == value)
            .cloned()
            .ok_or(AttributeError::NotAChoice),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_lower_case_identifiers() {
        for good in ["tier", "account_no2", "a"] {
            assert_eq!(parse_key(good).as_deref(), Ok(good));
        }
        for bad in ["", "Tier", "2nd", "_tier", "tier-level", "tier level", "ñ"] {
            assert_eq!(parse_key(bad), Err(AttributeError::Key), "{bad:?}");
        }
        assert!(parse_key(&"a".repeat(KEY_MAX + 1)).is_err());
    }

    #[test]
    fn only_choice_attributes_have_choices_and_each_once() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_choices(AttributeKind::Choice, &list(&[" gold ", "silver"])),
            Ok(list(&["gold", "silver"]))
        );
        assert_eq!(
            parse_choices(AttributeKind::Choice, &[]),
            Err((None, AttributeError::ChoiceCount))
        );
        assert_eq!(
            parse_choices(AttributeKind::Choice, &list(&["gold", "gold "])),
            Err((Some(1), AttributeError::RepeatedChoice("gold".to_owned())))
        );
        assert_eq!(
            parse_choices(AttributeKind::Choice, &list(&["gold", " "])),
            Err((Some(1), AttributeError::Empty))
        );
        assert_eq!(
            parse_choices(AttributeKind::Text, &list(&["gold"])),
            Err((None, AttributeError::ChoicesWithoutChoice))
        );
        assert_eq!(parse_choices(AttributeKind::Number, &[]), Ok(Vec::new()));
    }

    #[test]
    fn values_are_checked_against_their_type() {
        use AttributeKind::*;
        let none: &[String] = &[];
        assert_eq!(parse_value(Number, none, " 42 ").as_deref(), Ok("42"));
        assert_eq!(parse_value(Number, none, "-19.99").as_deref(), Ok("-19.99"));
        for bad in ["abc", "1e5", "", "1.", ".5", "--1", "NaN", "1,5"] {
            assert_eq!(
                parse_value(Number, none, bad),
                Err(AttributeError::Number),
                "{bad}"
            );
        }
        assert_eq!(
            parse_value(Date, none, "2026-02-28").as_deref(),
            Ok("2026-02-28")
        );
        for bad in ["2026-02-30", "2026-2-3", "28/02/2026", "2026-02-28T10:00"] {
            assert_eq!(
                parse_value(Date, none, bad),
                Err(AttributeError::Date),
                "{bad}"
            );
        }
        assert_eq!(parse_value(Boolean, none, "TRUE").as_deref(), Ok("true"));
        assert_eq!(
            parse_value(Boolean, none, "yes"),
            Err(AttributeError::Boolean)
        );
        let choices = vec!["gold".to_owned(), "silver".to_owned()];
        assert_eq!(parse_value(Choice, &choices, "gold").as_deref(), Ok("gold"));
        assert_eq!(
            parse_value(Choice, &choices, "Gold"),
            Err(AttributeError::NotAChoice)
        );
        assert_eq!(parse_value(Text, none, " "), Err(AttributeError::Empty));
        assert_eq!(
            parse_value(Text, none, "Calle 1\nMadrid").as_deref(),
            Ok("Calle 1\nMadrid")
        );
    }

    #[test]
    fn kinds_round_trip() {
        use AttributeKind::*;
        for kind in [Text, Number, Date, Boolean, Choice] {
            assert_eq!(AttributeKind::parse(kind.as_str()), Some(kind));
        }
    }
}
