//! Roles and what they may do.

use std::fmt;
use std::str::FromStr;

/// A caller's role. Tenant roles are ordered: an owner may do what an admin may, an admin
/// what an agent may. A platform admin manages tenants and sees no tenant's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    PlatformAdmin,
    Owner,
    Admin,
    Agent,
}

impl Role {
    /// Rank within a tenant; `None` for the platform role.
    fn tenant_rank(self) -> Option<u8> {
        match self {
            Role::Owner => Some(3),
            Role::Admin => Some(2),
            Role::Agent => Some(1),
            Role::PlatformAdmin => None,
        }
    }

    /// Whether this tenant role includes everything `other` may do.
    pub fn includes(self, other: Role) -> bool {
        match (self.tenant_rank(), other.tenant_rank()) {
            (Some(mine), Some(theirs)) => mine >= theirs,
            _ => self == other,
        }
    }

    /// The lower of two tenant roles: what a delegate of `limit` may be at most.
    pub fn at_most(self, limit: Role) -> Role {
        if limit.includes(self) {
            self
        } else {
            limit
        }
    }

    pub fn is_tenant_role(self) -> bool {
        self.tenant_rank().is_some()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "PLATFORM_ADMIN",
            Role::Owner => "OWNER",
            Role::Admin => "ADMIN",
            Role::Agent => "AGENT",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "PLATFORM_ADMIN" => Ok(Role::PlatformAdmin),
            "OWNER" => Ok(Role::Owner),
            "ADMIN" => Ok(Role::Admin),
            "AGENT" => Ok(Role::Agent),
            other => Err(format!("unknown role {other}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_roles_include_lower_ones() {
        assert!(Role::Owner.includes(Role::Admin));
        assert!(Role::Admin.includes(Role::Agent));
        assert!(!Role::Agent.includes(Role::Admin));
        assert!(!Role::Admin.includes(Role::Owner));
    }

    #[test]
    fn a_delegate_is_bounded_by_its_principal() {
        assert_eq!(Role::Admin.at_most(Role::Agent), Role::Agent);
        assert_eq!(Role::Agent.at_most(Role::Owner), Role::Agent);
        assert_eq!(Role::Owner.at_most(Role::Owner), Role::Owner);
    }

    #[test]
    fn the_platform_role_is_apart_from_tenant_roles() {
        assert!(!Role::PlatformAdmin.includes(Role::Agent));
        assert!(!Role::Owner.includes(Role::PlatformAdmin));
        assert!(Role::PlatformAdmin.includes(Role::PlatformAdmin));
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in [Role::PlatformAdmin, Role::Owner, Role::Admin, Role::Agent] {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
    }
}
