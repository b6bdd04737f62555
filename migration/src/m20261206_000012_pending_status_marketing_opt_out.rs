//! A status kept for a message not recorded yet carries the provider's marketing opt-out
//! signal as a typed flag, `pending_statuses.marketing_opt_out`, instead of the store
//! reading it from the provider's error code when the status is applied.
//!
//! Rows kept before this change still hold only the code; the one code that meant it
//! (Meta's "user stopped marketing messages") sets the flag on them, so none loses its
//! opt-out across the upgrade.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000012_pending_status_marketing_opt_out"
    }
}

#[derive(DeriveIden)]
enum PendingStatuses {
    Table,
    ErrorCode,
    MarketingOptOut,
}

/// Meta's code for a user who stopped marketing messages, as rows kept before this
/// migration stored it.
const META_MARKETING_STOPPED: &str = "131050";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PendingStatuses::Table)
                    .add_column(
                        ColumnDef::new(PendingStatuses::MarketingOptOut)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(PendingStatuses::Table)
                    .value(PendingStatuses::MarketingOptOut, true)
                    .and_where(Expr::col(PendingStatuses::ErrorCode).eq(META_MARKETING_STOPPED))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PendingStatuses::Table)
                    .drop_column(PendingStatuses::MarketingOptOut)
                    .to_owned(),
            )
            .await
    }
}
