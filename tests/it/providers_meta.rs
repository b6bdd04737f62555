//! meta adapter against the fake meta server (in progress).
