//! The password policy for new passwords.

use zeroize::Zeroizing;

/// A password that meets the policy. Its `Debug` never prints the text.
pub struct NewPassword(Zeroizing<String>);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("must be at least {0} characters long")]
    TooShort(usize),
    #[error("must be at most {0} characters long")]
    TooLong(usize),
    #[error("is too common or too simple")]
    TooWeak,
    #[error("must not contain the e-mail address")]
    ContainsEmail,
}

const MIN_CHARS: usize = 10;
const MAX_CHARS: usize = 128;

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
    /// well-known password and not containing the local part of the user's e-mail.
    pub fn parse(raw: &str, email_local_part: Option<&str>) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(PasswordError::TooShort(MIN_CHARS));
        }
        if chars > MAX_CHARS {
            return Err(PasswordError::TooLong(MAX_CHARS));
        }
        let lower = raw.to_lowercase();
        let mut distinct: Vec<char> = lower.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 5 || COMMON.contains(&lower.as_str()) {
            return Err(PasswordError::TooWeak);
        }
        if let Some(local) = email_local_part.filter(|l| l.chars().count() >= 3) {
            if lower.contains(&local.to_lowercase()) {
                return Err(PasswordError::ContainsEmail);
            }
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

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse("abc12", None).unwrap_err(),
            PasswordError::TooShort(10)
        );
    }

    #[test]
    fn common_and_repetitive_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse("Password123", None).unwrap_err(),
            PasswordError::TooWeak
        );
        assert_eq!(
            NewPassword::parse("aaaaaaaaaaaa", None).unwrap_err(),
            PasswordError::TooWeak
        );
    }

    #[test]
    fn a_password_may_not_contain_the_email() {
        assert_eq!(
            NewPassword::parse("maria-rocks-2026", Some("maria")).unwrap_err(),
            PasswordError::ContainsEmail
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = NewPassword::parse("correct horse battery", None).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
