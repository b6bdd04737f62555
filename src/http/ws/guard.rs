//! What keeps an open socket's access honest: its current token, checked again when a
//! revocation concerns it, every RECHECK, just after the token expires and at every
//! `subscribe`, and renewed through `ping` without dropping the subscriptions.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use super::{parse_bearer, Bearer, EXPIRY_SLACK, MALFORMED_BEARER, OTHER_SESSION, RECHECK};
use crate::error::AppError;
use crate::services::auth::{Auth, Principal, Viewer, NO_CREDENTIALS};
use crate::services::events::Revocation;

/// The socket's grant as it was opened, its current credential, and the signal that
/// closes it with 4403 when the credential no longer grants what it did.
#[derive(Clone)]
pub(super) struct Guard {
    auth: Auth,
    opened: Viewer,
    credential: Credential,
    revoked: watch::Sender<bool>,
}

impl Guard {
    pub(super) fn new(auth: Auth, token: String, viewer: Viewer) -> (Self, watch::Receiver<bool>) {
        let (revoked, receiver) = watch::channel(false);
        let credential = Credential::new(token, &viewer);
        let guard = Self {
            auth,
            opened: viewer,
            credential,
            revoked,
        };
        (guard, receiver)
    }

    /// Whether the current token still grants the tenant and role the socket opened with.
    pub(super) async fn still_valid(&self) -> bool {
        let (tenant, role) = (self.opened.tenant, self.opened.role);
        let token = self.credential.token();
        // Boxed, as in `renew`: rare, and inline its large future would size the state of
        // every socket's watchdog and input for as long as the socket lives.
        Box::pin(self.auth.authenticate(&token))
            .await
            .is_ok_and(|v| v.tenant == tenant && v.role == role)
    }

    /// Who the socket was opened as.
    pub(super) fn viewer(&self) -> &Viewer {
        &self.opened
    }

    pub(super) fn revoke(&self) {
        let _ = self.revoked.send(true);
    }

    /// Takes a new token of the same session (or key), tenant and role; otherwise says why
    /// not and keeps the token it had.
    pub(super) async fn renew(&self, authorization: &str) -> Result<(), &'static str> {
        let token = match parse_bearer(authorization) {
            Bearer::Token(token) => token.to_owned(),
            Bearer::None => return Err(NO_CREDENTIALS),
            Bearer::Malformed => return Err(MALFORMED_BEARER),
        };
        match Box::pin(self.auth.authenticate(&token)).await {
            Ok(renewed) if same_grant(&self.opened, &renewed) => {
                self.credential.set(token, &renewed);
                Ok(())
            }
            Ok(_) => Err(OTHER_SESSION),
            Err(AppError::Unauthenticated(reason)) => Err(reason),
            Err(_) => Err("the token could not be checked; try again"),
        }
    }

    /// Checks the token again whenever a revocation concerns the socket (logout, a role or
    /// password change, deactivation, a revoked key), every RECHECK as a backstop, and just
    /// after the token expires; revokes the socket when it no longer grants what it did.
    pub(super) async fn watch(self, mut revocations: broadcast::Receiver<Revocation>) {
        let mut next_check = tokio::time::Instant::now() + RECHECK;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(self.credential.wake(next_check)) => {
                    next_check = tokio::time::Instant::now() + RECHECK;
                }
                received = revocations.recv() => match received {
                    Ok(revocation) if revocation.concerns(&self.opened) => {}
                    Ok(_) => continue,
                    // Missed some: any of them may have been about this socket.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => {
                        tokio::time::sleep_until(next_check).await;
                        next_check = tokio::time::Instant::now() + RECHECK;
                    }
                },
            }
            if !self.still_valid().await {
                self.revoke();
                return;
            }
        }
    }
}

/// The socket's current token (the one of `connection_init`, or of its latest renewal) and
/// when it expires, if it does (an API key does not).
#[derive(Clone)]
struct Credential(Arc<Mutex<(String, Option<DateTime<Utc>>)>>);

impl Credential {
    fn new(token: String, viewer: &Viewer) -> Self {
        Self(Arc::new(Mutex::new((token, expiry(viewer)))))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (String, Option<DateTime<Utc>>)> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn token(&self) -> String {
        self.lock().0.clone()
    }

    fn set(&self, token: String, viewer: &Viewer) {
        *self.lock() = (token, expiry(viewer));
    }

    /// When the watchdog should look next: at `next_check`, or just after the token expires
    /// (past the verifier's leeway) when that comes first.
    fn wake(&self, next_check: tokio::time::Instant) -> tokio::time::Instant {
        let Some(expires_at) = self.lock().1 else {
            return next_check;
        };
        match (expires_at + EXPIRY_SLACK - Utc::now()).to_std() {
            Ok(left) => next_check.min(tokio::time::Instant::now() + left),
            Err(_) => next_check,
        }
    }
}

fn expiry(viewer: &Viewer) -> Option<DateTime<Utc>> {
    match viewer.principal {
        Principal::User { expires_at, .. } => Some(expires_at),
        Principal::ApiKey { .. } | Principal::Webhook { .. } => None,
    }
}

/// Whether two viewers are the same session (or key) with the same tenant and role.
fn same_grant(a: &Viewer, b: &Viewer) -> bool {
    let same_principal = match (&a.principal, &b.principal) {
        (
            Principal::User { id, session, .. },
            Principal::User {
                id: i, session: s, ..
            },
        ) => id == i && session == s,
        (Principal::ApiKey { id, .. }, Principal::ApiKey { id: i, .. }) => id == i,
        _ => false,
    };
    same_principal && a.tenant == b.tenant && a.role == b.role
}
