//! Tenants, users, memberships, sessions with refresh tokens, API keys and the audit log.
//!
//! Tenant data carries `tenant_id` in its primary key and in every unique constraint, so a
//! deployment can later shard by tenant. Users, sessions and refresh tokens belong to a
//! person, not to a tenant, and are keyed by their own ids.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000001_foundation"
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Name,
    Settings,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    IsPlatformAdmin,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    TenantId,
    UserId,
    Role,
    DeactivatedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TenantId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    TenantId,
    Id,
    Name,
    Prefix,
    SecretHash,
    Role,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    TenantId,
    Id,
    ActorUserId,
    ActorApiKeyId,
    ActorLabel,
    Action,
    TargetType,
    TargetId,
    Details,
    CreatedAt,
}

fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn ts_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn uuid(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().not_null().to_owned()
}

fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenants::Table)
                    .col(uuid(Tenants::Id).primary_key())
                    .col(text(Tenants::Name))
                    .col(text(Tenants::Settings))
                    .col(ts(Tenants::CreatedAt))
                    .col(ts(Tenants::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(uuid(Users::Id).primary_key())
                    .col(text(Users::Email).unique_key())
                    .col(ColumnDef::new(Users::Name).text().null())
                    .col(text(Users::PasswordHash))
                    .col(
                        ColumnDef::new(Users::IsPlatformAdmin)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ts(Users::CreatedAt))
                    .col(ts(Users::UpdatedAt))
                    .col(ts_null(Users::LastLoginAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(uuid(Memberships::TenantId))
                    .col(uuid(Memberships::UserId))
                    .col(text(Memberships::Role))
                    .col(ts_null(Memberships::DeactivatedAt))
                    .col(ts(Memberships::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(Memberships::TenantId)
                            .col(Memberships::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Memberships::Table, Memberships::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Memberships::Table, Memberships::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("memberships_by_user")
                    .table(Memberships::Table)
                    .col(Memberships::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(uuid(Sessions::Id).primary_key())
                    .col(uuid(Sessions::UserId))
                    .col(ColumnDef::new(Sessions::TenantId).uuid().null())
                    .col(ts(Sessions::CreatedAt))
                    .col(ts(Sessions::ExpiresAt))
                    .col(ts_null(Sessions::RevokedAt))
                    .col(ColumnDef::new(Sessions::RevokedReason).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sessions_by_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(uuid(RefreshTokens::Id).primary_key())
                    .col(uuid(RefreshTokens::SessionId))
                    .col(text(RefreshTokens::TokenHash).unique_key())
                    .col(ts(RefreshTokens::CreatedAt))
                    .col(ts(RefreshTokens::ExpiresAt))
                    .col(ts_null(RefreshTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("refresh_tokens_by_session")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::SessionId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(uuid(ApiKeys::TenantId))
                    .col(uuid(ApiKeys::Id))
                    .col(text(ApiKeys::Name))
                    .col(text(ApiKeys::Prefix))
                    .col(text(ApiKeys::SecretHash))
                    .col(text(ApiKeys::Role))
                    .col(ColumnDef::new(ApiKeys::CreatedBy).uuid().null())
                    .col(ts(ApiKeys::CreatedAt))
                    .col(ts_null(ApiKeys::LastUsedAt))
                    .col(ts_null(ApiKeys::RevokedAt))
                    .primary_key(Index::create().col(ApiKeys::TenantId).col(ApiKeys::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKeys::Table, ApiKeys::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Not unique: a unique key must include tenant_id, and the prefix is what an
        // incoming key is looked up by before its tenant is known.
        manager
            .create_index(
                Index::create()
                    .name("api_keys_by_prefix")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::Prefix)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(uuid(AuditLog::TenantId))
                    .col(uuid(AuditLog::Id))
                    .col(ColumnDef::new(AuditLog::ActorUserId).uuid().null())
                    .col(ColumnDef::new(AuditLog::ActorApiKeyId).uuid().null())
                    .col(text(AuditLog::ActorLabel))
                    .col(text(AuditLog::Action))
                    .col(text(AuditLog::TargetType))
                    .col(ColumnDef::new(AuditLog::TargetId).text().null())
                    .col(ColumnDef::new(AuditLog::Details).text().null())
                    .col(ts(AuditLog::CreatedAt))
                    .primary_key(Index::create().col(AuditLog::TenantId).col(AuditLog::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuditLog::Table, AuditLog::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            Memberships::Table.into_iden(),
            Users::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
