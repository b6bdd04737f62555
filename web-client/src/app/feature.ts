import type { ReactNode } from 'react';
import type { Role } from '../gql/graphql';

/** Where a screen sits in the navigation. */
export type NavGroup = 'Inbox' | 'Customers' | 'Admin' | 'Platform';

/**
 * A screen of a feature: its route under `/` and, when it has one, its navigation entry,
 * shown to the roles at least `role` (PLATFORM_ADMIN: to platform admins only).
 */
export type FeatureRoute = {
  path: string;
  element: ReactNode;
  nav?: { label: string; icon: ReactNode; group: NavGroup; role: Role; order: number };
};
