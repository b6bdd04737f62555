//! The providers a channel can be served by.

/// Which provider serves a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    Twilio,
    Meta,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Twilio => "TWILIO",
            ProviderKind::Meta => "META",
        }
    }
}
