//! Labels: a tenant's tags for conversations, each with a name (unique in the tenant, in any
//! case) and a colour. The rules for their fields; applying them happens in the services.

use crate::domain::free_text::{self, Lines};

/// The longest label name.
pub const NAME_MAX: usize = 50;
/// The longest description.
pub const DESCRIPTION_MAX: usize = 500;
/// At most this many labels per tenant.
pub const LABELS_MAX: usize = 500;
/// At most this many labels named in one request (to apply, remove or filter by).
pub const PER_REQUEST_MAX: usize = 50;

/// Why a label's field is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("must not be empty")]
    EmptyName,
    #[error(transparent)]
    Text(#[from] free_text::TextError),
    #[error("must be a colour as #rrggbb")]
    Color,
}

/// A label's name, trimmed: one line, not empty, at most [`NAME_MAX`] characters.
pub fn parse_name(raw: &str) -> Result<String, LabelError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(LabelError::EmptyName);
    }
    free_text::check(name, NAME_MAX, Lines::One)?;
    Ok(name.to_owned())
}

/// The form two names are told apart by: "VIP" and "vip" are one label.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// A colour as `#rrggbb`, kept in lower case.
pub fn parse_color(raw: &str) -> Result<String, LabelError> {
    let hex = raw.trim().strip_prefix('#').ok_or(LabelError::Color)?;
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(format!("#{}", hex.to_ascii_lowercase()))
    } else {
        Err(LabelError::Color)
    }
}

/// A description, trimmed; empty means none.
pub fn parse_description(raw: &str) -> Result<Option<String>, LabelError> {
    let text = raw.trim();
    free_text::check(text, DESCRIPTION_MAX, Lines::Many)?;
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_compared_in_any_case() {
        assert_eq!(parse_name("  VIP ").as_deref(), Ok("VIP"));
        assert_eq!(parse_name(" "), Err(LabelError::EmptyName));
        assert!(matches!(
            parse_name(&"x".repeat(NAME_MAX + 1)),
            Err(LabelError::Text(_))
        ));
        assert!(matches!(parse_name("a\nb"), Err(LabelError::Text(_))));
        assert_eq!(name_key("Urgent Ñ"), "urgent ñ");
    }

    #[test]
    fn colours_are_six_hex_digits_kept_in_lower_case() {
        assert_eq!(parse_color("#FF8800").as_deref(), Ok("#ff8800"));
        assert_eq!(parse_color("#a1b2c3").as_deref(), Ok("#a1b2c3"));
        for bad in ["ff8800", "#fff", "#ff88001", "#gg8800", "", "#"] {
            assert_eq!(parse_color(bad), Err(LabelError::Color), "{bad}");
        }
    }

    #[test]
    fn an_empty_description_is_none() {
        assert_eq!(parse_description("  "), Ok(None));
        assert_eq!(
            parse_description(" Waiting on us\n"),
            Ok(Some("Waiting on us".to_owned()))
        );
        assert!(parse_description(&"x".repeat(DESCRIPTION_MAX + 1)).is_err());
    }
}
