//! Phone numbers in E.164 form.

use std::fmt;

/// A phone number in E.164: `+`, a country code not starting with 0, 8 to 15 digits in all.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhoneError {
    #[error("must be an E.164 number such as +14155550100")]
    NotE164,
}

impl PhoneNumber {
    /// Parses `+<digits>`; spaces, dashes, dots and parentheses are ignored. A provider's
    /// address prefix is the adapter's to strip.
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let raw = raw.trim();
        let rest = raw.strip_prefix('+').ok_or(PhoneError::NotE164)?;
        let digits: String = rest
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        let ok = (8..=15).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(Self(format!("+{digits}")))
        } else {
            Err(PhoneError::NotE164)
        }
    }

    /// From a WhatsApp id (digits without `+`), as providers send it.
    pub fn from_wa_id(wa_id: &str) -> Result<Self, PhoneError> {
        Self::parse(&format!("+{}", wa_id.trim_start_matches('+')))
    }

    /// `+14155550100`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without `+`: Meta's `to` and `wa_id`.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// The number with all but the last four digits masked, for logs.
    pub fn masked(&self) -> String {
        let keep = &self.0[self.0.len() - 4..];
        format!("+***{keep}")
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_normalised_to_e164() {
        assert_eq!(
            PhoneNumber::parse("+1 (415) 555-0100").unwrap().as_str(),
            "+14155550100"
        );
        assert_eq!(
            PhoneNumber::parse("+34 600-000.000").unwrap().digits(),
            "34600000000"
        );
        assert_eq!(
            PhoneNumber::from_wa_id("34600000000").unwrap().as_str(),
            "+34600000000"
        );
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for raw in [
            "",
            "14155550100",
            "+0123456789",
            "+12",
            "+1234567890123456",
            "+1415abc0100",
        ] {
            assert_eq!(PhoneNumber::parse(raw), Err(PhoneError::NotE164), "{raw}");
        }
    }

    #[test]
    fn masking_keeps_the_last_four_digits() {
        assert_eq!(
            PhoneNumber::parse("+14155550100").unwrap().masked(),
            "+***0100"
        );
    }
}
