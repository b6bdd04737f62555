import type { Role } from '../../../gql/graphql';

/** The roles a tenant member can hold, most powerful first, as the UI names them. */
export const TENANT_ROLES: { value: Exclude<Role, 'PLATFORM_ADMIN'>; label: string; description: string }[] = [
  { value: 'OWNER', label: 'Owner', description: 'Everything, including other owners' },
  { value: 'ADMIN', label: 'Admin', description: 'Channels, users, keys, settings and every conversation' },
  { value: 'AGENT', label: 'Agent', description: "Their queues' and their own conversations" },
];

export const ROLE_COLOR: Record<Role, string> = { PLATFORM_ADMIN: 'grape', OWNER: 'violet', ADMIN: 'blue', AGENT: 'gray' };

export function roleLabel(role: Role): string {
  return role === 'PLATFORM_ADMIN' ? 'Platform admin' : (TENANT_ROLES.find((r) => r.value === role)?.label ?? role);
}
