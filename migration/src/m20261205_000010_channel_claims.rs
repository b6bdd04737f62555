//! A number is claimed for the whole deployment only by a verified channel.
//!
//! Until now every channel claimed `number:<E.164>` and `meta_phone:<id>` at creation, so any
//! tenant could take another's number first. From here each channel keeps a tenant-scoped
//! twin of those keys (`tenant:<tenant>:number:…`, one number per tenant), and the
//! deployment-wide ones are released for channels that were never verified; they are taken
//! again by a successful verification.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::sea_orm::ConnectionTrait;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000010_channel_claims"
    }
}

#[derive(DeriveIden)]
enum Channels {
    Table,
    Id,
    VerifiedAt,
}

#[derive(DeriveIden)]
enum ChannelKeys {
    Table,
    Key,
    TenantId,
    ChannelId,
}

const TENANT_PREFIX: &str = "tenant:";

fn number_claims() -> Condition {
    Condition::any()
        .add(Expr::col(ChannelKeys::Key).like("number:%"))
        .add(Expr::col(ChannelKeys::Key).like("meta_phone:%"))
}

/// `(key, tenant, channel)` of every key matching `which`.
async fn keys(
    manager: &SchemaManager<'_>,
    which: Condition,
) -> Result<Vec<(String, Uuid, Uuid)>, DbErr> {
    let db = manager.get_connection();
    let select = Query::select()
        .columns([
            ChannelKeys::Key,
            ChannelKeys::TenantId,
            ChannelKeys::ChannelId,
        ])
        .from(ChannelKeys::Table)
        .cond_where(which)
        .to_owned();
    let rows = db
        .query_all(db.get_database_backend().build(&select))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("", "key")?,
                row.try_get("", "tenant_id")?,
                row.try_get("", "channel_id")?,
            ))
        })
        .collect()
}

/// Inserts a key unless it is taken.
async fn insert_key(
    manager: &SchemaManager<'_>,
    key: String,
    tenant: Uuid,
    channel: Uuid,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let insert = Query::insert()
        .into_table(ChannelKeys::Table)
        .columns([
            ChannelKeys::Key,
            ChannelKeys::TenantId,
            ChannelKeys::ChannelId,
        ])
        .values([key.into(), tenant.into(), channel.into()])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(OnConflict::column(ChannelKeys::Key).do_nothing().to_owned())
        .to_owned();
    db.execute(db.get_database_backend().build(&insert)).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (key, tenant, channel) in keys(manager, number_claims()).await? {
            insert_key(
                manager,
                format!("{TENANT_PREFIX}{tenant}:{key}"),
                tenant,
                channel,
            )
            .await?;
        }
        let unverified = Query::select()
            .column(Channels::Id)
            .from(Channels::Table)
            .and_where(Expr::col(Channels::VerifiedAt).is_null())
            .to_owned();
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(ChannelKeys::Table)
                    .cond_where(
                        Condition::all()
                            .add(number_claims())
                            .add(Expr::col(ChannelKeys::ChannelId).in_subquery(unverified)),
                    )
                    .to_owned(),
            )
            .await
    }

    /// Gives every channel its deployment-wide claims back where no other channel has taken
    /// them since, and drops the tenant-scoped keys.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let scoped = Condition::all().add(Expr::col(ChannelKeys::Key).like("tenant:%"));
        for (key, tenant, channel) in keys(manager, scoped.clone()).await? {
            let prefix = format!("{TENANT_PREFIX}{tenant}:");
            if let Some(claim) = key.strip_prefix(&prefix) {
                insert_key(manager, claim.to_owned(), tenant, channel).await?;
            }
        }
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(ChannelKeys::Table)
                    .cond_where(scoped)
                    .to_owned(),
            )
            .await
    }
}
