//! `AppError`: what a service can answer, one variant per code of the API contract.
//! `graphql/errors.rs` holds the only mapping to `extensions.code`.

use std::time::Duration;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("authentication required")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("{field}: {reason}")]
    BadUserInput { field: String, reason: String },
    /// A new password breaks the policy; every rule it breaks is named.
    #[error("{field}: {error}")]
    BadPassword {
        field: &'static str,
        error: crate::domain::PasswordError,
    },
    #[error("{0}")]
    Conflict(String),
    /// The channel's provider does not offer this; the message says where to do it instead.
    #[error("{0}")]
    Unsupported(String),
    /// The provider refused or failed; `code` is the provider's own.
    #[error("the provider answered {code}: {message}")]
    Provider { code: String, message: String },
    /// Free-form messages need the customer to have written in the last 24 hours.
    #[error("the 24-hour customer-service window is closed; send a template")]
    WindowClosed {
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    #[error("the contact opted out of messages")]
    OptedOut,
    #[error("too many attempts; retry in {} s", retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The codes of the API contract, as `extensions.code` spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    Conflict,
    Unsupported,
    RateLimited,
    ProviderError,
    WindowClosed,
    OptedOut,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::Unsupported => "UNSUPPORTED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::ProviderError => "PROVIDER_ERROR",
            ErrorCode::WindowClosed => "WINDOW_CLOSED",
            ErrorCode::OptedOut => "OPTED_OUT",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl AppError {
    /// The error's code in the API contract.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound => ErrorCode::NotFound,
            AppError::BadUserInput { .. } | AppError::BadPassword { .. } => ErrorCode::BadUserInput,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::Unsupported(_) => ErrorCode::Unsupported,
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::Provider { .. } => ErrorCode::ProviderError,
            AppError::WindowClosed { .. } => ErrorCode::WindowClosed,
            AppError::OptedOut => ErrorCode::OptedOut,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn bad_input(field: impl Into<String>, reason: impl ToString) -> Self {
        AppError::BadUserInput {
            field: field.into(),
            reason: reason.to_string(),
        }
    }

    /// For `map_err` on a new password given in `field`.
    pub fn bad_password(field: &'static str) -> impl FnOnce(crate::domain::PasswordError) -> Self {
        move |error| AppError::BadPassword { field, error }
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(err.into())
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(what) => AppError::Conflict(what.to_owned()),
            StoreError::Stale => AppError::Conflict("changed meanwhile; try again".to_owned()),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        StoreError::from(err).into()
    }
}
