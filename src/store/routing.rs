//! A tenant's routing rules, in order. Positions run from 0 without gaps; conditions are
//! kept as JSON in the rule's row.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Select,
};

use super::entities::routing_rule;
use super::StoreError;
use crate::domain::records::RoutingRuleRecord;
use crate::domain::routing::ConditionSpec;
use crate::domain::{RoutingRuleId, TenantId};

impl TryFrom<routing_rule::Model> for RoutingRuleRecord {
    type Error = StoreError;

    fn try_from(row: routing_rule::Model) -> Result<Self, StoreError> {
        let conditions: Vec<ConditionSpec> = serde_json::from_str(&row.conditions)
            .map_err(|e| StoreError::Corrupt(format!("routing rule conditions: {e}")))?;
        Ok(Self {
            id: row.id.into(),
            position: u32::try_from(row.position).unwrap_or(0),
            name: row.name,
            queue: row.queue_id.into(),
            conditions,
            enabled: row.enabled,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn conditions_json(conditions: &[ConditionSpec]) -> Result<String, StoreError> {
    serde_json::to_string(conditions)
        .map_err(|e| StoreError::Corrupt(format!("routing rule conditions: {e}")))
}

pub struct RoutingRules<'a, C> {
    db: &'a C,
    tenant: TenantId,
}

impl<'a, C: ConnectionTrait> RoutingRules<'a, C> {
    pub fn new(db: &'a C, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    fn scoped(&self) -> Select<routing_rule::Entity> {
        routing_rule::Entity::find()
            .filter(routing_rule::Column::TenantId.eq(self.tenant.into_uuid()))
    }

    /// Every rule, first to last.
    pub async fn list(&self) -> Result<Vec<RoutingRuleRecord>, StoreError> {
        self.scoped()
            .order_by_asc(routing_rule::Column::Position)
            .order_by_asc(routing_rule::Column::Id)
            .all(self.db)
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.scoped().count(self.db).await?)
    }

    pub async fn get(&self, id: RoutingRuleId) -> Result<RoutingRuleRecord, StoreError> {
        self.scoped()
            .filter(routing_rule::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    /// Moves the rules from `position` on by `by` places.
    async fn shift_from(&self, position: u32, by: i32) -> Result<(), StoreError> {
        routing_rule::Entity::update_many()
            .filter(routing_rule::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(routing_rule::Column::Position.gte(position as i32))
            .col_expr(
                routing_rule::Column::Position,
                Expr::col(routing_rule::Column::Position).add(by),
            )
            .exec(self.db)
            .await?;
        Ok(())
    }

    /// Stores a new rule at its position, moving the rules from there on down one place.
    pub async fn insert(&self, rule: &RoutingRuleRecord) -> Result<(), StoreError> {
        self.shift_from(rule.position, 1).await?;
        routing_rule::Entity::insert(routing_rule::ActiveModel {
            tenant_id: Set(self.tenant.into()),
            id: Set(rule.id.into()),
            position: Set(rule.position as i32),
            name: Set(rule.name.clone()),
            queue_id: Set(rule.queue.into()),
            conditions: Set(conditions_json(&rule.conditions)?),
            enabled: Set(rule.enabled),
            created_at: Set(rule.created_at),
            updated_at: Set(rule.updated_at),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(())
    }

    /// Stores a rule's name, queue, conditions and flag (not its position).
    pub async fn update(&self, rule: &RoutingRuleRecord) -> Result<(), StoreError> {
        let result = routing_rule::Entity::update_many()
            .filter(routing_rule::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(routing_rule::Column::Id.eq(rule.id.into_uuid()))
            .col_expr(routing_rule::Column::Name, Expr::value(rule.name.clone()))
            .col_expr(
                routing_rule::Column::QueueId,
                Expr::value(rule.queue.into_uuid()),
            )
            .col_expr(
                routing_rule::Column::Conditions,
                Expr::value(conditions_json(&rule.conditions)?),
            )
            .col_expr(routing_rule::Column::Enabled, Expr::value(rule.enabled))
            .col_expr(
                routing_rule::Column::UpdatedAt,
                Expr::value(rule.updated_at),
            )
            .exec(self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Puts the rules in the order of `ids`, which names each of them once.
    pub async fn reorder(&self, ids: &[RoutingRuleId]) -> Result<(), StoreError> {
        for (position, id) in ids.iter().enumerate() {
            routing_rule::Entity::update_many()
                .filter(routing_rule::Column::TenantId.eq(self.tenant.into_uuid()))
                .filter(routing_rule::Column::Id.eq(id.into_uuid()))
                .col_expr(routing_rule::Column::Position, Expr::value(position as i32))
                .exec(self.db)
                .await?;
        }
        Ok(())
    }

    /// Deletes a rule and closes the gap it leaves.
    pub async fn delete(&self, id: RoutingRuleId) -> Result<(), StoreError> {
        let rule = self.get(id).await?;
        routing_rule::Entity::delete_many()
            .filter(routing_rule::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(routing_rule::Column::Id.eq(id.into_uuid()))
            .exec(self.db)
            .await?;
        self.shift_from(rule.position + 1, -1).await
    }
}
