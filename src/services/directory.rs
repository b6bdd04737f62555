//! Reading who is who: tenants, their users and API keys, the platform's admins, and the
//! audit log.

use crate::domain::records::ApiKeyRecord;
use crate::domain::records::AuditRecord;
use crate::domain::records::MemberRecord;
use crate::domain::records::TenantRecord;
use crate::domain::{ApiKeyId, Role, TenantId, UserId};
use crate::domain::{Page, PageRequest};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent, Platform};
use crate::store::Store;

#[derive(Clone)]
pub struct Directory {
    store: Store,
}

impl Directory {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Every tenant (platform admin only).
    pub async fn tenants(
        &self,
        _platform: &Platform,
        page: PageRequest,
    ) -> Result<Page<TenantRecord>, AppError> {
        Ok(self.store.tenants().list(page).await?)
    }

    /// A tenant the caller reached (its own).
    pub async fn tenant(&self, tenant: TenantId) -> Result<TenantRecord, AppError> {
        Ok(self.store.tenant(tenant).profile().get().await?)
    }

    /// The users of the caller's tenant.
    pub async fn users(
        &self,
        access: &Access<Agent>,
        page: PageRequest,
    ) -> Result<Page<MemberRecord>, AppError> {
        Ok(self
            .store
            .tenant(access.tenant())
            .members()
            .list(page)
            .await?)
    }

    /// A user of a tenant the caller reached; another tenant's answers NOT_FOUND.
    pub async fn user_in(&self, tenant: TenantId, id: UserId) -> Result<MemberRecord, AppError> {
        Ok(self.store.tenant(tenant).members().get(id).await?)
    }

    /// A user outside any tenant: a platform admin.
    pub async fn platform_user(&self, id: UserId) -> Result<MemberRecord, AppError> {
        let row = self
            .store
            .system()
            .find_user(id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(MemberRecord {
            id,
            email: row.email,
            name: row.name,
            role: Role::PlatformAdmin,
            active: true,
            created_at: row.created_at,
            last_login_at: row.last_login_at,
        })
    }

    /// The tenant's API keys, revoked ones included.
    pub async fn api_keys(&self, access: &Access<Admin>) -> Result<Vec<ApiKeyRecord>, AppError> {
        Ok(self.store.tenant(access.tenant()).api_keys().list().await?)
    }

    /// An API key of a tenant the caller reached.
    pub async fn api_key_in(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
    ) -> Result<ApiKeyRecord, AppError> {
        Ok(self.store.tenant(tenant).api_keys().get(id).await?)
    }

    /// The tenant's audit log, newest first.
    pub async fn audit_log(
        &self,
        access: &Access<Admin>,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, AppError> {
        Ok(self
            .store
            .tenant(access.tenant())
            .audit()
            .list(page)
            .await?)
    }
}
