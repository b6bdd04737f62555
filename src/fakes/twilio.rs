//! Fake twilio server (in progress).
