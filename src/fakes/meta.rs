//! Fake meta server (in progress).
