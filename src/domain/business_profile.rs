//! A WhatsApp business profile: what customers see about the business behind a number
//! (about text, address, description, e-mail, websites, industry and photo), and the rules
//! a change must keep. The limits are WhatsApp's own, so a change is refused here, naming
//! the field, before any provider is asked.

use super::free_text::{self, Lines, TextError};
use super::Email;

/// Longest about text (WhatsApp's "About" line under the photo).
pub const ABOUT_MAX: usize = 139;
pub const ADDRESS_MAX: usize = 256;
pub const DESCRIPTION_MAX: usize = 512;
pub const EMAIL_MAX: usize = 128;
/// How many websites a profile lists.
pub const WEBSITES_MAX: usize = 2;
pub const WEBSITE_MAX: usize = 256;
/// Largest profile photo.
pub const PHOTO_MAX_BYTES: u64 = 5 * 1024 * 1024;
/// The file types a profile photo may have.
pub const PHOTO_TYPES: [&str; 2] = ["image/jpeg", "image/png"];

/// The industry a business says it is in, from WhatsApp's fixed list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BusinessVertical {
    /// Never chosen; a profile cannot be set back to it.
    Undefined,
    Other,
    Auto,
    Beauty,
    Apparel,
    Edu,
    Entertain,
    EventPlan,
    Finance,
    Grocery,
    Govt,
    Hotel,
    Health,
    Nonprofit,
    ProfServices,
    Retail,
    Travel,
    Restaurant,
    NotABiz,
}

/// A business profile as the provider shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BusinessProfile {
    pub about: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
    pub websites: Vec<String>,
    pub vertical: Option<BusinessVertical>,
    /// Where the provider serves the profile photo (a short-lived CDN address).
    pub photo_url: Option<String>,
}

/// Checked changes to a profile; `None` leaves a field as it is. An empty address,
/// description or e-mail, or no websites, clears that field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileChanges {
    pub about: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
    pub websites: Option<Vec<String>>,
    pub vertical: Option<BusinessVertical>,
}

impl ProfileChanges {
    /// The names of the fields this changes, for the audit log.
    pub fn fields(&self) -> Vec<&'static str> {
        [
            ("about", self.about.is_some()),
            ("address", self.address.is_some()),
            ("description", self.description.is_some()),
            ("email", self.email.is_some()),
            ("websites", self.websites.is_some()),
            ("vertical", self.vertical.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// Why a profile change was refused.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("{0}")]
    Text(#[from] TextError),
    #[error("is not a valid e-mail address")]
    Email,
    #[error("must list at most {WEBSITES_MAX} websites")]
    TooManyWebsites,
    #[error("must be an http:// or https:// address with a host")]
    Website,
    #[error("cannot be set back to UNDEFINED")]
    VerticalUndefined,
    #[error("a {0} file cannot be a profile photo; use a JPEG or PNG image")]
    PhotoType(String),
    #[error("the profile photo must be at most {} MB", PHOTO_MAX_BYTES / 1024 / 1024)]
    PhotoTooLarge,
}

/// The about text: trimmed, 1 to [`ABOUT_MAX`] characters on one line.
pub fn parse_about(raw: &str) -> Result<String, ProfileError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(TextError::Empty.into());
    }
    free_text::check(value, ABOUT_MAX, Lines::One)?;
    Ok(value.to_owned())
}

/// The address: trimmed, at most [`ADDRESS_MAX`] characters; empty clears it.
pub fn parse_address(raw: &str) -> Result<String, ProfileError> {
    let value = raw.trim();
    free_text::check(value, ADDRESS_MAX, Lines::One)?;
    Ok(value.to_owned())
}

/// The description: trimmed, at most [`DESCRIPTION_MAX`] characters, line breaks allowed;
/// empty clears it.
pub fn parse_description(raw: &str) -> Result<String, ProfileError> {
    let value = raw.trim();
    free_text::check(value, DESCRIPTION_MAX, Lines::Many)?;
    Ok(value.to_owned())
}

/// The contact e-mail: a valid address of at most [`EMAIL_MAX`] characters; empty clears it.
pub fn parse_email(raw: &str) -> Result<String, ProfileError> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    free_text::check(value, EMAIL_MAX, Lines::One)?;
    let email = Email::parse(value).map_err(|_| ProfileError::Email)?;
    Ok(email.as_str().to_owned())
}

/// The websites: at most [`WEBSITES_MAX`], each an http(s) address with a host, of at most
/// [`WEBSITE_MAX`] characters; none clears them. Answers the index of a refused one.
pub fn parse_websites(raw: &[String]) -> Result<Vec<String>, (Option<usize>, ProfileError)> {
    if raw.len() > WEBSITES_MAX {
        return Err((None, ProfileError::TooManyWebsites));
    }
    raw.iter()
        .enumerate()
        .map(|(i, site)| parse_website(site).map_err(|e| (Some(i), e)))
        .collect()
}

