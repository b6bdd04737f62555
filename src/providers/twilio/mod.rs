//! twilio adapter (in progress).
