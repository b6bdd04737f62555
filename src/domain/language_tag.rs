//! A contact's language as a BCP 47 tag of the common shapes: a language (`es`), with a
//! script (`zh-Hant`) and/or a region (`pt-BR`, `es-419`). Kept in the canonical case,
//! hyphenated; `pt_BR` (WhatsApp's spelling) is read as `pt-BR`.

use std::fmt;

/// Why a language tag was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be a language tag such as es, pt-BR or zh-Hant")]
pub struct LanguageTagError;

/// A checked language tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(raw: &str) -> Result<Self, LanguageTagError> {
        let mut parts = raw.trim().split(['-', '_']);
        let language = parts.next().unwrap_or_default();
        if !((2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic()))
        {
            return Err(LanguageTagError);
        }
        let mut tag = language.to_ascii_lowercase();
        let mut script = None;
        let mut region = None;
        for part in parts {
            let alpha = part.chars().all(|c| c.is_ascii_alphabetic());
            let digits = part.chars().all(|c| c.is_ascii_digit());
            if part.len() == 4 && alpha && script.is_none() && region.is_none() {
                let (first, rest) = part.split_at(1);
                script = Some(format!(
                    "{}{}",
                    first.to_ascii_uppercase(),
                    rest.to_ascii_lowercase()
                ));
            } else if ((part.len() == 2 && alpha) || (part.len() == 3 && digits))
                && region.is_none()
            {
                region = Some(part.to_ascii_uppercase());
            } else {
                return Err(LanguageTagError);
            }
        }
        for subtag in [script, region].into_iter().flatten() {
            tag.push('-');
            tag.push_str(&subtag);
        }
        Ok(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(raw: &str) -> Result<String, LanguageTagError> {
        LanguageTag::parse(raw).map(|t| t.to_string())
    }

    #[test]
    fn common_tags_are_kept_in_canonical_case() {
        assert_eq!(tag("es").as_deref(), Ok("es"));
        assert_eq!(tag("pt-BR").as_deref(), Ok("pt-BR"));
        assert_eq!(tag("PT-br").as_deref(), Ok("pt-BR"));
        assert_eq!(tag("pt_BR").as_deref(), Ok("pt-BR"));
        assert_eq!(tag("es-419").as_deref(), Ok("es-419"));
        assert_eq!(tag("zh-hant-tw").as_deref(), Ok("zh-Hant-TW"));
        assert_eq!(tag("fil").as_deref(), Ok("fil"));
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in [
            "",
            "e",
            "english",
            "es-",
            "es--MX",
            "es-MX-MX",
            "es-Latn-Latn",
            "es-MX-Latn",
            "12",
            "es MX",
            "es-1234",
        ] {
            assert_eq!(tag(bad), Err(LanguageTagError), "{bad:?}");
        }
    }
}
