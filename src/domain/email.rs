//! E-mail addresses as sign-in names.

use std::fmt;

/// A syntactically valid e-mail address, trimmed and lower-cased so it compares as users
/// expect.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EmailError {
    #[error("is not a valid e-mail address")]
    Invalid,
    #[error("is longer than 254 characters")]
    TooLong,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let value = raw.trim().to_lowercase();
        if value.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = value.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(value))
        } else {
            Err(EmailError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address with the local part masked, for logs.
    pub fn masked(&self) -> String {
        match self.0.split_once('@') {
            Some((local, domain)) => {
                let first = local.chars().next().unwrap_or('*');
                format!("{first}***@{domain}")
            }
            None => "***".to_owned(),
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised() {
        assert_eq!(
            Email::parse("  Ana.Silva@Example.COM ").unwrap().as_str(),
            "ana.silva@example.com"
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for raw in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example..com",
        ] {
            assert_eq!(Email::parse(raw), Err(EmailError::Invalid), "{raw}");
        }
    }

    #[test]
    fn masked_hides_the_local_part() {
        assert_eq!(
            Email::parse("maria@example.com").unwrap().masked(),
            "m***@example.com"
        );
    }
}
