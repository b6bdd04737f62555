//! The master key ring that seals secrets at rest.
//!
//! Written as `id:base64-32-bytes,...`; the first key seals new secrets, the others only
//! open what they sealed before a rotation.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use zeroize::Zeroizing;

/// One named 256-bit key.
pub struct MasterKey {
    pub id: String,
    pub bytes: Zeroizing<[u8; 32]>,
}

/// The ordered keys; never empty.
pub struct KeyRing {
    keys: Vec<MasterKey>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyRingError {
    #[error("is empty")]
    Empty,
    #[error("entry {0} is not of the form id:base64key")]
    Shape(usize),
    #[error("key id {0:?} must be 1 to 32 letters, digits, '-' or '_'")]
    BadId(String),
    #[error("key {0:?} is not base64 of exactly 32 bytes")]
    BadKey(String),
    #[error("key id {0:?} appears twice")]
    Duplicate(String),
}

impl KeyRing {
    pub fn parse(raw: &str) -> Result<Self, KeyRingError> {
        let mut keys: Vec<MasterKey> = Vec::new();
        for (index, entry) in raw.split(',').map(str::trim).enumerate() {
            if entry.is_empty() {
                continue;
            }
            let (id, b64) = entry
                .split_once(':')
                .ok_or(KeyRingError::Shape(index + 1))?;
            let id = id.trim();
            if id.is_empty()
                || id.len() > 32
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(KeyRingError::BadId(id.to_owned()));
            }
            let decoded = Zeroizing::new(
                STANDARD
                    .decode(b64.trim())
                    .map_err(|_| KeyRingError::BadKey(id.to_owned()))?,
            );
            let bytes: [u8; 32] = decoded
                .as_slice()
                .try_into()
                .map_err(|_| KeyRingError::BadKey(id.to_owned()))?;
            if keys.iter().any(|k| k.id == id) {
                return Err(KeyRingError::Duplicate(id.to_owned()));
            }
            keys.push(MasterKey {
                id: id.to_owned(),
                bytes: Zeroizing::new(bytes),
            });
        }
        if keys.is_empty() {
            return Err(KeyRingError::Empty);
        }
        Ok(Self { keys })
    }

    /// A ring of one fresh random key, in its textual form.
    pub fn generate_text(id: &str) -> Zeroizing<String> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        Zeroizing::new(format!("{id}:{}", STANDARD.encode(bytes.as_ref())))
    }

    /// The key that seals new secrets.
    pub fn primary(&self) -> &MasterKey {
        &self.keys[0]
    }

    /// The key with this id, if the ring still holds it.
    pub fn get(&self, id: &str) -> Option<&MasterKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.id.as_str())
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("ids", &self.ids().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_ring_parses_back() {
        let text = KeyRing::generate_text("k1");
        let ring = KeyRing::parse(&text).unwrap();
        assert_eq!(ring.primary().id, "k1");
    }

    #[test]
    fn the_first_key_is_primary_and_old_keys_remain_readable() {
        let a = KeyRing::generate_text("new");
        let b = KeyRing::generate_text("old");
        let ring = KeyRing::parse(&format!("{},{}", *a, *b)).unwrap();
        assert_eq!(ring.primary().id, "new");
        assert!(ring.get("old").is_some());
        assert!(ring.get("gone").is_none());
    }

    #[test]
    fn malformed_rings_are_refused() {
        assert_eq!(KeyRing::parse("").unwrap_err(), KeyRingError::Empty);
        assert_eq!(
            KeyRing::parse("nocolon").unwrap_err(),
            KeyRingError::Shape(1)
        );
        assert_eq!(
            KeyRing::parse("k1:c2hvcnQ=").unwrap_err(),
            KeyRingError::BadKey("k1".into())
        );
        let key = KeyRing::generate_text("k1");
        assert_eq!(
            KeyRing::parse(&format!("{},{}", *key, *key)).unwrap_err(),
            KeyRingError::Duplicate("k1".into())
        );
    }

    #[test]
    fn debug_shows_ids_only() {
        let text = KeyRing::generate_text("k1");
        let ring = KeyRing::parse(&text).unwrap();
        let secret = text.split_once(':').unwrap().1.to_owned();
        assert!(!format!("{ring:?}").contains(&secret));
    }
}
