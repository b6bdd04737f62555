//! Contacts in and out as files: the columns of a contacts CSV (and the keys of its JSON
//! twin), reading one into checked lines, deciding what each line would do to the
//! tenant's contacts, and writing contacts back out so that an export imports again to
//! the same contacts. No I/O.

mod check;
mod history;
mod plan;
mod read;
mod write;

use std::fmt;

pub use check::{check_lines, CheckedLine, LineCheck};
pub use history::write_history;
pub use plan::{plan, ContactState, Plan};
pub use read::{read, FileError, RawLine};
pub use write::{write_contacts, ExportedContact, WriteError};

/// The largest document an import takes.
pub const MAX_BYTES: usize = 1 << 20;
/// The most contacts (lines after the header, or JSON items) an import takes.
pub const MAX_LINES: usize = 10_000;
/// The longest opt-in source.
pub const SOURCE_MAX: usize = 200;
/// The longest name the business gives a contact (as `updateContact` takes it).
pub const NAME_MAX: usize = 200;

/// A file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Json,
}

/// The columns an import reads. Every other column is an attribute's (`attributes.<key>`,
/// or the bare key), except the read-only ones an export adds, which an import skips.
pub mod column {
    pub const PHONE: &str = "phone";
    pub const NAME: &str = "name";
    pub const LANGUAGE: &str = "language";
    pub const OPTED_IN: &str = "opted_in";
    pub const OPTED_IN_AT: &str = "opted_in_at";
    pub const OPT_IN_SOURCE: &str = "opt_in_source";
    pub const OPTED_OUT_AT: &str = "opted_out_at";
    /// The prefix of an attribute's column in an export.
    pub const ATTRIBUTE_PREFIX: &str = "attributes.";
    /// Other names a CRM gives the phone column.
    pub const PHONE_ALIASES: [&str; 3] = ["phone_number", "phonenumber", "number"];
    /// What an export shows beside the contact's fields and an import leaves alone.
    pub const READ_ONLY: [&str; 7] = [
        "id",
        "wa_id",
        "profile_name",
        "marketing_opted_out_at",
        "last_inbound_at",
        "created_at",
        "updated_at",
    ];
}

/// Why a line is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The line has another number of fields than the header, or a JSON item is not an
    /// object of text values.
    Malformed,
    /// The number is missing or not E.164.
    InvalidPhone,
    InvalidName,
    InvalidLanguage,
    /// A value for an attribute the tenant has not defined.
    UnknownAttribute,
    /// A value its attribute's type does not take.
    InvalidAttribute,
    /// `opted_in` is not true or false, or an opt-out time comes without `opted_in` false.
    InvalidOptIn,
    /// A time that is not RFC 3339 (or a `YYYY-MM-DD` date).
    InvalidDate,
    /// The number is on an earlier line too.
    Duplicate,
    /// The contact opted out after the opt-in the line gives (or the line gives no time).
    OptedOutSince,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "MALFORMED",
            Self::InvalidPhone => "INVALID_PHONE",
            Self::InvalidName => "INVALID_NAME",
            Self::InvalidLanguage => "INVALID_LANGUAGE",
            Self::UnknownAttribute => "UNKNOWN_ATTRIBUTE",
            Self::InvalidAttribute => "INVALID_ATTRIBUTE",
            Self::InvalidOptIn => "INVALID_OPT_IN",
            Self::InvalidDate => "INVALID_DATE",
            Self::Duplicate => "DUPLICATE",
            Self::OptedOutSince => "OPTED_OUT_SINCE",
        }
    }
}

/// One reason a line is refused, with the column it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub reason: Refusal,
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(reason: Refusal, column: Option<&str>, message: impl fmt::Display) -> Self {
        Self {
            reason,
            column: column.map(str::to_owned),
            message: message.to_string(),
        }
    }
}
