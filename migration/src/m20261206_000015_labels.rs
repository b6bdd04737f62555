//! Labels on conversations, typed contact attributes with their values per contact, and a
//! contact's language.
//!
//! Every table keys on `tenant_id` first, and the links reference their rows by
//! `(tenant_id, id)`, so a label, an attribute or a value can never point into another
//! tenant. Deleting a label or an attribute takes its links and values with it.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000015_labels"
    }
}

#[derive(DeriveIden)]
enum Labels {
    Table,
    TenantId,
    Id,
    Name,
    NameKey,
    Color,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConversationLabels {
    Table,
    TenantId,
    ConversationId,
    LabelId,
    AddedAt,
}

#[derive(DeriveIden)]
enum ContactAttributes {
    Table,
    TenantId,
    Id,
    Key,
    Name,
    Kind,
    Choices,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ContactAttributeValues {
    Table,
    TenantId,
    ContactId,
    AttributeId,
    Value,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    TenantId,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    TenantId,
    Id,
    Language,
}

fn uuid(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}
fn ts(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}
fn tenant_fk(table: impl IntoIden + 'static) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, Alias::new("tenant_id"))
        .to(Tenants::Table, Tenants::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Labels::Table)
                    .col(uuid(Labels::TenantId))
                    .col(uuid(Labels::Id))
                    .col(ColumnDef::new(Labels::Name).text().not_null())
                    .col(ColumnDef::new(Labels::NameKey).text().not_null())
                    .col(ColumnDef::new(Labels::Color).text().not_null())
                    .col(ColumnDef::new(Labels::Description).text().null())
                    .col(ts(Labels::CreatedAt))
                    .col(ts(Labels::UpdatedAt))
                    .primary_key(Index::create().col(Labels::TenantId).col(Labels::Id))
                    .foreign_key(&mut tenant_fk(Labels::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("labels_by_name")
                    .table(Labels::Table)
                    .col(Labels::TenantId)
                    .col(Labels::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationLabels::Table)
                    .col(uuid(ConversationLabels::TenantId))
                    .col(uuid(ConversationLabels::ConversationId))
                    .col(uuid(ConversationLabels::LabelId))
                    .col(ts(ConversationLabels::AddedAt))
                    .primary_key(
                        Index::create()
                            .col(ConversationLabels::TenantId)
                            .col(ConversationLabels::ConversationId)
                            .col(ConversationLabels::LabelId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConversationLabels::Table,
                                (
                                    ConversationLabels::TenantId,
                                    ConversationLabels::ConversationId,
                                ),
                            )
                            .to(
                                Conversations::Table,
                                (Conversations::TenantId, Conversations::Id),
                            )
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConversationLabels::Table,
                                (ConversationLabels::TenantId, ConversationLabels::LabelId),
                            )
                            .to(Labels::Table, (Labels::TenantId, Labels::Id))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The label filter looks up a label's conversations.
        manager
            .create_index(
                Index::create()
                    .name("conversation_labels_by_label")
                    .table(ConversationLabels::Table)
                    .col(ConversationLabels::TenantId)
                    .col(ConversationLabels::LabelId)
                    .col(ConversationLabels::ConversationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContactAttributes::Table)
                    .col(uuid(ContactAttributes::TenantId))
                    .col(uuid(ContactAttributes::Id))
                    .col(ColumnDef::new(ContactAttributes::Key).text().not_null())
                    .col(ColumnDef::new(ContactAttributes::Name).text().not_null())
                    .col(ColumnDef::new(ContactAttributes::Kind).text().not_null())
                    .col(ColumnDef::new(ContactAttributes::Choices).text().null())
                    .col(ts(ContactAttributes::CreatedAt))
                    .col(ts(ContactAttributes::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(ContactAttributes::TenantId)
                            .col(ContactAttributes::Id),
                    )
                    .foreign_key(&mut tenant_fk(ContactAttributes::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contact_attributes_by_key")
                    .table(ContactAttributes::Table)
                    .col(ContactAttributes::TenantId)
                    .col(ContactAttributes::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContactAttributeValues::Table)
                    .col(uuid(ContactAttributeValues::TenantId))
                    .col(uuid(ContactAttributeValues::ContactId))
                    .col(uuid(ContactAttributeValues::AttributeId))
                    .col(
                        ColumnDef::new(ContactAttributeValues::Value)
                            .text()
                            .not_null(),
                    )
                    .col(ts(ContactAttributeValues::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(ContactAttributeValues::TenantId)
                            .col(ContactAttributeValues::ContactId)
                            .col(ContactAttributeValues::AttributeId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ContactAttributeValues::Table,
                                (
                                    ContactAttributeValues::TenantId,
                                    ContactAttributeValues::ContactId,
                                ),
                            )
                            .to(Contacts::Table, (Contacts::TenantId, Contacts::Id))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ContactAttributeValues::Table,
                                (
                                    ContactAttributeValues::TenantId,
                                    ContactAttributeValues::AttributeId,
                                ),
                            )
                            .to(
                                ContactAttributes::Table,
                                (ContactAttributes::TenantId, ContactAttributes::Id),
                            )
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contact_attribute_values_by_attribute")
                    .table(ContactAttributeValues::Table)
                    .col(ContactAttributeValues::TenantId)
                    .col(ContactAttributeValues::AttributeId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .add_column(ColumnDef::new(Contacts::Language).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .drop_column(Contacts::Language)
                    .to_owned(),
            )
            .await?;
        for table in [
            ContactAttributeValues::Table.into_iden(),
            ContactAttributes::Table.into_iden(),
            ConversationLabels::Table.into_iden(),
            Labels::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
