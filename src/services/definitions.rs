//! What the use cases that define a tenant's named things (labels, contact attributes,
//! quick replies) share: a field's refusal named after the input field, a tenant's limit on
//! how many there are, and a unique name already taken.

use std::fmt::Display;

use crate::error::AppError;
use crate::store::StoreError;

/// Maps a domain rule's refusal to BAD_USER_INPUT naming `field`.
pub(crate) fn bad<E: Display>(field: &'static str) -> impl Fn(E) -> AppError {
    move |e| AppError::bad_input(field, e)
}

/// CONFLICT once a tenant has `max` of them (`what`, plural: "labels").
pub(crate) fn within_limit(count: u64, max: usize, what: &str) -> Result<(), AppError> {
    if count >= max as u64 {
        return Err(AppError::Conflict(format!(
            "a tenant has at most {max} {what}"
        )));
    }
    Ok(())
}

/// A unique key already taken, as BAD_USER_INPUT naming `field` with `reason`; other
/// storage failures as they are.
pub(crate) fn taken(field: &'static str, reason: &'static str) -> impl Fn(StoreError) -> AppError {
    move |err| match err {
        StoreError::Conflict(_) => AppError::bad_input(field, reason),
        other => other.into(),
    }
}
