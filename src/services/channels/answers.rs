//! What a provider's answers mean for a channel: whether the credentials prove the
//! channel's number, and a provider failure as the API reports it.

use crate::domain::records::ChannelRecord;
use crate::error::AppError;
use crate::providers::{ProviderError, VerifiedAccount};

/// The provider must show the channel's own number for these credentials (Meta's
/// `display_phone_number`, "+1 555-555-5555"; Twilio's checked sender), digits compared.
pub(super) fn proves_number(
    record: &ChannelRecord,
    account: VerifiedAccount,
) -> Result<VerifiedAccount, ProviderError> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    match account.display_number.as_deref() {
        Some(shown) if digits(shown) == digits(&record.phone_number) => Ok(account),
        Some(shown) => Err(ProviderError::Rejected {
            code: "NUMBER_MISMATCH".into(),
            message: format!(
                "the provider shows {shown} for these credentials, not the channel's number; \
                 correct the phone number or the phone number id"
            ),
        }),
        None => Err(ProviderError::Rejected {
            code: "NUMBER_MISMATCH".into(),
            message: "the provider did not show the number of these credentials, so they \
                      cannot be shown to be the channel's"
                .into(),
        }),
    }
}

/// A provider failure as the API reports it.
pub fn provider_error(err: ProviderError) -> AppError {
    let (code, message) = match err {
        ProviderError::Unsupported(reason) => return AppError::Unsupported(reason),
        ProviderError::Retryable { code, message }
        | ProviderError::RateLimited { code, message, .. }
        | ProviderError::Rejected { code, message }
        | ProviderError::Unauthorized { code, message }
        | ProviderError::Consent { code, message, .. } => (code, message),
        ProviderError::Timeout { .. } => (
            "TIMEOUT".to_owned(),
            "the provider did not answer in time".to_owned(),
        ),
        ProviderError::Unreachable(reason) => (
            "UNREACHABLE".to_owned(),
            format!("the provider could not be reached: {reason}"),
        ),
        ProviderError::BadWebhook(reason) => ("BAD_RESPONSE".to_owned(), reason),
        ProviderError::MediaRefused(reason) => ("MEDIA_REFUSED".to_owned(), reason),
    };
    AppError::Provider { code, message }
}
