//! Sealing secrets at rest with AES-256-GCM.
//!
//! A sealed secret is stored as `v1:<key id>:<base64 nonce>:<base64 ciphertext+tag>`. The
//! associated data names the tenant, the owning row and the field, so a ciphertext copied
//! into another row or field does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use zeroize::Zeroizing;

use super::KeyRing;

const VERSION: &str = "v1";

/// What a sealed secret belongs to; becomes the associated data.
#[derive(Clone, Copy, Debug)]
pub struct SealContext<'a> {
    pub tenant: uuid::Uuid,
    /// The row holding the secret (a channel's id).
    pub owner: uuid::Uuid,
    /// The column (`auth_token`, `app_secret`, …).
    pub field: &'a str,
}

impl SealContext<'_> {
    fn associated_data(&self) -> Vec<u8> {
        format!(
            "switchboard/{VERSION}|{}|{}|{}",
            self.tenant, self.owner, self.field
        )
        .into_bytes()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// The key that sealed this secret is no longer in the ring.
    #[error("the secret was sealed with key {0:?}, which is not in SWITCHBOARD_MASTER_KEYS")]
    UnknownKey(String),
    #[error("the sealed secret is malformed")]
    Malformed,
    /// Wrong key material, a tampered ciphertext, or one moved from another row or field.
    #[error("the sealed secret does not open for this record")]
    Mismatch,
}

/// The id of the key that sealed `sealed`, without opening it.
pub fn sealed_key_id(sealed: &str) -> Result<&str, SealError> {
    let mut parts = sealed.splitn(4, ':');
    match (parts.next(), parts.next()) {
        (Some(VERSION), Some(id)) if !id.is_empty() => Ok(id),
        _ => Err(SealError::Malformed),
    }
}

impl KeyRing {
    /// Seals `plaintext` under the primary key with a fresh random 96-bit nonce.
    pub fn seal(&self, context: SealContext<'_>, plaintext: &str) -> String {
        let key = self.primary();
        let cipher = Aes256Gcm::new_from_slice(key.bytes.as_ref()).expect("a 32-byte key");
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = context.associated_data();
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        format!(
            "{VERSION}:{}:{}:{}",
            key.id,
            STANDARD.encode(nonce),
            STANDARD.encode(ciphertext)
        )
    }

    /// Opens a sealed secret for its record.
    pub fn open(
        &self,
        context: SealContext<'_>,
        sealed: &str,
    ) -> Result<Zeroizing<String>, SealError> {
        let mut parts = sealed.splitn(4, ':');
        let (Some(VERSION), Some(id), Some(nonce), Some(ciphertext)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::Malformed);
        };
        let key = self
            .get(id)
            .ok_or_else(|| SealError::UnknownKey(id.to_owned()))?;
        let nonce: [u8; 12] = STANDARD
            .decode(nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or(SealError::Malformed)?;
        let ciphertext = STANDARD
            .decode(ciphertext)
            .map_err(|_| SealError::Malformed)?;
        let cipher = Aes256Gcm::new_from_slice(key.bytes.as_ref()).expect("a 32-byte key");
        let aad = context.associated_data();
        let plain = cipher
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Mismatch)?;
        String::from_utf8(plain)
            .map(Zeroizing::new)
            .map_err(|_| SealError::Mismatch)
    }

    /// Whether `sealed` is already under the primary key.
    pub fn is_current(&self, sealed: &str) -> bool {
        sealed_key_id(sealed).is_ok_and(|id| id == self.primary().id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(text: &str) -> KeyRing {
        KeyRing::parse(text).unwrap()
    }

    fn context(field: &str) -> SealContext<'_> {
        SealContext {
            tenant: uuid::Uuid::from_u128(1),
            owner: uuid::Uuid::from_u128(2),
            field,
        }
    }

    #[test]
    fn a_sealed_secret_opens_for_its_record_only() {
        let keys = ring(&KeyRing::generate_text("k1"));
        let sealed = keys.seal(context("auth_token"), "s3cret-token");
        assert!(!sealed.contains("s3cret"));
        assert_eq!(
            keys.open(context("auth_token"), &sealed).unwrap().as_str(),
            "s3cret-token"
        );
        assert_eq!(
            keys.open(context("app_secret"), &sealed),
            Err(SealError::Mismatch)
        );
        let other_owner = SealContext {
            owner: uuid::Uuid::from_u128(3),
            ..context("auth_token")
        };
        assert_eq!(keys.open(other_owner, &sealed), Err(SealError::Mismatch));
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let keys = ring(&KeyRing::generate_text("k1"));
        assert_ne!(
            keys.seal(context("f"), "same"),
            keys.seal(context("f"), "same")
        );
    }

    #[test]
    fn a_missing_key_is_named_and_an_old_key_still_opens() {
        let old = KeyRing::generate_text("old");
        let new = KeyRing::generate_text("new");
        let sealed = ring(&old).seal(context("f"), "value");
        let rotated = ring(&format!("{},{}", *new, *old));
        assert!(!rotated.is_current(&sealed));
        assert_eq!(
            rotated.open(context("f"), &sealed).unwrap().as_str(),
            "value"
        );
        assert_eq!(
            ring(&new).open(context("f"), &sealed),
            Err(SealError::UnknownKey("old".into()))
        );
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let keys = ring(&KeyRing::generate_text("k1"));
        for bad in [
            "",
            "v1",
            "v1:k1",
            "v1:k1:!!:!!",
            "v2:k1:AAAA:AAAA",
            "v1:k1:AAAA:AAAA",
        ] {
            assert!(keys.open(context("f"), bad).is_err(), "{bad}");
        }
    }
}