fn parse_website(raw: &str) -> Result<String, ProfileError> {
    let value = raw.trim();
    free_text::check(value, WEBSITE_MAX, Lines::One)?;
    let lower = value.to_ascii_lowercase();
    let rest = ["https://", "http://"]
        .into_iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
        .ok_or(ProfileError::Website)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') || value.chars().any(char::is_whitespace) {
        return Err(ProfileError::Website);
    }
    Ok(value.to_owned())
}

/// A vertical a profile may be set to.
pub fn parse_vertical(vertical: BusinessVertical) -> Result<BusinessVertical, ProfileError> {
    match vertical {
        BusinessVertical::Undefined => Err(ProfileError::VerticalUndefined),
        other => Ok(other),
    }
}

/// Whether a stored file can become the profile photo.
pub fn check_photo(content_type: &str, size_bytes: u64) -> Result<(), ProfileError> {
    if !PHOTO_TYPES.contains(&content_type) {
        return Err(ProfileError::PhotoType(content_type.to_owned()));
    }
    if size_bytes > PHOTO_MAX_BYTES {
        return Err(ProfileError::PhotoTooLarge);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_is_trimmed_and_bounded() {
        assert_eq!(parse_about("  Plants!  ").unwrap(), "Plants!");
        assert_eq!(parse_about(" "), Err(TextError::Empty.into()));
        assert!(parse_about(&"é".repeat(ABOUT_MAX)).is_ok());
        assert_eq!(
            parse_about(&"é".repeat(ABOUT_MAX + 1)),
            Err(TextError::TooLong(ABOUT_MAX).into())
        );
        assert!(parse_about("two\nlines").is_err());
    }

    #[test]
    fn address_and_description_may_be_cleared_but_not_overlong() {
        assert_eq!(parse_address("").unwrap(), "");
        assert!(parse_address(&"a".repeat(ADDRESS_MAX + 1)).is_err());
        assert!(parse_description("Line one\nLine two").is_ok());
        assert!(parse_description(&"a".repeat(DESCRIPTION_MAX + 1)).is_err());
    }

    #[test]
    fn email_is_checked_and_may_be_cleared() {
        assert_eq!(
            parse_email(" Shop@Example.com ").unwrap(),
            "shop@example.com"
        );
        assert_eq!(parse_email("").unwrap(), "");
        assert_eq!(parse_email("not an email"), Err(ProfileError::Email));
        let long = format!("{}@example.com", "a".repeat(EMAIL_MAX));
        assert_eq!(
            parse_email(&long),
            Err(TextError::TooLong(EMAIL_MAX).into())
        );
    }

    #[test]
    fn websites_are_two_http_addresses_at_most() {
        let ok = vec![
            "https://shop.example".to_owned(),
            "http://b.example/x".to_owned(),
        ];
        assert_eq!(parse_websites(&ok).unwrap(), ok);
        assert_eq!(parse_websites(&[]).unwrap(), Vec::<String>::new());
        let three = vec!["https://a.example".to_owned(); 3];
        assert_eq!(
            parse_websites(&three),
            Err((None, ProfileError::TooManyWebsites))
        );
        for bad in [
            "shop.example",
            "ftp://a.example",
            "https://",
            "https://a b.example",
        ] {
            let given = vec!["https://ok.example".to_owned(), bad.to_owned()];
            assert_eq!(
                parse_websites(&given),
                Err((Some(1), ProfileError::Website)),
                "{bad}"
            );
        }
        let long = vec![format!("https://a.example/{}", "x".repeat(WEBSITE_MAX))];
        assert!(parse_websites(&long).is_err());
    }

    #[test]
    fn a_vertical_cannot_go_back_to_undefined() {
        assert_eq!(
            parse_vertical(BusinessVertical::Undefined),
            Err(ProfileError::VerticalUndefined)
        );
        assert_eq!(
            parse_vertical(BusinessVertical::Retail),
            Ok(BusinessVertical::Retail)
        );
    }

    #[test]
    fn photos_are_small_jpeg_or_png_images() {
        assert!(check_photo("image/png", 10).is_ok());
        assert!(check_photo("image/jpeg", PHOTO_MAX_BYTES).is_ok());
        assert!(matches!(
            check_photo("image/webp", 10),
            Err(ProfileError::PhotoType(_))
        ));
        assert_eq!(
            check_photo("image/png", PHOTO_MAX_BYTES + 1),
            Err(ProfileError::PhotoTooLarge)
        );
    }

    #[test]
    fn changes_name_their_fields() {
        let changes = ProfileChanges {
            about: Some("Hi".into()),
            websites: Some(vec![]),
            ..ProfileChanges::default()
        };
        assert_eq!(changes.fields(), ["about", "websites"]);
    }
}
