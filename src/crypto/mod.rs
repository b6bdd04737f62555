//! Cryptography: password hashing, opaque tokens, access tokens and the key ring that seals
//! secrets at rest. Nothing here touches storage or the network.

pub mod jwt;
pub mod keyring;
pub mod password;
pub mod seal;
pub mod secret;
pub mod signing;
pub mod token;

pub use jwt::{AccessClaims, JwtKeys};
pub use keyring::{KeyRing, KeyRingError};
pub use password::PasswordHasher;
pub use seal::{SealContext, SealError};
pub use secret::Secret;
pub use token::{hash_token, random_token};
