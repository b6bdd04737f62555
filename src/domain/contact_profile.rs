//! What routing and other rules may ask of a contact: its language and its attribute
//! values, by attribute key, in their canonical text form.

use std::collections::BTreeMap;

use crate::domain::language_tag::LanguageTag;

/// A contact's language and attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactProfile {
    pub language: Option<LanguageTag>,
    /// Attribute key → value (`"42"`, `"2026-12-06"`, `"true"`, a choice, a text).
    pub attributes: BTreeMap<String, String>,
}

impl ContactProfile {
    /// The language as routing's `Arrival` takes it.
    pub fn language(&self) -> Option<&str> {
        self.language.as_ref().map(LanguageTag::as_str)
    }
}
