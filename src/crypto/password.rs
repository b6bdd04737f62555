//! argon2id password hashing.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};

/// Hashes and verifies passwords with argon2id (OWASP's second recommended profile:
/// 19 MiB, 2 iterations, 1 lane).
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    /// A hash of a random password, verified against when the user is unknown so that an
    /// unknown e-mail costs the same time as a wrong password.
    dummy_hash: String,
}

impl PasswordHasher {
    pub fn new() -> Self {
        let params = Params::new(19 * 1024, 2, 1, None).expect("argon2 parameters are valid");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy = super::random_token(24);
        let dummy_hash = hash_with(&argon, &dummy);
        Self { argon, dummy_hash }
    }

    /// A PHC string (`$argon2id$v=19$...`) with a fresh random salt.
    pub fn hash(&self, password: &str) -> String {
        hash_with(&self.argon, password)
    }

    /// Verifies a password against a stored PHC string. A malformed hash never matches.
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        PasswordHash::new(phc)
            .map(|parsed| {
                self.argon
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    }

    /// Spends the time of one verification and answers false.
    pub fn verify_unknown(&self, password: &str) -> bool {
        let _ = self.verify(password, &self.dummy_hash);
        false
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

fn hash_with(argon: &Argon2<'_>, password: &str) -> String {
    use argon2::PasswordHasher as _;
    let salt = SaltString::generate(&mut OsRng);
    argon
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing of an in-memory password cannot fail")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hasher = PasswordHasher::new();
        let hash = hash_with(&hasher.argon, "correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse battery", &hash));
        assert!(!hasher.verify("wrong horse battery", &hash));
        assert!(!hasher.verify("correct horse battery", "not a hash"));
    }
}
