import { lazy } from 'react';
import { IconBuildingSkyscraper, IconHistory, IconKey, IconPlugConnected, IconSettings, IconUsers } from '@tabler/icons-react';
import type { FeatureRoute } from '../../app/feature';

// Each screen is its own chunk, loaded when first opened.
const ApiKeysPage = lazy(() => import('./apiKeys/ApiKeysPage').then((m) => ({ default: m.ApiKeysPage })));
const AuditPage = lazy(() => import('./audit/AuditPage').then((m) => ({ default: m.AuditPage })));
const ChannelDetailPage = lazy(() => import('./channels/ChannelDetailPage').then((m) => ({ default: m.ChannelDetailPage })));
const ChannelsPage = lazy(() => import('./channels/ChannelsPage').then((m) => ({ default: m.ChannelsPage })));
const SettingsPage = lazy(() => import('./settings/SettingsPage').then((m) => ({ default: m.SettingsPage })));
const TenantsPage = lazy(() => import('./tenants/TenantsPage').then((m) => ({ default: m.TenantsPage })));
const UsersPage = lazy(() => import('./users/UsersPage').then((m) => ({ default: m.UsersPage })));

// The API lets owners and admins manage channels, members, keys and settings and read the
// audit log (agents only read channels and members): these screens start at ADMIN.
// Tenants are the platform admin's alone.
const icon = { size: 18 };
export const routes: FeatureRoute[] = [
  { path: 'channels', element: <ChannelsPage />, nav: { label: 'Channels', icon: <IconPlugConnected {...icon} />, group: 'Admin', role: 'ADMIN', order: 10 } },
  { path: 'channels/:id', element: <ChannelDetailPage /> },
  { path: 'users', element: <UsersPage />, nav: { label: 'Users', icon: <IconUsers {...icon} />, group: 'Admin', role: 'ADMIN', order: 40 } },
  { path: 'api-keys', element: <ApiKeysPage />, nav: { label: 'API keys', icon: <IconKey {...icon} />, group: 'Admin', role: 'ADMIN', order: 45 } },
  { path: 'settings', element: <SettingsPage />, nav: { label: 'Settings', icon: <IconSettings {...icon} />, group: 'Admin', role: 'ADMIN', order: 50 } },
  { path: 'audit', element: <AuditPage />, nav: { label: 'Audit log', icon: <IconHistory {...icon} />, group: 'Admin', role: 'ADMIN', order: 60 } },
  { path: 'tenants', element: <TenantsPage />, nav: { label: 'Tenants', icon: <IconBuildingSkyscraper {...icon} />, group: 'Platform', role: 'PLATFORM_ADMIN', order: 10 } },
];
