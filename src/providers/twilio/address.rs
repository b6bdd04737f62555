//! Twilio's WhatsApp addresses: an E.164 number behind a `whatsapp:` channel prefix
//! (`whatsapp:+14155238886`), in `To`/`From` form fields, webhooks and sender ids. The prefix
//! is Twilio's; the rest of the crate only sees [`PhoneNumber`]s and bare E.164 text.

use crate::domain::{PhoneError, PhoneNumber};

const PREFIX: &str = "whatsapp:";

/// The address Twilio expects for an E.164 number.
pub(crate) fn address(e164: &str) -> String {
    format!("{PREFIX}{e164}")
}

/// The number part of an address; text without the prefix is returned as it is.
pub(crate) fn strip(address: &str) -> &str {
    address.strip_prefix(PREFIX).unwrap_or(address)
}

/// Parses an address (or a bare number) into a phone number.
pub(crate) fn parse(address: &str) -> Result<PhoneNumber, PhoneError> {
    PhoneNumber::parse(strip(address.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_carry_the_whatsapp_prefix_and_parse_back() {
        assert_eq!(address("+34600000000"), "whatsapp:+34600000000");
        assert_eq!(
            parse("whatsapp:+34600000000").unwrap().digits(),
            "34600000000"
        );
        assert_eq!(parse("+34600000000").unwrap().digits(), "34600000000");
        assert_eq!(strip("whatsapp:+1"), "+1");
        assert_eq!(strip("+1"), "+1");
        assert!(parse("whatsapp:34600000000").is_err());
    }
}
