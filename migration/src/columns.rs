//! Column shapes the migrations share.

use sea_orm_migration::prelude::*;

pub fn uuid(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}

pub fn uuid_null(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().null().to_owned()
}

pub fn ts(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

pub fn ts_null(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}
