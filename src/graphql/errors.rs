//! The one mapping from `AppError` to `extensions.code`. Resolvers return [`GqlError`], which
//! only an `AppError` converts into, so no error reaches a client without its code.

use async_graphql::ErrorExtensions;

use crate::error::{AppError, ErrorCode};

/// A resolver's error, already carrying its code. Cloneable, as async-graphql wants.
#[derive(Clone)]
pub struct GqlError(async_graphql::Error);

pub type GqlResult<T> = Result<T, GqlError>;

impl From<AppError> for GqlError {
    fn from(err: AppError) -> Self {
        if let AppError::Internal(source) = &err {
            // The span of the request carries the request id and the tenant.
            tracing::error!(error = format!("{source:#}"), "internal error");
        }
        Self(err.extend())
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        let message = match self {
            AppError::Unauthenticated(reason) => (*reason).to_owned(),
            other => other.to_string(),
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", self.code().as_str());
            match self {
                AppError::BadUserInput { field, .. } => ext.set("field", field.as_str()),
                AppError::BadPassword { field, error } => {
                    ext.set("field", *field);
                    let rules: Vec<async_graphql::Value> = error
                        .broken
                        .iter()
                        .map(|r| async_graphql::Value::from(r.as_str()))
                        .collect();
                    ext.set("rules", rules);
                }
                AppError::Provider { code, .. } => ext.set("providerCode", code.as_str()),
                AppError::WindowClosed {
                    expires_at: Some(at),
                } => ext.set("windowExpiresAt", at.to_rfc3339()),
                AppError::RateLimited { retry_after } => {
                    ext.set("retryAfter", retry_after.as_secs().max(1))
                }
                _ => {}
            }
        })
    }
}

impl From<GqlError> for async_graphql::Error {
    fn from(GqlError(err): GqlError) -> Self {
        err
    }
}

/// An error made by the GraphQL layer itself (guards, limits), with its code.
/// The `extensions` of an error with `code`, for errors built as `ServerError`s.
pub fn code_extension(code: ErrorCode) -> async_graphql::ErrorExtensionValues {
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code.as_str());
    ext
}

pub fn coded(code: ErrorCode, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code.as_str()))
}
