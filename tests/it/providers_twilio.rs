//! twilio adapter against the fake twilio server (in progress).
