//! meta adapter (in progress).
