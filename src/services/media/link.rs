//! Short-lived signed links to media (attachments and uploads, by their uuid), for places that cannot send a bearer token (an `<img>`
//! tag, a provider fetching our media).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use uuid::Uuid;

use crate::domain::TenantId;

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks `/media/{id}?t=&e=&s=` links.
#[derive(Clone)]
pub struct MediaLinks {
    key: Vec<u8>,
}

impl MediaLinks {
    /// Derives the link key from the deployment's JWT secret, so no extra secret is needed
    /// and links die with a secret rotation.
    pub fn new(secret: &[u8]) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(b"switchboard media links v1");
        Self {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    fn signature(&self, tenant: TenantId, id: Uuid, expires: i64) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("{tenant}|{id}|{expires}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The query of a link valid until `expires` (unix seconds).
    pub fn query(&self, tenant: TenantId, id: Uuid, expires: i64) -> String {
        format!(
            "t={tenant}&e={expires}&s={}",
            self.signature(tenant, id, expires)
        )
    }

    /// Whether a link's parts are genuine and unexpired at `now`.
    pub fn check(
        &self,
        tenant: TenantId,
        id: Uuid,
        expires: i64,
        signature: &str,
        now: i64,
    ) -> bool {
        expires >= now
            && bool::from(
                self.signature(tenant, id, expires)
                    .as_bytes()
                    .ct_eq(signature.as_bytes()),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_checks_only_unexpired_and_untampered() {
        let links = MediaLinks::new(b"secret-secret-secret-secret-secret");
        let (tenant, id) = (TenantId::new(), Uuid::now_v7());
        let query = links.query(tenant, id, 1000);
        let sig = query.rsplit("s=").next().unwrap();
        assert!(links.check(tenant, id, 1000, sig, 999));
        assert!(!links.check(tenant, id, 1000, sig, 1001));
        assert!(!links.check(TenantId::new(), id, 1000, sig, 999));
        assert!(!links.check(tenant, id, 2000, sig, 999));
        assert!(
            !MediaLinks::new(b"another-secret-another-secret-xx").check(tenant, id, 1000, sig, 999)
        );
    }
}
