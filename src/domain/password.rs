//! The password policy for new passwords.

use zeroize::Zeroizing;

/// A password that meets the policy. Its `Debug` never prints the text.
pub struct NewPassword(Zeroizing<String>);

/// One rule of the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordRule {
    MinLength,
    MaxLength,
    DistinctCharacters,
    NotCommon,
    NoEmailName,
}

impl PasswordRule {
    /// The rule's name in `extensions.rules`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MinLength => "MIN_LENGTH",
            Self::MaxLength => "MAX_LENGTH",
            Self::DistinctCharacters => "DISTINCT_CHARACTERS",
            Self::NotCommon => "NOT_COMMON",
            Self::NoEmailName => "NO_EMAIL_NAME",
        }
    }

    fn describe(self) -> String {
        match self {
            Self::MinLength => format!("must be at least {MIN_CHARS} characters long"),
            Self::MaxLength => format!("must be at most {MAX_CHARS} characters long"),
            Self::DistinctCharacters => {
                format!("must use at least {MIN_DISTINCT} different characters")
            }
            Self::NotCommon => "must not be a well-known password".to_owned(),
            Self::NoEmailName => {
                "must not contain the e-mail address's name (the part before the @)".to_owned()
            }
        }
    }
}

/// Every rule a new password breaks, in the policy's order; never empty.
#[derive(Debug, PartialEq, Eq)]
pub struct PasswordError {
    pub broken: Vec<PasswordRule>,
}

impl std::fmt::Display for PasswordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rules: Vec<String> = self.broken.iter().map(|r| r.describe()).collect();
        f.write_str(&rules.join("; "))
    }
}

impl std::error::Error for PasswordError {}

const MIN_CHARS: usize = 10;
const MAX_CHARS: usize = 128;
const MIN_DISTINCT: usize = 5;

/// Passwords that meet the length rule yet are tried first by every attacker.
const COMMON: &[&str] = &[
    "password12",
    "password123",
    "password1234",
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "qwerty12345",
    "1q2w3e4r5t",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "admin12345",
    "changeme12",
    "switchboard",
];

impl NewPassword {
    /// Checks the policy: 10 to 128 characters, at least 5 different characters, not a
    /// well-known password and not containing the local part of the user's e-mail (the
    /// part before the @, when it has 3 characters or more). Answers every rule broken.
    pub fn parse(raw: &str, email_local_part: Option<&str>) -> Result<Self, PasswordError> {
        let mut broken = Vec::new();
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            broken.push(PasswordRule::MinLength);
        }
        if chars > MAX_CHARS {
            broken.push(PasswordRule::MaxLength);
        }
        let lower = raw.to_lowercase();
        let mut distinct: Vec<char> = lower.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < MIN_DISTINCT {
            broken.push(PasswordRule::DistinctCharacters);
        }
        if COMMON.contains(&lower.as_str()) {
            broken.push(PasswordRule::NotCommon);
        }
        if let Some(local) = email_local_part.filter(|l| l.chars().count() >= 3) {
            if lower.contains(&local.to_lowercase()) {
                broken.push(PasswordRule::NoEmailName);
            }
        }
        if !broken.is_empty() {
            return Err(PasswordError { broken });
        }
        Ok(Self(Zeroizing::new(raw.to_owned())))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broken(raw: &str, local: Option<&str>) -> Vec<PasswordRule> {
        NewPassword::parse(raw, local).unwrap_err().broken
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(broken("abc12", None), [PasswordRule::MinLength]);
    }

    #[test]
    fn common_and_repetitive_passwords_are_refused() {
        assert_eq!(broken("Password123", None), [PasswordRule::NotCommon]);
        assert_eq!(
            broken("aaaaaaaaaaaa", None),
            [PasswordRule::DistinctCharacters]
        );
    }

    #[test]
    fn a_password_may_not_contain_the_emails_name() {
        assert_eq!(
            broken("maria-rocks-2026", Some("maria")),
            [PasswordRule::NoEmailName]
        );
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let err = NewPassword::parse("bobbb", Some("bob")).unwrap_err();
        assert_eq!(
            err.broken,
            [
                PasswordRule::MinLength,
                PasswordRule::DistinctCharacters,
                PasswordRule::NoEmailName
            ]
        );
        assert_eq!(
            err.to_string(),
            "must be at least 10 characters long; must use at least 5 different characters; \
             must not contain the e-mail address's name (the part before the @)"
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = NewPassword::parse("correct horse battery", None).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
