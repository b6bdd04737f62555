//! Where and when a contact gave its consent to be messaged: `contacts.opted_in_at` and
//! `contacts.opt_in_source` (a web form, a signed paper, a CRM), as a contact import
//! records them. A contact opted in before this change has neither.

use sea_orm_migration::prelude::*;

use crate::columns::ts_null;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000025_contact_consent"
    }
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    OptedInAt,
    OptInSource,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .add_column(ts_null(Contacts::OptedInAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .add_column(ColumnDef::new(Contacts::OptInSource).string().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Contacts::OptInSource, Contacts::OptedInAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Contacts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
