//! Short-lived access tokens (HS256 JWT).

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{SessionId, TenantId, UserId};

const ISSUER: &str = "switchboard";

/// What an access token says. The role is not in it: it is read from the membership on each
/// request, so a changed or removed role takes effect at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
    pub sid: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tid: Option<Uuid>,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

impl AccessClaims {
    pub fn user(&self) -> UserId {
        self.sub.into()
    }
    pub fn session(&self) -> SessionId {
        self.sid.into()
    }
    pub fn tenant(&self) -> Option<TenantId> {
        self.tid.map(Into::into)
    }
}

/// Signs and checks access tokens with the deployment's JWT secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn issue(
        &self,
        user: UserId,
        session: SessionId,
        tenant: Option<TenantId>,
        now: DateTime<Utc>,
        ttl: chrono::Duration,
    ) -> String {
        let claims = AccessClaims {
            sub: user.into(),
            sid: session.into(),
            tid: tenant.map(Into::into),
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
            iss: ISSUER.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of serialisable claims cannot fail")
    }

    /// The claims of a valid, unexpired token.
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_key_only() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let other = JwtKeys::new(b"fedcba9876543210fedcba9876543210");
        let user = UserId::new();
        let token = keys.issue(
            user,
            SessionId::new(),
            None,
            Utc::now(),
            chrono::Duration::minutes(5),
        );
        assert_eq!(keys.verify(&token).unwrap().user(), user);
        assert!(other.verify(&token).is_none());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let token = keys.issue(
            UserId::new(),
            SessionId::new(),
            None,
            Utc::now() - chrono::Duration::hours(1),
            chrono::Duration::minutes(5),
        );
        assert!(keys.verify(&token).is_none());
    }
}
