//! Conversions from the rows the tenant-less lookups read to the records they answer with.
//! The string columns (roles) are parsed here, so a bad one is a [`StoreError::Corrupt`].

use super::entities::{api_key, attachment, membership, refresh_token, session, user};
use super::StoreError;
use crate::domain::records::{
    ApiKeyCredential, MembershipRecord, PendingAttachment, RefreshRecord, SessionRecord,
    UserAccount,
};
use crate::domain::Role;

fn role(text: &str) -> Result<Role, StoreError> {
    text.parse().map_err(StoreError::Corrupt)
}

impl From<user::Model> for UserAccount {
    fn from(row: user::Model) -> Self {
        Self {
            id: row.id.into(),
            email: row.email,
            name: row.name,
            password_hash: row.password_hash,
            is_platform_admin: row.is_platform_admin,
            created_at: row.created_at,
            last_login_at: row.last_login_at,
        }
    }
}

impl TryFrom<membership::Model> for MembershipRecord {
    type Error = StoreError;
    fn try_from(row: membership::Model) -> Result<Self, StoreError> {
        Ok(Self {
            tenant: row.tenant_id.into(),
            role: role(&row.role)?,
            active: row.deactivated_at.is_none(),
        })
    }
}

impl From<session::Model> for SessionRecord {
    fn from(row: session::Model) -> Self {
        Self {
            id: row.id.into(),
            user: row.user_id.into(),
            tenant: row.tenant_id.map(Into::into),
            expires_at: row.expires_at,
            revoked: row.revoked_at.is_some(),
        }
    }
}

impl From<refresh_token::Model> for RefreshRecord {
    fn from(row: refresh_token::Model) -> Self {
        Self {
            id: row.id.into(),
            expires_at: row.expires_at,
        }
    }
}

impl TryFrom<api_key::Model> for ApiKeyCredential {
    type Error = StoreError;
    fn try_from(row: api_key::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id.into(),
            tenant: row.tenant_id.into(),
            name: row.name,
            role: role(&row.role)?,
            created_by: row.created_by.map(Into::into),
            secret_hash: row.secret_hash,
            revoked: row.revoked_at.is_some(),
            last_used_at: row.last_used_at,
        })
    }
}

impl From<attachment::Model> for PendingAttachment {
    fn from(row: attachment::Model) -> Self {
        Self {
            id: row.id.into(),
            tenant: row.tenant_id.into(),
            message: row.message_id.into(),
            reference: row.reference,
            content_type: row.content_type,
            filename: row.filename,
            sha256: row.sha256,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
        }
    }
}
